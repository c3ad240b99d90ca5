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
    rows = m.market_kpis()["median"]["series"]  # [cycle, median ask, sellers, jobs created, mean paid]
    print(
        "median series",
        [(r[0], r[1] and round(r[1] / 1e18, 1), r[2], r[3], r[4] and round(r[4] / 1e18, 1)) for r in rows],
    )
    before = [r for r in rows if r[0] < AT and r[1] is not None]
    after = [r for r in rows if r[0] > AT and r[1] is not None]
    assert before and after
    # the shock took effect: more median jobs per cycle
    assert sum(r[3] for r in after) / len(after) > 2 * sum(r[3] for r in before) / len(before)
    # the price clients pay rose: the last five surge cycles' mean price paid is above the last one
    # paid before the surge (the reputable seller raises its ask and is still hired)
    paid_before = [r[4] for r in before if r[4] is not None][-1]
    paid_late = [r[4] for r in after if r[4] is not None][-5:]
    assert sum(paid_late) / len(paid_late) > paid_before
    # ... and supply followed: more providers sell median than before the surge
    assert max(r[2] for r in after) > before[-1][2]
