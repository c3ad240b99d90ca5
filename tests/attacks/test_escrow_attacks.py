"""Escrow attacks of issue 10 against the real deployment (`full`: every deploy stage,
params/ethereum-local.yaml).

Each test first replays the attack exactly as the issue describes it, then shows the attacker gets
nothing. Against the code before the fix (commit 59d9cba) the same steps succeeded: three
ExpiryGriefer transactions of 20 one-second, 1-wei jobs took every founder from 5,998 to 725-726 for
60 wei (returned to the attacker); a ten-year job locked all of a founder's free stake; a guardian
committee of three with two guardians as client and evaluator opened with quorum 2 and the only
eligible guardian's ruling left the job Disputed; a refund after the escrow lost its locker role
cleared the job's collateral record while Staking still held 20 AGENT locked.
"""

import ape
import pytest

from tests.fixtures.governance import warp
from tests.fixtures.market import COMPLETED, DISPUTED, EXPIRED, OPEN

WEI = 10**18
MAX = 2**256 - 1
TEN_YEARS = 10 * 365 * 86_400


@pytest.fixture
def c(full):
    return full


@pytest.fixture
def timelock(full, accounts):
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    return tl


@pytest.fixture
def provider(full, accounts):
    """A fresh provider with 1,000 AGENT staked (above minProviderStake)."""
    p = accounts[2]
    full["AgentToken"].approve(full["Staking"], MAX, sender=p)
    full["AgentToken"].approve(full["ServiceEscrow"], MAX, sender=p)
    full["Staking"].stake(1_000 * WEI, sender=p)
    return p


@pytest.fixture
def client(full, accounts):
    cl = accounts[1]
    full["AgentToken"].approve(full["ServiceEscrow"], MAX, sender=cl)
    return cl


# ---------------------------------------------------------------- finding 1: unconsented provider


def test_unconsented_provider__twenty_one_second_jobs_per_tx__fund_refused_founders_keep_reputation(
    c, project, founders, accounts, chain
):
    esc, rep, tok, st = c["ServiceEscrow"], c["Reputation"], c["AgentToken"], c["Staking"]
    eve = accounts[5]
    griefer = project.ExpiryGriefer.deploy(tok, esc, sender=eve)
    tok.transfer(griefer, 100, sender=eve)
    before = {f.address: rep.reputationOf(f) for f in founders}
    locked = {f.address: st.lockedOf(f) for f in founders}
    for f in founders:
        with ape.reverts("ServiceEscrow: provider has not accepted"):
            griefer.grief(f, 20, 1, 1, sender=eve)
    # Without funding, the jobs can only be Open: creating them and letting them expire costs the provider
    # nothing.
    first = esc.jobCounter() + 1
    for i in range(3):
        esc.createJob(founders[i], eve, chain.pending_timestamp + 30, "grief", sender=eve)
    warp(chain, 60)
    for j in range(first, first + 3):
        tx = esc.claimRefund(j, sender=eve)
        assert esc.getJob(j).status == EXPIRED
        assert not tx.decode_logs(rep.ReputationChanged)
    chain.mine(1)
    for f in founders:
        assert rep.reputationOf(f) >= before[f.address] - 2  # decay of a few blocks only, no penalty
        assert rep.reputationOf(f) >= 5_000  # still above the proposal floor (governance.proposal_reputation)
        assert st.lockedOf(f) == locked[f.address]
    assert tok.balanceOf(griefer) == 100


def test_unconsented_provider__accepted_one_second_job__no_working_window__fund_refused(
    c, provider, client, chain
):
    """Even a provider that accepted by mistake gets a minimum working window: a job expiring before it
    cannot be funded, so no expiry penalty can follow."""
    esc, st = c["ServiceEscrow"], c["Staking"]
    window = esc.minWorkingWindow()
    j = esc.createJob(
        provider, client, chain.pending_timestamp + window - 10, "rushed", sender=client
    ).return_value
    esc.setBudget(j, 1, sender=provider)  # the provider's own price: accepted
    with ape.reverts("ServiceEscrow: working window too short"):
        esc.fund(j, 1, sender=client)
    assert esc.getJob(j).status == OPEN and st.lockedOf(provider) == 0


def test_ten_year_expiry__locks_no_stake(c, founders, client, chain):
    esc, st = c["ServiceEscrow"], c["Staking"]
    f = founders[0]
    free = st.freeStakeOf(f)
    budget = free * 10_000 // esc.collateralRatioBps()
    j = esc.createJob(f, client, chain.pending_timestamp + TEN_YEARS, "lock", sender=client).return_value
    esc.setBudget(j, budget, sender=client)
    with ape.reverts("ServiceEscrow: provider has not accepted"):
        esc.fund(j, budget, sender=client)
    # And a provider that accepted it anyway is protected by the bounded job duration.
    esc.acceptJob(j, budget, sender=f)
    with ape.reverts("ServiceEscrow: job too long"):
        esc.fund(j, budget, sender=client)
    assert st.freeStakeOf(f) == free


