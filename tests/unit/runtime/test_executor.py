"""The executor: journal before sending, typed errors never escape, receipts settled later, busy keys."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from agents.chain.errors import InsufficientFundsError, RevertedError, RpcUnavailableError
from agents.chain.types import TxOutcome
from agents.market.payloads import MemoryPayloadStore
from agents.market.services import TaskSpec, commitment, solve
from agents.runtime import actions as A
from agents.runtime.executor import (
    DROP_AFTER_SECONDS,
    FIXED_GAS,
    GAS_LEARN_MARGIN,
    Executor,
    GasBook,
)
from agents.runtime.store import ActionStatus, AgentStore


@dataclass
class Signed:
    tx_hash: str
    nonce: int
    gas_limit: int = 90_000


@dataclass
class Receipt:
    block: int
    gas_used: int = 50_000
    fee_wei: int = 10**12


@dataclass
class FakeSender:
    """Scripted TxSender: `errors[key]` raised by send; `mined[hash]` a Receipt, an exception, or missing."""

    errors: dict[str, Exception] = field(default_factory=dict)
    mined: dict[str, object] = field(default_factory=dict)
    outcomes: dict[str, TxOutcome] = field(default_factory=dict)
    sent: list[tuple[str, int | None]] = field(default_factory=list)
    nonce: int = 0
    synced: int = 0
    receipt_batches: list[list[str]] = field(default_factory=list)

    def send(self, call, *, wait=True, on_signed=None, gas=None):
        key = call
        err = self.errors.get(key)
        if err is not None and gas is None:
            raise err
        signed = Signed(f"0x{self.nonce:064x}", self.nonce, gas if gas is not None else 90_000)
        on_signed(signed)
        self.nonce += 1
        self.sent.append((key, gas))
        return signed

    @property
    def reader(self):  # the fake reads too: receipts and outcomes as scripted
        return self

    def receipts(self, tx_hashes):
        self.receipt_batches.append(list(tx_hashes))
        return {h: self.mined.get(h) for h in tx_hashes}

    def result_of(self, tx_hash, receipt, *, nonce=None):
        if isinstance(receipt, Exception):
            raise receipt
        return receipt

    def tx_outcome(self, tx_hash):
        return self.outcomes.get(tx_hash, TxOutcome.UNKNOWN)

    def sync_nonce(self):
        self.synced += 1
        return self.nonce


class Clock:
    """Wall time that the test can move forward (the journal stamps entries with time.time())."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def env(tmp_path):
    store = AgentStore(tmp_path / "a.sqlite")
    sender = FakeSender()
    clock = Clock()
    events: list[tuple[str, dict]] = []
    ex = Executor(
        sender,
        contracts=None,
        store=store,
        payloads=MemoryPayloadStore(),  # type: ignore[arg-type]
        event_log=lambda e, **kw: events.append((e, kw)),
        clock=clock,
    )
    ex.call_for = lambda action: action.key  # the fake sender keys on the action key
    yield ex, sender, store, clock, events
    store.close()


def _h(n: int) -> str:
    return f"0x{n:064x}"


def test_execute__journaled_and_marked_sent_before_broadcast(env):
    ex, _sender, store, *_ = env
    res = ex.execute([A.Stake(5), A.Rule(3, True)], block=40)
    assert res.sent == ["stake", "rule:3"] and res.stopped is None
    entries = sorted(store.pending_actions(), key=lambda a: a.id)
    assert [(e.kind, e.status, e.tx_hash, e.nonce) for e in entries] == [
        ("stake", ActionStatus.SENT, _h(0), 0),
        ("rule", ActionStatus.SENT, _h(1), 1),
    ]
    assert entries[1].payload == {
        "kind": "rule",
        "key": "rule:3",
        "job_id": 3,
        "for_provider": True,
        "block": 40,
    }


def test_execute__submit_stores_the_payload_first(env):
    ex, _, store, *_ = env
    payload = solve(TaskSpec.make("factor", 1, bits=14))
    ex.execute([A.Submit(9, payload)], block=1)
    assert ex.payloads.get(commitment(payload)) == payload
    assert "payload" not in store.pending_actions()[0].payload  # bytes stay out of the journal


