"""A deep copy of a state tree, driven by the dataclasses' type hints.

`AgentState.clone` runs on every cycle (`step` never mutates its input), and a pickle round trip of a
warmed-up state was a quarter of a full L4.9 cycle. The hints say what each field holds, so each field
gets the cheapest copy that keeps the two trees independent: scalars and tuples of scalars are shared,
lists/dicts of scalars are shallow-copied in C, nested dataclasses and containers of them are copied
recursively. A field whose hint names nothing of that (Any, a bare tuple) falls back to copy.deepcopy.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")

_SCALARS = (int, float, str, bool, type(None))


def _share(v: Any) -> Any:
    return v


def _scalar_hint(tp: Any) -> bool:
    if tp in _SCALARS:
        return True
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return all(_scalar_hint(a) for a in typing.get_args(tp))
    return False


def _immutable_hint(tp: Any) -> bool:
    """Scalars, and tuples of immutables: safe to share between the copies."""
    if _scalar_hint(tp):
        return True
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return all(_immutable_hint(a) for a in typing.get_args(tp))
    if origin is tuple:
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return bool(args) and all(_immutable_hint(a) for a in args)
    return False


def _copier(tp: Any) -> Callable[[Any], Any]:
    if _immutable_hint(tp):
        return _share
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):  # a hint is a class, never an instance
        cls = tp

        def copy_dataclass(v: Any) -> Any:
            return None if v is None else _copy_dataclass(cls, v)

        return copy_dataclass
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            inner = _copier(members[0])
            return lambda v: None if v is None else inner(v)
    if origin is list and args:
        if _immutable_hint(args[0]):
            return list.copy
        inner = _copier(args[0])
        return lambda v: [inner(x) for x in v]
    if origin is dict and len(args) == 2 and _immutable_hint(args[0]):
        if _immutable_hint(args[1]):
            return dict.copy
        inner = _copier(args[1])
        return lambda v: {k: inner(x) for k, x in v.items()}
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _copier(args[0])
            return lambda v: tuple(inner(x) for x in v)
        inners = [_copier(a) for a in args]
        return lambda v: tuple(f(x) for f, x in zip(inners, v, strict=True))
    return copy.deepcopy


@cache
def _plan(cls: type[DataclassInstance]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The fields that need a copy, with their copier (shared fields come along in one dict copy)."""
    hints = typing.get_type_hints(cls)
    plan = ((f.name, _copier(hints[f.name])) for f in dataclasses.fields(cls))
    return tuple((name, fn) for name, fn in plan if fn is not _share)


def _copy_dataclass(cls: type[D], obj: D) -> D:
    if type(obj) is not cls or not hasattr(obj, "__dict__"):  # a subclass, or slots: no shortcut
        return copy.deepcopy(obj)
    new = object.__new__(cls)
    src = obj.__dict__
    d = src.copy()
    for name, fn in _plan(cls):
        d[name] = fn(src[name])
    object.__setattr__(new, "__dict__", d)  # frozen dataclasses too
    return new


def deepcopy_state(obj: T) -> T:
    """An independent copy of a dataclass tree (same values, no shared mutable part)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):  # an instance; a class goes to deepcopy
        return _copy_dataclass(type(obj), obj)
    return copy.deepcopy(obj)
