"""Where the project keeps things, resolved from the package location (no cwd assumptions)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PARAMS_DIR = PROJECT_ROOT / "params"
# Overridable so tests and parallel simulations never clobber the user's deployments file.
DEPLOYMENTS_DIR = Path(os.environ.get("EMERGENT_DEPLOYMENTS_DIR", PROJECT_ROOT / "deployments"))
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
# The real anvil binary, not the npm Node wrapper (the wrapper exits on SIGTERM before the binary does).
ANVIL_BINARY = PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
# The Hardhat node, run as `node <cli.js>` (one process, so SIGTERM reaches the node itself), with the
# project's config (same chain id, mnemonic and hardfork as the anvil devnet).
HARDHAT_CLI = PROJECT_ROOT / "node_modules" / "hardhat" / "internal" / "cli" / "cli.js"
HARDHAT_CONFIG = PROJECT_ROOT / "agents" / "chain" / "hardhat.config.js"


def deployments_dir() -> Path:
    """The deployments directory now (EMERGENT_DEPLOYMENTS_DIR is read at call time, for tests and runs)."""
    return Path(os.environ.get("EMERGENT_DEPLOYMENTS_DIR", DEPLOYMENTS_DIR))


def deployment_file(network: str, rpc_url: str | None = None) -> Path:
    """The deployments file of one chain.

    A named network is one chain: `deployments/<ecosystem>-<network>.json` (e.g. ethereum-sepolia.json).
    Local networks are as many chains as there are devnets, one per port: `ethereum-local-8545.json`
    (another host: `ethereum-local-<host>-<port>.json`), so a second devnet never overwrites the first.
    The file records the chain id and genesis hash, and readers check both against the node.
    """
    from urllib.parse import urlsplit

    parts = network.split(":")
    slug = f"{parts[0]}-{parts[1]}" if len(parts) > 1 else parts[0]
    if len(parts) > 1 and parts[1] == "local":
        url = urlsplit(rpc_url or "http://127.0.0.1:8545")
        port = url.port or (443 if url.scheme == "https" else 80)
        host = (url.hostname or "127.0.0.1").lower()
        where = str(port) if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0") else f"{host}-{port}"
        slug = f"{slug}-{''.join(c if c.isalnum() or c in '.-' else '_' for c in where)}"
    return deployments_dir() / f"{slug}.json"


def ensure_tool_path() -> None:
    """Put the project's node binaries and this interpreter's bin dir on PATH.

    ape-foundry finds `anvil` on PATH only, and ape-vyper finds the pinned `vyper` with `which`.
    Every entry point calls this before touching ape.
    """
    import sys

    wanted = [str(NODE_BIN), str(Path(sys.executable).parent)]
    current = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join([p for p in wanted if p not in current] + current)