def test_execute__revert_at_estimation__failed_with_reason_and_batch_goes_on(env):
    ex, sender, store, _, events = env
    sender.errors["dispute:4"] = RevertedError("ServiceEscrow: dispute window closed")
    res = ex.execute([A.Dispute(4), A.Rule(5, False)], block=2)
    assert res.failed == [("dispute:4", "ServiceEscrow: dispute window closed")] and res.sent == ["rule:5"]
    failed = [a for a in store.actions() if a.status is ActionStatus.FAILED]
    assert failed[0].result == {"reason": "ServiceEscrow: dispute window closed", "stage": "estimate"}
    assert (
        "action_reverted",
        {"key": "dispute:4", "reason": "ServiceEscrow: dispute window closed"},
    ) in events


def test_execute__revert_behind_an_unmined_predecessor__sent_with_the_fixed_gas(env):
    ex, sender, *_ = env
    sender.errors["fund:8"] = RevertedError("ServiceEscrow: budget mismatch")
    res = ex.execute([A.SetBudget(8, 10), A.Fund(8, 10)], block=3)
    assert res.sent == ["set_budget:8:10", "fund:8"]
    assert sender.sent[-1] == ("fund:8", FIXED_GAS["fund"])


def test_execute__insufficient_funds__batch_stops_and_entry_abandoned(env):
    ex, sender, store, *_ = env
    sender.errors["stake"] = InsufficientFundsError("insufficient funds for gas * price + value")
    res = ex.execute([A.Stake(1), A.Rule(1, True)], block=4)
    assert res.stopped == "InsufficientFundsError" and res.sent == []
    assert [a.status for a in store.actions()] == [ActionStatus.ABANDONED]


def test_execute__rpc_down__batch_stops_without_raising(env):
    ex, sender, store, *_ = env
    sender.errors["stake"] = RpcUnavailableError("connection refused")
    assert ex.execute([A.Stake(1)], block=5).stopped == "rpc_unavailable"
    assert store.pending_actions() == []


def test_settle__done_failed_and_dropped(env):
    ex, sender, store, clock, _ = env
    ex.execute([A.Stake(1), A.Rule(2, True), A.Dispute(3)], block=6)
    sender.mined[_h(0)] = Receipt(block=7)
    sender.mined[_h(1)] = RevertedError("ServiceEscrow: already ruled", tx_hash=_h(1))
    settled = ex.settle()
    assert sender.receipt_batches == [[_h(0), _h(1), _h(2)]]  # one batched read for every sent entry
    assert [(s.key, s.ok, s.reason) for s in settled] == [
        ("stake", True, None),
        ("rule:2", False, "ServiceEscrow: already ruled"),
    ]
    assert store.pending_actions()[0].kind == "dispute"  # no receipt yet: still in flight
    clock.t += DROP_AFTER_SECONDS + 1
    ex.settle()
    assert store.pending_actions() == [] and sender.synced == 1  # dropped: abandoned, nonce re-synced


def test_settle__receipts_from_the_callers_batch__no_second_read(env):
    ex, sender, store, *_ = env
    ex.execute([A.Stake(1), A.Dispute(3)], block=6)
    assert ex.pending_hashes() == [_h(0), _h(1)]
    settled = ex.settle(receipts={_h(0): Receipt(block=7), _h(1): None})
    assert sender.receipt_batches == []
    assert [(s.key, s.ok) for s in settled] == [("stake", True)]
    assert [e.kind for e in store.pending_actions()] == ["dispute"]


