"""The governance deploy stage on the real marketplace: the Timelock owns everything, the deployer
keeps nothing, and every Timelock-owned setter refuses every other caller."""

import ape
import pytest
from eth_utils import keccak

from agents.chain.deploy_governance import GOVERNED_CONTRACTS, GOVERNED_ROLES, assert_deployer_powerless
from agents.chain.deployment import DeployError

ZERO = "0x0000000000000000000000000000000000000000"
OTHER = "0x000000000000000000000000000000000000bEEF"
ADMIN_ROLE = b"\x00" * 32
SLASHER_ROLE, LOCKER_ROLE, WRITER_ROLE = (
    keccak(text=r) for r in ("SLASHER_ROLE", "LOCKER_ROLE", "WRITER_ROLE")
)


def test_deploy__timelock_owns_everything_and_deployer_keeps_nothing(full, deployer, accounts):
    timelock, governor, token = full["Timelock"], full["Governor"], full["AgentToken"]
    for name in GOVERNED_CONTRACTS:
        assert full[name].owner() == timelock.address, name
    assert token.is_minter(timelock) and not token.is_minter(deployer)
    assert full["Staking"].treasury() == timelock.address
    assert full["ServiceEscrow"].treasury() == timelock.address
    for role in ("DEFAULT_ADMIN_ROLE", "PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"):
        assert not timelock.hasRole(getattr(timelock, role)(), deployer), role
    assert timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), timelock)
    # Staking's and Reputation's roles: the Timelock administers them, the deployer holds none.
    for name, roles in GOVERNED_ROLES.items():
        c = full[name]
        assert c.hasRole(c.DEFAULT_ADMIN_ROLE(), timelock), name
        for role in roles:
            assert not c.hasRole(getattr(c, role)(), deployer), (name, role)
    escrow = full["ServiceEscrow"]
    assert full["Staking"].hasRole(full["Staking"].SLASHER_ROLE(), escrow)
    assert full["Staking"].hasRole(full["Staking"].LOCKER_ROLE(), escrow)
    assert full["Reputation"].hasRole(full["Reputation"].WRITER_ROLE(), escrow)
    assert full["Reputation"].hasRole(full["Reputation"].WRITER_ROLE(), full["Staking"])
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), governor)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), governor)
    assert not timelock.hasRole(timelock.EXECUTOR_ROLE(), ZERO)  # execution is not open
    assert timelock.hasRole(timelock.CANCELLER_ROLE(), governor)
    # The guardian cancels through the Governor only (it cannot cancel its own removal there).
    assert not timelock.hasRole(timelock.CANCELLER_ROLE(), accounts[6])
    assert governor.guardian() == accounts[6]
    # Voting stake: the gate is the Governor's, and the founders' stake is the quorum base.
    staking = full["Staking"]
    assert staking.votingGate() == governor.address
    assert all(staking.votingActive(accounts[i]) for i in (6, 7, 8))
    assert staking.totalVotingStake() == 15_000 * 10**18
    assert governor.timelock() == timelock.address
    assert governor.token() == full["Staking"].address
    assert governor.reputation() == full["Reputation"].address
    assert_deployer_powerless({k: v for k, v in full.items() if k != "_result"}, deployer.address)


def test_deploy__parameters_from_params_file(full):
    g, tl = full["Governor"], full["Timelock"]
    assert (g.votingDelay(), g.votingPeriod(), g.quorumNumerator(), g.lateQuorumVoteExtension()) == (
        1,
        30,
        1000,
        10,
    )
    assert g.proposalThreshold() == 1000 * 10**18
    assert (g.proposalReputationThreshold(), g.minVotingReputation()) == (5000, 1000)
    assert tl.get_minimum_delay() == 60


def test_assert_deployer_powerless__detects_a_kept_power(project, deployer):
    token = project.AgentToken.deploy("T", "T", 10**24, "T", "1", sender=deployer)
    with pytest.raises(DeployError, match="AgentToken owner, AgentToken minter"):
        assert_deployer_powerless({"AgentToken": token}, deployer.address)


def test_assert_deployer_powerless__detects_a_kept_role(project, deployer, accounts):
    token = project.AgentToken.deploy("T", "T", 10**24, "T", "1", sender=deployer)
    staking = project.Staking.deploy(token, accounts[5], 120, 0, sender=deployer)
    staking.transfer_ownership(accounts[5], sender=deployer)
    with pytest.raises(DeployError, match=r"Staking DEFAULT_ADMIN_ROLE$"):
        assert_deployer_powerless({"Staking": staking}, deployer.address)
    staking.grantRole(staking.SLASHER_ROLE(), deployer, sender=deployer)
    staking.grantRole(staking.DEFAULT_ADMIN_ROLE(), accounts[5], sender=deployer)
    staking.renounceRole(staking.DEFAULT_ADMIN_ROLE(), deployer, sender=deployer)
    with pytest.raises(DeployError, match=r"Staking SLASHER_ROLE$"):
        assert_deployer_powerless({"Staking": staking}, deployer.address)
    staking.renounceRole(staking.SLASHER_ROLE(), deployer, sender=deployer)
    assert_deployer_powerless({"Staking": staking}, deployer.address)


