"""Governor lifecycle over the Timelock: every state transition, queue/execute/cancel rules, the
guardian, expiry, the code-hash pin, and Timelock-only parameters."""

import ape
import pytest
from eth_utils import keccak

from tests.fixtures.governance import (
    ACTIVE,
    AGAINST,
    CANCELED,
    DEFEATED,
    EXECUTED,
    EXPIRED,
    FOR,
    PENDING,
    QUEUED,
    SUCCEEDED,
    TIMELOCK_DELAY,
    WEI,
    Proposal,
    mine_past_deadline,
    mine_to_active,
    param_proposal,
    propose,
    warp,
)
from tests.fixtures.reverts import reverts_without_reason

GRACE_PERIOD = 14 * 86_400


@pytest.fixture
def succeeded(governor, voters, alice, bob, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == SUCCEEDED
    return p


@pytest.fixture
def queued(governor, succeeded, eve):
    governor.queue(*succeeded.args, sender=eve)
    return succeeded


def test_lifecycle__pending_active_succeeded_queued_executed(
    governor, timelock, voters, alice, bob, eve, chain
):
    p = propose(governor, param_proposal(governor, delay=7), alice)
    assert governor.state(p.id) == PENDING
    mine_to_active(chain, governor, p)
    chain.mine(1)
    assert governor.state(p.id) == ACTIVE
    governor.castVote(p.id, FOR, sender=alice)
    governor.castVote(p.id, AGAINST, sender=bob)
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == SUCCEEDED
    tx = governor.queue(*p.args, sender=eve)
    [log] = tx.decode_logs(governor.ProposalQueued)
    eta = chain.blocks[tx.block_number].timestamp + TIMELOCK_DELAY
    assert log.etaSeconds == eta == governor.proposalEta(p.id)
    assert governor.state(p.id) == QUEUED
    warp(chain, TIMELOCK_DELAY)
    tx = governor.execute(*p.args, sender=eve)
    assert [lg.proposalId for lg in tx.decode_logs(governor.ProposalExecuted)] == [p.id]
    [changed] = tx.decode_logs(governor.VotingDelaySet)
    assert (changed.oldVotingDelay, changed.newVotingDelay) == (2, 7)
    assert governor.votingDelay() == 7
    assert governor.state(p.id) == EXECUTED


def test_lifecycle__no_votes__defeated_and_cannot_queue(governor, voters, alice, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == DEFEATED
    with ape.reverts("Governor: proposal not successful"):
        governor.queue(*p.args, sender=alice)


def test_lifecycle__against_wins__defeated(governor, voters, alice, bob, carol, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, AGAINST, sender=alice)
    governor.castVote(p.id, FOR, sender=bob)
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == DEFEATED


def test_queue__before_deadline__reverts(governor, voters, alice, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    with ape.reverts("Governor: proposal not successful"):
        governor.queue(*p.args, sender=alice)


def test_queue__twice__reverts(governor, queued, alice):
    with ape.reverts("Governor: proposal not successful"):
        governor.queue(*queued.args, sender=alice)


def test_execute__before_delay__reverts(governor, queued, eve, chain):
    warp(chain, TIMELOCK_DELAY - 5)
    with ape.reverts("Governor: timelock delay not over"):
        governor.execute(*queued.args, sender=eve)
    assert governor.state(queued.id) == QUEUED


def test_execute__not_queued__reverts(governor, succeeded, eve):
    with ape.reverts("Governor: proposal not queued"):
        governor.execute(*succeeded.args, sender=eve)


def test_execute__twice__reverts(governor, queued, eve, chain):
    warp(chain, TIMELOCK_DELAY)
    governor.execute(*queued.args, sender=eve)
    with ape.reverts("Governor: proposal not queued"):
        governor.execute(*queued.args, sender=eve)


def test_execute__timelock_directly_by_anyone__refused(governor, timelock, queued, eve, chain):
    """Only the Governor executes: nobody can skip its code-hash check by calling the Timelock."""
    warp(chain, TIMELOCK_DELAY)
    salt = ((int(governor.address, 16) << 96) ^ int.from_bytes(queued.description_hash, "big")).to_bytes(
        32, "big"
    )
    with ape.reverts("access_control: account is missing role"):
        timelock.execute_batch(
            queued.targets, queued.values, queued.calldatas, b"\x00" * 32, salt, sender=eve
        )


def test_expired__queued_past_grace_period__cannot_execute(governor, queued, eve, chain):
    warp(chain, TIMELOCK_DELAY + GRACE_PERIOD)
    assert governor.state(queued.id) == EXPIRED
    with ape.reverts("Governor: proposal not queued"):
        governor.execute(*queued.args, sender=eve)


def test_execute__failing_call__reverts_whole_proposal(governor, voters, alice, eve, chain):
    p = propose(governor, param_proposal(governor, "out of bounds", delay=0), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    governor.queue(*p.args, sender=eve)
    warp(chain, TIMELOCK_DELAY)
    with ape.reverts("Governor: voting delay out of bounds"):
        governor.execute(*p.args, sender=eve)
    assert governor.state(p.id) == QUEUED


# --- cancel ---------------------------------------------------------------------------------------


def test_cancel__proposer_while_pending__canceled(governor, voters, alice):
    p = propose(governor, param_proposal(governor), alice)
    tx = governor.cancel(*p.args, sender=alice)
    assert [lg.proposalId for lg in tx.decode_logs(governor.ProposalCanceled)] == [p.id]
    assert governor.state(p.id) == CANCELED


def test_cancel__proposer_once_active__reverts(governor, voters, alice, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    with ape.reverts("Governor: proposal not pending"):
        governor.cancel(*p.args, sender=alice)


def test_cancel__stranger__reverts(governor, voters, alice, eve):
    p = propose(governor, param_proposal(governor), alice)
    with ape.reverts("Governor: caller cannot cancel"):
        governor.cancel(*p.args, sender=eve)


def test_cancel__guardian_while_active__canceled_and_votes_refused(governor, voters, alice, guardian, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.cancel(*p.args, sender=guardian)
    assert governor.state(p.id) == CANCELED
    with ape.reverts("Governor: vote not currently active"):
        governor.castVote(p.id, FOR, sender=alice)


def test_cancel__guardian_succeeded__cannot_queue(governor, succeeded, guardian):
    governor.cancel(*succeeded.args, sender=guardian)
    assert governor.state(succeeded.id) == CANCELED
    with ape.reverts("Governor: proposal not successful"):
        governor.queue(*succeeded.args, sender=guardian)


def test_cancel__guardian_queued__timelock_operation_cancelled(
    governor, timelock, queued, guardian, eve, chain
):
    op = governor.proposalEta(queued.id) and timelock.hash_operation_batch(
        queued.targets,
        queued.values,
        queued.calldatas,
        b"\x00" * 32,
        ((int(governor.address, 16) << 96) ^ int.from_bytes(queued.description_hash, "big")).to_bytes(
            32, "big"
        ),
    )
    assert timelock.is_operation_pending(op)
    tx = governor.cancel(*queued.args, sender=guardian)
    assert len(tx.decode_logs(timelock.Cancelled)) == 1
    assert not timelock.is_operation(op)
    assert governor.state(queued.id) == CANCELED
    warp(chain, TIMELOCK_DELAY)
    with ape.reverts("Governor: proposal not queued"):
        governor.execute(*queued.args, sender=eve)


def test_cancel__guardian_directly_in_timelock__refused(governor, timelock, queued, guardian):
    """The guardian holds no Timelock role: it cancels through the Governor, which applies its rules."""
    salt = ((int(governor.address, 16) << 96) ^ int.from_bytes(queued.description_hash, "big")).to_bytes(
        32, "big"
    )
    op = timelock.hash_operation_batch(queued.targets, queued.values, queued.calldatas, b"\x00" * 32, salt)
    with ape.reverts("access_control: account is missing role"):
        timelock.cancel(op, sender=guardian)
    assert governor.state(queued.id) == QUEUED


def test_cancel__guardian_after_execution__reverts(governor, queued, guardian, eve, chain):
    warp(chain, TIMELOCK_DELAY)
    governor.execute(*queued.args, sender=eve)
    with ape.reverts("Governor: proposal not cancellable"):
        governor.cancel(*queued.args, sender=guardian)


def test_cancel__twice__reverts(governor, voters, alice, guardian):
    p = propose(governor, param_proposal(governor), alice)
    governor.cancel(*p.args, sender=guardian)
    with ape.reverts("Governor: proposal not cancellable"):
        governor.cancel(*p.args, sender=guardian)


# --- code-hash pin (metamorphic proposal target) -----------------------------------------------


def _target_proposal(governor, target, description):
    # Any call to an arbitrary contract; what matters is the target's code hash.
    return Proposal([target], [0], [keccak(text="anything()")[:4]], description)


@pytest.mark.node  # overwrites a contract's code (set_code): a node RPC the in-process EVM lacks
def test_code_pin__target_code_replaced_before_queue__blocks(
    governor, project, deployer, voters, alice, eve, chain
):
    target = project.MockReputation.deploy(sender=deployer)
    p = propose(governor, _target_proposal(governor, target.address, "metamorphic"), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    chain.provider.set_code(target.address, chain.provider.get_code(governor.address))
    with ape.reverts("Governor: target code changed"):
        governor.queue(*p.args, sender=eve)


@pytest.mark.node  # overwrites a contract's code (set_code): a node RPC the in-process EVM lacks
def test_code_pin__target_code_replaced_after_queue__blocks_execute(
    governor, project, deployer, voters, alice, eve, chain
):
    target = project.MockReputation.deploy(sender=deployer)
    p = propose(governor, _target_proposal(governor, target.address, "metamorphic 2"), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    governor.queue(*p.args, sender=eve)
    chain.provider.set_code(target.address, chain.provider.get_code(governor.address))
    warp(chain, TIMELOCK_DELAY)
    with ape.reverts("Governor: target code changed"):
        governor.execute(*p.args, sender=eve)


@pytest.mark.node  # overwrites a contract's code (set_code): a node RPC the in-process EVM lacks
def test_code_pin__code_deployed_at_empty_target__blocks(governor, voters, alice, eve, chain):
    """A proposal aimed at an address with no code (a future CREATE2 deployment) cannot run new code."""
    empty = "0x000000000000000000000000000000000000dEaD"
    p = propose(governor, _target_proposal(governor, empty, "create2 target"), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    chain.provider.set_code(empty, chain.provider.get_code(governor.address))
    with ape.reverts("Governor: target code changed"):
        governor.queue(*p.args, sender=eve)


# --- Timelock-only parameters -------------------------------------------------------------------

SETTERS = [
    ("setVotingDelay", 5),
    ("setVotingPeriod", 30),
    ("setProposalThreshold", 10 * WEI),
    ("setProposalReputationThreshold", 4_000),
    ("setMinVotingReputation", 2_000),
    ("updateQuorumNumerator", 2_000),
    ("setLateQuorumVoteExtension", 5),
    ("setGuardian", "0x000000000000000000000000000000000000bEEF"),
]


@pytest.mark.parametrize("setter, value", SETTERS)
@pytest.mark.parametrize("who", ["deployer", "alice", "guardian"])
def test_setters__anyone_but_timelock__reverts(governor, setter, value, who, request):
    caller = request.getfixturevalue(who)
    with ape.reverts("Governor: caller is not the timelock"):
        getattr(governor, setter)(value, sender=caller)


@pytest.mark.parametrize(
    "setter, value, event, old_field, new_field",
    [
        ("setVotingPeriod", 30, "VotingPeriodSet", "oldVotingPeriod", "newVotingPeriod"),
        (
            "setProposalThreshold",
            10 * WEI,
            "ProposalThresholdSet",
            "oldProposalThreshold",
            "newProposalThreshold",
        ),
        (
            "setProposalReputationThreshold",
            4_000,
            "ProposalReputationThresholdSet",
            "oldThreshold",
            "newThreshold",
        ),
        (
            "setMinVotingReputation",
            2_000,
            "MinVotingReputationSet",
            "oldMinVotingReputation",
            "newMinVotingReputation",
        ),
        (
            "updateQuorumNumerator",
            2_000,
            "QuorumNumeratorUpdated",
            "oldQuorumNumerator",
            "newQuorumNumerator",
        ),
        (
            "setLateQuorumVoteExtension",
            5,
            "LateQuorumVoteExtensionSet",
            "oldVoteExtension",
            "newVoteExtension",
        ),
    ],
)
def test_setters__from_timelock__change_and_emit(
    governor, timelock, setter, value, event, old_field, new_field, accounts
):
    tl = accounts[timelock.address]  # impersonated for this unit test; the e2e tests go through proposals
    accounts[0].transfer(tl, 10**18)
    tx = getattr(governor, setter)(value, sender=tl)
    [log] = tx.decode_logs(getattr(governor, event))
    assert getattr(log, new_field) == value and getattr(log, old_field) != value


@pytest.mark.parametrize(
    "setter, value, message",
    [
        ("setVotingDelay", 0, "Governor: voting delay out of bounds"),
        ("setVotingPeriod", 9, "Governor: voting period out of bounds"),
        ("setProposalThreshold", 0, "Governor: proposal threshold out of bounds"),
        ("setProposalReputationThreshold", 8_001, "Governor: proposal reputation out of bounds"),
        ("setMinVotingReputation", 5_001, "Governor: voting reputation out of bounds"),
        ("updateQuorumNumerator", 5_001, "Governor: quorum out of bounds"),
        ("setLateQuorumVoteExtension", 50_401, "Governor: late quorum extension out of bounds"),
    ],
)
def test_setters__from_timelock_out_of_bounds__reverts(governor, timelock, setter, value, message, accounts):
    tl = accounts[timelock.address]
    accounts[0].transfer(tl, 10**18)
    with ape.reverts(message):
        getattr(governor, setter)(value, sender=tl)


def test_timelock__roles_after_wiring__deployer_has_none(timelock, governor, guardian, deployer):
    roles = {
        name: getattr(timelock, name)()
        for name in ("DEFAULT_ADMIN_ROLE", "PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE")
    }
    for role in roles.values():
        assert not timelock.hasRole(role, deployer)
    assert timelock.hasRole(roles["DEFAULT_ADMIN_ROLE"], timelock)
    assert timelock.hasRole(roles["PROPOSER_ROLE"], governor)
    assert timelock.hasRole(roles["EXECUTOR_ROLE"], governor)
    assert timelock.hasRole(roles["CANCELLER_ROLE"], governor)
    assert not timelock.hasRole(roles["CANCELLER_ROLE"], guardian)
    assert not timelock.hasRole(roles["PROPOSER_ROLE"], guardian)
    assert not timelock.hasRole(roles["EXECUTOR_ROLE"], guardian)


@pytest.mark.parametrize("who", ["deployer", "guardian", "alice"])
def test_timelock__admin_functions__refuse_everyone(timelock, who, request):
    caller = request.getfixturevalue(who)
    with ape.reverts("Timelock: caller must be timelock"):
        timelock.update_delay(120, sender=caller)
    with ape.reverts("access_control: account is missing role"):
        timelock.grantRole(timelock.PROPOSER_ROLE(), caller, sender=caller)
    with ape.reverts("access_control: account is missing role"):
        timelock.schedule(caller, 0, b"", b"\x00" * 32, b"\x00" * 32, TIMELOCK_DELAY, sender=caller)


@pytest.mark.parametrize("delay", [59, 30 * 86_400 + 1])
def test_timelock__delay_out_of_bounds__reverts(create_timelock, delay):
    with ape.reverts("Timelock: delay out of bounds"):
        create_timelock(delay)


def test_timelock__update_delay_through_itself_bounded(timelock, accounts):
    tl = accounts[timelock.address]
    accounts[0].transfer(tl, 10**18)
    with ape.reverts("Timelock: delay out of bounds"):
        timelock.update_delay(59, sender=tl)
    tx = timelock.update_delay(120, sender=tl)
    [log] = tx.decode_logs(timelock.MinimumDelayChange)
    assert (log.old_duration, log.new_duration) == (TIMELOCK_DELAY, 120)
    assert timelock.get_minimum_delay() == 120


def test_timelock__batch_hash_matches_snekmate_encoding(timelock):
    from eth_abi import encode

    args = (["0x000000000000000000000000000000000000bEEF"], [7], [b"\x12\x34"], b"\x01" * 32, b"\x02" * 32)
    expected = keccak(encode(["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"], list(args)))
    assert timelock.hash_operation_batch(*args) == expected


def test_timelock__batch_above_bound__refused(timelock, governor, accounts, chain):
    gov = accounts[governor.address]  # impersonated: the Governor holds the proposer role
    chain.set_balance(governor.address, 10**18)
    with reverts_without_reason():  # snekmate's batch bound, while decoding
        timelock.schedule_batch(
            [governor.address] * 11,
            [0] * 11,
            [b""] * 11,
            b"\x00" * 32,
            b"\x00" * 32,
            TIMELOCK_DELAY,
            sender=gov,
        )