def test_busy_keys__in_flight_unseen_done_and_given_up(env):
    ex, sender, _store, *_ = env
    ex.execute([A.Stake(1), A.Submit(4, b"x"), A.Complete(5)], block=10)
    sender.mined[_h(1)] = Receipt(block=12)
    sender.mined[_h(2)] = Receipt(block=9)
    ex.settle()
    assert ex.busy_keys(seen_block=11) == {"stake", "submit:4"}  # complete:5 was mined at 9 <= 11: seen
    for _ in range(3):
        sender.errors["dispute:7"] = RevertedError("nope")
        ex.execute([A.Dispute(7)], block=13)
    assert "dispute:7" in ex.busy_keys(seen_block=20)


def test_gas__first_of_a_kind_estimated__later_sent_with_the_learned_limit(env):
    ex, sender, _store, *_ = env
    ex.execute([A.Stake(1)], block=1)
    assert sender.sent == [("stake", None)]  # None: the sender estimates (its limit: 90_000 in the fake)
    ex.execute([A.Stake(2)], block=3)
    assert sender.sent[-1] == ("stake", int(90_000 * GAS_LEARN_MARGIN))
    ex.execute([A.Dispute(4)], block=3)
    assert sender.sent[-1] == ("dispute:4", None)  # another kind: still estimated


def test_gas__failure_for_gas__kind_forgotten_and_estimated_again(env):
    ex, sender, _store, *_ = env
    ex.gas.learn("complete", 40_000)
    ex.execute([A.Complete(1)], block=1)
    assert sender.sent[-1] == ("evaluate:1", int(40_000 * GAS_LEARN_MARGIN))
    sender.mined[_h(0)] = RevertedError("ServiceEscrow: not enough gas", tx_hash=_h(0))
    ex.settle()
    assert ex.gas.limit("complete") is None
    ex.execute([A.Complete(1)], block=2)
    assert sender.sent[-1] == ("evaluate:1", None)


def test_gas__revert_without_a_recovered_reason__kind_forgotten(env):
    """A learned limit from a cheap path of a kind (claimRefund of an unfunded job) can be too little for its
    dear path (collateral release + penalty); when the replay cannot say why the transaction reverted, the
    kind is estimated again rather than sent with the same limit forever."""
    ex, sender, _store, *_ = env
    ex.gas.learn("complete", 40_000)
    ex.execute([A.Complete(1)], block=1)
    sender.mined[_h(0)] = RevertedError(None, tx_hash=_h(0))
    ex.settle()
    assert ex.gas.limit("complete") is None
    ex.execute([A.Complete(1)], block=2)
    assert sender.sent[-1] == ("evaluate:1", None)


def test_gas__learned_limit_refused_at_submission__estimated_and_sent_at_once(env):
    """A node that checks a transaction when it is submitted (Hardhat's default) refuses a learned limit
    that is too little for this call's path: the kind is forgotten and the call estimated right away."""
    ex, sender, _store, *_ = env
    ex.gas.learn("complete", 40_000)
    calls = []
    original = sender.send

    def send(call, *, wait=True, on_signed=None, gas=None):
        calls.append(gas)
        if gas is not None and len(calls) == 1:
            raise RevertedError("ServiceEscrow: not enough gas")
        return original(call, wait=wait, on_signed=on_signed, gas=gas)

    sender.send = send
    res = ex.execute([A.Complete(1)], block=1)
    assert calls == [int(40_000 * GAS_LEARN_MARGIN), None]
    assert res.sent == ["evaluate:1"] and sender.sent[-1] == ("evaluate:1", None)


def test_gas__revert_for_another_reason__learned_limit_kept(env):
    ex, sender, _store, *_ = env
    ex.gas.learn("complete", 40_000)
    ex.execute([A.Complete(1)], block=1)
    sender.mined[_h(0)] = RevertedError("ServiceEscrow: not submitted", tx_hash=_h(0))
    ex.settle()
    assert ex.gas.limit("complete") == int(40_000 * GAS_LEARN_MARGIN)


def test_gas_book__keeps_the_largest_estimate_and_round_trips():
    book = GasBook({"fund": 200_000})
    book.learn("fund", 150_000)
    book.learn("fund", 230_000)
    assert GasBook(book.to_dict()).limit("fund") == int(230_000 * GAS_LEARN_MARGIN)
