"""`emergent agent ...`: run one agent (one key, one persona) against any network the lean client or web3
can reach, and watch agents from their data directories.

    emergent agent run --persona honest --account-index 1            # one agent on the devnet
    emergent agent status [--data-dir DIR] [--watch] [--json]        # what the agents there are doing
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import click

from agents.chain.protocol import JobStatus
from agents.chain.signing import derive_key
from agents.cli_common import (
    ChainReader,
    InputError,
    RuntimeFailure,
    is_local,
    key_from_ape_alias,
    network_options,
    resolve_rpc,
)
from agents.paths import PROJECT_ROOT, deployment_file

DEFAULT_DATA_DIR = PROJECT_ROOT / ".emergent" / "agents"
DEFAULT_PAYLOADS = PROJECT_ROOT / ".emergent" / "payloads"


@click.group()
def agent() -> None:
    """Run Level 4.9 agents and watch them."""


def parse_persona(raw: str) -> str:
    """A persona by any of README's spellings: no-show, noshow, no_show, "No Show", frivolous-disputer..."""
    from agents.market.personas import get_persona, persona_names

    key = "".join(ch for ch in raw.lower() if ch.isalnum())
    for name in persona_names():
        if key == "".join(ch for ch in name.lower() if ch.isalnum()):
            return name
    try:  # a plugin persona not loaded yet (installed entry points are found on the first miss)
        return get_persona(raw).name
    except ValueError:
        pass
    known = ", ".join(n.replace("_", "-") for n in persona_names())
    raise InputError(f"unknown persona {raw!r} (known: {known})")


def resolve_key(key: str | None, account: str | None, account_index: int | None) -> str:
    given = [x is not None for x in (key, account, account_index)]
    if sum(given) > 1:
        raise click.UsageError("give only one of --key, --account, --account-index")
    if account:
        return key_from_ape_alias(account)
    if account_index is not None:
        return derive_key(account_index)
    key = key or os.environ.get("EMERGENT_AGENT_KEY")
    if not key:
        raise click.UsageError("give --key (or EMERGENT_AGENT_KEY), --account ALIAS or --account-index N")
    text = key[2:] if key.startswith("0x") else key
    if len(text) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise click.BadParameter("a private key is 32 bytes of hex", param_hint="--key")
    return "0x" + text


def _cycle_line(report: dict[str, Any]) -> str:
    """One line per cycle for `agent run`."""
    wei = 10**18
    asks = report.get("asks") or {}
    ass = report.get("ass")
    return (
        f"cycle {report.get('cycle', '?'):>4}  block {report.get('block', '?'):>6}  "
        f"balance {int(report.get('balance', 0)) / wei:,.2f}  "
        f"stake {int(report.get('stake', 0)) / wei:,.2f}  "
        f"rep {int(report.get('reputation', 0)) / 10_000:.3f}  "
        f"ASS {'-' if ass is None else f'{float(ass):.3f}'}  {report.get('status', '')} "
        f"{report.get('survival', '')}{'  L4.9' if report.get('l49') else ''}  asks {len(asks)}"
    )


