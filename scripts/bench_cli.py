"""CLI speed benchmark: `python scripts/bench_cli.py [--runs N] [--rpc URL]` (same as `emergent bench cli`).

Prints the wall time of whole `emergent` invocations (a new process each, as a user runs them) against
the targets: `token balance` and a rejected bad address under 1 s, `status` under 1.5 s. It asserts
nothing; on a shared machine the figures vary with the load it prints.
"""

from agents.bench.cli import cli_cmd as cli

if __name__ == "__main__":  # pragma: no cover
    cli()
