"""Module 10 (§6.1-6.2): AgentBeliefManager - models of at most five counterparties.

Counterparties are counted in a bounded candidate table (32 entries); the five with the most
interactions are modelled. Each model holds: inferred goal (Dirichlet counts over buy / sell / compete,
from the roles it played), capability estimate (Beta reliability), positive-interaction ratio, goal
alignment (EMA of +1 for cooperative client/provider interactions, -1 for competition or
uncooperative behaviour), trust, and the accuracy of its own predictions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.cognition import constants as K

if TYPE_CHECKING:
    from agents.cognition.observation import CounterpartyOutcome

GOAL_KINDS = ("buy_services", "sell_services", "compete")
_ROLE_GOAL = {"client": 0, "provider": 1, "competitor": 2, "evaluator": 1}


@dataclass
class AgentModel:
    agent_id: str
    interactions: int = 0
    positives: int = 0
    reliable: int = 0
    goal_counts: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0])
    alignment: float = 0.0
    trust: float = K.TRUST_INITIAL
    predictions: int = 0
    correct: int = 0
    pending_reliable: int = 0  # reliability samples since the last trust update
    pending_total: int = 0
    strategy: str = "unknown"

    @property
    def positive_ratio(self) -> float:
        return self.positives / self.interactions if self.interactions else 0.0

    @property
    def reliability(self) -> float:
        """Empirical reliability (Beta(1,1) posterior mean)."""
        return (self.reliable + 1) / (self.interactions + 2)

    @property
    def inferred_goal(self) -> tuple[str, float]:
        total = sum(self.goal_counts)
        i = max(range(3), key=lambda k: self.goal_counts[k])
        return GOAL_KINDS[i], self.goal_counts[i] / total

    @property
    def prediction_accuracy(self) -> float | None:
        return self.correct / self.predictions if self.predictions else None


def classify_strategy(positive_ratio: float, alignment: float, interactions: int) -> str:
    """§6.2 table. Rows not covered by the table (gap): NEUTRAL if positive ratio >= 0.50, else
    COMPETITIVE (a party that is mostly not positive is treated defensively)."""
    if interactions < K.MIN_INTERACTIONS_FOR_CLASSIFICATION:
        return "unknown"
    if positive_ratio > K.COOPERATIVE_POSITIVE_RATIO and alignment > K.COOPERATIVE_ALIGNMENT:
        return "cooperative"
    if (
        positive_ratio > K.NEUTRAL_POSITIVE_RATIO
        and -K.NEUTRAL_ALIGNMENT_BAND <= alignment <= K.NEUTRAL_ALIGNMENT_BAND
    ):
        return "neutral"
    if positive_ratio < K.COMPETITIVE_POSITIVE_RATIO and alignment < K.COMPETITIVE_ALIGNMENT:
        return "competitive"
    return "neutral" if positive_ratio >= K.NEUTRAL_POSITIVE_RATIO else "competitive"


@dataclass
class BeliefState:
    candidates: dict[str, int] = field(default_factory=dict)  # id -> interaction count (bounded)
    models: dict[str, AgentModel] = field(default_factory=dict)  # <= 5
    frozen: bool = False


def model_key(role: str, counterparty: str) -> str:
    return f"{role}:{counterparty.lower()}"


def split_key(key: str) -> tuple[str, str]:
    """(role, address) of a model key; a bare address (state from before the split) is a provider."""
    role, sep, addr = key.partition(":")
    return (role, addr) if sep else ("provider", key)


def _predict_positive(m: AgentModel) -> bool:
    return m.strategy == "cooperative" or (m.strategy != "competitive" and m.trust >= 0.5)


def observe_interactions(bs: BeliefState, interactions: Iterable[CounterpartyOutcome]) -> tuple[int, int]:
    """Fold one cycle's CounterpartyOutcome list in (mutates bs). Returns (predictions, correct) made
    for modelled agents this cycle (scored before the model learns from the outcome)."""
    preds = correct = 0
    if bs.frozen:
        return 0, 0
    for it in interactions:
        # one model per (role, counterparty): how an agent behaves as our provider says little about how
        # it behaves as our client or evaluator (a client that wrongly rejects can be a good provider)
        cid = model_key(it.role, it.counterparty)
        bs.candidates[cid] = bs.candidates.get(cid, 0) + 1
        if len(bs.candidates) > K.CANDIDATE_TABLE_MAX:
            victim = min(
                (c for c in bs.candidates if c != cid and c not in bs.models),
                key=lambda c: (bs.candidates[c], c),
                default=None,
            )
            if victim is not None:
                del bs.candidates[victim]
        m = bs.models.get(cid)
        if m is None:
            if len(bs.models) < K.MAX_MODELED_AGENTS:
                m = bs.models[cid] = AgentModel(cid)
            else:
                weakest = min(
                    bs.models.values(), key=lambda x: (bs.candidates.get(x.agent_id, 0), x.agent_id)
                )
                if bs.candidates[cid] > bs.candidates.get(weakest.agent_id, 0):
                    del bs.models[weakest.agent_id]
                    m = bs.models[cid] = AgentModel(cid)
        if m is None:
            continue
        reliable = it.reliable
        positive = reliable and it.cooperative
        if m.interactions >= K.MIN_INTERACTIONS_FOR_CLASSIFICATION:
            preds += 1
            m.predictions += 1
            if _predict_positive(m) == positive:
                correct += 1
                m.correct += 1
        m.interactions += 1
        m.positives += 1 if positive else 0
        m.reliable += 1 if reliable else 0
        m.pending_total += 1
        m.pending_reliable += 1 if reliable else 0
        m.goal_counts[_ROLE_GOAL[it.role]] += 1.0
        if it.role == "competitor" or not it.cooperative:
            sample = -1.0
        elif it.role in ("client", "provider"):
            sample = 1.0
        else:
            sample = 0.0
        m.alignment += K.BELIEF_ALIGNMENT_ALPHA * (sample - m.alignment)
        m.strategy = classify_strategy(m.positive_ratio, m.alignment, m.interactions)
    return preds, correct
