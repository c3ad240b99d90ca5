"""ServiceEscrow extensions: silent evaluator, disputes both ways, committee that does not rule, guardians."""

import ape

from tests.fixtures.market import (
    COMPLETED,
    DEFAULT_BUDGET,
    DISPUTED,
    PENALTY_DISPUTE_LOST,
    PENALTY_SLASH,
    REJECTED,
    SUBMITTED,
    WEI,
)

B32 = b"\x44" * 32
ZERO = "0x" + "00" * 20


# ---------------------------------------------------------------- silent evaluator


def test_claim_payment__silent_evaluator__provider_paid_by_anyone(
    escrow, token, staking, create_submitted_job, alice, bob, carol, eve, time_travel
):
    job_id = create_submitted_job(alice, bob, carol)
    with ape.reverts("ServiceEscrow: review window open"):
        escrow.claimPayment(job_id, sender=eve)
    time_travel(escrow.reviewWindow())
    before = token.balanceOf(bob)
    tx = escrow.claimPayment(job_id, sender=eve)
    fee = DEFAULT_BUDGET * escrow.feeBps() // 10_000
    assert token.balanceOf(bob) == before + DEFAULT_BUDGET - fee
    assert escrow.getJob(job_id).status == COMPLETED
    assert staking.lockedOf(bob) == 0
    (ev,) = tx.decode_logs(escrow.JobCompleted)
    assert ev.evaluator == ZERO and ev.reason == escrow.REASON_REVIEW_LAPSED()


def test_claim_payment__not_submitted__reverts(escrow, create_funded_job, alice, bob):
    job_id = create_funded_job(alice, bob)
    with ape.reverts("ServiceEscrow: job not submitted"):
        escrow.claimPayment(job_id, sender=bob)


def test_silent_evaluator__expiry_passes__no_refund_and_provider_still_paid(
    escrow, token, create_funded_job, create_submitted_job, alice, bob, carol, time_travel
):
    """A provider who submitted just before expiredAt is never left with nothing: expiry cannot
    refund Submitted work, and the review window still runs out in the provider's favour."""
    job_id = create_funded_job(alice, bob, carol, expires_in=70)  # the minimum working window is 60 s
    time_travel(30)
    escrow.submit(job_id, B32, sender=bob)  # review window (60 s) outlasts expiry
    time_travel(45)
    with ape.reverts("ServiceEscrow: submitted work awaits review"):
        escrow.claimRefund(job_id, sender=alice)
    escrow.complete(job_id, B32, sender=carol)  # the evaluator may still decide after expiredAt
    assert escrow.getJob(job_id).status == COMPLETED

    job2 = create_submitted_job(alice, bob, carol, expires_in=70)
    time_travel(escrow.reviewWindow())
    before = token.balanceOf(bob)
    escrow.claimPayment(job2, sender=alice)
    assert token.balanceOf(bob) > before


def test_submitted__evaluator_may_decide_after_review_window(
    escrow, create_submitted_job, alice, bob, carol, time_travel
):
    job_id = create_submitted_job(alice, bob, carol)
    time_travel(escrow.reviewWindow() + 10)
    escrow.reject(job_id, B32, sender=carol)  # nobody claimed yet: the decision is still valid
    assert escrow.getJob(job_id).status == REJECTED


# ---------------------------------------------------------------- rejected submission, undisputed


def test_rejected_submission__refund_after_dispute_window(
    escrow, token, staking, create_rejected_submission, alice, bob, carol, eve, time_travel
):
    job_id = create_rejected_submission(alice, bob, carol)
    with ape.reverts("ServiceEscrow: dispute window open"):
        escrow.claimRefund(job_id, sender=eve)
    time_travel(escrow.disputeWindow())
    with ape.reverts("ServiceEscrow: dispute window closed"):
        escrow.dispute(job_id, sender=bob)
    before = token.balanceOf(alice)
    tx = escrow.claimRefund(job_id, sender=eve)
    assert token.balanceOf(alice) == before + DEFAULT_BUDGET
    assert tx.decode_logs(escrow.Refunded)[0].amount == DEFAULT_BUDGET
    assert staking.lockedOf(bob) == 0
    assert escrow.getJob(job_id).status == REJECTED and escrow.getJob(job_id).held == 0
    with ape.reverts("ServiceEscrow: nothing to refund"):
        escrow.claimRefund(job_id, sender=eve)


# ---------------------------------------------------------------- dispute opening


