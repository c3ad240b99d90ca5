"""`emergent gov`: bad input gives one clear line, exit 2, and sends nothing.

Input that can be judged offline is refused before any connection; input that needs the chain
(unknown proposal, eligibility, state, bounds) is refused by GovSession before it sends (checked
against a real deployment: the sender's nonce does not move).
"""

import pytest
from click.testing import CliRunner
from eth_utils import keccak

from agents.chain import governance as gv
from agents.cli_common import InputError
from agents.gov_cli import GovSession, gov, short_id

GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
WEI = 10**18


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path))
    return lambda *args: CliRunner().invoke(gov, list(args))


@pytest.mark.parametrize(
    "args, message",
    [
        (["propose", "param", "escrow.nope", "1"], "unknown parameter 'escrow.nope'"),
        (["propose", "param", "governor.votingDelay", "1.5"], "takes a whole number of blocks"),
        (["propose", "param", "governor.votingDelay", "ten"], "takes a whole number of blocks"),
        (["propose", "param", "escrow.minProviderStake", "abc"], "must be a number of tokens"),
        (
            ["propose", "grant", "--to", "0x1234", "--amount", "5"],
            "--to must be 0x followed by 40 hex digits",
        ),
        (["propose", "grant", "--to", GOOD, "--amount", "0"], "--amount must be greater than zero"),
        (["propose", "mint", "--to", GOOD, "--amount", "NaN"], "--amount must be finite"),
        (["propose", "guardian", "bob"], "guardian must be 0x followed by 40 hex digits"),
        (["vote", "123", "maybe"], "vote must be one of for, against, abstain"),
        (["vote", "twelve", "for"], "proposal id must be a decimal or 0x-hex number"),
        (["queue", "0"], "proposal id out of range"),
        (["status", "--network", "foo:bar", "1"], "unknown network 'foo:bar'"),
        (
            ["vote", "1", "for", "--reason", "x" * 1025],
            "--reason is 1,025 bytes; the Governor takes at most 1,024",
        ),
        (["vote", "0xzz", "for"], "proposal id must be a decimal or 0x-hex number"),
        (
            ["list", "--network", "ethereum:sepolia"],
            "--rpc URL (or EMERGENT_RPC) is required for ethereum:sepolia",
        ),
    ],
)
def test_bad_input__one_line_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and message in lines[0]


def test_missing_deployment__one_line_exit_1(run, tmp_path):
    result = run("list", "--network", "ethereum:sepolia:node", "--rpc", "http://127.0.0.1:1")
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.strip()] == [
        f"Error: no deployment file at {tmp_path / 'ethereum-sepolia.json'}: "
        "run `emergent devnet` or `ape run deploy` first"
    ]


def test_params_command__without_a_chain__lists_every_parameter_and_says_why_no_values(run, monkeypatch):
    result = run("params", "--rpc", "http://127.0.0.1:1")
    assert result.exit_code == 0
    for name in gv.PARAMETERS:
        assert name in result.output
    assert (
        "(current values and bounds need the chain: no devnet is running at http://127.0.0.1:1"
        in result.output
    )


def test_short_id__first_8_hex_digits():
    assert short_id(0xABCDEF12 << 224 | 5) == "0xabcdef12"
    assert short_id(1) == "0x00000000"


# --- pure encoding ---------------------------------------------------------------------------------


def test_param_change__encodes_setter_and_setparameter():
    [a] = gv.param_change(gv.PARAMETERS["governor.votingDelay"], 5, GOOD)
    assert a.calldata[:4] == keccak(text="setVotingDelay(uint48)")[:4]
    assert a.calldata[4:] == (5).to_bytes(32, "big")
    [b] = gv.param_change(gv.PARAMETERS["escrow.feeBps"], 250, GOOD)
    assert b.calldata == gv.encode_call("setParameter(string,uint256)", ["feeBps", 250])


def test_parse_value__tokens_to_wei_and_bounds_message():
    spec = gv.PARAMETERS["governor.proposalThreshold"]
    assert gv.parse_value(spec, "12.5") == 125 * WEI // 10
    with pytest.raises(gv.GovernanceInputError, match=r"within \[1 AGENT, 10000000 AGENT\], got 0 AGENT"):
        gv.check_bounds(spec, 0, WEI, 10_000_000 * WEI)


