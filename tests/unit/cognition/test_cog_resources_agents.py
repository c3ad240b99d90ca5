"""Phases 3-4: survival under the four scenarios, classes, cascades (depth <= 2), trust, strategies."""

import math

import pytest

from agents.cognition import constants as K
from agents.cognition.beliefs import AgentModel, BeliefState, classify_strategy, observe_interactions
from agents.cognition.dependencies import cascade
from agents.cognition.interaction import recommend
from agents.cognition.observation import CounterpartyOutcome
from agents.cognition.resources import ResourceDim, ResourceVector
from agents.cognition.survival import classify_survival, depletion_time, project_dim, survival_projection
from agents.cognition.trust import trust_level, update_trust


def test_depletion_time__definition_6():
    assert depletion_time(105.0, 5.0, 2.0, 1.0) == pytest.approx(100.0)
    assert depletion_time(5.0, 5.0, 2.0, 1.0) == 0.0
    assert math.isinf(depletion_time(100.0, 5.0, 1.0, 1.0))  # gap 5: not depleting -> unbounded
    assert math.isinf(depletion_time(100.0, 5.0, 1.0, 3.0))


def test_four_scenarios__consumption_multipliers():
    d = ResourceDim(level=105.0, capacity=100.0, consumption=2.0, replenishment=0.0, samples=1)
    p = project_dim(d)  # (105 - 5) / (2 x factor)
    assert p.t_baseline == pytest.approx(50.0)
    assert p.t_adverse == pytest.approx(100 / 2.6)
    assert p.t_optimist == pytest.approx(100 / 1.6)
    assert p.t_crisis == pytest.approx(25.0)
    assert p.t_crisis < p.t_adverse < p.t_baseline < p.t_optimist


def test_four_scenarios__replenished_resource_fails_only_in_crisis():
    d = ResourceDim(level=100.0, capacity=100.0, consumption=1.0, replenishment=1.5, samples=1)
    p = project_dim(d)
    assert math.isinf(p.t_baseline) and math.isinf(p.t_adverse) and math.isinf(p.t_optimist)
    assert p.t_crisis == pytest.approx(95 / 0.5)


@pytest.mark.parametrize(
    "h, cls",
    [
        (500.01, "abundant"),
        (500, "adequate"),
        (200, "adequate"),
        (199.99, "constrained"),
        (100, "constrained"),
        (99.99, "warning"),
        (50, "warning"),
        (49.99, "critical"),
        (math.inf, "abundant"),
    ],
)
def test_survival_classes__edges(h, cls):
    assert classify_survival(h) == cls


@pytest.mark.parametrize(
    "net, cls",
    [(0.1, "abundant"), (0.4, "adequate"), (0.8, "constrained"), (1.5, "warning"), (3.0, "critical")],
)
def test_survival_projection__bottleneck_and_class(net, cls):
    rv = ResourceVector()
    for _name, d in rv.dims.items():
        d.level, d.capacity, d.samples = 100.0, 100.0, 1
    rv.dims["compute"].consumption = net
    st = survival_projection(rv)
    assert st.bottleneck == "compute" and st.state == cls
    assert st.min_survival == pytest.approx(95.0 / net)
    assert st.worst_case == pytest.approx(95.0 / (2 * net))


def test_survival_projection__mutation_budget_not_a_survival_threat():
    rv = ResourceVector()
    for d in rv.dims.values():
        d.level, d.capacity, d.samples = 1.0, 1.0, 1
    rv.dims["mutation"].level = 0.0
    st = survival_projection(rv)
    assert st.per_dim["mutation"].t_baseline == 0.0 and math.isinf(st.min_survival)


def test_cascade__depth_counts_hops_and_projection_stops_at_two():
    fr = {"compute": 1.0, "memory": 0.0, "observation": 0.26, "mutation": 1.0, "stability": 0.26}
    res = cascade(fr)
    # memory -> compute (0.4 x 0.25 = 0.10 -> 0.90 stays above warning): no propagation
    assert res.depth == 0 and res.projected["compute"] == pytest.approx(0.90)
    fr = {"compute": 0.26, "memory": 0.0, "observation": 0.30, "mutation": 1.0, "stability": 0.251}
    res = cascade(fr)
    assert ("memory", "compute", "observation", "stability") in res.chains
    assert res.depth == 3  # the untruncated chain: condition 5 is violated
    assert res.projected["observation"] < 0.25  # hop 2 applied
    assert res.projected["stability"] == 0.251  # hop 3 not projected (depth <= 2)


