"""The dashboard's fold: balances, jobs through their states, asks, slashes, proposals; minds from data
dirs."""

import json

from agents.chain.indexer import ChainEvent
from agents.dashboard.server import MindReader, _redact, _tail_line
from agents.dashboard.state import ZERO, DashboardState

U = 10**18
A, B, G = "0x" + "a" * 40, "0x" + "b" * 40, "0x" + "c" * 40


class Chain:
    def __init__(self):
        self.block, self.li = 10, 0

    def ev(self, contract, name, **args):
        self.li += 1
        return ChainEvent(self.block, "0x", self.li, contract, name, args)


def _trade(st: DashboardState, ch: Chain, jid=1, end="JobCompleted"):
    for ev in (
        ch.ev("AgentRegistry", "Registered", agentId=1, agentWallet=B),
        ch.ev("AgentRegistry", "ServicesUpdated", agentId=1, services=[("factor", 2 * U), ("median", 4 * U)]),
        ch.ev("ServiceEscrow", "JobCreated", jobId=jid, client=A, provider=B, evaluator=A, expiredAt=999),
        ch.ev("ServiceEscrow", "BudgetSet", jobId=jid, amount=2 * U),
        ch.ev("ServiceEscrow", "JobFunded", jobId=jid, amount=2 * U),
        ch.ev("ServiceEscrow", "JobSubmitted", jobId=jid, deliverable="0x" + "1" * 64),
    ):
        st.apply(ev)
    before = st.snapshot()
    ch.block += 1
    st.apply(ch.ev("ServiceEscrow", end, jobId=jid))
    return before, st.snapshot()


def test_state__job_moves_funded_submitted_completed__settlement_listed_once():
    st, ch = DashboardState(), Chain()
    st.apply(ch.ev("AgentToken", "Transfer", sender=ZERO, receiver=A, value=100 * U))
    st.apply(ch.ev("AgentToken", "Transfer", sender=A, receiver=B, value=30 * U))
    before, after = _trade(st, ch)
    assert before["jobs"]["states"]["submitted"] == 1 and before["jobs"]["settled"] == []
    assert after["jobs"]["states"]["completed"] == 1 and after["jobs"]["states"]["submitted"] == 0
    assert after["jobs"]["outcomes"] == {"completed": 1}
    assert after["jobs"]["settled"] == [
        {
            "id": 1,
            "service": "?",
            "outcome": "completed",
            "block": 11,
            "budget": 2.0,
            "provider": B,
            "client": A,
        }
    ]
    st.apply(ch.ev("ServiceEscrow", "JobCompleted", jobId=1))  # a replayed or repeated event: nothing new
    assert len(st.snapshot()["jobs"]["settled"]) == 1
    bal = {a["address"]: a["balance"] for a in after["agents"]}
    assert bal == {A: 70.0, B: 30.0}
    assert after["prices"] == {"factor": [[10, 2.0]], "median": [[10, 4.0]]}


def test_state__replayed_event__ignored_and_version_unchanged():
    st, ch = DashboardState(), Chain()
    ev = ch.ev("AgentToken", "Transfer", sender=ZERO, receiver=A, value=5 * U)
    st.apply(ev)
    v = st.version
    st.apply(ev)
    assert st.version == v and st.balances[A] == 5 * U


def test_state__expired_job__outcome_expired_and_service_from_description():
    st, ch = DashboardState(), Chain()
    _trade(st, ch, jid=7, end="JobExpired")
    assert st.jobs_without_service() == [7]
    import random

    from agents.market.services import TaskSpec, get_service

    st.set_service(7, get_service("factor").random_spec(random.Random(1)).encode())
    snap = st.snapshot()
    assert (
        snap["jobs"]["recent"][0]["outcome"] == "expired" and snap["jobs"]["recent"][0]["state"] == "expired"
    )
    assert snap["jobs"]["recent"][0]["service"] == TaskSpec.decode(st.mem.jobs[7].spec).service == "factor"
    assert st.jobs_without_service() == []


