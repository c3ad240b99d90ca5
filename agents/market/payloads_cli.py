"""`emergent payloads serve`: one payload service for agents on different hosts (agents.market.payloads)."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.group()
def payloads() -> None:
    """Deliverables over HTTP, content-addressed (keccak256) and verified on fetch."""


@payloads.command()
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".emergent/payload-service"),
    show_default=True,
    help="where payloads are kept",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0: every host)"
)
@click.option(
    "--port",
    default=8700,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="port of the payload service",
)
@click.option(
    "--token-env",
    default="EMERGENT_PAYLOAD_TOKEN",
    show_default=True,
    help="environment variable holding the token uploads must carry (unset: uploads are open)",
)
def serve(root: Path, host: str, port: int, token_env: str) -> None:
    """Serve payloads: PUT /payloads/<hash> (stored only if the body hashes to it), GET/HEAD
    /payloads/<hash>."""
    from agents.market.payloads import PayloadServer

    try:
        server = PayloadServer(root, host=host, port=port, token=os.environ.get(token_env) or None)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
    click.echo(f"payload service on {server.url}/payloads/<hash> ({root}); agents: --payloads {server.url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
