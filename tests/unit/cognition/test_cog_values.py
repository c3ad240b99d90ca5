"""Phase 2: drift classes and their actions, mutation limits, the sandbox and its timeout, coherence."""

import pytest

from agents.cognition import constants as K
from agents.cognition.coherence import coherence, extended_coherence, tension
from agents.cognition.mutation_sandbox import (
    PendingMutation,
    delta_of,
    precheck,
    propose_step,
    sandbox_step,
    sandbox_verdict,
)
from agents.cognition.values import (
    ValueState,
    classify_drift,
    drift_actions,
    is_valid_value_vector,
    total_drift,
    value_drift_monitor,
)

BASE = list(K.DEFAULT_VALUE_WEIGHTS)
ONES = [1.0] * 7


@pytest.mark.parametrize(
    "drift, cls",
    [
        (0.0999, "nominal"),
        (0.10, "moderate"),
        (0.2499, "moderate"),
        (0.25, "elevated"),
        (0.3999, "elevated"),
        (0.40, "critical"),
    ],
)
def test_drift_classification__edges(drift, cls):
    assert classify_drift(drift) == cls


def test_drift_actions__per_class():
    assert drift_actions("nominal") == ()
    assert drift_actions("moderate") == ("active_monitoring",)
    assert drift_actions("elevated") == ("freeze_mutations",)
    assert drift_actions("critical") == ("freeze_mutations", "revert_to_checkpoint")


def _shifted(delta):
    w = list(BASE)
    w[0] += delta
    w[4] -= delta
    return w


def test_monitor__elevated__freezes_mutations_keeps_weights():
    vs = ValueState(weights=_shifted(0.13), baseline=list(BASE), checkpoint=list(BASE))
    status = value_drift_monitor(vs, stable=True)
    assert status.classification == "elevated"
    assert vs.mutations_frozen and vs.weights == _shifted(0.13)
    assert vs.checkpoint == BASE  # an elevated vector is never a stable checkpoint


def test_monitor__critical__reverts_to_checkpoint():
    cp = _shifted(0.02)
    far = [0.31, 0.25, 0.15, 0.10, 0.05, 0.10, 0.04]  # drift 0.42
    assert total_drift(far, BASE) == pytest.approx(0.42)
    vs = ValueState(weights=list(far), baseline=list(BASE), checkpoint=cp)
    status = value_drift_monitor(vs, stable=True)
    assert status.classification == "critical" and vs.weights == cp and vs.mutations_frozen


def test_monitor__back_to_nominal__unfreezes_and_checkpoints():
    vs = ValueState(weights=_shifted(0.02), baseline=list(BASE), checkpoint=list(BASE), mutations_frozen=True)
    value_drift_monitor(vs, stable=True)
    assert not vs.mutations_frozen and vs.checkpoint == _shifted(0.02)
    vs2 = ValueState(weights=_shifted(0.02), baseline=list(BASE), checkpoint=list(BASE))
    value_drift_monitor(vs2, stable=False)
    assert vs2.checkpoint == BASE


def _stability_up(d):
    rest = 1.0 - BASE[0]
    return [BASE[0] + d] + [x * (rest - d) / rest for x in BASE[1:]]


def test_monitor__sustained_velocity__alert_and_rate_halved():
    vs = ValueState(weights=list(BASE), baseline=list(BASE), checkpoint=list(BASE))
    alerts = ()
    for k in range(1, 6):  # +0.075 per 50 cycles on stability = 0.0015 per cycle > 0.001
        vs.weights = _stability_up(0.075 * k)
        alerts = value_drift_monitor(vs, stable=True).alerts
        if k < 4:
            assert vs.rate_factor[0] == 1.0
    assert vs.sustained[0] >= K.SUSTAINED_DRIFT_CYCLES
    assert "Sustained drift in 'stability'" in alerts
    assert vs.rate_factor[0] == K.SUSTAINED_DRIFT_RATE_FACTOR


def test_precheck__single_mutation_limit():
    ok = propose_step(BASE, 1, 0.05)
    assert precheck(BASE, ok, BASE, ONES, 0, 0, False) == []
    too_big = propose_step(BASE, 1, 0.0501)
    assert "single_mutation_exceeded:growth" in precheck(BASE, too_big, BASE, ONES, 0, 0, False)
    halved = [1.0, 0.5] + [1.0] * 5
    assert "single_mutation_exceeded:growth" in precheck(
        BASE, propose_step(BASE, 1, 0.03), BASE, halved, 0, 0, False
    )


