"""`emergent` CLI: bad input gives one clear line, the right exit code and no transaction (no new block on
a real devnet); reads are lean and scriptable; the devnet is per port and stops its chain."""

import json
import signal
from pathlib import Path

import click
import pytest
from cli_devnet import (
    assert_signal_stops_devnet,
    cli_env,
    free_port,
    port_open,
    rpc,
    run_cli,
    start_cli_devnet,
    stop_cli_devnet,
)
from click.testing import CliRunner

from agents.cli import cli
from agents.cli_common import InputError, parse_address, parse_amount
from agents.paths import deployment_file

GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ACCOUNT0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ZERO = "0x" + "0" * 40


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path))
    monkeypatch.delenv("EMERGENT_RPC", raising=False)

    def _run(*args):
        return CliRunner().invoke(cli, list(args))

    return _run


def error_lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


# --- offline input checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["status", "--network", "foo:bar"], "unknown network 'foo:bar'"),
        (["status", "--network", "ethereum:nowhere"], "unknown network 'ethereum:nowhere'"),
        (["status", "--network", "nonsense"], "network must be ecosystem:network"),
        (["status", "--network", "http://127.0.0.1:8545"], "a URL goes to --rpc"),
        (["status", "--rpc", "127.0.0.1:8545"], "--rpc must be an http(s) URL"),
        (["status", "--network", "ethereum:sepolia:node"], "--rpc URL (or EMERGENT_RPC) is required"),
        (["status", "--address", "0x1234"], "--address must be 0x followed by 40 hex digits"),
        (["token", "balance", "not-an-address"], "address must be 0x followed by 40 hex digits"),
        (["token", "transfer", "--to", GOOD, "--amount", "-5"], "--amount must be greater than zero"),
        (["token", "transfer", "--to", GOOD, "--amount", "ten"], "--amount must be a number of tokens"),
        (["token", "transfer", "--to", GOOD, "--amount", "0"], "--amount must be greater than zero"),
        (["token", "transfer", "--to", GOOD, "--amount", "NaN"], "--amount must be finite"),
        (
            ["token", "transfer", "--to", "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "--amount", "1"],
            "wrong EIP-55 checksum",
        ),
        (
            ["token", "transfer", "--to", GOOD, "--amount", "1", "--account-index", "12"],
            "--account-index must be 0..9",
        ),
        (["token", "transfer", "--amount", "1"], "Missing option '--to'"),
        (["status", "--bogus"], "No such option: --bogus"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
    ],
)
def test_bad_input__one_line_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and message in lines[0]


def test_status__missing_deployment_file__one_line_exit_1(run, tmp_path):
    result = run("status", "--network", "ethereum:sepolia:node", "--rpc", "http://127.0.0.1:1")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"Error: no deployment file at {tmp_path / 'ethereum-sepolia.json'}: "
        "run `emergent devnet` or `ape run deploy` first"
    ]


def test_token_transfer__malformed_deployment_file__one_line(run, tmp_path):
    (tmp_path / "ethereum-local-8545.json").write_text("{oops")
    result = run("token", "transfer", "--to", GOOD, "--amount", "1")
    assert result.exit_code == 1
    assert len(error_lines(result)) == 1 and "not valid JSON" in result.output


def test_unexpected_exception__one_line_with_log_exit_1(run):
    @cli.command("explode-for-test")
    def boom():
        raise ZeroDivisionError("division by zero")

    try:
        result = run("explode-for-test")
    finally:
        cli.commands.pop("explode-for-test")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert (
        line.startswith("Error: ZeroDivisionError: division by zero (details: ") and "Traceback" not in line
    )
    log = line.split("(details: ")[1].rstrip(")")
    assert "Traceback" in Path(log).read_text()


def test_parse_address__checksums_lowercase_input():
    assert parse_address(GOOD.lower()) == GOOD


@pytest.mark.parametrize("value, wei", [("1", 10**18), ("12.5", 125 * 10**17), ("0.000000000000000001", 1)])
def test_parse_amount__decimal_tokens_to_wei(value, wei):
    assert parse_amount(value) == wei


def test_parse_amount__more_than_18_decimals__refused():
    with pytest.raises(InputError, match="more than 18 decimal places"):
        parse_amount("0.0000000000000000001")


def test_deployment_file__one_per_devnet_port_one_per_named_network(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path))
    assert (
        deployment_file("ethereum:local:foundry", "http://127.0.0.1:8546")
        == tmp_path / "ethereum-local-8546.json"
    )
    assert deployment_file("ethereum:local", None) == tmp_path / "ethereum-local-8545.json"
    assert (
        deployment_file("ethereum:local", "http://localhost:8545/") == tmp_path / "ethereum-local-8545.json"
    )
    assert (
        deployment_file("ethereum:local", "http://10.0.0.2:9000")
        == tmp_path / "ethereum-local-10.0.0.2-9000.json"
    )
    assert (
        deployment_file("ethereum:sepolia:node", "https://rpc.example") == tmp_path / "ethereum-sepolia.json"
    )


def _walk(cmd: click.Command, path: str = "emergent"):
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), f"{path} {name}")


def test_help__every_command_and_option_has_help_text():
    missing = []
    for path, cmd in _walk(cli):
        if not (cmd.help or cmd.short_help):
            missing.append(path)
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.help:
                missing.append(f"{path} {p.opts[0]}")
    assert missing == []


def test_shell_completion__bash_script_is_generated(monkeypatch):
    monkeypatch.setenv("_EMERGENT_COMPLETE", "bash_source")
    result = CliRunner().invoke(cli, [], prog_name="emergent")
    assert result.exit_code == 0 and "_emergent_completion" in result.output


