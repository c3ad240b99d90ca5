"""The L4.8 substrate: rho(J), Lyapunov, identity, SEOF, capabilities, world model."""

import random

import pytest

from agents.cognition import constants as K
from agents.cognition.capability import CapabilityMatrix, feasibility
from agents.cognition.dynamics import estimate_jacobian, lyapunov, lyapunov_non_increasing, spectral_radius
from agents.cognition.identity import identity_hash, identity_integrity
from agents.cognition.seof import BASE_WEIGHTS, seof, value_weighted
from agents.cognition.world_model import WorldModelState, environmental_uncertainty, scenarios, update_world


def _ar_window(a, n=20, seed=0):
    r = random.Random(seed)
    x = [0.1] * 5
    out = []
    for _ in range(n):
        x = [a * v + r.gauss(0, 0.05) for v in x]
        out.append(list(x))
    return out


def test_rho__not_estimable_before_20_states():
    w = _ar_window(0.5, 19)
    assert spectral_radius(w) is None and estimate_jacobian(w) is None
    assert spectral_radius(_ar_window(0.5, 20)) is not None


def test_rho__recovers_a_known_contraction():
    r = random.Random(3)
    x = [1.0, 0.0, 0.5, -0.5, 0.2]
    w = []
    for _ in range(20):
        x = [
            0.9 * x[0] + r.gauss(0, 0.01),
            0.5 * x[1] + 0.3 * x[0] + r.gauss(0, 0.01),
            0.2 * x[2] + r.gauss(0, 0.01),
            0.7 * x[3] + r.gauss(0, 0.01),
            0.4 * x[4] + r.gauss(0, 0.01),
        ]
        w.append(list(x))
    rho = spectral_radius(w)
    assert 0.75 < rho < 0.95  # true 0.9, shrunk slightly by the ridge


def test_rho__still_system_is_zero():
    assert spectral_radius([[0.5] * 5] * 20) == 0.0


def test_rho__component_that_steps_only_at_the_window_edge__left_out_of_the_fit():
    # seen in the offline audit (seed 3): goal progress sat at 0, then rose in the last two transitions;
    # with it in the fit, least squares gave it a self-coefficient of 2.4 and rho 2.37
    r = random.Random(5)
    w, x = [], [0.5, 0.0, 0.97, 0.03, 0.99]
    for t in range(20):
        x = [
            0.5,
            0.0 if t < 18 else (0.02 if t == 18 else 0.06),
            0.97,
            0.6 * x[3] + 0.012 + r.gauss(0, 0.005),
            0.99 + r.gauss(0, 0.002),
        ]
        w.append(list(x))
    j = estimate_jacobian(w)
    assert all(v == 0.0 for v in j[1]) and all(row[1] == 0.0 for row in j)  # no row or column for it
    assert spectral_radius(w) < K.RHO_LIMIT


def test_rho__divergent_component_moving_every_transition__still_detected():
    w, x = [], 0.01
    r = random.Random(1)
    for _ in range(20):
        x = 1.15 * x + r.gauss(0, 0.002)
        w.append([0.5, x, 0.97, 0.03, 0.99])
    assert spectral_radius(w) > 1.0


def test_lyapunov__formula_and_tolerance():
    assert lyapunov(1.0, 0.0, 0.0, K.LYAPUNOV_E_STAR) == 0.0
    assert lyapunov(0.0, 1.0, 1.0, 1.5) == pytest.approx(0.357 + 0.286 + 0.214 + 0.143)
    assert lyapunov_non_increasing(0.5, 0.505) and not lyapunov_non_increasing(0.5, 0.5051)


def test_identity_integrity__and_hash():
    assert identity_integrity((1.0,) * 5) == 1.0
    iv = (1.0, 1.0, 1.0, 1.0, 1.0 - 0.12 * 5**0.5)
    assert identity_integrity(iv) == pytest.approx(0.88)
    h = identity_hash((0.9, 0.8, 0.7, 0.6, 0.5))
    assert len(h) == 64 and h == identity_hash((0.9, 0.8, 0.7, 0.6, 0.5)) != identity_hash((0.9,) * 5)


def test_seof__formula_and_clamp():
    assert seof(0.0, 0.0, 0.5, 0.9, 0.1) == pytest.approx(0.25 + 0.10 + 0.18 - 0.01)
    assert seof(10.0, -10.0, 1, 1, 0) == 1.0
    assert value_weighted(BASE_WEIGHTS, K.DEFAULT_VALUE_WEIGHTS, K.DEFAULT_VALUE_WEIGHTS) == pytest.approx(
        BASE_WEIGHTS
    )


def test_capability__calibration_needs_10_samples_and_mce():
    cm = CapabilityMatrix()
    sk = cm.skill("hash")
    for _ in range(4):
        sk.record(2, 0)
    assert sk.calibration_error is None and cm.mce() is None
    sk.record(2, 0)
    assert sk.samples == 10 and sk.success_rate == 1.0
    assert cm.mce() == pytest.approx(sk.calibration_error) and 0 < cm.mce() < 0.5
    assert feasibility(cm, ("hash", "never_seen")) == pytest.approx(sk.confidence * K.CAPABILITY_PRIOR)


def test_world_model__eu_falls_with_steady_evidence():
    wm = WorldModelState()
    assert environmental_uncertainty(wm) == 1.0
    for _ in range(100):
        update_world(wm, [1.0, 20.0, 10.0, 0.05, 2.0], {"hash": 10.0})
    assert environmental_uncertainty(wm) < K.EU_LIMIT
    names = {s.name for s in scenarios(wm)}
    assert set(K.SCENARIO_PRIORS) <= names and "DEMAND_UP:hash" in names
    assert sum(p for p in wm.scenario_probs.values()) == pytest.approx(1.0)


def test_world_model__rising_market_makes_optimistic_opportunistic():
    wm = WorldModelState()
    for i in range(60):
        update_world(wm, [1.0, 20.0 * 1.08**i, 10.0 * 1.05**i, 0.05, 2.0], {"hash": 10.0 * 1.05**i})
    opp = {s.name: s for s in scenarios(wm) if s.type == "OPPORTUNISTIC"}
    assert opp["DEMAND_UP:hash"].probability > K.OPPORTUNISTIC_MIN_PROBABILITY
    steady = WorldModelState()
    r = random.Random(1)
    for _ in range(40):
        update_world(steady, [1.0, 20.0 + r.gauss(0, 0.5), 10.0 + r.gauss(0, 0.2), 0.05, 2.0], {})
    for k in range(1, 4):  # arrivals and prices step up: market health rises
        update_world(steady, [1.0, 20.0 * 1.3**k, 10.0 * 1.2**k, 0.05, 2.0], {})
    assert steady.scenario_probs["OPTIMISTIC"] > K.SCENARIO_PRIORS["OPTIMISTIC"]
    assert steady.scenario_probs["OPTIMISTIC"] > steady.scenario_probs["PESSIMISTIC"]
