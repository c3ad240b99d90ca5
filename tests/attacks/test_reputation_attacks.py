"""REPRODUCTION (pre-fix)."""
import ape
from tests.fixtures.governance import Proposal

WEI = 10**18


def test_repro_sybil(full, accounts, chain):
    esc, rep, tok, st, g = full["ServiceEscrow"], full["Reputation"], full["AgentToken"], full["Staking"], full["Governor"]
    client, prov = accounts[1], accounts[2]
    tok.approve(esc, 2**256 - 1, sender=client)
    tok.approve(st, 2**256 - 1, sender=prov)
    st.stake(1_300 * WEI, sender=prov)
    budget = 1_010 * WEI
    j = esc.createJob(prov, client, chain.pending_timestamp + 3600, "wash", sender=client).return_value
    esc.setBudget(j, budget, sender=client)
    esc.fund(j, budget, sender=client)
    esc.submit(j, b"\x01" * 32, sender=prov)
    esc.complete(j, b"\x00" * 32, sender=client)
    rep.giveFeedback(j, 100, sender=client)
    print("provider rep", rep.reputationOf(prov))
    chain.mine(1)
    p = Proposal([esc.address], [0], [bytes(esc.setParameter.encode_input("feeBps", 0))], "sybil")
    g.propose(p.targets, p.values, p.calldatas, p.description, sender=prov)


def test_repro_rated_collision(full, project, accounts, chain):
    esc, rep, tok, st = full["ServiceEscrow"], full["Reputation"], full["AgentToken"], full["Staking"]
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    client, prov = accounts[1], accounts[2]
    tok.approve(esc, 2**256 - 1, sender=client)
    tok.approve(st, 2**256 - 1, sender=prov)
    st.stake(1_000 * WEI, sender=prov)
    def job(e):
        tok.approve(e, 2**256 - 1, sender=client)
        j = e.createJob(prov, client, chain.pending_timestamp + 3600, "x", sender=client).return_value
        e.setBudget(j, 10 * WEI, sender=client)
        e.fund(j, 10 * WEI, sender=client)
        e.submit(j, b"\x01" * 32, sender=prov)
        e.complete(j, b"\x00" * 32, sender=client)
        return j
    n = esc.jobCounter() + 1
    e2 = project.ServiceEscrow.deploy(tok, st, rep, tl, 100, 2000, 100 * WEI, 60, 60, 120, 0, 0, 0, sender=accounts[0])
    st.setLocker(e2, True, sender=tl)
    for _ in range(n):
        j2 = job(e2)
    j1 = job(esc)
    rep.giveFeedback(j1, 100, sender=client)
    rep.setEscrow(e2, sender=tl)
    print("ids", j1, j2)
    with ape.reverts("Reputation: already rated"):
        rep.giveFeedback(j1, 100, sender=client)
