"""Generic dataclass <-> plain dict conversion, so agent state persists as JSON and comes back equal.

Supported field types: bool/int/float/str/None, nested dataclasses, list[T], tuple[T, ...], fixed
tuples, dict[str, T] and Optional/unions of those. Non-finite floats are refused: state never holds
them (unbounded horizons are computed, never stored).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


_ATOMIC = frozenset({int, str, bool, type(None)})


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@overload
def to_dict(obj: DataclassInstance) -> dict[str, Any]: ...
@overload
def to_dict(obj: Any) -> Any: ...
def to_dict(obj: Any) -> Any:
    """A JSON-ready structure (dicts, lists, scalars) for a dataclass tree.

    Written for speed (every agent persists its whole state every cycle): scalars in containers are
    passed through inline, and `x - x == 0.0` is the finiteness test (False for inf and nan)."""
    t = type(obj)
    if t in _ATOMIC:
        return obj
    if t is float:
        if obj - obj == 0.0:
            return obj
        raise ValueError(f"cannot serialise non-finite float {obj!r}")
    if t is list or t is tuple or isinstance(obj, (list, tuple)):
        return [
            x if (tx := type(x)) in _ATOMIC or (tx is float and x - x == 0.0) else to_dict(x) for x in obj
        ]
    if isinstance(obj, dict):
        return {
            str(k): v if (tv := type(v)) in _ATOMIC or (tv is float and v - v == 0.0) else to_dict(v)
            for k, v in obj.items()
        }
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_dict(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, float):  # a float subclass
        return to_dict(float(obj))
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _build(arg, value)
            except (TypeError, ValueError, KeyError) as exc:  # try the next member
                errors.append(exc)
        raise TypeError(f"{value!r} matches none of {tp}: {errors}")
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):  # a hint is a class, never an instance
        return from_dict(tp, value)
    if origin is list:
        return [_build(args[0], v) for v in value]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        return {_build(args[0], k): _build(args[1], v) for k, v in value.items()}
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an int, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected a bool, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise TypeError(f"expected a str, got {value!r}")
        return value
    if tp is Any:
        return value
    raise TypeError(f"unsupported field type {tp!r}")


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass tree from to_dict's output (missing fields take their defaults)."""
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__}: expected a dict, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _build(hints[f.name], data[f.name])
    unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise KeyError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    return cls(**kwargs)
