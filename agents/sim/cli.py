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
@click.option("--dashboard", "dashboard_port", default=None, type=click.IntRange(0, 65535), is_flag=False,
              flag_value=8600, help="serve the live dashboard during the run (`--dashboard` alone: port 8600)")
def simulate(n_agents: int, cycles: int, seed: int, out: Path | None, rpc: str | None, cycle_blocks: int,
             agents_per_process: int, max_processes: int, personas: str | None, dashboard_port: int | None) -> None:
    """Devnet up, deploy, fund, spawn N agents for K cycles, then write report.html + metrics.json."""
    from agents.devnet import DevnetError
    from agents.sim.simulate import SimConfig, run

    persona_list = [p.strip() for p in personas.split(",")] if personas else None
    if persona_list is not None and len(persona_list) != n_agents:
        raise click.BadParameter(f"{len(persona_list)} personas for {n_agents} agents", param_hint="--personas")
    cfg = SimConfig(agents=n_agents, cycles=cycles, seed=seed, rpc=rpc, cycle_blocks=cycle_blocks,
                    agents_per_process=agents_per_process, max_processes=max_processes, personas=persona_list,
                    dashboard_port=dashboard_port)
    if out is not None:
        cfg.out = out
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
