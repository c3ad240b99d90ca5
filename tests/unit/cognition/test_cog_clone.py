"""AgentState.clone (agents.cognition.fastcopy): an equal state that shares no mutable part."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from agents.cognition.fastcopy import deepcopy_state
from agents.cognition.orchestrator import step
from agents.cognition.state import AgentState
from agents.cognition.synthetic import Market

_SCALARS = (int, float, str, bool, type(None))


def _warm(n: int = 260) -> AgentState:
    st = AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase="FULL")
    m = Market(seed=3)
    for c in range(n):
        st = step(st, m.observe(c)).state
    return st


def _shared_mutables(a, b, path="state") -> list[str]:
    if isinstance(a, _SCALARS):
        return []
    if isinstance(a, tuple):
        return [
            p
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for p in _shared_mutables(x, y, f"{path}[{i}]")
        ]
    if a is b:
        return [path]
    if isinstance(a, list):
        return [
            p
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for p in _shared_mutables(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        return [p for k in a for p in _shared_mutables(a[k], b[k], f"{path}[{k!r}]")]
    assert type(a) is type(b), path
    assert a.__dict__.keys() == b.__dict__.keys(), path
    return [p for k in a.__dict__ for p in _shared_mutables(a.__dict__[k], b.__dict__[k], f"{path}.{k}")]


def test_clone__warmed_state__equal_to_a_pickle_round_trip_and_shares_no_mutable_object():
    st = _warm()
    c = st.clone()
    assert c.to_dict() == st.to_dict()
    assert c.to_dict() == pickle.loads(pickle.dumps(st)).to_dict()
    assert _shared_mutables(st, c) == []


def test_clone__stepping_the_copy__leaves_the_original_unchanged():
    st = _warm()
    before = st.to_dict()
    m = Market(seed=4)
    c = st.clone()
    for k in range(30):
        c = step(c, m.observe(st.cycle + k)).state
    assert st.to_dict() == before
    assert c.cycle == st.cycle + 30


@dataclass(frozen=True)
class _Frozen:
    items: list[int]
    n: int = 1


@dataclass
class _Holder:
    frozen: _Frozen
    opt: _Frozen | None = None
    table: dict[str, list[float]] = field(default_factory=dict)
    pairs: tuple[list[int], ...] = ()
    anything: object = None


def test_deepcopy_state__frozen_optional_nested_containers_and_untyped_fields__copied_not_shared():
    h = _Holder(_Frozen([1, 2]), None, {"a": [0.5]}, ([7],), anything={"k": [1]})
    c = deepcopy_state(h)
    assert c == h
    assert _shared_mutables(h, c) == []
    c.table["a"].append(1.0)
    c.pairs[0].append(8)
    c.anything["k"].append(2)
    assert h == _Holder(_Frozen([1, 2]), None, {"a": [0.5]}, ([7],), anything={"k": [1]})
