"""Reputation attacks of issue 10 against the real deployment (`full`, params/ethereum-local.yaml).

Against the code before the fix (commit 59d9cba): two fresh wallets of one person ran one wash job of
1,010 AGENT, the provider wallet rose from 0 to 5,024 for a 10.1 AGENT fee and `propose` was accepted
from it; and after the Reputation was pointed at a new escrow, that escrow's job 1 could not be rated
("Reputation: already rated") because the old escrow's job 1 had been.
"""

import ape
import pytest

from agents.bench.sybil_cost import cost_table, feedback
from tests.fixtures.governance import Proposal
from tests.fixtures.market import COMPLETED

WEI = 10**18
MAX = 2**256 - 1
DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "reputation.md"


@pytest.fixture
def timelock(full, accounts):
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    return tl


def _wallet(full, account, stake=0):
    tok = full["AgentToken"]
    tok.approve(full["ServiceEscrow"], MAX, sender=account)
    tok.approve(full["Staking"], MAX, sender=account)
    if stake:
        full["Staking"].stake(stake, sender=account)
    return account


def _paid_job(full, client, provider, budget, chain, escrow=None):
    """createJob -> provider prices it (acceptance) -> fund -> submit -> complete; the Completed job id."""
    esc = escrow or full["ServiceEscrow"]
    j = esc.createJob(provider, client, chain.pending_timestamp + 3_600, "wash", sender=client).return_value
    esc.setBudget(j, budget, sender=provider)
    esc.fund(j, budget, sender=client)
    esc.submit(j, b"\x01" * 32, sender=provider)
    esc.complete(j, b"\x00" * 32, sender=client)
    assert esc.getJob(j).status == COMPLETED
    return j


def _check_against_model(full, tx, rater, paid, paid_before, chain):
    """The contract's move equals the Python model (agents.bench.sybil_cost.feedback) of the same inputs."""
    rep = full["Reputation"]
    (ch,) = tx.decode_logs(rep.ReputationChanged)
    chain.mine(1)
    rater_score = rep.getPastReputation(rater, tx.block_number)
    fb = tx.decode_logs(rep.FeedbackGiven)[0]
    expected = feedback(
        ch.previous, fb.rating, paid, rep.referenceValue(), rater_score, paid_before, rep.raterCapBps()
    )
    assert ch.current == expected
    return ch.current


def test_sybil_wash_job__two_fresh_wallets__no_reputation_and_propose_refused(full, accounts, chain):
    g, rep = full["Governor"], full["Reputation"]
    client = _wallet(full, accounts[1])
    provider = _wallet(full, accounts[2], 1_300 * WEI)  # above the proposal stake threshold (1,000)
    j = _paid_job(full, client, provider, 1_010 * WEI, chain)
    tx = rep.giveFeedback(j, 100, sender=client)
    (ch,) = tx.decode_logs(rep.ReputationChanged)
    assert (ch.previous, ch.current) == (0, 0)
    # its stake cannot be opted into voting (the gate reads the unchanged score) ...
    with ape.reverts("Staking: reputation below voting gate"):
        full["Staking"].activateVoting(provider, sender=provider)
    chain.mine(1)
    p = Proposal(
        [full["ServiceEscrow"].address],
        [0],
        [bytes(full["ServiceEscrow"].setParameter.encode_input("feeBps", 0))],
        "sybil",
    )
    # ... so its 1,300 bonded AGENT carry no votes, and propose is refused before the reputation check
    assert g.getVotes(provider, chain.blocks.head.number - 1) == 0
    with ape.reverts("Governor: proposer stake below threshold"):
        g.propose(p.targets, p.values, p.calldatas, p.description, sender=provider)
    assert rep.getPastReputation(provider, chain.blocks.head.number - 1) < g.proposalReputationThreshold()


