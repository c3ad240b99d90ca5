"""Governance attacks against the real deployment (Staking, Reputation, Governor, Timelock).

- Beanstalk (flash-loan votes): stake made in the voting or proposing transaction, stake added in
  the snapshot block and queued out again, stake or tokens acquired after the snapshot -> no votes.
- Below-gate accounts cannot vote or propose; double votes and signature replays are refused.
- Tornado Cash (metamorphic proposal): a target whose code changed cannot be executed.
- Timelock: nothing executes before the delay, and only through the Governor.
"""

import ape
import pytest
from eth_utils import keccak, to_checksum_address

from agents.chain.protocol import VoteSupport
from tests.fixtures.governance import (
    FOR,
    WEI,
    Proposal,
    ballot_signature,
    mine_past_deadline,
    mine_to_active,
    propose,
    warp,
)

WHALE = 90_000 * WEI  # far more than all founders' stake together (15,000)


@pytest.fixture
def g(full):
    return full["Governor"]


@pytest.fixture
def fee_proposal(full):
    escrow = full["ServiceEscrow"]
    return lambda text="fee to 2%": Proposal(
        [escrow.address], [0], [bytes(escrow.setParameter.encode_input("feeBps", 200))], text
    )


@pytest.fixture
def attacker(project, full, accounts, deployer):
    """A contract holding WHALE AGENT and a reputation good enough to propose and vote (the attacker
    bought reputation honestly; the point is that borrowed stake must not count)."""
    eve = accounts[5]
    c = project.FlashStaker.deploy(full["AgentToken"], full["Staking"], full["Governor"], sender=eve)
    full["AgentToken"].transfer(c, WHALE, sender=eve)
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    full["Reputation"].seedReputation(c.address, 8_000, sender=tl)  # the Timelock owns seeding
    return c


@pytest.fixture
def active(g, full, founders, fee_proposal, chain):
    p = propose(g, fee_proposal(), founders[0])
    mine_to_active(chain, g, p)
    return p


def test_flash_stake_and_propose_in_one_tx__refused(full, attacker, fee_proposal):
    p = fee_proposal()
    with ape.reverts("Governor: proposer stake below threshold"):
        attacker.stakeAndPropose(
            WHALE, p.targets[0], p.calldatas[0], p.description, sender=ape.accounts.test_accounts[5]
        )


def test_flash_stake_and_vote_in_one_tx__no_votes(g, full, attacker, founders, fee_proposal, chain):
    p = propose(g, fee_proposal(), founders[0])  # the attacker's reputation predates the snapshot
    mine_to_active(chain, g, p)
    with ape.reverts("Governor: no voting power at snapshot"):
        attacker.stakeAndVote(WHALE, p.id, FOR, sender=ape.accounts.test_accounts[5])
    assert full["Reputation"].getPastReputation(attacker, p.snapshot) >= g.minVotingReputation()  # eligible


def test_stake_in_snapshot_block_queued_out_in_same_block__no_votes(
    g, full, attacker, founders, fee_proposal, chain
):
    """Stake and unstake inside the snapshot block (a flash loan's best case) leaves nothing at its end."""
    p = propose(g, fee_proposal(), founders[0])
    chain.mine(p.snapshot - chain.blocks.height - 1)  # the next tx lands in the snapshot block
    tx = attacker.flashStake(WHALE, sender=ape.accounts.test_accounts[5])
    assert tx.block_number == p.snapshot
    assert full["Staking"].queuedOf(attacker) == WHALE
    mine_to_active(chain, g, p)
    chain.mine(1)
    assert full["Staking"].getPastVotes(attacker, p.snapshot) == 0
    assert g.getVotes(attacker, p.snapshot) == 0


def test_stake_after_snapshot__no_votes_and_no_quorum_effect(g, full, founders, accounts, active, chain):
    eve = accounts[5]
    full["AgentToken"].approve(full["Staking"], WHALE, sender=eve)
    full["Staking"].stake(WHALE, sender=eve)
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    full["Reputation"].seedReputation(eve, 8_000, sender=tl)
    with ape.reverts("Governor: reputation below voting gate"):
        g.castVote(active.id, FOR, sender=eve)  # no reputation at the snapshot either
    chain.mine(1)
    assert g.proposalQuorum(active.id) == full["Staking"].getPastTotalSupply(active.snapshot) * 1000 // 10_000
    assert full["Staking"].getPastTotalSupply(active.snapshot) == 15_000 * WEI  # founders only


