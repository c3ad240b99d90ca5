"""§10: L4.8 -> L4.9 activation criteria and the activation protocol.

Criteria (§10.1): (1) L4.8 qualified - rho(J) < 1.0, IIS >= 0.85, MCE < 0.10 and Lyapunov
non-increasing in >= 95 % of the window (all measured, none "not yet estimable"); (2) SMS >= 0.85,
SMS = mean(1 - MCE, Lyapunov share, 1 - EU, IIS) (L4.8's SMS is not in the seed: CHOICE; 1 - MCE is
the identity's capability-confidence measure: 1 - MCE/0.10 made SMS demand MCE < ~0.04, stricter than
criterion 4's 0.08, and failed calibrated agents);
(3) no GoalStack pathology for 500 cycles; (4) MCE < 0.08; (5) EU < 0.20 for 500 cycles; (6) no
instability cluster for 1000 cycles. Protocol (§10.2): all six for 100 consecutive cycles -> SHADOW
(500 cycles, computes, does not act) -> ADVISORY (visible, recommends; 500 stable cycles) -> PARTIAL
(50 % authority; 500 stable cycles) -> FULL. A regression in SHADOW or instability in ADVISORY
returns to CHECK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

if TYPE_CHECKING:
    from agents.cognition.substrate import SubstrateOutput

PHASES = ("CHECK", "SHADOW", "ADVISORY", "PARTIAL", "FULL")
AUTHORITY = {"CHECK": 0.0, "SHADOW": 0.0, "ADVISORY": 0.0, "PARTIAL": K.PARTIAL_AUTHORITY, "FULL": 1.0}


@dataclass
class ActivationState:
    phase: str = "CHECK"
    phase_start: int = 0
    all_ok_streak: int = 0
    no_pathology_streak: int = 0
    eu_streak: int = 0
    no_cluster_streak: int = 0


def sms(sub: SubstrateOutput) -> float:
    if sub.mce is None or sub.lyapunov_ok_share is None:
        return 0.0
    return (clamp(1.0 - sub.mce) + sub.lyapunov_ok_share + (1.0 - sub.eu) + clamp(sub.iis)) / 4


def criteria(act: ActivationState, sub: SubstrateOutput) -> dict[str, bool]:
    """Update the streaks with this cycle's substrate output and evaluate the six criteria."""
    act.no_pathology_streak = 0 if sub.pathologies else act.no_pathology_streak + 1
    act.eu_streak = act.eu_streak + 1 if sub.eu < K.EU_LIMIT else 0
    act.no_cluster_streak = 0 if sub.instability_cluster else act.no_cluster_streak + 1
    l48 = (
        # rho < 1.0 on the persistence-filtered estimate: an excess over 3 consecutive 20-cycle windows
        # fails it, one noisy window does not (the measurement window of §9's rho fix)
        sub.rho is not None
        and sub.rho_excess_run < K.RHO_EXCESS_PERSISTENCE_CYCLES
        and sub.iis >= K.L48_IDENTITY_LIMIT
        and sub.mce is not None
        and sub.mce < K.L48_MCE_LIMIT
        and sub.lyapunov_ok_share is not None
        and sub.lyapunov_ok_share >= K.LYAPUNOV_DECREASE_SHARE
    )
    return {
        "l48_qualified": l48,
        "sms": sms(sub) >= K.SMS_THRESHOLD,
        "stable_goalstack": act.no_pathology_streak >= K.STABLE_GOALSTACK_CYCLES,
        "self_model_calibration": sub.mce is not None and sub.mce < K.MCE_LIMIT,
        "world_model": act.eu_streak >= K.EU_CYCLES,
        "no_instability": act.no_cluster_streak >= K.NO_INSTABILITY_CYCLES,
    }


def advance(act: ActivationState, crit: dict[str, bool], instability: bool, now: int) -> None:
    """One cycle of the protocol (mutates act). instability: a stability violation this cycle."""
    ok = all(crit.values())
    act.all_ok_streak = act.all_ok_streak + 1 if ok else 0
    elapsed = now - act.phase_start
    if act.phase == "CHECK":
        if act.all_ok_streak >= K.PRE_ACTIVATION_CYCLES:
            act.phase, act.phase_start = "SHADOW", now
    elif act.phase == "SHADOW":
        if not ok or instability:
            act.phase, act.phase_start, act.all_ok_streak = "CHECK", now, 0
        elif elapsed >= K.SHADOW_CYCLES:
            act.phase, act.phase_start = "ADVISORY", now
    elif act.phase == "ADVISORY":
        if instability:
            act.phase, act.phase_start, act.all_ok_streak = "CHECK", now, 0
        elif elapsed >= K.ADVISORY_STAGE_CYCLES:
            act.phase, act.phase_start = "PARTIAL", now
    elif act.phase == "PARTIAL":
        if instability:
            act.phase_start = now  # stability is measured afresh; the rollback protocol handles the veto
        elif elapsed >= K.PARTIAL_STAGE_CYCLES:
            act.phase, act.phase_start = "FULL", now
