"""Issue 15 part 9: the boundaries the seed names, each tested on both sides."""

from __future__ import annotations

import dataclasses

import pytest

from agents.cognition import AgentState, step
from agents.cognition import constants as K
from agents.cognition import goal_generation as gg
from agents.cognition.activation import ActivationState, criteria
from agents.cognition.audit import AuditLedger, audit_report
from agents.cognition.goal_rate import passes_novelty
from agents.cognition.goals import Goal
from agents.cognition.mutation_sandbox import PendingMutation, sandbox_verdict
from agents.cognition.orchestrator import _note_repeats
from agents.cognition.substrate import update_substrate
from agents.cognition.synthetic import Market
from agents.cognition.world_model import Scenario


def _warm(n=40):
    st = AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase="FULL")
    m = Market()
    for c in range(n):
        st = step(st, m.observe(c)).state
    sub = update_substrate(st.clone().substrate, m.observe(n), st.values.weights, st.values.baseline, 1.0, n)
    return st, sub


def _env_signals(st, sub, probability, gain, monkeypatch):
    sc = Scenario("DEMAND_UP:hash", "OPPORTUNISTIC", probability, 1.5, "hash", 50)
    sub = dataclasses.replace(sub, scenarios=(sc,))
    monkeypatch.setattr(gg, "projected_seof_gain", lambda *a, **k: gain)
    out = gg.detect(sub, st.substrate, st.values.weights, "abundant", 1.0, None, st.beliefs, st.cycle)
    return [s for s in out if s.origin == "OPPORTUNITY_DRIVEN"]


@pytest.mark.parametrize(
    "probability, gain, fires",
    [
        (0.30, 0.10, False),
        (0.3001, 0.10, True),  # scenario probability > 0.30 (§9.1)
        (0.50, 0.05, False),
        (0.50, 0.0501, True),  # projected SEOF gain - baseline > 0.05 (§9.1)
    ],
)
def test_opportunity_thresholds__probability_030_gain_005(probability, gain, fires, monkeypatch):
    st, sub = _warm()
    assert bool(_env_signals(st, sub, probability, gain, monkeypatch)) is fires


def _g(gid, skills, tier="OPERATIONAL", origin="EXPLORATORY"):
    return Goal(
        id=gid,
        origin=origin,
        tier=tier,
        metric=f"m{gid}",
        target=1,
        baseline=0,
        skills=skills,
        created=0,
        deadline=100,
    )


def test_novelty__030_passes_just_below_fails():
    # similarity = 0.50 jaccard + 0.25 horizon + 0.25 origin; novelty = 1 - similarity
    existing = [_g(1, ("a", "b", "c", "d", "e"), tier="TACTICAL", origin="GAP_FILLING")]
    at = _g(
        2, ("a", "b", "c", "d", "e", "f", "g"), tier="OPERATIONAL", origin="GAP_FILLING"
    )  # 0.5*5/7+0.125+0.25
    ok, n = passes_novelty(at, existing)
    assert n == pytest.approx(1 - (0.5 * 5 / 7 + 0.125 + 0.25)) and n < K.MIN_NOVELTY and not ok
    fresh = _g(3, ("a", "b", "x", "y"), tier="OPERATIONAL", origin="GAP_FILLING")  # 0.5*2/7+0.125+0.25
    ok2, n2 = passes_novelty(fresh, existing)
    assert n2 >= K.MIN_NOVELTY and ok2


