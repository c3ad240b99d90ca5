"""Actions -> contract calls through the agent's TxSender, journaled in its AgentStore before sending.

The executor decides nothing: it encodes each Action, records the intent, signs (the journal gets the
hash and nonce before the bytes leave the process), broadcasts without waiting, and settles receipts
at the start of the next cycle (`settle`). So one process can drive many agents without blocking on
block times, and a kill -9 at any point leaves a journal that `AgentStore.reconcile` can settle.

Errors never escape: a revert seen at estimation is journaled as failed with its reason; an
insufficient-funds or gas-budget refusal stops the batch; an unreachable RPC stops the batch and the
next cycle retries. When a transaction's gas estimation reverts while earlier transactions of the same
batch are still unmined (approve -> stake, setBudget -> fund), the revert may only reflect the missing
predecessor, so it is sent with the fixed gas limit of its kind instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.chain.codec import Call
from agents.chain.contracts import Contracts
from agents.chain.errors import (
    ChainError,
    GasBudgetExceededError,
    InsufficientFundsError,
    ReceiptTimeoutError,
    RevertedError,
    RpcUnavailableError,
)
from agents.chain.governance import lookup_parameter, param_change, proposal_args
from agents.chain.reader import ChainReader
from agents.chain.sender import TxSender
from agents.chain.types import TxOutcome
from agents.market.payloads import PayloadStore
from agents.market.services import commitment
from agents.runtime import actions as A
from agents.runtime.store import ActionStatus, AgentStore

log = logging.getLogger(__name__)

# Fixed gas limits when estimation cannot run ahead of an unmined predecessor.
FIXED_GAS: dict[str, int] = {
    "approve": 80_000,
    "register": 1_500_000,
    "stake": 250_000,
    "set_asks": 300_000,
    "create_job": 400_000,
    "set_budget": 80_000,
    "fund": 350_000,
    "complete": 350_000,
    "reject": 200_000,
    "feedback": 200_000,
    "claim_refund": 350_000,
    "submit": 150_000,
    "claim_payment": 350_000,
    "dispute": 250_000,
    "rule": 500_000,
    "propose": 800_000,
    "vote": 250_000,
    "queue": 400_000,
    "execute": 600_000,
    "accept_job": 100_000,
    "activate_voting": 200_000,
}
# Learned gas limits (GasBook): the first transaction of each kind is estimated (the sender's limit:
# estimate x 1.25 + 10k); later ones are sent with GAS_LEARN_MARGIN x the largest such limit, with no
# estimate. Learned from estimates, not from gas used: the escrow requires more gas left than its
# gas-capped calls to Staking and Reputation end up using ("ServiceEscrow: not enough gas"). Every
# contract function is bounded (no loops over user-grown data), so the margin covers the variation in
# arguments (description and service-list lengths); a failure for gas forgets the kind. Skipping the
# estimate saves a request and the node's trial executions for nearly every transaction.
GAS_LEARN_MARGIN = 1.2
# A sent transaction with no receipt after this long, unknown to the node, was dropped.
DROP_AFTER_SECONDS = 60.0
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class GasBook:
    """Largest estimated gas limit per action kind, from this agent's own sends (persisted with its state)."""

    def __init__(self, limits: dict[str, int] | None = None) -> None:
        self.limits: dict[str, int] = {str(k): int(v) for k, v in (limits or {}).items()}

    def limit(self, kind: str) -> int | None:
        """The gas limit to send `kind` with, or None: estimate it."""
        known = self.limits.get(kind)
        return None if not known else int(known * GAS_LEARN_MARGIN)

    def learn(self, kind: str, estimated_limit: int) -> None:
        if estimated_limit > self.limits.get(kind, 0):
            self.limits[kind] = int(estimated_limit)

    def forget(self, kind: str) -> None:
        self.limits.pop(kind, None)

    def to_dict(self) -> dict[str, int]:
        return dict(self.limits)


@dataclass
class Settled:
    action_id: int
    kind: str
    key: str
    ok: bool
    block: int = 0
    reason: str | None = None
    fee_wei: int = 0


@dataclass
class BatchResult:
    sent: list[str] = field(default_factory=list)  # keys
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, reason)
    stopped: str | None = None  # why the batch stopped early


