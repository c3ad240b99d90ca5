"""Module 3 (§3.5): GoalRateController - rate limit, novelty, rejection cool-down, sandbox cap.

At most 5 goals generated per 100 cycles; a candidate needs novelty >= 0.30 against the open goals;
a rejected goal pattern (origin + metric) waits 20 cycles before it may be generated again (per
pattern, so one rejected idea does not silence unrelated ones); at most 3 goals in the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.cognition import constants as K
from agents.cognition.goals import Goal, novelty


@dataclass
class RateState:
    generated_at: list[int] = field(default_factory=list)  # cycles of recent generations (<= 5)
    cooldown_until: dict[str, int] = field(default_factory=dict)


def window_count(rs: RateState, now: int) -> int:
    return sum(1 for c in rs.generated_at if now - c < K.GOAL_RATE_WINDOW)


def can_generate(rs: RateState, now: int) -> bool:
    return window_count(rs, now) < K.MAX_GOALS_PER_WINDOW


def record_generation(rs: RateState, now: int) -> None:
    rs.generated_at = [c for c in rs.generated_at if now - c < K.GOAL_RATE_WINDOW] + [now]


def in_cooldown(rs: RateState, signature: str, now: int) -> bool:
    return rs.cooldown_until.get(signature, -1) > now


def record_rejection(rs: RateState, signature: str, now: int) -> None:
    rs.cooldown_until[signature] = now + K.REJECTION_COOLDOWN
    for sig in [s for s, u in rs.cooldown_until.items() if u <= now]:
        del rs.cooldown_until[sig]


def passes_novelty(candidate: Goal, existing: list[Goal]) -> tuple[bool, float]:
    n = novelty(candidate.skills, candidate.tier, candidate.origin, existing)
    return n >= K.MIN_NOVELTY, n


def sandbox_has_room(sandboxed: int) -> bool:
    return sandboxed < K.MAX_SANDBOXED_GOALS
