"""Module 11 (§6.4-6.5, Def. 10): TrustCalibrator - asymmetric trust with bounds."""

from __future__ import annotations

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp


def update_trust(trust: float, observed_reliability: float) -> float:
    """Def. 10: T + eta (R - T), eta_up = 0.03 when R > T, eta_down = 0.08 otherwise; T in [0.05, 0.95]."""
    eta = K.TRUST_ETA_UP if observed_reliability > trust else K.TRUST_ETA_DOWN
    return clamp(trust + eta * (observed_reliability - trust), K.TRUST_MIN, K.TRUST_MAX)


def update_trust_samples(trust: float, reliable: int, total: int) -> float:
    """§6.4 with one step t per observed interaction (CHOICE): `total` outcomes since the last update,
    `reliable` of them reliable, applied as that many Def. 10 steps toward their mean. One step per
    L4.9 tick whatever the number of outcomes let trust lag the evidence (MA-2 error 0.24 on the offline
    market); per interaction, trust is earned at 0.03 and lost at 0.08 per outcome, as the seed says."""
    if total <= 0:
        return trust
    r = reliable / total
    eta = K.TRUST_ETA_UP if r > trust else K.TRUST_ETA_DOWN
    w = 1.0 - (1.0 - eta) ** total
    return clamp(trust + w * (r - trust), K.TRUST_MIN, K.TRUST_MAX)


def trust_level(trust: float) -> str:
    """§6.5: high >= 0.75 > moderate >= 0.40 > low >= 0.20 > minimal."""
    if trust >= K.TRUST_HIGH:
        return "high"
    if trust >= K.TRUST_MODERATE:
        return "moderate"
    if trust >= K.TRUST_LOW:
        return "low"
    return "minimal"
