"""The simulation report: one self-contained HTML page (PNG plots embedded) and a terminal summary.

    write_report(metrics, "out/report.html")     # -> Path
    print(summary_text(metrics))

Plots (each a section with an id, so tests and readers can find it): balances and Gini over time,
prices per service, reputation by persona, jobs by outcome, slashes, proposals and votes, and per-agent
ASS, value drift and survival class. No external resources: styles inline, images as data: URIs.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections import Counter
from pathlib import Path
from statistics import mean

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from agents.sim.metrics import Metrics, gini  # noqa: E402

SURVIVAL_ORDER = ("SECURE", "ADEQUATE", "WARNING", "CRITICAL", "TERMINAL")
PLOTS = (
    ("balances", "Token balances and Gini coefficient"),
    ("prices", "Asking prices per service"),
    ("reputation", "Reputation by persona (mean)"),
    ("jobs", "Jobs by outcome"),
    ("slashes", "Slashes"),
    ("governance", "Proposals and votes"),
    ("ass", "Autonomy stability score (ASS) per agent"),
    ("drift", "Value drift per agent"),
    ("survival", "Survival class per agent over time"),
)


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _empty(ax: plt.Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _persona_colors(m: Metrics) -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10")
    return {p: cmap(i % 10) for i, p in enumerate(sorted(m.by_persona()))}


def plot_balances(m: Metrics) -> str:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
    colors = _persona_colors(m)
    unit = m.token_unit
    for addr, series in m.samples.items():
        if series:
            persona = m.agents[addr].persona
            xs, ys = [s.cycle for s in series], [s.balance / unit for s in series]
            ax.plot(xs, ys, color=colors[persona], lw=0.9)
    for persona, color in colors.items():
        ax.plot([], [], color=color, label=persona)
    if m.samples and any(m.samples.values()):
        ax.legend(fontsize=7)
    else:
        _empty(ax, "no samples")
    ax.set_xlabel("cycle")
    ax.set_ylabel(m.token_symbol)
    ax.set_title("balances")
    g = m.gini_series()
    if g:
        ax2.plot([c for c, _ in g], [v for _, v in g], color="black")
        ax2.set_ylim(0, 1)
    else:
        _empty(ax2, "no samples")
    ax2.set_xlabel("cycle")
    ax2.set_title("Gini of balances")
    return _png(fig)


def plot_prices(m: Metrics) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.6))
    for service, points in sorted(m.prices.items()):
        ax.plot([c for c, _ in points], [p / m.token_unit for _, p in points], label=service, lw=1)
    if m.prices:
        ax.legend(fontsize=7)
        ax.set_xlabel("cycle")
        ax.set_ylabel(m.token_symbol)
    else:
        _empty(ax, "no prices recorded")
    return _png(fig)


def plot_reputation(m: Metrics) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.6))
    colors = _persona_colors(m)
    drew = False
    for persona, addrs in sorted(m.by_persona().items()):
        by_cycle: dict[int, list[float]] = {}
        for a in addrs:
            for s in m.samples.get(a, []):
                by_cycle.setdefault(s.cycle, []).append(s.reputation)
        if by_cycle:
            cycles = sorted(by_cycle)
            ax.plot(cycles, [mean(by_cycle[c]) for c in cycles], label=persona, color=colors[persona])
            drew = True
    if drew:
        ax.legend(fontsize=7)
        ax.set_xlabel("cycle")
    else:
        _empty(ax, "no samples")
    return _png(fig)


def plot_jobs(m: Metrics) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.2))
    counts = m.jobs_by_outcome()
    ax.bar(list(counts), list(counts.values()), color="#4477aa")
    for i, v in enumerate(counts.values()):
        ax.text(i, v, str(v), ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    return _png(fig)


def plot_slashes(m: Metrics) -> str:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.2))
    if m.slashes:
        ordered = sorted(m.slashes, key=lambda s: s.cycle)
        total, xs, ys = 0.0, [], []
        for s in ordered:
            total += s.amount / m.token_unit
            xs.append(s.cycle)
            ys.append(total)
        ax.step(xs, ys, where="post", color="#aa3377")
        ax.set_xlabel("cycle")
        ax.set_ylabel(f"cumulative {m.token_symbol} slashed")
        per_persona = Counter()
        for s in m.slashes:
            per_persona[m.agents[s.agent].persona if s.agent in m.agents else "?"] += 1
        ax2.bar(list(per_persona), list(per_persona.values()), color="#aa3377")
        ax2.set_title("slashes by persona")
        ax2.tick_params(axis="x", labelsize=8)
    else:
        _empty(ax, "no slashes")
        _empty(ax2, "no slashes")
    return _png(fig)


def plot_governance(m: Metrics) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.4))
    props = sorted(m.proposals.values(), key=lambda p: p.cycle)
    if props:
        # "#1 Executed" over the change itself (the part of the description after the reason)
        labels = [f"#{i + 1} {p.state}\n{shorten(p.description.rpartition(': ')[2], 32)}"
                  for i, p in enumerate(props)]
        x = range(len(props))
        unit = m.token_unit
        ax.bar([i - 0.25 for i in x], [p.votes_for / unit for p in props], 0.25, label="for", color="#228833")
        ax.bar(list(x), [p.votes_against / unit for p in props], 0.25, label="against", color="#ee6677")
        abstain = [p.votes_abstain / unit for p in props]
        ax.bar([i + 0.25 for i in x], abstain, 0.25, label="abstain", color="#bbbbbb")
        ax.set_xticks(list(x), labels, rotation=30, fontsize=7, ha="right")
        ax.set_ylabel("voting power")
        ax.legend(fontsize=7)
    else:
        _empty(ax, "no proposals")
    return _png(fig)


def _per_agent_lines(m: Metrics, attr: str, ylabel: str, ylim: tuple[float, float] | None = None) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.4))
    colors = _persona_colors(m)
    drew = False
    for addr, series in m.samples.items():
        pts = [(s.cycle, getattr(s, attr)) for s in series if getattr(s, attr) is not None]
        if pts:
            ax.plot([c for c, _ in pts], [v for _, v in pts], color=colors[m.agents[addr].persona], lw=0.8)
            drew = True
    if drew:
        for persona, color in colors.items():
            ax.plot([], [], color=color, label=persona)
        ax.legend(fontsize=7)
        ax.set_xlabel("cycle")
        ax.set_ylabel(ylabel)
        if ylim:
            ax.set_ylim(*ylim)
    else:
        _empty(ax, f"no {ylabel} recorded")
    return _png(fig)


def plot_survival(m: Metrics) -> str:
    fig, ax = plt.subplots(figsize=(11, max(2.0, 0.22 * len(m.agents) + 1)))
    classes = sorted(
        {s.survival_class for series in m.samples.values() for s in series if s.survival_class},
        key=lambda c: (SURVIVAL_ORDER.index(c) if c in SURVIVAL_ORDER else 99, c),
    )
    if classes:
        cmap = plt.get_cmap("RdYlGn_r", max(2, len(classes)))
        for row, (addr, series) in enumerate(m.samples.items()):
            for s in series:
                if s.survival_class:
                    ax.scatter(s.cycle, row, color=cmap(classes.index(s.survival_class)), s=10, marker="s")
        ax.set_yticks(range(len(m.samples)), [m.agents[a].label for a in m.samples], fontsize=6)
        for i, c in enumerate(classes):
            ax.scatter([], [], color=cmap(i), marker="s", label=c)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_xlabel("cycle")
    else:
        _empty(ax, "no survival classes recorded")
    return _png(fig)


def render_plots(m: Metrics) -> dict[str, str]:
    """Plot id -> base64 PNG."""
    return {
        "balances": plot_balances(m),
        "prices": plot_prices(m),
        "reputation": plot_reputation(m),
        "jobs": plot_jobs(m),
        "slashes": plot_slashes(m),
        "governance": plot_governance(m),
        "ass": _per_agent_lines(m, "ass", "ASS", (0, 1)),
        "drift": _per_agent_lines(m, "value_drift", "value drift"),
        "survival": plot_survival(m),
    }


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
            html.escape(s.survival_class) if s else "-",
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("agent", "persona", "balance", "stake", "reputation", "ASS", "value drift", "survival")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(m: Metrics) -> str:
    plots = render_plots(m)
    sections = "\n".join(
        f'<section id="plot-{pid}"><h2>{html.escape(title)}</h2>'
        f'<img alt="{html.escape(title)}" src="data:image/png;base64,{plots[pid]}"></section>'
        for pid, title in PLOTS
    )
    info = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>" for k, v in m.info.items())
    summary = html.escape(summary_text(m))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(m.title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }}
img {{ max-width: 100%; }} table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
pre {{ background: #f5f5f5; padding: 1em; }}
</style></head><body>
<h1>{html.escape(m.title)}</h1>
<ul>{info}</ul>
<pre>{summary}</pre>
{sections}
<section id="agents"><h2>Agents (last sample)</h2>{_agent_table(m)}</section>
</body></html>
"""


def write_report(m: Metrics, path: str | Path) -> Path:
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


def summary_text(m: Metrics, width: int = 78) -> str:
    """A one-screen terminal summary (at most ~24 lines)."""
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
    lines.append(f"slashes {len(m.slashes)} ({slashed:,.2f} {m.token_symbol})   proposals {len(m.proposals)}"
                 + (": " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) if states else ""))
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
            + (f"{mean(asses):>7.3f}" if asses else f"{'-':>7}") + f"{mean(s.value_drift for s in last):>7.3f}"
            f"  {surv[0][0] if surv else '-'}"
        )
    import textwrap

    out: list[str] = []
    for line in lines:  # long lines wrap (indented), never cut
        out += [line] if len(line) <= width else textwrap.wrap(line, width, subsequent_indent="    ",
                                                               break_on_hyphens=False)
    return "\n".join(out)