def test_dispute__revert_paths(
    escrow, deployer, guardians, create_funded_job, create_rejected_submission, alice, bob, carol, eve
):
    funded = create_funded_job(alice, bob, carol)
    escrow.reject(funded, B32, sender=carol)  # rejected before submission: nothing to dispute
    with ape.reverts("ServiceEscrow: job not disputable"):
        escrow.dispute(funded, sender=bob)
    job_id = create_rejected_submission(alice, bob, carol)
    with ape.reverts("ServiceEscrow: caller is not the provider"):
        escrow.dispute(job_id, sender=eve)
    for g in guardians:
        escrow.setGuardian(g, False, sender=deployer)
    with ape.reverts("ServiceEscrow: no guardians"):
        escrow.dispute(job_id, sender=bob)


def test_dispute__posts_bond_and_opens(
    escrow, token, fund_agent, guardians, create_rejected_submission, alice, bob, carol, chain
):
    job_id = create_rejected_submission(alice, bob, carol)
    fund_agent(bob, escrow.disputeBond())
    before = token.balanceOf(bob)
    tx = escrow.dispute(job_id, sender=bob)
    bond = escrow.disputeBond()
    assert token.balanceOf(bob) == before - bond
    assert token.balanceOf(escrow) == DEFAULT_BUDGET + bond == escrow.totalEscrowed()
    (ev,) = tx.decode_logs(escrow.DisputeOpened)
    assert ev["provider"] == bob.address and ev.bond == bond
    assert ev.quorum == len(guardians) // 2 + 1
    assert ev.rulingDeadline == chain.blocks.head.timestamp + escrow.rulingPeriod()
    job = escrow.getJob(job_id)
    assert job.status == DISPUTED and job.deadline == ev.rulingDeadline
    with ape.reverts("ServiceEscrow: job not disputable"):
        escrow.dispute(job_id, sender=bob)


# ---------------------------------------------------------------- rulings


def test_dispute__provider_wins__paid_and_bond_returned(
    escrow, token, staking, guardians, create_disputed_job, alice, bob, carol, treasury
):
    job_id = create_disputed_job(alice, bob, carol)
    bond = escrow.disputeBond()
    bob_before, treasury_before = token.balanceOf(bob), token.balanceOf(treasury)
    tx1 = escrow.rule(job_id, True, sender=guardians[0])
    assert tx1.decode_logs(escrow.DisputeRuled)[0].forProvider == 1
    assert escrow.getJob(job_id).status == DISPUTED  # one vote is not a majority of three
    tx = escrow.rule(job_id, True, sender=guardians[1])
    fee = DEFAULT_BUDGET * escrow.feeBps() // 10_000
    assert token.balanceOf(bob) == bob_before + DEFAULT_BUDGET - fee + bond
    assert token.balanceOf(treasury) == treasury_before + fee
    assert escrow.getJob(job_id).status == COMPLETED
    assert staking.lockedOf(bob) == 0 and escrow.totalEscrowed() == 0
    (res,) = tx.decode_logs(escrow.DisputeResolved)
    assert (res.outcome, res.votesForProvider, res.votesForClient, res.slashed) == (1, 2, 0, 0)
    assert tx.decode_logs(escrow.JobCompleted)[0].reason == escrow.REASON_DISPUTE_UPHELD()
    with ape.reverts("ServiceEscrow: job not disputed"):
        escrow.rule(job_id, True, sender=guardians[2])


def test_dispute__provider_loses__refund_slash_penalty_bond_forfeit(
    escrow, token, staking, reputation, deployer, guardians, create_disputed_job, alice, bob, carol, treasury
):
    reputation.seedReputation(bob, 6_000, sender=deployer)
    job_id = create_disputed_job(alice, bob, carol)
    bond = escrow.disputeBond()
    collateral = escrow.collateralFor(DEFAULT_BUDGET)
    share = staking.slashBeneficiaryShareBps()
    stake_before = staking.bondedOf(bob)
    alice_before, treasury_before = token.balanceOf(alice), token.balanceOf(treasury)
    escrow.rule(job_id, False, sender=guardians[0])
    escrow.rule(job_id, True, sender=guardians[1])
    tx = escrow.rule(job_id, False, sender=guardians[2])
    to_client = collateral * share // 10_000
    assert token.balanceOf(alice) == alice_before + DEFAULT_BUDGET + to_client
    assert token.balanceOf(treasury) == treasury_before + bond + collateral - to_client
    assert staking.bondedOf(bob) == stake_before - collateral
    assert staking.lockedOf(bob) == 0
    assert escrow.getJob(job_id).status == REJECTED and escrow.totalEscrowed() == 0
    (res,) = tx.decode_logs(escrow.DisputeResolved)
    assert (res.outcome, res.votesForProvider, res.votesForClient, res.slashed) == (2, 1, 2, collateral)
    causes = [ev.cause for ev in tx.decode_logs(reputation.ReputationChanged)]
    assert causes == [PENALTY_SLASH, PENALTY_DISPUTE_LOST]
    slash_pen, dispute_pen = reputation.slashPenaltyBps(), reputation.disputePenaltyBps()
    assert (
        reputation.reputationOf(bob)
        <= 6_000 * (10_000 - slash_pen) // 10_000 * (10_000 - dispute_pen) // 10_000
    )