def test_cascade__formula_alpha_one_minus_sigma():
    fr = {"compute": 0.05, "memory": 1.0, "observation": 1.0, "mutation": 1.0, "stability": 1.0}
    res = cascade(fr, substitution=0.5)
    assert res.projected["mutation"] == pytest.approx(1.0 - 0.8 * 0.5 * 0.20)
    assert res.projected["observation"] == pytest.approx(1.0 - 0.6 * 0.5 * 0.20)


def test_trust__asymmetric_rates():
    assert update_trust(0.5, 1.0) == pytest.approx(0.5 + 0.03 * 0.5)
    assert update_trust(0.5, 0.0) == pytest.approx(0.5 - 0.08 * 0.5)
    assert update_trust(0.5, 0.5) == pytest.approx(0.5)


def test_trust__bounds_005_095():
    t = 0.5
    for _ in range(2000):
        t = update_trust(t, 1.0)
    assert t == K.TRUST_MAX
    for _ in range(2000):
        t = update_trust(t, 0.0)
    assert t == K.TRUST_MIN


def test_trust__lost_faster_than_gained():
    up = down = 0
    t = 0.5
    while t < 0.7:
        t, up = update_trust(t, 1.0), up + 1
    t = 0.7
    while t > 0.5:
        t, down = update_trust(t, 0.0), down + 1
    assert down < up


@pytest.mark.parametrize(
    "t, lvl",
    [
        (0.75, "high"),
        (0.7499, "moderate"),
        (0.40, "moderate"),
        (0.3999, "low"),
        (0.20, "low"),
        (0.1999, "minimal"),
    ],
)
def test_trust_levels__edges(t, lvl):
    assert trust_level(t) == lvl


@pytest.mark.parametrize(
    "pos, align, n, cls",
    [
        (0.71, 0.31, 10, "cooperative"),
        (0.70, 0.31, 10, "neutral"),
        (0.71, 0.30, 10, "neutral"),
        (0.51, 0.0, 10, "neutral"),
        (0.51, -0.30, 10, "neutral"),
        (0.29, -0.31, 10, "competitive"),
        (0.30, -0.31, 10, "competitive"),
        (0.9, 0.9, 4, "unknown"),
        (0.6, -0.8, 10, "neutral"),
        (0.4, 0.5, 10, "competitive"),
    ],
)
def test_strategy_classification_table(pos, align, n, cls):
    assert classify_strategy(pos, align, n) == cls


def _it(i, ok=True, role="provider"):
    return CounterpartyOutcome(
        counterparty=f"0x{i:040x}", role=role, delivered_on_time=ok, paid=ok, disputed=not ok, cooperative=ok
    )


def test_beliefs__at_most_five_models_most_interactions_win():
    bs = BeliefState()
    for i in range(1, 6):
        observe_interactions(bs, (_it(i),))
    assert len(bs.models) == 5
    observe_interactions(bs, (_it(9), _it(9)))  # 2 interactions beats the weakest (1)
    assert len(bs.models) == 5 and f"provider:0x{9:040x}" in bs.models


def test_beliefs__predictions_scored_before_learning():
    bs = BeliefState()
    for _ in range(5):
        observe_interactions(bs, (_it(1),))
    m = bs.models[f"provider:0x{1:040x}"]
    assert m.strategy == "cooperative"
    assert observe_interactions(bs, (_it(1, ok=False),)) == (1, 0)
    assert observe_interactions(bs, (_it(1),)) == (1, 1)


def test_interaction__competitive_is_maximin_avoid():
    m = AgentModel("0x" + "1" * 40, interactions=20, positives=2, strategy="competitive", trust=0.3)
    assert recommend(m, 0.05).action == "AVOID"


def test_interaction__trusted_cooperator_cooperates():
    m = AgentModel("0x" + "1" * 40, interactions=20, positives=19, strategy="cooperative", trust=0.9)
    r = recommend(m, 0.05)
    assert r.action == "COOPERATE" and r.expected_self_outcome > 0 and r.expected_agent_outcome > 0


def test_interaction__moderate_trust_never_unverified():
    m = AgentModel("0x" + "1" * 40, interactions=20, positives=19, strategy="cooperative", trust=0.6)
    assert recommend(m, 0.05).action == "VERIFY"


def test_interaction__minimal_trust_treated_as_competitive():
    m = AgentModel("0x" + "1" * 40, interactions=20, positives=19, strategy="cooperative", trust=0.1)
    r = recommend(m, 0.05)
    assert r.strategy == "competitive" and r.action == "AVOID"


def test_interaction__unknown_is_conservative():
    m = AgentModel("0x" + "1" * 40, interactions=2, strategy="unknown", trust=0.5)
    assert recommend(m, 0.05).action == "VERIFY"
    m.trust = 0.06
    assert recommend(m, 0.05).action == "AVOID"
