"""Module 4 (§4.1-4.2, §9.3): ValueEvolutionMonitor - the explicit ValueVector and its drift.

The value vector lives on the bounded simplex {sum w = 1, 0.02 <= w <= 0.60}; every change goes through
project_bounded_simplex, so the invariant holds structurally.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.cognition import constants as K
from agents.cognition.mathutil import project_bounded_simplex

_N = K.N_VALUE_DIMENSIONS


def total_drift(weights: tuple[float, ...] | list[float], baseline: tuple[float, ...] | list[float]) -> float:
    """Def. 5: sum_d |w_d - w_d^baseline|."""
    return sum(abs(a - b) for a, b in zip(weights, baseline, strict=True))


def classify_drift(drift: float) -> str:
    """§4.2 / §9.3: nominal < 0.10 <= moderate < 0.25 <= elevated < 0.40 <= critical."""
    if drift < K.DRIFT_MODERATE:
        return "nominal"
    if drift < K.DRIFT_ELEVATED:
        return "moderate"
    if drift < K.DRIFT_CRITICAL:
        return "elevated"
    return "critical"


def drift_actions(classification: str) -> tuple[str, ...]:
    """§4.2: elevated freezes mutations; critical freezes and reverts to the last stable checkpoint."""
    if classification == "elevated":
        return ("freeze_mutations",)
    if classification == "critical":
        return ("freeze_mutations", "revert_to_checkpoint")
    if classification == "moderate":
        return ("active_monitoring",)
    return ()


def is_valid_value_vector(w: tuple[float, ...] | list[float], tol: float = 1e-9) -> bool:
    return (
        len(w) == _N
        and abs(sum(w) - K.VALUE_SUM) <= tol
        and all(K.VALUE_WEIGHT_MIN - tol <= x <= K.VALUE_WEIGHT_MAX + tol for x in w)
    )


def make_value_vector(weights: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """A persona preset made valid: refused if not 7 finite non-negative numbers, else projected."""
    if len(weights) != _N:
        raise ValueError(f"value vector needs {_N} weights, got {len(weights)}")
    for x in weights:
        if not (x == x) or x < 0 or x == float("inf"):
            raise ValueError(f"invalid value weight {x!r}")
    total = sum(weights)
    if total <= 0:
        raise ValueError("value weights sum to zero")
    return project_bounded_simplex([x / total for x in weights])


@dataclass
class ValueState:
    weights: list[float]
    baseline: list[float]
    checkpoint: list[float]
    history: list[list[float]] = field(default_factory=list)  # snapshots at monitor runs, newest last
    sustained: list[int] = field(default_factory=lambda: [0] * _N)
    rate_factor: list[float] = field(default_factory=lambda: [1.0] * _N)
    classification: str = "nominal"
    mutations_frozen: bool = False
    alerts: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class DriftStatus:
    total_drift: float
    max_drift: float
    classification: str
    actions: tuple[str, ...]
    velocity: tuple[float, ...]
    alerts: tuple[str, ...]


def value_drift_monitor(vs: ValueState, stable: bool) -> DriftStatus:
    """§9.3, every 50 cycles (mutates vs): classify, act, track velocity and sustained drift.

    stable: no stability violation since the last run - only then is the current vector recorded as
    the last stable checkpoint.
    """
    w = vs.weights
    drifts = [abs(a - b) for a, b in zip(w, vs.baseline, strict=True)]
    td = sum(drifts)
    cls = classify_drift(td)
    acts = drift_actions(cls)
    steps_back = K.DRIFT_VELOCITY_WINDOW // K.VALUE_DRIFT_MONITOR_INTERVAL
    old = vs.history[-steps_back] if len(vs.history) >= steps_back else vs.baseline
    velocity = tuple((a - b) / K.DRIFT_VELOCITY_WINDOW for a, b in zip(w, old, strict=True))
    alerts: list[str] = []
    for d in range(_N):
        if velocity[d] > K.SUSTAINED_DRIFT_VELOCITY:
            vs.sustained[d] += K.VALUE_DRIFT_MONITOR_INTERVAL
        else:
            vs.sustained[d] = 0
        if vs.sustained[d] >= K.SUSTAINED_DRIFT_CYCLES:
            alerts.append(f"Sustained drift in '{K.VALUE_DIMENSIONS[d]}'")
            vs.rate_factor[d] = K.SUSTAINED_DRIFT_RATE_FACTOR
    if "revert_to_checkpoint" in acts:
        vs.weights = list(vs.checkpoint)
    vs.mutations_frozen = "freeze_mutations" in acts
    if cls in ("nominal", "moderate") and stable:
        vs.checkpoint = list(vs.weights)
    vs.classification = classify_drift(total_drift(vs.weights, vs.baseline))
    vs.history.append(list(vs.weights))
    del vs.history[:-steps_back]
    vs.alerts = alerts
    return DriftStatus(td, max(drifts), cls, acts, velocity, tuple(alerts))
