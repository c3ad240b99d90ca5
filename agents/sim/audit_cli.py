"""`emergent cognition audit`: the §12 qualification audit of one agent, run on the offline market.

The audited agent (persona P) trades in a small population (a second honest agent, an undercutter, a
cheater, a no-show and a guardian) for `--cycles` cycles, starting at the activation protocol's CHECK
phase (§10.2), with the same observation, policy and cognition code the chain runtime uses
(agents/sim/offline.py). The audit covers those cycles: cycle 0 to cycles - 1 (one §12 period for
--cycles 3000).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from agents.sim.offline import OfflineMarket

POPULATION = ("honest", "undercutter", "cheater", "no_show", "guardian")


def run_audit(
    persona: str = "honest", seed: int = 1, cycles: int = 3000
) -> tuple[dict[str, Any], dict[str, int], OfflineMarket]:
    """(audit report as a dict, status -> cycles, the market) for the audited agent (index 0)."""
    from agents.cognition import qualification_audit
    from agents.cognition.audit_text import report_to_dict
    from agents.sim.offline import OfflineMarket

    market = OfflineMarket([persona, *POPULATION], seed=seed, record=False)
    market.run(cycles)
    me = market.agents[0]
    if me.audits:
        rep = me.audits[0]
    elif me.cognition is not None:  # the market above runs every agent with cognition
        rep = qualification_audit(me.cognition)
    else:
        raise RuntimeError(f"the audited agent {me.address} has no cognition")
    return report_to_dict(rep), dict(me.status_cycles), market


@click.group()
def cognition() -> None:
    """The Level 4.9 cognition: qualification audit on the offline market."""


@cognition.command("audit")
@click.option(
    "--cycles",
    default=3000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="offline-market cycles to run and audit (§12: 3000)",
)
@click.option("--persona", default="honest", show_default=True, help="persona of the audited agent")
@click.option(
    "--seed", default=1, show_default=True, type=int, help="seed of the offline market and the agents"
)
def audit(cycles: int, persona: str, seed: int) -> None:
    """Run the §12 audit (AG-1 ... AS-5, AMS) of one agent on the offline market."""
    from agents.cognition.audit_text import render
    from agents.market.personas import get_persona

    try:
        get_persona(persona)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    t0 = time.process_time()
    rep, statuses, market = run_audit(persona, seed, cycles)
    cpu = time.process_time() - t0
    me = market.agents[0]
    if me.cognition is None:  # run_audit checked it
        raise RuntimeError(f"the audited agent {me.address} has no cognition")
    header = (
        f"offline market: {len(market.agents)} agents ({', '.join(a.persona.name for a in market.agents)}), "
        f"seed {seed}, {cycles} cycles in {cpu:.1f} s CPU; audited agent {me.address} ({persona}), "
        f"activation phase at the end: {me.cognition.activation.phase}"
    )
    click.echo(render(rep, statuses, header))