def test_tokens_acquired_after_snapshot__founder_weight_unchanged(g, full, founders, accounts, active):
    f = founders[1]
    full["AgentToken"].transfer(f, 50_000 * WEI, sender=accounts[5])
    full["AgentToken"].approve(full["Staking"], 50_000 * WEI, sender=f)
    full["Staking"].stake(50_000 * WEI, sender=f)
    assert g.castVote(active.id, FOR, sender=f).return_value == 5_000 * WEI


def test_below_gate__cannot_vote_or_propose(g, full, founders, accounts, fee_proposal, active):
    bob = accounts[2]  # funded, staked, but no reputation
    full["AgentToken"].approve(full["Staking"], 5_000 * WEI, sender=bob)
    full["Staking"].stake(5_000 * WEI, sender=bob)
    with ape.reverts("Staking: reputation below voting gate"):
        full["Staking"].activateVoting(bob, sender=bob)  # its stake never votes nor counts in the quorum
    p = fee_proposal("bob's proposal")
    with ape.reverts("Governor: proposer stake below threshold"):
        g.propose(p.targets, p.values, p.calldatas, p.description, sender=bob)
    with ape.reverts("Governor: reputation below voting gate"):
        g.castVote(active.id, FOR, sender=bob)


def test_double_vote_and_signature_replay__refused(g, founders, accounts, active, chain):
    f = founders[1]
    sig = ballot_signature(g, f.private_key, f.address, active.id, FOR, g.nonces(f), chain.chain_id)
    g.castVoteBySig(active.id, FOR, f, sig, sender=accounts[5])
    with ape.reverts("Governor: invalid signature"):
        g.castVoteBySig(active.id, FOR, f, sig, sender=accounts[5])
    with ape.reverts("Governor: already voted"):
        g.castVote(active.id, FOR, sender=f)
    assert g.proposalVotes(active.id) == (0, 5_000 * WEI, 0)


@pytest.mark.node  # overwrites a contract's code (set_code): a node RPC the in-process EVM lacks
def test_metamorphic_target__code_swapped_after_vote__execution_blocked(
    g, full, project, founders, accounts, chain
):
    """Tornado Cash: the voters approved one code; the attacker swaps it before execution."""
    tl = full["Timelock"]
    harmless = project.MockReputation.deploy(sender=accounts[5])
    p = Proposal([harmless.address], [0], [keccak(text="anything()")[:4]], "harmless looking")
    propose(g, p, founders[0])
    mine_to_active(chain, g, p)
    for f in founders:
        g.castVote(p.id, FOR, sender=f)
    mine_past_deadline(chain, g, p)
    g.queue(*p.args, sender=founders[0])
    # The attacker replaces the target's code (here with a contract that would drain the treasury).
    chain.provider.set_code(harmless.address, chain.provider.get_code(full["AgentToken"].address))
    warp(chain, tl.get_minimum_delay())
    with ape.reverts("Governor: target code changed"):
        g.execute(*p.args, sender=founders[0])


def test_execute_before_delay_and_timelock_bypass__refused(g, full, founders, fee_proposal, accounts, chain):
    p = propose(g, fee_proposal(), founders[0])
    mine_to_active(chain, g, p)
    g.castVote(p.id, FOR, sender=founders[0])
    mine_past_deadline(chain, g, p)
    g.queue(*p.args, sender=founders[0])
    with ape.reverts("Governor: timelock delay not over"):
        g.execute(*p.args, sender=founders[0])
    warp(chain, full["Timelock"].get_minimum_delay())
    salt = ((int(g.address, 16) << 96) ^ int.from_bytes(p.description_hash, "big")).to_bytes(32, "big")
    with ape.reverts("access_control: account is missing role"):
        full["Timelock"].execute_batch(
            p.targets, p.values, p.calldatas, b"\x00" * 32, salt, sender=founders[0]
        )
    g.execute(*p.args, sender=founders[0])
    assert full["ServiceEscrow"].feeBps() == 200


