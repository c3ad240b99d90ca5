"""The persisted cognition state of one agent: plain dataclasses, to_dict / from_dict round trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.cognition import constants as K
from agents.cognition.activation import PHASES, ActivationState
from agents.cognition.audit import AuditLedger
from agents.cognition.beliefs import BeliefState
from agents.cognition.fastcopy import deepcopy_state
from agents.cognition.goal_rate import RateState
from agents.cognition.goals import Goal
from agents.cognition.mutation_sandbox import AppliedMutation, PendingMutation
from agents.cognition.rollback import RollbackState
from agents.cognition.serial import from_dict, to_dict
from agents.cognition.substrate import SubstrateState
from agents.cognition.values import ValueState, make_value_vector

STATE_VERSION = 2  # 2: pending mutations store deltas (a v1 state loads with its pending mutations dropped)


@dataclass
class SandboxedGoal:
    goal: Goal
    until: int


@dataclass
class L49State:
    rate: RateState = field(default_factory=RateState)
    goal_sandbox: list[SandboxedGoal] = field(default_factory=list)
    conflict_history: list[tuple[int, str, str, str]] = field(default_factory=list)
    suppressed_pairs: dict[str, int] = field(default_factory=dict)
    pending: list[PendingMutation] = field(default_factory=list)
    applied: list[AppliedMutation] = field(default_factory=list)
    mutation_cycles: list[int] = field(default_factory=list)
    next_mutation_id: int = 1
    last_mutation_dim: int = -1  # -1: no mutation applied yet (never used as an index)
    last_mutation_cycle: int = -1
    survival_state: str = "abundant"
    status: str = "WARMING_UP"
    last_ass: float = -1.0
    last_violations: list[str] = field(default_factory=list)
    last_authority: float = 0.0
    violation_since_monitor: bool = False
    depleted: dict[str, bool] = field(default_factory=dict)
    last_min_survival: float = 1e9
    coherence: float = 1.0
    closed_goals: list[int] = field(
        default_factory=list
    )  # last closed autonomous goals: 1 completed, 0 failed
    # consecutive L4.9 estimates with rho >= 0.98 (RHO_EXCESS_PERSISTENCE)
    rho_excess_streak: int = 0
    rho_recent: list[float] = field(default_factory=list)  # rho at the last 3 L4.9 ticks (AS-1)


@dataclass
class AgentState:
    values: ValueState
    substrate: SubstrateState
    beliefs: BeliefState = field(default_factory=BeliefState)
    l49: L49State = field(default_factory=L49State)
    rollback: RollbackState = field(default_factory=RollbackState)
    activation: ActivationState = field(default_factory=ActivationState)
    audit: AuditLedger = field(default_factory=AuditLedger)
    cycle: int = 0
    version: int = STATE_VERSION

    @classmethod
    def new(
        cls,
        purpose: dict[str, float],
        values: tuple[float, ...] | list[float] = K.DEFAULT_VALUE_WEIGHTS,
        start_phase: str = "CHECK",
    ) -> AgentState:
        """A fresh agent from a persona: its value-vector preset and its declared purpose (service
        type -> weight). start_phase: "CHECK" runs the §10.2 activation protocol from the start;
        a simulation may start later in the protocol (e.g. "FULL"), which is recorded in the state."""
        if start_phase not in PHASES:
            raise ValueError(f"start_phase must be one of {PHASES}")
        if not purpose:
            raise ValueError("purpose needs at least one service")
        if (
            any(not (w == w) or w < 0 or w == float("inf") for w in purpose.values())
            or sum(purpose.values()) <= 0
        ):
            raise ValueError("purpose weights must be finite, non-negative and not all zero")
        total = sum(purpose.values())
        w = list(make_value_vector(values))
        return cls(
            values=ValueState(weights=w, baseline=list(w), checkpoint=list(w)),
            substrate=SubstrateState(purpose={k: v / total for k, v in purpose.items()}),
            activation=ActivationState(phase=start_phase),
        )

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentState:
        if data.get("version") == 1:  # v1 pending mutations held whole vectors: drop them (re-proposed)
            data = dict(data, version=STATE_VERSION, l49=dict(data.get("l49", {}), pending=[]))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported cognition state version {data.get('version')!r}")
        return from_dict(cls, data)

    def clone(self) -> AgentState:
        """An independent deep copy (agents.cognition.fastcopy: a third of a pickle round trip's time)."""
        return deepcopy_state(self)
