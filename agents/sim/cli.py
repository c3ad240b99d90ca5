"""`emergent simulate`: a population of agent processes on a fresh devnet, then a report.

Everything the run needs is checked before anything is created (no empty report folders): the
options, the personas, the chain (`--rpc` reachable and an anvil, or the anvil binary installed), the
deployment parameters (params/ethereum-local.yaml valid) and the output folder (new or empty, writable).
Ctrl-C stops the agents and writes a partial report.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from agents.sim.simulate import SimConfig
    from agents.sim.sweep import Run


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    frac = 0.0 if total <= 0 else min(1.0, done / total)
    filled = int(frac * width)
    elapsed = time.monotonic() - started
    eta = (elapsed / frac - elapsed) if frac > 0 else 0.0
    bar = "#" * filled + "." * (width - filled)
    return f"\r[{bar}] {done}/{total} agent-cycles  {elapsed:4.0f}s  eta {eta:4.0f}s"


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


def check_chain(rpc: str | None, node: str = "anvil") -> None:
    """The chain the run will use: the devnet binary to start (`node`), or a devnet answering at --rpc."""
    from agents.devnet import DIALECTS, DevnetError, kind_of_client
    from agents.devnet import rpc as call

    if rpc is None:
        d = DIALECTS[node]
        if not d.binary.is_file():
            raise RuntimeFailure(f"{d.label} is not installed at {d.binary}: run `make install`")
        return
    try:
        version = str(call(rpc, "web3_clientVersion", timeout=3.0))
    except (OSError, DevnetError, ValueError):
        raise RuntimeFailure(no_devnet_message(rpc)) from None
    if kind_of_client(version) is None:
        raise InputError(
            f"--rpc {rpc} is {version!r}, not anvil or a Hardhat node: a simulation funds its agents "
            "with the devnet's setBalance"
        )


@click.command()
@click.option(
    "--agents",
    "n_agents",
    default=8,
    show_default=True,
    type=click.IntRange(1, 500),
    help="number of agents (the default mix covers every persona)",
)
@click.option(
    "--cycles",
    default=40,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="cognitive cycles every agent runs",
)
@click.option("--seed", default=0, show_default=True, type=int, help="seed of personas, keys and choices")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="output directory, new or empty (default reports/<timestamp>/)",
)
@click.option(
    "--rpc",
    "rpc",
    default=None,
    metavar="URL",
    help="use the devnet (anvil or Hardhat) at URL instead of starting a fresh one (needs its "
    "setBalance); EMERGENT_RPC is not used: a simulation owns its chain unless told otherwise",
)
@click.option(
    "--node",
    "node",
    type=click.Choice(["anvil", "hardhat"]),
    default="anvil",
    show_default=True,
    help="the devnet a run starts for itself: anvil, or the Hardhat node (the second EVM)",
)
@click.option(
    "--network",
    "network",
    default="ethereum:local",
    show_default=True,
    help="ape network ecosystem:network[:provider]; simulations run on local networks only",
)
@click.option(
    "--cycle-blocks",
    default=5,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="blocks per cognitive cycle (a block a second during the run)",
)
@click.option(
    "--agents-per-process",
    default=1,
    show_default=True,
    type=click.IntRange(1, 500),
    help="agents hosted by one process (more saves memory for large runs)",
)
@click.option(
    "--max-processes",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="at most this many agent processes (agents are spread over them)",
)
@click.option(
    "--personas",
    default=None,
    help="comma-separated persona per agent, e.g. honest,no-show,cheater (overrides the default mix)",
)
@click.option(
    "--cognition",
    "cognition_mode",
    type=click.Choice(["on", "off"]),
    default="on",
    show_default=True,
    help="off: L4.8 only (the L4.9 mind's outputs never reach the agents' policy)",
)
@click.option(
    "--compare-cognition",
    is_flag=True,
    help="paired run, same seed: with the mind and L4.8 only (compare.html side by side)",
)
@click.option("--offline", is_flag=True, help="with --compare-cognition: on the offline market (no chain)")
@click.option(
    "--dashboard",
    "dashboard_port",
    default=None,
    type=click.IntRange(0, 65535),
    is_flag=False,
    flag_value=8600,
    help="serve the live dashboard during the run (`--dashboard` alone: port 8600)",
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
    default=None,
    help="comma-separated service catalogue agents sell from (default: the built-in five)",
)
@click.option(
    "--scenario",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="scenario file (agents, services, plugins, contract parameters, shocks; docs/scenarios.md)",
)
@click.pass_context
def simulate(
    ctx: click.Context,
    n_agents: int,
    cycles: int,
    seed: int,
    out: Path | None,
    rpc: str | None,
    network: str,
    cycle_blocks: int,
    agents_per_process: int,
    max_processes: int,
    personas: str | None,
    cognition_mode: str = "on",
    compare_cognition: bool = False,
    offline: bool = False,
    dashboard_port: int | None = None,
    plugins: tuple[Path, ...] = (),
    services: str | None = None,
    scenario: Path | None = None,
    node: str = "anvil",
) -> None:
    """Devnet up, deploy, fund, spawn N agents for K cycles, then write report.html + metrics.json.

    Ctrl-C stops the agents and still writes a (partial) report."""
    check_network(network)
    if not is_local(network):
        raise InputError(
            f"simulate runs on a local network (it funds agents with the devnet's setBalance), got {network}"
        )
    if rpc is not None and node != "anvil":
        raise click.UsageError("--node chooses the devnet a run starts; with --rpc the run uses that one")
    if rpc is not None:
        rpc = check_rpc_url(rpc)
    from agents.market.plugins import PluginError, load_plugins
    from agents.market.services import TaskSpecError, get_service
    from agents.paths import PROJECT_ROOT
    from agents.runtime.cli import parse_persona

    out_dir = out if out is not None else PROJECT_ROOT / "reports" / time.strftime("%Y%m%d-%H%M%S")
    if scenario is not None:
        cfg = _scenario_config(ctx, scenario, out_dir, rpc, plugins)
        cfg.agents_per_process, cfg.max_processes = agents_per_process, max_processes
        cfg.cognition = cognition_mode == "on"
        cfg.dashboard_port = dashboard_port
        cfg.node = node
        check_out_dir(cfg.out)
        check_chain(rpc, node)
        check_params()
        _run(cfg)
        return
    try:
        load_plugins(plugins)
        catalogue = tuple(s.strip() for s in services.split(",") if s.strip()) if services else None
        for s in catalogue or ():
            get_service(s)
    except (PluginError, TaskSpecError) as exc:
        raise InputError(str(exc)) from None

    persona_list = [parse_persona(p.strip()) for p in personas.split(",")] if personas else None
    if persona_list is not None and len(persona_list) != n_agents:
        raise InputError(f"--personas: {len(persona_list)} personas for {n_agents} agents")
    check_out_dir(out_dir)
    if offline and not compare_cognition:
        raise InputError("--offline goes with --compare-cognition")
    if not offline:
        check_chain(rpc, node)
        check_params()

    from agents.sim.simulate import SimConfig

    cfg = SimConfig(
        agents=n_agents,
        cycles=cycles,
        seed=seed,
        rpc=rpc,
        cycle_blocks=cycle_blocks,
        agents_per_process=agents_per_process,
        max_processes=max_processes,
        personas=persona_list,
        out=out_dir,
        cognition=cognition_mode == "on",
        services=catalogue,
        plugins=[str(Path(p).resolve()) for p in plugins],
        dashboard_port=dashboard_port,
        node=node,
    )
    if compare_cognition:
        from agents.sim.compare_cli import paired

        paired(cfg, offline, persona_list)
        return
    _run(cfg)


def _scenario_config(
    ctx: click.Context, path: Path, out: Path | None, rpc: str | None, plugins: tuple[Path, ...]
) -> SimConfig:
    """The SimConfig of a scenario file; --cycles, --seed and --cycle-blocks given on the command line
    override the file's; --agents, --personas and --services come only from the file."""
    from click.core import ParameterSource

    from agents.sim.scenario import ScenarioError, load_scenario, to_sim_config

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE

    for name, flag in (("n_agents", "--agents"), ("personas", "--personas"), ("services", "--services")):
        if given(name):
            raise click.UsageError(f"{flag} comes from the scenario file; edit {path.name} instead")
    overrides = {
        k: ctx.params[n]
        for n, k in (("cycles", "cycles"), ("seed", "seed"), ("cycle_blocks", "cycle_blocks"))
        if given(n)
    }
    from agents.market.plugins import load_plugins

    try:
        load_plugins(plugins)  # before the file: its agents may use a --plugin persona
        sc = load_scenario(path, overrides)
    except (ScenarioError, ValueError) as exc:
        raise InputError(str(exc)) from None
    cfg = to_sim_config(sc, out, rpc)
    cfg.plugins = list(sc.plugins) + [str(p.resolve()) for p in plugins]
    return cfg


