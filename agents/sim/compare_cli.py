"""`emergent simulate --compare-cognition [--offline]`: the paired run and its compare.html."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from agents.sim.simulate import SimConfig


def paired(cfg: SimConfig, offline: bool, personas: list[str] | None) -> None:
    from agents.devnet import DevnetError
    from agents.sim.compare import DEFAULT_PERSONAS, chain_pair, offline_pair, write_html

    cfg.out.mkdir(parents=True, exist_ok=True)
    try:
        if offline:
            data = offline_pair(tuple(personas) if personas else DEFAULT_PERSONAS, cfg.seed, cfg.cycles)
        else:
            data = chain_pair(cfg, echo=click.echo)
    except (DevnetError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    (cfg.out / "compare.json").write_text(json.dumps(data, indent=1))
    page = write_html(data, cfg.out / "compare.html")
    for key, title in (("mind", "with the mind"), ("l48", "L4.8 only")):
        d = data[key]
        click.echo(
            f"{title:>14}: hires {d['hires']} (cheater {d['hires_to']['cheater']}, no-show "
            f"{d['hires_to']['no_show']}), avoided from cycle cheater {d['avoided_from_cycle']['cheater']} "
            f"no-show {d['avoided_from_cycle']['no_show']}, jobs completed {d['jobs_completed']}"
        )
    click.echo(f"compare: {page}")
