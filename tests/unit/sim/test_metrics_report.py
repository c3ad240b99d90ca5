"""Metrics model (Gini, serialisation) and the self-contained HTML report on synthetic data."""

import base64
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.sim.metrics import AgentSample, JobRecord, Metrics, ProposalRecord, SlashRecord, gini
from agents.sim.report import PLOTS, render_plots, summary_text, write_report

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
    classes = ["SECURE", "ADEQUATE", "WARNING", "CRITICAL"]
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
    m.record_proposal(ProposalRecord("0xp1", 12, "0x" + "0" * 40, "raise fee", "Executed", 300 * U, 100 * U, 0, 5))
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


def test_report__file_written_with_every_plot_and_no_external_urls(tmp_path):
    path = write_report(synthetic(), tmp_path / "out" / "report.html")
    text = path.read_text()
    for pid, _ in PLOTS:
        section = re.search(rf'<section id="plot-{pid}">.*?<img [^>]*src="data:image/png;base64,([^"]+)"', text, re.S)
        assert section, pid
        assert base64.b64decode(section.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "http://" not in text and "https://" not in text
    assert 'id="agents"' in text and "agent7" in text


def test_report__empty_metrics__still_renders(tmp_path):
    path = write_report(Metrics(), tmp_path / "r.html")
    assert path.read_text().count("data:image/png;base64,") == len(PLOTS)
    assert len(render_plots(Metrics())) == len(PLOTS)


def test_summary_text__one_screen_with_key_figures():
    m = synthetic()
    text = summary_text(m)
    lines = text.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 78
    assert "agents 8" in text and "Gini" in text
    assert "jobs 40: completed 10" in text and "disp.prov 10" in text and "slashes 1" in text and "proposals 1" in text
    for persona in ("honest", "cheater", "guardian", "no_show"):
        assert persona in text


def _governed() -> Metrics:
    m = Metrics(title="t")
    m.add_agent("0x" + "6" * 40, "guardian", "guardi-6666")
    pr = ProposalRecord("7", 25, "0x" + "6" * 40,
                        "slashing too weak: a provider keeps failing jobs under the current collateral: "
                        "set escrow.collateralRatioBps to 4000")
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
    assert lines[i + 1:i + 4] == [
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