def _run(cfg: SimConfig) -> None:
    from agents.devnet import DevnetError
    from agents.sim.simulate import run

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


@click.command()
@click.option(
    "--scenario",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="scenario file (docs/scenarios.md)",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    help="NAME=V1,V2,...: a contract parameter (escrow.collateralRatioBps) or a scenario path "
    "(cycles, agents.0.count); repeatable, every combination is run",
)
@click.option(
    "--seeds",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="runs per combination (the scenario's seed, +1, +2, ...)",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="output directory (default reports/sweep-<timestamp>/)",
)
@click.option("--address", default=None, help="join this Ray cluster (default: a local Ray instance)")
@click.option(
    "--cpus",
    "num_cpus",
    default=2,
    show_default=True,
    type=click.IntRange(1, 512),
    help="local Ray CPUs = runs in parallel",
)
def sweep(
    scenario: Path, params: tuple[str, ...], seeds: int, out: Path | None, address: str | None, num_cpus: int
) -> None:
    """Run a scenario over a parameter grid and seeds in parallel on Ray; write sweep.csv + sweep.html."""
    from agents.paths import PROJECT_ROOT
    from agents.sim.sweep import SweepError, parse_param, plan_runs, table_text
    from agents.sim.sweep import sweep as run_sweep

    out = out or PROJECT_ROOT / "reports" / time.strftime("sweep-%Y%m%d-%H%M%S")
    try:
        grid = [parse_param(p) for p in params]
        n = len(plan_runs(scenario, grid, seeds, out))
    except SweepError as exc:
        raise InputError(str(exc)) from None
    click.echo(
        f"{n} runs ({' x '.join(str(len(v)) for _, v in grid) or '1'} combinations x {seeds} seeds) "
        f"on {'Ray at ' + address if address else f'local Ray, {num_cpus} CPUs'}; output in {out}"
    )
    started = time.monotonic()
    tty = sys.stderr.isatty()
    last: list[tuple[int, int] | None] = [None]

    def progress(done: int, running: int, total: int, runs: list[Run]) -> None:
        line = f"runs done {done}/{total}, running {running}  {time.monotonic() - started:4.0f}s"
        if tty:
            click.echo("\r" + line, nl=False, err=True)
        elif (done, running) != last[0]:
            last[0] = (done, running)
            click.echo(line, err=True)

    try:
        runs = run_sweep(scenario, grid, seeds, out, address=address, num_cpus=num_cpus, progress=progress)
    except SweepError as exc:
        raise InputError(str(exc)) from None
    if tty:
        click.echo("", err=True)
    click.echo(table_text(runs))
    for r in runs:
        if r.status == "failed":
            click.echo(f"failed: {r.id}: {r.error}")
    click.echo(f"sweep: {out / 'sweep.html'}, {out / 'sweep.csv'}")
