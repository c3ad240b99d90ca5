"""The whole cycle: purity, determinism, persistence, cadence, activation, audit, and the starving agent."""

import json

import pytest

from agents.cognition import (
    AgentState,
    DropGoal,
    InteractionRecommendation,
    PursueGoal,
    qualification_audit,
    step,
)
from agents.cognition import constants as K
from agents.cognition.activation import ActivationState, advance
from agents.cognition.synthetic import PEERS, Market


def run(n, start_phase="FULL", market=None, state=None):
    st = state or AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase=start_phase)
    m = market or Market()
    results = []
    for c in range(st.cycle, st.cycle + n):
        r = step(st, m.observe(c))
        results.append(r)
        st = r.state
    return st, results


def test_step__pure_input_state_unchanged():
    st, _ = run(30)
    before = json.dumps(st.to_dict(), sort_keys=True)
    step(st, Market(seed=9).observe(30))
    assert json.dumps(st.to_dict(), sort_keys=True) == before


def test_step__deterministic():
    a, ra = run(120)
    b, rb = run(120)
    assert a.to_dict() == b.to_dict()
    assert [r.decisions for r in ra] == [r.decisions for r in rb]


def test_state__json_round_trip_and_identical_continuation():
    st, _ = run(150)
    blob = json.loads(json.dumps(st.to_dict()))
    restored = AgentState.from_dict(blob)
    assert restored.to_dict() == st.to_dict()
    obs = Market(seed=4).observe(150)
    assert step(restored, obs).decisions == step(st, obs).decisions


def test_state__from_dict_rejects_foreign_data():
    blob = AgentState.new({"hash": 1.0}).to_dict()
    with pytest.raises(ValueError):
        AgentState.from_dict({**blob, "version": 99})
    with pytest.raises(KeyError):
        AgentState.from_dict({**blob, "extra": 1})


def test_cadence__l49_every_5th_cycle_drift_monitor_every_50th():
    _, rs = run(100)
    ran = [r.report.cycle for r in rs if r.report.l49_ran]
    assert ran == list(range(4, 100, 5))


def test_rho__reported_not_estimable_until_20_states():
    _, rs = run(25)
    assert all(r.report.rho is None for r in rs[:19])
    assert all(r.report.rho is not None for r in rs[19:])
    assert [r.report.status for r in rs if r.report.l49_ran][:3] == ["WARMING_UP"] * 3


def test_decisions__typed_with_authority_and_veto_flags():
    _, rs = run(200)
    ds = [d for r in rs for d in r.decisions]
    recs = [d for d in ds if isinstance(d, InteractionRecommendation)]
    assert recs and all(d.counterparty.startswith("0x") for d in recs)
    assert all(d.action in ("COOPERATE", "VERIFY", "AVOID") for d in recs)
    for r in rs:
        assert all(d.actionable == (not d.vetoed and d.authority > 0) for d in r.decisions)
        assert set(r.actionable) <= set(r.decisions)


def test_check_phase__l49_inactive_and_nothing_actionable():
    _, rs = run(60, start_phase="CHECK")
    assert {r.report.status for r in rs if r.report.l49_ran} <= {"WARMING_UP", "INACTIVE"}
    assert not [d for r in rs for d in r.actionable]


def test_activation_protocol__timings():
    act = ActivationState()
    ok = dict.fromkeys(("a", "b"), True)
    for c in range(K.PRE_ACTIVATION_CYCLES - 1):
        advance(act, ok, False, c)
    assert act.phase == "CHECK"
    advance(act, ok, False, 99)
    assert act.phase == "SHADOW" and act.phase_start == 99
    advance(act, ok, False, 99 + K.SHADOW_CYCLES - 1)
    assert act.phase == "SHADOW"
    advance(act, ok, False, 99 + K.SHADOW_CYCLES)
    assert act.phase == "ADVISORY"
    advance(act, ok, False, 599 + K.ADVISORY_STAGE_CYCLES)
    assert act.phase == "PARTIAL"
    advance(act, ok, False, 1099 + K.PARTIAL_STAGE_CYCLES)
    assert act.phase == "FULL"


