"""Read-only chain access over the lean JSON-RPC client: calls, batches, balances, receipts, outcomes and
the revert reasons of mined transactions. It holds no key and sends nothing (`TxSender` signs and sends,
and reads through a ChainReader of its own or the one it is given).

    reader = ChainReader(web3, address=me)          # the client web3's HTTPProvider reaches (rpc_for)
    reader = ChainReader.at("https://u:p@node/", headers={"X-Api-Key": "..."})  # or an endpoint of its own
    balance, symbol = reader.call_many([token.balanceOf(me), token.symbol()])

- Transient RPC failures are retried with backoff (`retry`), then RpcUnavailableError; every other
  failure is a typed ChainError (RevertedError with its decoded reason, ...), as in the sender.
- `address` is the `from` of eth_calls (views that read msg.sender see it); None sends no `from`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from eth_utils.address import to_checksum_address

from agents.chain.codec import Call
from agents.chain.errors import (
    ChainError,
    RetryPolicy,
    RevertedError,
    RpcUnavailableError,
    TxError,
    classify,
    decode_revert,
    with_retries,
)
from agents.chain.rpc import JsonRpc, ProviderRpc, RpcResponseError, rpc_for
from agents.chain.types import TxOutcome

T = TypeVar("T")

RECEIPT_INTS = (
    "blockNumber",
    "gasUsed",
    "effectiveGasPrice",
    "status",
    "cumulativeGasUsed",
    "transactionIndex",
)
METHOD_NOT_FOUND = -32601  # JSON-RPC: the node has no such method
CALL_TRACER = "callTracer"  # debug_traceTransaction's call frames (anvil, geth)
DEFAULT_TRACER = "default"  # its default struct-log tracer (the Hardhat node)
NO_TRACER = "none"  # no debug_traceTransaction: revert reasons from the parent-block replay
DEFAULT_RETRY = RetryPolicy()


def receipt_with_ints(raw: dict[str, Any]) -> dict[str, Any]:
    """A JSON-RPC receipt with its numeric fields decoded from hex."""
    out = dict(raw)
    for k in RECEIPT_INTS:
        v = out.get(k)
        if isinstance(v, str):
            out[k] = int(v, 16)
    return out


def typed_rpc(fn: Callable[[], T], retry: RetryPolicy, what: str, sleep: Callable[[float], None]) -> T:
    """`fn()` with transient failures retried; what still fails is raised as a typed ChainError."""
    try:
        return with_retries(fn, retry, what=what, sleep=sleep)
    except ChainError:
        raise
    except Exception as exc:  # mapped to a typed error or re-raised as TxError
        typed = classify(exc)
        if typed is None:
            raise TxError(f"{what}: {exc}") from exc
        raise typed from exc


class ChainReader:
    """Reads for one endpoint. Thread-safe (the client serialises its requests; the chain id is cached)."""

    def __init__(
        self,
        source: Any,
        *,
        address: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`source`: a web3 connection (its shared lean client, `rpc_for`) or a JsonRpc/ProviderRpc."""
        direct = isinstance(source, JsonRpc | ProviderRpc)
        self.rpc: JsonRpc | ProviderRpc = source if direct else rpc_for(source)
        self.address: str | None = to_checksum_address(address) if address else None
        self.retry = retry
        self._sleep = sleep
        self._chain_id: int | None = None
        self.tracer: str | None = None  # how this node traces reverts (CALL_TRACER, ...): None until asked

    @classmethod
    def at(
        cls,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 30.0,
        address: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> ChainReader:
        """A reader on an endpoint of its own (credentials: `headers`, `auth`, or user:password@ in `url`)."""
        return cls(JsonRpc(url, timeout, headers=headers, auth=auth), address=address, retry=retry)

    # ------------------------------------------------------------------ requests
    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One JSON-RPC call with retries; failures typed (RevertedError, RpcUnavailableError, ...)."""
        return typed_rpc(lambda: self.rpc.request(method, params), self.retry, method, self._sleep)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Many JSON-RPC calls in one round trip (retried as a whole on transport failure).

        Results in order; a failed call's place holds its typed ChainError (not raised)."""
        if not calls:
            return []
        raw = typed_rpc(lambda: self.rpc.batch(calls), self.retry, "batch", self._sleep)
        out: list[Any] = []
        for (method, _params), r in zip(calls, raw, strict=True):
            if isinstance(r, RpcResponseError):
                out.append(classify(r) or TxError(f"{method}: {r}"))
            else:
                out.append(r)
        return out

    # ------------------------------------------------------------------ chain facts
    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId"), 16)
        return self._chain_id

    def head(self) -> int:
        return int(self.request("eth_blockNumber"), 16)

    def block(self, number: int | str = "latest") -> dict[str, Any]:
        """The block header (transaction hashes only)."""
        tag = number if isinstance(number, str) else hex(number)
        block: dict[str, Any] = self.request("eth_getBlockByNumber", [tag, False])
        return block

    def balance(self, address: str | None = None, block: int | str = "latest") -> int:
        """Wei held by `address` (default: this reader's address)."""
        tag = block if isinstance(block, str) else hex(block)
        return int(self.request("eth_getBalance", [self._who(address), tag]), 16)

    def nonce(self, address: str | None = None, block: int | str = "pending") -> int:
        """The transaction count of `address` (default: this reader's) at `block` (default: pending)."""
        tag = block if isinstance(block, str) else hex(block)
        return int(self.request("eth_getTransactionCount", [self._who(address), tag]), 16)

    def _who(self, address: str | None) -> str:
        who = address or self.address
        if who is None:
            raise ValueError("no address given and the reader has none")
        return who

    # ------------------------------------------------------------------ transactions
    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        """The receipt (numeric fields as ints), or None while not mined."""
        raw = self.request("eth_getTransactionReceipt", [tx_hash])
        return receipt_with_ints(raw) if raw is not None else None

    def receipts(self, tx_hashes: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Receipts of many transactions in one round trip: {hash: receipt, or None while not mined}."""
        got = self.batch([("eth_getTransactionReceipt", [h]) for h in tx_hashes])
        out: dict[str, dict[str, Any] | None] = {}
        for h, r in zip(tx_hashes, got, strict=True):
            if isinstance(r, ChainError):
                raise r
            out[h] = receipt_with_ints(r) if r is not None else None
        return out

    def known(self, tx_hash: str) -> bool:
        """The node knows the transaction (pending or mined)."""
        try:
            return self.request("eth_getTransactionByHash", [tx_hash]) is not None
        except RpcUnavailableError:
            raise
        except ChainError:
            return False

    def tx_outcome(self, tx_hash: str) -> TxOutcome:
        """For reconciling a journal after a restart (see AgentStore.reconcile)."""
        receipt = self.receipt(tx_hash)
        if receipt is not None:
            return TxOutcome.SUCCEEDED if int(receipt["status"]) == 1 else TxOutcome.REVERTED
        return TxOutcome.PENDING if self.known(tx_hash) else TxOutcome.UNKNOWN

    def revert_reason(self, tx_hash: str, receipt: dict[str, Any]) -> str | None:
        """Why a mined transaction failed: "out of gas" when it used all its gas, else the reason in its
        revert data (Error(string) text, "Panic(0x..)"), or None.

        The reason comes from the transaction's own execution, in its block after the transactions
        before it: `debug_traceTransaction` with the callTracer (anvil, geth), whose top-level frame holds
        the revert data (`output`) and, on some nodes, the decoded `revertReason`; on a node that refuses
        that tracer but traces with its default one (the Hardhat node 2.28: "only supports the default
        tracer"), the default trace's `returnValue` (storage, memory and stack left out). Only on a node
        without debug_traceTransaction (method not found) is the transaction replayed as an eth_call on
        the parent block's state, which misses what earlier transactions of the same block changed (their
        effects can make it revert with another reason, or not at all). Which way works is learnt once
        per reader (`tracer`). The replay is also what a transaction the node cannot trace gets (e.g.
        its parent state pruned)."""
        try:
            tx = self.request("eth_getTransactionByHash", [tx_hash])
        except ChainError:
            return None
        if not tx:
            return None
        if int(receipt["gasUsed"]) >= int(tx["gas"], 16):
            return "out of gas"
        for tracer in (CALL_TRACER, DEFAULT_TRACER) if self.tracer is None else (self.tracer,):
            if NO_TRACER in (tracer, self.tracer):
                break
            traced, reason = self._traced_reason(tx_hash, tracer)
            if traced:
                self.tracer = tracer
                return reason
        return self._replayed_reason(tx, int(receipt["blockNumber"]))

    def _traced_reason(self, tx_hash: str, tracer: str) -> tuple[bool, str | None]:
        """(True, reason) from a trace of the transaction; (False, None) when the node did not trace it."""
        options: dict[str, Any] = (
            {"tracer": CALL_TRACER}
            if tracer == CALL_TRACER
            else {"disableStorage": True, "disableMemory": True, "disableStack": True}
        )
        try:
            frame = with_retries(
                lambda: self.rpc.request("debug_traceTransaction", [tx_hash, options]),
                self.retry,
                what="debug_traceTransaction",
                sleep=self._sleep,
            )
        except RpcResponseError as exc:
            if exc.code == METHOD_NOT_FOUND:
                self.tracer = NO_TRACER  # never ask this node again
            return False, None  # not traceable here (no such tracer, state pruned, ...)
        except Exception:  # noqa: BLE001 - unreachable or a bad answer: the replay is the fallback
            return False, None
        if not isinstance(frame, dict):
            return False, None
        if tracer == DEFAULT_TRACER:
            if "returnValue" not in frame:
                return False, None
            return True, decode_revert(frame["returnValue"])
        if "output" not in frame and "error" not in frame:  # not a call frame (the tracer was ignored)
            return False, None
        reason = decode_revert(frame.get("output"))
        if reason is None and isinstance(frame.get("revertReason"), str):
            reason = frame["revertReason"] or None
        return True, reason

    def _replayed_reason(self, tx: dict[str, Any], block: int) -> str | None:
        call = {
            "from": tx["from"],
            "to": tx["to"],
            "value": tx["value"],
            "gas": tx["gas"],
            "data": tx["input"],
        }
        try:
            self.request("eth_call", [call, hex(block - 1)])
        except RevertedError as exc:
            return exc.reason
        except ChainError:
            return None
        return None

    # ------------------------------------------------------------------ contract reads
    def call_params(self, call: Call, block: str | int = "latest") -> list[Any]:
        """eth_call parameters for `call` (for a caller building its own batch)."""
        tag = block if isinstance(block, str) else hex(block)
        tx: dict[str, str] = {"to": call.to, "data": "0x" + call.data.hex()}
        if self.address is not None:
            tx = {"from": self.address, **tx}
        return [tx, tag]

    def call(self, call: Any, *, block: str | int = "latest") -> Any:
        """A read-only contract call (a codec Call, or a web3 ContractFunction through its own web3) with
        retries; reverts raise RevertedError with the reason."""
        if isinstance(call, Call):
            raw = self.request("eth_call", self.call_params(call, block))
            return call.decode(bytes.fromhex(raw[2:]))
        opts = {"from": self.address} if self.address is not None else {}
        return typed_rpc(lambda: call.call(opts, block_identifier=block), self.retry, "eth_call", self._sleep)

    def call_many(self, calls: Sequence[Call], *, block: str | int = "latest") -> list[Any]:
        """Many reads in one round trip: decoded values; a failed read's place holds its ChainError."""
        raws = self.batch([("eth_call", self.call_params(c, block)) for c in calls])
        return [
            r if isinstance(r, ChainError) else c.decode(bytes.fromhex(r[2:]))
            for c, r in zip(calls, raws, strict=True)
        ]
