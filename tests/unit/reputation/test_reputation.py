"""Reputation: feedback needs proof of payment, once per job, no self-rating; penalties; decay; history."""

import ape
from eth_utils import keccak

from tests.fixtures.market import CAUSE_FEEDBACK, CAUSE_SEED, DEFAULT_BUDGET, PENALTY_EXPIRY, WEI

B32 = b"\x55" * 32


def _decay(score: int, elapsed: int, half_life: int) -> int:
    """Python model of Reputation._decayed."""
    halvings = elapsed // half_life
    if score == 0 or halvings >= 16:
        return 0
    score >>= halvings
    rest = elapsed % half_life
    return score * (2 * half_life - rest) // (2 * half_life)


def feedback_model(
    previous: int, rating: int, paid: int, ref: int, rater: int, paid_before: int, cap_bps: int
) -> int:
    """Python model of Reputation.giveFeedback: weight paid / (paid + ref + paid_before) * rater / 10_000,
    a rise bounded by cap_bps of the rater's score (rounded down), a fall rounded up."""
    target = rating * 100
    num, den = paid * rater, (paid + ref + paid_before) * 10_000
    if target >= previous:
        bound = min(target, rater * cap_bps // 10_000)
        return previous + (bound - previous) * num // den if bound > previous else previous
    if num == 0:
        return previous
    return previous - (-(-(previous - target) * num // den))


def _rater_score(reputation, account, tx, chain) -> int:
    """The rater's score in the feedback's block (it does not change in that transaction)."""
    chain.mine(1)
    return reputation.getPastReputation(account, tx.block_number)


def _completed_job(escrow, create_submitted_job, client, provider, budget=DEFAULT_BUDGET):
    job_id = create_submitted_job(client, provider, None, budget)
    escrow.complete(job_id, B32, sender=client)
    return job_id


def test_feedback__client_of_completed_job__moves_score_by_value(
    escrow, reputation, deployer, create_submitted_job, alice, bob, chain
):
    reputation.seedReputation(alice, 8_000, sender=deployer)  # a reputable client
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    tx = reputation.giveFeedback(job_id, 90, sender=alice)
    rater = _rater_score(reputation, alice, tx, chain)
    expected = feedback_model(
        0, 90, DEFAULT_BUDGET, reputation.referenceValue(), rater, 0, reputation.raterCapBps()
    )
    assert expected > 0
    assert reputation.getPastReputation(bob, tx.block_number) == expected
    (fb,) = tx.decode_logs(reputation.FeedbackGiven)
    assert (fb.jobId, fb.client, fb["provider"], fb.rating, fb.value) == (
        job_id,
        alice.address,
        bob.address,
        90,
        DEFAULT_BUDGET,
    )
    (ch,) = tx.decode_logs(reputation.ReputationChanged)
    assert (ch.account, ch.cause, ch.previous, ch.current) == (bob.address, CAUSE_FEEDBACK, 0, expected)
    assert reputation.rated(escrow, job_id)
    assert reputation.paidInRated(alice, bob) == DEFAULT_BUDGET


def test_feedback__weighted_by_value_paid(
    escrow, reputation, deployer, create_submitted_job, alice, bob, carol
):
    reputation.seedReputation(alice, 8_000, sender=deployer)
    small = _completed_job(escrow, create_submitted_job, alice, bob, 10 * WEI)
    big = _completed_job(escrow, create_submitted_job, alice, carol, 10_000 * WEI)
    reputation.giveFeedback(small, 100, sender=alice)
    reputation.giveFeedback(big, 100, sender=alice)
    assert reputation.reputationOf(carol) > 50 * reputation.reputationOf(bob) > 0


def test_feedback__bad_rating_lowers_score_rounding_up_the_loss(
    escrow, reputation, deployer, create_submitted_job, alice, bob, chain
):
    reputation.seedReputation(bob, 8_000, sender=deployer)
    reputation.seedReputation(alice, 6_000, sender=deployer)
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    tx = reputation.giveFeedback(job_id, 0, sender=alice)
    (ch,) = tx.decode_logs(reputation.ReputationChanged)
    rater = _rater_score(reputation, alice, tx, chain)
    num, den = DEFAULT_BUDGET * rater, (DEFAULT_BUDGET + reputation.referenceValue()) * 10_000
    loss = -(-ch.previous * num // den)  # ceil
    assert loss > 0 and ch.current == ch.previous - loss
    assert ch.current == feedback_model(
        ch.previous, 0, DEFAULT_BUDGET, reputation.referenceValue(), rater, 0, reputation.raterCapBps()
    )


def test_feedback__no_payment_no_feedback(
    escrow, reputation, create_job, create_funded_job, create_submitted_job, alice, bob, eve
):
    for job_id in (create_job(alice, bob), create_funded_job(alice, bob), create_submitted_job(alice, bob)):
        with ape.reverts("Reputation: job not completed"):
            reputation.giveFeedback(job_id, 100, sender=alice)
    with ape.reverts("Reputation: job not completed"):
        reputation.giveFeedback(999, 100, sender=eve)


def test_feedback__rejected_or_expired_job__reverts(
    escrow, reputation, create_funded_job, alice, bob, carol, time_travel
):
    rejected = create_funded_job(alice, bob, carol)
    escrow.reject(rejected, B32, sender=carol)
    expired = create_funded_job(alice, bob, expires_in=100)
    time_travel(100)
    escrow.claimRefund(expired, sender=alice)
    for job_id in (rejected, expired):
        with ape.reverts("Reputation: job not completed"):
            reputation.giveFeedback(job_id, 100, sender=alice)


def test_feedback__only_client_and_once(escrow, reputation, create_submitted_job, alice, bob, carol):
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    for who in (bob, carol):
        with ape.reverts("Reputation: caller is not the client"):
            reputation.giveFeedback(job_id, 100, sender=who)
    reputation.giveFeedback(job_id, 100, sender=alice)
    with ape.reverts("Reputation: already rated"):
        reputation.giveFeedback(job_id, 100, sender=alice)


def test_feedback__rating_out_of_range__reverts(reputation, alice):
    with ape.reverts("Reputation: rating out of range"):
        reputation.giveFeedback(1, 101, sender=alice)


def test_feedback__self_rating_same_address__reverts(escrow, reputation, create_submitted_job, alice):
    job_id = _completed_job(escrow, create_submitted_job, alice, alice)
    with ape.reverts("Reputation: self-rating"):
        reputation.giveFeedback(job_id, 100, sender=alice)


def test_feedback__self_rating_same_registry_owner__reverts(
    escrow, reputation, register_agent, create_submitted_job, alice, bob, carol
):
    register_agent(alice, owner=carol)
    register_agent(bob, owner=carol)
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    with ape.reverts("Reputation: self-rating"):
        reputation.giveFeedback(job_id, 100, sender=alice)


def test_feedback__owner_hires_own_agent__reverts(
    escrow, reputation, register_agent, create_submitted_job, alice, bob
):
    register_agent(bob, owner=alice)
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    with ape.reverts("Reputation: self-rating"):
        reputation.giveFeedback(job_id, 100, sender=alice)


def test_feedback__different_owners__accepted(
    escrow, reputation, deployer, register_agent, create_submitted_job, alice, bob
):
    reputation.seedReputation(alice, 8_000, sender=deployer)
    register_agent(alice)
    register_agent(bob)
    job_id = _completed_job(escrow, create_submitted_job, alice, bob)
    reputation.giveFeedback(job_id, 100, sender=alice)
    assert reputation.reputationOf(bob) > 0


def test_penalty__writers_only_and_known_kinds(reputation, deployer, alice, eve):
    with ape.reverts("access_control: account is missing role"):
        reputation.recordPenalty(alice, PENALTY_EXPIRY, sender=eve)
    reputation.grantRole(reputation.WRITER_ROLE(), eve, sender=deployer)
    with ape.reverts("Reputation: unknown penalty"):
        reputation.recordPenalty(alice, 9, sender=eve)
    reputation.seedReputation(alice, 5_000, sender=deployer)
    tx = reputation.recordPenalty(alice, PENALTY_EXPIRY, sender=eve)
    (ev,) = tx.decode_logs(reputation.ReputationChanged)
    assert 4_990 <= ev.previous <= 5_000  # decayed for a block or two since the seed
    after = ev.previous * (10_000 - reputation.expiryPenaltyBps()) // 10_000
    assert (ev.cause, ev.current) == (PENALTY_EXPIRY, after)
    assert reputation.reputationOf(alice) == after


def test_decay__half_life_and_linear_interpolation(reputation, deployer, alice, chain):
    hl = 100
    reputation.setParameter("halfLifeBlocks", hl, sender=deployer)
    reputation.seedReputation(alice, 8_000, sender=deployer)
    start = chain.blocks.head.number
    chain.mine(hl)
    assert reputation.reputationOf(alice) == _decay(8_000, hl, hl) == 4_000
    chain.mine(hl // 2)
    assert reputation.reputationOf(alice) == _decay(8_000, hl + hl // 2, hl) == 3_000
    # History is exact and stable.
    assert reputation.getPastReputation(alice, start) == 8_000
    assert reputation.getPastReputation(alice, start + hl) == 4_000
    assert reputation.getPastReputation(alice, start - 1) == 0


def test_decay__half_life_change_does_not_rewrite_history(reputation, deployer, alice, chain):
    reputation.setParameter("halfLifeBlocks", 1_000, sender=deployer)
    reputation.seedReputation(alice, 8_000, sender=deployer)
    start = chain.blocks.head.number
    chain.mine(100)
    past = reputation.getPastReputation(alice, start + 50)
    reputation.setParameter("halfLifeBlocks", 10, sender=deployer)
    assert reputation.getPastReputation(alice, start + 50) == past


def test_past_reputation__future_lookup__reverts(reputation, alice, chain):
    with ape.reverts("Reputation: future lookup"):
        reputation.getPastReputation(alice, chain.blocks.head.number + 5)


def test_seed__rules_and_event(reputation, deployer, alice, eve):
    with ape.reverts("ownable: caller is not the owner"):
        reputation.seedReputation(alice, 1, sender=eve)
    with ape.reverts("Reputation: seed too high"):
        reputation.seedReputation(alice, reputation.MAX_SEED_SCORE() + 1, sender=deployer)
    with ape.reverts("Reputation: zero address"):
        reputation.seedReputation("0x" + "00" * 20, 1, sender=deployer)
    tx = reputation.seedReputation(alice, 4_000, sender=deployer)
    (ev,) = tx.decode_logs(reputation.ReputationChanged)
    assert (ev.account, ev.cause, ev.current) == (alice.address, CAUSE_SEED, 4_000)


def test_seed__after_bootstrap__reverts(project, deployer, registry, alice, chain):
    rep = project.Reputation.deploy(registry, 2, 100, 10**18, 0, 0, 0, 9_000, sender=deployer)
    chain.mine(3)
    with ape.reverts("Reputation: bootstrap over"):
        rep.seedReputation(alice, 1, sender=deployer)


def test_parameters__bounds_owner_events(reputation, deployer, eve, project, registry):
    with ape.reverts("ownable: caller is not the owner"):
        reputation.setParameter("halfLifeBlocks", 100, sender=eve)
    with ape.reverts("access_control: account is missing role"):
        reputation.grantRole(reputation.WRITER_ROLE(), eve, sender=eve)
    with ape.reverts("ownable: caller is not the owner"):
        reputation.setEscrow(eve, sender=eve)
    bad = {
        "halfLifeBlocks": ([9, 100_000_001], "Reputation: half-life out of bounds"),
        "referenceValue": ([10**18 - 1, 10**27 + 1], "Reputation: reference value out of bounds"),
        "expiryPenaltyBps": ([5_001], "Reputation: penalty out of bounds"),
        "disputePenaltyBps": ([5_001], "Reputation: penalty out of bounds"),
        "slashPenaltyBps": ([5_001], "Reputation: penalty out of bounds"),
        "raterCapBps": ([10_001], "Reputation: rater cap out of bounds"),
    }
    for name, (values, error) in bad.items():
        for v in values:
            with ape.reverts(error):
                reputation.setParameter(name, v, sender=deployer)
    tx = reputation.setParameter("slashPenaltyBps", 42, sender=deployer)
    (ev,) = tx.decode_logs(reputation.ParameterUpdated)
    assert (ev.name, ev.current) == ("slashPenaltyBps", 42)
    with ape.reverts("Reputation: unknown parameter"):
        reputation.setParameter("nope", 1, sender=deployer)
    with ape.reverts("Reputation: zero address"):
        reputation.setEscrow("0x" + "00" * 20, sender=deployer)
    with ape.reverts("Reputation: bootstrap too long"):
        project.Reputation.deploy(registry, 2_000_001, 100, 10**18, 0, 0, 0, 9_000, sender=deployer)
    with ape.reverts("Reputation: registry is zero"):
        project.Reputation.deploy("0x" + "00" * 20, 2, 100, 10**18, 0, 0, 0, 9_000, sender=deployer)


def test_feedback__no_escrow_configured__reverts(project, deployer, registry, alice):
    rep = project.Reputation.deploy(registry, 2, 100, 10**18, 0, 0, 0, 9_000, sender=deployer)
    with ape.reverts("Reputation: no escrow"):
        rep.giveFeedback(1, 50, sender=alice)


def test_wiring__deploy_stage(reputation, escrow, staking, registry):
    assert reputation.escrow() == escrow.address
    writer = reputation.WRITER_ROLE()
    assert writer == keccak(text="WRITER_ROLE")
    assert reputation.hasRole(writer, escrow) and reputation.hasRole(writer, staking)
    assert reputation.getRoleAdmin(writer) == reputation.DEFAULT_ADMIN_ROLE()
    assert reputation.registry() == registry.address
    assert reputation.CLOCK_MODE() == "mode=blocknumber&from=default"
