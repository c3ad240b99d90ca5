"""L4.5 SEOF: 0.25 dP/dt + 0.25 (1 - dC/dt) + 0.20 CDI + 0.20 IIS - 0.10 R_osc, clamped to [-1, 1]."""

from __future__ import annotations

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

BASE_WEIGHTS = (K.SEOF_W_DP, K.SEOF_W_DC, K.SEOF_W_CDI, K.SEOF_W_IIS, K.SEOF_W_OSC)


def seof_terms(dp_dt: float, dc_dt: float, cdi: float, iis: float, r_osc: float) -> tuple[float, ...]:
    return (dp_dt, 1.0 - dc_dt, cdi, iis, -r_osc)


def seof(
    dp_dt: float,
    dc_dt: float,
    cdi: float,
    iis: float,
    r_osc: float,
    weights: tuple[float, ...] = BASE_WEIGHTS,
) -> float:
    t = seof_terms(dp_dt, dc_dt, cdi, iis, r_osc)
    return clamp(sum(w * x for w, x in zip(weights, t, strict=True)), -1.0, 1.0)


# Which value dimensions speak for which SEOF term (used to re-derive SEOF weights from a shadow
# ValueVector in the mutation sandbox, §4.3). Indices into constants.VALUE_DIMENSIONS.
_TERM_VALUES = (
    (1, 3),  # dP/dt      <- growth, efficiency
    (3, 0),  # 1 - dC/dt  <- efficiency, stability
    (4, 1),  # CDI        <- exploration, growth
    (2, 5),  # IIS        <- purpose fidelity, safety
    (0, 6),  # -R_osc     <- stability, agent cooperation
)


def value_weighted(
    weights: tuple[float, ...], values: tuple[float, ...], baseline: tuple[float, ...]
) -> tuple[float, ...]:
    """SEOF weights re-derived for a value vector: each base weight scaled by how much the value
    dimensions behind its term gained relative to the baseline, renormalised to sum 1."""
    scaled = []
    for w, (a, b) in zip(weights, _TERM_VALUES, strict=True):
        base = baseline[a] + baseline[b]
        scaled.append(w * ((values[a] + values[b]) / base if base > 0 else 1.0))
    total = sum(scaled)
    return tuple(s / total for s in scaled)
