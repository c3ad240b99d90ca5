"""Governor rules added for issue 10, on the test doubles: OpenZeppelin's `#proposer=` suffix (finding 5),
guardian-proof removal proposals (3), the zero voter (6), "no code" in the pin (9), votes capped at the
stake still bonded (11), and the packed storage (settings and tallies keep every value in its width)."""

import ape
import pytest
from eth_utils import keccak, to_checksum_address

from tests.fixtures.governance import (
    ABSTAIN,
    AGAINST,
    CANCELED,
    FOR,
    PENDING,
    WEI,
    ZERO,
    Proposal,
    mine_past_deadline,
    mine_to_active,
    param_proposal,
    propose,
)

CANCELLER_ROLE = keccak(text="CANCELLER_ROLE")
PROPOSER_ROLE = keccak(text="PROPOSER_ROLE")


def _with_suffix(governor, suffix: str) -> Proposal:
    return param_proposal(governor, "set voting delay to 5" + suffix)


# ---------------------------------------------------------------- finding 5: `#proposer=` (OpenZeppelin 5.x)


@pytest.mark.parametrize("case", ["checksum", "lower", "upper"])
def test_proposer_suffix__named_proposer_only__any_hex_case(governor, voters, alice, bob, case):
    hexpart = alice.address[2:]
    hexpart = {"checksum": hexpart, "lower": hexpart.lower(), "upper": hexpart.upper()}[case]
    p = _with_suffix(governor, f"#proposer=0x{hexpart}")
    with ape.reverts("Governor: proposer restricted by description"):
        governor.propose(p.targets, p.values, p.calldatas, p.description, sender=bob)
    propose(governor, p, alice)
    assert governor.proposalProposer(p.id) == alice.address


@pytest.fixture
def bob_with_floor(gov_env, deployer, chain):
    def _lift(bob):
        gov_env.stake.setVotes(bob, 1000 * WEI, sender=deployer)
        gov_env.reputation.setReputation(bob, 6_000, sender=deployer)
        chain.mine(1)
        return bob

    return _lift


@pytest.mark.parametrize(
    "suffix",
    [
        "#proposer=ab{addr40}",  # 42 characters without the 0x prefix: not an address
        "#proposer=0x{addr39}g",  # a non-hex digit
        "#proposer=0x{addr40}\n",  # trailing whitespace: the marker is not where OZ looks
        "#proposer=0X{addr40}",  # capital X is not the prefix
        "#proposer:0x{addr40}",  # another marker
        "#proposer=0x{addr38}",  # too short
    ],
)
def test_proposer_suffix__malformed__unrestricted_as_openzeppelin(
    governor, voters, alice, bob, bob_with_floor, suffix
):
    addr = alice.address[2:].lower()
    p = _with_suffix(governor, suffix.format(addr40=addr, addr39=addr[:39], addr38=addr[:38]))
    propose(governor, p, bob_with_floor(bob))  # not alice: the malformed suffix restricts nobody
    assert governor.proposalProposer(p.id) == bob.address


def test_proposer_suffix__short_description__unrestricted(governor, voters, alice):
    p = param_proposal(governor, "#proposer=0x")
    propose(governor, p, alice)
    assert governor.state(p.id) == PENDING


# ---------------------------------------------------------------- finding 3: guardian-proof removals


def _guardian_call(governor, who):
    return bytes(governor.setGuardian.encode_input(who))


def test_guardian_proof__only_set_guardian__guardian_cannot_cancel(governor, voters, alice, guardian):
    p = propose(
        governor, Proposal([governor.address], [0], [_guardian_call(governor, ZERO)], "no guardian"), alice
    )
    assert governor.proposalGuardianProof(p.id)
    with ape.reverts("Governor: guardian cannot cancel its removal"):
        governor.cancel(*p.args, sender=guardian)
    governor.cancel(*p.args, sender=alice)  # the proposer still may, while Pending (OpenZeppelin's rule)
    assert governor.state(p.id) == CANCELED


def test_guardian_proof__replacement_and_canceller_revocation__proof(
    governor, timelock, voters, alice, guardian, eve
):
    p = Proposal(
        [governor.address, timelock.address],
        [0, 0],
        [
            _guardian_call(governor, eve.address),
            bytes(timelock.revokeRole.encode_input(CANCELLER_ROLE, guardian.address)),
        ],
        "replace guardian",
    )
    propose(governor, p, alice)
    assert governor.proposalGuardianProof(p.id)


