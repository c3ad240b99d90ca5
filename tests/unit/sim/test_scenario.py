"""Scenario files: the shipped ones validate; a wrong key or value is one error line with its path."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from agents.paths import PROJECT_ROOT
from agents.sim.scenario import ScenarioError, load_scenario, parse_scenario, set_path, to_sim_config
from agents.sim.simulate import cycles_due, plan_agents, scenario_extras
from tests.plugin_support import forget_plugins

SCENARIOS = PROJECT_ROOT / "scenarios"
BASE = {"name": "t", "cycles": 30, "agents": [{"persona": "honest", "count": 2}, {"persona": "guardian"}]}


@pytest.fixture(autouse=True)
def clean_registry():
    forget_plugins()
    yield
    forget_plugins()


def _err(data, label="s.yaml") -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, label)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("name", ["default-market", "supply-chain", "adversarial-stress"])
def test_shipped_scenarios__validate_and_plan(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    plans = plan_agents(to_sim_config(sc))
    assert [p.persona for p in plans] == sc.personas() and len({p.address for p in plans}) == len(plans)


def test_wrong_persona__one_line_with_its_path():
    data = {**BASE, "agents": [{"persona": "honest"}, {"persona": "guardian"}, {"persona": "cheeter"}]}
    msg = _err(data, "scenario.yaml")
    assert msg.startswith("scenario.yaml: agents[2].persona: unknown persona 'cheeter' (known: honest, ")


@pytest.mark.parametrize(
    "patch, expected",
    [
        ({"agents": [{"persona": "honest", "colour": "red"}]}, "agents[0].colour: unknown key"),
        ({"cyles": 10}, "cyles: unknown key"),
        ({"cycles": 0}, "cycles: Input should be greater than or equal to 1"),
        ({"services": ["median", "astrology"]}, "services[1]: unknown service 'astrology'"),
        ({"contracts": {"escrow.fee": 5}}, "contracts: unknown contract parameter 'escrow.fee'"),
        ({"shocks": [{"kind": "earthquake", "at": 3}]}, "shocks[0]: unknown shock kind 'earthquake'"),
        (
            {"shocks": [{"kind": "demand_surge", "at": 3, "service": "median", "factor": 0.5}]},
            "shocks[0].factor: Input should be greater than 1",
        ),
        (
            {"shocks": [{"kind": "provider_leaves", "at": 3, "agent": 7}]},
            "shocks[0].agent: agent 7 does not exist (3 agents, 0-based)",
        ),
        (
            {"shocks": [{"kind": "governance", "at": 99, "set": {"escrow.feeBps": 50}}]},
            "shocks[0].at: cycle 99 is not within the run's 30 cycles",
        ),
        (
            {"agents": [{"persona": "honest", "overrides": {"cheat_probability": 1}}]},
            "agents[0].overrides: unknown behaviour or pricing parameter 'cheat_probability'",
        ),
        ({"agents": []}, "agents: List should have at least 1 item"),
    ],
)
def test_bad_value_or_key__names_its_path(patch, expected):
    assert expected in _err({**BASE, **patch})


def test_missing_required_key__named():
    assert _err({"name": "x"}) == "s.yaml: agents: required key missing"


def test_plugin_persona_and_service__usable_from_a_scenario(tmp_path):
    plugin = tmp_path / "plugins" / "collatz.py"
    plugin.parent.mkdir()
    plugin.write_text((PROJECT_ROOT / "examples" / "plugins" / "collatz.py").read_text())
    f = tmp_path / "s.yaml"
    f.write_text(
        textwrap.dedent("""
        name: plug
        plugins: [plugins/collatz.py]
        services: [collatz, median]
        agents: [{persona: honest, count: 2, services: [collatz]}]
    """)
    )
    sc = load_scenario(f)
    assert sc.plugins == [str(plugin.resolve())]
    assert [p.services for p in plan_agents(to_sim_config(sc))] == [("collatz",), ("collatz",)]


def test_shocks__become_per_agent_host_settings():
    sc = load_scenario(SCENARIOS / "supply-chain.yaml")
    cfg = to_sim_config(sc)
    plans = plan_agents(cfg)
    extras = [scenario_extras(cfg, p) for p in plans]
    assert all(e["demand"] == [["median", 4.0, 12, 36]] for e in extras)
    assert extras[1]["max_cycles"] == 22 and "max_cycles" not in extras[0]
    assert "catalogue" not in extras[0] and extras[2]["catalogue"] == ["median", "merkle", "primecount"]
    due = cycles_due(cfg, plans)
    assert due[plans[1].address] == 22 and due[plans[0].address] == 36
    assert sc.governance() == [(26, {"escrow.feeBps": 50})]


def test_set_path__governed_names_go_to_contracts_other_keys_are_paths():
    data = set_path(BASE, "escrow.collateralRatioBps", 4000)
    assert data["contracts"] == {"escrow.collateralRatioBps": 4000}
    data = set_path(data, "agents.0.count", 5)
    assert parse_scenario(data).personas().count("honest") == 5
    with pytest.raises(ScenarioError, match="no element 9"):
        set_path(BASE, "agents.9.count", 1)
    assert BASE["agents"][0]["count"] == 2  # the input is not modified


def test_cli__bad_scenario__one_error_line_and_no_chain(tmp_path):
    from agents.cli import cli

    f = tmp_path / "scenario.yaml"
    f.write_text("name: x\nagents:\n  - {persona: honest}\n  - {persona: honest}\n  - {persona: cheeter}\n")
    r = CliRunner().invoke(cli, ["simulate", "--scenario", str(f), "--out", str(tmp_path / "out")])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 2 and len(lines) == 1  # bad input: exit 2 (issue 14)
    assert lines[0].startswith("Error: scenario.yaml: agents[2].persona: unknown persona 'cheeter'")
    assert not (tmp_path / "out").exists()


def test_cli__agents_flag_with_a_scenario__refused():
    from agents.cli import cli

    r = CliRunner().invoke(
        cli, ["simulate", "--scenario", str(SCENARIOS / "supply-chain.yaml"), "--agents", "3"]
    )
    assert r.exit_code == 2 and "--agents comes from the scenario file" in r.output
