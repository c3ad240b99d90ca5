"""`emergent agent audit --data-dir DIR`: the §12 audit of a real agent, from its persisted history.

DIR is an agent's own state directory (holding agent.sqlite) or a data directory holding one
sub-directory per agent address (as `emergent agent run` and `emergent simulate` write). For each
agent: every completed 3000-cycle audit report it persisted, then the current (possibly incomplete)
period computed from its persisted cognition state, and the share of its cycles in each L4.9 status.
Read-only: the store is opened, read and closed.
"""

from __future__ import annotations

from pathlib import Path

import click


def agent_dirs(data_dir: Path) -> list[Path]:
    if (data_dir / "agent.sqlite").is_file():
        return [data_dir]
    return (
        sorted(p for p in data_dir.iterdir() if (p / "agent.sqlite").is_file()) if data_dir.is_dir() else []
    )


def audit_texts(directory: Path) -> list[str]:
    from agents.cognition import AgentState, qualification_audit
    from agents.cognition.audit_text import render, report_to_dict
    from agents.runtime.store import AgentStore

    store = AgentStore(directory / "agent.sqlite")
    try:
        cog = store.get_state("cognition")
        reports = store.get_state("audit_reports", [])
        statuses = store.get_state("status_cycles", {})
    finally:
        store.close()
    if cog is None:
        return [f"{directory.name}: no cognition state yet"]
    state = AgentState.from_dict(cog)
    out = [render(r, None, f"agent {directory.name}: completed audit period") for r in reports]
    current = report_to_dict(qualification_audit(state))
    out.append(
        render(
            current,
            statuses,
            f"agent {directory.name}: current period (cycle {state.cycle}, "
            f"activation phase {state.activation.phase})",
        )
    )
    return out


@click.command("audit")
@click.option(
    "--data-dir",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="an agent's state directory, or a data directory with one per agent",
)
def audit(data_dir: Path) -> None:
    """Print the §12 qualification audit of real agents from their persisted history."""
    dirs = agent_dirs(data_dir)
    if not dirs:
        raise click.ClickException(f"no agent state (agent.sqlite) under {data_dir}")
    for d in dirs:
        try:
            texts = audit_texts(d)
        except (ValueError, OSError) as exc:
            raise click.ClickException(f"{d}: {exc}") from exc
        click.echo("\n\n".join(texts))
        click.echo("")
