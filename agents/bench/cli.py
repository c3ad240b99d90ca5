"""`emergent bench ...`: gas snapshot, cognition throughput, economy throughput."""

from __future__ import annotations

import click


@click.group()
def bench() -> None:
    """Benchmarks that print figures (gas, cycles/s, tx/s, memory)."""


@bench.command()
def gas() -> None:
    """Regenerate docs/gas-snapshot.md: gas per public function on a fresh deployment."""
    from agents.bench.gas import main

    main(log=click.echo)


@bench.command()
@click.option("--seconds", default=5.0, show_default=True, type=click.FloatRange(0.5, 600))
def cognition(seconds: float) -> None:
    """Full L4.9 cycles per second on one core, and memory per agent state."""
    try:
        from agents.cognition.bench import main
    except ImportError as exc:  # pragma: no cover
        raise click.ClickException(f"cognition benchmark unavailable: {exc}") from exc
    main(seconds=seconds)


@bench.command()
@click.option("--agents", "sizes", default="10,50", show_default=True, help="comma-separated population sizes")
@click.option("--cycles", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="measured cycles per size, after a warm-up of as many")
@click.option("--raw", "raw_n", default=1000, show_default=True, type=click.IntRange(10, 100_000),
              help="pre-signed transfers for the raw anvil baseline")
@click.option("--keepup-agents", default=100, show_default=True, type=click.IntRange(0, 500),
              help="agents for the real-time keep-up check (0: skip)")
@click.option("--keepup-cycles", default=12, show_default=True, type=click.IntRange(2, 1000))
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 64),
              help="agent host processes for the throughput runs (the keep-up run uses at least 4)")
@click.option("--mining", type=click.Choice(["batch", "auto"]), default="batch", show_default=True,
              help="how the economy's chain mines: many transactions per block, or a block per transaction")
def economy(sizes: str, cycles: int, raw_n: int, keepup_agents: int, keepup_cycles: int, processes: int,
            mining: str) -> None:
    """Economy tx/s and jobs settled (10 and 50 agents) vs raw anvil, memory per agent, 100-agent keep-up."""
    from agents.bench.economy import main

    try:
        ns = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError as exc:
        raise click.BadParameter("comma-separated integers", param_hint="--agents") from exc
    if not ns or any(n < 1 or n > 500 for n in ns):
        raise click.BadParameter("sizes in [1, 500]", param_hint="--agents")
    main(ns, cycles, raw_n, keepup_agents, keepup_cycles, processes, echo=click.echo, mining=mining)
