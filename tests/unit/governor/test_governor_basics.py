"""Governor: OpenZeppelin ABI surface, constructor bounds, proposing rules and ProposalCreated."""

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from tests.fixtures.governance import (
    LATE_QUORUM_EXTENSION,
    MIN_VOTING_REPUTATION,
    PENDING,
    PROPOSAL_REPUTATION,
    PROPOSAL_THRESHOLD,
    QUORUM_BPS,
    VOTING_DELAY,
    VOTING_PERIOD,
    WEI,
    ZERO,
    Proposal,
    param_proposal,
    propose,
)
from tests.fixtures.reverts import reverts_without_reason


def test_abi__openzeppelin_constants(governor, chain):
    assert governor.COUNTING_MODE() == "support=bravo&quorum=for,abstain"
    assert governor.CLOCK_MODE() == "mode=blocknumber&from=default"
    assert governor.clock() in (chain.blocks.height, chain.blocks.height + 1)
    assert governor.name() == "Emergent Governor"
    assert governor.version() == "1"
    assert governor.quorumDenominator() == 10_000
    assert governor.BALLOT_TYPEHASH() == keccak(
        text="Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)"
    )
    assert governor.proposalNeedsQueuing(0) is True


def test_abi__openzeppelin_selectors_present(governor):
    """The function signatures DAO tooling calls (OpenZeppelin Contracts 5.x IGovernor)."""
    abi = {
        f"{m.name}({','.join(i.canonical_type for i in m.inputs)})" for m in governor.contract_type.methods
    }
    expected = {
        "propose(address[],uint256[],bytes[],string)",
        "hashProposal(address[],uint256[],bytes[],bytes32)",
        "queue(address[],uint256[],bytes[],bytes32)",
        "execute(address[],uint256[],bytes[],bytes32)",
        "cancel(address[],uint256[],bytes[],bytes32)",
        "state(uint256)",
        "castVote(uint256,uint8)",
        "castVoteWithReason(uint256,uint8,string)",
        "castVoteBySig(uint256,uint8,address,bytes)",
        "hasVoted(uint256,address)",
        "proposalSnapshot(uint256)",
        "proposalDeadline(uint256)",
        "proposalProposer(uint256)",
        "proposalEta(uint256)",
        "proposalNeedsQueuing(uint256)",
        "proposalVotes(uint256)",
        "votingDelay()",
        "votingPeriod()",
        "quorum(uint256)",
        "getVotes(address,uint256)",
        "proposalThreshold()",
        "COUNTING_MODE()",
        "clock()",
        "CLOCK_MODE()",
        "nonces(address)",
        "name()",
        "version()",
        "eip712Domain()",
        "timelock()",
        "token()",
        "quorumNumerator()",
        "quorumDenominator()",
        "lateQuorumVoteExtension()",
        "setVotingDelay(uint48)",
        "setVotingPeriod(uint32)",
        "setProposalThreshold(uint256)",
        "updateQuorumNumerator(uint256)",
        "setLateQuorumVoteExtension(uint48)",
    }
    assert expected <= abi, expected - abi
    events = {e.name: [i.name for i in e.inputs] for e in governor.contract_type.events}
    assert events["ProposalCreated"] == [
        "proposalId",
        "proposer",
        "targets",
        "values",
        "signatures",
        "calldatas",
        "voteStart",
        "voteEnd",
        "description",
    ]
    assert events["VoteCast"] == ["voter", "proposalId", "support", "weight", "reason"]
    assert events["ProposalQueued"] == ["proposalId", "etaSeconds"]
    assert events["ProposalExecuted"] == ["proposalId"]
    assert events["ProposalCanceled"] == ["proposalId"]


def test_settings__match_constructor(gov_env):
    g = gov_env.governor
    assert g.votingDelay() == VOTING_DELAY
    assert g.votingPeriod() == VOTING_PERIOD
    assert g.proposalThreshold() == PROPOSAL_THRESHOLD
    assert g.proposalReputationThreshold() == PROPOSAL_REPUTATION
    assert g.minVotingReputation() == MIN_VOTING_REPUTATION
    assert g.quorumNumerator() == QUORUM_BPS
    assert g.lateQuorumVoteExtension() == LATE_QUORUM_EXTENSION
    assert g.guardian() == gov_env.guardian
    assert g.token() == gov_env.stake
    assert g.reputation() == gov_env.reputation
    assert g.timelock() == gov_env.timelock


def test_hash_proposal__matches_openzeppelin_encoding(governor):
    p = param_proposal(governor)
    expected = int.from_bytes(
        keccak(encode(["address[]", "uint256[]", "bytes[]", "bytes32"], list(p.args))), "big"
    )
    assert governor.hashProposal(*p.args) == expected


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("voting_delay", 0, "Governor: voting delay out of bounds"),
        ("voting_delay", 100_801, "Governor: voting delay out of bounds"),
        ("voting_period", 9, "Governor: voting period out of bounds"),
        ("voting_period", 201_601, "Governor: voting period out of bounds"),
        ("proposal_threshold", WEI - 1, "Governor: proposal threshold out of bounds"),
        ("proposal_threshold", 10_000_000 * WEI + 1, "Governor: proposal threshold out of bounds"),
        ("proposal_reputation", 0, "Governor: proposal reputation out of bounds"),
        ("proposal_reputation", 8_001, "Governor: proposal reputation out of bounds"),
        ("min_voting_reputation", 0, "Governor: voting reputation out of bounds"),
        ("min_voting_reputation", 5_001, "Governor: voting reputation out of bounds"),
        ("quorum_bps", 99, "Governor: quorum out of bounds"),
        ("quorum_bps", 5_001, "Governor: quorum out of bounds"),
        ("late_quorum_extension", 0, "Governor: late quorum extension out of bounds"),
        ("late_quorum_extension", 50_401, "Governor: late quorum extension out of bounds"),
    ],
)
def test_deploy__parameter_out_of_bounds__reverts(gov_env, create_governor, field, value, message):
    with ape.reverts(message):
        create_governor(gov_env.stake, gov_env.reputation, gov_env.timelock, **{field: value})


