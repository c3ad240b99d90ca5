"""The contracts' state machines as types: the one place a status number appears.

The contracts number their states with `constant(uint8)`s (ServiceEscrow's job status and dispute
outcome, the Governor's ProposalState and vote support, Reputation's change causes). Python code names
them through these enums and nothing else; `tests/unit/chain/test_protocol.py` reads the contracts'
sources and fails when a number here and there disagree, or when a contract gains a state this module
does not know.

    from agents.chain.protocol import JobStatus, ProposalState
    if job.status == JobStatus.SUBMITTED: ...
    ProposalState(3).label   # "Defeated"

Each enum is an IntEnum, so a value read from the chain (an int) compares equal to its member and a
member passes to a contract call as its number. `CONTRACT_CONSTANTS` says which contract constant
each member mirrors.
"""

from __future__ import annotations

from enum import IntEnum


class JobStatus(IntEnum):
    """ServiceEscrow `Job.status` (ERC-8183's states, then the dispute extension)."""

    OPEN = 0
    FUNDED = 1
    SUBMITTED = 2
    COMPLETED = 3
    REJECTED = 4
    EXPIRED = 5
    DISPUTED = 6

    @property
    def label(self) -> str:
        """Lower-case name, as the CLI, the dashboard and the report show it."""
        return self.name.lower()


class DisputeOutcome(IntEnum):
    """ServiceEscrow `DisputeResolved.outcome`: who the guardians' ruling (or its absence) favoured."""

    NONE = 0  # no ruling yet (not emitted)
    PROVIDER = 1  # upheld: the provider is paid (a JobCompleted follows)
    CLIENT = 2  # the client is refunded, the provider slashed
    DEFAULT = 3  # no majority by the ruling deadline: the client is refunded, nobody slashed


class ProposalState(IntEnum):
    """Governor `state(proposalId)`, numbered as OpenZeppelin's ProposalState."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7

    @property
    def label(self) -> str:
        """Capitalised name, as `emergent gov` prints it ("Active")."""
        return self.name.capitalize()

    @property
    def finished(self) -> bool:
        """Nothing more can happen to the proposal."""
        return self in (
            ProposalState.CANCELED,
            ProposalState.DEFEATED,
            ProposalState.EXPIRED,
            ProposalState.EXECUTED,
        )


class VoteSupport(IntEnum):
    """Governor `castVote(proposalId, support)`: OpenZeppelin's counting-simple vote types."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2

    @classmethod
    def parse(cls, text: str) -> VoteSupport:
        """ "for" / "against" / "abstain" (any case) -> the member; ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"support must be for, against or abstain, not {text!r}") from None


class ReputationCause(IntEnum):
    """Reputation `ReputationChanged.cause`: why a score moved."""

    FEEDBACK = 0
    EXPIRY = 1  # penalty: a funded job expired undelivered
    DISPUTE_LOST = 2  # penalty: the provider lost a dispute
    SLASH = 3  # penalty: stake slashed
    SEED = 4  # the founders' starting scores


# (contract, constant-name prefix) each enum mirrors: member NAME <-> `<prefix>NAME: constant(uint8)`.
CONTRACT_CONSTANTS: dict[type[IntEnum], tuple[str, str]] = {
    JobStatus: ("ServiceEscrow", ""),
    DisputeOutcome: ("ServiceEscrow", "OUTCOME_"),
    ProposalState: ("Governor", "STATE_"),
    VoteSupport: ("Governor", "VOTE_"),
}
# Reputation names its causes CAUSE_* and PENALTY_* (one numbering); the test checks them by hand.
REPUTATION_CONSTANTS: dict[str, ReputationCause] = {
    "CAUSE_FEEDBACK": ReputationCause.FEEDBACK,
    "PENALTY_EXPIRY": ReputationCause.EXPIRY,
    "PENALTY_DISPUTE_LOST": ReputationCause.DISPUTE_LOST,
    "PENALTY_SLASH": ReputationCause.SLASH,
    "CAUSE_SEED": ReputationCause.SEED,
}

# The settled outcomes of a job, as the agents' memory and the run's report name them.
GOOD_OUTCOMES = ("completed", "disputed_provider_won")
BAD_OUTCOMES = ("disputed_client_won", "expired", "rejected")