# --- issue 10: attacks found in review (each reproduced against the old code first) -------------

ZERO = "0x0000000000000000000000000000000000000000"
CANCELLER_ROLE = keccak(text="CANCELLER_ROLE")
AGAINST = VoteSupport.AGAINST


def _vote_all_and_queue(g, chain, p, founders, support=FOR):
    for f in founders:
        g.castVote(p.id, support, sender=f)
    mine_past_deadline(chain, g, p)
    return g.queue(*p.args, sender=founders[0])


def _timelock_salt(g, p):
    return ((int(g.address, 16) << 96) ^ int.from_bytes(p.description_hash, "big")).to_bytes(32, "big")


def test_guardian_cancels_its_own_removal__refused_and_removal_executes(g, full, founders, chain):
    """Finding 3: the guardian cancelled a passed, queued proposal that removed it (setGuardian(0) plus
    revoking its Timelock canceller role). Now neither the Governor nor the Timelock lets it."""
    tl = full["Timelock"]
    guardian = founders[0]
    assert g.guardian() == guardian.address
    p = Proposal(
        [g.address, tl.address],
        [0, 0],
        [
            bytes(g.setGuardian.encode_input(ZERO)),
            bytes(tl.revokeRole.encode_input(CANCELLER_ROLE, guardian.address)),
        ],
        "remove the guardian",
    )
    propose(g, p, founders[1])
    mine_to_active(chain, g, p)
    _vote_all_and_queue(g, chain, p, founders)
    with ape.reverts("Governor: guardian cannot cancel its removal"):
        g.cancel(*p.args, sender=guardian)
    op = tl.hash_operation_batch(p.targets, p.values, p.calldatas, b"\x00" * 32, _timelock_salt(g, p))
    with ape.reverts("access_control: account is missing role"):
        tl.cancel(op, sender=guardian)
    warp(chain, tl.get_minimum_delay())
    g.execute(*p.args, sender=founders[1])
    assert g.guardian() == ZERO
    assert g.state(p.id) == 7  # Executed


def test_parked_below_gate_stake_blocks_quorum__proposal_still_succeeds(
    g, full, founders, accounts, chain, fee_proposal
):
    """Finding 4: two zero-reputation accounts staked 160,000 AGENT; quorum rose above every eligible voter's
    stake and a proposal all founders voted For was Defeated. Stake that may not vote no longer counts."""
    staking, token = full["Staking"], full["AgentToken"]
    for who in (accounts[2], accounts[3]):
        token.approve(staking, 80_000 * WEI, sender=who)
        staking.stake(80_000 * WEI, sender=who)
    chain.mine(1)
    p = propose(g, fee_proposal(), founders[0])
    mine_to_active(chain, g, p)
    for f in founders:
        g.castVote(p.id, FOR, sender=f)
    mine_past_deadline(chain, g, p)
    assert staking.totalBonded() >= 175_000 * WEI
    assert g.proposalQuorum(p.id) == 15_000 * WEI * 1_000 // 10_000  # a share of the stake that may vote
    assert g.state(p.id) == 4  # Succeeded


def test_front_run_copy_of_proposal__refused_and_original_proposable(g, full, founders, fee_proposal, chain):
    """Finding 5: a copy of a pending proposal submitted first (and cancelled while Pending) blocked the
    original forever. With OpenZeppelin's `#proposer=0x...` suffix only the named proposer may submit it."""
    alice, mallory = founders[0], founders[1]
    p = fee_proposal(f"fee to 2%#proposer={alice.address}")
    with ape.reverts("Governor: proposer restricted by description"):
        g.propose(p.targets, p.values, p.calldatas, p.description, sender=mallory)
    propose(g, p, alice)
    assert g.proposalProposer(p.id) == alice.address
    assert g.state(p.id) == 0  # Pending


def test_vote_by_sig_as_zero_address__refused(g, full, active, accounts):
    """Finding 6: `castVoteBySig` accepted voter 0 (snekmate's recovery returns 0 for a signature that is
    not 64 or 65 bytes long)."""
    for bad in (b"", b"\x01" * 63):
        with ape.reverts("Governor: voter is zero"):
            g.castVoteBySig(active.id, FOR, ZERO, bad, sender=accounts[5])
    assert g.proposalVotes(active.id) == (0, 0, 0)
    assert g.nonces(ZERO) == 0


