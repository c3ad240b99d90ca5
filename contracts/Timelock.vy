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
        code-hash check); CANCELLER_ROLE = the Governor alone (the guardian
        cancels through `Governor.cancel`, which refuses to cancel the
        guardian's own removal; a Timelock role would bypass that);
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
# below by a bounded version, and the three batch functions, re-declared below
# with at most MAX_BATCH (10) calls instead of the module's 255: the module's
# bound makes every batch allocate ~270 KB of memory (about 1.5 M gas for a
# one-call batch); with 10 the same call costs about 100 k gas. The batch
# functions use the module's own internals (`_schedule`, `_before_call`,
# `_execute`, `_after_call`) and events, and hash exactly as the module does
# (the ABI encoding does not depend on the bound). `access_control.supportsInterface` is left out
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
    timelock_controller.schedule,
    timelock_controller.cancel,
    timelock_controller.execute,
    timelock_controller.onERC721Received,
    timelock_controller.onERC1155Received,
    timelock_controller.onERC1155BatchReceived,
)


# @dev Most calls in one batch (the Governor's MAX_ACTIONS).
MAX_BATCH: public(constant(uint256)) = 10

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


# ---------------------------------------------------------------- delay


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


# ---------------------------------------------------------------- batches (at most MAX_BATCH calls)


@external
@pure
def hash_operation_batch(
    targets: DynArray[address, MAX_BATCH],
    amounts: DynArray[uint256, MAX_BATCH],
    payloads: DynArray[Bytes[1_024], MAX_BATCH],
    predecessor: bytes32,
    salt: bytes32,
) -> bytes32:
    """
    @dev Returns the identifier of a batch operation (as the module's).
    @param targets The target contracts.
    @param amounts Wei sent with each call.
    @param payloads ABI-encoded calldata.
    @param predecessor The operation that must be done first (or empty).
    @param salt The salt.
    @return bytes32 The operation identifier.
    """
    return self._hash_batch(targets, amounts, payloads, predecessor, salt)


@external
def schedule_batch(
    targets: DynArray[address, MAX_BATCH],
    amounts: DynArray[uint256, MAX_BATCH],
    payloads: DynArray[Bytes[1_024], MAX_BATCH],
    predecessor: bytes32,
    salt: bytes32,
    delay: uint256,
):
    """
    @dev Schedules a batch operation. Proposer role only. Emits one
         `CallScheduled` per call and `CallSalt` if the salt is non-zero.
    @param targets The target contracts.
    @param amounts Wei sent with each call.
    @param payloads ABI-encoded calldata.
    @param predecessor The operation that must be done first (or empty).
    @param salt The salt.
    @param delay Seconds; at least `get_minimum_delay`.
    """
    access_control._check_role(timelock_controller.PROPOSER_ROLE, msg.sender)
    assert len(targets) == len(amounts) and len(targets) == len(payloads), "Timelock: length mismatch"
    id: bytes32 = self._hash_batch(targets, amounts, payloads, predecessor, salt)
    timelock_controller._schedule(id, delay)
    idx: uint256 = 0
    for target: address in targets:
        log timelock_controller.CallScheduled(id=id, index=idx, target=target, amount=amounts[idx], payload=payloads[idx], predecessor=predecessor, delay=delay)
        idx += 1
    if salt != empty(bytes32):
        log timelock_controller.CallSalt(id=id, salt=salt)


@external
@payable
def execute_batch(
    targets: DynArray[address, MAX_BATCH],
    amounts: DynArray[uint256, MAX_BATCH],
    payloads: DynArray[Bytes[1_024], MAX_BATCH],
    predecessor: bytes32,
    salt: bytes32,
):
    """
    @dev Executes a ready batch operation. Executor role only (or open, if
         granted to the zero address; the Emergent deployment does not).
         Emits one `CallExecuted` per call.
    @param targets The target contracts.
    @param amounts Wei sent with each call.
    @param payloads ABI-encoded calldata.
    @param predecessor The operation that must be done first (or empty).
    @param salt The salt.
    """
    timelock_controller._only_role_or_open_role(timelock_controller.EXECUTOR_ROLE)
    assert len(targets) == len(amounts) and len(targets) == len(payloads), "Timelock: length mismatch"
    id: bytes32 = self._hash_batch(targets, amounts, payloads, predecessor, salt)
    timelock_controller._before_call(id, predecessor)
    idx: uint256 = 0
    for target: address in targets:
        timelock_controller._execute(target, amounts[idx], payloads[idx])
        log timelock_controller.CallExecuted(id=id, index=idx, target=target, amount=amounts[idx], payload=payloads[idx])
        idx += 1
    timelock_controller._after_call(id)


# ---------------------------------------------------------------- internal


@internal
@pure
def _hash_batch(
    targets: DynArray[address, MAX_BATCH],
    amounts: DynArray[uint256, MAX_BATCH],
    payloads: DynArray[Bytes[1_024], MAX_BATCH],
    predecessor: bytes32,
    salt: bytes32,
) -> bytes32:
    return keccak256(abi_encode(targets, amounts, payloads, predecessor, salt))
