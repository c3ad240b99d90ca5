"""`emergent`: the devnet, the deployment, tokens, governance, agents, simulations and benchmarks.

Sub-command groups that live in other modules are loaded lazily (`LAZY_COMMANDS`), so `emergent
--help` and input errors answer quickly and one broken area cannot take the whole CLI down. Read
commands use the lean JSON-RPC client; only commands that deploy or send import ape. Every failure is
one `Error: ...` line (agents.cli_common.OneLineErrors).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import time
from decimal import Decimal
from typing import Any

import click

from agents.cli_common import (
    DEFAULT_NETWORK,
    VERBOSE_ENV,
    InputError,
    OneLineErrors,
    RuntimeFailure,
    lean_send,
    load_chain_deployment,
    network_options,
    parse_address,
    parse_amount,
    sender_address,
    sender_key,
)
from agents.paths import PROJECT_ROOT, deployment_file, ensure_tool_path

# name -> (module, attribute): groups and commands defined elsewhere. Add a line to register one.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "gov": ("agents.gov_cli", "gov"),
    "agent": ("agents.runtime.cli", "agent"),
    "simulate": ("agents.sim.cli", "simulate"),
    "sweep": ("agents.sim.cli", "sweep"),
    "bench": ("agents.bench.cli", "bench"),
    "cognition": ("agents.sim.audit_cli", "cognition"),
    "dashboard": ("agents.dashboard.cli", "dashboard"),
    "payloads": ("agents.market.payloads_cli", "payloads"),
}


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(OneLineErrors, click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [n for n, (mod, _) in LAZY_COMMANDS.items() if _module_exists(mod)]
        return sorted(set(super().list_commands(ctx)) | set(available))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            if not _module_exists(module):
                return None
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, name)


def _fmt(wei: int) -> str:
    return f"{Decimal(wei) / Decimal(10**18):,.4f}"


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="emergent")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="show third-party warnings, ape's log lines and progress output (quiet by default)",
)
def cli(verbose: bool) -> None:
    """Emergent: an on-chain economy for autonomous Level 4.9 agents.

    Where the chain is: --rpc URL (or EMERGENT_RPC) on every command; local networks default to
    http://127.0.0.1:8545, where `emergent devnet` listens (`--port N` -> http://127.0.0.1:N).
    Shell completion: eval "$(_EMERGENT_COMPLETE=bash_source emergent)" (zsh_source, fish_source).
    """
    if verbose:
        os.environ[VERBOSE_ENV] = "1"
    ensure_tool_path()


# --- devnet ----------------------------------------------------------------------------------------


class _Terminated(Exception):
    """SIGTERM/SIGHUP while the devnet runs: stop the chain like Ctrl-C does."""


def _raise_terminated(*_: Any) -> None:
    raise _Terminated


DEVNET_VOTING_MINUTES = 5


@cli.command()
@click.option(
    "--port",
    default=8545,
    show_default=True,
    type=click.IntRange(1024, 65535),
    help="port of the devnet's JSON-RPC on 127.0.0.1 (other commands: --rpc http://127.0.0.1:PORT)",
)
@click.option(
    "--block-time",
    default=1,
    show_default=True,
    type=click.IntRange(0, 60),
    help="after deploying, also mine a block every N idle seconds (0: only on transactions)",
)
@click.option(
    "--voting-minutes",
    default=DEVNET_VOTING_MINUTES,
    show_default=True,
    type=click.IntRange(1, 600),
    help="governance voting period on this devnet, in minutes of idle blocks (sets "
    "governance.voting_period to minutes*60/block-time blocks)",
)
@click.option("--redeploy", is_flag=True, help="deploy a fresh set even if one is live on this chain")
@click.option("--exit-after-deploy", is_flag=True, help="stop the devnet once deployed (for scripts/tests)")
@click.option(
    "--node",
    "node",
    type=click.Choice(["anvil", "hardhat"]),
    default="anvil",
    show_default=True,
    help="the devnet node: anvil, or the Hardhat node from npm (the second EVM)",
)
def devnet(
    port: int,
    block_time: int,
    voting_minutes: int,
    redeploy: bool,
    exit_after_deploy: bool,
    node: str = "anvil",
) -> None:
    """Start anvil (or the Hardhat node) on PORT, or re-use one there, deploy Emergent, print addresses,
    run until Ctrl-C.

    The deployment is recorded in deployments/ethereum-local-PORT.json, one file per devnet."""
    from agents.devnet import BlockTicker, DevnetError, start_devnet, use_devnet_for_ape

    log_dir = PROJECT_ROOT / ".emergent"
    log_dir.mkdir(exist_ok=True)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_terminated)
    try:
        net = start_devnet(port, log_path=log_dir / f"{node}-{port}.log", kind=node)
    except DevnetError as exc:
        raise RuntimeFailure(str(exc)) from None
    name = "anvil" if node == "anvil" else "Hardhat node"
    click.echo(f"{name} {'started' if net.started_here else 're-used'} at {net.url}")
    ticker = None
    try:
        try:
            path = deployment_file(DEFAULT_NETWORK, net.url)
            result = _deploy_to_devnet(net, path, redeploy, voting_minutes, block_time)
            # ape installs its own SIGINT/SIGTERM handlers on connect (exit 130 without cleanup): ours again
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for sig in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, _raise_terminated)
            use_devnet_for_ape(net)
            reader, _deployment, _ = load_chain_deployment(DEFAULT_NETWORK, net.url, path)
            for line in status_lines(reader, result):
                click.echo(line)
            if net.started_here and block_time and not exit_after_deploy:
                ticker = BlockTicker(net.url, block_time).start()
                click.echo(f"a block per transaction, and one every {block_time} s when idle")
            if exit_after_deploy:
                return
            if not net.started_here:
                click.echo("devnet is someone else's; done")
                return
            hint = (
                "" if port == 8545 else f"; other commands take --rpc {net.url} (or EMERGENT_RPC={net.url})"
            )
            click.echo(f"devnet running at {net.url}{hint}; Ctrl-C to stop")
            while net.process is not None and net.process.poll() is None:
                time.sleep(0.5)
            raise RuntimeFailure(f"{name} exited unexpectedly (details: {log_dir / f'{node}-{port}.log'})")
        except (KeyboardInterrupt, _Terminated):
            click.echo("\nstopping devnet")
    finally:
        if ticker is not None:
            ticker.stop()
        net.stop()


def _deploy_to_devnet(
    net: Any, path: Any, redeploy: bool, voting_minutes: int, block_time: int
) -> dict[str, Any]:
    """deploy_all through ape with params/ethereum-local.yaml and this devnet's voting period."""
    from agents.chain.deployment import DeployError, deploy_all, load_params, params_path

    os.environ["APE_FOUNDRY_HOST"] = net.url
    params = load_params(params_path(DEFAULT_NETWORK))
    gov = params.get("governance")
    if isinstance(gov, dict):
        # Idle blocks come every `block_time` s; each transaction mines one more, so this is an upper bound.
        gov["voting_period"] = max(10, voting_minutes * 60 // max(1, block_time or 1))
        click.echo(
            f"governance: voting lasts {gov['voting_period']} blocks (about {voting_minutes} min "
            f"at a block every {max(1, block_time)} s)"
        )
        # A governance slash must not be dodgeable by unbonding (issue 10): unbonding outlasts a proposal's
        # path (Timelock delay + voting delay, period and late-quorum extension), with a minute to spare.
        staking = (params.get("market") or {}).get("staking")
        if isinstance(staking, dict):
            blocks = sum(
                int(gov.get(k, 0)) for k in ("voting_delay", "voting_period", "late_quorum_extension")
            )
            path_s = int(gov.get("timelock_delay", 0)) + blocks * max(1, int(gov.get("seconds_per_block", 1)))
            if int(staking.get("unbonding_period", 0)) <= path_s:
                staking["unbonding_period"] = path_s + 60
                click.echo(
                    f"staking: unbonding takes {staking['unbonding_period']} s (longer than a proposal's "
                    f"{path_s} s path)"
                )
    from agents.cli_common import connected

    with connected(DEFAULT_NETWORK, net.url):
        from ape import accounts

        try:
            return deploy_all(
                accounts.test_accounts[0], params=params, redeploy=redeploy, log=click.echo, path=path
            )
        except DeployError as exc:
            raise RuntimeFailure(str(exc)) from None


# --- status ----------------------------------------------------------------------------------------


def status_data(reader: Any, deployment: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Deployment, head, token supply and balances, read over the lean client (two round trips)."""
    contracts = deployment["contracts"]
    out: dict[str, Any] = {
        "rpc": reader.url,
        "chain_id": deployment.get("chain_id"),
        "network": deployment.get("network"),
        "deployed_at_block": deployment.get("block"),
        "head": reader.head(),
        "contracts": dict(contracts),
    }
    token_addr = contracts.get("AgentToken")
    if not token_addr:
        return out
    token = reader.contract("AgentToken", token_addr)
    holders = list(dict.fromkeys(list(deployment.get("funded_accounts", [])) + list(extra)))
    calls = [("symbol", ()), ("totalSupply", ()), ("cap", ())] + [("balanceOf", (h,)) for h in holders]
    values = token.many(calls)
    eths = reader.batch([("eth_getBalance", [h, "latest"]) for h in holders])
    symbol, supply, cap = values[:3]
    out["token"] = {"symbol": symbol, "supply_wei": str(supply), "cap_wei": str(cap)}
    out["balances"] = [
        {"address": h, "token_wei": str(b), "eth_wei": str(int(e, 16) if isinstance(e, str) else 0)}
        for h, b, e in zip(holders, values[3:], eths, strict=True)
    ]
    return out


def status_lines(reader: Any, deployment: dict[str, Any], extra: tuple[str, ...] = ()) -> list[str]:
    d = status_data(reader, deployment, extra)
    lines = [
        f"chain {d['chain_id']} ({d.get('network') or '?'}) at {d['rpc']}, deployed at block "
        f"{d['deployed_at_block']}, head {d['head']}"
    ]
    lines += [f"  {name:<16} {addr}" for name, addr in d["contracts"].items()]
    if "token" in d:
        t = d["token"]
        lines.append(
            f"token {t['symbol']}: supply {_fmt(int(t['supply_wei']))} / cap {_fmt(int(t['cap_wei']))}"
        )
        for b in d["balances"]:
            lines.append(
                f"  {b['address']}  {_fmt(int(b['token_wei'])):>20} {t['symbol']}  "
                f"{_fmt(int(b['eth_wei'])):>14} ETH"
            )
    return lines


@cli.command()
@network_options
@click.option(
    "--address",
    "addresses",
    multiple=True,
    metavar="0x...",
    help="also show this address's balances (repeatable)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (amounts in wei, as strings)")
def status(network: str, rpc: str | None, addresses: tuple[str, ...], as_json: bool) -> None:
    """Print the chain's recorded deployment, the token supply and the funded accounts' balances."""
    extra = tuple(parse_address(a, "--address") for a in addresses)
    reader, deployment, _ = load_chain_deployment(network, rpc)
    if as_json:
        _echo_json(status_data(reader, deployment, extra))
        return
    for line in status_lines(reader, deployment, extra):
        click.echo(line)


# --- token -----------------------------------------------------------------------------------------


@cli.group()
def token() -> None:
    """AgentToken balances and transfers."""


def _token(network: str, rpc: str | None) -> tuple[Any, Any, dict[str, Any]]:
    reader, deployment, path = load_chain_deployment(network, rpc)
    addr = deployment["contracts"].get("AgentToken")
    if not addr:
        raise RuntimeFailure(f"{path} has no AgentToken")
    return reader, reader.contract("AgentToken", addr), deployment


@token.command("balance")
@click.argument("address")
@network_options
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (balance in wei, as a string)")
def token_balance(address: str, network: str, rpc: str | None, as_json: bool) -> None:
    """Print ADDRESS's AGENT balance."""
    addr = parse_address(address)
    _, tok, _ = _token(network, rpc)
    symbol, balance = tok.many([("symbol", ()), ("balanceOf", (addr,))])
    if as_json:
        _echo_json(
            {
                "address": addr,
                "balance_wei": str(balance),
                "balance": str(Decimal(balance) / 10**18),
                "symbol": symbol,
            }
        )
        return
    click.echo(f"{addr} {_fmt(balance)} {symbol}")


GAS_MARGIN_NUM, GAS_MARGIN_DEN, GAS_MARGIN_ADD = 13, 10, 10_000


@token.command("transfer")
@click.option("--to", "to", required=True, metavar="0x...", help="recipient address")
@click.option("--amount", required=True, help="whole tokens, e.g. 12.5")
@click.option(
    "--account", "account_alias", default=None, help="ape account alias (required off local networks)"
)
@click.option("--account-index", default=None, type=int, help="local test account index, 0..9 (default 0)")
@network_options
def token_transfer(
    to: str, amount: str, account_alias: str | None, account_index: int | None, network: str, rpc: str | None
) -> None:
    """Send AMOUNT tokens to TO. Checks the balance and simulates the transfer first; sends nothing if
    either fails."""
    if account_alias and account_index is not None:
        raise InputError("give only one of --account, --account-index")
    recipient = parse_address(to, "--to")
    wei = parse_amount(amount, "--amount")
    sender = sender_address(network, account_alias, account_index)
    reader, tok, _ = _token(network, rpc)
    symbol, balance = tok.many([("symbol", ()), ("balanceOf", (sender,))])
    if balance < wei:
        raise InputError(f"{sender} holds {_fmt(balance)} {symbol}, less than {amount}")
    gas = reader.simulate(
        sender, tok.encode("transfer", recipient, wei)
    )  # revert -> InputError, nothing sent
    gas = gas * GAS_MARGIN_NUM // GAS_MARGIN_DEN + GAS_MARGIN_ADD
    key = sender_key(network, account_alias, account_index)
    result = lean_send(reader.url, key, tok.encode("transfer", recipient, wei), gas)
    click.echo(
        f"sent {amount} {symbol} to {recipient} in tx {result.tx_hash} (block {result.block}, "
        f"gas {result.gas_used})"
    )


def main() -> None:  # pragma: no cover
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