class Executor:
    def __init__(
        self,
        sender: TxSender,
        contracts: Contracts,
        store: AgentStore,
        payloads: PayloadStore,
        *,
        event_log: Callable[..., None] | None = None,
        clock: Callable[[], float] = time.time,
        gas_book: GasBook | None = None,
        reader: ChainReader | None = None,
    ) -> None:
        """`reader`: where receipts and outcomes are read (default: the sender's reader)."""
        self.gas = gas_book if gas_book is not None else GasBook()
        self.sender = sender
        self.reader = reader if reader is not None else sender.reader
        self.c = contracts
        self.store = store
        self.payloads = payloads
        self.emit = event_log or (lambda *a, **k: None)
        self.clock = clock
        self._reorg_recheck = False  # a reorg was seen: settle re-checks sent actions without a receipt now

    # ------------------------------------------------------------------ encoding
    def call_for(self, action: A.Action) -> Call:
        c = self.c
        esc = c.codec("ServiceEscrow")
        if isinstance(action, A.Approve):
            return c.codec("AgentToken").approve(c.address(action.spender), action.amount)
        if isinstance(action, A.Register):
            return c.codec("AgentRegistry").register(self.sender.address, action.uri, list(action.services))
        if isinstance(action, A.Stake):
            return c.codec("Staking").stake(action.amount)
        if isinstance(action, A.ActivateVoting):
            return c.codec("Staking").activateVoting(self.sender.address)
        if isinstance(action, A.SetAsks):
            return c.codec("AgentRegistry").setServices(action.agent_id, list(action.services))
        if isinstance(action, A.CreateJob):
            return esc.createJob(
                action.provider, self.sender.address, action.expired_at, action.description, ZERO_ADDRESS
            )
        if isinstance(action, A.SetBudget):
            return esc.setBudget(action.job_id, action.amount, b"")
        if isinstance(action, A.Fund):
            return esc.fund(action.job_id, action.amount, b"")
        if isinstance(action, A.AcceptJob):
            return esc.acceptJob(action.job_id, action.amount)
        if isinstance(action, A.Submit):
            return esc.submit(action.job_id, bytes.fromhex(commitment(action.payload)[2:]), b"")
        if isinstance(action, A.Complete):
            return esc.complete(action.job_id, ZERO32, b"")
        if isinstance(action, A.Reject):
            return esc.reject(action.job_id, ZERO32, b"")
        if isinstance(action, A.GiveFeedback):
            return c.codec("Reputation").giveFeedback(action.job_id, action.rating)
        if isinstance(action, A.ClaimRefund):
            return esc.claimRefund(action.job_id)
        if isinstance(action, A.ClaimPayment):
            return esc.claimPayment(action.job_id)
        if isinstance(action, A.Dispute):
            return esc.dispute(action.job_id)
        if isinstance(action, A.Rule):
            return esc.rule(action.job_id, action.for_provider)
        if isinstance(action, A.Propose):
            spec = lookup_parameter(action.parameter)
            acts = param_change(spec, action.value, c.address(spec.contract))
            targets, values, calldatas, desc = proposal_args(acts, action.description)
            return c.codec("Governor").propose(targets, values, calldatas, desc)
        if isinstance(action, A.Vote):
            return c.codec("Governor").castVoteWithReason(action.proposal_id, action.support, action.reason)
        if isinstance(action, (A.Queue, A.Execute)):
            raise ValueError("queue/execute need the proposal's arguments: use call_for_proposal")
        raise ValueError(f"no encoding for {action!r}")

    def call_for_proposal(self, action: A.Queue | A.Execute, proposal: Any) -> Call:
        gov = self.c.codec("Governor")
        args = (
            list(proposal.targets),
            list(proposal.values),
            [bytes.fromhex(x[2:]) for x in proposal.calldatas],
            bytes.fromhex(proposal.desc_hash[2:]),
        )
        return gov.queue(*args) if isinstance(action, A.Queue) else gov.execute(*args)

    # ------------------------------------------------------------------ sending
    def execute(
        self, actions: list[A.Action], *, block: int, proposals: dict[int, Any] | None = None
    ) -> BatchResult:
        """Send `actions` in order (no waiting for receipts). Never raises for chain trouble."""
        res = BatchResult()
        for action in actions:
            try:
                if isinstance(action, (A.Queue, A.Execute)):
                    prop = (proposals or {}).get(action.proposal_id)
                    if prop is None:
                        continue
                    call = self.call_for_proposal(action, prop)
                else:
                    call = self.call_for(action)
            except Exception as exc:  # noqa: BLE001 - an encoding problem is this action's failure only
                res.failed.append((action.key, f"encode: {exc}"))
                self.emit("action_failed", key=action.key, reason=f"encode: {exc}")
                continue
            if isinstance(action, A.Submit):
                self.payloads.put(action.payload)  # retrievable before the commitment is on-chain
            payload = action.to_dict()
            payload.pop("payload", None)
            payload["block"] = block
            aid = self.store.add_intent(action.kind, payload)
            try:
                self._send(aid, action, call, after_pending=bool(res.sent))
                res.sent.append(action.key)
                self.emit("action_sent", key=action.key, kind=action.kind, id=aid)
            except RevertedError as exc:
                self.store.mark_failed(aid, {"reason": exc.reason, "stage": "estimate"})
                res.failed.append((action.key, exc.reason or "reverted"))
                self.emit("action_reverted", key=action.key, reason=exc.reason)
            except (InsufficientFundsError, GasBudgetExceededError) as exc:
                self._abandon(aid, str(exc))
                res.failed.append((action.key, str(exc)))
                res.stopped = type(exc).__name__
                self.emit("batch_stopped", key=action.key, reason=str(exc))
                break
            except RpcUnavailableError as exc:
                self._abandon(aid, str(exc))
                res.stopped = "rpc_unavailable"
                self.emit("batch_stopped", key=action.key, reason=str(exc))
                break
            except ChainError as exc:
                self._abandon(aid, str(exc))
                res.failed.append((action.key, str(exc)))
                self.emit("action_failed", key=action.key, reason=str(exc))
        return res

    def _abandon(self, aid: int, reason: str) -> None:
        if self.store.get_action(aid).status in (ActionStatus.INTENT,):
            self.store.mark_abandoned(aid, {"reason": reason})
        # a SENT entry stays for settle(): its bytes may have reached the node

    def _send(self, aid: int, action: A.Action, call: Any, *, after_pending: bool) -> None:
        def on_signed(s: Any) -> None:
            self.store.mark_sent(aid, s.tx_hash, s.nonce)

        learned = self.gas.limit(action.kind)
        if learned is not None:
            try:
                self.sender.send(call, wait=False, on_signed=on_signed, gas=learned)
                return
            except RevertedError as exc:  # a node that checks at submission: the limit may be the cause
                if exc.reason and "gas" not in exc.reason.lower():
                    raise
                self.gas.forget(action.kind)
        try:
            signed = self.sender.send(call, wait=False, on_signed=on_signed)
            self.gas.learn(action.kind, signed.gas_limit)
        except RevertedError:
            if not after_pending:
                raise
            self.sender.send(call, wait=False, on_signed=on_signed, gas=FIXED_GAS.get(action.kind, 500_000))

    # ------------------------------------------------------------------ receipts
    def pending_hashes(self) -> list[str]:
        """Hashes of journal entries sent and not yet settled (for a caller that batches the receipt
        reads)."""
        return [
            e.tx_hash for e in self.store.pending_actions() if e.status is ActionStatus.SENT and e.tx_hash
        ]

    def settle(self, receipts: dict[str, Any] | None = None) -> list[Settled]:
        """Settle sent journal entries from their receipts: done/failed; abandon dropped ones.

        `receipts` ({hash: receipt or None}) may come from the caller's own batch; missing hashes are
        read here, all in one batch."""
        out: list[Settled] = []
        entries = self.store.pending_actions()
        receipts = dict(receipts or {})
        missing = [
            e.tx_hash
            for e in entries
            if e.status is ActionStatus.SENT and e.tx_hash is not None and e.tx_hash not in receipts
        ]
        if missing:
            try:
                receipts.update(self.reader.receipts(missing))
            except ChainError as exc:
                self.emit("settle_error", reason=str(exc))
                return out
        for entry in entries:
            key = (entry.payload or {}).get("key", entry.kind)
            if entry.status is ActionStatus.INTENT:
                if self.clock() - entry.updated > DROP_AFTER_SECONDS:
                    self.store.mark_abandoned(entry.id, {"reason": "never signed"})
                continue
            tx_hash = entry.tx_hash
            assert tx_hash is not None  # SENT: mark_sent recorded the hash with the status
            receipt = receipts.get(tx_hash)
            try:
                if receipt is None:
                    raise ReceiptTimeoutError(tx_hash, 0)
                r = self.sender.result_of(tx_hash, receipt, nonce=entry.nonce)
                self.store.mark_done(entry.id, {"block": r.block, "gas": r.gas_used, "fee": r.fee_wei})
                out.append(Settled(entry.id, entry.kind, key, True, r.block, None, r.fee_wei))
            except RevertedError as exc:
                # "out of gas", "ServiceEscrow: not enough gas", or a reason the replay could not recover: the
                # learned limit may be what failed (one kind can take paths of very different cost, e.g. a
                # claimRefund of an unfunded job against one that releases collateral and penalises), so the
                # next transaction of the kind is estimated again
                if not exc.reason or "gas" in exc.reason.lower():
                    self.gas.forget(entry.kind)
                self.store.mark_failed(entry.id, {"reason": exc.reason, "stage": "mined"})
                out.append(Settled(entry.id, entry.kind, key, False, 0, exc.reason))
                self.emit("action_reverted", key=key, reason=exc.reason, tx=entry.tx_hash)
            except ReceiptTimeoutError:
                if self._reorg_recheck or "reorged" in (entry.result or {}):
                    try:
                        self._after_reorg(entry, key)
                    except ChainError as exc:
                        self.emit("settle_error", key=key, reason=str(exc))
                        break
                    continue
                if self.clock() - entry.updated > DROP_AFTER_SECONDS:
                    try:
                        outcome = self.reader.tx_outcome(tx_hash)
                    except ChainError:
                        continue
                    if outcome is TxOutcome.UNKNOWN:
                        self.store.mark_abandoned(entry.id, {"reason": "dropped"})
                        self.sender.sync_nonce()
                        self.emit("action_dropped", key=key, tx=entry.tx_hash)
            except ChainError as exc:
                self.emit("settle_error", key=key, reason=str(exc))
                break
        else:
            self._reorg_recheck = False
        return out

    # ------------------------------------------------------------------ reorgs
    def note_reorg(self, fork_block: int, recent: int = 300) -> list[int]:
        """Blocks from `fork_block` on were orphaned: every done action mined there is reopened (sent,
        result {"reorged": fork}), and the next `settle` re-checks each sent action without a receipt at
        once. Returns the reopened journal ids. Bounded by the `recent` journal entries (the reorg window
        is far shorter than 300 actions of one agent)."""
        reopened = []
        for entry in self.store.actions(limit=recent):
            block = (entry.result or {}).get("block")
            if entry.status is ActionStatus.DONE and isinstance(block, int) and block >= fork_block:
                self.store.reopen(entry.id, {"reorged": fork_block, "was_block": block})
                reopened.append(entry.id)
        self._reorg_recheck = True
        return reopened

    def _after_reorg(self, entry: Any, key: str) -> None:
        """No receipt after a reorg: the transaction's nonce decides. Back in the node's pool -> still sent
        (its key stays busy); its nonce used by another transaction -> replaced; else reorged out: its
        nonce is free again (the sender re-syncs), and the policy may decide the action again. A second
        copy reuses that nonce, so at most one of the two can ever be mined."""
        outcome = self.reader.tx_outcome(entry.tx_hash)
        if outcome is not TxOutcome.UNKNOWN:  # pending in the pool, or mined meanwhile: next settle
            return
        mined = self.reader.nonce(self.sender.address, "latest")
        reason = "replaced" if entry.nonce is not None and mined > entry.nonce else "reorged out"
        self.store.mark_abandoned(entry.id, {"reason": reason, "after_reorg": True, "chain_nonce": mined})
        self.sender.sync_nonce()
        self.emit("action_reorged_out", key=key, tx=entry.tx_hash, outcome=reason, nonce=entry.nonce)

    def busy_keys(self, seen_block: int, recent: int = 300) -> frozenset[str]:
        """Keys not to act on again: in flight, or done in a block the memory has not folded in yet.

        A key that failed three times or more is given up (it would only fail again).
        """
        busy: set[str] = set()
        fails: dict[str, int] = {}
        for entry in self.store.actions(limit=recent):
            key = (entry.payload or {}).get("key", entry.kind)
            if entry.status in (ActionStatus.INTENT, ActionStatus.SENT):
                busy.add(key)
            elif entry.status is ActionStatus.DONE:
                block = (entry.result or {}).get("block", 0)
                reconciled = "reconciled" in (entry.result or {})
                if block > seen_block or (reconciled and self.clock() - entry.updated < 30):
                    busy.add(key)
            elif entry.status is ActionStatus.FAILED:
                fails[key] = fails.get(key, 0) + 1
        busy |= {k for k, n in fails.items() if n >= 3}
        return frozenset(busy)
