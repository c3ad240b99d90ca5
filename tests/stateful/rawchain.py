"""Raw JSON-RPC access to the test anvil, for tests that send thousands of transactions.

ape's transaction path (gas estimation, receipt objects, traces for return values, event models)
costs ~0.3 s per call; the stateful marketplace test needs thousands of steps. The anvil that
ape's test provider starts has every test account unlocked, so `eth_sendTransaction` with a
fixed gas limit, a receipt poll and hand-decoded logs does the same work in a few milliseconds.

- `RawChain.rpc`: the project's lean JSON-RPC client (`agents.chain.rpc.rpc_for`) on the endpoint of
  the web3 ape already opened; a node error raises `RpcResponseError` (`.data`: the revert data).
- `Abi`: calldata, view results and event logs of one deployed contract, from its ape ABI.
- `RawChain`: send (must succeed), expect a revert with an exact reason, read views in a batch,
  read the head timestamp, travel in time, snapshot/revert.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak
from eth_utils import to_checksum_address as _checksum
from eth_utils.abi import collapse_if_tuple

from agents.chain.errors import decode_revert
from agents.chain.rpc import RpcResponseError, rpc_for

# A fixed limit instead of eth_estimateGas (which would double the RPC calls): every marketplace
# call fits, and checkpoint writes that cost ~20k more when mined than estimated at "latest"
# (TOOLCHAIN.md) cannot run out.
GAS_LIMIT = 3_000_000


def _types(params: list[dict]) -> list[str]:
    return [collapse_if_tuple(p) for p in params]


def _shape(params: list[dict], values: tuple) -> Any:
    """Decoded outputs as ape shows them: a bare value, or a struct with attribute access."""
    if len(params) == 1:
        return _shape_one(params[0], values[0])
    return tuple(_shape_one(p, v) for p, v in zip(params, values, strict=True))


def _shape_one(param: dict, value: Any) -> Any:
    if param["type"] == "tuple":
        return SimpleNamespace(
            **{c["name"]: _shape_one(c, v) for c, v in zip(param["components"], value, strict=True)}
        )
    if param["type"] == "address":
        return _checksum(value)
    return value


@dataclass(frozen=True)
class Event:
    address: str
    name: str
    args: SimpleNamespace


class Abi:
    """Encoding and decoding for one deployed contract."""

    def __init__(self, contract):
        self.address = str(contract.address)
        items = [item.model_dump(mode="json", by_alias=True) for item in contract.contract_type.abi]
        self.functions: dict[tuple[str, int], dict] = {}
        self.events: dict[bytes, dict] = {}
        for item in items:
            if item["type"] == "function":
                # Vyper default arguments become overloads: (name, argument count) picks one.
                types = _types(item["inputs"])
                item["_selector"] = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                item["_in"], item["_out"] = types, _types(item["outputs"])
                key = (item["name"], len(types))
                assert key not in self.functions, f"{key}: same name and arity, encode by signature"
                self.functions[key] = item
            elif item["type"] == "event":
                types = _types(item["inputs"])
                self.events[keccak(text=f"{item['name']}({','.join(types)})")] = item

    def calldata(self, fn: str, *args) -> str:
        item = self.functions[(fn, len(args))]
        return "0x" + (item["_selector"] + encode(item["_in"], list(args))).hex()

    def result(self, fn: str, nargs: int, raw: str) -> Any:
        item = self.functions[(fn, nargs)]
        return _shape(item["outputs"], decode(item["_out"], bytes.fromhex(raw[2:])))

    def decode_log(self, log: dict) -> Event | None:
        if _checksum(log["address"]) != self.address or not log["topics"]:
            return None
        item = self.events.get(bytes.fromhex(log["topics"][0][2:]))
        if item is None:
            return None
        indexed = [p for p in item["inputs"] if p["indexed"]]
        plain = [p for p in item["inputs"] if not p["indexed"]]
        values = {}
        for p, topic in zip(indexed, log["topics"][1:], strict=True):
            values[p["name"]] = _shape_one(p, decode([collapse_if_tuple(p)], bytes.fromhex(topic[2:]))[0])
        for p, v in zip(plain, decode(_types(plain), bytes.fromhex(log["data"][2:])), strict=True):
            values[p["name"]] = _shape_one(p, v)
        return Event(self.address, item["name"], SimpleNamespace(**values))


@dataclass
class Receipt:
    raw: dict
    events: list[Event]

    def logs(self, contract: Abi, name: str) -> list[SimpleNamespace]:
        return [e.args for e in self.events if e.address == contract.address and e.name == name]


def revert_reason(exc: RpcResponseError) -> str | None:
    """The reason in a node error's revert data: `Error(string)` text, "Panic(0x..)", or None."""
    data = exc.data.get("data") if isinstance(exc.data, dict) else exc.data  # the Hardhat node nests it
    return decode_revert(data)


