# pragma version 0.4.3
"""
@title TEST DOUBLE: reputation with directly settable checkpoints
@custom:contract-name MockReputation
@license MIT
@notice FOR TESTS ONLY. Never deploy outside tests. Implements
        IReputationSource (what the Governor reads from Reputation):
        `setReputation` writes an account's score at the current block, so
        Governor unit tests control the voting gate block by block.
        History: contracts/modules/checkpoints.vy, as in Reputation.
"""

from ..interfaces import IReputationSource
implements: IReputationSource

from ..modules import checkpoints as ckpt
initializes: ckpt


MAX_SCORE: constant(uint256) = 10_000


event ReputationSet:
    account: indexed(address)
    score: uint256


@deploy
def __init__():
    """
    @dev Nothing to initialise but the checkpoints module.
    """
    ckpt.__init__()


@external
def setReputation(account: address, score: uint256):
    """
    @notice TEST ONLY: sets `account`'s score from the current block on.
    @param account Any account.
    @param score In [0, 10_000].
    """
    assert score <= MAX_SCORE, "MockReputation: score out of bounds"
    ckpt._push(account, block.number, score)
    log ReputationSet(account=account, score=score)


@external
@view
def reputationOf(account: address) -> uint256:
    """
    @notice The current score of `account`.
    """
    return ckpt._latest(account)


@external
@view
def getPastReputation(account: address, timepoint: uint256) -> uint256:
    """
    @notice The score of `account` at the end of block `timepoint` (a past block).
    """
    assert timepoint < block.number, "MockReputation: future lookup"
    return ckpt._upper_lookup(account, timepoint)[1]