def test_zero_address_vote_reads__never_the_total(g, full, active, chain):
    """Finding 6: Staking kept the total under address 0, so `getPastVotes(0x0, t)` returned all stake."""
    staking = full["Staking"]
    chain.mine(1)
    assert staking.getPastTotalSupply(active.snapshot) == 15_000 * WEI
    assert staking.getPastVotes(ZERO, active.snapshot) == 0
    assert staking.getVotes(ZERO) == 0
    assert staking.numCheckpoints(ZERO) == 0
    assert g.getVotes(ZERO, active.snapshot) == 0


def test_dust_sent_to_empty_target__queue_and_execute_proceed(g, full, founders, accounts, chain):
    """Finding 9: 1 wei sent to a target that had no account at propose turned its code hash from 0 into
    keccak(empty), and `queue` reverted "target code changed" forever. Both mean "no code" now."""
    target = to_checksum_address("0x" + "ab" * 20)
    p = propose(g, Proposal([target], [0], [b""], "ping an empty account"), founders[0])
    accounts[5].transfer(target, 1)  # the attacker's dust
    mine_to_active(chain, g, p)
    _vote_all_and_queue(g, chain, p, founders)
    warp(chain, full["Timelock"].get_minimum_delay())
    g.execute(*p.args, sender=founders[0])
    assert g.state(p.id) == 7  # Executed


@pytest.mark.node  # overwrites a contract's code (set_code): a node RPC the in-process EVM lacks
def test_dust_then_code_at_empty_target__still_blocked(g, full, founders, accounts, chain):
    """The dust fix does not open the metamorphic hole: code deployed at an empty target is still refused."""
    target = to_checksum_address("0x" + "cd" * 20)
    p = propose(g, Proposal([target], [0], [b""], "ping another empty account"), founders[0])
    mine_to_active(chain, g, p)
    for f in founders:
        g.castVote(p.id, FOR, sender=f)
    mine_past_deadline(chain, g, p)
    chain.provider.set_code(target, chain.provider.get_code(full["AgentToken"].address))
    with ape.reverts("Governor: target code changed"):
        g.queue(*p.args, sender=founders[0])


def test_stake_queued_after_snapshot__does_not_vote(g, full, founders, active, chain):
    """Finding 11: a voter queued all its stake right after the snapshot, voted with all of it and withdrew
    before execution. A vote now weighs min(stake at the snapshot, stake still bonded)."""
    staking = full["Staking"]
    leaver, halver = founders[1], founders[2]
    staking.requestUnstake(5_000 * WEI, sender=leaver)
    staking.requestUnstake(2_000 * WEI, sender=halver)
    with ape.reverts("Governor: voting stake left since the snapshot"):
        g.castVote(active.id, FOR, sender=leaver)
    assert g.castVote(active.id, FOR, sender=halver).return_value == 3_000 * WEI
    assert g.proposalVotes(active.id) == (0, 3_000 * WEI, 0)


def test_against_in_deadline_block_after_early_quorum__not_extended(g, full, founders, fee_proposal, chain):
    """Finding 11 (words): the late-quorum extension follows OpenZeppelin: it is armed by the vote that first
    reaches quorum, so once quorum was reached early, votes in the deadline block (For or Against) decide
    without an extension. docs/governance.md says so instead of promising more."""
    p = propose(g, fee_proposal(), founders[0])
    mine_to_active(chain, g, p)
    g.castVote(p.id, FOR, sender=founders[0])  # 5,000 >= quorum 1,500: quorum reached early
    deadline = g.proposalDeadline(p.id)
    chain.mine(deadline - chain.blocks.height - 1)  # the next tx lands in the deadline block
    tx = g.castVote(p.id, AGAINST, sender=founders[1])
    assert tx.block_number == deadline
    assert not list(tx.decode_logs(g.ProposalExtended))
    assert g.proposalDeadline(p.id) == deadline
    chain.mine(1)
    assert g.state(p.id) == 3  # Defeated: For 5,000 is not more than Against 5,000
