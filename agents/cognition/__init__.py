"""Level 4.9 cognition (seed 001) with its minimal L4.8 substrate: pure, deterministic, no I/O.

Public API:
    state = AgentState.new(purpose={"hash": 0.6, "sort": 0.4}, values=persona_preset)
    result = step(state, Observation(...))      # -> StepResult(state, decisions, report)
    for d in result.actionable: ...              # act only on non-vetoed decisions with authority
    blob = result.state.to_dict(); AgentState.from_dict(blob)
"""

from agents.cognition.audit import AuditReport, audit_report
from agents.cognition.decisions import (
    ApplyMutation,
    Decision,
    DropGoal,
    InteractionRecommendation,
    PursueGoal,
    SetOperatingMode,
)
from agents.cognition.observation import (
    Balances,
    CounterpartyOutcome,
    Governance,
    Observation,
    ServiceActivity,
)
from agents.cognition.orchestrator import CognitionInputError, CycleReport, StepResult, step
from agents.cognition.state import AgentState


def qualification_audit(state: AgentState) -> AuditReport:
    """The §12 audit over the state's current (possibly incomplete) audit period."""
    return audit_report(state.audit)


__all__ = [
    "AgentState",
    "ApplyMutation",
    "AuditReport",
    "Balances",
    "CognitionInputError",
    "CounterpartyOutcome",
    "CycleReport",
    "Decision",
    "DropGoal",
    "Governance",
    "InteractionRecommendation",
    "Observation",
    "PursueGoal",
    "ServiceActivity",
    "SetOperatingMode",
    "StepResult",
    "qualification_audit",
    "step",
]