# --- against a real devnet (started by `emergent devnet` itself) ----------------------------------


def test_devnet__deployment_file_per_port_and_no_ape_noise(devnet):
    data = json.loads(devnet.file.read_text())
    assert data["chain_id"] == 31337
    text = devnet.output.read_text()
    assert data["contracts"]["AgentToken"] in text and "100,000.0000 AGENT" in text
    assert "Confirmed" not in text and "INFO" not in text and "Warning" not in text


def test_token_balance__lean_read_and_json(devnet):
    r = devnet.cli("token", "balance", GOOD)
    assert r.code == 0 and r.stdout.strip() == f"{GOOD} 100,000.0000 AGENT" and r.stderr == ""
    r = devnet.cli("token", "balance", GOOD.lower(), "--json")
    assert json.loads(r.stdout) == {
        "address": GOOD,
        "balance_wei": str(100_000 * 10**18),
        "balance": "100000",
        "symbol": "AGENT",
    }


def test_token_balance__rpc_from_environment(devnet):
    env = {**devnet.env, "EMERGENT_RPC": devnet.url}
    r = run_cli(["token", "balance", GOOD], env)
    assert r.code == 0 and "100,000.0000 AGENT" in r.stdout


def test_status__json_lists_contracts_supply_and_balances(devnet):
    r = devnet.cli("status", "--json", "--address", ZERO)
    d = json.loads(r.stdout)
    assert set(d["contracts"]) >= {"AgentToken", "Governor", "Timelock", "ServiceEscrow", "Staking"}
    assert d["token"]["symbol"] == "AGENT" and d["rpc"] == devnet.url
    assert {b["address"] for b in d["balances"]} >= {ACCOUNT0, ZERO}


@pytest.mark.parametrize(
    "args, code, message",
    [
        (
            ["--to", ZERO, "--amount", "1"],
            2,
            "Error: the transaction would revert: erc20: transfer to the zero address",
        ),
        (
            ["--to", GOOD, "--amount", "100001"],
            2,
            f"Error: {ACCOUNT0} holds 100,000.0000 AGENT, less than 100001",
        ),
    ],
)
def test_token_transfer__refused__one_line_no_new_block(devnet, args, code, message):
    head, nonce = devnet.head(), devnet.nonce(ACCOUNT0)
    r = devnet.cli("token", "transfer", *args)
    assert (r.code, r.lines) == (code, [message])
    assert devnet.head() == head and devnet.nonce(ACCOUNT0) == nonce, "a transaction was sent"


def test_token_transfer__good__one_block_and_balances_move(devnet):
    sender = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # account 2
    before = devnet.cli("token", "balance", sender, "--json")
    head = devnet.head()
    r = devnet.cli("token", "transfer", "--to", GOOD, "--amount", "2.5", "--account-index", "2")
    assert r.code == 0 and r.stdout.startswith(f"sent 2.5 AGENT to {GOOD} in tx 0x"), r.lines
    assert devnet.head() == head + 1
    after = devnet.cli("token", "balance", sender, "--json")
    moved = int(json.loads(before.stdout)["balance_wei"]) - int(json.loads(after.stdout)["balance_wei"])
    assert moved == 25 * 10**17


def test_no_devnet__same_line_from_every_command(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = cli_env(tmp_path)
    expected = f"Error: no devnet is running at {url}: start one with `emergent devnet --port {port}`"
    for args in (
        ["status"],
        ["token", "balance", GOOD],
        ["token", "transfer", "--to", GOOD, "--amount", "1"],
        ["gov", "list"],
        ["gov", "status", "1"],
        ["agent", "run", "--persona", "honest", "--account-index", "1"],
        ["simulate", "--out", str(tmp_path / "never")],
    ):
        r = run_cli([*args, "--rpc", url], env)
        assert (r.code, r.lines) == (1, [expected]), args
    assert not (tmp_path / "never").exists()


def test_stale_deployment_file__other_genesis__one_line(devnet, tmp_path):
    data = json.loads(devnet.file.read_text())
    data["genesis_hash"] = "0x" + "ab" * 32
    deployments = tmp_path / "d"
    deployments.mkdir()
    (deployments / devnet.file.name).write_text(json.dumps(data))
    r = run_cli(["status", "--rpc", devnet.url], cli_env(deployments))
    assert r.code == 1 and len(r.lines) == 1
    assert "different genesis block: the devnet was restarted?" in r.lines[0]


def test_second_devnet__own_file__first_untouched_and_anvil_gone(devnet):
    before = devnet.file.read_text()
    port = free_port()
    r = run_cli(
        ["devnet", "--port", str(port), "--exit-after-deploy"], cli_env(devnet.deployments), timeout=300
    )
    assert r.code == 0, r.lines
    assert f"anvil started at http://127.0.0.1:{port}" in r.stdout
    assert json.loads((devnet.deployments / f"ethereum-local-{port}.json").read_text())["chain_id"] == 31337
    assert devnet.file.read_text() == before
    assert not port_open(port), "anvil outlived the devnet command"
    r = devnet.cli("token", "balance", GOOD)  # the first devnet still answers with its own file
    assert r.code == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_devnet__ctrl_c_or_sigterm__stops_its_anvil_exit_0(tmp_path, sig):
    net = start_cli_devnet(tmp_path, "--block-time", "0")
    try:
        assert_signal_stops_devnet(net, sig, "anvil", timeout=30)
    finally:
        stop_cli_devnet(net)


def test_quiet__read_commands_print_no_warnings(devnet):
    r = devnet.cli("status")
    assert r.code == 0 and r.stderr == ""
    assert rpc(devnet.url, "web3_clientVersion").startswith("anvil")
