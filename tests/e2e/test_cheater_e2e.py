"""A cheater among honest agents: its wrong results are rejected, it disputes, the guardians rule against it,
its collateral is slashed, its reputation falls, and the clients stop hiring it. Its own chain."""

from __future__ import annotations

import pytest

from agents.chain.protocol import DisputeOutcome
from tests.e2e.conftest import NODES, close_all

# on anvil and on the Hardhat node (the second EVM), each its own chain
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("economy", NODES, indirect=True, scope="module")]

GUARDIAN_IDX = (6, 7)  # founders: staked, reputation-seeded, seated on the committee at deploy


def _give_standing(economy, account: str, score: int) -> None:
    """The cheater is an established provider turning cheat: it starts with a reputation, seeded by the
    owner (the Timelock, impersonated on the devnet) inside the bootstrap window. Since issue 10 feedback
    counts as much as the rater's own standing, so the fresh clients of this test could not have given it
    one."""
    rep = economy.c["Reputation"]
    owner = rep.functions.owner().call()
    economy.as_owner(
        owner,
        [rep.functions.seedReputation(account, score).build_transaction({"from": owner, "gas": 200_000})],
    )
    assert rep.functions.reputationOf(account).call() >= score - 5


def test_cheater__disputed_slashed_reputation_falls_and_its_share_of_jobs_shrinks(economy):
    guardians = [
        {"index": i, "persona": "guardian", "services": (), "overrides": {"hire_rate": 0.0}}
        for i in GUARDIAN_IDX
    ]
    # Two clients (who sell median to each other), and two factor providers: a cheap cheater and a
    # dear honest one. The cheater wins on price first; its failures cost it the clients' trust.
    traders = [
        {"index": 3, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
        {"index": 4, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
        {
            "index": 5,
            "persona": "cheater",
            "services": ("factor",),
            "overrides": {"cheat_prob": 0.8, "dispute_rightful_prob": 1.0, "hire_rate": 0.0},
        },
        {
            "index": 11,
            "persona": "honest",
            "services": ("factor",),
            "overrides": {"hire_rate": 0.0, "min_margin": 0.8},
        },
    ]
    hosts = [economy.host(guardians, seed=5, data="g"), economy.host(traders, seed=5, data="t")]
    cheater = hosts[1].agents[2].address
    _give_standing(economy, cheater, 5_000)
    providers = (cheater, hosts[1].agents[3].address)
    try:

        def enough():
            rep = [e for e in economy.logs("Reputation", "ReputationChanged") if e.args["account"] == cheater]
            factor = [
                e for e in economy.logs("ServiceEscrow", "JobCreated") if e.args["provider"] in providers
            ]
            return any(e.args["current"] < e.args["previous"] for e in rep) and len(factor) >= 24

        economy.run(hosts, 150, until=enough)
    finally:
        close_all(hosts)
    slashes = [e for e in economy.logs("Staking", "Slashed") if e.args["account"] == cheater]
    assert slashes and slashes[0].args["amount"] > 0
    resolved = [
        e
        for e in economy.logs("ServiceEscrow", "DisputeResolved")
        if e.args["outcome"] == DisputeOutcome.CLIENT
    ]
    assert resolved and resolved[0].args["slashed"] == slashes[0].args["amount"]
    rep = [e for e in economy.logs("Reputation", "ReputationChanged") if e.args["account"] == cheater]
    falls = [e for e in rep if e.args["current"] < e.args["previous"]]
    assert falls, "the cheater's reputation never fell"
    honest_provider = hosts[1].agents[3].address
    jobs = [
        e
        for e in economy.logs("ServiceEscrow", "JobCreated")
        if e.args["provider"] in (cheater, honest_provider)
    ]
    third = len(jobs) // 3
    early = sum(e.args["provider"] == cheater for e in jobs[:third]) / max(1, third)
    late = sum(e.args["provider"] == cheater for e in jobs[-third:]) / max(1, third)
    assert late < early, f"cheater's share did not shrink ({early:.2f} -> {late:.2f}) over {len(jobs)} jobs"
