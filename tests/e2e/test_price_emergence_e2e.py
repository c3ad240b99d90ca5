"""Prices that emerge: a demand surge for one service raises its price and draws supply to it.

A real `emergent simulate` run (own anvil, 1 s blocks, agent processes) of tests/data/scenarios/
surge.yaml: two reputable median sellers, two merkle sellers that may switch, two clients; from cycle 8
clients want six times as many median jobs. Read from the run's market KPIs (metrics.json `market`)."""

from __future__ import annotations

import pytest

from agents.paths import PROJECT_ROOT
from agents.sim.scenario import load_scenario, to_sim_config
from agents.sim.simulate import run

pytestmark = pytest.mark.slow
SURGE = PROJECT_ROOT / "tests" / "data" / "scenarios" / "surge.yaml"
AT = 8


def test_demand_surge__raises_that_services_price_and_supply_follows(tmp_path):
    sc = load_scenario(SURGE)
    m = run(to_sim_config(sc, tmp_path / "run"), echo=lambda _s: None)
    rows = m.market_kpis()["median"]["series"]  # [cycle, median ask, sellers, jobs created]
    before = [r for r in rows if r[0] < AT and r[1] is not None]
    after = [r for r in rows if r[0] > AT and r[1] is not None]
    print("median series", [(r[0], round(r[1] / 1e18, 1), r[2], r[3]) for r in rows])
    assert before and after
    # the shock took effect: more median jobs per cycle
    assert sum(r[3] for r in after) / len(after) > 2 * sum(r[3] for r in before) / len(before)
    # the price rose above where it stood when the surge began ...
    assert max(r[1] for r in after) > before[-1][1]
    # ... and supply followed: more providers sell median than before the surge
    assert max(r[2] for r in after) > before[-1][2]
