"""The pure policy: obligations always, discretion only with authority, deterministic, journal-aware."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from agents.chain.protocol import JobStatus
from agents.market.personas import get_persona
from agents.market.services import TaskSpec, corrupt, get_service, solve, verify
from agents.runtime import actions as A
from agents.runtime.observe import (
    Job,
    MarketMemory,
    Snapshot,
)
from agents.runtime.policy import (
    MAX_UINT,
    GovernanceView,
    Guidance,
    PolicyConfig,
    PolicyInput,
    ProposalView,
    decide,
    desired_changes,
    update_guidance,
    vote_support,
)

WEI = 10**18
ME = "0x" + "a" * 40
CLIENT = "0x" + "c" * 40
PROVIDER = "0x" + "b" * 40
OTHER = "0x" + "d" * 40
NOW = 1_000_000
CFG = PolicyConfig(services=("factor", "hashchain"), seed=7)
SPEC = TaskSpec.make("factor", 11, bits=16)


def memory(**kw) -> MarketMemory:
    m = MarketMemory(me=ME, start_block=1, agent_id=1)
    m.params = {
        "minProviderStake": 100 * WEI,
        "collateralRatioBps": 2_000,
        "disputeBond": 50 * WEI,
        "feeBps": 100,
    }
    m.providers = {ME: {"id": 1, "asks": {"factor": 10 * WEI, "hashchain": 50 * WEI}}}
    m.bonded = {ME: 1_000 * WEI}
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def snap(**kw) -> Snapshot:
    base = dict(
        block=100,
        timestamp=NOW,
        token=10_000 * WEI,
        eth=10 * WEI,
        bonded=1_000 * WEI,
        free_stake=1_000 * WEI,
        reputation=5_000,
        allowance_escrow=MAX_UINT,
        allowance_staking=MAX_UINT,
    )
    base.update(kw)
    return Snapshot(**base)


def job(jid: int, **kw) -> Job:
    base = dict(
        id=jid,
        client=CLIENT,
        provider=ME,
        evaluator=CLIENT,
        expired_at=NOW + 100,
        created_block=10,
        spec=SPEC.encode(),
        service="factor",
        budget=10 * WEI,
    )
    base.update(kw)
    return Job(**base)


def inp(mem: MarketMemory, persona: str = "honest", guidance: Guidance | None = None, **kw) -> PolicyInput:
    return PolicyInput(
        persona=get_persona(persona),
        config=kw.pop("config", CFG),
        memory=mem,
        snapshot=kw.pop("snapshot", snap()),
        guidance=guidance or Guidance(status="ACTIVE", authority=1.0),
        cycle=kw.pop("cycle", 3),
        **kw,
    )


def kinds(actions) -> list[str]:
    return [a.kind for a in actions]


FROZEN = Guidance(status="FROZEN", authority=0.0)


def duties(i: PolicyInput) -> list[A.Action]:
    """decide() without the L4.8 trading routine (repricing, hiring), which runs at every status."""
    return [a for a in decide(i) if not isinstance(a, (A.SetAsks, A.CreateJob))]


# ------------------------------------------------------------------ set-up
def test_setup__fresh_agent__approves_registers_and_stakes():
    mem = memory(agent_id=0)
    out = decide(inp(mem, snapshot=snap(allowance_escrow=0, allowance_staking=0, bonded=0)))
    assert kinds(out)[:4] == ["approve", "approve", "register", "stake"]
    reg = out[2]
    assert isinstance(reg, A.Register) and [s for s, _ in reg.services] == ["factor", "hashchain"]
    assert all(price > 0 for _, price in reg.services)
    stake = out[3]
    assert stake.amount >= 300 * WEI  # at least 3 x minProviderStake


def test_setup__already_done__nothing_again():
    assert kinds(duties(inp(memory(), guidance=FROZEN))) == []


# ------------------------------------------------------------------ provider obligations
def test_funded_job__honest_provider__submits_a_payload_that_verifies():
    mem = memory(jobs={5: job(5, status=JobStatus.FUNDED)})
    out = duties(inp(mem, guidance=FROZEN))
    (sub,) = [a for a in out if isinstance(a, A.Submit)]
    assert sub.job_id == 5 and sub.honest and verify(SPEC, sub.payload)


def test_funded_job__cheater__delivers_wrong_work_sometimes_and_decides_the_same_after_restart():
    jobs = {i: job(i, status=JobStatus.FUNDED) for i in range(1, 41)}
    out1 = [a for a in duties(inp(memory(jobs=jobs), "cheater", FROZEN)) if isinstance(a, A.Submit)]
    out2 = [a for a in duties(inp(memory(jobs=jobs), "cheater", FROZEN)) if isinstance(a, A.Submit)]
    assert out1 == out2  # same seed, same job ids -> same choices (restart-safe)
    bad = [a for a in out1 if not verify(SPEC, a.payload)]
    assert 10 <= len(bad) <= 35 and all(not a.honest for a in bad)


def test_funded_job__no_show__lets_most_jobs_lapse():
    jobs = {i: job(i, status=JobStatus.FUNDED) for i in range(1, 41)}
    subs = [a for a in duties(inp(memory(jobs=jobs), "no_show", FROZEN)) if isinstance(a, A.Submit)]
    assert len(subs) < 25


def test_funded_job__past_expiry__not_submitted():
    mem = memory(jobs={5: job(5, status=JobStatus.FUNDED, expired_at=NOW)})
    assert not [a for a in duties(inp(mem, guidance=FROZEN)) if isinstance(a, A.Submit)]


def test_submit__key_in_flight__not_sent_twice():
    mem = memory(jobs={5: job(5, status=JobStatus.FUNDED)})
    assert not duties(inp(mem, guidance=FROZEN, busy=frozenset({"submit:5"})))


def test_submitted_job__review_window_over__provider_claims_payment():
    mem = memory(jobs={5: job(5, status=JobStatus.SUBMITTED, deadline=NOW - 1, deliverable="0x" + "1" * 64)})
    assert kinds(duties(inp(mem, guidance=FROZEN))) == ["claim_payment"]


def test_rejected_valid_work__honest_provider__disputes():
    payload = solve(SPEC)
    mem = memory(
        jobs={5: job(5, status=JobStatus.REJECTED, held=10 * WEI, deadline=NOW + 30, was_submitted=True)}
    )
    assert kinds(duties(inp(mem, guidance=FROZEN, payloads={5: payload}))) == ["dispute"]


def test_rejected_wrong_work__honest_provider__accepts_the_rejection():
    payload = corrupt(SPEC, solve(SPEC))
    mem = memory(
        jobs={5: job(5, status=JobStatus.REJECTED, held=10 * WEI, deadline=NOW + 30, was_submitted=True)}
    )
    assert duties(inp(mem, guidance=FROZEN, payloads={5: payload})) == []


def test_rejected_work__bond_unaffordable__no_dispute():
    mem = memory(jobs={5: job(5, status=JobStatus.REJECTED, held=10 * WEI, deadline=NOW + 30)})
    out = duties(inp(mem, guidance=FROZEN, payloads={5: solve(SPEC)}, snapshot=snap(token=WEI)))
    assert "dispute" not in kinds(out)


# ------------------------------------------------------------------ client / evaluator obligations
def _client_job(**kw) -> Job:
    return job(5, client=ME, evaluator=ME, provider=PROVIDER, **kw)


def test_submission__correct__evaluator_completes():
    mem = memory(
        jobs={5: _client_job(status=JobStatus.SUBMITTED, deadline=NOW + 30, deliverable="0x" + "1" * 64)}
    )
    assert kinds(duties(inp(mem, guidance=FROZEN, payloads={5: solve(SPEC)}))) == ["complete"]


@pytest.mark.parametrize("payload", [None, b"garbage", "corrupt"])
def test_submission__wrong_or_missing__evaluator_rejects(payload):
    if payload == "corrupt":
        payload = corrupt(SPEC, solve(SPEC))
    mem = memory(jobs={5: _client_job(status=JobStatus.SUBMITTED, deadline=NOW + 30)})
    assert kinds(duties(inp(mem, guidance=FROZEN, payloads={5: payload}))) == ["reject"]


def test_completed_job__client_rates_once():
    mem = memory(jobs={5: _client_job(status=JobStatus.COMPLETED, was_submitted=True, outcome="completed")})
    out = duties(inp(mem, guidance=FROZEN, payloads={5: solve(SPEC)}))
    assert out == [A.GiveFeedback(5, 100)]
    mem.jobs[5].rated = True
    assert duties(inp(mem, guidance=FROZEN, payloads={5: solve(SPEC)})) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": JobStatus.FUNDED, "expired_at": NOW}, "expired"),
        ({"status": JobStatus.REJECTED, "held": 10 * WEI, "deadline": NOW}, "window"),
        ({"status": JobStatus.DISPUTED, "deadline": NOW - 5}, "ruling"),
    ],
)
def test_timers_run_out__client_claims_refund(fields, reason):
    mem = memory(jobs={5: _client_job(**fields)})
    assert duties(inp(mem, guidance=FROZEN)) == [A.ClaimRefund(5, reason)]


def test_timers_not_run_out__client_waits():
    mem = memory(jobs={5: _client_job(status=JobStatus.FUNDED, expired_at=NOW + 1)})
    assert duties(inp(mem, guidance=FROZEN)) == []


def test_open_own_job__client_sets_the_providers_ask_waits_for_acceptance_then_funds():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=0)})
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 12 * WEI}}
    mem.bonded[PROVIDER] = 500 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == [A.SetBudget(5, 12 * WEI)]
    mem.jobs[5].budget = 12 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == []  # not accepted yet: fund would revert
    mem.jobs[5].accepted = 12 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == [A.Fund(5, 12 * WEI)]
    mem.jobs[5].budget = 15 * WEI  # a later budget change voids the acceptance
    mem.providers[PROVIDER]["asks"]["factor"] = 15 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == []


def test_open_own_job__ask_rose_before_acceptance__client_raises_budget():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=12 * WEI)})
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 14 * WEI}}
    mem.bonded[PROVIDER] = 500 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == [A.SetBudget(5, 14 * WEI)]


def test_new_unpriced_job__client_leaves_the_provider_two_cycles_to_name_its_price():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=0, created_block=98)})
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 12 * WEI}}
    mem.bonded[PROVIDER] = 500 * WEI
    assert duties(inp(mem, guidance=FROZEN, snapshot=snap(block=100))) == []
    assert duties(inp(mem, guidance=FROZEN, snapshot=snap(block=108))) == [A.SetBudget(5, 12 * WEI)]


def test_budget_the_provider_set__funded_at_its_ask__countered_when_dearer():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=12 * WEI, accepted=12 * WEI)})
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 12 * WEI}}
    mem.bonded[PROVIDER] = 500 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == [A.Fund(5, 12 * WEI)]
    mem.jobs[5].budget = mem.jobs[5].accepted = 20 * WEI  # dearer than the listed ask: not funded
    assert duties(inp(mem, guidance=FROZEN)) == [A.SetBudget(5, 12 * WEI)]


def test_unpriced_job_naming_me__provider_names_its_ask_as_its_acceptance():
    mem = memory(jobs={7: _offer(budget=0, expired_at=NOW + 240)})
    mem.params.update(minWorkingWindow=60, maxJobDuration=7 * 86_400)
    assert duties(inp(mem, guidance=FROZEN)) == [A.SetBudget(7, 10 * WEI)]  # my factor ask


def test_open_own_job__accepted_but_working_window_gone__not_funded():
    mem = memory(
        jobs={5: _client_job(status=JobStatus.OPEN, budget=12 * WEI, accepted=12 * WEI, expired_at=NOW + 30)}
    )
    mem.params["minWorkingWindow"] = 60
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 12 * WEI}}
    mem.bonded[PROVIDER] = 500 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == []


def test_open_own_job__expired_never_accepted__claim_refund_frees_the_slot():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=12 * WEI, expired_at=NOW)})
    assert duties(inp(mem, guidance=FROZEN)) == [A.ClaimRefund(5, "expired")]


def _offer(**kw) -> Job:
    base = dict(status=JobStatus.OPEN, budget=10 * WEI, expired_at=NOW + 240)
    base.update(kw)
    return job(7, **base)


def test_job_naming_me__budget_meets_my_ask__accepted():
    mem = memory(jobs={7: _offer()})
    mem.params.update(minWorkingWindow=60, maxJobDuration=7 * 86_400)
    assert duties(inp(mem, guidance=FROZEN)) == [A.AcceptJob(7, 10 * WEI)]
    mem.jobs[7].accepted = 10 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == []  # already accepted


@pytest.mark.parametrize(
    "change",
    [
        dict(budget=5 * WEI),
        dict(expired_at=NOW + 60),
        dict(expired_at=NOW + 10 * 365 * 86_400),
        dict(service="hashchain_unknown"),
        dict(client=ME),
    ],
    ids=["below-ask", "no-time-to-work", "ten-year-job", "not-my-service", "my-own-job"],
)
def test_job_naming_me__price_or_expiry_unsuitable__not_accepted(change):
    mem = memory(jobs={7: _offer(**change)})
    mem.params.update(minWorkingWindow=60, maxJobDuration=30 * 365 * 86_400)
    assert not [a for a in duties(inp(mem, guidance=FROZEN)) if isinstance(a, A.AcceptJob)]


def test_open_own_job__provider_without_stake__not_funded():
    mem = memory(jobs={5: _client_job(status=JobStatus.OPEN, budget=0)})
    mem.providers[PROVIDER] = {"id": 2, "asks": {"factor": 12 * WEI}}
    mem.bonded[PROVIDER] = 10 * WEI
    assert duties(inp(mem, guidance=FROZEN)) == []


# ------------------------------------------------------------------ guardians
def _disputed(**kw) -> Job:
    return job(
        9,
        client=CLIENT,
        provider=PROVIDER,
        evaluator=CLIENT,
        status=JobStatus.DISPUTED,
        deadline=NOW + 60,
        deliverable="0x" + "2" * 64,
        **kw,
    )


@pytest.mark.parametrize(
    ("payload_of", "for_provider"), [(solve, True), (lambda s: corrupt(s, solve(s)), False)]
)
def test_dispute__guardian__rules_by_verifying(payload_of, for_provider):
    mem = memory(jobs={9: _disputed()}, guardians=[ME])
    out = duties(inp(mem, guidance=FROZEN, payloads={9: payload_of(SPEC)}))
    assert out == [A.Rule(9, for_provider)]


def test_dispute__guardian_is_a_party_or_already_ruled_or_not_a_guardian__no_ruling():
    payloads = {9: solve(SPEC)}
    party = memory(jobs={9: replace(_disputed(), client=ME, evaluator=ME)}, guardians=[ME])
    ruled = memory(jobs={9: _disputed(ruled=[ME])}, guardians=[ME])
    outsider = memory(jobs={9: _disputed()}, guardians=[OTHER])
    for mem in (ruled, outsider):
        assert duties(inp(mem, guidance=FROZEN, payloads=payloads)) == []
    assert "rule" not in kinds(duties(inp(party, guidance=FROZEN, payloads=payloads)))


# ------------------------------------------------------------------ discretion and cognition
def _market() -> MarketMemory:
    mem = memory()
    for i, addr in enumerate((PROVIDER, OTHER)):
        mem.providers[addr] = {"id": 2 + i, "asks": {"factor": (10 + i) * WEI, "hashchain": 40 * WEI}}
        mem.bonded[addr] = 1_000 * WEI
    return mem


def _hires(guidance: Guidance, cycles=range(60), mem=None) -> list[A.CreateJob]:
    out = []
    for c in cycles:
        out += [
            a for a in decide(inp(mem or _market(), guidance=guidance, cycle=c)) if isinstance(a, A.CreateJob)
        ]
    return out


def test_frozen_cognition__l48_baseline_still_prices_and_hires_and_keeps_obligations():
    mem = _market()
    mem.jobs = {5: job(5, status=JobStatus.FUNDED)}
    hires = 0
    for c in range(60):
        out = decide(inp(mem, guidance=FROZEN, cycle=c))
        assert "submit" in kinds(out)
        assert set(kinds(out)) <= {"submit", "set_asks", "create_job"}
        hires += kinds(out).count("create_job")
    assert hires >= 5  # L4.9 frozen is not an agent that stops trading (§1.3, §11.1)
    assert "set_asks" in kinds(decide(inp(mem, guidance=FROZEN)))


def test_active_cognition__hires_others_within_budget_and_never_itself():
    hires = _hires(Guidance(status="ACTIVE", authority=1.0))
    assert len(hires) >= 10
    assert all(h.provider in (PROVIDER, OTHER) for h in hires)
    for h in hires:
        spec = TaskSpec.decode(h.description)
        assert get_service(spec.service) and h.expired_at == NOW + CFG.job_ttl


def test_authority__does_not_scale_the_l48_hire_rate():
    full = _hires(Guidance(status="ACTIVE", authority=1.0), range(200))
    frozen = _hires(FROZEN, range(200))
    assert len(full) == len(frozen) > 0


def test_avoided_provider__never_hired():
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [_Interaction(PROVIDER, "AVOID")])
    hires = _hires(g, range(100))
    assert hires and all(h.provider == OTHER for h in hires)


def test_open_jobs_at_the_limit__no_more_hiring():
    mem = _market()
    mem.jobs = {
        i: job(i, client=ME, provider=PROVIDER, evaluator=ME, status=JobStatus.FUNDED) for i in (1, 2)
    }
    assert not _hires(Guidance(status="ACTIVE", authority=1.0), range(50), mem)


def test_repricing__competitors_far_cheaper__ask_falls_within_one_step():
    mem = _market()
    mem.providers[ME]["asks"] = {"factor": 30 * WEI, "hashchain": 400 * WEI}
    for addr in (PROVIDER, OTHER):
        mem.providers[addr]["asks"] = {"factor": 16 * WEI, "hashchain": 400 * WEI}
    out = [a for a in decide(inp(mem)) if isinstance(a, A.SetAsks)]
    (sa,) = out
    new = dict(sa.services)
    assert 27 * WEI <= new["factor"] < 30 * WEI  # at most one 10 % step towards the competitors


class _Decision:
    def __init__(self, **kw):
        self.vetoed = kw.pop("vetoed", False)
        self.actionable = not self.vetoed
        self.__dict__.update(kw)


def _Interaction(cp: str, action: str, vetoed: bool = False) -> _Decision:
    return _Decision(kind="interaction", counterparty=cp, action=action, vetoed=vetoed)


@pytest.mark.parametrize(
    ("status", "authority", "expected"),
    [
        ("ACTIVE", 1.0, 1.0),
        ("PARTIAL", 0.5, 0.5),
        ("WARMING_UP", 0.0, 0.0),
        ("FROZEN", 1.0, 0.0),
        ("FROZEN_SURVIVAL", 0.0, 0.0),
        ("ADVISORY", 0.0, 0.0),
        ("INACTIVE", 0.0, 0.0),
    ],
)
def test_update_guidance__authority_follows_the_cognition_status(status, authority, expected):
    assert update_guidance(Guidance(), status, authority, []).authority == expected


def test_update_guidance__vetoed_decisions_change_nothing():
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [_Interaction(PROVIDER, "AVOID", vetoed=True)])
    assert g.avoid == []


def test_update_guidance__operating_mode_and_mutation_applied():
    mode = _Decision(
        kind="operating_mode", survival_state="constrained", exploration_factor=0.7, stability_share=0.0
    )
    weights = (0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.1)
    mut = _Decision(kind="apply_mutation", weights=weights)
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [mode, mut])
    assert (g.survival, g.exploration, g.values) == ("constrained", 0.7, list(weights))


def test_exploration_factor_zero__no_hiring():
    g = Guidance(status="ACTIVE", authority=1.0, exploration=0.0)
    assert not _hires(g, range(50))


# ------------------------------------------------------------------ governance
COOP_VALUES = [0.10, 0.15, 0.15, 0.20, 0.10, 0.10, 0.20]
SAFE_VALUES = [0.25, 0.05, 0.20, 0.10, 0.05, 0.30, 0.05]


def _view(**kw) -> GovernanceView:
    base = dict(
        can_propose=True,
        can_vote=True,
        proposals=(),
        now=NOW,
        params={"escrow.feeBps": 100, "escrow.collateralRatioBps": 2_000},
        bounds={"escrow.feeBps": (0, 1_000), "escrow.collateralRatioBps": (0, 30_000)},
    )
    base.update(kw)
    return GovernanceView(**base)


def test_goals_about_rules__cooperative_agent_wants_lower_fees():
    assert desired_changes(COOP_VALUES, _view(), memory()) == [
        ("escrow.feeBps", 50, "fees too high for cooperative trade")
    ]


def test_goals_about_rules__safety_minded_agent_wants_more_collateral_after_cheating_seen():
    mem = memory(outcomes={"disputed_client_won": 1, "expired": 1, "completed": 3})
    names = [n for n, _, _ in desired_changes(SAFE_VALUES, _view(), mem)]
    assert names == ["escrow.collateralRatioBps"]
    assert desired_changes(SAFE_VALUES, _view(), memory()) == []  # nothing seen: no grievance


def test_vote__by_value_alignment():
    lower_fee = ProposalView(1, 1, "", "escrow.feeBps", 50, 100, False)
    assert vote_support(COOP_VALUES, lower_fee, memory()) == 1
    assert vote_support(SAFE_VALUES, lower_fee, memory()) == 0
    unknown = ProposalView(2, 1, "", None, None, None, False)
    assert vote_support(COOP_VALUES, unknown, memory()) == 2


def test_governance__votes_when_active_proposes_when_none_open_and_queues_when_frozen():
    g = Guidance(status="ACTIVE", authority=1.0, values=COOP_VALUES)
    prop = ProposalView(7, 1, "", "escrow.feeBps", 50, 100, False)
    out = decide(inp(memory(), "guardian", g, governance=_view(proposals=(prop,))))
    assert A.Vote(7, 1, "value alignment") in out and not [a for a in out if isinstance(a, A.Propose)]
    proposes = [
        a
        for c in range(40)
        for a in decide(inp(memory(), "guardian", g, cycle=c, governance=_view()))
        if isinstance(a, A.Propose)
    ]
    assert proposes and all(p.parameter == "escrow.feeBps" and p.value == 50 for p in proposes)
    passed = ProposalView(8, 4, "", "escrow.feeBps", 50, 100, True)
    out = duties(inp(memory(), "guardian", FROZEN, governance=_view(proposals=(passed,))))
    assert kinds(out) == ["queue"]


def test_policy_is_pure__same_input_same_output():
    mem = _market()
    mem.jobs = {
        5: job(5, status=JobStatus.FUNDED),
        6: _client_job(status=JobStatus.SUBMITTED, deadline=NOW + 9),
    }
    a = decide(inp(mem, "frivolous_disputer", payloads={6: solve(SPEC)}, cycle=11))
    b = decide(inp(mem, "frivolous_disputer", payloads={6: solve(SPEC)}, cycle=11))
    assert a == b
    _ = random.random()  # global RNG state is irrelevant
    assert decide(inp(mem, "frivolous_disputer", payloads={6: solve(SPEC)}, cycle=11)) == a