def test_state__ask_change__median_series_grows_only_when_it_moves():
    st, ch = DashboardState(), Chain()
    _trade(st, ch)
    for blk, price in ((12, 2 * U), (13, 3 * U)):
        ch.block = blk
        st.apply(ch.ev("AgentRegistry", "ServicesUpdated", agentId=1, services=[("factor", price)]))
    assert st.snapshot()["prices"]["factor"] == [[10, 2.0], [13, 3.0]]


def test_state__slash_and_proposal_with_votes_and_read_state():
    st, ch = DashboardState(), Chain()
    st.apply(ch.ev("Staking", "Slashed", account=B, amount=5 * U))
    st.apply(
        ch.ev(
            "Governor",
            "ProposalCreated",
            proposalId=42,
            proposer=G,
            description="raise collateral",
            voteStart=11,
            voteEnd=40,
            targets=(),
            values=(),
            calldatas=(),
        )
    )
    st.apply(ch.ev("Governor", "VoteCast", proposalId=42, voter=G, support=1, weight=9000 * U))
    st.apply(ch.ev("Governor", "VoteCast", proposalId=42, voter=A, support=0, weight=1000 * U))
    assert st.live_proposals() == [42]
    st.set_proposal_state(42, 4)  # Succeeded
    snap = st.snapshot()
    assert snap["slashes"]["count"] == 1 and snap["slashes"]["total"] == 5.0
    assert snap["slashes"]["recent"] == [{"block": 10, "agent": B, "amount": 5.0}]
    (p,) = snap["proposals"]
    assert (p["state"], p["for"], p["against"], p["abstain"], p["voters"]) == (
        "Succeeded",
        9000.0,
        1000.0,
        0.0,
        2,
    )
    st.apply(ch.ev("Governor", "ProposalExecuted", proposalId=42))
    assert st.snapshot()["proposals"][0]["state"] == "Executed" and st.live_proposals() == []


def test_mind_reader__last_complete_cycle_line_and_persona(tmp_path):
    d = tmp_path / B.lower()
    d.mkdir()
    (d / "agent.log.jsonl").write_text(json.dumps({"event": "started", "persona": "honest"}) + "\n")
    lines = [
        {"cycle": c, "status": s, "survival": "adequate", "ass": 0.9}
        for c, s in ((0, "WARMING_UP"), (1, "ACTIVE"))
    ]
    (d / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines) + '{"cycle": 2, "sta')
    assert json.loads(_tail_line(d / "metrics.jsonl"))["cycle"] == 1  # the half-written line is skipped
    minds = MindReader(tmp_path).read({B.lower(): B})
    assert minds == {
        B: {"persona": "honest", "status": "ACTIVE", "survival": "adequate", "ass": 0.9, "cycle": 1}
    }
    st = DashboardState()
    st.set_minds(minds)
    (agent,) = st.snapshot()["agents"]
    assert (agent["address"], agent["persona"], agent["status"]) == (B, "honest", "ACTIVE")


def test_redact__credentials_never_shown():
    assert _redact("http://user:secret@example.org:8545/rpc") == "http://***@example.org:8545/rpc"
    assert _redact("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


def test_cli_dashboard__no_deployments_file__one_error_line(tmp_path):
    from click.testing import CliRunner

    from agents.cli import cli

    res = CliRunner().invoke(cli, ["dashboard", "--deployment", str(tmp_path / "none.json")])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        f"Error: no deployments file at {tmp_path / 'none.json'}: deploy first (`emergent devnet`)"
    ]


def test_state__service_read_after_settlement__shown_in_the_settlement_too():
    import random

    from agents.market.services import get_service

    st, ch = DashboardState(), Chain()
    _trade(st, ch, jid=3)
    st.set_service(3, get_service("median").random_spec(random.Random(2)).encode())
    assert st.snapshot()["jobs"]["settled"][0]["service"] == "median"
