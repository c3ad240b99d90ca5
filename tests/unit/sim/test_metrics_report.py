"""Metrics model (Gini, serialisation) and the self-contained HTML report on synthetic data."""

import html
import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.sim.metrics import AgentSample, JobRecord, Metrics, ProposalRecord, SlashRecord, gini
from agents.sim.report import (
    MIND_PLOTS,
    PLOTS,
    STATUS_ORDER,
    SURVIVAL_CLASSES,
    plot_ass,
    plot_drift,
    plot_slashes,
    plot_survival,
    render_html,
    render_plots,
    summary_text,
    write_report,
)

U = 10**18


def test_gini__known_values():
    assert gini([]) == 0
    assert gini([0, 0, 0]) == 0
    assert gini([5, 5, 5, 5]) == pytest.approx(0)
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n-1)/n
    assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert gini([1, 3]) == pytest.approx(0.25)


def test_gini__negative__value_error():
    with pytest.raises(ValueError):
        gini([1, -1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**24), min_size=1, max_size=40), st.integers(1, 1000))
def test_gini__matches_pairwise_definition_and_is_scale_invariant(xs, k):
    n, total = len(xs), sum(xs)
    expected = 0.0 if total == 0 else sum(abs(a - b) for a in xs for b in xs) / (2 * n * total)
    assert gini(xs) == pytest.approx(expected, abs=1e-9)
    assert gini([x * k for x in xs]) == pytest.approx(gini(xs), abs=1e-9)
    assert 0 <= gini(xs) <= (n - 1) / n + 1e-12


def synthetic(n_agents=8, cycles=30, seed=1) -> Metrics:
    rng = random.Random(seed)
    m = Metrics(title="synthetic run", info={"agents": n_agents, "cycles": cycles})
    personas = ["honest", "cheater", "guardian", "no_show"]
    classes = ["abundant", "adequate", "warning", "critical"]
    for i in range(n_agents):
        addr = f"0x{i:040x}"
        m.add_agent(addr, personas[i % 4], f"agent{i}")
        bal = 1000 * U
        for c in range(cycles):
            bal = max(0, bal + rng.randint(-50, 60) * U)
            m.record_agent(
                addr,
                AgentSample(
                    cycle=c,
                    balance=bal,
                    stake=100 * U,
                    reputation=rng.random(),
                    ass=None if c < 5 else rng.random(),
                    value_drift=c * 0.002,
                    survival_class=classes[(i + c // 10) % 4],
                ),
            )
    for c in range(cycles):
        for svc in ("factor", "hashchain", "median", "merkle"):
            m.record_price(svc, c, (1 + 0.01 * c) * U)
    outcomes = ["completed", "rejected", "expired", "disputed_provider_won"]
    for j in range(40):
        m.record_job(JobRecord(j, "factor", outcomes[j % 4], j % cycles, budget=U))
    m.record_slash(SlashRecord(10, "0x" + "0" * 39 + "1", 5 * U, "lost dispute"))
    m.record_proposal(
        ProposalRecord("0xp1", 12, "0x" + "0" * 40, "raise fee", "Executed", 300 * U, 100 * U, 0, 5)
    )
    return m


def test_metrics__json_roundtrip(tmp_path):
    m = synthetic()
    again = Metrics.load(m.save(tmp_path / "m.json"))
    assert again.to_dict() == m.to_dict()
    assert again.gini_series() == m.gini_series()


def test_record_job__final_outcome_replaces_earlier():
    m = Metrics()
    m.record_job(JobRecord(1, "factor", "open", 1))
    m.record_job(JobRecord(1, "factor", "completed", 3))
    assert m.jobs_by_outcome()["completed"] == 1 and m.jobs_by_outcome()["open"] == 0


def test_record_agent__unknown__key_error():
    with pytest.raises(KeyError):
        Metrics().record_agent("0x1", AgentSample(0, 1))


PLOTLY_BANNER = "* plotly.js v"


def _charts(text: str) -> dict[str, str]:
    """Section id -> the JSON data array passed to Plotly.newPlot for its chart."""
    out = {}
    for pid, body in re.findall(r'<section id="plot-([\w-]+)">(.*?)</section>', text, re.S):
        call = re.search(
            r'Plotly\.newPlot\(\s*"chart-' + re.escape(pid) + r'",\s*(\[.*?\]),\s*\{', body, re.S
        )
        assert call, pid
        out[pid] = call.group(1)
    return out


def test_report__every_chart_is_interactive_plotly_with_its_js_inlined_once_and_nothing_fetched(tmp_path):
    path = write_report(synthetic(), tmp_path / "out" / "report.html")
    text = path.read_text()
    assert set(_charts(text)) == {pid for pid, _ in PLOTS}
    assert text.count(PLOTLY_BANNER) == 1  # the bundle, once, in the head
    assert text.index(PLOTLY_BANNER) < text.index("<body>")
    # offline: no element loads anything (plotly.js's own source mentions URLs in strings; no tag uses one)
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)=", text)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", text)
    assert 'id="agents"' in text and "agent7" in text


