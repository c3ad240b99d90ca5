"""The simulation report: one self-contained HTML page with interactive charts, and a terminal summary.

    write_report(metrics, "out/report.html")     # -> Path; metrics: Metrics or its dict (metrics.json)
    print(summary_text(metrics))

Charts are plotly figures; plotly.js (from the pinned plotly package) is inlined once in the page's
head, so the file works offline and loads nothing from the network. Each chart is a section with an id
(`plot-<id>`, the chart's div `chart-<id>`), so tests and readers can find it: balances and Gini,
prices per service, reputation by persona, jobs by outcome per cycle, slashes, proposals and votes,
per-agent ASS, value drift and survival class, and, when the metrics carry the agents' minds
(`metrics["mind"]`, see `mind_of`), each agent's L4.9 status timeline, goals by origin, vetoes and
mutations, and value drift.

Where a chart has nothing to show for the run (no slash, no proposal, ASS before the first L4.9 cycle)
it says why in the chart instead of an empty frame. Survival classes are cognition's own
(`SURVIVAL_CLASSES`, abundant to critical, derived from `classify_survival`), so the colour of a
class is the same in every report.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections import Counter
from functools import lru_cache
from pathlib import Path
from statistics import mean, median
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from agents.cognition import constants as K
from agents.cognition.survival import classify_survival
from agents.sim.metrics import Metrics, gini

# Cognition's survival classes, best first, taken from its classifier at each band's lower edge
# (abundant > SURVIVAL_ABUNDANT >= adequate >= SURVIVAL_ADEQUATE > constrained >= ... > critical).
SURVIVAL_CLASSES: tuple[str, ...] = tuple(
    dict.fromkeys(
        classify_survival(x)
        for x in (math.inf, K.SURVIVAL_ADEQUATE, K.SURVIVAL_CONSTRAINED, K.SURVIVAL_WARNING, 0.0)
    )
)
SURVIVAL_COLORS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
# L4.9 cycle statuses (agents.cognition.orchestrator.CycleReport.status), from full authority to none.
STATUS_ORDER = ("ACTIVE", "PARTIAL", "ADVISORY", "WARMING_UP", "FROZEN_SURVIVAL", "FROZEN", "INACTIVE")
STATUS_COLORS = ("#1a9850", "#a6d96a", "#fee08b", "#bababa", "#f46d43", "#d73027", "#404040")
OUTCOME_COLORS = {
    "completed": "#228833",
    "disputed_provider_won": "#66ccee",
    "rejected": "#ee6677",
    "expired": "#ccbb44",
    "disputed_client_won": "#aa3377",
    "open": "#bbbbbb",
}
PALETTE = (
    "#4477aa",
    "#ee6677",
    "#228833",
    "#ccbb44",
    "#66ccee",
    "#aa3377",
    "#bbbbbb",
    "#000000",
    "#ee7733",
    "#009988",
)

PLOTS = (
    ("balances", "Token balances and Gini coefficient"),
    ("prices", "Asking prices per service"),
    ("reputation", "Reputation by persona (mean)"),
    ("jobs", "Jobs by outcome, per cycle they settled in"),
    ("slashes", "Slashes"),
    ("governance", "Proposals and votes"),
    ("ass", "Autonomy stability score (ASS) per agent"),
    ("drift", "Value drift per agent"),
    ("survival", "Survival class per agent over time"),
    ("value-chain", "Value chain: who hired whom for composite jobs"),
)
MIND_PLOTS = (
    ("mind-status", "L4.9 status per agent over time"),
    ("mind-goals", "Goals by origin: generated, pursued, completed"),
    ("mind-vetoes", "Vetoes and applied mutations per agent"),
    ("mind-drift", "Value drift per agent (cognition's record)"),
)
_LAYOUT = dict(
    template="none",
    margin=dict(l=60, r=20, t=30, b=45),
    font=dict(family="sans-serif", size=11),
    hovermode="closest",
    legend=dict(font=dict(size=10)),
    paper_bgcolor="white",
    plot_bgcolor="white",
)
_AXIS = dict(showgrid=True, gridcolor="#e5e5e5", zeroline=False, linecolor="#888", showline=True)


def _fig(height: int = 360, **layout: Any) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(height=height, **_LAYOUT, **layout)
    fig.update_xaxes(**_AXIS)
    fig.update_yaxes(**_AXIS)
    return fig


def _note(fig: go.Figure, text: str, y: float = 0.5, **kw: Any) -> go.Figure:
    """A message inside the plotting area (what the chart would show and why it does not)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0.5,
        y=y,
        showarrow=False,
        font=dict(color="#666", size=12),
        **kw,
    )
    return fig


