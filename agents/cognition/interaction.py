"""Module 12 (§6.3): InteractionSimulator - an interaction matrix per modelled counterparty.

Own actions: COOPERATE (trade on trust), VERIFY (trade through escrow and check before paying),
AVOID. The counterparty cooperates with probability = trust, else defects. Payoffs are in units of one
job's value (market price), net of gas per job (from the observed gas cost): cooperation yields
1 - cost to each; trusting a defector loses 0.5 (half the value is recovered through the escrow's
refund path); verification costs 0.1 and turns a defection into a dispute (-0.1 to us, -0.2 to the
defector, who is slashed). Strategy by class (§6.3): cooperative -> maximise joint value;
neutral -> maximise own value subject to the other's expected outcome >= 0; competitive -> maximin
(best worst case, never optimising for the other's harm); unknown -> conservative (maximin, VERIFY
preferred on ties). Trust level (§6.5) caps the stance: minimal trust is treated as competitive, low
as neutral, and only high trust permits unverified cooperation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from agents.cognition import constants as K
from agents.cognition.beliefs import AgentModel
from agents.cognition.trust import trust_level

ACTIONS = ("COOPERATE", "VERIFY", "AVOID")
VERIFY_COST = K.VERIFY_COST
DEFECT_LOSS = K.DEFECT_LOSS


@lru_cache(maxsize=256)  # a handful of gas costs per run; callers only read the matrix
def payoff_matrix(cost: float) -> dict[tuple[str, str], tuple[float, float]]:
    """(self action, other action) -> (self outcome, other outcome)."""
    c = cost
    return {
        ("COOPERATE", "cooperate"): (1 - c, 1 - c),
        ("COOPERATE", "defect"): (-DEFECT_LOSS, DEFECT_LOSS),
        ("VERIFY", "cooperate"): (1 - c - VERIFY_COST, 1 - c - VERIFY_COST / 2),
        ("VERIFY", "defect"): (-VERIFY_COST, -K.DEFECTOR_SLASH),
        ("AVOID", "cooperate"): (0.0, 0.0),
        ("AVOID", "defect"): (0.0, 0.0),
    }


@dataclass(slots=True, frozen=True)
class Recommendation:
    counterparty: str
    strategy: str  # the counterparty's class used
    action: str
    expected_self_outcome: float
    expected_agent_outcome: float
    confidence: float
    risk: float  # probability of a negative own outcome


def effective_class(m: AgentModel) -> str:
    lvl = trust_level(m.trust)
    cls = m.strategy
    if lvl == "minimal":
        return "competitive"
    if lvl == "low" and cls == "cooperative":
        return "neutral"
    return cls


def recommend(m: AgentModel, cost: float) -> Recommendation:
    p = m.trust
    mat = payoff_matrix(cost)
    cls = effective_class(m)

    def ev(a: str) -> tuple[float, float]:
        sc, oc = mat[(a, "cooperate")]
        sd, od = mat[(a, "defect")]
        return p * sc + (1 - p) * sd, p * oc + (1 - p) * od

    allowed = ACTIONS if trust_level(p) == "high" else ("VERIFY", "AVOID")
    if cls == "cooperative":
        action = max(allowed, key=lambda a: (sum(ev(a)), -ACTIONS.index(a)))
    elif cls == "neutral":
        ok = [a for a in allowed if ev(a)[1] >= 0.0] or ["AVOID"]
        action = max(ok, key=lambda a: (ev(a)[0], -ACTIONS.index(a)))
    elif cls == "competitive":  # maximin: best worst case over the other's actions
        action = max(
            allowed, key=lambda a: (min(mat[(a, "cooperate")][0], mat[(a, "defect")][0]), a == "AVOID")
        )
    else:  # unknown: conservative - verified trade only if it pays in expectation, else stay out
        action = "VERIFY" if ev("VERIFY")[0] > 0.0 else "AVOID"
    s, o = ev(action)
    risk = (1 - p) if mat[(action, "defect")][0] < 0 else 0.0
    acc = m.prediction_accuracy
    confidence = min(1.0, m.interactions / 20) * (0.5 if acc is None else acc)
    return Recommendation(m.agent_id, cls, action, s, o, confidence, risk)
