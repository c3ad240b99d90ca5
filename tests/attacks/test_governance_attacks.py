"""Governance attacks against the real deployment (Staking, Reputation, Governor, Timelock).

- Beanstalk (flash-loan votes): stake made in the voting or proposing transaction, stake added in
  the snapshot block and queued out again, stake or tokens acquired after the snapshot -> no votes.
- Below-gate accounts cannot vote or propose; double votes and signature replays are refused.
- Tornado Cash (metamorphic proposal): a target whose code changed cannot be executed.
- Timelock: nothing executes before the delay, and only through the Governor.
"""

import ape
import pytest
from eth_utils import keccak

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
    return lambda text="fee to 2%": Proposal([escrow.address], [0],
                                             [bytes(escrow.setParameter.encode_input("feeBps", 200))], text)


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
        attacker.stakeAndPropose(WHALE, p.targets[0], p.calldatas[0], p.description, sender=ape.accounts.test_accounts[5])


def test_flash_stake_and_vote_in_one_tx__no_votes(g, full, attacker, founders, fee_proposal, chain):
    p = propose(g, fee_proposal(), founders[0])  # the attacker's reputation predates the snapshot
    mine_to_active(chain, g, p)
    with ape.reverts("Governor: no voting power at snapshot"):
        attacker.stakeAndVote(WHALE, p.id, FOR, sender=ape.accounts.test_accounts[5])
    assert full["Reputation"].getPastReputation(attacker, p.snapshot) >= g.minVotingReputation()  # eligible


def test_stake_in_snapshot_block_queued_out_in_same_block__no_votes(g, full, attacker, founders, fee_proposal,
                                                                    chain):
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
    p = fee_proposal("bob's proposal")
    with ape.reverts("Governor: proposer reputation below threshold"):
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


def test_metamorphic_target__code_swapped_after_vote__execution_blocked(g, full, project, founders, accounts,
                                                                        chain):
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
        full["Timelock"].execute_batch(p.targets, p.values, p.calldatas, b"\x00" * 32, salt, sender=founders[0])
    g.execute(*p.args, sender=founders[0])
    assert full["ServiceEscrow"].feeBps() == 200
