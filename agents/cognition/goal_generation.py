"""Module 1 (§3.1-3.2, §3.6, §9.1): GoalGenerationLayer - opportunity detection, synthesis, conflicts.

Streams (§9.1 plus the other §3.1 origins): environmental (OPPORTUNISTIC scenarios with probability
> 0.30 whose projected SEOF gain exceeds 0.05), capability gaps (magnitude > 0.25, time to need < 200),
purpose drift (alignment < 0.80), survival (survival state constrained or warning), value-aligned
(after an applied mutation), exploratory (curiosity: exploration weight, scaled by the operating mode,
>= 0.12 with resources abundant), and agent opportunities (a cooperative, highly trusted counterparty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agents.cognition import constants as K
from agents.cognition.goals import Goal, GoalStack, goal_priority, jaccard
from agents.cognition.mathutil import clamp, cosine, normalized_entropy

if TYPE_CHECKING:
    from agents.cognition.beliefs import BeliefState
    from agents.cognition.substrate import SubstrateOutput, SubstrateState

_TIER = {
    "SURVIVAL_DRIVEN": "TACTICAL",
    "OPPORTUNITY_DRIVEN": "TACTICAL",
    "GAP_FILLING": "OPERATIONAL",
    "PURPOSE_DERIVED": "OPERATIONAL",
    "EXPLORATORY": "OPERATIONAL",
    "VALUE_ALIGNED": "STRATEGIC",
}
_RESOURCE = {"SURVIVAL_DRIVEN": "stability"}


@dataclass(slots=True, frozen=True)
class OpportunitySignal:
    # environmental | capability_gap | purpose_realignment | survival | value_aligned | exploratory | agent
    type: str
    origin: str
    metric: str
    target: float
    strength: float  # estimated value / urgency in [0, 1]
    service: str | None = None
    skills: tuple[str, ...] = ()
    time_window: int = 0


def projected_seof_gain(
    c_now: float,
    cons: float,
    rep: float,
    demand_factor: float,
    activity: dict[str, float],
    service: str | None,
) -> float:
    """Gap 3: SEOF change if the regime holds and 20 % of activity moves toward `service`:
    0.25 (C - C_s) from revenue scaled by the regime's demand factor (C = cost ratio) plus
    0.20 (CDI_s - CDI) from the diversification."""
    if cons + rep > 0:
        c_s = cons / (cons + demand_factor * rep) if cons + demand_factor * rep > 0 else c_now
        c_base = cons / (cons + rep)
    else:
        c_base, c_s = 0.5, 1.0 / (1.0 + demand_factor)
    gain = K.SEOF_W_DC * (c_base - c_s)
    if service is not None:
        keys = sorted(set(activity) | {service})
        now = [activity.get(k, 0.0) for k in keys]
        total = sum(now) or 1.0
        shifted = [
            (1 - K.OPPORTUNITY_SHIFT) * v / total + (K.OPPORTUNITY_SHIFT if k == service else 0.0)
            for k, v in zip(keys, now, strict=True)
        ]
        cdi_now = normalized_entropy(now) if len(keys) > 1 and sum(now) > 0 else 0.0
        gain += K.SEOF_W_CDI * (normalized_entropy(shifted) - cdi_now)
    return gain


def detect(
    sub: SubstrateOutput,
    ss: SubstrateState,
    values: list[float],
    survival_state: str,
    exploration_factor: float,
    recent_mutation_dim: int | None,
    beliefs: BeliefState,
    now: int,
) -> list[OpportunitySignal]:
    """Opportunity detection over all streams (pure: reads the substrate output and state)."""
    sig: list[OpportunitySignal] = []
    metrics = sub.metrics
    mem = ss.resources.dims["memory"]
    purpose_services = sorted(ss.purpose, key=lambda s: (-ss.purpose[s], s))
    best = (
        max(purpose_services, key=lambda s: (ss.capabilities.confidence(s), s)) if purpose_services else None
    )
    # Stream 1: environmental
    for sc in sub.scenarios:
        if sc.type != "OPPORTUNISTIC" or sc.probability <= K.OPPORTUNISTIC_MIN_PROBABILITY:
            continue
        svc = sc.service or best
        value = projected_seof_gain(
            ss.c, mem.consumption, mem.replenishment, sc.demand_factor, ss.activity, svc
        )
        if value > K.OPPORTUNITY_THRESHOLD and svc is not None:
            m = "won:" + svc
            sig.append(
                OpportunitySignal(
                    "environmental",
                    "OPPORTUNITY_DRIVEN",
                    m,
                    metrics.get(m, 0.0) + K.OPPORTUNITY_WON_TARGET,
                    clamp(value * 5),
                    svc,
                    (svc, K.SKILL_BIDDING),
                    sc.estimated_duration,
                )
            )
    # Stream 2: capability gaps (skills of open goals and of the declared purpose)
    need: dict[str, int] = dict.fromkeys(purpose_services, 0)
    for g in ss.goals.goals:
        if g.status in ("ACTIVE", "PENDING", "DEFERRED"):
            for s in g.skills:
                need[s] = min(need.get(s, 10**9), max(0, g.deadline - now))
    for skill, ttn in sorted(need.items()):
        magnitude = K.CAPABILITY_TARGET - ss.capabilities.confidence(skill)
        if magnitude > K.CAPABILITY_GAP_MAGNITUDE and ttn < K.CAPABILITY_GAP_TIME_TO_NEED:
            m = "confidence:" + skill
            sig.append(
                OpportunitySignal(
                    "capability_gap",
                    "GAP_FILLING",
                    m,
                    K.GAP_CONFIDENCE_TARGET,
                    clamp(magnitude),
                    skill if skill in ss.purpose else None,
                    (skill,),
                )
            )
    # Stream 3: purpose drift
    if sub.purpose_alignment is not None and sub.purpose_alignment < K.PURPOSE_ALIGNMENT_SCORE_THRESHOLD:
        for svc, shortfall in sub.misaligned:
            m = "share:" + svc
            sig.append(
                OpportunitySignal(
                    "purpose_realignment",
                    "PURPOSE_DERIVED",
                    m,
                    K.PURPOSE_SHARE_TARGET * ss.purpose[svc],
                    clamp(shortfall * 2),
                    svc,
                    (svc,),
                )
            )
    # Survival
    if survival_state in ("constrained", "warning"):
        h = sub.survival.min_survival
        sig.append(
            OpportunitySignal(
                "survival",
                "SURVIVAL_DRIVEN",
                "horizon",
                float(K.SURVIVAL_ADEQUATE),
                1.0 if survival_state == "warning" else 0.8,
                None,
                (K.SKILL_SETTLEMENT,),
                int(max(5.0, min(50.0, h / 2))),
            )
        )
    # Value-aligned (after an applied mutation raised dimension d)
    if recent_mutation_dim is not None:
        d = K.VALUE_DIMENSIONS[recent_mutation_dim]
        m, tgt = {
            "stability": ("horizon", float(K.SURVIVAL_ABUNDANT) + 1),
            "safety": ("horizon", float(K.SURVIVAL_ABUNDANT) + 1),
            "growth": (
                "won:" + best if best else "coop",
                metrics.get("won:" + best, 0.0) + 5 if best else 3.0,
            ),
            "purpose_fidelity": ("purpose_alignment", 0.9),
            "efficiency": ("success_rate", min(0.95, ss.p + 0.1)),
            "exploration": ("services_active", metrics.get("services_active", 0.0) + 1),
            "agent_cooperation": ("coop", metrics.get("coop", 0.0) + 3),
        }[d]
        if metrics.get(m, 0.0) < tgt:
            sig.append(
                OpportunitySignal(
                    "value_aligned", "VALUE_ALIGNED", m, tgt, 0.6, None, (best,) if best else ()
                )
            )
    # Exploratory (curiosity), reduced by the operating mode (§5.2)
    if values[4] * exploration_factor >= K.EXPLORATION_MIN_WEIGHT and survival_state in (
        "abundant",
        "adequate",
    ):
        untried = [s for s in purpose_services if ss.activity.get(s, 0.0) < K.ACTIVE_SHARE_MIN]
        untried += sorted(
            s
            for s in ss.world.price_long
            if s not in ss.purpose and ss.activity.get(s, 0.0) < K.ACTIVE_SHARE_MIN
        )
        if untried:
            svc = untried[0]
            m = "won:" + svc
            sig.append(
                OpportunitySignal(
                    "exploratory",
                    "EXPLORATORY",
                    m,
                    metrics.get(m, 0.0) + 1,
                    clamp(values[4] * exploration_factor * 3),
                    svc,
                    (svc, K.SKILL_BIDDING),
                )
            )
    # Agent opportunities (§8.2: phase 4 -> phase 1)
    for mdl in beliefs.models.values():
        if mdl.strategy == "cooperative" and mdl.trust >= K.TRUST_HIGH:
            sig.append(
                OpportunitySignal(
                    "agent",
                    "OPPORTUNITY_DRIVEN",
                    "coop",
                    metrics.get("coop", 0.0) + 3,
                    mdl.trust,
                    None,
                    (K.SKILL_SETTLEMENT,),
                )
            )
            break
    return sig


def synthesize(
    sig: OpportunitySignal,
    stack: GoalStack,
    values: list[float],
    metrics: dict[str, float],
    now: int,
    mutation_profile: tuple[float, ...] | None = None,
) -> Goal:
    """Turn a signal into a candidate goal (not yet in the stack)."""
    tier = _TIER[sig.origin]
    profile = (
        mutation_profile
        if (sig.origin == "VALUE_ALIGNED" and mutation_profile)
        else K.ORIGIN_VALUE_PROFILES[sig.origin]
    )
    duration = sig.time_window or K.TIER_DURATION[tier]
    base = metrics.get(sig.metric, 0.0)
    if math.isinf(base):
        base = 1e9
    return Goal(
        id=stack.next_id,
        origin=sig.origin,
        tier=tier,
        metric=sig.metric,
        target=sig.target,
        baseline=base,
        skills=tuple(s for s in sig.skills if s),
        created=now,
        deadline=now + 2 * duration,
        p_base=clamp(0.5 * cosine(profile, values) + 0.5 * sig.strength),
        service=sig.service,
        resource=_RESOURCE.get(sig.origin, "memory"),
        commit=K.GOAL_COMMIT[sig.origin],
        signature=f"{sig.origin}:{sig.metric}",
        last_progress_cycle=now,
    )


def profile_of(g: Goal) -> tuple[float, ...]:
    return K.ORIGIN_VALUE_PROFILES.get(g.origin, (1 / 7,) * 7)


def conflicts(a: Goal, b: Goal, values: list[float], available: dict[str, float]) -> bool:
    """§3.6: same resource over-committed, or value pulls in opposite directions."""
    if a.resource == b.resource and a.commit + b.commit > available.get(a.resource, 1.0):
        return True
    pa = [p - v for p, v in zip(profile_of(a), values, strict=True)]
    pb = [p - v for p, v in zip(profile_of(b), values, strict=True)]
    return cosine(pa, pb) < K.GOAL_OPPOSITION_COSINE


def resolve_conflict(new: Goal, old: Goal, now: int) -> str:
    """§3.6 in order of preference (mutates the goals): synthesis when skill overlap >= 30 %;
    sequential prioritisation when horizons are compatible (tiers at most one apart); else
    hierarchical decomposition of the longer goal into a shorter sub-goal with half the commitment."""
    if jaccard(new.skills, old.skills) >= K.CONFLICT_SYNTHESIS_MIN_OVERLAP:
        old.skills = tuple(sorted(set(old.skills) | set(new.skills)))
        old.p_base = max(old.p_base, new.p_base)
        old.xi = max(old.xi, new.xi)
        return "synthesis"
    ta, tb = K.GOAL_TIERS.index(new.tier), K.GOAL_TIERS.index(old.tier)
    if abs(ta - tb) <= 1:
        hi, lo = (new, old) if goal_priority(new, now) >= goal_priority(old, now) else (old, new)
        lo.status = "DEFERRED"
        lo.depends_on = tuple(sorted(set(lo.depends_on) | {hi.id}))
        return "sequential"
    longer = new if ta > tb else old
    longer.tier = K.GOAL_TIERS[K.GOAL_TIERS.index(longer.tier) - 1]
    longer.commit /= 2
    return "decomposition"
