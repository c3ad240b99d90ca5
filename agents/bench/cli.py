"""`emergent bench ...`: gas snapshot, cognition throughput, economy throughput."""

from __future__ import annotations

from collections.abc import Callable

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
@click.option(
    "--seconds",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="how long to run cycles for the measurement",
)
def cognition(seconds: float) -> None:
    """Full L4.9 cycles per second on one core, and memory per agent state."""
    try:
        from agents.cognition.bench import main
    except ImportError as exc:  # pragma: no cover
        raise click.ClickException(f"cognition benchmark unavailable: {exc}") from exc
    main(seconds=seconds)


@bench.command()
@click.option(
    "--agents", "sizes", default="10,50", show_default=True, help="comma-separated population sizes"
)
@click.option(
    "--cycles",
    default=20,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="measured cycles per size, after a warm-up of as many",
)
@click.option(
    "--raw",
    "raw_n",
    default=1000,
    show_default=True,
    type=click.IntRange(10, 100_000),
    help="pre-signed transfers for the raw anvil baseline",
)
@click.option(
    "--keepup-agents",
    default=100,
    show_default=True,
    type=click.IntRange(0, 500),
    help="agents for the real-time keep-up check (0: skip)",
)
@click.option(
    "--keepup-cycles",
    default=12,
    show_default=True,
    type=click.IntRange(2, 1000),
    help="cycles of the keep-up run",
)
@click.option(
    "--processes",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="agent host processes for the throughput runs (the keep-up run uses at least 4)",
)
@click.option(
    "--mining",
    type=click.Choice(["batch", "auto"]),
    default="batch",
    show_default=True,
    help="how the economy's chain mines: many transactions per block, or a block per transaction",
)
def economy(
    sizes: str, cycles: int, raw_n: int, keepup_agents: int, keepup_cycles: int, processes: int, mining: str
) -> None:
    """Economy tx/s and jobs settled (10 and 50 agents) vs raw anvil, memory per agent, 100-agent keep-up."""
    from agents.bench.economy import main

    try:
        ns = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError as exc:
        raise click.BadParameter("comma-separated integers", param_hint="--agents") from exc
    if not ns or any(n < 1 or n > 500 for n in ns):
        raise click.BadParameter("sizes in [1, 500]", param_hint="--agents")
    main(ns, cycles, raw_n, keepup_agents, keepup_cycles, processes, echo=click.echo, mining=mining)


# --- CLI speed ---------------------------------------------------------------------------------------

CLI_TARGETS = {"token balance": 1.0, "token balance (bad address)": 1.0, "status": 1.5}


def _timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], int, str]:
    import subprocess
    import time

    times: list[float] = []
    code, first = 0, ""
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t0)
        lines = (proc.stdout + proc.stderr).strip().splitlines()[:1]
        code, first = proc.returncode, lines[0] if lines else ""
    return times, code, first


def cli_speed(
    runs: int = 5, rpc: str | None = None, echo: Callable[[str], None] = print
) -> dict[str, list[float]]:
    """Wall time of whole `emergent` invocations (new process each, as a user runs them), on a devnet."""
    import os
    import statistics
    import sys
    import tempfile
    from pathlib import Path

    from agents.devnet import start_devnet
    from agents.sim.simulate import free_port

    exe = str(Path(sys.executable).parent / "emergent")
    tmp = Path(tempfile.mkdtemp(prefix="emergent-bench-cli-"))
    env = dict(os.environ)
    env.pop("EMERGENT_VERBOSE", None)
    net = None
    if rpc is None:  # our own chain, its deployments file in a temporary directory
        env["EMERGENT_DEPLOYMENTS_DIR"] = str(tmp)
        net = start_devnet(free_port(), log_path=tmp / "anvil.log", reuse=False)
        rpc = net.url
        echo(f"deploying to a fresh anvil at {rpc} ...")
        port = rpc.rsplit(":", 1)[1]
        code = _timed([exe, "devnet", "--port", port], env, 1)[1]  # re-uses our anvil, deploys, exits
        if code != 0:
            raise click.ClickException("deployment for the benchmark failed")
    addr = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    cases = [
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ("emergent --help", [exe, "--help"]),
        ("token balance (bad address)", [exe, "token", "balance", "0x123"]),
        ("token balance", [exe, "token", "balance", addr, "--rpc", rpc]),
        ("status", [exe, "status", "--rpc", rpc]),
        ("gov list", [exe, "gov", "list", "--rpc", rpc]),
        ("gov params", [exe, "gov", "params", "--rpc", rpc]),
        (
            "token transfer (rejected: zero address)",
            [exe, "token", "transfer", "--to", "0x" + "0" * 40, "--amount", "1", "--rpc", rpc],
        ),
    ]
    results: dict[str, list[float]] = {}
    try:
        echo(
            f"{runs} runs each, wall time of a new process (python {sys.version.split()[0]}, "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f})"
        )
        echo(f"{'command':<42}{'median':>8}{'min':>8}{'max':>8}  target   exit  first line")
        for name, cmd in cases:
            times, code, first = _timed(cmd, env, runs)
            results[name] = times
            target = CLI_TARGETS.get(name)
            verdict = (
                ""
                if target is None
                else (f"<{target:.1f}s {'ok' if statistics.median(times) < target else 'MISSED'}")
            )
            echo(
                f"{name:<42}{statistics.median(times):>7.2f}s{min(times):>7.2f}s{max(times):>7.2f}s  "
                f"{verdict:<8} {code:>4}  {first[:60]}"
            )
    finally:
        if net is not None:
            net.stop()
    return results


@bench.command("cli")
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 100), help="runs per command")
@click.option(
    "--rpc",
    default=None,
    metavar="URL",
    help="a devnet with Emergent deployed (default: start a fresh anvil and deploy to it)",
)
def cli_cmd(runs: int, rpc: str | None) -> None:
    """Wall time of `emergent` commands (status, token balance, a rejected address...) against targets."""
    cli_speed(runs, rpc, echo=click.echo)
