"""Module 8 (§5.2, §5.4, §9.4): SurvivalProjector - survival horizon per dimension, four scenarios.

T(d) = (R_d - R_d^critical) / (consumption_d x factor - replenishment_d + eps) (Def. 6), with the
scenario factor on consumption as §5.4 states it (adverse +30 %, optimistic -20 %, crisis x2). When
replenishment covers consumption the horizon is unbounded (inf) rather than the negative number the
formula gives (gap 5). A resource already at or below critical has horizon 0; one never held
(capacity 0) is not in use. The mutation budget regenerates on the §4.4 schedule, so it is projected
and reported but does not enter min_survival (its exhaustion is a rate limit, not a survival threat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agents.cognition import constants as K
from agents.cognition.resources import ResourceDim, ResourceVector

SCENARIOS = {
    "baseline": K.SCENARIO_BASELINE,
    "adverse": K.SCENARIO_ADVERSE,
    "optimist": K.SCENARIO_OPTIMIST,
    "crisis": K.SCENARIO_CRISIS,
}


def depletion_time(
    level: float, critical: float, consumption: float, replenishment: float, factor: float = 1.0
) -> float:
    """Def. 6, cycles until the critical level; inf when not depleting."""
    if level <= critical:
        return 0.0
    net = consumption * factor - replenishment
    if net <= 0.0:
        return math.inf
    return (level - critical) / (net + K.EPSILON)


def classify_survival(min_survival: float) -> str:
    """§5.2 / §9.4: abundant > 500 >= adequate >= 200 > constrained >= 100 > warning >= 50 > critical."""
    if min_survival > K.SURVIVAL_ABUNDANT:
        return "abundant"
    if min_survival >= K.SURVIVAL_ADEQUATE:
        return "adequate"
    if min_survival >= K.SURVIVAL_CONSTRAINED:
        return "constrained"
    if min_survival >= K.SURVIVAL_WARNING:
        return "warning"
    return "critical"


@dataclass(slots=True, frozen=True)
class DimProjection:
    t_baseline: float
    t_adverse: float
    t_optimist: float
    t_crisis: float


@dataclass(slots=True, frozen=True)
class SurvivalStatus:
    per_dim: dict[str, DimProjection]
    min_survival: float
    worst_case: float
    bottleneck: str
    state: str


def project_dim(d: ResourceDim, projected_fraction: float | None = None) -> DimProjection:
    if d.capacity <= 0.0:  # never held any of this resource: not in use, nothing to deplete
        return DimProjection(math.inf, math.inf, math.inf, math.inf)
    level = d.level
    if projected_fraction is not None and d.capacity > 0:
        level = min(level, projected_fraction * d.capacity)
    c, r, crit = d.consumption, d.replenishment, d.critical
    return DimProjection(
        depletion_time(level, crit, c, r, K.SCENARIO_BASELINE),
        depletion_time(level, crit, c, r, K.SCENARIO_ADVERSE),
        depletion_time(level, crit, c, r, K.SCENARIO_OPTIMIST),
        depletion_time(level, crit, c, r, K.SCENARIO_CRISIS),
    )


def survival_projection(rv: ResourceVector, projected: dict[str, float] | None = None) -> SurvivalStatus:
    """Horizons under the four scenarios; global horizon = min over dimensions (baseline)."""
    per = {
        name: project_dim(d, None if projected is None else projected.get(name))
        for name, d in rv.dims.items()
        if d.samples > 0
    }
    if not per:
        return SurvivalStatus({}, math.inf, math.inf, "", "abundant")
    counted = [n for n in per if n not in K.RENEWABLE_RESOURCES] or list(per)
    bottleneck = min(counted, key=lambda n: (per[n].t_baseline, n))
    min_s = per[bottleneck].t_baseline
    worst = min(per[n].t_crisis for n in counted)
    return SurvivalStatus(per, min_s, worst, bottleneck, classify_survival(min_s))