def _empty(text: str, height: int = 220) -> go.Figure:
    fig = _fig(height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _note(fig, text)


def _persona_colors(m: Metrics) -> dict[str, str]:
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(sorted(m.by_persona()))}


def _label(m: Metrics, addr: str) -> str:
    info = m.agents.get(addr)
    return info.label if info else addr[:10]


def _persona(m: Metrics, addr: str) -> str:
    """The agent's persona; for an agent only the minds know about, the mind's."""
    info = m.agents.get(addr)
    return info.persona if info else str(mind_of(m).get(addr, {}).get("persona", "?"))


def _last_cycle(m: Metrics) -> int:
    cycles = m.cycles()
    return cycles[-1] if cycles else 0


def _cycle_axis(fig: go.Figure, m: Metrics, **kw: Any) -> None:
    fig.update_xaxes(title_text="cycle", range=[-0.5, max(1, _last_cycle(m)) + 0.5], **kw)


# ------------------------------------------------------------------ market charts
def plot_balances(m: Metrics) -> go.Figure:
    if not any(m.samples.values()):
        return _empty("no agent samples recorded")
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.08,
        subplot_titles=(f"balance ({m.token_symbol})", "Gini of balances"),
    )
    fig.update_layout(height=380, **_LAYOUT)
    fig.update_xaxes(**_AXIS)
    fig.update_yaxes(**_AXIS)
    colors, shown = _persona_colors(m), set()
    for addr, series in m.samples.items():
        if not series:
            continue
        persona = _persona(m, addr)
        fig.add_trace(
            go.Scatter(
                x=[s.cycle for s in series],
                y=[s.balance / m.token_unit for s in series],
                mode="lines",
                name=persona,
                legendgroup=persona,
                showlegend=persona not in shown,
                line=dict(color=colors.get(persona), width=1.2),
                hovertemplate=f"{html.escape(_label(m, addr))}<br>cycle %{{x}}<br>"
                f"%{{y:,.2f}} {m.token_symbol}"
                "<extra></extra>",
            ),
            row=1,
            col=1,
        )
        shown.add(persona)
    g = m.gini_series()
    fig.add_trace(
        go.Scatter(
            x=[c for c, _ in g],
            y=[v for _, v in g],
            mode="lines+markers",
            name="Gini",
            marker=dict(size=4),
            line=dict(color="black"),
            showlegend=False,
            hovertemplate="cycle %{x}<br>Gini %{y:.3f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_xaxes(title_text="cycle")
    return fig


def plot_prices(m: Metrics) -> go.Figure:
    """Every ask a provider published (markers) and, per service, the median of the asks published in
    each cycle (line): several providers sell each service, so one line through all asks would zigzag."""
    if not m.prices:
        return _empty("no asking prices recorded")
    fig = _fig(380)
    for i, (service, points) in enumerate(sorted(m.prices.items())):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(
            go.Scatter(
                x=[c for c, _ in points],
                y=[p / m.token_unit for _, p in points],
                mode="markers",
                marker=dict(color=color, size=5, opacity=0.35),
                name=f"{service} asks",
                legendgroup=service,
                showlegend=False,
                hovertemplate=f"{service}<br>cycle %{{x}}<br>ask %{{y:.4g}}<extra></extra>",
            )
        )
        per: dict[int, list[float]] = {}
        for c, p in points:
            per.setdefault(c, []).append(p / m.token_unit)
        cs = sorted(per)
        fig.add_trace(
            go.Scatter(
                x=cs,
                y=[median(per[c]) for c in cs],
                mode="lines+markers",
                name=service,
                legendgroup=service,
                line=dict(color=color, width=2, shape="hv"),
                marker=dict(size=4),
                hovertemplate=f"{service}<br>cycle %{{x}}<br>median ask %{{y:.4g}}<extra></extra>",
            )
        )
    _cycle_axis(fig, m)
    fig.update_yaxes(title_text=f"{m.token_symbol} per job")
    return fig


def plot_reputation(m: Metrics) -> go.Figure:
    colors = _persona_colors(m)
    fig = _fig()
    for persona, addrs in sorted(m.by_persona().items()):
        by_cycle: dict[int, list[float]] = {}
        for a in addrs:
            for s in m.samples.get(a, []):
                by_cycle.setdefault(s.cycle, []).append(s.reputation)
        if by_cycle:
            cs = sorted(by_cycle)
            fig.add_trace(
                go.Scatter(
                    x=cs,
                    y=[mean(by_cycle[c]) for c in cs],
                    mode="lines",
                    name=f"{persona} ({len(addrs)})",
                    line=dict(color=colors[persona]),
                    hovertemplate=f"{persona}<br>cycle %{{x}}<br>mean reputation %{{y:.3f}}<extra></extra>",
                )
            )
    if not fig.data:
        return _empty("no agent samples recorded")
    _cycle_axis(fig, m)
    fig.update_yaxes(title_text="reputation (score / 10,000)")
    return fig


def plot_jobs(m: Metrics) -> go.Figure:
    """Stacked bars: jobs per cycle their outcome was reached in (open ones at the cycle they were
    created), one colour per outcome; the legend carries the totals."""
    if not m.jobs:
        return _empty("no jobs were created")
    fig = _fig(380, barmode="stack")
    totals = m.jobs_by_outcome()
    for outcome, total in totals.items():
        if not total:
            continue
        per = Counter(j.cycle for j in m.jobs if j.outcome == outcome)
        cs = sorted(per)
        fig.add_trace(
            go.Bar(
                x=cs,
                y=[per[c] for c in cs],
                name=f"{outcome} ({total})",
                marker_color=OUTCOME_COLORS.get(outcome, "#777"),
                hovertemplate=f"{outcome}<br>cycle %{{x}}: %{{y}} jobs<extra></extra>",
            )
        )
    _cycle_axis(fig, m)
    fig.update_yaxes(title_text="jobs")
    return fig


def plot_slashes(m: Metrics) -> go.Figure:
    if not m.slashes:
        return _empty(f"no slashes in {_last_cycle(m)} cycles (no provider lost a dispute)")
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.1,
        subplot_titles=(f"cumulative {m.token_symbol} slashed", "slashes by persona"),
    )
    fig.update_layout(height=340, **_LAYOUT, showlegend=False)
    fig.update_xaxes(**_AXIS)
    fig.update_yaxes(**_AXIS)
    ordered = sorted(m.slashes, key=lambda s: s.cycle)
    # a step from zero at cycle 0 to the end of the run, so a single slash is a visible step
    xs, ys, total = [0], [0.0], 0.0
    for s in ordered:
        total += s.amount / m.token_unit
        xs.append(s.cycle)
        ys.append(total)
    xs.append(max(_last_cycle(m), xs[-1]))
    ys.append(total)
    fig.add_trace(
        go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#aa3377", shape="hv"), hoverinfo="skip"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[s.cycle for s in ordered],
            y=ys[1:-1],
            mode="markers",
            marker=dict(color="#aa3377", size=9),
            text=[
                f"{html.escape(_label(m, s.agent))} ({_persona(m, s.agent)}): {s.amount / m.token_unit:,.2f} "
                f"{m.token_symbol}, {html.escape(s.reason)}"
                for s in ordered
            ],
            hovertemplate="cycle %{x}<br>%{text}<br>total %{y:,.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    per = Counter(_persona(m, s.agent) for s in m.slashes)
    fig.add_trace(
        go.Bar(
            x=list(per),
            y=list(per.values()),
            marker_color="#aa3377",
            hovertemplate="%{x}: %{y} slashes<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="cycle", range=[-0.5, max(1, xs[-1]) + 0.5], row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(dtick=1, rangemode="tozero", row=1, col=2)
    return fig


def plot_governance(m: Metrics) -> go.Figure:
    props = sorted(m.proposals.values(), key=lambda p: (p.cycle, p.proposal_id))
    if not props:
        return _empty(f"no proposals in {_last_cycle(m)} cycles")
    fig = _fig(400, barmode="group")
    labels = [
        f"#{i + 1} {p.state}<br>{html.escape(shorten(p.description.rpartition(': ')[2], 40))}"
        for i, p in enumerate(props)
    ]
    hover = [
        "<br>".join(
            html.escape(line)
            for line in textwrap.wrap(
                f"cycle {p.cycle} by {_label(m, p.proposer)}; {p.state}"
                + (f" at cycle {p.executed_cycle}" if p.executed_cycle is not None else "")
                + f": {p.description}",
                70,
            )
        )
        for p in props
    ]
    for side, color in (("for", "#228833"), ("against", "#ee6677"), ("abstain", "#bbbbbb")):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[getattr(p, f"votes_{side}") / m.token_unit for p in props],
                name=side,
                marker_color=color,
                customdata=[[getattr(p, f"voters_{side}"), h] for p, h in zip(props, hover, strict=True)],
                hovertemplate=f"{side}: %{{y:,.0f}} {m.token_symbol} from %{{customdata[0]}} ballots"
                "<br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text=f"voting power ({m.token_symbol})")
    return fig


# ------------------------------------------------------------------ cognition charts
def _threshold_lines(fig: go.Figure, lines: tuple[tuple[float, str, str], ...]) -> None:
    for y, text, color in lines:
        fig.add_hline(
            y=y,
            line=dict(color=color, width=1, dash="dot"),
            annotation_text=text,
            annotation_position="top right",
            annotation_font=dict(size=9, color=color),
        )


def _per_agent_lines(
    m: Metrics, fig: go.Figure, series: dict[str, list[tuple[int, float]]], name: str, fmt: str = ".3f"
) -> None:
    colors, shown = _persona_colors(m), set()
    for addr, pts in series.items():
        if not pts:
            continue
        persona = _persona(m, addr)
        fig.add_trace(
            go.Scatter(
                x=[c for c, _ in pts],
                y=[v for _, v in pts],
                mode="lines+markers",
                name=persona,
                legendgroup=persona,
                showlegend=persona not in shown,
                marker=dict(size=5),
                line=dict(color=colors.get(persona, "#777"), width=1.2),
                hovertemplate=f"{html.escape(_label(m, addr))}<br>cycle %{{x}}<br>"
                f"{name} %{{y:{fmt}}}<extra></extra>",
            )
        )
        shown.add(persona)


def plot_ass(m: Metrics) -> go.Figure:
    series = {a: [(s.cycle, s.ass) for s in ss if s.ass is not None] for a, ss in m.samples.items()}
    fig = _fig(380)
    _per_agent_lines(m, fig, series, "ASS")
    _cycle_axis(fig, m)
    fig.update_yaxes(title_text="ASS", range=[0, 1.02])
    _threshold_lines(
        fig,
        (
            (K.ASS_HEALTHY, f"healthy > {K.ASS_HEALTHY}", "#1a9850"),
            (K.ASS_TARGET, f"target {K.ASS_TARGET}", "#fc8d59"),
            (K.ASS_FREEZE_THRESHOLD, f"L4.9 skipped < {K.ASS_FREEZE_THRESHOLD}", "#d73027"),
        ),
    )
    if not fig.data:
        _note(
            fig,
            f"no ASS yet: it is scored from the first L4.9 cycle after warm-up, and none of the "
            f"{len(m.agents)} agents reached it in {_last_cycle(m) + 1 if m.cycles() else 0} cycles",
        )
    return fig


def plot_drift(m: Metrics) -> go.Figure:
    """TotalDrift (Def. 5: sum |w - baseline|) per agent against the §4.2 bands. The baseline is the
    agent's starting value vector, so drift stays 0 until a value mutation is applied; the note says so
    (with the mutation count when the metrics carry the minds) instead of showing an unexplained flat 0."""
    series = {a: [(s.cycle, s.value_drift) for s in ss] for a, ss in m.samples.items()}
    return _drift_figure(m, series)


def _drift_figure(m: Metrics, series: dict[str, list[tuple[int, float]]]) -> go.Figure:
    fig = _fig(380)
    _per_agent_lines(m, fig, series, "drift")
    if not fig.data:
        return _empty("no value drift recorded")
    peak = max((v for pts in series.values() for _, v in pts), default=0.0)
    _cycle_axis(fig, m)
    fig.update_yaxes(title_text="TotalDrift", range=[-0.01, max(K.DRIFT_CRITICAL * 1.15, peak * 1.1)])
    _threshold_lines(
        fig,
        (
            (K.DRIFT_MODERATE, f"moderate {K.DRIFT_MODERATE}", "#b8a000"),
            (K.DRIFT_ELEVATED, f"elevated {K.DRIFT_ELEVATED}: mutations frozen", "#fc8d59"),
            (K.DRIFT_CRITICAL, f"critical {K.DRIFT_CRITICAL}: revert", "#d73027"),
        ),
    )
    moved = sum(1 for pts in series.values() if any(v > 0 for _, v in pts))
    mind = mind_of(m)
    muts = sum(int(v.get("mutations_applied", 0)) for v in mind.values()) if mind else None
    text = f"peak drift {peak:.3f}; {moved} of {len(series)} agents moved from their starting values"
    if muts is not None:
        text += f"; {muts} value mutations applied"
    if peak == 0:
        text += " (drift is measured from the starting vector and moves only when a mutation is applied)"
    _note(fig, text, y=1.0, yanchor="bottom")
    return fig


def _category_heatmap(
    m: Metrics,
    rows: dict[str, list[tuple[int, str]]],
    order: tuple[str, ...],
    colors: tuple[str, ...],
    what: str,
) -> go.Figure:
    """Agents (rows) x cycles (columns), each cell the category held in that cycle; categories not in
    `order` come after it in grey. The colour of a category is fixed by `order`, whatever the run holds."""
    seen = {v for pts in rows.values() for _, v in pts}
    cats = list(order) + sorted(seen - set(order))
    cols = list(colors) + ["#999999"] * (len(cats) - len(order))
    n = len(cats)
    scale = []
    for i, c in enumerate(cols):  # discrete bands: [i/n, (i+1)/n] in colour i
        scale += [[i / n, c], [(i + 1) / n, c]]
    addrs = [a for a, pts in rows.items() if pts]
    last = max((c for a in addrs for c, _ in rows[a]), default=0)
    z, text = [], []
    for a in addrs:
        held = dict(rows[a])
        z.append([cats.index(held[c]) if c in held else None for c in range(last + 1)])
        text.append([held.get(c, "") for c in range(last + 1)])
    fig = _fig(max(220, 70 + 18 * len(addrs)))
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(range(last + 1)),
            y=[_label(m, a) for a in addrs],
            text=text,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            xgap=1,
            ygap=1,
            hovertemplate="%{y}<br>cycle %{x}: %{text}<extra></extra>",
            colorbar=dict(tickvals=list(range(n)), ticktext=cats, title=dict(text=what), len=1.0),
        )
    )
    fig.update_xaxes(title_text="cycle", showgrid=False)
    fig.update_yaxes(showgrid=False, autorange="reversed", tickfont=dict(size=9))
    return fig


def plot_survival(m: Metrics) -> go.Figure:
    rows = {a: [(s.cycle, s.survival_class) for s in ss if s.survival_class] for a, ss in m.samples.items()}
    if not any(rows.values()):
        return _empty("no survival classes recorded")
    return _category_heatmap(m, rows, SURVIVAL_CLASSES, SURVIVAL_COLORS, "survival")


# ------------------------------------------------------------------ the agents' minds
def mind_of(m: Metrics | dict[str, Any]) -> dict[str, dict[str, Any]]:
    """metrics["mind"]: {address: {"persona", "status_timeline": [[cycle, status], ...], "goals":
    {"generated"|"pursued"|"completed": {origin: n}}, "vetoes", "mutations_applied",
    "value_drift": [[cycle, drift], ...]}} ({} when the run did not record it). Read from a Metrics'
    `mind` attribute, or `info["mind"]`, or a metrics.json dict."""
    if isinstance(m, dict):
        return m.get("mind") or {}
    return getattr(m, "mind", None) or m.info.get("mind") or {}


def mind_note_of(m: Metrics | dict[str, Any]) -> str:
    if isinstance(m, dict):
        return str(m.get("mind_note") or "")
    return str(getattr(m, "mind_note", None) or m.info.get("mind_note") or "")


def plot_mind_status(m: Metrics, mind: dict[str, dict[str, Any]]) -> go.Figure:
    """The status timeline holds a status from its cycle until the next entry (or the run's last cycle)."""
    last = max(
        [_last_cycle(m)] + [int(c) for rec in mind.values() for c, _ in rec.get("status_timeline", [])]
    )
    rows: dict[str, list[tuple[int, str]]] = {}
    for addr, rec in mind.items():
        tl = sorted((int(c), str(s)) for c, s in rec.get("status_timeline", []))
        pts = []
        for i, (c, s) in enumerate(tl):
            end = tl[i + 1][0] if i + 1 < len(tl) else last + 1
            pts += [(k, s) for k in range(c, end)]
        rows[addr] = pts
    if not any(rows.values()):
        return _empty("no L4.9 status recorded")
    return _category_heatmap(m, rows, STATUS_ORDER, STATUS_COLORS, "L4.9 status")


def plot_mind_goals(m: Metrics, mind: dict[str, dict[str, Any]]) -> go.Figure:
    stages = ("generated", "pursued", "completed")
    totals: dict[str, Counter[str]] = {st: Counter() for st in stages}
    for rec in mind.values():
        for st in stages:
            for origin, n in (rec.get("goals", {}).get(st) or {}).items():
                totals[st][str(origin)] += int(n)
    origins = sorted(set().union(*totals.values()), key=lambda o: (-totals["generated"][o], o))
    if not origins:
        return _empty("no goals generated")
    fig = _fig(360, barmode="group")
    for st, color in zip(stages, ("#4477aa", "#ccbb44", "#228833"), strict=False):
        fig.add_trace(
            go.Bar(
                x=origins,
                y=[totals[st][o] for o in origins],
                name=f"{st} ({sum(totals[st].values())})",
                marker_color=color,
                hovertemplate=f"%{{x}}: %{{y}} {st}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="goals (all agents)")
    fig.update_xaxes(title_text="origin")
    return fig


def plot_mind_vetoes(m: Metrics, mind: dict[str, dict[str, Any]]) -> go.Figure:
    addrs = list(mind)
    if not addrs:
        return _empty("no minds recorded")
    labels = [f"{_label(m, a)}" for a in addrs]
    fig = _fig(340, barmode="group")
    for key, name, color in (
        ("vetoes", "vetoes", "#ee6677"),
        ("mutations_applied", "mutations applied", "#4477aa"),
    ):
        ys = [int(mind[a].get(key, 0)) for a in addrs]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=ys,
                name=f"{name} ({sum(ys)})",
                marker_color=color,
                customdata=[_persona(m, a) for a in addrs],
                hovertemplate=f"%{{x}} (%{{customdata}}): %{{y}} {name}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="count", rangemode="tozero")
    return fig


def plot_mind_drift(m: Metrics, mind: dict[str, dict[str, Any]]) -> go.Figure:
    series = {a: sorted((int(c), float(d)) for c, d in rec.get("value_drift", [])) for a, rec in mind.items()}
    return _drift_figure(m, series)


# ------------------------------------------------------------------ page
def plot_value_chain(m: Metrics) -> go.Figure:
    """Who hired whom for the parts of composite jobs: agents on a circle, an arrow per (hirer,
    sub-provider) pair, width by paid volume, red where sub-jobs failed; the hover gives the figures."""
    edges = m.value_chain()
    if not edges:
        return _empty("no value chain in this run (no composite service was traded)")
    import math

    nodes = sorted({e["client"] for e in edges} | {e["provider"] for e in edges})
    pos = {
        a: (math.cos(2 * math.pi * i / len(nodes)), math.sin(2 * math.pi * i / len(nodes)))
        for i, a in enumerate(nodes)
    }
    fig = _fig(440, xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"}, showlegend=False)
    top = max(e["volume"] for e in edges) or 1
    for e in edges:
        (x0, y0), (x1, y1) = pos[e["client"]], pos[e["provider"]]
        text = (
            f"{_label(m, e['client'])} hired {_label(m, e['provider'])}: {e['jobs']} jobs, "
            f"{e['volume'] / m.token_unit:,.2f} {m.token_symbol} paid, {e['failures']} failed<br>"
            + ", ".join(e["services"])
        )
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowwidth=1 + 5 * e["volume"] / top,
            standoff=14,
            startstandoff=14,
            arrowcolor="#c0392b" if e["failures"] else "#2c7fb8",
            hovertext=text,
        )
        fig.add_trace(
            go.Scatter(
                x=[(x0 + x1) / 2],
                y=[(y0 + y1) / 2],
                mode="markers",
                marker={"size": 10, "opacity": 0},
                hovertext=text,
                hoverinfo="text",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[pos[a][0] for a in nodes],
            y=[pos[a][1] for a in nodes],
            mode="markers+text",
            text=[_label(m, a) for a in nodes],
            textposition="top center",
            marker={"size": 16, "color": [_persona_colors(m).get(_persona(m, a), "#888") for a in nodes]},
            hovertext=[f"{_label(m, a)} ({_persona(m, a)})" for a in nodes],
            hoverinfo="text",
        )
    )
    composites = [j for j in m.jobs if j.verified is not None]
    ok = sum(1 for j in composites if j.verified)
    fig.update_layout(title=f"value chain: {len(composites)} composite deliveries, {ok} verified end to end")
    return fig


def render_plots(m: Metrics | dict[str, Any]) -> dict[str, go.Figure]:
    """Chart id -> plotly figure (the mind charts only when the metrics carry minds)."""
    mind = mind_of(m)
    m = _as_metrics(m)
    plots = {
        "balances": plot_balances(m),
        "prices": plot_prices(m),
        "reputation": plot_reputation(m),
        "jobs": plot_jobs(m),
        "slashes": plot_slashes(m),
        "governance": plot_governance(m),
        "ass": plot_ass(m),
        "drift": plot_drift(m),
        "survival": plot_survival(m),
        "value-chain": plot_value_chain(m),
    }
    if mind:
        plots.update(
            {
                "mind-status": plot_mind_status(m, mind),
                "mind-goals": plot_mind_goals(m, mind),
                "mind-vetoes": plot_mind_vetoes(m, mind),
                "mind-drift": plot_mind_drift(m, mind),
            }
        )
    return plots


def _as_metrics(m: Metrics | dict[str, Any]) -> Metrics:
    if isinstance(m, dict):
        out = Metrics.from_dict(m)
        if m.get("mind"):
            out.info.setdefault("mind", m["mind"])
        if m.get("mind_note"):
            out.info.setdefault("mind_note", m["mind_note"])
        return out
    return m


def _chart(fig: go.Figure, pid: str) -> str:
    html: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{pid}",
        default_height=f"{fig.layout.height or 360}px",
        config={"displaylogo": False, "responsive": True},
    )
    return html


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    # inside <script>: a literal "</script" in the bundle would end the element early
    bundle: str = get_plotlyjs()
    return bundle.replace("</script", "<\\/script")


def _agent_table(m: Metrics) -> str:
    rows = []
    for addr, info in m.agents.items():
        s = m.latest(addr)
        cells = [
            html.escape(info.label),
            html.escape(info.persona),
            f"{s.balance / m.token_unit:,.2f}" if s else "-",
            f"{s.stake / m.token_unit:,.2f}" if s else "-",
            f"{s.reputation:.3f}" if s else "-",
            f"{s.ass:.3f}" if s and s.ass is not None else "-",
            f"{s.value_drift:.3f}" if s else "-",
            html.escape(s.survival_class) if s and s.survival_class else "-",
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("agent", "persona", "balance", "stake", "reputation", "ASS", "value drift", "survival")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(m: Metrics | dict[str, Any]) -> str:
    note = mind_note_of(m)
    plots = render_plots(m)
    m = _as_metrics(m)

    def section(pid: str, title: str) -> str:
        return f'<section id="plot-{pid}"><h2>{html.escape(title)}</h2>{_chart(plots[pid], pid)}</section>'

    sections = "\n".join(section(pid, title) for pid, title in PLOTS)
    if "mind-status" in plots:
        sections += (
            '\n<section id="mind"><h2>Minds: the agents\' Level 4.9 cognition</h2>'
            + (f'<p class="note">{html.escape(note)}</p>' if note else "")
            + "\n".join(section(pid, title) for pid, title in MIND_PLOTS)
            + "</section>"
        )
    info = "".join(
        f"<li><b>{html.escape(str(k))}</b>: {html.escape(_info_value(v))}</li>"
        for k, v in m.info.items()
        if k not in ("mind", "mind_note")
    )
    summary = html.escape(summary_text(m))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(m.title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }}
table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
pre {{ background: #f5f5f5; padding: 1em; }} section {{ margin-bottom: 1.5em; }}
h2 {{ font-size: 1.1em; border-bottom: 1px solid #ddd; }} .note {{ color: #555; }}
</style>
<script>{_plotly_js()}</script>
</head><body>
<h1>{html.escape(m.title)}</h1>
<ul>{info}</ul>
<pre>{summary}</pre>
{sections}
<section id="agents"><h2>Agents (last sample)</h2>{_agent_table(m)}</section>
</body></html>
"""


def _info_value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, default=str)


def write_report(m: Metrics | dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(m), encoding="utf-8")
    return path


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters; a proposal's "<reason>: <change>" keeps its change whole."""
    if len(text) <= width:
        return text
    head, sep, tail = text.rpartition(": ")
    if sep and len(tail) + 4 < width:
        return head[: width - len(tail) - 3] + "…: " + tail
    return text[: width - 1] + "…"


def proposal_lines(m: Metrics, width: int = 78, limit: int = 2) -> list[str]:
    """Per proposal (oldest first, at most `limit`): the cycle it was made in, its proposer and its final
    state (with the cycle it executed in); ballots and voting power on each side; its description on at
    most two lines."""
    unit = m.token_unit
    props = sorted(m.proposals.values(), key=lambda p: (p.cycle, p.proposal_id))
    out = []
    for i, p in enumerate(props[:limit]):
        who = m.agents[p.proposer].label if p.proposer in m.agents else p.proposer[:10]
        state = p.state + (f" at cycle {p.executed_cycle}" if p.executed_cycle is not None else "")
        out.append(f"proposal #{i + 1} cycle {p.cycle} by {who}: {state}")
        out.append(
            f"   votes for {p.voters_for} ({p.votes_for / unit:,.0f} {m.token_symbol})  "
            f"against {p.voters_against} ({p.votes_against / unit:,.0f})  "
            f"abstain {p.voters_abstain} ({p.votes_abstain / unit:,.0f})"
        )
        desc = textwrap.wrap(p.description, width - 3) or [""]
        out += ["   " + line for line in desc[:1]]
        if len(desc) > 1:
            out.append("   " + shorten(" ".join(desc[1:]), width - 3))
    if len(props) > limit:
        out.append(f"   ... {len(props) - limit} more proposals in the report's plot")
    return out


def summary_text(m: Metrics | dict[str, Any], width: int = 78) -> str:
    """A one-screen terminal summary (at most ~24 lines). ASS is "-" for a persona none of whose agents
    has reached its first L4.9 cycle (short runs)."""
    m = _as_metrics(m)
    unit = m.token_unit
    lines = [m.title[:width], "=" * min(width, max(len(m.title), 10))]
    cycles = m.cycles()
    latest_balances = [s.balance for a in m.agents if (s := m.latest(a))]
    done = cycles[-1] + 1 if cycles else 0  # cycles are numbered from 0
    asked = m.info.get("cycles")
    shown = f"{done}" if asked in (None, done) else f"{done} of {asked}"
    lines.append(
        f"agents {len(m.agents)}   cycles {shown}   "
        f"Gini {gini(latest_balances):.3f}   supply held {sum(latest_balances) / unit:,.0f} {m.token_symbol}"
    )
    jobs = m.jobs_by_outcome()
    short = {"disputed_provider_won": "disp.prov", "disputed_client_won": "disp.client"}
    lines.append(f"jobs {len(m.jobs)}: " + "  ".join(f"{short.get(k, k)} {v}" for k, v in jobs.items() if v))
    slashed = sum(s.amount for s in m.slashes) / unit
    states = Counter(p.state for p in m.proposals.values())
    lines.append(
        f"slashes {len(m.slashes)} ({slashed:,.2f} {m.token_symbol})   proposals {len(m.proposals)}"
        + (": " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) if states else "")
    )
    lines += proposal_lines(m, width)
    if m.prices:
        lines.append(
            "last prices  "
            + "  ".join(f"{svc} {pts[-1][1] / unit:.4g}" for svc, pts in sorted(m.prices.items()) if pts)
        )
    lines.append("")
    lines.append(f"{'persona':<20}{'n':>3}{'balance':>12}{'reput.':>8}{'ASS':>7}{'drift':>7}  survival")
    for persona, addrs in sorted(m.by_persona().items()):
        last = [s for a in addrs if (s := m.latest(a))]
        if not last:
            lines.append(f"{persona:<20}{len(addrs):>3}")
            continue
        asses = [s.ass for s in last if s.ass is not None]
        surv = Counter(s.survival_class for s in last if s.survival_class).most_common(1)
        lines.append(
            f"{persona:<20}{len(addrs):>3}{mean(s.balance for s in last) / unit:>12,.1f}"
            f"{mean(s.reputation for s in last):>8.3f}"
            + (f"{mean(asses):>7.3f}" if asses else f"{'-':>7}")
            + f"{mean(s.value_drift for s in last):>7.3f}"
            f"  {surv[0][0] if surv else '-'}"
        )
    import textwrap

    out: list[str] = []
    for line in lines:  # long lines wrap (indented), never cut
        out += (
            [line]
            if len(line) <= width
            else textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False)
        )
    return "\n".join(out)
