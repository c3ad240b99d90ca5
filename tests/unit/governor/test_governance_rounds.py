"""Full governance rounds on the real deployment, driven through GovSession (what `emergent gov` runs):
a parameter change, a treasury grant, a mint and a guardian appointment, each propose -> vote ->
queue -> delay -> execute, with balances and events checked."""

import ape
import pytest

from agents.chain.protocol import ProposalState, VoteSupport
from agents.gov_cli import GovSession
from tests.fixtures.governance import WEI, warp

# GovSession finds a proposal's actions in its ProposalCreated log (eth_getLogs over the chain's
# history), which only a node keeps: these rounds run on anvil, not in-process
pytestmark = pytest.mark.node


@pytest.fixture
def session(full):
    return GovSession({k: v for k, v in full.items() if not k.startswith("_")})


def _round(session, chain, actions, description, proposer, voters):
    pid, receipt = session.propose(actions, description, proposer)
    assert receipt.return_value == pid
    snapshot = session.governor.proposalSnapshot(pid)
    chain.mine(max(0, snapshot - chain.blocks.height))
    for v in voters:
        session.vote(pid, VoteSupport.FOR, "", v)
    chain.mine(session.governor.proposalDeadline(pid) - chain.blocks.height + 1)
    assert session.state(pid) == ProposalState.SUCCEEDED
    session.queue(pid, proposer)
    assert session.state(pid) == ProposalState.QUEUED
    warp(chain, session.timelock.get_minimum_delay())
    receipt = session.execute(pid, proposer)
    assert session.state(pid) == ProposalState.EXECUTED
    return pid, receipt


def test_round__parameter_change(session, full, founders, chain):
    actions = session.param_actions("escrow.feeBps", "250")
    _pid, receipt = _round(session, chain, actions, "Raise the escrow fee to 2.5%", founders[0], founders[:2])
    assert full["ServiceEscrow"].feeBps() == 250
    assert len(receipt.decode_logs(session.governor.ProposalExecuted)) == 1


def test_round__governor_parameter_through_itself(session, full, founders, chain):
    _round(
        session,
        chain,
        session.param_actions("governor.votingPeriod", "40"),
        "Longer votes",
        founders[0],
        founders[:1],
    )
    assert full["Governor"].votingPeriod() == 40


def test_round__treasury_grant_moves_exactly_the_amount(session, full, founders, accounts, chain):
    token, timelock = full["AgentToken"], full["Timelock"]
    token.transfer(timelock, 500 * WEI, sender=accounts[1])  # fees would arrive like this
    grantee = accounts[2]
    before_treasury, before_grantee = token.balanceOf(timelock), token.balanceOf(grantee)
    supply = token.totalSupply()
    _round(
        session,
        chain,
        session.grant_actions(grantee.address, 200 * WEI),
        "Grant to a builder",
        founders[1],
        founders,
    )
    assert token.balanceOf(timelock) == before_treasury - 200 * WEI
    assert token.balanceOf(grantee) == before_grantee + 200 * WEI
    assert token.totalSupply() == supply


def test_round__mint_within_cap(session, full, founders, accounts, chain):
    token = full["AgentToken"]
    supply, room = token.totalSupply(), token.remainingMintable()
    _round(
        session,
        chain,
        session.mint_actions(accounts[3].address, 1000 * WEI),
        "Emission",
        founders[0],
        founders[:2],
    )
    assert token.totalSupply() == supply + 1000 * WEI
    assert token.remainingMintable() == room - 1000 * WEI


def test_round__guardian_appointment_moves_cancel_rights(session, full, founders, accounts, chain):
    governor, timelock = full["Governor"], full["Timelock"]
    old, new = governor.guardian(), accounts[5].address
    _, receipt = _round(
        session, chain, session.guardian_actions(new), "New guardian", founders[0], founders[:2]
    )
    [log] = receipt.decode_logs(governor.GuardianSet)
    assert (log.previousGuardian, log.newGuardian) == (old, new)
    assert governor.guardian() == new
    role = timelock.CANCELLER_ROLE()
    assert not timelock.hasRole(role, new) and not timelock.hasRole(
        role, old
    )  # guardians cancel via the Governor
    # The new guardian can cancel; the old one no longer can.
    actions = session.param_actions("escrow.feeBps", "300")
    pid, _ = session.propose(actions, "to be cancelled", founders[1])
    with ape.reverts("Governor: caller cannot cancel"):
        governor.cancel(*session.proposal(pid).args, sender=accounts[6])
    session.cancel(pid, accounts[5])
    assert session.state(pid) == ProposalState.CANCELED


def test_round__out_of_bounds_value_refused_before_sending(session, founders):
    nonce = founders[0].nonce
    with pytest.raises(Exception, match=r"escrow.feeBps must be within \[0 bps, 1000 bps\], got 5000 bps"):
        session.param_actions("escrow.feeBps", "5000")
    assert founders[0].nonce == nonce
