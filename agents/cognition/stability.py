"""Module 13 (§7.1-7.2, §9.5): AutonomyStabilityChecker - five conditions, ASS, absolute veto.

Conditions: rho(J) < 0.98; I(t) >= 0.88; TotalDrift < 0.25; min_survival > 30 cycles;
cascade depth <= 2. ASS = prod_c margin_c (gap 1): margin_c = clamp(0.5 + 0.5 d_c / band_c), d_c the
signed distance inside the limit: (0.98 - rho)/0.03, (I - 0.88)/0.02, (0.25 - drift)/0.15,
(horizon - 30)/170 (below 30: (horizon - 30)/30), (3 - depth)/3. At its limit a condition scores 0.5, one band
beyond it 0.
Action (§9.5's pseudocode): a violation with ASS < 0.05 -> freeze L4.9 and revert to L4.8; a violation
with margin left (ASS >= 0.05) -> advisory mode; no violation but ASS < 0.20 (§7.2 "marginal") ->
advisory mode; else continue. With no violation nothing freezes: the lowest violation-free ASS is
0.5^5 = 0.031, an agent sitting on every limit at once, which is advisory. A rho(J) excess that has
not yet persisted over RHO_EXCESS_PERSISTENCE estimates cannot freeze (rho is a noisy estimate).
Any decision whose after-state violates a condition is vetoed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TypedDict, Unpack

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

CONDITIONS = ("SPECTRAL_RADIUS", "IDENTITY", "VALUE_DRIFT", "RESOURCE_SURVIVAL", "CASCADE")


class _InputChanges(TypedDict, total=False):
    """The fields StabilityInputs.after may replace, with their types."""

    rho: float
    identity: float
    drift: float
    horizon: float
    cascade_depth: int


@dataclass(slots=True, frozen=True)
class StabilityInputs:
    rho: float
    identity: float
    drift: float
    horizon: float  # may be inf
    cascade_depth: int

    def after(self, **changes: Unpack[_InputChanges]) -> StabilityInputs:
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


def _m(distance_over_band: float) -> float:
    return clamp(K.ASS_MARGIN_AT_LIMIT + (1.0 - K.ASS_MARGIN_AT_LIMIT) * distance_over_band)


def margins(x: StabilityInputs) -> tuple[float, float, float, float, float]:
    if math.isinf(x.horizon):
        h = 1.0
    elif x.horizon >= K.SURVIVAL_FLOOR:
        h = _m((x.horizon - K.SURVIVAL_FLOOR) / K.ASS_SURVIVAL_BAND)
    else:  # below the floor the band is the floor itself: an exhausted resource (horizon 0) scores 0
        h = _m((x.horizon - K.SURVIVAL_FLOOR) / K.SURVIVAL_FLOOR)
    return (
        _m((K.RHO_LIMIT - x.rho) / K.ASS_RHO_BAND),
        _m((x.identity - K.IDENTITY_LIMIT) / K.ASS_IDENTITY_BAND),
        _m((K.TOTAL_DRIFT_LIMIT - x.drift) / K.ASS_DRIFT_BAND),
        h,
        _m((K.CASCADE_DEPTH_LIMIT + 1 - x.cascade_depth) / K.ASS_CASCADE_BAND),
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


def check(x: StabilityInputs, rho_persistent: bool = True) -> AutonomyVerdict:
    """rho_persistent: the rho excess (if any) has persisted over RHO_EXCESS_PERSISTENCE estimates."""
    v = violations(x)
    score = ass(x)
    freeze_v, freeze_score = v, score
    if not rho_persistent and "SPECTRAL_RADIUS" in v:  # a one-off excess counts as rho at its limit
        capped = x.after(rho=min(x.rho, K.RHO_LIMIT))
        freeze_v = tuple(c for c in v if c != "SPECTRAL_RADIUS")
        freeze_score = ass(capped)
    if freeze_v and freeze_score < K.ASS_FREEZE_THRESHOLD:
        action = "FREEZE_AND_REVERT_TO_L48"
    elif v or score < K.ASS_TARGET:
        action = "ADVISORY_MODE"
    else:
        action = "CONTINUE"
    return AutonomyVerdict(not v, v, score, action)
