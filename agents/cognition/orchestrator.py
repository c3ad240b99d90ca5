"""Module 15 (§9.6): L49Orchestrator - the cycle as the seed runs it.

step(state, observation) -> StepResult(state, decisions, report) is pure: the input state is never
modified; the new state is a copy. Every cycle runs the L4.8 substrate; every 5th cycle (cycles 4, 9,
14, ...) runs L4.9's five phases; every 50th cycle runs the value-drift monitor. Phase 5 (the autonomy
stability check) has an absolute veto over the decisions of phases 1-4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents.cognition import constants as K
from agents.cognition import rollback as rbm
from agents.cognition.activation import AUTHORITY, advance, criteria
from agents.cognition.audit import AuditLedger, AuditReport, audit_report
from agents.cognition.beliefs import observe_interactions, split_key
from agents.cognition.capability import feasibility
from agents.cognition.coherence import coherence
from agents.cognition.decisions import (
    ApplyMutation,
    Decision,
    DropGoal,
    InteractionRecommendation,
    PursueGoal,
    SetOperatingMode,
)
from agents.cognition.dependencies import cascade
from agents.cognition.goal_generation import conflicts, detect, profile_of, resolve_conflict, synthesize
from agents.cognition.goal_rate import (
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
from agents.cognition.goals import Goal, goal_priority
from agents.cognition.identity import identity_integrity
from agents.cognition.interaction import Recommendation, recommend
from agents.cognition.mutation_sandbox import (
    AppliedMutation,
    PendingMutation,
    apply_delta,
    delta_of,
    mutation_evidence,
    precheck,
    propose_step,
    sandbox_step,
    sandbox_verdict,
)
from agents.cognition.observation import Observation
from agents.cognition.stability import StabilityInputs, check, classify_ass, violations
from agents.cognition.state import AgentState, SandboxedGoal
from agents.cognition.substrate import SubstrateOutput, SubstrateState, update_goal_progress, update_substrate
from agents.cognition.survival import depletion_time
from agents.cognition.trust import update_trust_samples
from agents.cognition.values import is_valid_value_vector, total_drift, value_drift_monitor

EXPLORATION_FACTOR = {
    "abundant": 1.0,
    "adequate": 1.0,
    "constrained": K.CONSTRAINED_EXPLORATION_FACTOR,
    "warning": K.WARNING_EXPLORATION_FACTOR,
    "critical": 0.0,
}
_VALUE_CONDITIONS = ("SPECTRAL_RADIUS", "IDENTITY", "VALUE_DRIFT")


class CognitionInputError(ValueError):
    """The observation does not fit the state (e.g. out-of-sequence cycle)."""


@dataclass(slots=True, frozen=True)
class CycleReport:
    cycle: int
    l49_ran: bool
    status: str  # WARMING_UP | INACTIVE | FROZEN | FROZEN_SURVIVAL | ADVISORY | PARTIAL | ACTIVE
    activation_phase: str
    rollback_stage: str
    authority: float
    ass: float | None
    ass_class: str | None
    violations: tuple[str, ...]
    survival_state: str
    min_survival: float
    bottleneck: str
    rho: float | None
    iis: float
    identity_hash: str
    seof: float
    eu: float
    mce: float | None
    lyapunov_v: float
    total_drift: float
    drift_class: str
    coherence: float
    value_weights: tuple[float, ...]
    cascade_depth: int
    open_goals: int
    pending_mutations: int
    modeled_agents: int
    rejected: tuple[tuple[str, str], ...] = ()  # (goal signature, reason) this tick
    audit: AuditReport | None = None


@dataclass(slots=True, frozen=True)
class StepResult:
    state: AgentState
    decisions: tuple[Decision, ...]
    report: CycleReport

    @property
    def actionable(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.actionable)


def step(state: AgentState, observation: Observation | Mapping[str, Any]) -> StepResult:
    """Run one cycle. `observation` may be a dict; it is validated either way."""
    obs = observation if isinstance(observation, Observation) else Observation.model_validate(observation)
    if obs.cycle != state.cycle:
        raise CognitionInputError(f"observation for cycle {obs.cycle}, state expects cycle {state.cycle}")
    s = state.clone()
    return _run(s, obs, _Options())


def goal_changes(before: AgentState, result: StepResult) -> dict[str, list[str]]:
    """Origins of the goals the cycle generated, pursued (actionable) and completed: the mind's record
    for reports (metrics["mind"]). `before` is the state the step started from (or its open goals)."""
    was_open = {g.id for g in before.substrate.goals.open_goals()}
    completed = [
        g.origin for g in result.state.substrate.goals.goals if g.id in was_open and g.status == "COMPLETED"
    ]
    return {
        "generated": [
            d.origin for d in result.decisions if isinstance(d, PursueGoal) and d.validation != "merged"
        ],
        "pursued": [d.origin for d in result.actionable if isinstance(d, PursueGoal)],
        "completed": completed,
    }


def step_in_place(state: AgentState, observation: Observation | Mapping[str, Any]) -> StepResult:
    """`step` for a caller that gives up its input state (the offline market, which keeps only the
    result): the same cycle on `state` itself, without the defensive copy (a third of a cycle's time).
    `result.state is state` afterwards."""
    obs = observation if isinstance(observation, Observation) else Observation.model_validate(observation)
    if obs.cycle != state.cycle:
        raise CognitionInputError(f"observation for cycle {obs.cycle}, state expects cycle {state.cycle}")
    return _run(state, obs, _Options())


@dataclass
class _Options:
    force_l49: bool = False  # benchmark hook: run L4.9 on every cycle


def _run(s: AgentState, obs: Observation, opt: _Options) -> StepResult:
    now = s.cycle
    l49, a, rb = s.l49, s.audit, s.rollback
    w_start = list(s.values.weights)
    l49.mutation_cycles = [c for c in l49.mutation_cycles if now - c < K.MUTATION_RATE_WINDOW]
    budget = (K.MAX_MUTATIONS_PER_WINDOW - len(l49.mutation_cycles)) / K.MAX_MUTATIONS_PER_WINDOW
    sub = update_substrate(s.substrate, obs, s.values.weights, s.values.baseline, budget, now)
    closed = update_goal_progress(s.substrate, sub.metrics, now)
    decisions: list[Decision] = []
    _audit_cycle(s, sub, closed, now)
    preds, correct = observe_interactions(s.beliefs, obs.interactions)
    a.predictions += preds
    a.correct += correct
    crit = criteria(s.activation, sub)
    rbm.tick(rb, now, l49.last_ass if l49.last_ass >= 0 else None)
    if rb.phase != "MONITOR":
        s.beliefs.frozen = False
    frozen = rb.phase == "MONITOR" or s.activation.phase == "CHECK"
    if not frozen and l49.pending:
        goals = [(profile_of(g), g.progress) for g in s.substrate.goals.goals if g.status == "ACTIVE"]
        for pm in l49.pending:
            sandbox_step(pm, s.values.weights, s.values.baseline, sub.seof_inputs, sub.identity_vector, goals)
    l49_ran = opt.force_l49 or (now + 1) % K.L49_CYCLE_INTERVAL == 0
    rejected: list[tuple[str, str]] = []
    violated = False
    if l49_ran:
        violated = _l49_tick(s, sub, now, decisions, rejected)
        l49.violation_since_monitor = l49.violation_since_monitor or violated
    advance(s.activation, crit, violated, now)
    drift_cls = s.values.classification
    if (now + 1) % K.VALUE_DRIFT_MONITOR_INTERVAL == 0:
        before = list(s.values.weights)
        status = value_drift_monitor(s.values, stable=not l49.violation_since_monitor)
        l49.violation_since_monitor = False
        drift_cls = status.classification
        if s.values.weights != before:
            decisions.append(
                ApplyMutation(1.0, False, (), 0, tuple(s.values.weights), tuple(before), "drift_revert")
            )
    if s.values.weights != w_start and not any(isinstance(d, ApplyMutation) for d in decisions):
        a.mutations_applied += 1  # VR-3: a value change no sandboxed decision accounts for
    report_audit = None
    if a.cycles >= K.AUDIT_PERIOD:
        a.l48_ok = all(crit.values())
        report_audit = audit_report(a)
        s.audit = AuditLedger(start=now + 1)
    s.substrate.goals.prune()
    rbm.prune(rb, now)
    s.cycle += 1
    report = CycleReport(
        cycle=now,
        l49_ran=l49_ran,
        status=l49.status,
        activation_phase=s.activation.phase,
        rollback_stage=rbm.stage(rb, now),
        authority=l49.last_authority,
        ass=None if l49.last_ass < 0 else l49.last_ass,
        ass_class=None if l49.last_ass < 0 else classify_ass(l49.last_ass),
        violations=tuple(l49.last_violations),
        survival_state=sub.survival.state,
        min_survival=sub.survival.min_survival,
        bottleneck=sub.survival.bottleneck,
        rho=sub.rho,
        iis=sub.iis,
        identity_hash=sub.identity_hash,
        seof=sub.seof,
        eu=sub.eu,
        mce=sub.mce,
        lyapunov_v=sub.lyapunov_v,
        total_drift=total_drift(s.values.weights, s.values.baseline),
        drift_class=drift_cls,
        coherence=l49.coherence,
        value_weights=tuple(s.values.weights),
        cascade_depth=sub.cascade_depth,
        open_goals=len(s.substrate.goals.open_goals()),
        pending_mutations=len(l49.pending),
        modeled_agents=len(s.beliefs.models),
        rejected=tuple(rejected),
        audit=report_audit,
    )
    return StepResult(s, tuple(decisions), report)


def _audit_cycle(s: AgentState, sub: SubstrateOutput, closed: list[tuple[int, str]], now: int) -> None:
    a, l49 = s.audit, s.l49
    a.cycles += 1
    if is_valid_value_vector(s.values.weights):
        a.vv_valid_cycles += 1
    a.max_drift = max(a.max_drift, total_drift(s.values.weights, s.values.baseline))
    if sub.rho is not None:
        a.min_iis = min(a.min_iis, sub.iis)
    for gid, status in closed:
        g = s.substrate.goals.get(gid)
        if g is not None and g.autonomous:
            if status == "COMPLETED":
                a.completed_autonomous += 1
            l49.closed_goals.append(1 if status == "COMPLETED" else 0)
            del l49.closed_goals[: -K.GOAL_COMPLETION_WINDOW]
    dims = s.substrate.resources.dims
    held = [n for n, d in dims.items() if d.capacity > 0 and n not in K.RENEWABLE_RESOURCES]
    if all(n in sub.survival.per_dim and not math.isnan(sub.survival.per_dim[n].t_baseline) for n in held):
        a.survival_ticks += 1
    keep = []
    for due, level, net, cap, idx in a.survival_checks:
        if due > now:
            keep.append([due, level, net, cap, idx])
            continue
        actual = dims[K.RESOURCE_DIMENSIONS[int(idx)]].level
        pred = level - net * K.RA2_LOOKAHEAD
        scale = max(abs(actual - level), abs(pred - level), 0.01 * cap, K.EPSILON)
        a.survival_err_sum += min(1.0, abs(pred - actual) / scale)
        a.survival_err_n += 1
    a.survival_checks = keep
    for name, d in dims.items():
        if name in K.RENEWABLE_RESOURCES or d.capacity <= 0:
            continue
        now_depleted = d.level <= d.critical
        if now_depleted and not l49.depleted.get(name, False) and l49.last_min_survival > K.SURVIVAL_WARNING:
            a.unplanned_depletions += 1
        l49.depleted[name] = now_depleted
    l49.last_min_survival = min(sub.survival.min_survival, 1e9)


def _lowest_fill(ss: SubstrateState) -> str:
    held = [
        (d.level / d.capacity, n)
        for n, d in ss.resources.dims.items()
        if d.capacity > 0 and n not in K.RENEWABLE_RESOURCES
    ]
    return min(held)[1] if held else ""


def _freeze(s: AgentState, now: int, decisions: list[Decision]) -> None:
    """§7.3 steps 1-2: freeze all L4.9 subsystems and revert its state."""
    l49 = s.l49
    rbm.freeze(s.rollback, now)
    s.audit.rollbacks += 1
    keep = []
    for g in s.substrate.goals.goals:
        if g.autonomous and g.status in ("ACTIVE", "PENDING", "DEFERRED", "BLOCKED"):
            decisions.append(DropGoal(1.0, False, (), g.id, "rollback"))
        else:
            keep.append(g)
    s.substrate.goals.goals = keep
    for g in s.substrate.goals.goals:  # wake goals that were deferred behind a dropped one
        if g.status == "DEFERRED":
            g.depends_on = tuple(d for d in g.depends_on if s.substrate.goals.get(d) is not None)
    if s.values.weights != s.values.checkpoint:
        decisions.append(
            ApplyMutation(
                1.0, False, (), 0, tuple(s.values.checkpoint), tuple(s.values.weights), "freeze_revert"
            )
        )
        s.values.weights = list(s.values.checkpoint)
    l49.pending = []
    l49.goal_sandbox = []
    s.beliefs.frozen = True
    l49.status = "FROZEN"


def _stability_inputs(s: AgentState, sub: SubstrateOutput) -> StabilityInputs:
    if sub.rho is None:  # the caller checks: L4.9 warms up until rho(J) is estimable
        raise ValueError("no stability inputs before rho(J) is estimable")
    horizon = sub.survival.min_survival
    if sub.cascade_accuracy is not None and sub.cascade_accuracy < K.CASCADE_TARGET:
        # §2.2: cascade predictions below 0.70 accuracy are not trusted: judge survival on the crisis
        # scenario's horizon instead of the baseline one
        horizon = min(horizon, sub.survival.worst_case)
    return StabilityInputs(
        sub.rho, sub.iis, total_drift(s.values.weights, s.values.baseline), horizon, sub.cascade_depth
    )


def goal_completion_rate(s: AgentState) -> float | None:
    """§2.2 phase 1: completed / closed over the last GOAL_COMPLETION_WINDOW autonomous goals."""
    h = s.l49.closed_goals
    return sum(h) / len(h) if len(h) >= K.GOAL_COMPLETION_MIN_SAMPLES else None


def _goal_after(s: AgentState, sub: SubstrateOutput, base: StabilityInputs, g: Goal) -> StabilityInputs:
    d = s.substrate.resources.dims[g.resource]
    if g.commit <= 0 or d.capacity <= 0:
        return base
    level = max(0.0, d.level - g.commit * d.capacity)
    horizon = base.horizon
    if g.resource not in K.RENEWABLE_RESOURCES:
        horizon = min(horizon, depletion_time(level, d.critical, d.consumption, d.replenishment))
    fr = {k: v for k, v in sub.projected_fractions.items() if s.substrate.resources.dims[k].capacity > 0}
    fr[g.resource] = level / d.capacity
    return base.after(horizon=horizon, cascade_depth=max(base.cascade_depth, cascade(fr).depth))


def _mutation_after(
    s: AgentState, sub: SubstrateOutput, base: StabilityInputs, w: tuple[float, ...]
) -> StabilityInputs:
    drift = total_drift(w, s.values.baseline)
    iv = list(sub.identity_vector)
    iv[1] = max(0.0, 1.0 - drift / 2.0)
    return base.after(drift=drift, identity=identity_integrity(tuple(iv)))


def _l49_tick(
    s: AgentState, sub: SubstrateOutput, now: int, decisions: list[Decision], rejected: list[tuple[str, str]]
) -> bool:
    """One L4.9 activation (§9.6). Returns True when the current state violated a stability condition
    (or L4.9 froze); vetoed proposals alone do not count."""
    l49, a, rb, ss = s.l49, s.audit, s.rollback, s.substrate
    a.l49_ticks += 1
    # Phase 3 first (it feeds phase 1's constraints and runs even when L4.9 may not act)
    surv = sub.survival
    prev = l49.survival_state
    l49.survival_state = surv.state
    factor = EXPLORATION_FACTOR[surv.state]
    if surv.state != prev:
        decisions.append(
            SetOperatingMode(
                1.0,
                False,
                (),
                surv.state,
                factor,
                K.CRITICAL_STABILITY_SHARE if surv.state == "critical" else 0.0,
            )
        )
        if surv.state in ("constrained", "warning", "critical") and prev in ("abundant", "adequate"):
            a.adaptations += 1
    # RA-2: predict the level 20 cycles ahead of the bottleneck, or, when every horizon is unbounded, of
    # the held non-renewable dimension with the lowest fill (an unbounded horizon is a prediction too)
    bn = surv.bottleneck if not math.isinf(surv.min_survival) else _lowest_fill(ss)
    if bn and len(a.survival_checks) < 8:
        d = ss.resources.dims[bn]
        a.survival_checks.append(
            [
                float(now + K.RA2_LOOKAHEAD),
                d.level,
                d.consumption - d.replenishment,
                d.capacity,
                float(K.RESOURCE_DIMENSIONS.index(bn)),
            ]
        )
    if sub.rho is None:
        l49.status, l49.last_authority = "WARMING_UP", 0.0
        return False
    base = _stability_inputs(s, sub)
    l49.rho_excess_streak = l49.rho_excess_streak + 1 if base.rho >= K.RHO_LIMIT else 0
    rho_persistent = l49.rho_excess_streak >= K.RHO_EXCESS_PERSISTENCE
    # AS-1 audits the rho the stability check acts on: the lowest of the last RHO_EXCESS_PERSISTENCE
    # L4.9 estimates (an excess counts once it persisted; one noisy 20-cycle window does not)
    l49.rho_recent = [*l49.rho_recent, base.rho][-K.RHO_EXCESS_PERSISTENCE :]
    a.max_rho = max(a.max_rho, min(l49.rho_recent))
    verdict = check(base, rho_persistent)
    # the current state's own violations (a one-off rho excess does not count): what §10.2 calls
    # instability and what the drift monitor's "stable" means; a vetoed *proposal* is neither
    state_violated = any(c != "SPECTRAL_RADIUS" or rho_persistent for c in verdict.violations)
    l49.last_ass = verdict.ass
    l49.last_violations = list(verdict.violations)
    if rb.phase == "MONITOR":
        l49.status, l49.last_authority = "FROZEN", 0.0
        return state_violated
    if s.activation.phase == "CHECK":
        l49.status, l49.last_authority = "INACTIVE", 0.0
        return state_violated
    if verdict.action == "FREEZE_AND_REVERT_TO_L48":
        _freeze(s, now, decisions)
        l49.last_authority = 0.0
        return True
    if surv.state == "critical":
        l49.status, l49.last_authority = "FROZEN_SURVIVAL", 0.0  # §5.3: L4.9 frozen in survival mode
        return state_violated
    authority = min(
        AUTHORITY[s.activation.phase],
        rbm.authority(rb, now),
        0.0 if surv.state == "warning" else 1.0,  # §5.3: warning -> L4.9 advisory
        0.0 if verdict.action == "ADVISORY_MODE" else 1.0,
    )
    # (kind, payload, value alignment): a Goal for "goal" / "goal_promoted", a PendingMutation for
    # "mutation", a Recommendation for "interaction"
    proposals: list[tuple[str, Goal | PendingMutation | Recommendation, float]] = []
    # ---------------- Phase 1: goal generation
    dyn = DynamicsModel.from_jacobian(sub.jacobian, sub.eigen)
    dyn.rho = sub.rho  # the reported (median) estimate
    vals = s.values.weights
    open_goals = ss.goals.open_goals()

    def validate(c: Goal) -> tuple[str, str | None, float]:
        prof = K.ORIGIN_VALUE_PROFILES[c.origin]
        pa = purpose_alignment(prof, s.values.baseline, c.service, ss.purpose)
        va = value_alignment(prof, vals)
        f = feasibility(ss.capabilities, c.skills)
        d = ss.resources.dims[
            c.resource if ss.resources.dims[c.resource].capacity > 0 else surv.bottleneck or "compute"
        ]
        dur = (c.deadline - now) / 2
        rv = resource_viability(d.level, d.consumption, dur)
        rho_sim, bad = stability_simulation(dyn, sub.x, c.commit)
        bands = {
            "purpose": band_purpose(pa),
            "value": band_value(va),
            "feasibility": band_feasibility(f),
            "resource": band_resource(rv),
            "stability": band_stability(rho_sim, bad),
        }
        c.aspirational = bands["feasibility"] == "marginal"
        c.reduced_scope = bands["resource"] == "marginal"
        status, reason = decide(bands)
        return status, reason, va

    for sg in list(l49.goal_sandbox):
        if now >= sg.until:
            l49.goal_sandbox.remove(sg)
            status, reason, va = validate(sg.goal)
            if status == "approved":
                a.approved += 1
                a.sum_value_alignment += va
                proposals.append(("goal_promoted", sg.goal, va))
            else:
                record_rejection(l49.rate, sg.goal.signature, now)
                rejected.append((sg.goal.signature, reason or "still_marginal"))
    recent_dim = (
        l49.last_mutation_dim
        if l49.last_mutation_dim >= 0
        and l49.last_mutation_cycle >= 0
        and now - l49.last_mutation_cycle <= K.VALUE_DRIFT_MONITOR_INTERVAL
        else None
    )
    signals = detect(sub, ss, vals, surv.state, factor, recent_dim, s.beliefs, now)
    completion = goal_completion_rate(s)
    if (
        completion is not None
        and completion < K.GOAL_COMPLETION_RATE_TARGET
        and any(g.autonomous for g in open_goals)
    ):
        # §2.2: completion below 0.50 -> finish the open goals before generating more (survival goals,
        # protective, still come through)
        signals = [sig for sig in signals if sig.origin == "SURVIVAL_DRIVEN"]
    taken: list[Goal] = []
    for sig in signals:
        if not can_generate(l49.rate, now):
            break
        signature = f"{sig.origin}:{sig.metric}"
        if in_cooldown(l49.rate, signature, now) or rbm.is_blocked(rb, signature, now):
            continue
        if any(l49.suppressed_pairs.get(f"{sig.origin}|{g.origin}", -1) > now for g in open_goals):
            continue
        mprof = None
        if sig.origin == "VALUE_ALIGNED" and l49.applied:
            last = l49.applied[-1]
            mprof = tuple(max(0.0, x - y) + 1e-3 for x, y in zip(last.after, last.before, strict=True))
        cand = synthesize(sig, ss.goals, vals, sub.metrics, now, mprof)
        ok, nov = passes_novelty(cand, open_goals + [sg.goal for sg in l49.goal_sandbox] + taken)
        if not ok or not ss.goals.has_room(cand.tier):
            continue
        cand.xi = nov
        ss.goals.next_id += 1
        record_generation(l49.rate, now)
        a.generated += 1
        status, reason, va = validate(cand)
        if status == "approved":
            cand.value_alignment = va
            a.approved += 1
            a.sum_value_alignment += va
            proposals.append(("goal", cand, va))
            taken.append(cand)
        elif status == "sandboxed" and sandbox_has_room(len(l49.goal_sandbox)):
            cand.value_alignment = va
            l49.goal_sandbox.append(SandboxedGoal(cand, now + K.GOAL_SANDBOX_CYCLES))
            taken.append(cand)
        else:
            record_rejection(l49.rate, signature, now)
            rejected.append((signature, reason or "sandbox_full"))
    # ---------------- Phase 2: value evolution
    for pm in l49.pending:
        if sandbox_verdict(pm, now) == "APPROVED":
            proposals.append(("mutation", pm, 0.0))
    l49.pending = [pm for pm in l49.pending if pm.status == "PENDING"]
    coop = any(m.strategy == "cooperative" and m.trust >= K.TRUST_HIGH for m in s.beliefs.models.values())
    dim, _ = mutation_evidence(
        sub.p,
        sub.c,
        sub.cdi,
        sub.purpose_alignment,
        surv.state,
        coop,
        sub.metrics.get("services_active", 0.0),
    )
    if dim is not None:
        proposed = propose_step(vals, dim, K.PROPOSED_MUTATION_STEP * s.values.rate_factor[dim])
        fails = precheck(
            vals,
            proposed,
            s.values.baseline,
            s.values.rate_factor,
            len(l49.mutation_cycles),
            len(l49.pending),
            s.values.mutations_frozen,
        )
        if not fails:
            l49.pending.append(
                PendingMutation(l49.next_mutation_id, delta_of(vals, proposed), now, K.VALUE_DIMENSIONS[dim])
            )
            l49.next_mutation_id += 1
    l49.coherence = coherence(vals)
    # ---------------- Phase 4: agent modelling
    if not s.beliefs.frozen:
        for m in s.beliefs.models.values():
            if m.pending_total:
                m.trust = update_trust_samples(m.trust, m.pending_reliable, m.pending_total)
                m.pending_total = m.pending_reliable = 0
            if m.interactions >= K.MIN_INTERACTIONS_FOR_CLASSIFICATION:
                a.trust_err_sum += abs(m.trust - m.reliability)
                a.trust_err_n += 1
        cost = K.JOB_GAS_COST_FACTOR * ss.c  # gas cost per job, in job-value units
        for cid in sorted(s.beliefs.models):
            proposals.append(("interaction", recommend(s.beliefs.models[cid], cost), 0.0))
    # ---------------- Phase 5: autonomy stability check, absolute veto
    any_veto = bool(verdict.violations)
    for kind, payload, _va in proposals:
        if isinstance(payload, Goal):
            after = _goal_after(s, sub, base, payload)
            signature = payload.signature
        elif isinstance(payload, PendingMutation):
            after = _mutation_after(s, sub, base, apply_delta(s.values.weights, payload.delta))
            signature = f"MUTATION:{payload.reason}"
        else:
            after = base
            signature = f"INTERACTION:{payload.action}"
        v = violations(after)
        a.proposed += 1
        if v:
            a.vetoed += 1
            any_veto = True
            for cond in v:
                rbm.record_veto(rb, cond, signature, now)
        decisions.append(_emit(s, kind, payload, authority, v, now))
    # mutations inside their rollback window: a value-related violation marks them and undoes the latest
    value_viol = [
        c for c in verdict.violations if c in _VALUE_CONDITIONS and (c != "SPECTRAL_RADIUS" or rho_persistent)
    ]
    if value_viol:
        window = [m for m in l49.applied if now - m.cycle <= K.MUTATION_ROLLBACK_WINDOW and not m.reverted]
        for am in window:
            if not am.violated:
                am.violated = True
                a.mutations_violated += 1
        if window:
            last = window[-1]
            last.reverted = True
            decisions.append(
                ApplyMutation(
                    1.0, False, (), last.id, tuple(last.before), tuple(s.values.weights), "rollback_window"
                )
            )
            s.values.weights = list(last.before)
    l49.applied = [m for m in l49.applied if now - m.cycle <= K.MUTATION_ROLLBACK_WINDOW]
    if rb.phase == "REENABLE" and any_veto:  # §7.3: immediate re-veto -> back to monitoring
        _freeze(s, now, decisions)
        l49.last_authority = 0.0
        return True
    l49.status = "ADVISORY" if authority == 0.0 else "PARTIAL" if authority < 1.0 else "ACTIVE"
    l49.last_authority = authority
    return state_violated


def _emit(
    s: AgentState,
    kind: str,
    payload: Goal | PendingMutation | Recommendation,
    authority: float,
    veto: tuple[str, ...],
    now: int,
) -> Decision:
    """Build the decision and, when actionable, apply it to the cognition state."""
    l49, a, ss = s.l49, s.audit, s.substrate
    vetoed = bool(veto)
    act = not vetoed and authority > 0.0
    if isinstance(payload, Goal):  # kind "goal" or "goal_promoted"
        g = payload
        if act:
            g.p_base *= authority
            g.status = "ACTIVE"
            g.last_progress_cycle = now
            available = _free_shares(s, g)
            for old in ss.goals.open_goals():
                if conflicts(g, old, s.values.weights, _available_beside(s, available, g, old)):
                    strategy = resolve_conflict(g, old, now)
                    l49.conflict_history.append((now, g.origin, old.origin, strategy))
                    del l49.conflict_history[: -K.CONFLICT_HISTORY_CAPACITY]
                    _note_repeats(s, g.origin, old.origin, now)
                    if strategy == "synthesis":
                        return PursueGoal(
                            authority,
                            False,
                            (),
                            old.id,
                            old.origin,
                            old.tier,
                            old.metric,
                            old.target,
                            old.service,
                            old.skills,
                            goal_priority(old, now),
                            old.deadline,
                            "merged",
                            old.aspirational,
                            old.reduced_scope,
                        )
                    break
            if not ss.goals.inject(g):
                act = False
        return PursueGoal(
            authority if act or vetoed else 0.0,
            vetoed,
            veto,
            g.id,
            g.origin,
            g.tier,
            g.metric,
            g.target,
            g.service,
            g.skills,
            goal_priority(g, now),
            g.deadline,
            "approved" if kind == "goal" else "promoted_from_sandbox",
            g.aspirational,
            g.reduced_scope,
        )
    if isinstance(payload, PendingMutation):  # kind "mutation"
        pm = payload
        before = list(s.values.weights)
        new = apply_delta(before, pm.delta)
        if act:
            if authority < 1.0:  # partial authority: move half-way (a convex blend stays on the simplex)
                new = apply_delta(before, pm.delta, authority)
            s.values.weights = list(new)
            l49.mutation_cycles.append(now)
            l49.applied.append(AppliedMutation(pm.id, now, before, list(new), sandboxed=True))
            diffs = [x - y for x, y in zip(new, before, strict=True)]
            l49.last_mutation_dim = max(range(len(diffs)), key=lambda i: diffs[i])
            l49.last_mutation_cycle = now
            a.mutations_applied += 1
            if pm.status == "APPROVED" and pm.evaluated >= K.MUTATION_SANDBOX_CYCLES:
                a.mutations_sandboxed += 1  # VR-3 counts only a completed, approved sandbox evaluation
        return ApplyMutation(authority, vetoed, veto, pm.id, new, tuple(before), "sandbox_approved")
    rec = payload  # kind "interaction"
    if not vetoed:
        a.recommendations += 1
    role, addr = split_key(rec.counterparty)
    return InteractionRecommendation(
        authority,
        vetoed,
        veto,
        addr,
        rec.strategy,
        rec.action,
        rec.expected_self_outcome,
        rec.expected_agent_outcome,
        rec.confidence,
        rec.risk,
        s.beliefs.models[rec.counterparty].trust,
        role,
    )


def _free_shares(s: AgentState, new: Goal) -> dict[str, float]:
    """§3.6 resource conflict: per resource, the share of capacity still free for goals = level above the
    warning level (25 % of capacity), minus what the other open goals already commit. Two goals conflict
    when their commitments together exceed it. A dimension the agent does not hold has no capacity to
    commit (free 1.0: its goals commit nothing real)."""
    out: dict[str, float] = {}
    for name, d in s.substrate.resources.dims.items():
        if d.capacity <= 0:
            out[name] = 1.0
            continue
        free = max(0.0, d.level / d.capacity - K.RESOURCE_WARNING_FRACTION)
        out[name] = free
    return out


def _available_beside(s: AgentState, free: dict[str, float], new: Goal, old: Goal) -> dict[str, float]:
    """What is free for the pair (new, old): every other open goal's commitment is taken out first."""
    out = dict(free)
    for g in s.substrate.goals.open_goals():
        if (
            g.id not in (new.id, old.id)
            and g.resource in out
            and s.substrate.resources.dims[g.resource].capacity > 0
        ):
            out[g.resource] = max(0.0, out[g.resource] - g.commit)
    return out


def _note_repeats(s: AgentState, a_type: str, b_type: str, now: int) -> None:
    """§3.6: the same type pair conflicting >= 3 times within 200 cycles suppresses that pairing."""
    n = sum(
        1
        for c, x, y, _ in s.l49.conflict_history
        if now - c < K.CONFLICT_REPEAT_WINDOW and {x, y} == {a_type, b_type}
    )
    if n >= K.CONFLICT_REPEAT_COUNT:
        s.l49.suppressed_pairs[f"{a_type}|{b_type}"] = now + K.CONFLICT_REPEAT_WINDOW
        s.l49.suppressed_pairs[f"{b_type}|{a_type}"] = now + K.CONFLICT_REPEAT_WINDOW
