# pragma version 0.4.3
"""
@title TEST DOUBLE: reputation with directly settable checkpoints
@custom:contract-name MockReputation
@license MIT
@notice FOR TESTS ONLY. Never deploy outside tests. Implements
        IReputationSource (what the Governor reads from Reputation):
        `setReputation` writes an account's score at the current block, so
        Governor unit tests control the voting gate block by block.
"""

from ..interfaces import IReputationSource
implements: IReputationSource


MAX_CHECKPOINTS: constant(uint256) = 64
MAX_SCORE: constant(uint256) = 10_000


struct Checkpoint:
    key: uint256
    value: uint256


_checkpoints: HashMap[address, DynArray[Checkpoint, MAX_CHECKPOINTS]]


event ReputationSet:
    account: indexed(address)
    score: uint256


@deploy
def __init__():
    """
    @dev Nothing to initialise.
    """
    pass


@external
def setReputation(account: address, score: uint256):
    """
    @notice TEST ONLY: sets `account`'s score from the current block on.
    @param account Any account.
    @param score In [0, 10_000].
    """
    assert score <= MAX_SCORE, "MockReputation: score out of bounds"
    n: uint256 = len(self._checkpoints[account])
    if n > 0 and self._checkpoints[account][n - 1].key == block.number:
        self._checkpoints[account][n - 1].value = score
    else:
        self._checkpoints[account].append(Checkpoint(key=block.number, value=score))
    log ReputationSet(account=account, score=score)


@external
@view
def reputationOf(account: address) -> uint256:
    """
    @notice The current score of `account`.
    """
    n: uint256 = len(self._checkpoints[account])
    if n == 0:
        return 0
    return self._checkpoints[account][n - 1].value


@external
@view
def getPastReputation(account: address, timepoint: uint256) -> uint256:
    """
    @notice The score of `account` at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockReputation: future lookup"
    result: uint256 = 0
    for c: Checkpoint in self._checkpoints[account]:
        if c.key > timepoint:
            break
        result = c.value
    return result
