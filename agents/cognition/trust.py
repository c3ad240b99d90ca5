"""Module 11 (§6.4-6.5, Def. 10): TrustCalibrator - asymmetric trust with bounds."""

from __future__ import annotations

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp


def update_trust(trust: float, observed_reliability: float) -> float:
    """Def. 10: T + eta (R - T), eta_up = 0.03 when R > T, eta_down = 0.08 otherwise; T in [0.05, 0.95]."""
    eta = K.TRUST_ETA_UP if observed_reliability > trust else K.TRUST_ETA_DOWN
    return clamp(trust + eta * (observed_reliability - trust), K.TRUST_MIN, K.TRUST_MAX)


def trust_level(trust: float) -> str:
    """§6.5: high >= 0.75 > moderate >= 0.40 > low >= 0.20 > minimal."""
    if trust >= K.TRUST_HIGH:
        return "high"
    if trust >= K.TRUST_MODERATE:
        return "moderate"
    if trust >= K.TRUST_LOW:
        return "low"
    return "minimal"
