"""L4.8 GoalStack with the L2 priority function, pathologies, and the §3.4 goal similarity.

A goal names an observable metric of the substrate (e.g. "horizon", "share:<service>",
"confidence:<skill>", "won:<service>") and a target; progress is measured from real observations,
never declared. Tiers: Strategic <= 3, Operational <= 7, Tactical <= 15 (L4.8).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

OPEN_STATUSES = ("PENDING", "ACTIVE", "DEFERRED", "BLOCKED")


@dataclass
class Goal:
    id: int
    origin: str  # one of GOAL_ORIGIN_TYPES, or "EXTERNAL" for L4.8 goals
    tier: str  # TACTICAL | OPERATIONAL | STRATEGIC
    metric: str
    target: float
    baseline: float
    skills: tuple[str, ...]
    created: int
    deadline: int
    p_base: float = 0.5
    xi: float = 0.0  # L2 xi: the goal's novelty at creation
    service: str | None = None
    resource: str = "memory"  # resource dimension the goal draws on
    commit: float = 0.0  # share of that resource's capacity committed
    depends_on: tuple[int, ...] = ()
    status: str = "PENDING"
    progress: float = 0.0
    last_progress_cycle: int = 0
    autonomous: bool = True
    value_alignment: float = 1.0
    aspirational: bool = False
    reduced_scope: bool = False
    signature: str = ""


def urgency(deadline: int, now: int) -> float:
    """L2 urgency: 1.0 overdue, 0.9 under 1 h left, 0.7 under 24 h, else 0.5 (cycles -> hours)."""
    left = deadline - now
    if left < 0:
        return K.URGENCY_OVERDUE
    if left < 1 * K.CYCLES_PER_HOUR:
        return K.URGENCY_UNDER_1H
    if left < 24 * K.CYCLES_PER_HOUR:
        return K.URGENCY_UNDER_24H
    return K.URGENCY_DEFAULT


def priority(p_base: float, urg: float, xi: float) -> float:
    """L2 Def. 5: p = 0.5 p_base + 0.3 urgency + 0.2 xi, clamped to [0, 1]."""
    return clamp(K.PRIORITY_W_BASE * p_base + K.PRIORITY_W_URGENCY * urg + K.PRIORITY_W_XI * xi)


def goal_priority(g: Goal, now: int) -> float:
    return priority(g.p_base, urgency(g.deadline, now), g.xi)


def jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def horizon_match(tier_a: str, tier_b: str) -> float:
    """§3.4: 1 same tier, 0.5 adjacent, 0 otherwise."""
    d = abs(K.GOAL_TIERS.index(tier_a) - K.GOAL_TIERS.index(tier_b))
    return K.HORIZON_MATCH_SAME if d == 0 else K.HORIZON_MATCH_ADJACENT if d == 1 else K.HORIZON_MATCH_OTHER


def similarity(
    skills_a: tuple[str, ...],
    tier_a: str,
    origin_a: str,
    skills_b: tuple[str, ...],
    tier_b: str,
    origin_b: str,
) -> float:
    """§3.4 Def. 8: 0.50 SkillOverlap + 0.25 HorizonMatch + 0.25 OriginMatch."""
    return (
        K.SIMILARITY_SKILL_WEIGHT * jaccard(skills_a, skills_b)
        + K.SIMILARITY_HORIZON_WEIGHT * horizon_match(tier_a, tier_b)
        + K.SIMILARITY_ORIGIN_WEIGHT * (1.0 if origin_a == origin_b else 0.0)
    )


def novelty(skills: tuple[str, ...], tier: str, origin: str, existing: list[Goal]) -> float:
    """§2.1 Def. 3: 1 - max similarity to the existing goal set (1 for an empty set)."""
    if not existing:
        return 1.0
    return 1.0 - max(similarity(skills, tier, origin, g.skills, g.tier, g.origin) for g in existing)


@dataclass
class GoalStack:
    goals: list[Goal] = field(default_factory=list)
    next_id: int = 1

    def open_goals(self) -> list[Goal]:
        return [g for g in self.goals if g.status in OPEN_STATUSES]

    def tier_count(self, tier: str) -> int:
        return sum(1 for g in self.goals if g.tier == tier and g.status in OPEN_STATUSES)

    def has_room(self, tier: str) -> bool:
        return self.tier_count(tier) < K.TIER_CAPACITY[tier]

    def inject(self, g: Goal) -> bool:
        """Add an open goal if its tier has room (L4.8 capacities); False when full."""
        if not self.has_room(g.tier):
            return False
        self.goals.append(g)
        return True

    def get(self, gid: int) -> Goal | None:
        for g in self.goals:
            if g.id == gid:
                return g
        return None

    def prune(self, keep_closed: int = 4) -> None:
        """Drop the oldest closed goals beyond keep_closed (bounded state)."""
        closed = [g for g in self.goals if g.status not in OPEN_STATUSES]
        if len(closed) > keep_closed:
            drop = {id(g) for g in closed[: len(closed) - keep_closed]}
            self.goals = [g for g in self.goals if id(g) not in drop]


def pathologies(stack: GoalStack, now: int) -> list[tuple[str, tuple[int, ...]]]:
    """L4.8 pathologies among open goals: conflict, circular dependency, stale."""
    out: list[tuple[str, tuple[int, ...]]] = []
    active = [g for g in stack.goals if g.status == "ACTIVE"]
    by_res: dict[str, list[Goal]] = {}
    for g in active:
        if g.commit > 0:
            by_res.setdefault(g.resource, []).append(g)
    for _res, gs in by_res.items():
        if len(gs) > 1 and sum(g.commit for g in gs) > 1.0:
            out.append(("conflict", tuple(g.id for g in gs)))
    open_ids = {g.id: g for g in stack.goals if g.status in OPEN_STATUSES}
    state: dict[int, int] = {}

    def visit(gid: int, path: list[int]) -> tuple[int, ...] | None:
        state[gid] = 1
        path.append(gid)
        for dep in open_ids[gid].depends_on:
            if dep not in open_ids:
                continue
            if state.get(dep) == 1:
                return tuple(path[path.index(dep) :])
            if state.get(dep) is None:
                cyc = visit(dep, path)
                if cyc:
                    return cyc
        path.pop()
        state[gid] = 2
        return None

    for gid in open_ids:
        if gid not in state:
            cyc = visit(gid, [])
            if cyc:
                out.append(("circular", cyc))
    for g in active:
        if now - g.last_progress_cycle >= K.STALE_GOAL_CYCLES:
            out.append(("stale", (g.id,)))
    return out