def test_dispute__committee_silent__default_after_deadline(
    escrow,
    token,
    staking,
    reputation,
    deployer,
    guardians,
    create_disputed_job,
    alice,
    bob,
    carol,
    eve,
    time_travel,
):
    reputation.seedReputation(bob, 6_000, sender=deployer)
    job_id = create_disputed_job(alice, bob, carol)
    escrow.rule(job_id, True, sender=guardians[0])  # one vote, no majority
    with ape.reverts("ServiceEscrow: ruling period open"):
        escrow.claimRefund(job_id, sender=eve)
    time_travel(escrow.rulingPeriod())
    with ape.reverts("ServiceEscrow: ruling period over"):
        escrow.rule(job_id, True, sender=guardians[1])
    bond = escrow.disputeBond()
    alice_before, bob_before = token.balanceOf(alice), token.balanceOf(bob)
    stake_before = staking.bondedOf(bob)
    rep_before = reputation.reputationOf(bob)
    tx = escrow.claimRefund(job_id, sender=eve)
    assert token.balanceOf(alice) == alice_before + DEFAULT_BUDGET
    assert token.balanceOf(bob) == bob_before + bond
    assert staking.bondedOf(bob) == stake_before and staking.lockedOf(bob) == 0
    assert reputation.reputationOf(bob) == rep_before
    (res,) = tx.decode_logs(escrow.DisputeResolved)
    assert (res.outcome, res.votesForProvider, res.votesForClient) == (3, 1, 0)
    assert escrow.getJob(job_id).status == REJECTED


def test_rule__revert_paths(
    escrow, staking, deployer, guardians, create_disputed_job, alice, bob, carol, eve
):
    job_id = create_disputed_job(alice, bob, carol)
    with ape.reverts("ServiceEscrow: caller is not a guardian"):
        escrow.rule(job_id, True, sender=eve)
    escrow.rule(job_id, True, sender=guardians[0])
    with ape.reverts("ServiceEscrow: already ruled"):
        escrow.rule(job_id, False, sender=guardians[0])
    # A guardian whose stake fell below the floor cannot vote.
    staking.requestUnstake(staking.freeStakeOf(guardians[1]), sender=guardians[1])
    with ape.reverts("ServiceEscrow: guardian stake below floor"):
        escrow.rule(job_id, True, sender=guardians[1])
    # A party to the job cannot judge it.
    escrow.setParameter("guardianMinStake", 0, sender=deployer)
    escrow.setParameter("guardianMinReputation", 0, sender=deployer)
    escrow.setGuardian(carol, True, sender=deployer)
    with ape.reverts("ServiceEscrow: guardian is a party"):
        escrow.rule(job_id, True, sender=carol)


def test_rule__reputation_below_floor__reverts(
    escrow, deployer, guardians, create_disputed_job, alice, bob, carol
):
    job_id = create_disputed_job(alice, bob, carol)
    escrow.setParameter("guardianMinReputation", 7_000, sender=deployer)  # founders hold 6,000
    with ape.reverts("ServiceEscrow: guardian reputation below floor"):
        escrow.rule(job_id, True, sender=guardians[0])


# ---------------------------------------------------------------- guardians


def test_set_guardian__rules_and_events(escrow, deployer, guardians, stake_for, reputation, alice, eve):
    with ape.reverts("ownable: caller is not the owner"):
        escrow.setGuardian(alice, True, sender=eve)
    with ape.reverts("ServiceEscrow: zero address"):
        escrow.setGuardian(ZERO, True, sender=deployer)
    with ape.reverts("ServiceEscrow: guardian stake below floor"):
        escrow.setGuardian(alice, True, sender=deployer)
    stake_for(alice, escrow.guardianMinStake())
    with ape.reverts("ServiceEscrow: guardian reputation below floor"):
        escrow.setGuardian(alice, True, sender=deployer)
    reputation.seedReputation(
        alice, escrow.guardianMinReputation() + 100, sender=deployer
    )  # decays a little per block
    count = escrow.guardianCount()
    tx = escrow.setGuardian(alice, True, sender=deployer)
    (ev,) = tx.decode_logs(escrow.GuardianSet)
    assert ev.account == alice.address and ev.enabled == 1
    assert escrow.guardianCount() == count + 1 and escrow.isGuardian(alice)
    with ape.reverts("ServiceEscrow: already a guardian"):
        escrow.setGuardian(alice, True, sender=deployer)
    escrow.setGuardian(alice, False, sender=deployer)
    with ape.reverts("ServiceEscrow: not a guardian"):
        escrow.setGuardian(alice, False, sender=deployer)
    assert escrow.guardianCount() == count