def test_client_changes_budget_after_acceptance__fund_refused_until_reaccepted(c, provider, client, chain):
    esc, st = c["ServiceEscrow"], c["Staking"]
    j = esc.createJob(provider, client, chain.pending_timestamp + 3_600, "job", sender=client).return_value
    esc.setBudget(j, 10 * WEI, sender=client)
    tx = esc.acceptJob(j, 10 * WEI, sender=provider)
    (ev,) = tx.decode_logs(esc.JobAccepted)
    assert (ev.jobId, ev["provider"], ev.budget) == (j, provider.address, 10 * WEI)
    esc.setBudget(
        j, 1_000 * WEI, sender=client
    )  # a bigger job: 200 AGENT of collateral the provider never agreed to
    with ape.reverts("ServiceEscrow: provider has not accepted"):
        esc.fund(j, 1_000 * WEI, sender=client)
    assert st.lockedOf(provider) == 0
    esc.acceptJob(j, 1_000 * WEI, sender=provider)
    esc.fund(j, 1_000 * WEI, sender=client)
    assert st.lockedOf(provider) == esc.collateralFor(1_000 * WEI)


# ---------------------------------------------------------------- finding 7: committee quorum counts parties


def test_committee_parties_as_client_and_evaluator__eligible_guardian_rules_alone(
    c, founders, provider, chain
):
    esc, tok = c["ServiceEscrow"], c["AgentToken"]
    client, evaluator, guardian = founders
    tok.approve(esc, MAX, sender=client)
    j = esc.createJob(provider, evaluator, chain.pending_timestamp + 3_600, "x", sender=client).return_value
    esc.setBudget(j, 100 * WEI, sender=provider)
    esc.fund(j, 100 * WEI, sender=client)
    esc.submit(j, b"\x01" * 32, sender=provider)
    esc.reject(j, b"\x00" * 32, sender=evaluator)
    assert esc.eligibleSeats(j) == 1
    tx = esc.dispute(j, sender=provider)
    assert tx.decode_logs(esc.DisputeOpened)[0].quorum == 1 == esc.getDispute(j).quorum
    for party in (client, evaluator):
        with ape.reverts("ServiceEscrow: guardian is a party"):
            esc.rule(j, False, sender=party)
    before = tok.balanceOf(provider)
    tx = esc.rule(j, True, sender=guardian)
    assert esc.getJob(j).status == COMPLETED
    assert tx.decode_logs(esc.DisputeResolved)[0].outcome == 1
    assert tok.balanceOf(provider) > before  # paid and bond returned


def test_committee_all_guardians_parties_or_below_floor__dispute_refused(
    c, founders, provider, chain, timelock
):
    esc, tok = c["ServiceEscrow"], c["AgentToken"]
    client, evaluator, _third = founders
    esc.setParameter(
        "guardianMinReputation", 9_000, sender=timelock
    )  # the third guardian is now below the floor
    tok.approve(esc, MAX, sender=client)
    j = esc.createJob(provider, evaluator, chain.pending_timestamp + 3_600, "x", sender=client).return_value
    esc.setBudget(j, 100 * WEI, sender=provider)
    esc.fund(j, 100 * WEI, sender=client)
    esc.submit(j, b"\x01" * 32, sender=provider)
    esc.reject(j, b"\x00" * 32, sender=evaluator)
    bal = tok.balanceOf(provider)
    with ape.reverts("ServiceEscrow: no eligible guardians"):
        esc.dispute(j, sender=provider)
    assert tok.balanceOf(provider) == bal and esc.getJob(j).status != DISPUTED


# ---------------------------------------------------------------- finding 8: stranded collateral


def test_locker_role_revoked__refund_keeps_collateral_record__anyone_releases_later(
    c, provider, client, accounts, chain, timelock
):
    esc, st = c["ServiceEscrow"], c["Staking"]
    j = esc.createJob(provider, client, chain.pending_timestamp + 100, "x", sender=client).return_value
    esc.setBudget(j, 100 * WEI, sender=provider)
    esc.fund(j, 100 * WEI, sender=client)
    collateral = esc.collateralFor(100 * WEI)
    with ape.reverts("ServiceEscrow: job not settled"):
        esc.releaseCollateral(j, sender=accounts[3])
    st.revokeRole(st.LOCKER_ROLE(), esc, sender=timelock)
    warp(chain, 200)
    tx = esc.claimRefund(j, sender=accounts[3])  # settlement still goes through
    (failed,) = tx.decode_logs(esc.CollateralReleaseFailed)
    assert (failed.jobId, failed["provider"], failed.amount) == (j, provider.address, collateral)
    assert esc.getJob(j).status == EXPIRED
    assert esc.getJob(j).collateral == collateral == st.lockedOf(provider)  # the record is kept
    with ape.reverts("access_control: account is missing role"):
        esc.releaseCollateral(j, sender=accounts[3])
    st.grantRole(st.LOCKER_ROLE(), esc, sender=timelock)
    tx = esc.releaseCollateral(j, sender=accounts[3])  # permissionless retry
    (ev,) = tx.decode_logs(esc.CollateralReleased)
    assert (ev.jobId, ev.amount) == (j, collateral)
    assert esc.getJob(j).collateral == 0 and st.lockedOf(provider) == 0
    with ape.reverts("ServiceEscrow: no collateral held"):
        esc.releaseCollateral(j, sender=accounts[3])
