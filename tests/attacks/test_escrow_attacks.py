"""REPRODUCTION (pre-fix): attacks succeed against the current code."""
import ape
from tests.fixtures.governance import Proposal, warp

WEI = 10**18


def test_repro_unconsented_provider(full, project, founders, accounts, chain):
    esc, rep, tok = full["ServiceEscrow"], full["Reputation"], full["AgentToken"]
    eve = accounts[5]
    g = project.ExpiryGriefer.deploy(tok, esc, sender=eve)
    tok.transfer(g, 100, sender=eve)
    for f in founders:
        print("before", rep.reputationOf(f))
    for f in founders:
        g.grief(f, 20, 1, 1, sender=eve)
        warp(chain, 2)
        g.claimAll(sender=eve)
    for f in founders:
        print("after", rep.reputationOf(f))
    print("griefer balance", tok.balanceOf(g))
    assert rep.reputationOf(founders[0]) < 5000


def test_repro_ten_year_lock(full, founders, accounts, chain):
    esc, st, tok = full["ServiceEscrow"], full["Staking"], full["AgentToken"]
    eve, f = accounts[5], founders[0]
    tok.approve(esc, 2**256 - 1, sender=eve)
    free = st.freeStakeOf(f)
    budget = free * 10_000 // esc.collateralRatioBps()
    j = esc.createJob(f, eve, chain.pending_timestamp + 10 * 365 * 86400, "lock", sender=eve).return_value
    esc.setBudget(j, budget, sender=eve)
    esc.fund(j, budget, sender=eve)
    print("free after", st.freeStakeOf(f))
    assert st.freeStakeOf(f) == 0


def test_repro_committee_parties(full, founders, accounts, chain):
    esc, tok, st = full["ServiceEscrow"], full["AgentToken"], full["Staking"]
    client, evaluator, guardian = founders
    prov = accounts[2]
    tok.approve(st, 2**256 - 1, sender=prov)
    tok.approve(esc, 2**256 - 1, sender=prov)
    tok.approve(esc, 2**256 - 1, sender=client)
    st.stake(1_000 * WEI, sender=prov)
    j = esc.createJob(prov, evaluator, chain.pending_timestamp + 3600, "x", sender=client).return_value
    esc.setBudget(j, 100 * WEI, sender=client)
    esc.fund(j, 100 * WEI, sender=client)
    esc.submit(j, b"\x01" * 32, sender=prov)
    esc.reject(j, b"\x00" * 32, sender=evaluator)
    esc.dispute(j, sender=prov)
    print("quorum", esc.getDispute(j).quorum)
    esc.rule(j, True, sender=guardian)
    print("status after ruling", esc.getJob(j).status)
    assert esc.getJob(j).status == 6


def test_repro_stranded(full, founders, accounts, chain):
    esc, tok, st = full["ServiceEscrow"], full["AgentToken"], full["Staking"]
    client, prov = accounts[1], accounts[2]
    tok.approve(st, 2**256 - 1, sender=prov)
    tok.approve(esc, 2**256 - 1, sender=client)
    st.stake(1_000 * WEI, sender=prov)
    j = esc.createJob(prov, client, chain.pending_timestamp + 100, "x", sender=client).return_value
    esc.setBudget(j, 100 * WEI, sender=client)
    esc.fund(j, 100 * WEI, sender=client)
    tl = accounts[full["Timelock"].address]
    accounts[0].transfer(tl, 10**18)
    st.setLocker(esc, False, sender=tl)
    warp(chain, 200)
    esc.claimRefund(j, sender=accounts[3])
    print("job collateral", esc.getJob(j).collateral, "locked in staking", st.lockedOf(prov))
    assert esc.getJob(j).collateral == 0 and st.lockedOf(prov) > 0