@agent.command("run")
@click.option("--key", default=None, help="private key hex (or env EMERGENT_AGENT_KEY)")
@click.option(
    "--account",
    default=None,
    help="ape account alias (keyfile; passphrase from APE_ACCOUNTS_<ALIAS>_PASSPHRASE or a prompt)",
)
@click.option(
    "--account-index",
    default=None,
    type=click.IntRange(0, 10_000),
    help="account i of the local test mnemonic (devnets only; founders are 6, 7, 8)",
)
@click.option(
    "--persona",
    required=True,
    metavar="NAME",
    help="honest, undercutter, cheater, no-show, frivolous-disputer, guardian (any of - _ or no "
    "separator), or a plugin's persona",
)
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="plugin module defining SERVICES and/or PERSONAS (repeatable; docs/plugins.md)",
)
@click.option(
    "--services",
    default="factor,hashchain,median",
    show_default=True,
    help="comma-separated services to sell",
)
@network_options
@click.option(
    "--deployment",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="deployments file (default: the chain's, deployments/ethereum-local-<port>.json locally)",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="where the agent keeps its state (<dir>/<address>/agent.sqlite, log, metrics); a restart "
    "with the same dir resumes",
)
@click.option(
    "--payloads",
    default=str(DEFAULT_PAYLOADS),
    show_default=True,
    help="directory of delivered work payloads (shared by agents on one machine), or the URL of a "
    "payload service (`emergent payloads serve`) for agents on different hosts",
)
@click.option(
    "--cycle-blocks",
    default=5,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="blocks per cognitive cycle (the agent acts once per window of this many blocks)",
)
@click.option(
    "--cycles",
    default=None,
    type=click.IntRange(1),
    help="stop after this many cycles (default: run until SIGTERM/Ctrl-C)",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="seed of the agent's random choices (same seed, same chain: same decisions)",
)
@click.option("--gas-budget", default=None, help="ETH the agent may spend on fees (default: unlimited)")
@click.option(
    "--confirmations",
    default=None,
    type=click.IntRange(0, 1_000),
    help="blocks behind the head the agent observes (a reorg of fewer is never seen; default: 0 on "
    "a local devnet, 12 elsewhere)",
)
@click.option("--quiet", "-q", is_flag=True, help="no per-cycle summary line")
@click.option(
    "--reset",
    is_flag=True,
    help="move the agent's existing state aside (renamed <address>.old-<time>, not deleted) and start "
    "afresh: for a new chain or deployment",
)
def run(
    key: str | None,
    account: str | None,
    account_index: int | None,
    persona: str,
    services: str,
    network: str,
    rpc: str | None,
    deployment: Path | None,
    data_dir: Path,
    payloads: str,
    cycle_blocks: int,
    cycles: int | None,
    seed: int,
    gas_budget: str | None,
    quiet: bool,
    reset: bool = False,
    plugins: tuple[Path, ...] = (),
    confirmations: int | None = None,
) -> None:
    """Run one agent until SIGTERM/Ctrl-C (or --cycles): observe, think, act; state in SQLite.

    Prints one summary line per cycle (balance, stake, reputation, ASS, L4.9 status)."""
    from agents.market.plugins import PluginError, load_plugins
    from agents.market.services import has_service, service_names

    try:
        load_plugins(plugins)
    except PluginError as exc:
        raise InputError(str(exc)) from None
    persona = parse_persona(persona)
    private_key = resolve_key(key, account, account_index)
    names = tuple(s.strip() for s in services.split(",") if s.strip())
    unknown = [s for s in names if not has_service(s)]
    if not names or unknown:
        raise click.BadParameter(
            f"unknown service(s) {unknown} (known: {', '.join(service_names())})", param_hint="--services"
        )
    if rpc is None and not os.environ.get("EMERGENT_RPC") and not is_local(network):
        raise click.UsageError(f"--rpc is required off local networks ({network})")
    url = resolve_rpc(network, rpc)
    budget = None
    if gas_budget is not None:
        from agents.chain.units import to_wei

        try:
            budget = to_wei(gas_budget, "the gas budget")
        except ValueError as exc:
            raise click.BadParameter(f"a decimal number of ETH: {exc}", param_hint="--gas-budget") from None
    dep = deployment or deployment_file(network, url)
    if not Path(dep).is_file():
        if is_local(network) and deployment is None:
            ChainReader(network, url).head()  # no node: the same "no devnet" line as every command
        raise RuntimeFailure(f"no deployments file at {dep}: deploy first (`emergent devnet`)")
    ChainReader(network, url).head()
    from agents.runtime.process import Host, HostConfig

    store = payloads if payloads.startswith(("http://", "https://")) else Path(payloads)
    cfg = HostConfig(
        rpc=url,
        deployment=Path(dep),
        data_dir=data_dir,
        payloads=store,
        agents=[{"key": private_key, "persona": persona, "services": list(names)}],
        cycle_blocks=cycle_blocks,
        seed=seed,
        max_cycles=cycles,
        gas_budget_wei=budget,
        plugins=[str(Path(p).resolve()) for p in plugins],
        reset=reset,
        confirmations=confirmations,
    )
    from agents.runtime.guard import AgentStartError

    try:
        host = Host(cfg)
    except AgentStartError as exc:  # its dir is in use, from another chain, or it cannot pay for gas
        raise RuntimeFailure(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - one line for the user
        raise RuntimeFailure(f"cannot start the agent: {str(exc).splitlines()[0]}") from None
    ag = host.agents[0]
    for line in host.warnings:  # short of ETH or of the AGENT its persona needs: it runs, but warned
        click.echo(f"warning: {line}", err=True)
    click.echo(f"agent {ag.address} ({persona}) on {url}; state {ag.dir}; log {ag.dir / 'agent.log.jsonl'}")
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the current step, persist, exit 0
        signal.signal(sig, lambda *_: host.stop.set())
    # Host.run's loop, with a summary line whenever the agent completes a cycle.
    shown = ag.memory.cycle
    while not host.stop.is_set():
        ran = host.step()
        if ag.memory.cycle != shown:
            shown = ag.memory.cycle
            if not quiet:
                click.echo(_cycle_line(ag.memory.last_report))
        if ran is None:
            host.stop.wait(min(5.0, cfg.poll_interval * 2**host.indexer.health.consecutive_failures))
            continue
        if ag.finished:
            break
        if not ran:
            host.stop.wait(cfg.poll_interval)
    host.close()
    click.echo(f"stopped after cycle {ag.memory.cycle}")


# --- agent status ----------------------------------------------------------------------------------


def agent_dirs(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if (p / "agent.sqlite").is_file())


def read_agent(path: Path, actions: int = 5) -> dict[str, Any]:
    """What `agent status` shows for one agent, read through the store's API (no chain access)."""
    from agents.runtime.store import AgentStore

    store = AgentStore(path / "agent.sqlite")
    try:
        mem = store.get_state("memory") or {}
        spent = store.get_state("gas_spent_wei", 0)
        journal = store.actions(limit=actions)
        pending = len(store.pending_actions())
    finally:
        store.close()
    me = mem.get("me", path.name)
    report = mem.get("last_report") or {}
    open_jobs = []
    for jid, j in (mem.get("jobs") or {}).items():
        if j.get("outcome", "open") == "open" and me in (
            j.get("client"),
            j.get("provider"),
            j.get("evaluator"),
        ):
            role = (
                "client" if j.get("client") == me else "provider" if j.get("provider") == me else "evaluator"
            )
            open_jobs.append(
                {
                    "id": int(jid),
                    "role": role,
                    "service": j.get("service"),
                    "status": _status_label(j.get("status", 0)),
                    "budget_wei": str(j.get("budget", 0)),
                }
            )
    updated = (
        (path / "agent.sqlite-wal").stat().st_mtime
        if (path / "agent.sqlite-wal").exists()
        else (path / "agent.sqlite").stat().st_mtime
    )
    return {
        "address": me,
        "dir": str(path),
        "cycle": int(mem.get("cycle", 0)),
        "block": report.get("block"),
        "balance_wei": str(report.get("balance", 0)),
        "stake_wei": str(report.get("stake", 0)),
        "reputation": int(report.get("reputation", 0)),
        "gas_spent_wei": str(spent),
        "l49": {
            k: report.get(k)
            for k in ("status", "authority", "ass", "ass_class", "drift", "drift_class", "survival", "l49")
        },
        "asks": report.get("asks") or {},
        "open_jobs": sorted(open_jobs, key=lambda j: j["id"]),
        "pending_actions": pending,
        "last_actions": [
            {"id": a.id, "kind": a.kind, "status": a.status.value, "tx": a.tx_hash, "at": a.updated}
            for a in journal
        ],
        "updated": updated,
    }


def _status_label(raw: Any) -> str:
    try:
        return JobStatus(int(raw)).label
    except (TypeError, ValueError):
        return "?"


def _render(rows: list[dict[str, Any]], data_dir: Path) -> Any:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    if not rows:
        return Panel(f"no agents in {data_dir} yet (start one with `emergent agent run`)")
    panels = []
    for r in rows:
        wei = 10**18
        l49 = r["l49"]
        head = Table.grid(padding=(0, 2))
        head.add_row(
            "cycle",
            str(r["cycle"]),
            "block",
            str(r["block"] or "-"),
            "updated",
            f"{time.time() - r['updated']:.0f} s ago",
        )
        head.add_row(
            "balance",
            f"{int(r['balance_wei']) / wei:,.4f} AGENT",
            "stake",
            f"{int(r['stake_wei']) / wei:,.4f} AGENT",
            "reputation",
            f"{r['reputation'] / 10_000:.4f}",
        )
        ass = l49.get("ass")
        head.add_row(
            "L4.9",
            f"{l49.get('status') or '-'} ({l49.get('authority') or '-'})",
            "ASS",
            "-" if ass is None else f"{float(ass):.3f} {l49.get('ass_class') or ''}",
            "survival",
            str(l49.get("survival") or "-"),
        )
        head.add_row(
            "drift",
            "-" if l49.get("drift") is None else f"{float(l49['drift']):.3f} {l49.get('drift_class') or ''}",
            "asks",
            ", ".join(f"{k} {v / wei:,.2f}" for k, v in r["asks"].items()) or "-",
            "pending tx",
            str(r["pending_actions"]),
        )
        jobs = Table("job", "role", "service", "status", "budget", title="open jobs", expand=True)
        for j in r["open_jobs"][:8]:
            jobs.add_row(
                str(j["id"]),
                j["role"],
                str(j["service"] or "?"),
                j["status"],
                f"{int(j['budget_wei']) / wei:,.2f}",
            )
        if not r["open_jobs"]:
            jobs.add_row("-", "", "", "", "")
        acts = Table("#", "action", "status", "tx", title="last actions", expand=True)
        for a in r["last_actions"]:
            acts.add_row(str(a["id"]), a["kind"], a["status"], (a["tx"] or "-")[:18])
        if not r["last_actions"]:
            acts.add_row("-", "", "", "")
        panels.append(Panel(Group(head, jobs, acts), title=r["address"], subtitle=r["dir"]))
    return Group(*panels)


@agent.command("status")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="the --data-dir the agents run with (a simulation's: reports/<run>/agents)",
)
@click.option(
    "--address", default=None, metavar="0x...", help="only this agent (default: every agent in the dir)"
)
@click.option("--watch", is_flag=True, help="refresh in place every --interval seconds until Ctrl-C")
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.2, 60),
    help="seconds between refreshes with --watch",
)
@click.option(
    "--actions",
    default=5,
    show_default=True,
    type=click.IntRange(0, 100),
    help="how many of the last actions to show",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON (amounts in wei, as strings) and exit")
def status(
    data_dir: Path, address: str | None, watch: bool, interval: float, actions: int, as_json: bool
) -> None:
    """Balance, stake, reputation, open jobs, last actions and L4.9 status of the agents in DATA_DIR.

    Read from each agent's own store (what it last saw and did), so it works while the agent runs
    and after it stopped, with no chain connection."""
    if as_json and watch:
        raise InputError("give --json or --watch, not both")
    if address is not None:
        from agents.cli_common import parse_address

        address = parse_address(address, "--address")
    if not data_dir.is_dir():
        raise RuntimeFailure(
            f"no agent data in {data_dir}: start an agent with `emergent agent run "
            f"--data-dir {data_dir}` (or give the --data-dir it uses)"
        )

    def rows() -> list[dict[str, Any]]:
        dirs = agent_dirs(data_dir)
        if address is not None:
            dirs = [d for d in dirs if d.name == address.lower()]
            if not dirs:
                raise RuntimeFailure(f"no agent {address} in {data_dir}")
        return [read_agent(d, actions) for d in dirs]

    if as_json:
        click.echo(json.dumps(rows(), indent=2, default=str))
        return
    from rich.console import Console

    console = Console()
    if not watch:
        console.print(_render(rows(), data_dir))
        return
    from rich.live import Live

    try:
        with Live(_render(rows(), data_dir), console=console, refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(interval)
                live.update(_render(rows(), data_dir))
    except KeyboardInterrupt:
        pass


from agents.runtime.audit_cli import audit as _audit  # noqa: E402 - `emergent agent audit` (issue 15)

agent.add_command(_audit)
