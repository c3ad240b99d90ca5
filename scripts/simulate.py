"""`ape run simulate --agents N --cycles K`: the same command as `emergent simulate` (see agents/sim/cli.py).

It starts its own anvil on a free port (or uses `--network RPC_URL`), so it needs no ape provider.
"""

from agents.sim.cli import simulate as cli

__all__ = ["cli"]
