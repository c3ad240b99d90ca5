"""Governor voting: gate, weights at the snapshot, tallies, quorum boundary, late quorum, signatures."""

import ape
import pytest

from tests.fixtures.governance import (
    ABSTAIN,
    ACTIVE,
    AGAINST,
    DEFEATED,
    FOR,
    LATE_QUORUM_EXTENSION,
    SUCCEEDED,
    WEI,
    ballot_signature,
    mine_past_deadline,
    mine_to_active,
    param_proposal,
    propose,
)


@pytest.fixture
def active(governor, voters, alice, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    return p


def test_vote__before_snapshot__reverts(governor, voters, alice, bob):
    p = propose(governor, param_proposal(governor), alice)
    with ape.reverts("Governor: vote not currently active"):
        governor.castVote(p.id, FOR, sender=bob)


def test_vote__counts_stake_at_snapshot_and_emits_vote_cast(governor, active, bob):
    tx = governor.castVoteWithReason(active.id, AGAINST, "too soon", sender=bob)
    assert tx.return_value == 500 * WEI
    [log] = tx.decode_logs(governor.VoteCast)
    assert (log.voter, log.proposalId, log.support, log.weight, log.reason) == (
        bob,
        active.id,
        AGAINST,
        500 * WEI,
        "too soon",
    )
    assert governor.proposalVotes(active.id) == (500 * WEI, 0, 0)
    assert governor.hasVoted(active.id, bob)


def test_vote__three_kinds_tallied_separately(governor, active, alice, bob, carol):
    governor.castVote(active.id, FOR, sender=alice)
    governor.castVote(active.id, AGAINST, sender=bob)
    governor.castVote(active.id, ABSTAIN, sender=carol)
    assert governor.proposalVotes(active.id) == (500 * WEI, 1000 * WEI, 300 * WEI)


def test_vote__twice__reverts(governor, active, bob):
    governor.castVote(active.id, FOR, sender=bob)
    with ape.reverts("Governor: already voted"):
        governor.castVote(active.id, AGAINST, sender=bob)
    assert governor.proposalVotes(active.id) == (0, 500 * WEI, 0)


def test_vote__invalid_support__reverts(governor, active, bob):
    with ape.reverts("Governor: invalid vote type"):
        governor.castVote(active.id, 3, sender=bob)


def test_vote__below_reputation_gate__reverts(governor, active, dave):
    with ape.reverts("Governor: reputation below voting gate"):
        governor.castVote(active.id, FOR, sender=dave)


def test_vote__exactly_at_reputation_gate__counts(governor, gov_env, voters, alice, dave, deployer, chain):
    gov_env.reputation.setReputation(dave, 1_000, sender=deployer)
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    assert governor.castVote(p.id, FOR, sender=dave).return_value == 200 * WEI


def test_vote__reputation_raised_after_snapshot__still_refused(governor, gov_env, active, dave, deployer):
    gov_env.reputation.setReputation(dave, 9_000, sender=deployer)
    with ape.reverts("Governor: reputation below voting gate"):
        governor.castVote(active.id, FOR, sender=dave)


def test_vote__reputation_lost_after_snapshot__still_votes(governor, gov_env, active, bob, deployer):
    gov_env.reputation.setReputation(bob, 0, sender=deployer)
    assert governor.castVote(active.id, FOR, sender=bob).return_value == 500 * WEI


def test_vote__stake_added_after_snapshot__gives_no_votes(
    governor, gov_env, voters, alice, bob, eve, deployer, chain
):
    gov_env.reputation.setReputation(
        eve, 9_000, sender=deployer
    )  # eligible, but without stake at the snapshot
    active = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, active)
    gov_env.stake.setVotes(eve, 10**6 * WEI, sender=deployer)
    gov_env.stake.setVotes(bob, 10**6 * WEI, sender=deployer)
    with ape.reverts("Governor: no voting power at snapshot"):
        governor.castVote(active.id, FOR, sender=eve)
    assert governor.castVote(active.id, FOR, sender=bob).return_value == 500 * WEI


def test_vote__gate_raised_by_governance_after_propose__proposal_keeps_its_gate(governor, voters, alice):
    p = propose(governor, param_proposal(governor), alice)
    assert governor.proposalMinVotingReputation(p.id) == governor.minVotingReputation()


def test_vote__after_deadline__reverts(governor, active, bob, chain):
    mine_past_deadline(chain, governor, active)
    with ape.reverts("Governor: vote not currently active"):
        governor.castVote(active.id, FOR, sender=bob)


# --- quorum --------------------------------------------------------------------------------------


@pytest.fixture
def quorum_setup(gov_env, deployer, alice, accounts, chain):
    """Total stake 2000 AGENT -> quorum 200. x holds quorum - 1 wei, y holds 1 wei, alice the rest."""
    x, y = accounts[7], accounts[8]
    gov_env.stake.setVotes(alice, 2000 * WEI - 200 * WEI, sender=deployer)
    gov_env.reputation.setReputation(alice, 6_000, sender=deployer)
    gov_env.stake.setVotes(x, 200 * WEI - 1, sender=deployer)
    gov_env.stake.setVotes(y, 1, sender=deployer)
    for who in (x, y):
        gov_env.reputation.setReputation(who, 2_000, sender=deployer)
    chain.mine(1)
    p = propose(gov_env.governor, param_proposal(gov_env.governor), alice)
    mine_to_active(chain, gov_env.governor, p)
    return p, x, y


