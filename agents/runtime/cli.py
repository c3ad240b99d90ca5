"""`emergent agent ...`: run one agent (one key, one persona) against any network ape or web3 can reach."""

from __future__ import annotations

import json
import os
import signal
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from agents.paths import PROJECT_ROOT


@click.group()
def agent() -> None:
    """Run Level 4.9 agents."""


def _key_from_ape_alias(alias: str) -> str:
    """Decrypt ape's keyfile for ALIAS (passphrase from APE_ACCOUNTS_<ALIAS>_PASSPHRASE or a prompt)."""
    from eth_account import Account

    path = Path(os.environ.get("APE_DATA_FOLDER", Path.home() / ".ape")) / "accounts" / f"{alias}.json"
    if not path.is_file():
        raise click.BadParameter(f"no ape account named {alias!r} ({path} missing)", param_hint="--account")
    env = f"APE_ACCOUNTS_{alias}_PASSPHRASE".upper()
    passphrase = os.environ.get(env) or click.prompt(f"passphrase for {alias}", hide_input=True)
    try:
        return "0x" + bytes(Account.decrypt(json.loads(path.read_text()), passphrase)).hex()
    except ValueError as exc:
        raise click.BadParameter(f"cannot decrypt {alias}: {exc}", param_hint="--account") from exc


def resolve_key(key: str | None, account: str | None, account_index: int | None) -> str:
    given = [x is not None for x in (key, account, account_index)]
    if sum(given) > 1:
        raise click.UsageError("give only one of --key, --account, --account-index")
    if account:
        return _key_from_ape_alias(account)
    if account_index is not None:
        from agents.sim.simulate import derive_key

        return derive_key(account_index)
    key = key or os.environ.get("EMERGENT_AGENT_KEY")
    if not key:
        raise click.UsageError("give --key (or EMERGENT_AGENT_KEY), --account ALIAS or --account-index N")
    text = key[2:] if key.startswith("0x") else key
    if len(text) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise click.BadParameter("a private key is 32 bytes of hex", param_hint="--key")
    return "0x" + text


@agent.command("run")
@click.option("--key", default=None, help="private key hex (or env EMERGENT_AGENT_KEY)")
@click.option("--account", default=None, help="ape account alias (keyfile)")
@click.option("--account-index", default=None, type=click.IntRange(0, 10_000),
              help="account i of the local test mnemonic (devnets only)")
@click.option("--persona", required=True,
              type=click.Choice(["honest", "undercutter", "cheater", "no_show", "frivolous_disputer", "guardian"]))
@click.option("--services", default="factor,hashchain,median", show_default=True,
              help="comma-separated services to sell")
@click.option("--network", default="ethereum:local", show_default=True,
              help="ecosystem:network whose deployments file to use")
@click.option("--rpc", default=None, help="RPC URL (default http://127.0.0.1:8545 for local networks)")
@click.option("--deployment", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="deployments file (default deployments/<ecosystem>-<network>.json)")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              default=PROJECT_ROOT / ".emergent" / "agents", show_default=True)
@click.option("--payloads", default=str(PROJECT_ROOT / ".emergent" / "payloads"), show_default=True,
              help="payload directory, or the URL of a payload service (`emergent payloads serve`)")
@click.option("--cycle-blocks", default=5, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--cycles", default=None, type=click.IntRange(1), help="stop after this many cycles")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--gas-budget", default=None, help="ETH the agent may spend on fees (default: unlimited)")
def run(key: str | None, account: str | None, account_index: int | None, persona: str, services: str,
        network: str, rpc: str | None, deployment: Path | None, data_dir: Path, payloads: str,
        cycle_blocks: int, cycles: int | None, seed: int, gas_budget: str | None) -> None:
    """Run one agent until SIGTERM/Ctrl-C (or --cycles): observe, think, act; state in SQLite."""
    from agents.chain.deployment import deployment_path
    from agents.market.services import SERVICE_NAMES
    from agents.runtime.process import Host, HostConfig

    private_key = resolve_key(key, account, account_index)
    names = tuple(s.strip() for s in services.split(",") if s.strip())
    unknown = [s for s in names if s not in SERVICE_NAMES]
    if not names or unknown:
        raise click.BadParameter(f"unknown service(s) {unknown} (known: {', '.join(SERVICE_NAMES)})",
                                 param_hint="--services")
    parts = network.split(":")
    if len(parts) < 2:
        raise click.BadParameter("expected ecosystem:network", param_hint="--network")
    if rpc is None:
        if parts[1] != "local":
            raise click.UsageError("--rpc is required off local networks")
        rpc = "http://127.0.0.1:8545"
    budget = None
    if gas_budget is not None:
        try:
            budget = int(Decimal(gas_budget) * 10**18)
        except InvalidOperation as exc:
            raise click.BadParameter("a decimal number of ETH", param_hint="--gas-budget") from exc
        if budget < 0:
            raise click.BadParameter("must not be negative", param_hint="--gas-budget")
    dep = deployment or deployment_path(":".join(parts[:2]))
    if not Path(dep).is_file():
        raise click.ClickException(f"no deployments file at {dep}: deploy first (`emergent devnet`)")
    store = payloads if payloads.startswith(("http://", "https://")) else Path(payloads)
    cfg = HostConfig(rpc=rpc, deployment=Path(dep), data_dir=data_dir, payloads=store,
                     agents=[{"key": private_key, "persona": persona, "services": list(names)}],
                     cycle_blocks=cycle_blocks, seed=seed, max_cycles=cycles, gas_budget_wei=budget)
    try:
        host = Host(cfg)
    except Exception as exc:  # noqa: BLE001 - one line for the user
        raise click.ClickException(f"cannot start the agent: {str(exc).splitlines()[0]}") from exc
    ag = host.agents[0]
    click.echo(f"agent {ag.address} ({persona}) on {rpc}; state {ag.dir}; log {ag.dir / 'agent.log.jsonl'}")
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the current step, persist, exit 0
        signal.signal(sig, lambda *_: host.stop.set())
    host.run()
    click.echo(f"stopped after cycle {ag.memory.cycle}")
