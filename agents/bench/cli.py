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
