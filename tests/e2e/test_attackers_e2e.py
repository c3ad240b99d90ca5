"""The adversarial scenario's attackers as agents on a real chain (the incentive-safety issue's attacks
played by the runtime, not by a test script): a Sybil ring of three fresh wallets wash-trading among
themselves, and a griefer naming a reputable founder in unworkable 1-wei jobs. Both get nothing:
the ring trades and rates for dozens of jobs and its scores stay at 0, under every governance gate, so
it never proposes; the founder's stake, free stake and reputation do not move, and no griefing job is
ever funded. Its own chain."""

from __future__ import annotations

import json

import pytest

from agents.chain.protocol import JobStatus
from tests.e2e.conftest import close_all

pytestmark = pytest.mark.slow

FOUNDER = 6  # staked, reputation-seeded at deploy
RING_IDX = (12, 13, 14)
GRIEFER_IDX = 15
COMPLETED = JobStatus.COMPLETED


def test_sybil_ring_and_griefer__trade_and_grief_for_nothing(economy):
    founder = [
        {"index": FOUNDER, "persona": "honest", "services": ("factor",), "overrides": {"hire_rate": 0.0}}
    ]
    ring_plans = [economy.plan(i, "sybil", ("median",)) for i in RING_IDX]
    ring = [p.address for p in ring_plans]
    sybils = [{"index": i, "persona": "sybil", "services": ("median",), "ring": ring} for i in RING_IDX]
    griefer = [{"index": GRIEFER_IDX, "persona": "griefer", "services": ("hashchain",)}]
    hosts = [
        economy.host(founder, seed=3, data="f"),
        economy.host(sybils, seed=3, data="s"),
        economy.host(griefer, seed=3, data="x"),
    ]
    victim = hosts[0].agents[0].address
    bad = hosts[2].agents[0].address
    rep, staking, token, gov = (economy.c[n] for n in ("Reputation", "Staking", "AgentToken", "Governor"))
    before = {"bonded": staking.functions.bondedOf(victim).call()}
    start = economy.web3.eth.block_number
    griefer_tokens = token.functions.balanceOf(bad).call() + staking.functions.bondedOf(bad).call()

    def washed() -> list:
        return [
            e
            for e in economy.logs("ServiceEscrow", "JobCreated")
            if e.args["client"] in ring and e.args["provider"] in ring
        ]

    def settled_wash() -> int:
        ids = {e.args["jobId"] for e in washed()}
        return sum(1 for e in economy.logs("ServiceEscrow", "JobCompleted") if e.args["jobId"] in ids)

    try:
        economy.run(hosts, 60, until=lambda: settled_wash() >= 12)
        # the founder is idle between griefing jobs: its free stake then is its whole bond
        free_after = staking.functions.freeStakeOf(victim).call()
    finally:
        close_all(hosts)
    # --- the ring traded and rated among itself, for nothing
    assert settled_wash() >= 12, f"only {settled_wash()} wash jobs settled"
    rated = [e for e in economy.logs("Reputation", "FeedbackGiven") if e.args["provider"] in ring]
    assert len(rated) >= 10 and all(e.args["client"] in ring for e in rated)
    gate = gov.functions.minVotingReputation().call()
    scores = [rep.functions.reputationOf(a).call() for a in ring]
    print("ring scores", scores, "gate", gate, "wash jobs settled", settled_wash())
    assert scores == [0, 0, 0] < [gate] * 3
    assert not [e for e in economy.logs("Governor", "ProposalCreated") if e.args["proposer"] in ring]
    assert not [
        e
        for e in economy.logs("ServiceEscrow", "JobCreated")
        if e.args["client"] in ring and e.args["provider"] not in ring
    ]
    # --- the griefer named the founder, and nothing was funded, locked or penalised
    grief = [e for e in economy.logs("ServiceEscrow", "JobCreated") if e.args["client"] == bad]
    assert len(grief) >= 4 and all(e.args["provider"] in [victim, *ring] for e in grief)
    assert any(e.args["provider"] == victim for e in grief)
    grief_ids = {e.args["jobId"] for e in grief}
    assert not [e for e in economy.logs("ServiceEscrow", "JobFunded") if e.args["jobId"] in grief_ids]
    assert not [e for e in economy.logs("ServiceEscrow", "JobAccepted") if e.args["jobId"] in grief_ids]
    # its score only decayed with the blocks, as every score does: no penalty or feedback was recorded
    assert not [
        e
        for e in economy.logs("Reputation", "ReputationChanged")
        if e.args["account"] == victim and e.blockNumber >= start
    ]
    assert staking.functions.bondedOf(victim).call() == before["bonded"]
    assert free_after == before["bonded"]
    assert not [e for e in economy.logs("Staking", "Slashed") if e.args["account"] == victim]
    # no fee paid, no penalty won: the griefer's AGENT (liquid + its own stake) is what it started with
    assert token.functions.balanceOf(bad).call() + staking.functions.bondedOf(bad).call() == griefer_tokens
    expired = {e.args["jobId"] for e in economy.logs("ServiceEscrow", "JobExpired")}
    assert grief_ids & expired, "the griefer never even claimed its refunds"
    # it did try to fund them at once, as the attack goes: the escrow refused every attempt (at the
    # estimate, or on-chain when sent behind a pending transaction of the same batch)
    log = economy.out / "x" / bad.lower() / "agent.log.jsonl"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    tries: dict[str, list] = {}
    for e in events:
        if str(e.get("key", "")).startswith("fund:"):
            tries.setdefault(e["key"], []).append(e)
    assert tries, "the griefer never tried to fund"
    assert all(evs[-1]["event"] == "action_reverted" for evs in tries.values())
    reasons = {evs[-1]["reason"] for evs in tries.values()}
    assert "ServiceEscrow: provider has not accepted" in reasons
    assert reasons <= {"ServiceEscrow: provider has not accepted", None}