def test_guardian_change__one_set_guardian_action_no_timelock_role():
    """The guardian cancels through the Governor only (issue 10, finding 3): no Timelock role moves."""
    actions = gv.guardian_change(GOOD, GOOD, "0x000000000000000000000000000000000000bEEF", GOOD)
    assert [a.calldata[:4] for a in actions] == [gv.encode_call("setGuardian(address)", [GOOD])[:4]]
    with pytest.raises(gv.GovernanceInputError, match="already the guardian"):
        gv.guardian_change(GOOD, GOOD, GOOD, GOOD)


def test_proposal_args__limits():
    a = gv.Action(GOOD, 0, b"\x00" * 4, "x")
    with pytest.raises(gv.GovernanceInputError, match="at most 10 actions"):
        gv.proposal_args([a] * 11, "d")
    with pytest.raises(gv.GovernanceInputError, match="calldata"):
        gv.proposal_args([gv.Action(GOOD, 0, b"\x00" * 1025, "big")], "d")
    with pytest.raises(gv.GovernanceInputError, match="description must not be empty"):
        gv.proposal_args([a], "  ")


# --- chain-backed checks send nothing -------------------------------------------------------------


@pytest.fixture
def session(full):
    return GovSession({k: v for k, v in full.items() if not k.startswith("_")})


def _refused(who, fn, message):
    nonce = who.nonce
    with pytest.raises(InputError, match=message):
        fn()
    assert who.nonce == nonce, "a transaction was sent"


def test_session__unknown_proposal(session, founders):
    _refused(founders[0], lambda: session.vote(12345, 1, "", founders[0]), "unknown proposal 12345")
    _refused(founders[0], lambda: session.queue(12345, founders[0]), "unknown proposal 12345")


def test_session__out_of_bounds_and_unchanged_values(session, founders):
    _refused(
        founders[0],
        lambda: session.param_actions("governor.votingPeriod", "5"),
        r"governor.votingPeriod must be within \[10 blocks, 201600 blocks\]",
    )
    _refused(founders[0], lambda: session.param_actions("governor.votingPeriod", "30"), "already 30 blocks")


def test_session__activate_voting__checked_before_sending(session, founders, accounts):
    """Issue 10: stake votes only once voting is activated, which needs reputation at the gate."""
    _refused(
        accounts[2],
        lambda: session.activate_voting(accounts[2].address, accounts[2]),
        "cannot activate voting: reputation 0 < gate 1000",
    )
    _refused(
        accounts[2],
        lambda: session.activate_voting(founders[0].address, accounts[2]),
        "voting is already active",
    )


def test_session__not_eligible_to_propose(session, accounts):
    actions = session.param_actions("escrow.feeBps", "300")
    _refused(accounts[2], lambda: session.propose(actions, "x", accounts[2]), "cannot propose: voting stake")


def test_session__wrong_state_and_not_eligible_to_vote(session, founders, accounts, chain):
    proposer = founders[1]  # founders[0] is the guardian
    pid, _ = session.propose(session.param_actions("escrow.feeBps", "300"), "fee", proposer)
    _refused(proposer, lambda: session.queue(pid, proposer), "it is Pending, not Succeeded")
    chain.mine(2)
    _refused(accounts[2], lambda: session.vote(pid, 1, "", accounts[2]), "is not eligible: reputation")
    session.vote(pid, 1, "", founders[2])
    _refused(founders[2], lambda: session.vote(pid, 0, "", founders[2]), "already voted")
    _refused(accounts[3], lambda: session.cancel(pid, accounts[3]), "may not cancel")
    _refused(proposer, lambda: session.cancel(pid, proposer), "only while Pending")


def test_session__treasury_and_cap_checked(session, full, accounts):
    _refused(
        accounts[6], lambda: session.grant_actions(GOOD, 1 * WEI), "the treasury \\(Timelock\\) holds 0.0000"
    )
    room = full["AgentToken"].remainingMintable()
    _refused(accounts[6], lambda: session.mint_actions(GOOD, room + 1), "would exceed the cap")


def test_session__execute_before_delay_refused(session, founders, chain):
    pid, _ = session.propose(session.param_actions("escrow.feeBps", "300"), "fee again", founders[0])
    chain.mine(2)
    session.vote(pid, 1, "", founders[0])
    chain.mine(session.governor.proposalDeadline(pid) - chain.blocks.height + 1)
    session.queue(pid, founders[0])
    _refused(founders[0], lambda: session.execute(pid, founders[0]), "the Timelock delay ends in")
    assert "Queued" in "\n".join(session.status_lines(pid))
