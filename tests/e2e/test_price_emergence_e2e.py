"""Prices that emerge: a demand surge for one service raises its price and draws supply to it.

Agents run on anvil through the real runtime (process host, indexer, policy, executor); the clock is
driven by the test (conftest.Economy). The surge is the scenario shock `demand_surge` as the
simulation passes it to each agent (PolicyConfig.demand)."""

from __future__ import annotations

from statistics import median

import pytest

from tests.e2e.conftest import close_all

pytestmark = pytest.mark.slow

SURGE_AT, END = 12, 34
CATALOGUE = ("median", "merkle")


def _book(economy, agents) -> dict[str, dict[str, int]]:
    """service -> {provider: ask} from the registry's latest ServicesUpdated per agent."""
    mine = {a.address for a in agents}
    latest: dict[str, dict[str, int]] = {}
    for e in economy.logs("AgentRegistry", "ServicesUpdated"):
        wallet = economy.c["AgentRegistry"].functions.walletOf(e.args["agentId"]).call()
        latest[wallet] = {s["name"]: int(s["price"]) for s in e.args["services"]}
    out: dict[str, dict[str, int]] = {}
    for who, asks in latest.items():
        if who in mine:
            for s, p in asks.items():
                out.setdefault(s, {})[who] = p
    return out


def test_demand_surge__raises_that_services_price_and_supply_follows(economy):
    surge = [["median", 8.0, SURGE_AT, END]]
    sellers = [{"index": i, "persona": "guardian", "services": ("median",),
                "overrides": {"hire_rate": 0.0}, "demand": surge} for i in (6, 7)]
    movers = [{"index": i, "persona": "honest", "services": ("merkle",), "catalogue": CATALOGUE,
               "overrides": {"hire_rate": 0.0}, "demand": surge} for i in (3, 4, 5)]
    clients = [{"index": i, "persona": "honest", "services": ("merkle",),
                "overrides": {"hire_rate": 1.0}, "demand": surge} for i in (1, 2, 9, 10)]
    host = economy.host(sellers + movers + clients, seed=11)
    agents = host.agents
    try:
        economy.run([host], SURGE_AT)
        before = _book(economy, agents)
        economy.run([host], END - SURGE_AT)
        after = _book(economy, agents)
    finally:
        close_all([host])
    print("before", {s: sorted(v.values()) for s, v in before.items()})
    print("after", {s: sorted(v.values()) for s, v in after.items()})
    assert median(after["median"].values()) > median(before["median"].values())
    assert len(after["median"]) > len(before["median"])
