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


def ensure_tool_path() -> None:
    """Put the project's node binaries and this interpreter's bin dir on PATH.

    ape-foundry finds `anvil` on PATH only, and ape-vyper finds the pinned `vyper` with `which`.
    Every entry point calls this before touching ape.
    """
    import sys

    wanted = [str(NODE_BIN), str(Path(sys.executable).parent)]
    current = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join([p for p in wanted if p not in current] + current)
