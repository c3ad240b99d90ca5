"""Agent.on_event: an event the observation cannot fold is lost to this agent, logged and counted,
never raised into the indexer (which would count it as a subscriber error and stop delivering)."""

from __future__ import annotations

import json
from types import MappingProxyType, SimpleNamespace

from agents.chain.indexer import ChainEvent
from agents.runtime.agent import Agent, JsonLog
from agents.runtime.observe import MarketMemory

ME = "0x" + "a" * 40
PROV = "0x" + "b" * 40


def _event(name: str, **args) -> ChainEvent:
    return ChainEvent(10, "0x" + "0" * 64, 3, "Reputation", name, MappingProxyType(args))


def test_on_event__malformed_event__logged_as_event_lost_counted_and_not_raised(tmp_path):
    path = tmp_path / "agent.log.jsonl"
    agent = SimpleNamespace(memory=MarketMemory(me=ME, start_block=1), log=JsonLog(path, ME))
    Agent.on_event(agent, _event("ReputationChanged", account=PROV))  # no "current": cannot be folded
    log = agent.log
    log.close()
    assert agent.memory.window.lost == 1
    assert PROV not in agent.memory.reputation
    (rec,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert rec["event"] == "event_lost" and rec["agent"] == ME
    assert rec["chain_event"] == "Reputation.ReputationChanged" and rec["block"] == 10
    assert rec["reason"].startswith("KeyError(")


def test_on_event__well_formed_event__folded_and_nothing_lost(tmp_path):
    path = tmp_path / "agent.log.jsonl"
    agent = SimpleNamespace(memory=MarketMemory(me=ME, start_block=1), log=JsonLog(path, ME))
    Agent.on_event(agent, _event("ReputationChanged", account=PROV, previous=0, current=4200))
    agent.log.close()
    assert agent.memory.window.lost == 0
    assert agent.memory.reputation[PROV] == 4200
    assert path.read_text() == ""
