"""The protocol enums mirror the contracts' own constants, and the contracts agree with each other.

A contract that renumbers a state, or gains one Python does not know, fails here before any agent
misreads the chain. The escrow, governor and reputation suites then drive the contracts through these
same enums (tests/fixtures re-export them), so each member is also checked against live behaviour.
"""

from __future__ import annotations

import re
from enum import IntEnum
from pathlib import Path

import pytest

from agents.chain.protocol import (
    CONTRACT_CONSTANTS,
    REPUTATION_CONSTANTS,
    DisputeOutcome,
    JobStatus,
    ProposalState,
    ReputationCause,
    VoteSupport,
)

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
_CONSTANT = re.compile(r"^(\w+): constant\(uint8\) = (\d+)\s*$", re.M)


def uint8_constants(contract: str) -> dict[str, int]:
    return {name: int(value) for name, value in _CONSTANT.findall((CONTRACTS / f"{contract}.vy").read_text())}


def test_the_parser_finds_the_escrow_states() -> None:  # the checks below would pass vacuously otherwise
    assert uint8_constants("ServiceEscrow")["DISPUTED"] == 6
    assert len(uint8_constants("Governor")) == 11


@pytest.mark.parametrize("enum", [DisputeOutcome, ProposalState, VoteSupport], ids=lambda e: e.__name__)
def test_prefixed_enum_is_exactly_the_contracts_constants(enum: type[IntEnum]) -> None:
    contract, prefix = CONTRACT_CONSTANTS[enum]
    theirs = {n.removeprefix(prefix): v for n, v in uint8_constants(contract).items() if n.startswith(prefix)}
    ours = {m.name: m.value for m in enum if not (enum is DisputeOutcome and m is DisputeOutcome.NONE)}
    assert ours == theirs


def test_job_status_is_exactly_the_escrows_state_constants() -> None:
    states = {
        n: v for n, v in uint8_constants("ServiceEscrow").items() if not n.startswith(("OUTCOME_", "_"))
    }
    assert states == {m.name: m.value for m in JobStatus}


def test_dispute_outcome_none_is_the_unset_value_the_contract_never_emits() -> None:
    outcomes = {n: v for n, v in uint8_constants("ServiceEscrow").items() if n.startswith("OUTCOME_")}
    assert DisputeOutcome.NONE == 0 and min(outcomes.values()) == 1 and "OUTCOME_NONE" not in outcomes


def test_reputation_causes_match_reputation_and_the_contracts_that_call_it() -> None:
    rep = uint8_constants("Reputation")
    assert {n: rep[n] for n in REPUTATION_CONSTANTS} == {n: m.value for n, m in REPUTATION_CONSTANTS.items()}
    assert set(REPUTATION_CONSTANTS.values()) == set(ReputationCause)
    esc, staking = uint8_constants("ServiceEscrow"), uint8_constants("Staking")
    assert esc["_PENALTY_EXPIRY"] == ReputationCause.EXPIRY == rep["PENALTY_EXPIRY"]
    assert esc["_PENALTY_DISPUTE_LOST"] == ReputationCause.DISPUTE_LOST == rep["PENALTY_DISPUTE_LOST"]
    assert staking["PENALTY_SLASH"] == ReputationCause.SLASH == rep["PENALTY_SLASH"]
    assert rep["_JOB_COMPLETED"] == JobStatus.COMPLETED  # Reputation reads the escrow's status number


def test_labels_are_what_users_see() -> None:
    assert [s.label for s in JobStatus] == [
        "open",
        "funded",
        "submitted",
        "completed",
        "rejected",
        "expired",
        "disputed",
    ]
    assert ProposalState(3).label == "Defeated" and ProposalState.EXECUTED.finished
    assert not ProposalState.QUEUED.finished


def test_vote_support_parses_words_and_refuses_others() -> None:
    assert VoteSupport.parse(" For ") is VoteSupport.FOR and VoteSupport.parse("abstain") == 2
    with pytest.raises(ValueError, match="support must be for, against or abstain, not 'yes'"):
        VoteSupport.parse("yes")
