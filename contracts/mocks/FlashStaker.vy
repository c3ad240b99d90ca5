# pragma version 0.4.3
"""
@title TEST DOUBLE: a flash-stake attacker (Beanstalk-style)
@custom:contract-name FlashStaker
@license MIT
@notice FOR TESTS ONLY. Holds AGENT (as if borrowed by a flash loan) and, in
        ONE transaction, stakes it and then proposes or votes, optionally
        queueing the stake for unbonding before the transaction ends. Proves
        that stake existing only inside a block gives the Governor nothing.
"""

from ethereum.ercs import IERC20


interface IStaking:
    def stake(amount: uint256): nonpayable
    def requestUnstake(amount: uint256): nonpayable


interface IGovernor:
    def propose(targets: DynArray[address, 10], values: DynArray[uint256, 10], calldatas: DynArray[Bytes[1_024], 10], description: String[2_048]) -> uint256: nonpayable
    def castVote(proposalId: uint256, support: uint8) -> uint256: nonpayable


token: public(immutable(IERC20))
staking: public(immutable(IStaking))
governor: public(immutable(IGovernor))


@deploy
def __init__(token_: IERC20, staking_: IStaking, governor_: IGovernor):
    """
    @param token_ AGENT. @param staking_ Staking. @param governor_ Governor.
    """
    token = token_
    staking = staking_
    governor = governor_


@external
def stakeAndPropose(amount: uint256, target: address, calldata: Bytes[1_024], description: String[2_048]) -> uint256:
    """
    @notice Stakes `amount` and proposes in the same transaction.
    """
    extcall token.approve(staking.address, amount)
    extcall staking.stake(amount)
    return extcall governor.propose([target], [0], [calldata], description)


@external
def stakeAndVote(amount: uint256, proposal_id: uint256, support: uint8) -> uint256:
    """
    @notice Stakes `amount` and votes in the same transaction.
    """
    extcall token.approve(staking.address, amount)
    extcall staking.stake(amount)
    return extcall governor.castVote(proposal_id, support)


@external
def flashStake(amount: uint256):
    """
    @notice Stakes `amount` and queues it for unbonding in the same transaction
            (the most a flash loan could do: the tokens cannot leave in-block).
    """
    extcall token.approve(staking.address, amount)
    extcall staking.stake(amount)
    extcall staking.requestUnstake(amount)
