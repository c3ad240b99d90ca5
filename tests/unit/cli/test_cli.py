"""`emergent` CLI: bad input gives one clear line, a non-zero exit and no transaction."""

import json
import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from agents.cli import cli
from agents.cli_common import InputError, parse_address, parse_amount

GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path))

    def _run(*args):
        return CliRunner().invoke(cli, list(args))

    return _run


def error_lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


@pytest.mark.parametrize("args, message", [
    (["status", "--network", "foo:bar"], "unknown network 'foo:bar'"),
    (["status", "--network", "nonsense"], "network must be ecosystem:network"),
    (["status", "--address", "0x1234"], "--address must be 0x followed by 40 hex digits"),
    (["token", "balance", "not-an-address"], "address must be 0x followed by 40 hex digits"),
    (["token", "transfer", "--to", GOOD, "--amount", "-5"], "--amount must be greater than zero"),
    (["token", "transfer", "--to", GOOD, "--amount", "ten"], "--amount must be a number of tokens"),
    (["token", "transfer", "--to", GOOD, "--amount", "0"], "--amount must be greater than zero"),
    (["token", "transfer", "--to", GOOD, "--amount", "NaN"], "--amount must be finite"),
    (["token", "transfer", "--to", "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "--amount", "1"],
     "wrong EIP-55 checksum"),
])
def test_bad_input__one_line_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and message in lines[0]


def test_status__missing_deployment_file__one_line_exit_1(run, tmp_path):
    result = run("status", "--network", "ethereum:sepolia:node")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"Error: no deployment file at {tmp_path / 'ethereum-sepolia.json'}: "
        "run `emergent devnet` or `ape run deploy` first"
    ]


def test_token_transfer__malformed_deployment_file__one_line(run, tmp_path):
    (tmp_path / "ethereum-local.json").write_text("{oops")
    result = run("token", "transfer", "--to", GOOD, "--amount", "1")
    assert result.exit_code == 1
    assert len(error_lines(result)) == 1 and "not valid JSON" in result.output


def test_parse_address__checksums_lowercase_input():
    assert parse_address(GOOD.lower()) == GOOD


@pytest.mark.parametrize("value, wei", [("1", 10**18), ("12.5", 125 * 10**17), ("0.000000000000000001", 1)])
def test_parse_amount__decimal_tokens_to_wei(value, wei):
    assert parse_amount(value) == wei


def test_parse_amount__more_than_18_decimals__refused():
    with pytest.raises(InputError, match="more than 18 decimal places"):
        parse_amount("0.0000000000000000001")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_devnet__starts_deploys_prints_and_stops_its_anvil(tmp_path):
    """The main command end to end on a free port: deployment file written, anvil gone afterwards."""
    port = _free_port()
    env = {**os.environ, "EMERGENT_DEPLOYMENTS_DIR": str(tmp_path)}
    env.pop("APE_FOUNDRY_HOST", None)
    proc = subprocess.run(
        [sys.executable, "-m", "agents.cli", "devnet", "--port", str(port), "--exit-after-deploy"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"anvil started at http://127.0.0.1:{port}" in proc.stdout
    data = json.loads((tmp_path / "ethereum-local.json").read_text())
    assert data["chain_id"] == 31337
    assert data["contracts"]["AgentToken"] in proc.stdout
    assert "100,000.0000 AGENT" in proc.stdout
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "anvil outlived the devnet command"
