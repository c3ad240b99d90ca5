"""Issue 15 parts 6-8: the offline market, the audit command, the paired comparison, metrics["mind"]."""

from __future__ import annotations

import re

from click.testing import CliRunner

from agents.cognition import AgentState
from agents.sim.compare import figures
from agents.sim.metrics import MIND_NOTE, Metrics, mind_record
from agents.sim.offline import OfflineMarket

PERSONAS = ["honest", "honest", "cheater", "no_show", "guardian"]


def test_offline_market__same_seed__same_run():
    a = OfflineMarket(PERSONAS, seed=3).run(60)
    b = OfflineMarket(PERSONAS, seed=3).run(60)
    assert a.hires == b.hires and a.settled == b.settled and a.token == b.token
    assert len(a.hires) > 20 and any(o == "completed" for *_, o in a.settled)


def test_offline_market__runtime_code_path__memory_and_cognition_advance():
    m = OfflineMarket(PERSONAS, seed=1).run(40)
    for ag in m.agents:
        assert ag.memory.cycle == 40 and ag.cognition.cycle == 40 and ag.memory.agent_id > 0
        assert ag.cognition.activation.phase == "CHECK"  # §10.2 from the start


def test_offline_market__money_is_conserved():
    m = OfflineMarket(PERSONAS, seed=2)
    start = sum(m.token.values()) + sum(m.bonded.values())
    m.run(80)
    escrow = sum(j.held + j.bond for j in m.jobs.values())
    assert sum(m.token.values()) + sum(m.bonded.values()) + escrow + m.treasury == start


def test_offline_market__l48_only__cheater_and_no_show_hired_less_over_time():
    m = OfflineMarket(PERSONAS, seed=1, ignore_mind=True).run(240)
    persona = {a.address: a.persona.name for a in m.agents}
    early = [p for c, _, p in m.hires if c < 60]
    late = [p for c, _, p in m.hires if c >= 180]
    bad = lambda xs: sum(1 for p in xs if persona[p] in ("cheater", "no_show")) / max(1, len(xs))  # noqa: E731
    assert bad(late) < bad(early)
    assert all(a.guidance.authority == 0.0 for a in m.agents)


def test_figures__avoided_from_cycle_and_shares():
    persona = {"0xa": "honest", "0xc": "cheater", "0xn": "no_show"}
    hires = [(c, "0xc") for c in range(40)] + [(c, "0xa") for c in range(1000)]
    f = figures(
        hires, [(5, "completed"), (6, "expired")], persona, {"0xa": 10**18}, {"0xa": "abundant"}, 1000
    )
    assert f["avoided_from_cycle"] == {"cheater": 40, "no_show": 0}
    assert f["hire_share"]["cheater"][0] == [50, round(40 / 90, 4)] and f["jobs_completed"] == 1


def test_mind_record__schema():
    rows = [
        {"cycle": 0, "status": "WARMING_UP", "drift": 0.0},
        {
            "cycle": 1,
            "status": "INACTIVE",
            "drift": 0.01,
            "vetoes": 2,
            "mutations": 1,
            "goals": {"generated": ["EXPLORATORY"], "pursued": [], "completed": []},
        },
        {
            "cycle": 2,
            "status": "INACTIVE",
            "drift": 0.02,
            "goals": {"generated": ["EXPLORATORY"], "pursued": ["EXPLORATORY"], "completed": ["EXPLORATORY"]},
        },
    ]
    r = mind_record("honest", rows)
    assert r == {
        "persona": "honest",
        "status_timeline": [[0, "WARMING_UP"], [1, "INACTIVE"]],
        "goals": {
            "generated": {"EXPLORATORY": 2},
            "pursued": {"EXPLORATORY": 1},
            "completed": {"EXPLORATORY": 1},
        },
        "vetoes": 2,
        "mutations_applied": 1,
        "value_drift": [[0, 0.0], [1, 0.01], [2, 0.02]],
    }
    m = Metrics(mind={"0xa": r}, mind_note=MIND_NOTE.format(cycles=40))
    back = Metrics.from_dict(m.to_dict())
    assert back.mind == {"0xa": r} and "cognition audit" in back.mind_note and "40 cycles" in back.mind_note


def test_cognition_audit_cli__prints_every_criterion_and_the_last_line():
    from agents.sim.audit_cli import cognition

    res = CliRunner().invoke(cognition, ["audit", "--cycles", "60", "--seed", "2"])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    for cid in (
        "AG-1",
        "AG-2",
        "AG-3",
        "AG-4",
        "VR-1",
        "VR-2",
        "VR-3",
        "VR-4",
        "RA-1",
        "RA-2",
        "RA-3",
        "RA-4",
        "MA-1",
        "MA-2",
        "MA-3",
        "AS-1",
        "AS-2",
        "AS-3",
        "AS-4",
        "AS-5",
    ):
        assert any(line.startswith(cid + " ") for line in lines), cid
    assert any(line.startswith("L4.9 status, share of cycles:") for line in lines)
    assert re.fullmatch(r"AMS \d\.\d{3} qualified no", lines[-1])  # 60 cycles: an incomplete period


def test_cognition_audit_cli__unknown_persona__one_error_line():
    from agents.sim.audit_cli import cognition

    res = CliRunner().invoke(cognition, ["audit", "--persona", "pirate"])
    assert res.exit_code != 0 and "unknown persona" in res.output


def test_agent_audit_cli__reads_a_persisted_agent(tmp_path):
    from agents.runtime.audit_cli import audit
    from agents.runtime.store import AgentStore

    m = OfflineMarket(PERSONAS, seed=1).run(30)
    d = tmp_path / m.agents[0].address.lower()
    store = AgentStore(d / "agent.sqlite")
    store.put_state("cognition", m.agents[0].cognition.to_dict())
    store.put_state("status_cycles", m.agents[0].status_cycles)
    store.close()
    assert AgentState.from_dict(m.agents[0].cognition.to_dict()).cycle == 30
    res = CliRunner().invoke(audit, ["--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "current period (cycle 30" in res.output and res.output.strip().splitlines()[-1].startswith("AMS ")
    assert CliRunner().invoke(audit, ["--data-dir", str(tmp_path / "none")]).exit_code != 0
