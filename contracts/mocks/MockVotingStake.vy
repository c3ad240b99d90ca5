# pragma version 0.4.3
"""
@title TEST DOUBLE: voting stake with directly settable checkpoints
@custom:contract-name MockVotingStake
@license MIT
@notice FOR TESTS ONLY. Never deploy outside tests. Implements
        IVotingStake (what the Governor reads from Staking) without tokens:
        `setVotes` writes an account's stake at the current block and keeps
        the total in step, so Governor unit tests control voting power
        block by block. History: contracts/modules/checkpoints.vy, as in
        Staking (so amounts must fit in 208 bits).
"""

from ..interfaces import IVotingStake
implements: IVotingStake

from ..modules import checkpoints as ckpt
initializes: ckpt


# @dev The total lives under a trace id no address has (as in Staking).
_TOTAL_TRACE: constant(uint256) = 1 << 160


event VotesSet:
    account: indexed(address)
    amount: uint256


@deploy
def __init__():
    """
    @dev Nothing to initialise but the checkpoints module.
    """
    ckpt.__init__()


@external
def setVotes(account: address, amount: uint256):
    """
    @notice TEST ONLY: sets `account`'s stake from the current block on.
    @param account Any account except the zero address.
    @param amount The new stake.
    """
    assert account != empty(address), "MockVotingStake: zero address"
    previous: uint256 = ckpt._latest(account)
    ckpt._push(account, block.number, amount)
    ckpt._push_id(_TOTAL_TRACE, block.number, ckpt._latest_id(_TOTAL_TRACE) + amount - previous)
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
    return ckpt._latest(account)


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Stake of `account` at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockVotingStake: future lookup"
    return ckpt._upper_lookup(account, timepoint)[1]


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice Total stake at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockVotingStake: future lookup"
    return ckpt._upper_lookup_id(_TOTAL_TRACE, timepoint)[1]