@pytest.mark.parametrize(
    "new_skills, strategy",
    [
        (("a", "b", "c"), "synthesis"),  # jaccard 3/10 = 0.30: merge
        (("a", "b", "x", "y", "z", "q", "r"), "sequential"),  # 2/12 < 0.30: tiers adjacent -> defer
    ],
)
def test_synthesis_overlap__030(new_skills, strategy):
    old = _g(1, ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"))
    new = _g(2, new_skills)
    if strategy == "synthesis":
        assert gg.jaccard(new.skills, old.skills) == pytest.approx(0.30)
    assert gg.resolve_conflict(new, old, 0) == strategy


def test_conflict_history__capacity_500_and_repeat_3_in_200_suppresses():
    st = AgentState.new({"hash": 1.0})
    h = st.l49.conflict_history
    pair = "EXPLORATORY|GAP_FILLING"
    for c in (0, 150, 349, 351):  # never three inside one 200-cycle window
        h.append((c, "EXPLORATORY", "GAP_FILLING", "sequential"))
        _note_repeats(st, "EXPLORATORY", "GAP_FILLING", c)
        assert pair not in st.l49.suppressed_pairs, c
    h.append((352, "GAP_FILLING", "EXPLORATORY", "sequential"))  # 349, 351, 352: three in 200 (either order)
    _note_repeats(st, "GAP_FILLING", "EXPLORATORY", 352)
    assert st.l49.suppressed_pairs[pair] == 352 + K.CONFLICT_REPEAT_WINDOW
    assert K.CONFLICT_HISTORY_CAPACITY == 500


def test_conflict_history__bounded_at_500_entries():
    from agents.cognition.orchestrator import _emit

    st, _ = _warm()
    st.l49.conflict_history = [(0, "EXPLORATORY", "GAP_FILLING", "sequential")] * 600
    d = st.substrate.resources.dims["memory"]
    d.level = 0.30 * d.capacity  # free share 0.05: two goals committing 0.05 + 0.10 conflict
    old = Goal(
        id=90,
        origin="GAP_FILLING",
        tier="OPERATIONAL",
        metric="confidence:hash",
        target=1,
        baseline=0,
        skills=("hash",),
        created=0,
        deadline=300,
        status="ACTIVE",
        resource="memory",
        commit=0.05,
    )
    new = Goal(
        id=91,
        origin="OPPORTUNITY_DRIVEN",
        tier="OPERATIONAL",
        metric="won:sort",
        target=5,
        baseline=0,
        skills=("sort", "bidding"),
        created=40,
        deadline=300,
        resource="memory",
        commit=0.10,
    )
    st.substrate.goals.goals.append(old)
    _emit(st, "goal", new, 1.0, (), 40)
    assert len(st.l49.conflict_history) == K.CONFLICT_HISTORY_CAPACITY
    assert st.l49.conflict_history[-1][1:3] == ("OPPORTUNITY_DRIVEN", "GAP_FILLING")


def _sub(**kw):
    base = dict(
        rho=0.5,
        iis=0.95,
        mce=0.02,
        lyapunov_ok_share=1.0,
        eu=0.05,
        pathologies=(),
        instability_cluster=False,
        rho_excess_run=0,
    )
    base.update(kw)
    return type("S", (), base)()


def _ready():
    return ActivationState(
        no_pathology_streak=K.STABLE_GOALSTACK_CYCLES,
        eu_streak=K.EU_CYCLES,
        no_cluster_streak=K.NO_INSTABILITY_CYCLES,
    )


@pytest.mark.parametrize(
    "change, failing",
    [
        ({"iis": 0.8499}, "l48_qualified"),
        ({"mce": 0.10}, "l48_qualified"),
        ({"lyapunov_ok_share": 0.9499}, "l48_qualified"),
        ({"rho_excess_run": K.RHO_EXCESS_PERSISTENCE_CYCLES}, "l48_qualified"),
        ({"mce": 0.08}, "self_model_calibration"),
        ({"pathologies": (("conflict", (1, 2)),)}, "stable_goalstack"),
        ({"eu": 0.20}, "world_model"),
        ({"instability_cluster": True}, "no_instability"),
    ],
)
def test_activation_criteria__each_at_its_limit_fails(change, failing):
    ok = criteria(_ready(), _sub())
    assert all(ok.values())
    c = criteria(_ready(), _sub(**change))
    assert not c[failing]


def test_activation_criteria__just_inside__pass():
    c = criteria(
        _ready(),
        _sub(
            iis=0.85,
            mce=0.0799,
            lyapunov_ok_share=0.95,
            eu=0.1999,
            rho_excess_run=K.RHO_EXCESS_PERSISTENCE_CYCLES - 1,
        ),
    )
    assert all(c.values()), c


def test_activation_criteria__sms_085():
    # SMS = mean(1 - MCE, Lyapunov share, 1 - EU, IIS): (1 + 0.95 + 0.65 + 0.80) / 4 = 0.85
    assert criteria(_ready(), _sub(mce=0.0, lyapunov_ok_share=0.95, eu=0.35, iis=0.80))["sms"] is True
    assert criteria(_ready(), _sub(mce=0.0, lyapunov_ok_share=0.949, eu=0.35, iis=0.80))["sms"] is False


def _ledger(**kw):
    base = dict(
        cycles=3000,
        l49_ticks=600,
        survival_ticks=3000,
        vv_valid_cycles=3000,
        generated=10,
        approved=5,
        completed_autonomous=1,
        sum_value_alignment=4.0,
        max_drift=0.1,
        mutations_applied=2,
        mutations_sandboxed=2,
        mutations_violated=0,
        survival_err_sum=1.0,
        survival_err_n=10,
        adaptations=1,
        unplanned_depletions=0,
        predictions=10,
        correct=6,
        trust_err_sum=1.0,
        trust_err_n=10,
        recommendations=3,
        max_rho=0.5,
        min_iis=0.9,
        proposed=100,
        vetoed=14,
        rollbacks=5,
        l48_ok=True,
    )
    base.update(kw)
    return AuditLedger(**base)


def test_audit__every_criterion_at_its_target_passes_and_qualifies():
    r = audit_report(_ledger())
    assert all(c.passed for c in r.criteria), [c for c in r.criteria if not c.passed]
    assert r.ams == pytest.approx(1.0) and r.qualified


@pytest.mark.parametrize(
    "change, cid",
    [
        ({"generated": 4, "approved": 4, "sum_value_alignment": 3.2}, "AG-1"),
        ({"generated": 10, "approved": 2, "sum_value_alignment": 1.6}, "AG-2"),
        ({"completed_autonomous": 0}, "AG-3"),
        ({"sum_value_alignment": 3.4995}, "AG-4"),
        ({"vv_valid_cycles": 2999}, "VR-1"),
        ({"max_drift": 0.25}, "VR-2"),
        ({"mutations_sandboxed": 1}, "VR-3"),
        ({"mutations_applied": 20, "mutations_sandboxed": 20, "mutations_violated": 2}, "VR-4"),
        ({"survival_ticks": 2999}, "RA-1"),
        ({"survival_err_sum": 2.0}, "RA-2"),
        ({"adaptations": 0}, "RA-3"),
        ({"unplanned_depletions": 1}, "RA-4"),
        ({"correct": 5}, "MA-1"),
        ({"trust_err_sum": 1.5}, "MA-2"),
        ({"recommendations": 2}, "MA-3"),
        ({"max_rho": 0.98}, "AS-1"),
        ({"min_iis": 0.8799}, "AS-2"),
        ({"vetoed": 15}, "AS-3"),
        ({"rollbacks": 6}, "AS-4"),
        ({"l48_ok": False}, "AS-5"),
    ],
)
def test_audit__each_criterion_just_past_its_target_fails(change, cid):
    r = audit_report(_ledger(**change))
    by = {c.id: c for c in r.criteria}
    assert not by[cid].passed and not r.qualified
    assert [c.id for c in r.criteria if not c.passed] == [cid]


def test_ams__080_threshold():
    from agents.cognition import audit as audit_mod

    crit = audit_mod.criteria(_ledger())
    weights = K.AMS_WEIGHTS
    assert K.AMS_THRESHOLD == 0.80 and sum(weights.values()) == pytest.approx(1.0)
    # AG (0.25) scoring 0.2 drops AMS to exactly 0.80; a hair lower fails even with every other 1.0
    sub = dict.fromkeys(weights, 1.0)
    sub["AG"] = 0.2
    assert sum(weights[k] * sub[k] for k in weights) == pytest.approx(0.80)
    assert len(crit) == 20


def test_sandbox__goal_attainment_minus_10pct_edge():
    at = PendingMutation(1, [0.0] * 7, 0, "x", evaluated=200, sum_attain_prod=100.0, sum_attain_shadow=90.0)
    assert sandbox_verdict(at, 200) == "APPROVED"  # -10 % exactly: change >= -0.10 passes
    below = PendingMutation(
        2, [0.0] * 7, 0, "x", evaluated=200, sum_attain_prod=100.0, sum_attain_shadow=89.99
    )
    assert sandbox_verdict(below, 200) == "REJECTED" and below.failure.startswith("goal_attainment_drop")