def test_deployer__cannot_mint_or_retune_anything(full, deployer):
    with ape.reverts("AgentToken: caller is not a minter"):
        full["AgentToken"].mint(deployer, 1, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        full["Staking"].setParameter("unbondingPeriod", 600, sender=deployer)
    with ape.reverts("Governor: caller is not the timelock"):
        full["Governor"].setVotingDelay(5, sender=deployer)


# Every owner-only / Timelock-only function of every governed contract, with valid arguments.
def _owner_calls(founder):
    return [
        ("AgentToken", "set_minter", (OTHER, True)),
        ("AgentToken", "transfer_ownership", (OTHER,)),
        ("AgentRegistry", "transfer_ownership", (OTHER,)),
        ("Staking", "grantRole", (SLASHER_ROLE, OTHER)),
        ("Staking", "grantRole", (LOCKER_ROLE, OTHER)),
        ("Staking", "grantRole", (ADMIN_ROLE, OTHER)),
        ("Staking", "revokeRole", (LOCKER_ROLE, OTHER)),
        ("Staking", "setTreasury", (OTHER,)),
        ("Staking", "setReputation", (OTHER,)),
        ("Staking", "setVotingGate", (OTHER,)),
        ("Staking", "setParameter", ("unbondingPeriod", 600)),
        ("Staking", "setParameter", ("slashBeneficiaryShareBps", 100)),
        ("Staking", "transfer_ownership", (OTHER,)),
        ("ServiceEscrow", "setGuardian", (founder, False)),
        ("ServiceEscrow", "setTreasury", (OTHER,)),
        ("ServiceEscrow", "setParameter", ("feeBps", 50)),
        ("ServiceEscrow", "transfer_ownership", (OTHER,)),
        ("Reputation", "seedReputation", (OTHER, 100)),
        ("Reputation", "grantRole", (WRITER_ROLE, OTHER)),
        ("Reputation", "grantRole", (ADMIN_ROLE, OTHER)),
        ("Reputation", "revokeRole", (WRITER_ROLE, OTHER)),
        ("Reputation", "setEscrow", (OTHER,)),
        ("Reputation", "setParameter", ("halfLifeBlocks", 1000)),
        ("Reputation", "transfer_ownership", (OTHER,)),
    ]


# What a caller without the Timelock's powers is told: snekmate's ownable and access_control messages.
OWNER_REFUSALS = ("ownable: caller is not the owner", "access_control: account is missing role")


@pytest.mark.parametrize("who", [0, 1, 6, 9])
def test_timelock_owned_setters__refuse_every_other_caller(full, accounts, who):
    caller = accounts[who]
    for name, fn, args in _owner_calls(accounts[7].address):
        with ape.reverts() as info:
            getattr(full[name], fn)(*args, sender=caller)
        assert info.value.revert_message in OWNER_REFUSALS, (name, fn, info.value.revert_message)
    for fn, arg in [
        ("setVotingDelay", 5),
        ("setVotingPeriod", 40),
        ("setProposalThreshold", 10**18),
        ("setProposalReputationThreshold", 100),
        ("setMinVotingReputation", 100),
        ("updateQuorumNumerator", 200),
        ("setLateQuorumVoteExtension", 5),
        ("setGuardian", OTHER),
    ]:
        with ape.reverts("Governor: caller is not the timelock"):
            getattr(full["Governor"], fn)(arg, sender=caller)
    with ape.reverts("Timelock: caller must be timelock"):
        full["Timelock"].update_delay(120, sender=caller)
    with ape.reverts("access_control: account is missing role"):
        full["Timelock"].grantRole(full["Timelock"].PROPOSER_ROLE(), caller, sender=caller)


def test_timelock_owned_setters__exact_revert_strings(full, deployer):
    with ape.reverts("ownable: caller is not the owner"):
        full["ServiceEscrow"].setParameter("feeBps", 50, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        full["Staking"].setParameter("slashBeneficiaryShareBps", 100, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        full["Reputation"].seedReputation(deployer, 100, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        full["AgentRegistry"].transfer_ownership(deployer, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        full["AgentToken"].set_minter(deployer, True, sender=deployer)