def test_deploy__zero_addresses__revert(gov_env, create_governor):
    with ape.reverts("Governor: timelock is zero"):
        create_governor(gov_env.stake, gov_env.reputation, ZERO)
    with ape.reverts("Governor: reputation is zero"):
        create_governor(gov_env.stake, ZERO, gov_env.timelock)


# --- propose -----------------------------------------------------------------------------------


def test_propose__records_snapshot_deadline_and_emits_proposal_created(governor, voters, alice, chain):
    p = param_proposal(governor)
    p = propose(governor, p, alice)
    tx = p.extra["tx"]
    assert p.snapshot == tx.block_number + VOTING_DELAY
    assert governor.proposalDeadline(p.id) == p.snapshot + VOTING_PERIOD
    assert governor.proposalProposer(p.id) == alice
    assert governor.state(p.id) == PENDING
    assert governor.proposalMinVotingReputation(p.id) == MIN_VOTING_REPUTATION
    [log] = tx.decode_logs(governor.ProposalCreated)
    assert log.proposalId == p.id and log.proposer == alice
    assert log.targets == p.targets and log.values == p.values and log.signatures == [""]
    assert [bytes(c) for c in log.calldatas] == p.calldatas
    assert log.voteStart == p.snapshot and log.voteEnd == p.snapshot + VOTING_PERIOD
    assert log.description == p.description


def test_propose__stake_below_threshold__reverts(governor, gov_env, voters, bob, deployer):
    gov_env.reputation.setReputation(bob, 9_000, sender=deployer)  # reputation is enough, stake (500) is...
    gov_env.stake.setVotes(bob, PROPOSAL_THRESHOLD - 1, sender=deployer)
    p = param_proposal(governor)
    with ape.reverts("Governor: proposer stake below threshold"):
        governor.propose(p.targets, p.values, p.calldatas, p.description, sender=bob)


def test_propose__reputation_below_threshold__reverts(governor, voters, bob):
    # bob: 500 AGENT staked (above the 100 threshold), reputation 3000 < 5000.
    p = param_proposal(governor)
    with ape.reverts("Governor: proposer reputation below threshold"):
        governor.propose(p.targets, p.values, p.calldatas, p.description, sender=bob)


def test_propose__exactly_at_both_floors__accepted(governor, gov_env, eve, deployer, chain):
    gov_env.stake.setVotes(eve, PROPOSAL_THRESHOLD, sender=deployer)
    gov_env.reputation.setReputation(eve, PROPOSAL_REPUTATION, sender=deployer)
    chain.mine(1)
    p = propose(governor, param_proposal(governor), eve)
    assert governor.proposalProposer(p.id) == eve


def test_propose__floor_read_at_previous_block__its_value_decides(governor, gov_env, eve, deployer):
    """clock() - 1: the values at the end of the block before the proposal decide."""
    gov_env.stake.setVotes(eve, PROPOSAL_THRESHOLD, sender=deployer)
    gov_env.reputation.setReputation(eve, PROPOSAL_REPUTATION, sender=deployer)
    # The reputation checkpoint was written one block before the propose tx -> counts; the stake too.
    p = param_proposal(governor)
    gov_env.stake.setVotes(eve, PROPOSAL_THRESHOLD - 1, sender=deployer)  # lowered in the previous block
    with ape.reverts("Governor: proposer stake below threshold"):
        governor.propose(p.targets, p.values, p.calldatas, p.description, sender=eve)


@pytest.mark.parametrize("shape", ["empty", "values", "calldatas"])
def test_propose__invalid_length__reverts(governor, voters, alice, shape):
    p = param_proposal(governor)
    targets, values, calldatas = p.targets, p.values, p.calldatas
    if shape == "empty":
        targets, values, calldatas = [], [], []
    elif shape == "values":
        values = [0, 0]
    else:
        calldatas = calldatas * 2
    with ape.reverts("Governor: invalid proposal length"):
        governor.propose(targets, values, calldatas, "x", sender=alice)


def test_propose__same_proposal_twice__reverts(governor, voters, alice):
    p = propose(governor, param_proposal(governor), alice)
    with ape.reverts("Governor: proposal already exists"):
        governor.propose(p.targets, p.values, p.calldatas, p.description, sender=alice)


def test_propose__more_than_max_actions__refused(governor, voters, alice):
    p = param_proposal(governor)
    with reverts_without_reason():  # the DynArray[.., MAX_ACTIONS] bound, while decoding
        governor.propose(p.targets * 11, p.values * 11, p.calldatas * 11, "too many", sender=alice)


def test_state__unknown_proposal__reverts(governor):
    with ape.reverts("Governor: unknown proposal"):
        governor.state(12345)


def test_get_votes__zero_below_gate_stake_above(governor, voters, alice, dave, chain):
    t = chain.blocks.height - 1
    assert governor.getVotes(alice, t) == 1000 * WEI
    assert governor.getVotes(dave, t) == 0  # reputation 500 < gate 1000


def test_description_with_max_actions__proposes(governor, voters, alice):
    p = Proposal(
        [governor.address] * 10, [0] * 10, [bytes(governor.setVotingDelay.encode_input(3))] * 10, "ten"
    )
    p = propose(governor, p, alice)
    assert governor.state(p.id) == PENDING
