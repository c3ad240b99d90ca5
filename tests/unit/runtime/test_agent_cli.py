"""`emergent agent run` and `emergent simulate`: bad input gets one clear line and starts nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from agents.cli import cli

KEY = "0x" + "11" * 32


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--persona", "honest"], "give --key"),
        (["--persona", "honest", "--key", "0x1234"], "32 bytes of hex"),
        (["--persona", "honest", "--key", KEY, "--account-index", "1"], "only one of"),
        (["--persona", "honest", "--key", KEY, "--services", "factor,astrology"], "unknown service"),
        (["--persona", "honest", "--key", KEY, "--network", "ethereum:sepolia"], "--rpc is required"),
        (["--persona", "wizard", "--key", KEY], "Invalid value for '--persona'"),
        (["--persona", "honest", "--key", KEY, "--gas-budget", "lots"], "ETH"),
    ],
)
def test_agent_run__bad_input__usage_error(runner, args, message, monkeypatch):
    monkeypatch.delenv("EMERGENT_AGENT_KEY", raising=False)
    result = runner.invoke(cli, ["agent", "run", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_agent_run__no_deployment__one_line_error(runner, tmp_path):
    result = runner.invoke(cli, ["agent", "run", "--persona", "honest", "--key", KEY,
                                 "--deployment", str(tmp_path / "missing.json")])
    assert result.exit_code == 1
    assert "no deployments file" in result.output and "Traceback" not in result.output


def test_simulate__persona_count_mismatch__usage_error(runner):
    result = runner.invoke(cli, ["simulate", "--agents", "3", "--personas", "honest,cheater"])
    assert result.exit_code == 2 and "2 personas for 3 agents" in result.output
