"""Phase 1: validation matrix at its band edges, similarity/novelty, rate control, conflicts."""

import pytest

from agents.cognition import constants as K
from agents.cognition.goal_generation import conflicts, projected_seof_gain, resolve_conflict
from agents.cognition.goal_rate import (
    RateState,
    can_generate,
    in_cooldown,
    passes_novelty,
    record_generation,
    record_rejection,
    sandbox_has_room,
)
from agents.cognition.goal_validation import (
    DynamicsModel,
    band_feasibility,
    band_purpose,
    band_resource,
    band_stability,
    band_value,
    decide,
    purpose_alignment,
    resource_viability,
    stability_simulation,
    value_alignment,
)
from agents.cognition.goals import Goal, GoalStack, novelty, pathologies, priority, similarity, urgency


@pytest.mark.parametrize(
    "pa, band", [(0.4999, "fail"), (0.50, "marginal"), (0.5999, "marginal"), (0.60, "pass")]
)
def test_purpose_alignment_band__edges(pa, band):
    assert band_purpose(pa) == band


@pytest.mark.parametrize(
    "va, band", [(0.5999, "fail"), (0.60, "marginal"), (0.6999, "marginal"), (0.70, "pass")]
)
def test_value_alignment_band__edges(va, band):
    assert band_value(va) == band


@pytest.mark.parametrize(
    "f, band", [(0.0499, "fail"), (0.05, "marginal"), (0.1499, "marginal"), (0.15, "pass")]
)
def test_feasibility_band__edges(f, band):
    assert band_feasibility(f) == band


@pytest.mark.parametrize("rv, band", [(0.999, "fail"), (1.0, "marginal"), (1.499, "marginal"), (1.5, "pass")])
def test_resource_band__edges(rv, band):
    assert band_resource(rv) == band


@pytest.mark.parametrize(
    "rho, violated, band",
    [
        (0.9499, False, "pass"),
        (0.95, False, "marginal"),
        (0.9999, False, "marginal"),
        (1.0, False, "fail"),
        (0.5, True, "fail"),
        (None, False, "marginal"),
    ],
)
def test_stability_band__edges(rho, violated, band):
    assert band_stability(rho, violated) == band


ALL_PASS = {
    "purpose": "pass",
    "value": "pass",
    "feasibility": "pass",
    "resource": "pass",
    "stability": "pass",
}


def test_decision_matrix__all_pass__approved():
    assert decide(ALL_PASS) == ("approved", None)


@pytest.mark.parametrize("name", list(ALL_PASS))
def test_decision_matrix__one_marginal__sandboxed(name):
    assert decide({**ALL_PASS, name: "marginal"}) == ("sandboxed", "marginal_on_1_criteria")


@pytest.mark.parametrize(
    "name, reason",
    [
        ("purpose", "purpose_misaligned"),
        ("value", "value_misaligned"),
        ("feasibility", "infeasible"),
        ("resource", "insufficient_resources"),
        ("stability", "stability_risk"),
    ],
)
def test_decision_matrix__any_fail__rejected_even_with_marginals(name, reason):
    bands = dict.fromkeys(ALL_PASS, "marginal")
    bands[name] = "fail"
    assert decide(bands) == ("rejected", reason)


def test_purpose_alignment__in_purpose_service_beats_foreign_service():
    prof = K.ORIGIN_VALUE_PROFILES["EXPLORATORY"]
    base = list(K.DEFAULT_VALUE_WEIGHTS)
    purpose = {"hash": 0.5, "sort": 0.5}
    inside = purpose_alignment(prof, base, "hash", purpose)
    outside = purpose_alignment(prof, base, "mine_bitcoin", purpose)
    assert inside >= 0.60 > 0.50 > outside


def test_value_alignment__own_direction_is_perfect():
    v = list(K.DEFAULT_VALUE_WEIGHTS)
    assert value_alignment(tuple(v), v) == pytest.approx(1.0)
    assert value_alignment(K.ORIGIN_VALUE_PROFILES["EXPLORATORY"], v) < 1.0


def test_resource_viability__rdf_over_duration():
    assert resource_viability(150.0, 1.0, 100) == pytest.approx(1.5)


def test_stability_simulation__stable_j_passes_unstable_fails():
    stable = DynamicsModel.from_jacobian([[0.5 if i == j else 0.0 for j in range(5)] for i in range(5)])
    rho, bad = stability_simulation(stable, (1.0, 0.9, 0.95, 0.1, 0.5), 0.1)
    assert rho == pytest.approx(0.5) and not bad
    explosive = DynamicsModel.from_jacobian([[1.2 if i == j else 0.0 for j in range(5)] for i in range(5)])
    rho, bad = stability_simulation(explosive, (1.0, 0.9, 0.95, 0.1, 0.5), 0.1)
    assert rho == pytest.approx(1.2) and bad
    assert stability_simulation(DynamicsModel.from_jacobian(None), (1,) * 5, 0.1) == (None, False)


