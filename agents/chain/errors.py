"""Typed chain errors, revert-data decoding, and bounded retries with exponential backoff.

Callers catch these, never web3/requests internals:
- `RpcUnavailableError`: the node could not be reached after the retry budget;
- `InsufficientFundsError`: the sender cannot pay value + gas;
- `RevertedError`: the call/transaction reverted; `.reason` is the decoded revert string
  (e.g. "ServiceEscrow: not evaluator"), "Panic(0x11)" for a Solidity panic, or None if the contract
  gave no data;
- `GasBudgetExceededError`: the agent's gas budget does not cover this transaction (nothing sent);
- `NonceError`: the nonce could not be agreed with the node even after re-syncing;
- `ReceiptTimeoutError`: the transaction was broadcast but no receipt arrived in time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from eth_abi.abi import decode as abi_decode
from web3.exceptions import (
    ContractLogicError,
    ContractPanicError,
    ProviderConnectionError,
    Web3RPCError,
)

from agents.chain.rpc import RpcResponseError

T = TypeVar("T")

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


class ChainError(Exception):
    """Base of every error the chain layer raises on purpose."""


class RpcUnavailableError(ChainError):
    """The RPC endpoint did not answer within the retry budget."""


class TxError(ChainError):
    """A transaction (or the call simulating it) could not go through."""


class InsufficientFundsError(TxError):
    pass


class RevertedError(TxError):
    def __init__(self, reason: str | None, *, data: bytes = b"", tx_hash: str | None = None) -> None:
        self.reason = reason
        self.data = data
        self.tx_hash = tx_hash
        where = f" (tx {tx_hash})" if tx_hash else ""
        super().__init__(f"reverted: {reason}{where}" if reason else f"reverted without a reason{where}")


class GasBudgetExceededError(TxError):
    def __init__(self, needed: int, remaining: int) -> None:
        self.needed = needed
        self.remaining = remaining
        super().__init__(f"gas budget exceeded: this transaction needs ~{needed} wei, {remaining} wei left")


class NonceError(TxError):
    pass


class ReceiptTimeoutError(TxError):
    def __init__(self, tx_hash: str, timeout: float) -> None:
        self.tx_hash = tx_hash
        super().__init__(f"no receipt for {tx_hash} after {timeout:.0f}s")


# ------------------------------------------------------------------------------------------ decoding
def _as_bytes(data: Any) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str):
        text = data[2:] if data.startswith("0x") else data
        try:
            return bytes.fromhex(text)
        except ValueError:
            return b""
    return b""


def decode_revert(data: Any) -> str | None:
    """The human reason inside revert data: Error(string) text, "Panic(0x..)", or None."""
    raw = _as_bytes(data)
    if raw[:4] == ERROR_SELECTOR:
        try:
            reason: str = abi_decode(["string"], raw[4:])[0]  # eth_abi decodes a "string" to str
            return reason
        except Exception:  # noqa: BLE001 - malformed data is "no reason", not a crash
            return None
    if raw[:4] == PANIC_SELECTOR and len(raw) >= 36:
        return f"Panic({hex(int.from_bytes(raw[4:36], 'big'))})"
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, RpcResponseError):
        return exc.message
    if isinstance(exc, Web3RPCError):
        rpc = getattr(exc, "rpc_response", None) or {}
        err = rpc.get("error") if isinstance(rpc, dict) else None
        if isinstance(err, dict) and "message" in err:
            return str(err["message"])
        return str(getattr(exc, "message", exc))
    return str(exc)


def _rpc_error_data(exc: BaseException) -> Any:
    if isinstance(exc, RpcResponseError | ContractLogicError):
        data = exc.data
    else:
        rpc = getattr(exc, "rpc_response", None)
        data = (
            rpc["error"].get("data") if isinstance(rpc, dict) and isinstance(rpc.get("error"), dict) else None
        )
    # anvil and geth put the revert bytes in `data`; the Hardhat node nests them: {"message", "data": "0x…"}
    if isinstance(data, dict):
        data = data.get("data")
    return data


def classify(exc: BaseException, *, tx_hash: str | None = None) -> ChainError | None:
    """Map a web3/requests exception to a typed ChainError, or None if it is not one we recognise."""
    if isinstance(exc, ChainError):
        return exc
    if is_transient(exc):
        return RpcUnavailableError(f"RPC unavailable: {exc}")
    msg = _message(exc).lower()
    if "insufficient funds" in msg or "insufficient balance" in msg:
        return InsufficientFundsError(_message(exc))
    if any(
        s in msg
        for s in ("nonce too low", "nonce too high", "already known", "replacement transaction underpriced")
    ):
        return NonceError(_message(exc))
    if isinstance(exc, ContractPanicError | ContractLogicError) or "revert" in msg:
        data = _as_bytes(_rpc_error_data(exc))
        reason = decode_revert(data)
        if reason is None:
            text = _message(exc)
            for prefix in ("execution reverted: ", "execution reverted:", "reverted: "):
                if prefix in text:
                    reason = text.split(prefix, 1)[1].strip() or None
                    break
            else:  # the Hardhat node: "... reverted with reason string 'the reason'"
                marker = "reverted with reason string '"
                if marker in text:
                    reason = text.split(marker, 1)[1].rsplit("'", 1)[0] or None
        return RevertedError(reason, data=data, tx_hash=tx_hash)
    return None


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: the node is unreachable, slow, or overloaded."""
    if isinstance(exc, requests.exceptions.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        return status in (429, 502, 503, 504) or status == 0
    return isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | ConnectionError
        | TimeoutError
        | ProviderConnectionError,
    ) and not isinstance(exc, ChainError)


# ------------------------------------------------------------------------------------------ retries
@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: `attempts` tries in all, delays base * factor**k (capped), with +-jitter."""

    attempts: int = 6
    base_delay: float = 0.1
    factor: float = 2.0
    max_delay: float = 3.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.factor < 1 or self.max_delay < 0:
            raise ValueError("attempts >= 1, base_delay >= 0, factor >= 1, max_delay >= 0")

    def delays(self) -> Iterator[float]:
        """The sleep before each retry (attempts - 1 values)."""
        for k in range(self.attempts - 1):
            d = min(self.max_delay, self.base_delay * self.factor**k)
            yield max(0.0, d * (1 + random.uniform(-self.jitter, self.jitter)))

    @property
    def worst_case_seconds(self) -> float:
        delays = (min(self.max_delay, self.base_delay * self.factor**k) for k in range(self.attempts - 1))
        return sum(delays) * (1 + self.jitter)


def with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str = "RPC call",
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Call `fn`; retry transient failures with backoff; raise RpcUnavailableError when they persist.

    Non-transient exceptions propagate unchanged on the first occurrence.
    """
    delays = policy.delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:  # every failure, filtered just below: non-transient ones re-raised
            if not is_transient(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise RpcUnavailableError(f"{what} failed after {attempt} attempts: {exc}") from exc
            if on_retry is not None:
                on_retry(attempt, exc)
            sleep(delay)
