"""Scenario amounts are exact: a YAML decimal becomes exactly its wei, whatever a float would make of it."""

from __future__ import annotations

import pytest

from agents.sim.scenario import ScenarioError, load_scenario, parse_scenario, to_sim_config

AGENTS = "agents:\n  - persona: honest\n    count: 2\n"


def _load(tmp_path, body: str):
    path = tmp_path / "s.yaml"
    path.write_text("name: t\ncycles: 10\n" + body + AGENTS)
    return load_scenario(path)


def test_start_balance_19997_5__is_exactly_19997500000000000000000_wei(tmp_path):
    cfg = to_sim_config(_load(tmp_path, "start_balance: 19997.5\n"))
    assert cfg.start_balance == 19_997_500_000_000_000_000_000


def test_start_balance__more_digits_than_a_float_holds__stay_exact(tmp_path):
    cfg = to_sim_config(_load(tmp_path, "start_balance: 19997.4999999999996\n"))
    assert cfg.start_balance == 19_997_499_999_999_999_600_000  # float(...) would read 19997.5


def test_start_balance__default_is_20000_agent(tmp_path):
    assert to_sim_config(_load(tmp_path, "")).start_balance == 20_000 * 10**18


def test_yaml_floats_elsewhere__still_become_floats(tmp_path):
    sc = _load(tmp_path, "shocks:\n  - {kind: demand_surge, at: 2, service: factor, factor: 2.5}\n")
    assert sc.demand() == [("factor", 2.5, 2, 10)] and type(sc.demand()[0][1]) is float


def test_start_balance__finer_than_a_wei__one_line_error():
    with pytest.raises(ScenarioError) as info:
        parse_scenario(
            {"name": "t", "start_balance": "1.0000000000000000001", "agents": [{"persona": "honest"}]},
            "s.yaml",
        )
    assert (
        str(info.value) == "s.yaml: start_balance: start_balance has more than 18 decimal places: "
        "1.0000000000000000001"
    )