def test_quorum__one_wei_short__defeated(governor, quorum_setup, chain):
    p, x, _ = quorum_setup
    governor.castVote(p.id, FOR, sender=x)
    assert governor.proposalQuorum(p.id) == 200 * WEI
    mine_past_deadline(chain, governor, p)
    assert governor.proposalVotes(p.id) == (0, 200 * WEI - 1, 0)
    assert governor.state(p.id) == DEFEATED


def test_quorum__exactly_reached_with_abstain__succeeded(governor, quorum_setup, chain):
    p, x, y = quorum_setup
    governor.castVote(p.id, FOR, sender=x)
    governor.castVote(p.id, ABSTAIN, sender=y)
    assert governor.proposalQuorum(p.id) == 200 * WEI
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == SUCCEEDED


def test_quorum__reached_but_tie__defeated(governor, gov_env, voters, alice, bob, carol, deployer, chain):
    gov_env.stake.setVotes(carol, 1000 * WEI, sender=deployer)
    chain.mine(1)
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    governor.castVote(p.id, AGAINST, sender=carol)
    mine_past_deadline(chain, governor, p)
    assert governor.state(p.id) == DEFEATED


# --- late quorum ---------------------------------------------------------------------------------


def test_late_quorum__whale_vote_in_last_block__extends_deadline(governor, active, alice, bob, chain):
    deadline = governor.proposalDeadline(active.id)
    chain.mine(deadline - chain.blocks.height - 1)  # the next tx lands in the deadline block
    tx = governor.castVote(active.id, FOR, sender=alice)
    assert tx.block_number == deadline
    [log] = tx.decode_logs(governor.ProposalExtended)
    assert log.proposalId == active.id and log.extendedDeadline == deadline + LATE_QUORUM_EXTENSION
    assert governor.proposalDeadline(active.id) == deadline + LATE_QUORUM_EXTENSION
    chain.mine(2)
    assert governor.state(active.id) == ACTIVE
    governor.castVote(active.id, AGAINST, sender=bob)  # others can still respond
    mine_past_deadline(chain, governor, active)
    assert governor.state(active.id) == SUCCEEDED


def test_late_quorum__early_quorum__deadline_unchanged(governor, active, alice):
    deadline = governor.proposalDeadline(active.id)
    tx = governor.castVote(active.id, FOR, sender=alice)
    assert tx.decode_logs(governor.ProposalExtended) == []
    assert governor.proposalDeadline(active.id) == deadline


# --- castVoteBySig -------------------------------------------------------------------------------


def test_vote_by_sig__counts_for_signer_and_consumes_nonce(governor, active, bob, eve, chain):
    sig = ballot_signature(governor, bob.private_key, bob.address, active.id, FOR, 0, chain.chain_id)
    tx = governor.castVoteBySig(active.id, FOR, bob, sig, sender=eve)  # anyone can relay
    [log] = tx.decode_logs(governor.VoteCast)
    assert log.voter == bob and log.weight == 500 * WEI
    assert governor.nonces(bob) == 1
    assert governor.hasVoted(active.id, bob) and not governor.hasVoted(active.id, eve)


def test_vote_by_sig__replayed__reverts(governor, gov_env, voters, alice, bob, eve, chain):
    p1 = propose(governor, param_proposal(governor, "one"), alice)
    p2 = propose(governor, param_proposal(governor, "two"), alice)
    mine_to_active(chain, governor, p2)
    sig = ballot_signature(governor, bob.private_key, bob.address, p1.id, FOR, 0, chain.chain_id)
    governor.castVoteBySig(p1.id, FOR, bob, sig, sender=eve)
    with ape.reverts("Governor: invalid signature"):
        governor.castVoteBySig(p1.id, FOR, bob, sig, sender=eve)


def test_vote_by_sig__wrong_chain__reverts(governor, active, bob, eve, chain):
    sig = ballot_signature(governor, bob.private_key, bob.address, active.id, FOR, 0, chain.chain_id + 1)
    with ape.reverts("Governor: invalid signature"):
        governor.castVoteBySig(active.id, FOR, bob, sig, sender=eve)


def test_vote_by_sig__wrong_nonce__reverts(governor, active, bob, eve, chain):
    sig = ballot_signature(governor, bob.private_key, bob.address, active.id, FOR, 1, chain.chain_id)
    with ape.reverts("Governor: invalid signature"):
        governor.castVoteBySig(active.id, FOR, bob, sig, sender=eve)
    assert governor.nonces(bob) == 0


def test_vote_by_sig__support_changed_by_relayer__reverts(governor, active, bob, eve, chain):
    sig = ballot_signature(governor, bob.private_key, bob.address, active.id, FOR, 0, chain.chain_id)
    with ape.reverts("Governor: invalid signature"):
        governor.castVoteBySig(active.id, AGAINST, bob, sig, sender=eve)


def test_vote_by_sig__signed_by_someone_else__reverts(governor, active, bob, eve, chain):
    sig = ballot_signature(governor, eve.private_key, bob.address, active.id, FOR, 0, chain.chain_id)
    with ape.reverts("Governor: invalid signature"):
        governor.castVoteBySig(active.id, FOR, bob, sig, sender=eve)
