"""`emergent dashboard`: the economy live in a browser (a local page fed by server-sent events)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--rpc", default="http://127.0.0.1:8545", show_default=True, help="RPC URL of the chain to watch"
)
@click.option(
    "--network",
    default="ethereum:local",
    show_default=True,
    help="ecosystem:network whose deployments file to use",
)
@click.option(
    "--deployment",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="deployments file (default deployments/<ecosystem>-<network>.json)",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".emergent/agents"),
    show_default=True,
    help="agents' data dirs, for their L4.9 status (skipped if missing)",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="address to listen on (loopback by default)"
)
@click.option(
    "--port",
    default=8600,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="port of the dashboard page",
)
def dashboard(rpc: str, network: str, deployment: Path | None, data_dir: Path, host: str, port: int) -> None:
    """Serve the live dashboard (agents, jobs, prices, slashes, proposals) until Ctrl-C."""
    from agents.chain.contracts import ContractsError
    from agents.chain.deployment import deployment_path
    from agents.dashboard.server import Dashboard

    dep = deployment or deployment_path(network)
    if not Path(dep).is_file():
        raise click.ClickException(f"no deployments file at {dep}: deploy first (`emergent devnet`)")
    try:
        dash = Dashboard(rpc, Path(dep), data_dir=data_dir)
    except ContractsError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # e.g. the node is not reachable
        raise click.ClickException(f"cannot watch {rpc}: {exc}") from exc
    click.echo(f"dashboard on http://{host}:{port}/ watching {rpc} ({dep}); Ctrl-C stops it")
    dash.serve(host=host, port=port)
