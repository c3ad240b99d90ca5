"""Decisions come out of cognition as data; the runtime acts only on actionable ones.

authority: 0.0 = advisory only (shadow / advisory / re-enable advisory stage / warning survival mode /
marginal ASS), 0.5 = partial authority (weigh the proposal at 50 %), 1.0 = full. A vetoed decision
carries the violated stability conditions in veto_reasons and must not be acted on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class _Decision:
    authority: float
    vetoed: bool
    veto_reasons: tuple[str, ...]

    @property
    def actionable(self) -> bool:
        return not self.vetoed and self.authority > 0.0


@dataclass(slots=True, frozen=True)
class PursueGoal(_Decision):
    goal_id: int
    origin: str  # GoalOriginType, e.g. SURVIVAL_DRIVEN
    tier: str
    metric: str  # observable the goal is measured on, e.g. "horizon", "won:<service>"
    target: float
    service: str | None
    skills: tuple[str, ...]
    priority: float
    deadline: int
    validation: str  # approved | promoted_from_sandbox | merged
    aspirational: bool = False
    reduced_scope: bool = False
    kind: str = "pursue_goal"


@dataclass(slots=True, frozen=True)
class DropGoal(_Decision):
    goal_id: int
    reason: str  # rollback | conflict
    kind: str = "drop_goal"


@dataclass(slots=True, frozen=True)
class ApplyMutation(_Decision):
    mutation_id: int
    weights: tuple[float, ...]  # the complete new value vector
    previous: tuple[float, ...]
    reason: str  # sandbox_approved | rollback_window | drift_revert | freeze_revert
    kind: str = "apply_mutation"


@dataclass(slots=True, frozen=True)
class InteractionRecommendation(_Decision):
    counterparty: str  # 0x address, lower case
    strategy: str  # cooperative | neutral | competitive | unknown (effective class used)
    action: str  # COOPERATE | VERIFY | AVOID
    expected_self_outcome: float
    expected_agent_outcome: float
    confidence: float
    risk: float
    trust: float
    role: str = "provider"  # the role the counterparty plays toward us in the modelled interactions
    kind: str = "interaction"


@dataclass(slots=True, frozen=True)
class SetOperatingMode(_Decision):
    survival_state: str  # abundant | adequate | constrained | warning | critical
    exploration_factor: float  # 1.0, 0.7 (constrained), 0.5 (warning), 0.0 (critical)
    stability_share: float  # share of effort to the stability resource (0.8 in critical)
    kind: str = "operating_mode"


Decision = PursueGoal | DropGoal | ApplyMutation | InteractionRecommendation | SetOperatingMode
