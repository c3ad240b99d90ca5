"""The paired comparison: the same market (same personas, same seed) with the L4.9 mind and with L4.8
only, side by side (`emergent simulate --compare-cognition`, and on the offline market).

Figures per run: the share of hires going to the cheater and to the no-show over time (50-cycle
windows), the cycle from which each is no longer hired (avoided for the rest of the run), the final
balance (liquid + stake) and survival class of every agent, and the jobs completed. `write_html`
renders both runs side by side (plain HTML and inline SVG: no plotting dependency).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

WEI = 10**18
BAD = ("cheater", "no_show")
DEFAULT_PERSONAS = ("honest", "honest", "undercutter", "cheater", "no_show", "guardian")
WINDOW = 50


def figures(
    hires: list[tuple[int, str]],
    settled: list[tuple[int, str]],
    persona_of: dict[str, str],
    balances: dict[str, int],
    survival: dict[str, str],
    cycles: int,
) -> dict[str, Any]:
    """hires: (cycle, provider); settled: (cycle, outcome); persona_of: address -> persona."""
    series: dict[str, list[list[float]]] = {b: [] for b in BAD}
    for start in range(0, cycles, WINDOW):
        win = [p for c, p in hires if start <= c < start + WINDOW]
        for b in BAD:
            share = sum(1 for p in win if persona_of.get(p) == b) / len(win) if win else 0.0
            series[b].append([start + WINDOW, round(share, 4)])
    avoided: dict[str, int | None] = {}
    for b in BAD:
        got = [c for c, p in hires if persona_of.get(p) == b]
        if not any(v == b for v in persona_of.values()):
            avoided[b] = None
        elif not got:
            avoided[b] = 0
        else:
            last = max(got)
            avoided[b] = last + 1 if cycles - last > WINDOW * 4 else None  # still hired near the end: never
    done = sum(1 for _, o in settled if o in ("completed", "disputed_provider_won"))
    totals = {b: sum(1 for _, p in hires if persona_of.get(p) == b) for b in BAD}
    return {
        "hire_share": series,
        "avoided_from_cycle": avoided,
        "hires": len(hires),
        "hires_to": totals,
        "jobs_completed": done,
        "agents": [
            {
                "address": a,
                "persona": persona_of[a],
                "balance": balances.get(a, 0) / WEI,
                "survival": survival.get(a, ""),
            }
            for a in persona_of
        ],
    }


def offline_pair(
    personas: tuple[str, ...] = DEFAULT_PERSONAS, seed: int = 1, cycles: int = 1000, start_phase: str = "FULL"
) -> dict[str, Any]:
    """Both runs on the offline market. start_phase FULL compares the mind at full authority with L4.8
    only; CHECK includes the ~2100 cycles of the §10.2 protocol during which L4.9 has no authority."""
    from agents.sim.offline import OfflineMarket

    out: dict[str, Any] = {
        "market": "offline",
        "seed": seed,
        "cycles": cycles,
        "start_phase": start_phase,
        "personas": list(personas),
    }
    for label, on in (("mind", True), ("l48", False)):
        m = OfflineMarket(
            list(personas),
            seed=seed,
            cognition=True,
            start_phase=start_phase,
            record=True,
            ignore_mind=not on,
        )
        m.run(cycles)
        persona_of = {a.address: a.persona.name for a in m.agents}
        balances = {a.address: m.token[a.address] + m.bonded[a.address] for a in m.agents}
        survival = {a.address: (a.history[-1].get("survival", "") if a.history else "") for a in m.agents}
        out[label] = figures(
            [(c, p) for c, _, p in m.hires],
            [(c, o) for c, _, _, o in m.settled],
            persona_of,
            balances,
            survival,
            cycles,
        )
    return out


def _svg(series: dict[str, list[list[float]]], width: int = 420, height: int = 160) -> str:
    colours = {"cheater": "#d13438", "no_show": "#ffb900"}
    xs = [x for s in series.values() for x, _ in s] or [1]
    xmax = max(xs)
    parts = [f'<svg width="{width}" height="{height}" style="background:#fafafa">']
    for name, pts in series.items():
        path = " ".join(
            f"{30 + (x / xmax) * (width - 40):.1f},{height - 20 - y * (height - 30):.1f}" for x, y in pts
        )
        parts.append(
            f'<polyline fill="none" stroke="{colours.get(name, "#0078d4")}" stroke-width="2" '
            f'points="{path}"/>'
        )
    parts.append(
        f'<text x="30" y="12" font-size="11">share of hires (0..1) per {WINDOW} cycles: '
        '<tspan fill="#d13438">cheater</tspan> <tspan fill="#ffb900">no-show</tspan></text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def write_html(data: dict[str, Any], path: Path) -> Path:
    cols = [("mind", "with the L4.9 mind"), ("l48", "L4.8 only (--cognition off)")]
    rows = []
    for key, title in cols:
        d = data[key]
        agents = "".join(
            f"<tr><td>{html.escape(a['persona'])}</td><td>{a['address'][:10]}</td>"
            f"<td>{a['balance']:.0f}</td><td>{html.escape(a['survival'])}</td></tr>"
            for a in d["agents"]
        )
        rows.append(
            f"<td valign='top'><h2>{title}</h2>{_svg(d['hire_share'])}"
            f"<p>hires {d['hires']} (to the cheater {d['hires_to']['cheater']}, to the no-show "
            f"{d['hires_to']['no_show']}); avoided from cycle: cheater {d['avoided_from_cycle']['cheater']}, "
            f"no-show {d['avoided_from_cycle']['no_show']}; jobs completed {d['jobs_completed']}</p>"
            f"<table border=1 cellpadding=3><tr><th>persona</th><th>agent</th><th>balance</th>"
            f"<th>survival</th></tr>{agents}</table></td>"
        )
    page = (
        f"<html><head><meta charset='utf-8'><title>Emergent: the mind vs L4.8</title></head><body>"
        f"<h1>Paired run: same market, with and without the L4.9 mind</h1>"
        f"<p>{html.escape(data.get('market', ''))} market, seed {data['seed']}, {data['cycles']} cycles, "
        f"agents start at {html.escape(str(data.get('start_phase', '')))}. 'avoided from cycle' = the cycle "
        f"after the last hire of that provider (None: still hired in the last {WINDOW * 4} cycles).</p>"
        f"<table><tr>{''.join(rows)}</tr></table></body></html>"
    )
    path = Path(path)
    path.write_text(page)
    return path


def chain_pair(cfg: Any, echo: Any = print, progress: Any = None) -> dict[str, Any]:
    """Both runs on fresh devnets (`emergent simulate --compare-cognition`): cfg.out/mind and cfg.out/l48."""
    from dataclasses import replace

    from agents.sim.simulate import run

    base = Path(cfg.out)
    out: dict[str, Any] = {
        "market": "on-chain (anvil)",
        "seed": cfg.seed,
        "cycles": cfg.cycles,
        "start_phase": "CHECK",
    }
    for label, on in (("mind", True), ("l48", False)):
        echo(f"paired run: {'with the L4.9 mind' if on else 'L4.8 only'}")
        m = run(replace(cfg, cognition=on, out=base / label), echo=echo, progress=progress)
        persona_of = {a: info.persona for a, info in m.agents.items()}
        hires = [(j.cycle, j.provider) for j in m.jobs if j.provider]
        settled = [(j.cycle, j.outcome) for j in m.jobs]
        balances, survival = {}, {}
        for a in persona_of:
            last = m.latest(a)
            balances[a] = (last.balance + last.stake) if last else 0
            survival[a] = last.survival_class if last else ""
        out[label] = figures(hires, settled, persona_of, balances, survival, cfg.cycles)
    return out
