"""Agents against anvil and the Hardhat node: an honest trade; a no-show refunded (the cheater and
governance have their own chains).

Agents run through the real runtime (process host, indexer, policy, executor, SQLite); only the
clock is driven by the test (see conftest.Economy).
"""

from __future__ import annotations

import pytest

from agents.chain.protocol import JobStatus
from tests.e2e.conftest import NODES, close_all

# on anvil and on the Hardhat node (the second EVM), each its own chain
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("economy", NODES, indirect=True, scope="module")]

WEI = 10**18
COMPLETED, REJECTED, EXPIRED = JobStatus.COMPLETED, JobStatus.REJECTED, JobStatus.EXPIRED
FEE_BPS = 100


def _by_provider(economy, provider: str) -> list:
    return [e for e in economy.logs("ServiceEscrow", "JobCreated") if e.args["provider"] == provider]


def test_honest_trade__job_paid_minus_fee_and_provider_reputation_rises(economy):
    """The client is a founder (test account 6, seeded reputation): feedback counts as much as the rater's
    own standing (issue 10), so paid work for a reputable client is what builds a newcomer's score."""
    supply = economy.total_supply()
    host = economy.host(
        [
            {"index": 6, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
            {"index": 2, "persona": "honest", "services": ("factor",), "overrides": {"hire_rate": 0.0}},
        ],
        seed=3,
    )
    client, provider = (a.address for a in host.agents)
    try:

        def done():
            return any(
                e.args["provider"] == provider for e in economy.logs("ServiceEscrow", "PaymentReleased")
            )

        economy.run([host], 30, until=done)
        economy.run([host], 3)  # the client's feedback
    finally:
        close_all([host])
    paid = [e for e in economy.logs("ServiceEscrow", "PaymentReleased") if e.args["provider"] == provider]
    assert paid, "no job was paid"
    jid = paid[0].args["jobId"]
    job = economy.job(jid)
    assert job[0] == client and job[3] == COMPLETED
    budget = job[4]
    assert paid[0].args["amount"] == budget - budget * FEE_BPS // 10_000
    fb = [e for e in economy.logs("Reputation", "FeedbackGiven") if e.args["jobId"] == jid]
    assert fb and fb[0].args["rating"] == 100
    assert economy.c["Reputation"].functions.reputationOf(provider).call() > 0
    assert economy.total_supply() == supply and economy.holders_sum() == supply  # nothing created or lost


def test_no_show__client_refunded_through_claim_refund(economy):
    host = economy.host(
        [
            {"index": 9, "persona": "honest", "services": ("merkle",), "overrides": {"hire_rate": 1.0}},
            {
                "index": 10,
                "persona": "no_show",
                "services": ("hashchain",),
                "overrides": {"no_show_prob": 1.0, "hire_rate": 0.0},
            },
        ],
        seed=9,
    )
    client, no_show = (a.address for a in host.agents)
    try:

        def refunds_from_no_show():
            # (agents of earlier tests on this chain stay registered but no longer run: skip their jobs)
            return [
                e
                for e in economy.logs("ServiceEscrow", "Refunded")
                if e.args["client"] == client and economy.job(e.args["jobId"])[1] == no_show
            ]

        economy.run([host], 40, until=refunds_from_no_show)
    finally:
        close_all([host])
    refunds = refunds_from_no_show()
    assert refunds
    jid = refunds[0].args["jobId"]
    job = economy.job(jid)
    assert job[1] == no_show and job[3] == EXPIRED
    funded = next(e for e in economy.logs("ServiceEscrow", "JobFunded") if e.args["jobId"] == jid)
    assert refunds[0].args["amount"] == funded.args["amount"]
    assert [e for e in economy.logs("ServiceEscrow", "JobExpired") if e.args["jobId"] == jid]
    assert not [e for e in economy.logs("ServiceEscrow", "JobSubmitted") if e.args["jobId"] == jid]