def test_report__empty_metrics__every_chart_says_why(tmp_path):
    text = write_report(Metrics(), tmp_path / "r.html").read_text()
    assert set(_charts(text)) == {pid for pid, _ in PLOTS}
    assert "no agent samples recorded" in text and "no jobs were created" in text
    assert set(render_plots(Metrics())) == {pid for pid, _ in PLOTS}


def test_survival_classes__are_cognitions_best_first():
    assert SURVIVAL_CLASSES == ("abundant", "adequate", "constrained", "warning", "critical")


def test_plot_survival__colour_index_follows_cognitions_order__warning_before_critical():
    m = Metrics()
    m.add_agent("0xa", "honest", "a")
    for c, cls in enumerate(["critical", "warning", "abundant", "constrained"]):
        m.record_agent("0xa", AgentSample(c, 1, survival_class=cls))
    hm = plot_survival(m).data[0]
    assert list(hm.colorbar.ticktext) == list(SURVIVAL_CLASSES)  # every class, always the same colour
    assert list(hm.z[0]) == [4, 3, 0, 2]
    assert list(hm.text[0]) == ["critical", "warning", "abundant", "constrained"]


def test_plot_slashes__single_slash__a_step_from_zero_to_the_amount_through_the_run():
    m = synthetic(n_agents=2, cycles=40)
    m.slashes = [SlashRecord(17, "0x" + "0" * 39 + "1", 250 * U, "dispute lost")]
    fig = plot_slashes(m)
    step, marker, bars = fig.data
    assert list(step.x) == [0, 17, 39] and list(step.y) == [0.0, 250.0, 250.0]
    assert list(marker.x) == [17] and list(marker.y) == [250.0]
    assert "cheater" in marker.text[0] and "dispute lost" in marker.text[0]
    assert list(bars.x) == ["cheater"] and list(bars.y) == [1]


def test_plot_drift__zero_drift__bands_drawn_and_the_zero_explained():
    m = synthetic(n_agents=3, cycles=40)
    for ss in m.samples.values():
        for s in ss:
            s.value_drift = 0.0
    fig = plot_drift(m)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "peak drift 0.000; 0 of 3 agents moved" in notes
    assert "moves only when a mutation is applied" in notes
    assert {round(s.y0, 2) for s in fig.layout.shapes} == {0.10, 0.25, 0.40}
    assert fig.layout.yaxis.range[1] >= 0.40  # the bands are on screen, so the flat line reads as "nominal"


def test_plot_drift__moving_agents__peak_and_count():
    m = synthetic(n_agents=4, cycles=40)  # drift c * 0.002 for everyone
    notes = " ".join(a.text for a in plot_drift(m).layout.annotations)
    assert "peak drift 0.078; 4 of 4 agents moved" in notes


def test_short_run__no_ass_yet__summary_dash_not_nan_and_chart_says_why():
    m = synthetic(n_agents=4, cycles=4)  # ass None before cycle 5
    text = summary_text(m)
    assert "nan" not in text.lower()
    row = next(line for line in text.splitlines() if line.startswith("honest"))
    assert row.split()[4] == "-"
    fig = plot_ass(m)
    assert not fig.data
    assert "no ASS yet" in " ".join(a.text for a in fig.layout.annotations)


def test_summary_text__cycles_counts_the_cycles_run():
    assert "cycles 30" in summary_text(synthetic(cycles=30))


def _with_mind() -> dict:
    m = synthetic(n_agents=3, cycles=12)
    d = m.to_dict()
    addrs = list(m.agents)
    d["mind"] = {
        addrs[0]: {
            "persona": "honest",
            "status_timeline": [[0, "WARMING_UP"], [5, "ACTIVE"], [9, "FROZEN"]],
            "goals": {
                "generated": {"SURVIVAL_DRIVEN": 3, "EXPLORATION": 1},
                "pursued": {"SURVIVAL_DRIVEN": 2},
                "completed": {"SURVIVAL_DRIVEN": 1},
            },
            "vetoes": 4,
            "mutations_applied": 2,
            "value_drift": [[0, 0.0], [5, 0.05], [10, 0.12]],
        },
        addrs[1]: {
            "persona": "cheater",
            "status_timeline": [[0, "WARMING_UP"], [5, "PARTIAL"]],
            "goals": {"generated": {"EXPLORATION": 2}, "pursued": {}, "completed": {}},
            "vetoes": 0,
            "mutations_applied": 0,
            "value_drift": [[0, 0.0], [10, 0.0]],
        },
        # an agent the samples do not know (e.g. its metrics file was lost): drawn with the mind's persona
        "0x" + "9" * 40: {
            "persona": "guardian",
            "status_timeline": [[3, "ADVISORY"]],
            "goals": {"generated": {}, "pursued": {}, "completed": {}},
            "vetoes": 1,
            "mutations_applied": 0,
            "value_drift": [],
        },
    }
    d["mind_note"] = "Minds read from each agent's persisted cognition state."
    return d


