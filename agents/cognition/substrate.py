"""The L4.8 substrate that L4.9 consumes, computed every cycle from the validated Observation.

Nothing here is a constant standing in for a measurement: task success, cost ratio, capability
allocation, identity, uncertainty, resources and the dynamics all come from what the caller observed.
Quantities that need history (rho(J), MCE, calibration) are None until enough data exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from agents.cognition import constants as K
from agents.cognition.capability import CapabilityMatrix, update_capabilities
from agents.cognition.dependencies import CascadeResult, cascade
from agents.cognition.dynamics import EigenPair, estimate_jacobian, lyapunov, lyapunov_non_increasing
from agents.cognition.goals import GoalStack, goal_priority, pathologies
from agents.cognition.identity import identity_hash, identity_integrity
from agents.cognition.mathutil import clamp, cosine, normalized_entropy
from agents.cognition.resources import ResourceVector, update_resources
from agents.cognition.seof import seof
from agents.cognition.survival import SurvivalStatus, survival_projection
from agents.cognition.values import total_drift
from agents.cognition.world_model import (
    Scenario,
    WorldModelState,
    environmental_uncertainty,
    scenarios,
    update_world,
)

if TYPE_CHECKING:
    from agents.cognition.observation import Observation

T = TypeVar("T")


@dataclass
class SubstrateState:
    purpose: dict[str, float]
    world: WorldModelState = field(default_factory=WorldModelState)
    capabilities: CapabilityMatrix = field(default_factory=CapabilityMatrix)
    resources: ResourceVector = field(default_factory=ResourceVector)
    goals: GoalStack = field(default_factory=GoalStack)
    activity: dict[str, float] = field(default_factory=dict)
    won_total: dict[str, int] = field(default_factory=dict)
    coop_total: int = 0
    p: float = 0.5
    p_prev: float = 0.5
    goal_progress: float = 1.0  # X's goal-progress component: EMA of the active goals' mean progress
    c: float = 0.5
    c_prev: float = 0.5
    seof_prev: float = 0.0
    seof_vol: float = 0.0
    top_goal_hist: list[int] = field(default_factory=list)
    x_window: list[list[float]] = field(default_factory=list)
    rho_hist: list[float] = field(default_factory=list)
    v_prev: float = -1.0  # -1: no previous value
    v_inputs: list[float] = field(default_factory=list)  # EMA of (S, U, I_drift, E): Lyapunov's inputs
    rho_excess_run: int = 0  # consecutive rho(J) estimates >= 1.0 (an instability event needs 3)
    lyap_hist: list[int] = field(default_factory=list)
    instability_hist: list[int] = field(default_factory=list)
    cycles: int = 0
    # cascade predictions (Def. 13, tau = CASCADE_DELAY cycles ahead): [due cycle, dimension index,
    # 1 if predicted below its warning level]; matured outcomes 1/0 (§2.2 cascade accuracy >= 0.70)
    cascade_checks: list[list[int]] = field(default_factory=list)
    cascade_hits: list[int] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class SubstrateOutput:
    cycle: int
    p: float
    dp_dt: float
    c: float
    dc_dt: float
    cdi: float
    identity_vector: tuple[float, ...]
    iis: float
    identity_hash: str
    r_osc: float
    seof: float
    seof_inputs: tuple[float, float, float, float, float]
    rho: float | None
    jacobian: list[list[float]] | None
    eigen: EigenPair | None  # (eigenvalues, eigenvectors) of the latest J, numpy arrays; never persisted
    lyapunov_v: float
    lyapunov_ok_share: float | None
    instability_cluster: bool
    eu: float
    scenarios: tuple[Scenario, ...]
    mce: float | None
    pathologies: tuple[tuple[str, tuple[int, ...]], ...]
    purpose_alignment: float | None
    misaligned: tuple[tuple[str, float], ...]
    survival: SurvivalStatus
    cascade_depth: int
    projected_fractions: dict[str, float]
    x: tuple[float, ...]
    metrics: dict[str, float]
    cascade_accuracy: float | None = None  # None: fewer than CASCADE_ACCURACY_MIN_SAMPLES matured
    rho_excess_run: int = 0  # consecutive estimates with rho >= 1.0 (L4.8's limit)


def _cascade_bookkeeping(
    ss: SubstrateState, fr: Mapping[str, float], casc: CascadeResult, now: int
) -> float | None:
    """Score the cascade predictions due now against the observed fill levels, then record this cycle's
    predictions for tau cycles ahead: every downstream dimension on a cascade chain, predicted below its
    warning level or not. Returns the accuracy over the last CASCADE_ACCURACY_WINDOW matured ones."""
    names = K.RESOURCE_DIMENSIONS
    keep = []
    for due, idx, below in ss.cascade_checks:
        if due > now:
            keep.append([due, idx, below])
            continue
        actual = 1 if fr.get(names[idx], 1.0) < K.RESOURCE_WARNING_FRACTION else 0
        _push(ss.cascade_hits, 1 if actual == below else 0, K.CASCADE_ACCURACY_WINDOW)
    seen = set()
    for up, f in fr.items():
        if f >= K.RESOURCE_WARNING_FRACTION:
            continue
        for a, b, _ in K.RESOURCE_DEPENDENCIES:  # every direct downstream of a shortfall is a prediction
            if a != up or b in seen or b not in fr:
                continue
            seen.add(b)
            below = 1 if casc.projected.get(b, fr[b]) < K.RESOURCE_WARNING_FRACTION else 0
            if len(keep) < 16:
                keep.append([now + K.CASCADE_DELAY, names.index(b), below])
    ss.cascade_checks = keep
    if len(ss.cascade_hits) < K.CASCADE_ACCURACY_MIN_SAMPLES:
        return None
    return sum(ss.cascade_hits) / len(ss.cascade_hits)


def _push(lst: list[T], item: T, cap: int) -> None:
    lst.append(item)
    if len(lst) > cap:
        del lst[0]


def purpose_reflection(
    purpose: Mapping[str, float], activity: Mapping[str, float]
) -> tuple[float | None, tuple[tuple[str, float], ...]]:
    """Gap 2: alignment = cosine(declared purpose, activity allocation) over services; misaligned
    dimensions = purpose services whose activity share falls short of their weight, largest first."""
    if not activity or sum(activity.values()) <= 0:
        return None, ()
    keys = sorted(set(purpose) | set(activity))
    a = [purpose.get(k, 0.0) for k in keys]
    b = [activity.get(k, 0.0) for k in keys]
    score = cosine(a, b)
    total = sum(b)
    short = [(k, purpose[k] - activity.get(k, 0.0) / total) for k in purpose]
    short = [(k, s) for k, s in short if s > 0]
    short.sort(key=lambda t: (-t[1], t[0]))
    return score, tuple(short)


def update_substrate(
    ss: SubstrateState,
    obs: Observation,
    value_weights: list[float],
    value_baseline: list[float],
    mutation_budget: float,
    now: int,
) -> SubstrateOutput:
    """One L4.8 cycle (mutates ss, which the caller has cloned)."""
    a = K.STATE_EMA_ALPHA
    # --- market and capabilities
    settled_ok = settled_bad = 0
    act_total = 0
    cyc_act: dict[str, int] = {}
    for s in obs.services:
        settled_ok += s.completed
        settled_bad += s.failed + s.disputed
        n = s.offered + s.won
        if n:
            cyc_act[s.service] = n
            act_total += n
        if s.won:
            ss.won_total[s.service] = ss.won_total.get(s.service, 0) + s.won
    update_capabilities(ss.capabilities, obs.services)
    if act_total:
        al = K.ACTIVITY_EMA_ALPHA
        for k in set(ss.activity) | set(cyc_act):
            cur = ss.activity.get(k, 0.0)
            ss.activity[k] = cur + al * (cyc_act.get(k, 0) / act_total - cur)
    defaults = sum(1 for it in obs.interactions if not it.reliable)
    ss.coop_total += sum(1 for it in obs.interactions if it.positive)
    default_rate = defaults / len(obs.interactions) if obs.interactions else 0.0
    prices = list(obs.prices.values())
    median_price = sorted(prices)[len(prices) // 2] if prices else 0.0
    gov = obs.governance.proposals_active + obs.governance.votes_cast
    update_world(
        ss.world,
        [obs.gas_price_gwei, obs.job_arrival_rate, median_price, default_rate, float(gov)],
        dict(obs.prices),
    )
    eu = environmental_uncertainty(ss.world)
    # --- resources, cascades, survival
    update_resources(ss.resources, obs, mutation_budget)
    fr = ss.resources.fractions()
    casc = cascade({k: v for k, v in fr.items() if ss.resources.dims[k].capacity > 0} or fr)
    projected = dict(fr)
    projected.update(casc.projected)
    casc_acc = _cascade_bookkeeping(
        ss, {k: v for k, v in fr.items() if ss.resources.dims[k].capacity > 0}, casc, now
    )
    surv = survival_projection(ss.resources, projected)
    # --- task success P and cost ratio C
    ss.p_prev, ss.c_prev = ss.p, ss.c
    if settled_ok + settled_bad:
        ss.p += a * (settled_ok / (settled_ok + settled_bad) - ss.p)
    ratios = []
    for name in ("compute", "memory"):
        d = ss.resources.dims[name]
        if d.consumption + d.replenishment > 0:
            ratios.append(d.consumption / (d.consumption + d.replenishment))
    if ratios:
        ss.c += a * (sum(ratios) / len(ratios) - ss.c)
    dp, dc = ss.p - ss.p_prev, ss.c - ss.c_prev
    cdi = normalized_entropy(list(ss.activity.values())) if len(ss.activity) > 1 else 0.0
    # --- goals: progress, top-goal oscillation, pathologies
    open_active = [g for g in ss.goals.goals if g.status == "ACTIVE"]
    top = max(open_active, key=lambda g: (goal_priority(g, now), -g.id)).id if open_active else -1
    _push(ss.top_goal_hist, top, K.OSC_WINDOW)
    h = ss.top_goal_hist
    # oscillation: the top goal switches back to one that was on top earlier in the window (A -> B -> A);
    # finishing a goal and moving on, or having no goal, is not oscillation
    flips = 0
    for i in range(2, len(h)):
        if h[i] != -1 and h[i - 1] != -1 and h[i] != h[i - 1] and h[i] in h[: i - 1]:
            flips += 1
    r_osc = flips / (len(h) - 1) if len(h) > 1 else 0.0
    paths = tuple(pathologies(ss.goals, now))
    # --- identity
    mce = ss.capabilities.mce()
    align, misaligned = purpose_reflection(ss.purpose, ss.activity)
    drift = total_drift(value_weights, value_baseline)
    iv = (
        1.0 if align is None else clamp(align),
        clamp(1.0 - drift / 2.0),
        1.0 if mce is None else clamp(1.0 - mce),
        clamp(1.0 - K.EMOTIONAL_VOLATILITY_SCALE * ss.seof_vol),
        1.0 - r_osc,
    )
    iis = identity_integrity(iv)
    # --- SEOF
    inputs = (dp, dc, cdi, iis, r_osc)
    s_now = seof(*inputs)
    if ss.cycles:
        ss.seof_vol += a * (abs(s_now - ss.seof_prev) - ss.seof_vol)
    ss.seof_prev = s_now
    # --- dynamics
    stab = 1.0 if math.isinf(surv.min_survival) else clamp(surv.min_survival / K.SURVIVAL_ABUNDANT)
    # L4.5's X = [stability, goal progress, identity, uncertainty, expansion]: goal progress is the EMA
    # (alpha 0.2) of the active goals' mean measured progress, 1 with nothing outstanding
    active = [g.progress for g in ss.goals.goals if g.status == "ACTIVE"]
    ss.goal_progress += a * ((sum(active) / len(active) if active else 1.0) - ss.goal_progress)
    x = [stab, ss.goal_progress, iis, eu, cdi]
    _push(ss.x_window, x, K.RHO_WINDOW)
    jac = estimate_jacobian(ss.x_window)
    rho = None
    eigen = None
    if jac is not None:
        eigen = np.linalg.eig(np.array(jac, dtype=float))
        _push(ss.rho_hist, float(np.abs(eigen[0]).max()), K.RHO_MEDIAN_OF)
        srt = sorted(ss.rho_hist)
        rho = srt[len(srt) // 2]
    raw_v = (stab, eu, 1.0 - iis, cdi)
    if not ss.v_inputs:
        ss.v_inputs = list(raw_v)
    else:
        la = K.LYAPUNOV_SMOOTHING_ALPHA
        ss.v_inputs = [m + la * (x - m) for m, x in zip(ss.v_inputs, raw_v, strict=True)]
    v = lyapunov(*ss.v_inputs)
    event = 0
    if ss.v_prev >= 0:
        ok = lyapunov_non_increasing(ss.v_prev, v)
        _push(ss.lyap_hist, 1 if ok else 0, K.LYAPUNOV_WINDOW)
        event = 0 if ok else 1
    ss.rho_excess_run = ss.rho_excess_run + 1 if rho is not None and rho >= K.L48_RHO_LIMIT else 0
    if ss.rho_excess_run >= K.RHO_EXCESS_PERSISTENCE_CYCLES:  # a persistent excess, not one noisy window
        event = 1
    _push(ss.instability_hist, event, K.INSTABILITY_CLUSTER_WINDOW)
    cluster = sum(ss.instability_hist) >= K.INSTABILITY_CLUSTER_EVENTS
    ss.v_prev = v
    ss.cycles += 1
    lshare = sum(ss.lyap_hist) / len(ss.lyap_hist) if ss.lyap_hist else None
    metrics = {
        "horizon": min(surv.min_survival, 1e9),
        "coop": float(ss.coop_total),
        "services_active": float(sum(1 for v_ in ss.activity.values() if v_ > K.ACTIVE_SHARE_MIN)),
        "purpose_alignment": 0.0 if align is None else align,
        "success_rate": ss.p,
    }
    total_act = sum(ss.activity.values())
    for k, v_ in ss.activity.items():
        metrics["share:" + k] = v_ / total_act if total_act > 0 else 0.0
    for k, n in ss.won_total.items():
        metrics["won:" + k] = float(n)
    for k, sk in ss.capabilities.skills.items():
        metrics["confidence:" + k] = sk.confidence
    return SubstrateOutput(
        cycle=now,
        p=ss.p,
        dp_dt=dp,
        c=ss.c,
        dc_dt=dc,
        cdi=cdi,
        identity_vector=iv,
        iis=iis,
        identity_hash=identity_hash(iv),
        r_osc=r_osc,
        seof=s_now,
        seof_inputs=inputs,
        rho=rho,
        jacobian=jac,
        eigen=eigen,
        lyapunov_v=v,
        lyapunov_ok_share=lshare,
        instability_cluster=cluster,
        eu=eu,
        scenarios=tuple(scenarios(ss.world)),
        mce=mce,
        pathologies=paths,
        purpose_alignment=align,
        misaligned=misaligned,
        survival=surv,
        cascade_depth=casc.depth,
        projected_fractions=projected,
        x=tuple(x),
        metrics=metrics,
        cascade_accuracy=casc_acc,
        rho_excess_run=ss.rho_excess_run,
    )


def update_goal_progress(ss: SubstrateState, metrics: dict[str, float], now: int) -> list[tuple[int, str]]:
    """Measure every active goal against its metric; close completed / overdue ones; wake deferred
    goals whose blockers closed. Returns (goal id, new status) for goals that closed."""
    closed: list[tuple[int, str]] = []
    open_ids = {g.id for g in ss.goals.goals if g.status in ("ACTIVE", "PENDING", "DEFERRED", "BLOCKED")}
    for g in ss.goals.goals:
        if g.status == "DEFERRED" and not any(d in open_ids for d in g.depends_on):
            g.status = "ACTIVE"
            g.last_progress_cycle = now
        if g.status != "ACTIVE":
            continue
        cur = metrics.get(g.metric, 0.0)
        span = g.target - g.baseline
        prog = 1.0 if span <= 0 else clamp((cur - g.baseline) / span)
        if prog > g.progress + 1e-12:
            g.last_progress_cycle = now
        g.progress = prog
        if prog >= 1.0:
            g.status = "COMPLETED"
            closed.append((g.id, "COMPLETED"))
        elif now > g.deadline:
            g.status = "FAILED"
            closed.append((g.id, "FAILED"))
    return closed
