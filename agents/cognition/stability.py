"""Module 13 (§7.1-7.2, §9.5): AutonomyStabilityChecker - five conditions, ASS, absolute veto.

Conditions: rho(J) < 0.98; I(t) >= 0.88; TotalDrift < 0.25; min_survival > 30 cycles;
cascade depth <= 2. ASS = prod_c clamp(margin_c / threshold_c, 0, 1) (gap 1: distance to the limit
over a comfort band: (0.98 - rho)/0.03, (I - 0.88)/0.02, (0.25 - drift)/0.15, (horizon - 30)/170,
(3 - depth)/3). Action (§1.6, §7.2, §9.5): ASS < 0.05 -> freeze L4.9 and revert to L4.8; any violation
or ASS < 0.20 -> advisory mode; else continue. Any decision whose after-state violates a condition
is vetoed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

CONDITIONS = ("SPECTRAL_RADIUS", "IDENTITY", "VALUE_DRIFT", "RESOURCE_SURVIVAL", "CASCADE")


@dataclass(slots=True, frozen=True)
class StabilityInputs:
    rho: float
    identity: float
    drift: float
    horizon: float  # may be inf
    cascade_depth: int

    def after(self, **changes: float) -> StabilityInputs:
        return replace(self, **changes)


@dataclass(slots=True, frozen=True)
class AutonomyVerdict:
    passed: bool
    violations: tuple[str, ...]
    ass: float
    action: str  # CONTINUE | ADVISORY_MODE | FREEZE_AND_REVERT_TO_L48


def violations(x: StabilityInputs) -> tuple[str, ...]:
    out = []
    if x.rho >= K.RHO_LIMIT:
        out.append("SPECTRAL_RADIUS")
    if x.identity < K.IDENTITY_LIMIT:
        out.append("IDENTITY")
    if x.drift >= K.TOTAL_DRIFT_LIMIT:
        out.append("VALUE_DRIFT")
    if x.horizon <= K.SURVIVAL_FLOOR:
        out.append("RESOURCE_SURVIVAL")
    if x.cascade_depth > K.CASCADE_DEPTH_LIMIT:
        out.append("CASCADE")
    return tuple(out)


def margins(x: StabilityInputs) -> tuple[float, float, float, float, float]:
    h = 1.0 if math.isinf(x.horizon) else clamp((x.horizon - K.SURVIVAL_FLOOR) / K.ASS_SURVIVAL_BAND)
    return (
        clamp((K.RHO_LIMIT - x.rho) / K.ASS_RHO_BAND),
        clamp((x.identity - K.IDENTITY_LIMIT) / K.ASS_IDENTITY_BAND),
        clamp((K.TOTAL_DRIFT_LIMIT - x.drift) / K.ASS_DRIFT_BAND),
        h,
        clamp((K.CASCADE_DEPTH_LIMIT + 1 - x.cascade_depth) / K.ASS_CASCADE_BAND),
    )


def ass(x: StabilityInputs) -> float:
    """Def. 7 / Proposition 1: the product of the five clamped normalised margins."""
    p = 1.0
    for m in margins(x):
        p *= m
    return p


def classify_ass(score: float) -> str:
    """§7.2: healthy > 0.50 >= adequate >= 0.20 > marginal >= 0.05 > critical."""
    if score > K.ASS_HEALTHY:
        return "healthy"
    if score >= K.ASS_TARGET:
        return "adequate"
    if score >= K.ASS_FREEZE_THRESHOLD:
        return "marginal"
    return "critical"


def check(x: StabilityInputs) -> AutonomyVerdict:
    v = violations(x)
    score = ass(x)
    if score < K.ASS_FREEZE_THRESHOLD:
        action = "FREEZE_AND_REVERT_TO_L48"
    elif v or score < K.ASS_TARGET:
        action = "ADVISORY_MODE"
    else:
        action = "CONTINUE"
    return AutonomyVerdict(not v, v, score, action)
