"""Governance by agents: safety-minded guardians who watch jobs fail propose a stricter collateral ratio,
vote it through the Governor, someone queues and executes it through the Timelock, and the providers
observe the new parameter and stake more to keep backing their asks. Its own chain."""

from __future__ import annotations

import pytest

from agents.chain.protocol import VoteSupport
from tests.e2e.conftest import close_all

pytestmark = pytest.mark.slow

EXECUTED = 7


def test_agents_propose_vote_execute_and_adapt_to_a_parameter_change(economy):
    esc = economy.c["ServiceEscrow"].functions
    before = esc.collateralRatioBps().call()
    guardians = [
        {
            "index": i,
            "persona": "guardian",
            "services": (),
            "overrides": {"hire_rate": 0.0, "propose_prob": 1.0},
        }
        for i in (6, 7)
    ]
    traders = [
        {"index": 1, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
        {
            "index": 2,
            "persona": "no_show",
            "services": ("hashchain",),
            # the cheaper seller (asks at its floor): each client's first hashchain job goes to it and fails;
            # then the client's own trust moves it to the honest one
            "overrides": {"no_show_prob": 1.0, "hire_rate": 0.0, "stake_fraction": 0.0, "markup": 0.0},
        },
        {
            "index": 3,
            "persona": "honest",
            "services": ("hashchain",),
            "overrides": {"hire_rate": 0.0, "stake_fraction": 0.0},
        },
        # a second client: each client learns from its own failure, so the no-show fails twice
        {"index": 4, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
    ]
    hosts = [economy.host(guardians, seed=2, data="g"), economy.host(traders, seed=2, data="t")]
    provider = hosts[1].agents[2]
    try:

        def executed():
            return economy.logs("Governor", "ProposalExecuted")

        economy.run(hosts, 120, until=executed)
        economy.run(hosts, 4)  # let the agents see the change and react
    finally:
        close_all(hosts)
    created = economy.logs("Governor", "ProposalCreated")
    assert created and created[0].args["proposer"] in {a.address for a in hosts[0].agents}
    pid = created[0].args["proposalId"]
    votes = [e for e in economy.logs("Governor", "VoteCast") if e.args["proposalId"] == pid]
    assert {v.args["voter"] for v in votes} >= {a.address for a in hosts[0].agents}
    assert all(
        v.args["support"] == VoteSupport.FOR
        for v in votes
        if v.args["voter"] in {a.address for a in hosts[0].agents}
    )
    assert economy.c["Governor"].functions.state(pid).call() == EXECUTED
    after = esc.collateralRatioBps().call()
    assert after == 2 * before
    changed = [
        e for e in economy.logs("ServiceEscrow", "ParameterUpdated") if e.args["name"] == "collateralRatioBps"
    ]
    assert changed[-1].args["current"] == after
    # the agents observed it ...
    assert all(ag.memory.params["collateralRatioBps"] == after for h in hosts for ag in h.agents)
    # ... and the honest provider adapted: it staked more after the change, enough for the new collateral
    change_block = changed[-1].blockNumber
    later = [
        e
        for e in economy.logs("Staking", "Staked")
        if e.args["account"] == provider.address and e.blockNumber > change_block
    ]
    assert later, "the provider did not adapt its stake to the new collateral ratio"
    asks = provider.memory.my_asks()
    bonded = economy.c["Staking"].functions.bondedOf(provider.address).call()
    assert bonded >= 4 * max(asks.values()) * after // 10_000