def test_set_guardian__committee_full__reverts(escrow, deployer, accounts):
    escrow.setParameter("guardianMinStake", 0, sender=deployer)
    escrow.setParameter("guardianMinReputation", 0, sender=deployer)
    candidates = [a for a in accounts if not escrow.isGuardian(a)]
    i = 0
    while escrow.guardianCount() < escrow.MAX_GUARDIANS():
        extra = candidates[i] if i < len(candidates) else ape.accounts.test_accounts.generate_test_account()
        escrow.setGuardian(extra, True, sender=deployer)
        i += 1
    fresh = ape.accounts.test_accounts.generate_test_account()
    with ape.reverts("ServiceEscrow: committee full"):
        escrow.setGuardian(fresh, True, sender=deployer)


def test_dispute__state_numbers_follow_erc8183(escrow, create_disputed_job, alice, bob, carol):
    job_id = create_disputed_job(alice, bob, carol)
    assert escrow.getJob(job_id).status == DISPUTED == 6
    assert SUBMITTED == 2 and COMPLETED == 3 and REJECTED == 4


def test_dispute__bond_zero__no_transfer(
    escrow, token, deployer, guardians, create_rejected_submission, alice, bob, carol
):
    escrow.setParameter("disputeBond", 0, sender=deployer)
    job_id = create_rejected_submission(alice, bob, carol)
    before = token.balanceOf(bob)
    escrow.dispute(job_id, sender=bob)
    assert token.balanceOf(bob) == before
    escrow.rule(job_id, True, sender=guardians[0])
    escrow.rule(job_id, True, sender=guardians[1])
    assert escrow.getJob(job_id).status == COMPLETED


def test_accept_job__rules_and_event(escrow, create_job, stake_for, fund_agent, alice, bob, eve, time_travel):
    job_id = create_job(alice, bob, expires_in=600)
    with ape.reverts("ServiceEscrow: unknown job"):
        escrow.acceptJob(job_id + 1, 1, sender=bob)
    with ape.reverts("ServiceEscrow: caller is not the provider"):
        escrow.acceptJob(job_id, 0, sender=eve)
    with ape.reverts("ServiceEscrow: budget is zero"):
        escrow.acceptJob(job_id, 0, sender=bob)
    escrow.setBudget(job_id, 50 * WEI, sender=alice)
    with ape.reverts("ServiceEscrow: budget mismatch"):
        escrow.acceptJob(job_id, 40 * WEI, sender=bob)
    assert escrow.acceptedBudget(job_id) == 0
    tx = escrow.acceptJob(job_id, 50 * WEI, sender=bob)
    (ev,) = tx.decode_logs(escrow.JobAccepted)
    assert (ev.jobId, ev["provider"], ev.budget) == (job_id, bob.address, 50 * WEI)
    assert escrow.acceptedBudget(job_id) == 50 * WEI
    # The provider's own price is an acceptance too (ERC-8183 lets it call setBudget).
    tx = escrow.setBudget(job_id, 60 * WEI, sender=bob)
    assert tx.decode_logs(escrow.JobAccepted)[0].budget == 60 * WEI == escrow.acceptedBudget(job_id)
    # A client's own price is not.
    assert not escrow.setBudget(job_id, 70 * WEI, sender=alice).decode_logs(escrow.JobAccepted)
    time_travel(600)
    with ape.reverts("ServiceEscrow: job expired"):
        escrow.acceptJob(job_id, 70 * WEI, sender=bob)
    open_job = create_job(alice, bob)
    escrow.reject(open_job, B32, sender=alice)
    with ape.reverts("ServiceEscrow: job not open"):
        escrow.acceptJob(open_job, 1, sender=bob)


def test_set_guardian__removal_keeps_the_rest_of_the_committee(escrow, deployer, guardians):
    before = set(escrow.getGuardians())
    assert before == {g.address for g in guardians}
    escrow.setGuardian(guardians[0], False, sender=deployer)
    assert set(escrow.getGuardians()) == before - {guardians[0].address}
    assert escrow.guardianCount() == len(before) - 1
    escrow.setGuardian(guardians[-1], False, sender=deployer)
    assert set(escrow.getGuardians()) == before - {guardians[0].address, guardians[-1].address}