@pytest.mark.parametrize("variant", ["bundled", "value", "other_role", "other_target"])
def test_guardian_proof__anything_else_bundled__guardian_may_cancel(
    governor, timelock, voters, alice, guardian, variant
):
    targets, values = [governor.address], [0]
    calldatas = [_guardian_call(governor, ZERO)]
    if variant == "bundled":  # a removal cannot shield another action from the veto
        targets.append(governor.address)
        values.append(0)
        calldatas.append(bytes(governor.setVotingDelay.encode_input(5)))
    elif variant == "value":
        values = [1]
    elif variant == "other_role":
        targets = [timelock.address]
        calldatas = [bytes(timelock.revokeRole.encode_input(PROPOSER_ROLE, governor.address))]
    else:
        targets = [timelock.address]  # setGuardian sent to the Timelock is not a guardian removal
    p = propose(governor, Proposal(targets, values, calldatas, f"not proof: {variant}"), alice)
    assert not governor.proposalGuardianProof(p.id)
    governor.cancel(*p.args, sender=guardian)
    assert governor.state(p.id) == CANCELED


# ---------------------------------------------------------------- finding 6: the zero voter


def test_cast_vote_by_sig__zero_voter__refused_nonce_untouched(governor, voters, alice, eve, chain):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    with ape.reverts("Governor: voter is zero"):
        governor.castVoteBySig(p.id, FOR, ZERO, b"\x00" * 10, sender=eve)
    assert governor.nonces(ZERO) == 0 and not governor.hasVoted(p.id, ZERO)


# ---------------------------------------------------------------- finding 9: "no code" is one thing


def test_code_pin__empty_target_gains_balance__queues(
    governor, timelock, voters, alice, eve, chain, accounts
):
    target = to_checksum_address("0x" + "ef" * 20)
    p = propose(governor, Proposal([target], [0], [b""], "call an empty account"), alice)
    accounts[0].transfer(target, 1)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    mine_past_deadline(chain, governor, p)
    governor.queue(*p.args, sender=eve)


# ---------------------------------------------- finding 11: votes capped at stake still bonded


def test_vote_weight__stake_lowered_after_snapshot__counts_the_lower(
    governor, gov_env, voters, alice, bob, deployer, chain
):
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    gov_env.stake.setVotes(bob, 100 * WEI, sender=deployer)  # bob queued 400 of its 500 for unbonding
    assert governor.castVote(p.id, FOR, sender=bob).return_value == 100 * WEI
    gov_env.stake.setVotes(alice, 5_000 * WEI, sender=deployer)  # stake added after the snapshot adds nothing
    assert governor.castVote(p.id, FOR, sender=alice).return_value == 1_000 * WEI


# ---------------------------------------------------------------- packed storage


def test_tallies__large_weights__exact_in_packed_slots(
    governor, gov_env, voters, alice, bob, carol, deployer, chain
):
    big = 10**9 * WEI  # the whole token cap
    for who in (alice, bob, carol):
        gov_env.stake.setVotes(who, big, sender=deployer)
    chain.mine(1)
    p = propose(governor, param_proposal(governor), alice)
    mine_to_active(chain, governor, p)
    governor.castVote(p.id, FOR, sender=alice)
    governor.castVote(p.id, ABSTAIN, sender=bob)
    governor.castVote(p.id, AGAINST, sender=carol)
    assert governor.proposalVotes(p.id) == (big, big, big)


@pytest.mark.parametrize("bound", ["MIN", "MAX"])
def test_settings__every_setter_at_its_bounds__round_trips_without_touching_others(
    governor, timelock, accounts, bound
):
    tl = accounts[timelock.address]
    accounts[0].transfer(tl, 10**18)
    names = [
        ("VOTING_DELAY", "setVotingDelay", "votingDelay"),
        ("VOTING_PERIOD", "setVotingPeriod", "votingPeriod"),
        ("PROPOSAL_THRESHOLD", "setProposalThreshold", "proposalThreshold"),
        ("PROPOSAL_REPUTATION", "setProposalReputationThreshold", "proposalReputationThreshold"),
        ("VOTING_REPUTATION", "setMinVotingReputation", "minVotingReputation"),
        ("QUORUM_NUMERATOR", "updateQuorumNumerator", "quorumNumerator"),
        ("LATE_QUORUM_EXTENSION", "setLateQuorumVoteExtension", "lateQuorumVoteExtension"),
    ]
    expected = {}
    for const, setter, getter in names:
        value = getattr(governor, f"{bound}_{const}")()
        getattr(governor, setter)(value, sender=tl)
        expected[getter] = value
        for g, v in expected.items():
            assert getattr(governor, g)() == v, (setter, g)
