"""`emergent simulate`: a population of agent processes on a fresh devnet, then a report.

Everything the run needs is checked before anything is created (no empty report folders): the
options, the personas, the chain (`--rpc` reachable and an anvil, or the anvil binary installed), the
deployment parameters (params/ethereum-local.yaml valid) and the output folder (new or empty, writable). Ctrl-C stops the agents and writes a partial report.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from agents.cli_common import (
    InputError,
    RuntimeFailure,
    check_network,
    check_rpc_url,
    is_local,
    no_devnet_message,
    verbose,
)


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    frac = 0.0 if total <= 0 else min(1.0, done / total)
    filled = int(frac * width)
    elapsed = time.monotonic() - started
    eta = (elapsed / frac - elapsed) if frac > 0 else 0.0
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} agent-cycles  {elapsed:4.0f}s  eta {eta:4.0f}s"


def _writable_parent(path: Path) -> Path | None:
    """The nearest existing ancestor of `path`, if we may create directories in it."""
    p = path.resolve()
    while not p.exists():
        if p.parent == p:
            return None
        p = p.parent
    return p if p.is_dir() and os.access(p, os.W_OK | os.X_OK) else None


def check_out_dir(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise InputError(f"--out {out} exists and is not a directory")
        if any(out.iterdir()):
            raise InputError(f"--out {out} is not empty (a report would mix with what is there)")
        if not os.access(out, os.W_OK | os.X_OK):
            raise InputError(f"--out {out} is not writable")
        return
    parent = _writable_parent(out)
    if parent is not None:  # really try (permissions, read-only or pseudo file systems), leave nothing
        import tempfile

        try:
            os.rmdir(tempfile.mkdtemp(prefix=".emergent-check-", dir=parent))
            return
        except OSError:
            pass
    raise InputError(f"cannot create --out {out}: no permission to write there")


def check_params() -> None:
    """The parameter file the run deploys with: every section valid (pydantic), before anything exists."""
    from agents.chain.deployment import DeployError, _stages, load_params, params_path, validate_params

    try:
        params = load_params(params_path("ethereum:local"))
        _stages()  # registers the market and governance sections
        validate_params(params)
    except DeployError as exc:
        raise RuntimeFailure(str(exc)) from None


def check_chain(rpc: str | None) -> None:
    from agents.devnet import DevnetError, rpc as call
    from agents.paths import ANVIL_BINARY

    if rpc is None:
        if not ANVIL_BINARY.is_file():
            raise RuntimeFailure(f"anvil is not installed at {ANVIL_BINARY}: run `make install`")
        return
    try:
        version = str(call(rpc, "web3_clientVersion", timeout=3.0))
    except (OSError, DevnetError, ValueError):
        raise RuntimeFailure(no_devnet_message(rpc)) from None
    if "anvil" not in version.lower():
        raise InputError(f"--rpc {rpc} is {version!r}, not anvil: a simulation funds its agents with "
                         "anvil_setBalance")


@click.command()
@click.option("--agents", "n_agents", default=8, show_default=True, type=click.IntRange(1, 500),
              help="number of agents (the default mix covers every persona)")
@click.option("--cycles", default=40, show_default=True, type=click.IntRange(1, 100_000),
              help="cognitive cycles every agent runs")
@click.option("--seed", default=0, show_default=True, type=int, help="seed of personas, keys and choices")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="output directory, new or empty (default reports/<timestamp>/)")
@click.option("--rpc", "rpc", default=None, metavar="URL",
              help="use the anvil at URL instead of starting a fresh one (needs anvil_setBalance); "
                   "EMERGENT_RPC is not used: a simulation owns its chain unless told otherwise")
@click.option("--network", "network", default="ethereum:local", show_default=True,
              help="ape network ecosystem:network[:provider]; simulations run on local networks only")
@click.option("--cycle-blocks", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="blocks per cognitive cycle (a block a second during the run)")
@click.option("--agents-per-process", default=1, show_default=True, type=click.IntRange(1, 500),
              help="agents hosted by one process (more saves memory for large runs)")
@click.option("--max-processes", default=8, show_default=True, type=click.IntRange(1, 256),
              help="at most this many agent processes (agents are spread over them)")
@click.option("--personas", default=None,
              help="comma-separated persona per agent, e.g. honest,no-show,cheater (overrides the default mix)")
@click.option("--cognition", "cognition_mode", type=click.Choice(["on", "off"]), default="on", show_default=True,
              help="off: L4.8 only (the L4.9 mind's outputs never reach the agents' policy)")
@click.option("--compare-cognition", is_flag=True, help="paired run, same seed: with the mind and L4.8 only "
              "(compare.html side by side)")
@click.option("--offline", is_flag=True, help="with --compare-cognition: on the offline market (no chain)")
def simulate(n_agents: int, cycles: int, seed: int, out: Path | None, rpc: str | None, network: str,
             cycle_blocks: int, agents_per_process: int, max_processes: int, personas: str | None,
             cognition_mode: str = "on", compare_cognition: bool = False, offline: bool = False) -> None:
    """Devnet up, deploy, fund, spawn N agents for K cycles, then write report.html + metrics.json.

    Ctrl-C stops the agents and still writes a (partial) report."""
    check_network(network)
    if not is_local(network):
        raise InputError(f"simulate runs on a local network (it funds agents with anvil_setBalance), got {network}")
    if rpc is not None:
        rpc = check_rpc_url(rpc)
    from agents.runtime.cli import parse_persona

    persona_list = [parse_persona(p.strip()) for p in personas.split(",")] if personas else None
    if persona_list is not None and len(persona_list) != n_agents:
        raise InputError(f"--personas: {len(persona_list)} personas for {n_agents} agents")
    from agents.paths import PROJECT_ROOT

    out_dir = out if out is not None else PROJECT_ROOT / "reports" / time.strftime("%Y%m%d-%H%M%S")
    check_out_dir(out_dir)
    if offline and not compare_cognition:
        raise InputError("--offline goes with --compare-cognition")
    if not offline:
        check_chain(rpc)
        check_params()

    from agents.devnet import DevnetError
    from agents.sim.simulate import SimConfig, run

    cfg = SimConfig(agents=n_agents, cycles=cycles, seed=seed, rpc=rpc, cycle_blocks=cycle_blocks,
                    agents_per_process=agents_per_process, max_processes=max_processes, personas=persona_list,
                    out=out_dir, cognition=cognition_mode == "on")
    if compare_cognition:
        from agents.sim.compare_cli import paired

        paired(cfg, offline, persona_list)
        return
    started = time.monotonic()
    bar = verbose() and sys.stderr.isatty()
    last = [-1]

    def progress(done: int, total: int) -> None:
        if bar:
            click.echo(_bar(done, total, started), nl=False, err=True)
        elif done // max(1, total // 10) != last[0]:
            last[0] = done // max(1, total // 10)
            click.echo(f"progress {done}/{total} agent-cycles ({time.monotonic() - started:.0f} s)", err=True)

    def echo(line: str) -> None:
        if bar and line.startswith("Emergent"):
            click.echo("", err=True)  # end the progress bar's line
        click.echo(line)

    try:
        run(cfg, echo=echo, progress=progress)
    except (DevnetError, ValueError) as exc:
        raise RuntimeFailure(str(exc)) from None
    except RuntimeError as exc:
        raise RuntimeFailure(f"{exc} (details: {cfg.out})") from None