class RawChain:
    def __init__(self, web3, contracts: list[Abi]):
        self.rpc = rpc_for(web3)
        self.contracts = contracts
        self.sent: Counter[str] = Counter()  # successful transactions per function
        self.reverted: Counter[str] = Counter()  # checked reverts per reason

    # ------------------------------------------------------------ reads

    def view(self, contract: Abi, fn: str, *args) -> Any:
        call = {"to": contract.address, "data": contract.calldata(fn, *args)}
        return contract.result(fn, len(args), self.rpc.request("eth_call", [call, "latest"]))

    def views(self, calls: list[tuple[Abi, str, tuple]]) -> list[Any]:
        """Several view calls in one JSON-RPC batch (nothing is mined between them)."""
        batch = [("eth_call", [{"to": c.address, "data": c.calldata(f, *a)}, "latest"]) for c, f, a in calls]
        raws = self.rpc.batch(batch)
        for raw in raws:
            if isinstance(raw, RpcResponseError):
                raise raw
        return [c.result(f, len(a), raw) for (c, f, a), raw in zip(calls, raws, strict=True)]

    def now(self) -> int:
        return int(self.rpc.request("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    # ------------------------------------------------------------ writes

    @staticmethod
    def _tx(sender: str, contract: Abi, fn: str, args: tuple) -> dict:
        data = contract.calldata(fn, *args)
        return {"from": sender, "to": contract.address, "data": data, "gas": hex(GAS_LIMIT)}

    def simulate(self, sender: str, contract: Abi, fn: str, *args) -> Any:
        """eth_call the write at the pending block: its return value, or RpcResponseError on revert."""
        tx = self._tx(sender, contract, fn, args)
        return contract.result(fn, len(args), self.rpc.request("eth_call", [tx, "pending"]))

    def send(self, sender: str, contract: Abi, fn: str, *args) -> Receipt:
        """Send and mine a transaction that must succeed; fail with its revert reason if not."""
        tx = self._tx(sender, contract, fn, args)
        tx_hash = self.rpc.request("eth_sendTransaction", [tx])
        receipt = self._receipt(tx_hash)
        if int(receipt["status"], 16) != 1:
            reason = None
            try:
                self.rpc.request("eth_call", [tx, receipt["blockNumber"]])
            except RpcResponseError as exc:
                reason = revert_reason(exc) or str(exc)
            raise AssertionError(f"{fn} from {sender} reverted: {reason}")
        self.sent[fn] += 1
        events = []
        for log in receipt["logs"]:
            for c in self.contracts:
                event = c.decode_log(log)
                if event is not None:
                    events.append(event)
                    break
        return Receipt(receipt, events)

    def expect_revert(self, reason: str | None, sender: str, contract: Abi, fn: str, *args) -> None:
        """The write reverts now (with exactly `reason`, if given) and nothing is sent."""
        try:
            self.simulate(sender, contract, fn, *args)
        except RpcResponseError as exc:
            if reason is not None:
                actual = revert_reason(exc)
                assert actual == reason, f"{fn}: expected revert {reason!r}, got {actual!r} ({exc})"
            self.reverted[reason or f"{fn}: any"] += 1
            return
        raise AssertionError(f"{fn} from {sender} did not revert (expected {reason!r})")

    def _receipt(self, tx_hash: str) -> dict:
        # Automine answers eth_sendTransaction before the receipt is always queryable: poll briefly.
        deadline = time.monotonic() + 30
        while True:
            receipt = self.rpc.request("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise AssertionError(f"no receipt for {tx_hash}")
            time.sleep(0.002)

    # ------------------------------------------------------------ time and snapshots

    def travel_to(self, timestamp: int) -> None:
        """Mine the next block at exactly `timestamp`."""
        self.rpc.request("evm_setNextBlockTimestamp", [timestamp])
        self.rpc.request("evm_mine", [])

    def snapshot(self) -> str:
        return self.rpc.request("evm_snapshot", [])

    def revert(self, snapshot_id: str) -> None:
        assert self.rpc.request("evm_revert", [snapshot_id]), f"snapshot {snapshot_id} not found"
