# pragma version 0.4.3
"""
@title Emergent Timelock
@custom:contract-name Timelock
@license MIT
@notice The DAO's executor and treasury: it owns every governed contract
        (AgentToken's minting, AgentRegistry, Staking, ServiceEscrow,
        Reputation, the Governor's parameters), holds the fees and slashed
        funds, and performs a passed proposal's calls only after
        `get_minimum_delay` seconds, which gives every agent time to react
        (unstake, dispute) before a decision takes effect.

        A thin wrapper around snekmate 0.1.2's `timelock_controller` (all of
        its functions are exported unchanged) with one change: the minimum
        delay is bounded by MIN_DELAY / MAX_DELAY in the constructor and in
        `update_delay`, like every other governed parameter.

        Roles in the Emergent deployment: PROPOSER_ROLE and EXECUTOR_ROLE =
        the Governor alone (so nothing executes without the Governor's
        code-hash check); CANCELLER_ROLE = the Governor and the guardian;
        DEFAULT_ADMIN_ROLE = this contract alone (the deployer's temporary
        admin role is renounced by the deploy script).
@custom:security Self-administered: roles and the delay change only through
        an operation that went through the delay.
"""

from snekmate.auth import access_control
initializes: access_control

from snekmate.governance import timelock_controller
initializes: timelock_controller[access_control := access_control]


# Everything of the timelock module except `update_delay`, which is replaced
# below by a bounded version. `access_control.supportsInterface` is left out
# in favour of the timelock's (which also announces ERC-1155 receiving).
exports: (
    timelock_controller.__default__,
    timelock_controller.DEFAULT_ADMIN_ROLE,
    timelock_controller.hasRole,
    timelock_controller.getRoleAdmin,
    timelock_controller.grantRole,
    timelock_controller.revokeRole,
    timelock_controller.renounceRole,
    timelock_controller.set_role_admin,
    timelock_controller.PROPOSER_ROLE,
    timelock_controller.EXECUTOR_ROLE,
    timelock_controller.CANCELLER_ROLE,
    timelock_controller.IERC721_TOKENRECEIVER_SELECTOR,
    timelock_controller.IERC1155_TOKENRECEIVER_SINGLE_SELECTOR,
    timelock_controller.IERC1155_TOKENRECEIVER_BATCH_SELECTOR,
    timelock_controller.get_timestamp,
    timelock_controller.get_minimum_delay,
    timelock_controller.supportsInterface,
    timelock_controller.is_operation,
    timelock_controller.is_operation_pending,
    timelock_controller.is_operation_ready,
    timelock_controller.is_operation_done,
    timelock_controller.get_operation_state,
    timelock_controller.hash_operation,
    timelock_controller.hash_operation_batch,
    timelock_controller.schedule,
    timelock_controller.schedule_batch,
    timelock_controller.cancel,
    timelock_controller.execute,
    timelock_controller.execute_batch,
    timelock_controller.onERC721Received,
    timelock_controller.onERC1155Received,
    timelock_controller.onERC1155BatchReceived,
)


# @dev Bounds of the minimum delay, seconds.
MIN_DELAY: public(constant(uint256)) = 60
MAX_DELAY: public(constant(uint256)) = 30 * 86_400


@deploy
@payable
def __init__(
    minimum_delay_: uint256,
    proposers_: DynArray[address, 255],
    executors_: DynArray[address, 255],
    admin_: address,
):
    """
    @dev As snekmate's `timelock_controller` (proposers also become
         cancellers; the contract administers itself; `admin_` is an
         optional temporary admin for the initial role set-up, to be
         renounced), plus the delay bounds.
    @param minimum_delay_ Seconds, within [MIN_DELAY, MAX_DELAY].
    @param proposers_ Accounts granted the proposer and canceller roles.
    @param executors_ Accounts granted the executor role.
    @param admin_ Optional temporary admin (zero: none).
    """
    assert minimum_delay_ >= MIN_DELAY and minimum_delay_ <= MAX_DELAY, "Timelock: delay out of bounds"
    access_control.__init__()
    timelock_controller.__init__(minimum_delay_, proposers_, executors_, admin_)


@external
def update_delay(new_delay: uint256):
    """
    @notice Changes the minimum delay for future operations. Only the
            Timelock itself (an executed operation) may call.
    @dev Emits `MinimumDelayChange`.
    @param new_delay Seconds, within [MIN_DELAY, MAX_DELAY].
    """
    assert msg.sender == self, "Timelock: caller must be timelock"
    assert new_delay >= MIN_DELAY and new_delay <= MAX_DELAY, "Timelock: delay out of bounds"
    log timelock_controller.MinimumDelayChange(old_duration=timelock_controller.get_minimum_delay, new_duration=new_delay)
    timelock_controller.get_minimum_delay = new_delay