def test_activation_protocol__regressions_return_to_check():
    act = ActivationState(phase="SHADOW", phase_start=0)
    advance(act, {"a": False}, False, 10)
    assert act.phase == "CHECK"
    act = ActivationState(phase="ADVISORY", phase_start=0)
    advance(act, {"a": True}, True, 10)
    assert act.phase == "CHECK"


def test_audit__every_criterion_reported_and_ams_weighted():
    st, _ = run(400)
    rep = qualification_audit(st)
    ids = [c.id for c in rep.criteria]
    assert ids == [
        "AG-1",
        "AG-2",
        "AG-3",
        "AG-4",
        "VR-1",
        "VR-2",
        "VR-3",
        "VR-4",
        "RA-1",
        "RA-2",
        "RA-3",
        "RA-4",
        "MA-1",
        "MA-2",
        "MA-3",
        "AS-1",
        "AS-2",
        "AS-3",
        "AS-4",
        "AS-5",
    ]
    assert not rep.complete and not rep.qualified
    expected = sum(K.AMS_WEIGHTS[k] * rep.subscores[k] for k in K.AMS_WEIGHTS)
    assert rep.ams == pytest.approx(expected)
    by = {c.id: c for c in rep.criteria}
    assert by["VR-1"].passed and by["VR-1"].value == 1.0  # the value vector was valid every cycle
    assert by["MA-3"].value >= 3 and by["MA-3"].passed


def test_audit__period_of_3000_cycles_emits_report_and_restarts():
    st = AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase="FULL")
    st.audit.cycles = K.AUDIT_PERIOD - 1
    r = step(st, Market().observe(0))
    assert r.report.audit is not None and r.report.audit.complete
    assert r.state.audit.cycles == 0 and r.state.audit.start == 1


def test_starving_agent__survival_goals_freeze_and_staged_reenable():
    """abundant -> critical: SURVIVAL_DRIVEN goals, freeze once the resource is exhausted (violation and
    ASS < 0.05), then 100 cycles of monitoring,
    200 advisory, 200 at 50 % and full authority again."""
    m = Market(
        seed=5,
        eth=1.0,
        gas_per_cycle=0.0005,
        eth_topup=0.0,
        success=1.0,
        peer_reliability=dict.fromkeys(PEERS[:5], 1.0),
    )
    st = AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase="FULL")
    reports, decisions, open_auto = [], [], []
    for c in range(800):
        if c == 100:
            m.gas_per_cycle = 0.004  # burn rate x8: the agent starts starving
        if c == 335:  # the resource ran out (horizon 0: ASS 0 with a violation) before the rescue
            m.eth += 2.0  # rescued by a top-up, and income covers gas from now on
            m.gas_per_cycle, m.eth_topup = 0.0005, 0.0006
        r = step(st, m.observe(c))
        st = r.state
        reports.append(r.report)
        decisions.append(r.decisions)
        open_auto.append({g.id for g in st.substrate.goals.open_goals() if g.autonomous})
    states = []
    for rep in reports:
        if not states or states[-1] != rep.survival_state:
            states.append(rep.survival_state)
    assert states[:5] == ["abundant", "adequate", "constrained", "warning", "critical"]
    survival_goals = [
        d for ds in decisions for d in ds if isinstance(d, PursueGoal) and d.origin == "SURVIVAL_DRIVEN"
    ]
    assert any(d.actionable for d in survival_goals)  # acted on while constrained
    warning_ticks = [rep for rep in reports if rep.l49_ran and rep.survival_state == "warning"]
    assert warning_ticks and all(rep.authority == 0.0 and rep.status == "ADVISORY" for rep in warning_ticks)
    freeze = next(rep for rep in reports if rep.status == "FROZEN")
    assert freeze.ass < K.ASS_FREEZE_THRESHOLD and freeze.rollback_stage == "monitor"
    dropped = {
        d.goal_id for d in decisions[freeze.cycle] if isinstance(d, DropGoal) and d.reason == "rollback"
    }
    assert dropped == open_auto[freeze.cycle - 1] and not open_auto[freeze.cycle]
    f = freeze.cycle
    ticks = [rep for rep in reports if rep.l49_ran and rep.cycle > f]
    first_reenable = next(rep for rep in ticks if rep.rollback_stage != "monitor")
    r0 = first_reenable.cycle
    assert r0 - f >= K.ROLLBACK_MONITOR_CYCLES
    assert all(rep.status == "FROZEN" for rep in ticks if rep.cycle < r0)
    for rep in ticks:
        if r0 <= rep.cycle < r0 + 200:
            assert rep.rollback_stage == "reenable_advisory" and rep.authority == 0.0
        elif r0 + 200 <= rep.cycle < r0 + 400:
            assert rep.rollback_stage == "reenable_partial" and rep.authority == 0.5
        elif rep.cycle >= r0 + 400:
            assert rep.rollback_stage == "normal" and rep.authority == 1.0 and rep.status == "ACTIVE"
    assert reports[-1].survival_state == "abundant" and st.rollback.rollbacks == 1