def _goal(gid, origin="OPPORTUNITY_DRIVEN", tier="TACTICAL", skills=("hash",), **kw):
    return Goal(
        id=gid,
        origin=origin,
        tier=tier,
        metric="won:hash",
        target=5,
        baseline=0,
        skills=skills,
        created=0,
        deadline=100,
        **kw,
    )


def test_similarity__definition_8_weights():
    assert similarity(("a", "b"), "TACTICAL", "X", ("a", "b"), "TACTICAL", "X") == pytest.approx(1.0)
    assert similarity(("a",), "TACTICAL", "X", ("b",), "OPERATIONAL", "Y") == pytest.approx(0.125)
    assert similarity(("a",), "TACTICAL", "X", ("b",), "STRATEGIC", "X") == pytest.approx(0.25)
    assert similarity(("a", "b"), "TACTICAL", "X", ("b", "c"), "TACTICAL", "Y") == pytest.approx(
        0.5 / 3 + 0.25
    )


def test_novelty__duplicate_blocked_distinct_allowed():
    existing = [_goal(1)]
    assert novelty(("hash",), "TACTICAL", "OPPORTUNITY_DRIVEN", existing) == pytest.approx(0.0)
    assert not passes_novelty(_goal(2), existing)[0]
    assert passes_novelty(_goal(3, origin="GAP_FILLING", tier="OPERATIONAL", skills=("sort",)), existing)[0]
    assert novelty(("x",), "TACTICAL", "X", []) == 1.0


def test_rate_controller__five_per_hundred_cycles():
    rs = RateState()
    for c in range(5):
        assert can_generate(rs, c)
        record_generation(rs, c)
    assert not can_generate(rs, 99)
    assert can_generate(rs, 100)


def test_rate_controller__rejection_cooldown_20_cycles():
    rs = RateState()
    record_rejection(rs, "SURVIVAL_DRIVEN:horizon", 10)
    assert in_cooldown(rs, "SURVIVAL_DRIVEN:horizon", 29)
    assert not in_cooldown(rs, "SURVIVAL_DRIVEN:horizon", 30)
    assert not in_cooldown(rs, "EXPLORATORY:won:x", 11)


def test_rate_controller__max_three_sandboxed():
    assert sandbox_has_room(2) and not sandbox_has_room(3)


def test_priority__level2_function_and_urgency():
    assert priority(1.0, 1.0, 1.0) == 1.0
    assert priority(0.4, 0.5, 0.0) == pytest.approx(0.35)
    assert urgency(10, 11) == 1.0
    assert urgency(10, 10) == 0.9
    assert urgency(30, 10) == 0.7
    assert urgency(34, 10) == 0.5


def test_conflict__synthesis_when_skills_overlap():
    a, b = _goal(1, commit=0.6, skills=("hash", "bidding")), _goal(2, commit=0.6, skills=("hash",))
    assert conflicts(a, b, list(K.DEFAULT_VALUE_WEIGHTS), {"memory": 1.0})
    assert resolve_conflict(a, b, 0) == "synthesis"
    assert set(b.skills) == {"hash", "bidding"}


def test_conflict__sequential_defers_lower_priority():
    a = _goal(1, commit=0.6, skills=("hash",), p_base=0.9)
    b = _goal(2, tier="OPERATIONAL", commit=0.6, skills=("sort",), p_base=0.1, status="ACTIVE")
    assert resolve_conflict(a, b, 0) == "sequential"
    assert b.status == "DEFERRED" and b.depends_on == (1,)


def test_conflict__decomposition_for_incompatible_horizons():
    a = _goal(1, tier="TACTICAL", commit=0.6, skills=("hash",))
    b = _goal(2, tier="STRATEGIC", commit=0.6, skills=("sort",))
    assert resolve_conflict(a, b, 0) == "decomposition"
    assert b.tier == "OPERATIONAL" and b.commit == pytest.approx(0.3)


def test_pathologies__conflict_circular_stale():
    st = GoalStack()
    g1 = _goal(1, commit=0.6, status="ACTIVE", depends_on=(2,), last_progress_cycle=0)
    g2 = _goal(2, commit=0.6, status="ACTIVE", depends_on=(1,), last_progress_cycle=50)
    st.goals = [g1, g2]
    kinds = {k for k, _ in pathologies(st, 100)}
    assert kinds == {"conflict", "circular", "stale"}
    assert {k for k, _ in pathologies(st, 99)} == {"conflict", "circular"}


def test_goalstack__tier_capacity():
    st = GoalStack()
    for i in range(3):
        assert st.inject(_goal(i, tier="STRATEGIC", status="ACTIVE"))
    assert not st.inject(_goal(9, tier="STRATEGIC", status="ACTIVE"))


def test_projected_seof_gain__more_demand_and_diversification_gain():
    assert projected_seof_gain(0.5, 1.0, 1.0, 1.5, {"hash": 1.0}, "sort") > K.OPPORTUNITY_THRESHOLD
    assert projected_seof_gain(0.5, 1.0, 1.0, 1.0, {"hash": 1.0}, "hash") == pytest.approx(0.0)