def test_precheck__cumulative_drift_limit_015():
    cur = propose_step(propose_step(BASE, 1, 0.05), 1, 0.05)
    nxt = propose_step(list(cur), 1, 0.05)
    assert abs(nxt[1] - BASE[1]) == pytest.approx(0.15)
    # +0.15 on one dimension is -0.15 spread over the others: TotalDrift 0.30, refused before the sandbox
    assert precheck(list(cur), nxt, BASE, ONES, 0, 0, False) == ["projected_drift_limit"]
    beyond = propose_step(list(nxt), 1, 0.01)
    assert "cumulative_drift_exceeded:growth" in precheck(list(nxt), beyond, BASE, ONES, 0, 0, False)


def test_precheck__projected_total_drift_reaching_025__refused_before_sandbox():
    from agents.cognition.values import total_drift

    cur = propose_step(propose_step(BASE, 1, 0.05), 1, 0.05)  # growth +0.10: TotalDrift 0.20
    just = propose_step(list(cur), 1, 0.0249)
    reach = propose_step(list(cur), 1, 0.026)
    assert total_drift(just, BASE) < 0.25 <= total_drift(reach, BASE)
    assert precheck(list(cur), just, BASE, ONES, 0, 0, False) == []
    assert precheck(list(cur), reach, BASE, ONES, 0, 0, False) == ["projected_drift_limit"]


def test_precheck__rate_pending_and_freeze_limits():
    p = propose_step(BASE, 1, 0.03)
    assert precheck(BASE, p, BASE, ONES, 2, 1, False) == []
    assert "mutation_rate_exceeded" in precheck(BASE, p, BASE, ONES, 3, 0, False)
    assert "too_many_pending" in precheck(BASE, p, BASE, ONES, 0, 2, False)
    assert "mutations_frozen" in precheck(BASE, p, BASE, ONES, 0, 0, True)


SEOF_IN = (0.0, 0.0, 0.5, 0.95, 0.0)
IV = (1.0, 1.0, 1.0, 1.0, 1.0)


def test_sandbox__approves_after_exactly_200_cycles():
    pm = PendingMutation(1, delta_of(BASE, propose_step(BASE, 1, 0.03)), opened=0, reason="growth")
    for c in range(199):
        sandbox_step(pm, BASE, BASE, SEOF_IN, IV, [])
        assert sandbox_verdict(pm, c) == "PENDING"
    sandbox_step(pm, BASE, BASE, SEOF_IN, IV, [])
    assert sandbox_verdict(pm, 199) == "APPROVED"


def test_sandbox__timeout_at_250_cycles_without_200_evaluations():
    pm = PendingMutation(1, delta_of(BASE, propose_step(BASE, 1, 0.03)), opened=100, reason="growth")
    for _ in range(150):
        sandbox_step(pm, BASE, BASE, SEOF_IN, IV, [])
    assert sandbox_verdict(pm, 349) == "PENDING"
    assert sandbox_verdict(pm, 350) == "TIMEOUT" and pm.failure == "timeout"


def test_sandbox__seof_drop_beyond_003__rejected():
    pm = PendingMutation(1, [0.0] * 7, opened=0, reason="x", evaluated=200, sum_dseof=-0.0301 * 200)
    assert sandbox_verdict(pm, 200) == "REJECTED" and pm.failure.startswith("seof_drop")
    ok = PendingMutation(2, [0.0] * 7, opened=0, reason="x", evaluated=200, sum_dseof=-0.0299 * 200)
    assert sandbox_verdict(ok, 200) == "APPROVED"


def test_sandbox__goal_attainment_drop_beyond_10pct__rejected():
    pm = PendingMutation(1, [0.0] * 7, 0, "x", evaluated=200, sum_attain_prod=100.0, sum_attain_shadow=89.0)
    assert sandbox_verdict(pm, 200) == "REJECTED" and pm.failure.startswith("goal_attainment_drop")


def test_sandbox__invariant_break__rejected():
    shadow = list(BASE)
    shadow[0] += 0.13
    shadow[4] -= 0.08
    shadow[6] -= 0.05
    pm = PendingMutation(1, delta_of(BASE, shadow), 0, "x")
    for _ in range(200):
        sandbox_step(pm, BASE, BASE, SEOF_IN, IV, [])
    assert sandbox_verdict(pm, 200) == "REJECTED" and pm.failure == "invariant_violated"


def test_coherence__seed_tension_is_zero_on_the_simplex():
    assert tension(0.6, 0.3) == 0.0 and tension(0.7, 0.5) == pytest.approx(0.2)
    assert coherence(BASE) == 1.0
    extreme = [0.60, 0.02, 0.02, 0.02, 0.30, 0.02, 0.02]
    assert is_valid_value_vector(extreme)
    assert coherence(extreme) == 1.0
    assert extended_coherence(extreme) < extended_coherence(BASE) <= 1.0
