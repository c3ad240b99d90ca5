"""A transaction sender for one key: local signing, local nonces, fees, gas budget, retries, receipts.

    sender = TxSender(web3, private_key, gas_budget_wei=10**17, nonce_hint=store.get_nonce_hint(addr),
                      on_nonce=lambda n: store.set_nonce_hint(addr, n))
    result = sender.send(token.functions.transfer(bob, 10),
                         on_signed=lambda s: store.mark_sent(aid, s.tx_hash, s.nonce))

- **Nonces** are allocated locally (one sender per key; a lock makes it thread-safe). The chain's
  `pending` transaction count is read on first use and again after any nonce error; the persisted
  nonce is only a hint (logged when it disagrees). Broadcasting the same signed transaction twice is
  harmless: "already known" / "nonce too low" for a hash the node knows counts as sent.
- **Fees**: EIP-1559 (max fee = 2 x base fee + tip) when the latest block has a base fee, legacy
  gas price otherwise.
- **Gas**: estimated at the "pending" block (TOOLCHAIN.md: checkpoint-writing transactions
  under-estimate at "latest") times `gas_margin`, plus `gas_extra`.
- **Gas budget** (wei of fees, per agent): a transaction whose estimated cost (gas limit x expected
  price) exceeds what is left is refused with GasBudgetExceededError before anything is signed; spent
  fees are counted from receipts (gas used x effective price).
- **Retries**: transient RPC failures (connection refused/reset, timeouts, 429/5xx) are retried with
  exponential backoff up to `retry.attempts`; then RpcUnavailableError.
- **Reads** (chain id, nonce count, fee inputs, gas estimates, receipts, revert reasons) go through
  the sender's `reader`, an `agents.chain.reader.ChainReader` (given, or one of its own on `web3`);
  contract reads, batches and transaction outcomes are the reader's, not the sender's.
- **Transport**: JSON-RPC through `agents.chain.rpc` (one keep-alive connection per web3, shared by
  every sender and reader on it), not through web3's middleware stack. Calls may be web3
  ContractFunctions or `agents.chain.codec.Call`s (encoded straight from the ABI).
- **Fee quotes** are cached for `CachedFeeSender.fee_ttl` seconds by a CachedFeeSender (one latest-block
  read per burst of transactions), which a caller that has just read a block can `prime` for free.
- Every failure is a typed ChainError (see agents.chain.errors); web3/requests exceptions do not escape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, overload

from eth_account import Account
from eth_utils.address import to_checksum_address
from web3 import Web3

from agents.chain.codec import Call
from agents.chain.errors import (
    ChainError,
    GasBudgetExceededError,
    NonceError,
    ReceiptTimeoutError,
    RetryPolicy,
    RevertedError,
    RpcUnavailableError,
    TxError,
)
from agents.chain.reader import DEFAULT_RETRY, ChainReader, typed_rpc
from agents.chain.signing import DynamicFeeSigner

log = logging.getLogger(__name__)

DEFAULT_PRIORITY_FEE = 10**9  # 1 gwei when the node cannot suggest one


@dataclass(frozen=True)
class SignedTx:
    tx_hash: str
    nonce: int
    raw: bytes
    gas_limit: int
    expected_cost_wei: int  # gas limit x expected price: what the budget check used
    tx: dict[str, Any]


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    nonce: int
    block: int
    gas_used: int
    fee_wei: int
    receipt: dict[str, Any]  # the node's receipt; numeric fields as ints, logs as the node sent them


def _hex(value: int) -> str:
    return hex(int(value))


def _hexdata(data: bytes | str) -> str:
    if isinstance(data, bytes | bytearray):
        return "0x" + bytes(data).hex()
    return data if data.startswith("0x") else "0x" + data


class TxSender:
    """Sends transactions for one private key. One instance per key per process."""

    def __init__(
        self,
        web3: Web3,
        private_key: str | bytes,
        *,
        gas_budget_wei: int | None = None,
        gas_spent_wei: int = 0,
        gas_margin: float = 1.25,
        gas_extra: int = 10_000,
        retry: RetryPolicy = DEFAULT_RETRY,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.05,
        nonce_hint: int | None = None,
        on_nonce: Callable[[int], None] | None = None,
        priority_fee_wei: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reader: ChainReader | None = None,
    ) -> None:
        """`reader`: where the sender reads (default: a ChainReader of its own on `web3`'s client, from
        this sender's address, with the same `retry`)."""
        if gas_margin < 1 or gas_extra < 0:
            raise ValueError("gas_margin >= 1 and gas_extra >= 0")
        if gas_budget_wei is not None and gas_budget_wei < 0:
            raise ValueError("gas_budget_wei must not be negative")
        self.web3 = web3
        self._account = Account.from_key(private_key)
        self._signer = DynamicFeeSigner(bytes(self._account.key))
        self.address: str = to_checksum_address(self._account.address)
        self.reader = (
            reader
            if reader is not None
            else ChainReader(web3, address=self.address, retry=retry, sleep=sleep)
        )
        self.gas_budget_wei = gas_budget_wei
        self.gas_spent_wei = gas_spent_wei
        self.gas_margin = gas_margin
        self.gas_extra = gas_extra
        self.retry = retry
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        self.nonce_hint = nonce_hint
        self.on_nonce = on_nonce
        self.priority_fee_wei = priority_fee_wei
        self._sleep = sleep
        self._lock = threading.RLock()
        self._next_nonce: int | None = None
        self._eip1559: bool | None = None
        self.sent_count = 0

    # ------------------------------------------------------------------ small helpers
    @property
    def gas_remaining_wei(self) -> int | None:
        return None if self.gas_budget_wei is None else max(0, self.gas_budget_wei - self.gas_spent_wei)

    def chain_nonce(self) -> int:
        return self.reader.nonce(self.address, "pending")

    def sync_nonce(self) -> int:
        """Re-read the next nonce from the chain's pending count (the truth; the hint is advisory)."""
        with self._lock:
            nonce = self.chain_nonce()
            if self.nonce_hint is not None and self.nonce_hint + 1 != nonce and self._next_nonce is None:
                msg = "%s: nonce hint %s, chain pending count %s: using the chain"
                log.info(msg, self.address, self.nonce_hint, nonce)
            self._next_nonce = nonce
            return nonce

    @property
    def next_nonce(self) -> int:
        with self._lock:
            return self._next_nonce if self._next_nonce is not None else self.sync_nonce()

    def fees_for_base(self, base: int | None) -> dict[str, int]:
        """Fee fields given the latest block's base fee (None: a pre-London chain, legacy gas price)."""
        if base is not None:
            self._eip1559 = True
            tip = self.priority_fee_wei
            if tip is None:
                try:
                    tip = int(self.reader.request("eth_maxPriorityFeePerGas"), 16)
                except RpcUnavailableError:
                    raise
                except ChainError:
                    tip = DEFAULT_PRIORITY_FEE
            return {
                "maxFeePerGas": 2 * int(base) + tip,
                "maxPriorityFeePerGas": tip,
                "_expected": int(base) + tip,
            }
        self._eip1559 = False
        price = int(self.reader.request("eth_gasPrice"), 16)
        return {"gasPrice": price, "_expected": price}

    def fees(self) -> dict[str, int]:
        """Fee fields for a new transaction (EIP-1559 when supported)."""
        block = self.reader.block("latest")
        base = block.get("baseFeePerGas") if isinstance(block, dict) else None
        return self.fees_for_base(int(base, 16) if base is not None else None)

    # ------------------------------------------------------------------ building and signing
    def build(
        self, call: Any = None, *, to: str | None = None, data: bytes | str = b"", value: int = 0
    ) -> dict[str, Any]:
        """Transaction fields (without nonce/gas/fees) for a Call, a web3 contract function, or raw data."""
        if isinstance(call, Call):
            return {"from": self.address, "to": call.to, "data": call.data, "value": value}
        if call is not None:
            try:
                encoded = call._encode_transaction_data()
                target = call.address
            except Exception as exc:  # ABI encoding errors are caller bugs, typed anyway
                raise TxError(f"cannot encode call: {exc}") from exc
            if target is None:
                raise ValueError("contract function has no address")
            return {"from": self.address, "to": to_checksum_address(target), "data": encoded, "value": value}
        if to is None:
            raise ValueError("give a contract function call or a `to` address")
        return {"from": self.address, "to": to_checksum_address(to), "data": data, "value": value}

    @staticmethod
    def _json_tx(tx: dict[str, Any]) -> dict[str, str]:
        out = {
            "from": tx["from"],
            "to": tx["to"],
            "data": _hexdata(tx.get("data", b"")),
            "value": _hex(tx.get("value", 0)),
        }
        if "gas" in tx:
            out["gas"] = _hex(tx["gas"])
        return out

    def estimate_gas(self, tx: dict[str, Any]) -> int:
        """Gas limit: estimate at "pending" x margin + extra. Reverts raise RevertedError with the reason."""
        est = int(self.reader.request("eth_estimateGas", [self._json_tx(tx), "pending"]), 16)
        return int(est * self.gas_margin) + self.gas_extra

    def sign(
        self, tx: dict[str, Any], *, gas: int | None = None, fees: dict[str, int] | None = None
    ) -> SignedTx:
        """Estimate (unless `gas` is given), price, check the budget, take a nonce and sign."""
        with self._lock:
            gas_limit = gas if gas is not None else self.estimate_gas(tx)
            fees = dict(fees) if fees is not None else self.fees()
            expected = gas_limit * fees.pop("_expected")
            remaining = self.gas_remaining_wei
            if remaining is not None and expected > remaining:
                raise GasBudgetExceededError(expected, remaining)
            nonce = self.next_nonce
            full = {
                "to": tx["to"],
                "data": tx.get("data", b""),
                "value": tx.get("value", 0),
                "gas": gas_limit,
                "nonce": nonce,
                "chainId": self.reader.chain_id,
                **fees,
            }
            if "maxFeePerGas" in full:
                full["type"] = 2
                raw, digest = self._signer.sign(full)
            else:
                signed = self._account.sign_transaction(full)
                raw, digest = bytes(signed.raw_transaction), bytes(signed.hash)
            return SignedTx(
                tx_hash="0x" + digest.hex(),
                nonce=nonce,
                raw=raw,
                gas_limit=gas_limit,
                expected_cost_wei=expected,
                tx=full,
            )

    # ------------------------------------------------------------------ broadcasting
    def broadcast(self, signed: SignedTx) -> str:
        """Send signed bytes (retrying transient failures; re-sending the same bytes is idempotent)."""
        params = ["0x" + signed.raw.hex()]
        try:
            typed_rpc(
                lambda: self.reader.rpc.request("eth_sendRawTransaction", params),
                self.retry,
                "eth_sendRawTransaction",
                self._sleep,
            )
        except NonceError:
            if not self.reader.known(signed.tx_hash):
                raise
            # an earlier attempt of ours got through ("already known", "nonce too low" for our own hash)
        with self._lock:
            self._next_nonce = signed.nonce + 1
            self.sent_count += 1
        if self.on_nonce is not None:
            self.on_nonce(signed.nonce)
        return signed.tx_hash

    @overload
    def send(
        self,
        call: Any = None,
        *,
        to: str | None = None,
        data: bytes | str = b"",
        value: int = 0,
        gas: int | None = None,
        wait: Literal[True] = True,
        on_signed: Callable[[SignedTx], None] | None = None,
        nonce_retries: int = 2,
    ) -> TxResult: ...

    @overload
    def send(
        self,
        call: Any = None,
        *,
        to: str | None = None,
        data: bytes | str = b"",
        value: int = 0,
        gas: int | None = None,
        wait: Literal[False],
        on_signed: Callable[[SignedTx], None] | None = None,
        nonce_retries: int = 2,
    ) -> SignedTx: ...

    @overload
    def send(
        self,
        call: Any = None,
        *,
        to: str | None = None,
        data: bytes | str = b"",
        value: int = 0,
        gas: int | None = None,
        wait: bool = True,
        on_signed: Callable[[SignedTx], None] | None = None,
        nonce_retries: int = 2,
    ) -> TxResult | SignedTx: ...

    def send(
        self,
        call: Any = None,
        *,
        to: str | None = None,
        data: bytes | str = b"",
        value: int = 0,
        gas: int | None = None,
        wait: bool = True,
        on_signed: Callable[[SignedTx], None] | None = None,
        nonce_retries: int = 2,
    ) -> TxResult | SignedTx:
        """Build, sign, broadcast and (by default) wait for the receipt.

        `on_signed(signed)` runs after signing and before broadcasting: write the tx hash and nonce to the
        action journal there. On a nonce error the nonce is re-synced from the chain and the transaction
        re-signed (`on_signed` runs again with the new hash), up to `nonce_retries` times.
        Returns a TxResult (wait=True) or the SignedTx (wait=False; call `wait(tx_hash)` later).
        """
        tx = self.build(call, to=to, data=data, value=value)
        with self._lock:
            for attempt in range(nonce_retries + 1):
                signed = self.sign(tx, gas=gas)
                if on_signed is not None:
                    on_signed(signed)
                try:
                    self.broadcast(signed)
                    break
                except NonceError as exc:
                    log.warning("%s: nonce %s refused (%s); re-syncing", self.address, signed.nonce, exc)
                    self.sync_nonce()
                    if attempt == nonce_retries:
                        msg = f"nonce still refused after {nonce_retries} re-syncs: {exc}"
                        raise NonceError(msg) from exc
                except ChainError:
                    # Nothing was accepted: the nonce stays free. Re-sync in case the node disagrees.
                    self._next_nonce = None
                    raise
        if not wait:
            return signed
        return self.wait(signed.tx_hash, nonce=signed.nonce)

    # ------------------------------------------------------------------ receipts
    def wait(self, tx_hash: str, *, nonce: int | None = None, timeout: float | None = None) -> TxResult:
        """Poll for the receipt; RevertedError (with the reason) if it failed, fees counted either way."""
        timeout = self.receipt_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.reader.receipt(tx_hash)
            if receipt is not None:
                break
            if time.monotonic() > deadline:
                raise ReceiptTimeoutError(tx_hash, timeout)
            self._sleep(self.poll_interval)
        return self.result_of(tx_hash, receipt, nonce=nonce)

    def result_of(self, tx_hash: str, receipt: dict[str, Any], *, nonce: int | None = None) -> TxResult:
        """A mined receipt as a TxResult, its fee counted; RevertedError (with the reason) if it failed."""
        gas_used = int(receipt["gasUsed"])
        price = int(receipt.get("effectiveGasPrice") or 0)
        fee = gas_used * price
        with self._lock:
            self.gas_spent_wei += fee
        result = TxResult(
            tx_hash=tx_hash,
            nonce=nonce if nonce is not None else -1,
            block=int(receipt["blockNumber"]),
            gas_used=gas_used,
            fee_wei=fee,
            receipt=receipt,
        )
        if int(receipt["status"]) != 1:
            raise RevertedError(self.reader.revert_reason(tx_hash, receipt), tx_hash=tx_hash)
        return result


class CachedFeeSender(TxSender):
    """A TxSender that reuses its fee quote for `fee_ttl` seconds (one latest-block read per burst of
    transactions instead of one per transaction). The max fee is 2 x base fee + tip, so a quote a block
    old still clears."""

    fee_ttl = 0.5
    _fee_cache: tuple[float, dict[str, int]] | None = None

    def fees(self) -> dict[str, int]:
        now = time.monotonic()
        cached = self._fee_cache
        if cached is not None and now - cached[0] < self.fee_ttl:
            return dict(cached[1])
        quote = super().fees()
        self._fee_cache = (now, dict(quote))
        return quote

    def prime(self, base_fee: int | None) -> None:
        """Quote fees from a block the caller has just read (no extra request)."""
        self._fee_cache = (time.monotonic(), dict(self.fees_for_base(base_fee)))
