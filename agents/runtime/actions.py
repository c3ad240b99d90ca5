"""Typed actions: what the policy asks the executor to do, as plain data.

Every action has a `key`: the journal uses it to recognise an action already in flight (or already
done but not yet visible in the agent's memory), so a restarted agent never sends the same thing
twice. `obligation` marks actions that follow from commitments the agent already has (a funded job
to deliver, a submission to evaluate, a dispute to rule on, timers to settle); the others are
discretionary and are only produced when cognition grants authority (see docs/agents.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Action:
    kind: ClassVar[str] = "action"
    obligation: ClassVar[bool] = False

    @property
    def key(self) -> str:
        return self.kind

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for k, v in data.items():
            if isinstance(v, bytes):
                data[k] = "0x" + v.hex()
            elif isinstance(v, tuple):
                data[k] = [list(x) if isinstance(x, tuple) else x for x in v]
        return {"kind": self.kind, "key": self.key, **data}


# ------------------------------------------------------------------ setup
@dataclass(frozen=True)
class Approve(Action):
    """Let `spender` (escrow or staking, by contract name) move the agent's tokens."""

    kind: ClassVar[str] = "approve"
    obligation: ClassVar[bool] = True
    spender: str
    amount: int

    @property
    def key(self) -> str:
        return f"approve:{self.spender}"


@dataclass(frozen=True)
class Register(Action):
    kind: ClassVar[str] = "register"
    obligation: ClassVar[bool] = True
    uri: str
    services: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Stake(Action):
    kind: ClassVar[str] = "stake"
    obligation: ClassVar[bool] = True
    amount: int


@dataclass(frozen=True)
class SetAsks(Action):
    """Publish new asking prices (AgentRegistry.setServices)."""

    kind: ClassVar[str] = "set_asks"
    agent_id: int
    services: tuple[tuple[str, int], ...]


# ------------------------------------------------------------------ client side
@dataclass(frozen=True)
class CreateJob(Action):
    kind: ClassVar[str] = "create_job"
    provider: str
    expired_at: int
    description: str
    tag: str  # unique per decision (cycle-based), for the journal key

    @property
    def key(self) -> str:
        return f"create_job:{self.tag}"


@dataclass(frozen=True)
class SetBudget(Action):
    kind: ClassVar[str] = "set_budget"
    job_id: int
    amount: int

    @property
    def key(self) -> str:
        return f"set_budget:{self.job_id}:{self.amount}"


@dataclass(frozen=True)
class Fund(Action):
    kind: ClassVar[str] = "fund"
    job_id: int
    amount: int

    @property
    def key(self) -> str:
        return f"fund:{self.job_id}"


@dataclass(frozen=True)
class Complete(Action):
    kind: ClassVar[str] = "complete"
    obligation: ClassVar[bool] = True
    job_id: int

    @property
    def key(self) -> str:
        return f"evaluate:{self.job_id}"


@dataclass(frozen=True)
class Reject(Action):
    kind: ClassVar[str] = "reject"
    obligation: ClassVar[bool] = True
    job_id: int

    @property
    def key(self) -> str:
        return f"evaluate:{self.job_id}"


@dataclass(frozen=True)
class GiveFeedback(Action):
    kind: ClassVar[str] = "feedback"
    obligation: ClassVar[bool] = True
    job_id: int
    rating: int

    @property
    def key(self) -> str:
        return f"feedback:{self.job_id}"


@dataclass(frozen=True)
class ClaimRefund(Action):
    """Permissionless timer: expiry of a funded job, end of a dispute window or ruling period."""

    kind: ClassVar[str] = "claim_refund"
    obligation: ClassVar[bool] = True
    job_id: int
    reason: str = ""

    @property
    def key(self) -> str:
        return f"claim_refund:{self.job_id}:{self.reason}"


# ------------------------------------------------------------------ provider side
@dataclass(frozen=True)
class Submit(Action):
    kind: ClassVar[str] = "submit"
    obligation: ClassVar[bool] = True
    job_id: int
    payload: bytes = field(repr=False)
    honest: bool = True

    @property
    def key(self) -> str:
        return f"submit:{self.job_id}"


@dataclass(frozen=True)
class AcceptJob(Action):
    """The provider agrees to a job naming it at its current budget (ServiceEscrow.acceptJob): without it
    the client cannot fund, so nothing is locked from a provider that did not agree."""

    kind: ClassVar[str] = "accept_job"
    obligation: ClassVar[bool] = True
    job_id: int
    amount: int

    @property
    def key(self) -> str:
        return f"accept_job:{self.job_id}:{self.amount}"


@dataclass(frozen=True)
class ClaimPayment(Action):
    kind: ClassVar[str] = "claim_payment"
    obligation: ClassVar[bool] = True
    job_id: int

    @property
    def key(self) -> str:
        return f"claim_payment:{self.job_id}"


@dataclass(frozen=True)
class Dispute(Action):
    kind: ClassVar[str] = "dispute"
    obligation: ClassVar[bool] = True
    job_id: int

    @property
    def key(self) -> str:
        return f"dispute:{self.job_id}"


# ------------------------------------------------------------------ guardian
@dataclass(frozen=True)
class Rule(Action):
    kind: ClassVar[str] = "rule"
    obligation: ClassVar[bool] = True
    job_id: int
    for_provider: bool

    @property
    def key(self) -> str:
        return f"rule:{self.job_id}"


# ------------------------------------------------------------------ governance
@dataclass(frozen=True)
class Propose(Action):
    kind: ClassVar[str] = "propose"
    parameter: str  # e.g. "ServiceEscrow.feeBps"
    value: int
    description: str

    @property
    def key(self) -> str:
        return f"propose:{self.parameter}:{self.value}"


@dataclass(frozen=True)
class Vote(Action):
    kind: ClassVar[str] = "vote"
    proposal_id: int
    support: int  # 0 against, 1 for, 2 abstain (OpenZeppelin)
    reason: str = ""

    @property
    def key(self) -> str:
        return f"vote:{self.proposal_id}"


@dataclass(frozen=True)
class Queue(Action):
    kind: ClassVar[str] = "queue"
    obligation: ClassVar[bool] = True
    proposal_id: int

    @property
    def key(self) -> str:
        return f"queue:{self.proposal_id}"


@dataclass(frozen=True)
class Execute(Action):
    kind: ClassVar[str] = "execute"
    obligation: ClassVar[bool] = True
    proposal_id: int

    @property
    def key(self) -> str:
        return f"execute:{self.proposal_id}"


@dataclass(frozen=True)
class ActivateVoting(Action):
    """Opt the agent's bonded stake into voting (Staking.activateVoting) once its reputation reaches the
    gate: only active stake votes and counts towards quorum (issue 10, finding 4)."""

    kind: ClassVar[str] = "activate_voting"
    obligation: ClassVar[bool] = True


ACTION_TYPES: dict[str, type[Action]] = {
    cls.kind: cls
    for cls in (
        Approve,
        Register,
        Stake,
        SetAsks,
        CreateJob,
        SetBudget,
        Fund,
        Complete,
        Reject,
        GiveFeedback,
        ClaimRefund,
        Submit,
        ClaimPayment,
        Dispute,
        Rule,
        Propose,
        Vote,
        Queue,
        Execute,
        AcceptJob,
        ActivateVoting,
    )
}
