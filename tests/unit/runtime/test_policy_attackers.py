"""The attacker personas of the adversarial scenario play the incentive-safety issue's attacks as
described: the sybil ring wash-trades only among its own wallets and proposes the moment it may; the
griefer names reputable providers in 1-wei jobs it cannot get accepted and tries to fund them at once."""

from __future__ import annotations

from dataclasses import replace

from agents.chain.protocol import JobStatus
from agents.market.personas import get_persona
from agents.market.services import TaskSpec
from agents.runtime import actions as A
from agents.runtime.policy import (
    GRIEF_BUDGET,
    GRIEF_EXPIRY_SECONDS,
    GRIEF_LOCK_SECONDS,
    GovernanceView,
    Guidance,
    decide,
)
from tests.unit.runtime.test_policy import CFG, ME, NOW, OTHER, PROVIDER, WEI, _market, inp, job

RING = "0x" + "e" * 40
ACTIVE = Guidance(status="ACTIVE", authority=1.0)


def _ring_market():
    mem = _market()
    mem.providers[RING] = {"id": 9, "asks": {"factor": 30 * WEI, "hashchain": 90 * WEI}}  # dearer than others
    mem.bonded[RING] = 1_000 * WEI
    return mem


def test_sybil__hires_only_its_ring_every_cycle_never_explores():
    cfg = replace(CFG, ring=(ME, RING))
    hires = []
    for c in range(40):
        hires += [
            a
            for a in decide(inp(_ring_market(), "sybil", ACTIVE, config=cfg, cycle=c))
            if isinstance(a, A.CreateJob)
        ]
    assert len(hires) == 40  # hire rate 1: a wash trade every cycle (one job open at a time is allowed twice)
    assert {h.provider for h in hires} == {RING}  # never the cheaper honest providers, never itself


def test_sybil__without_a_ring__hires_nobody():
    hires = [
        a
        for c in range(20)
        for a in decide(inp(_ring_market(), "sybil", ACTIVE, cycle=c))
        if isinstance(a, A.CreateJob)
    ]
    assert hires == []


def test_honest_agent__ring_setting_ignored__hires_the_market():
    cfg = replace(CFG, ring=(ME, RING))
    hires = [
        a
        for c in range(60)
        for a in decide(inp(_ring_market(), "honest", ACTIVE, config=cfg, cycle=c))
        if isinstance(a, A.CreateJob)
    ]
    assert {h.provider for h in hires} >= {PROVIDER, OTHER}


def _view(can_propose: bool) -> GovernanceView:
    return GovernanceView(
        can_propose=can_propose,
        can_vote=False,
        proposals=(),
        params={"escrow.feeBps": 100},
        bounds={"escrow.feeBps": (0, 1_000)},
        now=NOW,
    )


def test_sybil__proposes_the_moment_the_gate_lets_it__and_not_before():
    cfg = replace(CFG, ring=(ME, RING))
    g = Guidance(status="ACTIVE", authority=1.0, values=list(get_persona("sybil").values))
    shut = [
        a
        for a in decide(inp(_ring_market(), "sybil", g, config=cfg, governance=_view(False)))
        if isinstance(a, A.Propose)
    ]
    open_ = [
        a
        for a in decide(inp(_ring_market(), "sybil", g, config=cfg, governance=_view(True)))
        if isinstance(a, A.Propose)
    ]
    assert shut == [] and len(open_) == 1 and open_[0].parameter == "escrow.feeBps"


def test_griefer__names_the_most_reputable_providers_in_unworkable_jobs():
    mem = _market()
    mem.reputation = {PROVIDER: 6_000, OTHER: 9_000}
    out = decide(inp(mem, "griefer", ACTIVE, cycle=4))
    jobs = [a for a in out if isinstance(a, A.CreateJob)]
    assert [j.provider for j in jobs] == [OTHER, PROVIDER]  # by reputation, at most grief_jobs (2)
    assert sorted(j.expired_at - NOW for j in jobs) == [GRIEF_EXPIRY_SECONDS, GRIEF_LOCK_SECONDS]
    assert all(TaskSpec.decode(j.description).service for j in jobs)


def test_griefer__own_open_job__one_wei_budget_then_funds_at_once_then_claims_the_refund():
    mem = _market()
    mem.jobs = {3: job(3, client=ME, provider=OTHER, evaluator=ME, status=JobStatus.OPEN, budget=0)}
    acts = [a for a in decide(inp(mem, "griefer", ACTIVE)) if getattr(a, "job_id", None) == 3]
    assert acts == [A.SetBudget(3, GRIEF_BUDGET)]  # not the provider's ask (the honest client's path)
    mem.jobs[3] = job(3, client=ME, provider=OTHER, evaluator=ME, status=JobStatus.OPEN, budget=GRIEF_BUDGET)
    acts = [a for a in decide(inp(mem, "griefer", ACTIVE)) if getattr(a, "job_id", None) == 3]
    assert acts == [A.Fund(3, GRIEF_BUDGET)]  # without the provider's acceptance: the escrow refuses it
    mem.jobs[3] = job(
        3,
        client=ME,
        provider=OTHER,
        evaluator=ME,
        status=JobStatus.OPEN,
        budget=GRIEF_BUDGET,
        expired_at=NOW - 1,
    )
    acts = [a for a in decide(inp(mem, "griefer", ACTIVE)) if getattr(a, "job_id", None) == 3]
    assert acts == [A.ClaimRefund(3, "expired")]


def test_provider_named_in_a_griefers_job__never_accepts_it():
    """The victim's side (issue 10 finding 1): a 1-wei budget is under its ask, a 45 s expiry leaves no
    working window, a ten-year one would lock its stake: no acceptance, so nothing can be funded."""
    mem = _market()
    mem.params["minWorkingWindow"] = 60  # the escrow's lowest allowed working window (deploy bounds)
    for expiry, budget in (
        (NOW + GRIEF_EXPIRY_SECONDS, 0),
        (NOW + GRIEF_EXPIRY_SECONDS, GRIEF_BUDGET),
        (NOW + GRIEF_LOCK_SECONDS, 0),
        (NOW + GRIEF_LOCK_SECONDS, GRIEF_BUDGET),
    ):
        mem.jobs = {
            4: job(
                4,
                client=OTHER,
                provider=ME,
                evaluator=OTHER,
                status=JobStatus.OPEN,
                budget=budget,
                expired_at=expiry,
            )
        }
        acts = [a for a in decide(inp(mem, "honest", ACTIVE)) if getattr(a, "job_id", None) == 4]
        assert acts == [], (expiry - NOW, budget, acts)


def test_attacker_personas__are_registered_with_their_behaviour():
    sybil, griefer = get_persona("sybil").behaviour, get_persona("griefer").behaviour
    assert sybil.ring_only and sybil.hire_rate == 1.0 and sybil.propose_prob == 1.0
    assert griefer.grief_jobs == 2 and griefer.hire_rate == 0.0
