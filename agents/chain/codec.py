"""Contract calls encoded straight from the ABI with eth_abi: the agents' hot path, without web3.

    esc = contracts.codec("ServiceEscrow")
    call = esc.getJob(7)                     # Call(to=<escrow address>, data=<selector + args>)
    reader.call(call)                        # eth_call, decoded like web3 does (addresses checksummed)
    sender.send(esc.complete(7, ZERO32, b""))

web3's ContractFunction does the same work through several layers of normalisers and costs about
2 ms per encoded call here; this costs a few microseconds. Overloaded functions are looked up by
name and number of arguments. Decoded values: one output -> the value, several -> a tuple; a struct
is a named tuple whose fields are the ABI's component names (`job.held`, and still `job[6]`);
addresses are checksummed (as web3 returns them).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.abi import collapse_if_tuple
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    """EIP-55 form of an address (cached: the same few hundred addresses come back in every log and read,
    and each checksum costs a keccak)."""
    return to_checksum_address(address)


class CodecError(Exception):
    """No such function in the ABI, or arguments that do not fit it."""


def _types(params: Sequence[dict[str, Any]]) -> list[str]:
    return [collapse_if_tuple(dict(p)) for p in params]


@lru_cache(maxsize=1024)
def struct_type(name: str, fields: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """The named-tuple class of one ABI struct (one class per struct shape, cached)."""
    # collections.namedtuple, not typing.NamedTuple: the fields come from the ABI at run time
    return namedtuple(name or "Struct", fields)


def _struct(param: dict[str, Any], values: Sequence[Any]) -> tuple[Any, ...]:
    names = tuple(str(c.get("name") or "") for c in param["components"])
    if not all(n.isidentifier() and not n.startswith("_") for n in names) or len(set(names)) != len(names):
        return tuple(values)  # unnamed or unusable component names: a plain tuple
    internal = str(param.get("internalType") or "")
    label = internal.removeprefix("struct ").rsplit(".", 1)[-1].split("[", 1)[0]
    return struct_type(label if label.isidentifier() else "Struct", names)(*values)


def _checksummed(param: dict[str, Any], value: Any) -> Any:
    typ = param["type"]
    if typ == "address":
        return checksum(value)
    if typ.startswith("address["):
        return type(value)(checksum(v) for v in value)
    if typ == "tuple":
        return _struct(param, [_checksummed(c, v) for c, v in zip(param["components"], value, strict=True)])
    if typ.startswith("tuple["):
        inner = dict(param, type="tuple")
        return type(value)(_checksummed(inner, v) for v in value)
    return value


@dataclass(frozen=True)
class FunctionCodec:
    name: str
    signature: str
    selector: bytes
    inputs: tuple[dict[str, Any], ...]
    outputs: tuple[dict[str, Any], ...]
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]

    @classmethod
    def from_abi(cls, item: dict[str, Any]) -> FunctionCodec:
        inputs = tuple(item.get("inputs", ()))
        outputs = tuple(item.get("outputs", ()))
        in_types = tuple(_types(inputs))
        signature = f"{item['name']}({','.join(in_types)})"
        return cls(
            item["name"],
            signature,
            keccak(text=signature)[:4],
            inputs,
            outputs,
            in_types,
            tuple(_types(outputs)),
        )

    def encode(self, args: Sequence[Any]) -> bytes:
        if len(args) != len(self.input_types):
            raise CodecError(f"{self.signature}: {len(args)} arguments given")
        try:
            return self.selector + encode(list(self.input_types), list(args))
        except Exception as exc:  # eth_abi raises several types for a bad value; re-raised as one
            raise CodecError(f"{self.signature}: {exc}") from exc

    def decode(self, data: bytes) -> Any:
        values = decode(list(self.output_types), data)
        shaped = tuple(_checksummed(p, v) for p, v in zip(self.outputs, values, strict=True))
        if len(shaped) == 1:
            return shaped[0]
        return shaped


@dataclass(frozen=True)
class Call:
    """An encoded call to one contract function: what TxSender sends or reads."""

    to: str
    data: bytes
    fn: FunctionCodec

    def decode(self, raw: bytes) -> Any:
        return self.fn.decode(raw)

    def __repr__(self) -> str:
        return f"Call({self.fn.signature} @ {self.to})"


class ContractCodec:
    """Every function of one deployed contract: `codec.fnName(*args)` -> Call."""

    def __init__(self, address: str, abi: Sequence[dict[str, Any]]) -> None:
        self.address = to_checksum_address(address)
        self._fns: dict[str, list[FunctionCodec]] = {}
        for item in abi:
            if item.get("type") == "function":
                fn = FunctionCodec.from_abi(item)
                self._fns.setdefault(fn.name, []).append(fn)

    def function(self, name: str, arity: int | None = None) -> FunctionCodec:
        found = self._fns.get(name)
        if not found:
            raise CodecError(f"no function {name} in the ABI of {self.address}")
        if arity is None and len(found) == 1:
            return found[0]
        for fn in found:
            if arity is None or len(fn.input_types) == arity:
                return fn
        raise CodecError(f"no {name} with {arity} arguments in the ABI of {self.address}")

    def __getattr__(self, name: str) -> Callable[..., Call]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._fns:
            raise AttributeError(f"no function {name} in the ABI")

        def bound(*args: Any) -> Call:
            fn = self.function(name, len(args))
            return Call(self.address, fn.encode(args), fn)

        return bound


def _word(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return bytes(value)  # HexBytes


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _plain_value(param: dict[str, Any], value: Any) -> Any:
    """Event argument values as the indexer hands them out: bytes as 0x-hex, addresses checksummed,
    arrays as tuples, structs as named tuples."""
    typ = param["type"]
    if typ == "address":
        return checksum(value)
    if typ.endswith("]"):
        inner = dict(param, type=typ[: typ.rindex("[")])
        return tuple(_plain_value(inner, v) for v in value)
    if typ == "tuple":
        return _struct(param, [_plain_value(c, v) for c, v in zip(param["components"], value, strict=True)])
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return value


_STATIC_INDEXED = ("address", "bool", "uint", "int", "bytes1", "bytes2", "bytes3", "bytes4")


class EventCodec:
    """Decodes one event's logs: indexed arguments from the topics (a dynamic indexed type stays the
    32-byte hash the topic holds), the rest from the data."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.name: str = item["name"]
        self.inputs = tuple(item.get("inputs", ()))
        types = _types(self.inputs)
        self.signature = f"{self.name}({','.join(types)})"
        self.topic = keccak(text=self.signature)
        self.indexed = [(p, t) for p, t in zip(self.inputs, types, strict=True) if p.get("indexed")]
        self.data_params = [p for p in self.inputs if not p.get("indexed")]
        self.data_types = [t for p, t in zip(self.inputs, types, strict=True) if not p.get("indexed")]

    def decode(self, topics: Sequence[Any], data: Any) -> dict[str, Any]:
        if len(topics) != 1 + len(self.indexed):
            raise CodecError(
                f"{self.signature}: {len(topics) - 1} indexed topics, expected {len(self.indexed)}"
            )
        args: dict[str, Any] = {}
        for (param, typ), topic in zip(self.indexed, topics[1:], strict=True):
            word = _word(topic)
            dynamic = typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("(")
            args[param["name"]] = (
                "0x" + word.hex() if dynamic else _plain_value(param, decode([typ], word)[0])
            )
        values = decode(self.data_types, _word(data)) if self.data_types else ()
        for param, value in zip(self.data_params, values, strict=True):
            args[param["name"]] = _plain_value(param, value)
        return {p["name"]: args[p["name"]] for p in self.inputs}


def log_fields(raw: Any) -> tuple[str, list[Any], Any, int, int, str]:
    """(address, topics, data, block, log index, tx hash) of a log from JSON-RPC or from web3."""
    tx = raw["transactionHash"]
    tx_hex = tx if isinstance(tx, str) else "0x" + bytes(tx).hex()
    return (
        raw["address"],
        list(raw.get("topics") or []),
        raw.get("data", "0x"),
        _int(raw["blockNumber"]),
        _int(raw["logIndex"]),
        tx_hex if tx_hex.startswith("0x") else "0x" + tx_hex,
    )