def test_sybil_ring__fresh_wallets_trade_in_a_circle__nobody_reaches_the_voting_gate(full, accounts, chain):
    rep = full["Reputation"]
    ring = [_wallet(full, accounts[i], 2_000 * WEI) for i in (1, 2, 3, 4)]
    for _rnd in range(3):
        for i, client in enumerate(ring):
            provider = ring[(i + 1) % len(ring)]
            j = _paid_job(full, client, provider, 5_000 * WEI, chain)
            rep.giveFeedback(j, 100, sender=client)
    for w in ring:
        assert rep.reputationOf(w) == 0  # and the formula keeps it there: weight = paid * 0 / ...
    assert full["Governor"].getVotes(ring[0], chain.blocks.head.number - 1) == 0


def test_honest_newcomer__paid_work_for_founders__reaches_voting_gate(full, founders, accounts, chain):
    rep, g = full["Reputation"], full["Governor"]
    newcomer = _wallet(full, accounts[3], 1_000 * WEI)
    score = 0
    for f in founders:
        _wallet(full, f)
        j = _paid_job(full, f, newcomer, 1_000 * WEI, chain)
        tx = rep.giveFeedback(j, 100, sender=f)
        new = _check_against_model(full, tx, f, 1_000 * WEI, 0, chain)
        assert new > score
        score = new
    assert score >= g.minVotingReputation()
    assert score <= max(rep.reputationOf(f) for f in founders) * rep.raterCapBps() // 10_000 + 10


def test_one_reputable_rater_repeats__diminishing_returns_and_capped_below_its_own_score(
    full, founders, accounts, chain
):
    rep = full["Reputation"]
    f = _wallet(full, founders[0])
    wallet = _wallet(full, accounts[4], 3_000 * WEI)
    gains, paid_before, score = [], 0, 0
    for _ in range(4):
        j = _paid_job(full, f, wallet, 5_000 * WEI, chain)
        tx = rep.giveFeedback(j, 100, sender=f)
        new = _check_against_model(full, tx, f, 5_000 * WEI, paid_before, chain)
        paid_before += 5_000 * WEI
        assert rep.paidInRated(f, wallet) == paid_before
        gains.append(new - score)
        score = new
    assert gains == sorted(gains, reverse=True) and gains[-1] < gains[0] // 3
    assert score < rep.reputationOf(f) * rep.raterCapBps() // 10_000


def test_new_escrow__job_ids_restart__rated_per_escrow(full, project, accounts, chain, timelock):
    esc, rep, tok, st = full["ServiceEscrow"], full["Reputation"], full["AgentToken"], full["Staking"]
    client = _wallet(full, accounts[1])
    provider = _wallet(full, accounts[2], 1_000 * WEI)
    e2 = project.ServiceEscrow.deploy(
        tok, st, rep, timelock, 100, 2_000, 100 * WEI, 60, 60, 120, 0, 0, 0, 60, 86_400, sender=accounts[0]
    )
    st.grantRole(st.LOCKER_ROLE(), e2, sender=timelock)
    tok.approve(e2, MAX, sender=client)
    n = esc.jobCounter() + 1
    for _ in range(n):
        j2 = _paid_job(full, client, provider, 10 * WEI, chain, escrow=e2)
    j1 = _paid_job(full, client, provider, 10 * WEI, chain)
    assert j1 == j2
    rep.giveFeedback(j1, 100, sender=client)
    rep.setEscrow(e2, sender=timelock)
    tx = rep.giveFeedback(j2, 100, sender=client)  # the same id, another escrow: accepted
    assert tx.decode_logs(rep.FeedbackGiven)[0].jobId == j2
    assert rep.rated(esc, j1) and rep.rated(e2, j2)
    with ape.reverts("Reputation: already rated"):
        rep.giveFeedback(j2, 100, sender=client)


def test_docs_cost_table__matches_the_formula():
    """docs/reputation.md carries the table `python -m agents.bench.sybil_cost` prints (no hand figures)."""
    assert cost_table() in DOCS.read_text()