def test_freeze__drops_l49_goals_reverts_values_freezes_models():
    from agents.cognition.goals import Goal
    from agents.cognition.orchestrator import _freeze

    st, _ = run(40)
    g = Goal(
        id=99,
        origin="EXPLORATORY",
        tier="OPERATIONAL",
        metric="won:verify",
        target=1,
        baseline=0,
        skills=("verify",),
        created=30,
        deadline=300,
        status="ACTIVE",
    )
    ext = Goal(
        id=98,
        origin="EXTERNAL",
        tier="OPERATIONAL",
        metric="coop",
        target=9,
        baseline=0,
        skills=(),
        created=30,
        deadline=300,
        status="ACTIVE",
        autonomous=False,
    )
    st.substrate.goals.goals += [g, ext]
    st.values.weights = [0.22, 0.13, 0.20, 0.10, 0.10, 0.15, 0.10]
    out = []
    _freeze(st, 40, out)
    assert [d.goal_id for d in out if isinstance(d, DropGoal)] == [99]
    assert st.substrate.goals.get(98) is not None and st.substrate.goals.get(99) is None
    assert st.values.weights == st.values.checkpoint
    assert st.beliefs.frozen and st.rollback.phase == "MONITOR" and st.audit.rollbacks == 1


def test_veto__mutation_breaking_drift_limit_is_vetoed_and_not_applied():
    from agents.cognition.mutation_sandbox import PendingMutation
    from agents.cognition.orchestrator import _emit, _mutation_after, _stability_inputs
    from agents.cognition.stability import violations

    st, rs = run(40)
    sub_like = rs[-1]
    base = list(st.values.baseline)
    far = [base[0] + 0.13, base[1] + 0.0, base[2], base[3], base[4] - 0.07, base[5] - 0.06, base[6]]
    pm = PendingMutation(
        7, [f - b for f, b in zip(far, st.values.weights, strict=True)], 0, "stability", status="APPROVED"
    )
    assert sub_like.report.rho is not None
    from agents.cognition.substrate import update_substrate

    probe = st.clone()
    sub = update_substrate(probe.substrate, Market(seed=2).observe(40), probe.values.weights, base, 1.0, 40)
    after = _mutation_after(probe, sub, _stability_inputs(probe, sub), tuple(far))
    v = violations(after)
    assert "VALUE_DRIFT" in v
    d = _emit(probe, "mutation", pm, 1.0, v, 40)
    assert d.vetoed and not d.actionable and probe.values.weights != far
