"""Module 6 (§4.5, Def. 4/9): ValueCoherenceAnalyser - tension between competing value pairs.

Tension(v_i, v_j) = max(0, w_i + w_j - 1) for the §4.1 competing pairs. On the bounded simplex any two
weights sum to at most 0.60 + 0.30 = 0.90 (one is at most 0.60, the other five hold >= 0.02 each), so the
seed's tension is always 0 and Coherence always 1 (gap 4). The formula is kept and gated on as the seed
says; an extended tension, max(0, w_i + w_j - 2/7) / (0.90 - 2/7) (0 when the pair holds no more than
its even share, 1 at the largest pair sum the bounds allow), is reported alongside, never gated on.
"""

from __future__ import annotations

from agents.cognition import constants as K

_IDX = {name: i for i, name in enumerate(K.VALUE_DIMENSIONS)}
_PAIRS = tuple((_IDX[a], _IDX[b]) for a, b in K.COMPETING_VALUE_PAIRS)
_EVEN_PAIR = 2.0 / K.N_VALUE_DIMENSIONS
_MAX_PAIR = K.VALUE_WEIGHT_MAX + (1.0 - K.VALUE_WEIGHT_MAX - (K.N_VALUE_DIMENSIONS - 2) * K.VALUE_WEIGHT_MIN)


def tension(wi: float, wj: float) -> float:
    """Def. 9 for a competing pair."""
    return max(0.0, wi + wj - 1.0)


def coherence(weights: tuple[float, ...] | list[float]) -> float:
    """Def. 4: 1 - mean |Tension| over the competing pairs (target >= 0.80)."""
    return 1.0 - sum(abs(tension(weights[i], weights[j])) for i, j in _PAIRS) / len(_PAIRS)


def extended_tension(wi: float, wj: float) -> float:
    return min(1.0, max(0.0, wi + wj - _EVEN_PAIR) / (_MAX_PAIR - _EVEN_PAIR))


def extended_coherence(weights: tuple[float, ...] | list[float]) -> float:
    return 1.0 - sum(extended_tension(weights[i], weights[j]) for i, j in _PAIRS) / len(_PAIRS)
