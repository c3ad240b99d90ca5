"""`emergent simulate`: a population of agent processes on a fresh devnet, then a report."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    frac = 0.0 if total <= 0 else min(1.0, done / total)
    filled = int(frac * width)
    elapsed = time.monotonic() - started
    eta = (elapsed / frac - elapsed) if frac > 0 else 0.0
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} agent-cycles  {elapsed:4.0f}s  eta {eta:4.0f}s"


@click.command()
@click.option("--agents", "n_agents", default=8, show_default=True, type=click.IntRange(1, 500))
@click.option("--cycles", default=40, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="output directory (default reports/<timestamp>/)")
@click.option("--network", "rpc", default=None,
              help="RPC URL of an existing chain to use instead of a fresh anvil (must allow anvil_setBalance)")
@click.option("--cycle-blocks", default=5, show_default=True, type=click.IntRange(1, 1000))
@click.option("--agents-per-process", default=1, show_default=True, type=click.IntRange(1, 500))
@click.option("--max-processes", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--personas", default=None, help="comma-separated persona per agent (overrides the default mix)")
@click.option("--plugin", "plugins", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="plugin module defining SERVICES and/or PERSONAS (repeatable; docs/plugins.md)")
@click.option("--services", default=None,
              help="comma-separated service catalogue agents sell from (default: the built-in five)")
@click.option("--scenario", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="scenario file (agents, services, plugins, contract parameters, shocks; docs/scenarios.md)")
@click.pass_context
def simulate(ctx: click.Context, n_agents: int, cycles: int, seed: int, out: Path | None, rpc: str | None,
             cycle_blocks: int, agents_per_process: int, max_processes: int, personas: str | None,
             plugins: tuple[Path, ...], services: str | None, scenario: Path | None) -> None:
    """Devnet up, deploy, fund, spawn N agents for K cycles, then write report.html + metrics.json."""
    from agents.market.plugins import PluginError, load_plugins
    from agents.market.services import TaskSpecError, get_service
    from agents.sim.simulate import SimConfig

    if scenario is not None:
        cfg = _scenario_config(ctx, scenario, out, rpc, plugins)
        cfg.agents_per_process, cfg.max_processes = agents_per_process, max_processes
        _run(cfg)
        return
    try:
        load_plugins(plugins)
        catalogue = tuple(s.strip() for s in services.split(",") if s.strip()) if services else None
        for s in catalogue or ():
            get_service(s)
    except (PluginError, TaskSpecError) as exc:
        raise click.ClickException(str(exc)) from exc
    persona_list = [p.strip() for p in personas.split(",")] if personas else None
    if persona_list is not None and len(persona_list) != n_agents:
        raise click.BadParameter(f"{len(persona_list)} personas for {n_agents} agents", param_hint="--personas")
    cfg = SimConfig(agents=n_agents, cycles=cycles, seed=seed, rpc=rpc, cycle_blocks=cycle_blocks,
                    agents_per_process=agents_per_process, max_processes=max_processes, personas=persona_list,
                    services=catalogue, plugins=[str(p) for p in plugins])
    if out is not None:
        cfg.out = out
    _run(cfg)


def _scenario_config(ctx: click.Context, path: Path, out: Path | None, rpc: str | None,
                     plugins: tuple[Path, ...]):
    """The SimConfig of a scenario file; --cycles, --seed and --cycle-blocks given on the command line
    override the file's; --agents, --personas and --services come only from the file."""
    from click.core import ParameterSource

    from agents.sim.scenario import ScenarioError, load_scenario, to_sim_config

    given = lambda name: ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE  # noqa: E731
    for name, flag in (("n_agents", "--agents"), ("personas", "--personas"), ("services", "--services")):
        if given(name):
            raise click.UsageError(f"{flag} comes from the scenario file; edit {path.name} instead")
    overrides = {k: ctx.params[n] for n, k in (("cycles", "cycles"), ("seed", "seed"),
                                                ("cycle_blocks", "cycle_blocks")) if given(n)}
    from agents.market.plugins import load_plugins

    try:
        load_plugins(plugins)  # before the file: its agents may use a --plugin persona
        sc = load_scenario(path, overrides)
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    cfg = to_sim_config(sc, out, rpc)
    cfg.plugins = list(sc.plugins) + [str(p.resolve()) for p in plugins]
    return cfg


def _run(cfg) -> None:
    from agents.devnet import DevnetError
    from agents.sim.simulate import run

    started = time.monotonic()
    tty = sys.stderr.isatty()
    last = [-1]

    def progress(done: int, total: int) -> None:
        if tty:
            click.echo(_bar(done, total, started), nl=False, err=True)
        elif done // max(1, total // 10) != last[0]:
            last[0] = done // max(1, total // 10)
            click.echo(f"progress {done}/{total} agent-cycles", err=True)

    try:
        run(cfg, echo=lambda s: click.echo(("\n" if tty else "") + s if s.startswith("Emergent") else s),
            progress=progress)
    except (DevnetError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option("--scenario", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="scenario file (docs/scenarios.md)")
@click.option("--param", "params", multiple=True,
              help="NAME=V1,V2,...: a contract parameter (escrow.collateralRatioBps) or a scenario path "
                   "(cycles, agents.0.count); repeatable, every combination is run")
@click.option("--seeds", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="runs per combination (the scenario's seed, +1, +2, ...)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="output directory (default reports/sweep-<timestamp>/)")
@click.option("--address", default=None, help="join this Ray cluster (default: a local Ray instance)")
@click.option("--cpus", "num_cpus", default=2, show_default=True, type=click.IntRange(1, 512),
              help="local Ray CPUs = runs in parallel")
def sweep(scenario: Path, params: tuple[str, ...], seeds: int, out: Path | None, address: str | None,
          num_cpus: int) -> None:
    """Run a scenario over a parameter grid and seeds in parallel on Ray; write sweep.csv + sweep.html."""
    from agents.paths import PROJECT_ROOT
    from agents.sim.sweep import SweepError, parse_param, plan_runs, sweep as run_sweep, table_text

    out = out or PROJECT_ROOT / "reports" / time.strftime("sweep-%Y%m%d-%H%M%S")
    try:
        grid = [parse_param(p) for p in params]
        n = len(plan_runs(scenario, grid, seeds, out))
    except SweepError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{n} runs ({' x '.join(str(len(v)) for _, v in grid) or '1'} combinations x {seeds} seeds) "
               f"on {'Ray at ' + address if address else f'local Ray, {num_cpus} CPUs'}; output in {out}")
    started = time.monotonic()
    tty = sys.stderr.isatty()
    last = [None]

    def progress(done: int, running: int, total: int, runs) -> None:
        line = f"runs done {done}/{total}, running {running}  {time.monotonic() - started:4.0f}s"
        if tty:
            click.echo("\r" + line, nl=False, err=True)
        elif (done, running) != last[0]:
            last[0] = (done, running)
            click.echo(line, err=True)

    try:
        runs = run_sweep(scenario, grid, seeds, out, address=address, num_cpus=num_cpus, progress=progress)
    except SweepError as exc:
        raise click.ClickException(str(exc)) from exc
    if tty:
        click.echo("", err=True)
    click.echo(table_text(runs))
    for r in runs:
        if r.status == "failed":
            click.echo(f"failed: {r.id}: {r.error}")
    click.echo(f"sweep: {out / 'sweep.html'}, {out / 'sweep.csv'}")
