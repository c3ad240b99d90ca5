# pragma version 0.4.3
"""
@title TEST DOUBLE: voting stake with directly settable checkpoints
@custom:contract-name MockVotingStake
@license MIT
@notice FOR TESTS ONLY. Never deploy outside tests. Implements
        IVotingStake (what the Governor reads from Staking) without tokens:
        `setVotes` writes an account's stake at the current block and keeps
        the total in step, so Governor unit tests control voting power
        block by block. Lookups scan at most MAX_CHECKPOINTS entries.
"""

from ..interfaces import IVotingStake
implements: IVotingStake


MAX_CHECKPOINTS: constant(uint256) = 64
# @dev The total lives under an id no address has (as in Staking).
_TOTAL: constant(uint256) = 1 << 160


struct Checkpoint:
    key: uint256
    value: uint256


_checkpoints: HashMap[uint256, DynArray[Checkpoint, MAX_CHECKPOINTS]]


event VotesSet:
    account: indexed(address)
    amount: uint256


@deploy
def __init__():
    """
    @dev Nothing to initialise.
    """
    pass


@external
def setVotes(account: address, amount: uint256):
    """
    @notice TEST ONLY: sets `account`'s stake from the current block on.
    @param account Any account except the zero address.
    @param amount The new stake.
    """
    assert account != empty(address), "MockVotingStake: zero address"
    previous: uint256 = self._latest(convert(account, uint256))
    self._push(convert(account, uint256), amount)
    self._push(_TOTAL, self._latest(_TOTAL) + amount - previous)
    log VotesSet(account=account, amount=amount)


@external
@view
def clock() -> uint48:
    """
    @notice ERC-6372 clock: the block number.
    """
    return convert(block.number, uint48)


@external
@view
def CLOCK_MODE() -> String[64]:
    """
    @notice ERC-6372 clock description.
    """
    return "mode=blocknumber&from=default"


@external
@view
def getVotes(account: address) -> uint256:
    """
    @notice Current stake of `account`.
    """
    return self._latest(convert(account, uint256))


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Stake of `account` at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockVotingStake: future lookup"
    return self._lookup(convert(account, uint256), timepoint)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice Total stake at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockVotingStake: future lookup"
    return self._lookup(_TOTAL, timepoint)


@internal
def _push(account: uint256, new_value: uint256):
    n: uint256 = len(self._checkpoints[account])
    if n > 0 and self._checkpoints[account][n - 1].key == block.number:
        self._checkpoints[account][n - 1].value = new_value
    else:
        self._checkpoints[account].append(Checkpoint(key=block.number, value=new_value))


@internal
@view
def _latest(account: uint256) -> uint256:
    n: uint256 = len(self._checkpoints[account])
    if n == 0:
        return 0
    return self._checkpoints[account][n - 1].value


@internal
@view
def _lookup(account: uint256, timepoint: uint256) -> uint256:
    result: uint256 = 0
    for c: Checkpoint in self._checkpoints[account]:
        if c.key > timepoint:
            break
        result = c.value
    return result