def test_report__mind_present__status_goals_vetoes_mutations_drift_and_note(tmp_path):
    d = _with_mind()
    text = render_html(json.loads(json.dumps(d)))
    charts = _charts(text)
    assert {pid for pid, _ in MIND_PLOTS} <= set(charts)
    assert '<section id="mind">' in text and html.escape(d["mind_note"]) in text
    plots = render_plots(d)
    status = plots["mind-status"].data[0]
    assert list(status.colorbar.ticktext) == list(STATUS_ORDER)
    row0 = list(status.text[0])  # the status holds until the next entry, to the run's last cycle (11)
    assert row0 == ["WARMING_UP"] * 5 + ["ACTIVE"] * 4 + ["FROZEN"] * 3
    assert list(status.text[2])[:4] == ["", "", "", "ADVISORY"]
    goals = {t.name.split(" ")[0]: dict(zip(t.x, t.y, strict=True)) for t in plots["mind-goals"].data}
    assert goals["generated"] == {"SURVIVAL_DRIVEN": 3, "EXPLORATION": 3}
    assert goals["pursued"] == {"SURVIVAL_DRIVEN": 2, "EXPLORATION": 0}
    assert goals["completed"] == {"SURVIVAL_DRIVEN": 1, "EXPLORATION": 0}
    vet = {t.name: list(t.y) for t in plots["mind-vetoes"].data}
    assert vet == {"vetoes (5)": [4, 0, 1], "mutations applied (2)": [2, 0, 0]}
    assert "guardian" in list(plots["mind-vetoes"].data[0].customdata)
    notes = " ".join(a.text for a in plots["mind-drift"].layout.annotations)
    assert "peak drift 0.120; 1 of 3 agents moved" in notes and "2 value mutations applied" in notes
    write_report(d, tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text().count(PLOTLY_BANNER) == 1


def test_report__no_mind__no_mind_section():
    text = render_html(synthetic(n_agents=2, cycles=5))
    assert '<section id="mind">' not in text
    assert not set(render_plots(synthetic(n_agents=2, cycles=5))) & {pid for pid, _ in MIND_PLOTS}


def test_summary_text__one_screen_with_key_figures():
    m = synthetic()
    text = summary_text(m)
    lines = text.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 78
    assert "agents 8" in text and "Gini" in text
    assert (
        "jobs 40: completed 10" in text
        and "disp.prov 10" in text
        and "slashes 1" in text
        and "proposals 1" in text
    )
    for persona in ("honest", "cheater", "guardian", "no_show"):
        assert persona in text


def _governed() -> Metrics:
    m = Metrics(title="t")
    m.add_agent("0x" + "6" * 40, "guardian", "guardi-6666")
    pr = ProposalRecord(
        "7",
        25,
        "0x" + "6" * 40,
        "slashing too weak: a provider keeps failing jobs under the current collateral: "
        "set escrow.collateralRatioBps to 4000",
    )
    pr.count_vote(1, 5_000 * U)
    pr.count_vote(1, 4_000 * U)
    pr.count_vote(0, 4_000 * U)
    pr.count_vote(2, 1_000 * U)
    pr.state, pr.executed_cycle = "Executed", 35
    m.record_proposal(pr)
    return m


def test_count_vote__ballots_and_power_by_side():
    pr = _governed().proposals["7"]
    assert (pr.voters, pr.voters_for, pr.voters_against, pr.voters_abstain) == (4, 2, 1, 1)
    assert (pr.votes_for, pr.votes_against, pr.votes_abstain) == (9_000 * U, 4_000 * U, 1_000 * U)
    with pytest.raises(ValueError):
        pr.count_vote(3, U)
    assert pr.voters == 4


def test_summary_text__each_proposal_with_proposer_state_votes_and_description():
    lines = summary_text(_governed()).splitlines()
    i = lines.index("proposal #1 cycle 25 by guardi-6666: Executed at cycle 35")
    assert lines[i + 1 : i + 4] == [
        "   votes for 2 (9,000 AGENT)  against 1 (4,000)  abstain 1 (1,000)",
        "   slashing too weak: a provider keeps failing jobs under the current",
        "   collateral: set escrow.collateralRatioBps to 4000",
    ]
    assert "proposals 1: Executed 1" in lines[i - 1]


def test_summary_text__many_proposals__still_one_screen():
    m = synthetic()
    for k in range(5):
        desc = "x " * 80 + f": set escrow.feeBps to {k}"
        m.record_proposal(ProposalRecord(f"p{k}", k, "0x" + "0" * 40, desc))
    lines = summary_text(m).splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 78
    assert "   ... 4 more proposals in the report's plot" in lines


def test_metrics__old_proposal_records_without_ballot_counts_still_load():
    d = _governed().to_dict()
    for k in ("voters_for", "voters_against", "voters_abstain", "executed_cycle"):
        del d["proposals"]["7"][k]
    pr = Metrics.from_dict(d).proposals["7"]
    assert (pr.voters, pr.voters_for, pr.executed_cycle) == (4, 0, None)
