"""Deployment stage of governance: Timelock + Governor, then every power handed to the Timelock.

Importing this module appends the `governance` stage to `agents.chain.deployment.STAGES` (after the
market stage) and registers the `governance:` parameter section. The stage:

1. deploys the Timelock (the deployer is its temporary admin) and the Governor (voting power =
   Staking, gate = Reputation);
2. gives the Timelock's PROPOSER, EXECUTOR and CANCELLER roles to the Governor alone (the guardian
   cancels through `Governor.cancel`, which refuses to cancel the guardian's own removal), points
   Staking's voting gate at the Governor and activates the founders' voting (their stake becomes the
   quorum base), and renounces the deployer's admin role (the Timelock administers itself);
3. points the treasury of Staking and ServiceEscrow (slashes, fees) at the Timelock when it is the
   deployer (the market default), and transfers ownership of AgentToken (with it, the minter role),
   AgentRegistry, Staking, ServiceEscrow and Reputation to the Timelock, and with it the
   DEFAULT_ADMIN_ROLE of Staking and Reputation (the admin of their SLASHER, LOCKER and WRITER roles).

Afterwards the deployer holds no role, no ownership and no minting right (`assert_deployer_powerless`
checks it and the stage calls it). Founders' reputation and stake are seeded by the market stage, which
runs first while the deployer still owns Reputation (see docs/governance.md, "Bootstrapping").
If the market stage is absent, the Governor cannot exist (it reads Staking and Reputation): the stage
then only hands AgentToken to nobody and says so.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.chain.deployment import (
    PARAM_CHECKS,
    PARAM_SECTIONS,
    STAGES,
    DeployContext,
    DeployError,
    section,
    to_wei,
)

GOVERNED_CONTRACTS = ("AgentToken", "AgentRegistry", "Staking", "ServiceEscrow", "Reputation")
TREASURY_HOLDERS = ("Staking", "ServiceEscrow")
# The access_control roles of the governed contracts: DEFAULT_ADMIN_ROLE (grants and revokes the others)
# goes to the Timelock with the ownership; the deployer must end up holding none of them.
GOVERNED_ROLES = {
    "Staking": ("DEFAULT_ADMIN_ROLE", "SLASHER_ROLE", "LOCKER_ROLE"),
    "Reputation": ("DEFAULT_ADMIN_ROLE", "WRITER_ROLE"),
}
ZERO = "0x0000000000000000000000000000000000000000"


class GovernanceParams(BaseModel):
    """`governance:` section. Bounds mirror the contracts' MIN_/MAX_ constants (docs/governance.md)."""

    model_config = ConfigDict(extra="forbid")
    timelock_delay: int = Field(2 * 86_400, ge=60, le=30 * 86_400, description="seconds")
    voting_delay: int = Field(7_200, ge=1, le=100_800, description="blocks")
    voting_period: int = Field(50_400, ge=10, le=201_600, description="blocks")
    proposal_threshold: int = Field(1_000, ge=1, le=10_000_000, description="whole AGENT staked")
    proposal_reputation: int = Field(5_000, ge=1, le=8_000)
    min_voting_reputation: int = Field(1_000, ge=1, le=5_000)
    quorum_bps: int = Field(400, ge=100, le=5_000, description="basis points of total stake")
    late_quorum_extension: int = Field(14_400, ge=1, le=50_400, description="blocks")
    guardian: str | int | None = Field(
        None, description="address, or a test-account index locally; null: none"
    )
    seconds_per_block: int = Field(
        12, ge=1, le=600, description="expected block time, for the slash-dodge check"
    )


def check_slash_window(unbonding_period: int, p: GovernanceParams) -> None:
    """A governance slash must reach stake that was queued for unbonding when the proposal was made.

    Stake queued at propose time is withdrawable `unbonding_period` seconds later; the slash executes at
    the earliest after voting delay + voting period + late-quorum extension (blocks) + the Timelock delay.
    If unbonding is shorter, the targeted agent can queue when it sees the proposal and withdraw first.
    Block time is not known on-chain (the clock counts blocks), so the relation is checked here with the
    parameter file's `seconds_per_block` (docs/governance.md, "Slashing by governance").
    """
    blocks = p.voting_delay + p.voting_period + p.late_quorum_extension
    path = p.timelock_delay + blocks * p.seconds_per_block
    if unbonding_period < path:
        raise DeployError(
            f"market.staking.unbonding_period ({unbonding_period} s) is shorter than a proposal's path "
            f"({p.timelock_delay} s Timelock delay + {blocks} blocks x {p.seconds_per_block} s = {path} s): "
            "a governance slash could be dodged by unbonding; raise it or shorten the governance windows"
        )


PARAM_SECTIONS["governance"] = GovernanceParams


def _check_params_slash_window(params: dict[str, Any]) -> None:
    """`check_slash_window` on the parameter file, before any transaction (the stage checks on-chain too)."""
    market = PARAM_SECTIONS.get("market")
    if market is None or (not params.get("governance") and not params.get("market")):
        return
    m = section(params, "market", market)
    check_slash_window(m.staking.unbonding_period, section(params, "governance", GovernanceParams))


if _check_params_slash_window not in PARAM_CHECKS:
    PARAM_CHECKS.append(_check_params_slash_window)


def _guardian_address(ctx: DeployContext, guardian: str | int | None) -> str:
    if guardian is None:
        return ZERO
    if isinstance(guardian, int):
        if not ctx.is_local:
            raise DeployError("governance.guardian: account indices are for local networks; give an address")
        if not 0 <= guardian < len(ctx.accounts):
            raise DeployError(f"governance.guardian: no test account {guardian}")
        address: str = ctx.accounts[guardian].address  # an ape test account: its checksummed address
        return address
    from eth_utils.address import is_address, to_checksum_address

    if not is_address(guardian):
        raise DeployError(f"governance.guardian: not an address: {guardian!r}")
    return to_checksum_address(guardian)


def assert_deployer_powerless(contracts: dict[str, Any], deployer: str) -> None:
    """Raise DeployError if the deployer kept any ownership, minting right, role or Timelock role."""
    problems = []
    for name in GOVERNED_CONTRACTS:
        c = contracts.get(name)
        if c is not None and c.owner() == deployer:
            problems.append(f"{name} owner")
    for name, roles in GOVERNED_ROLES.items():
        c = contracts.get(name)
        if c is not None:
            problems += [f"{name} {role}" for role in roles if c.hasRole(getattr(c, role)(), deployer)]
    token = contracts.get("AgentToken")
    if token is not None and token.is_minter(deployer):
        problems.append("AgentToken minter")
    for name in TREASURY_HOLDERS:
        c = contracts.get(name)
        if c is not None and c.treasury() == deployer:
            problems.append(f"{name} treasury")
    timelock = contracts.get("Timelock")
    if timelock is not None:
        for role in ("DEFAULT_ADMIN_ROLE", "PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"):
            if timelock.hasRole(getattr(timelock, role)(), deployer):
                problems.append(f"Timelock {role}")
    governor = contracts.get("Governor")
    if governor is not None and governor.guardian() == deployer:
        problems.append("Governor guardian")
    if problems:
        raise DeployError(f"the deployer {deployer} still holds: {', '.join(problems)}")


def stage_governance(ctx: DeployContext) -> None:
    p: GovernanceParams = section(ctx.params, "governance", GovernanceParams)
    staking = ctx.contracts.get("Staking")
    reputation = ctx.contracts.get("Reputation")
    if staking is None or reputation is None:
        ctx.log("  governance skipped: the Governor needs Staking and Reputation (market stage)")
        return
    deployer = ctx.deployer
    guardian = _guardian_address(ctx, p.guardian)
    if guardian == deployer.address:
        raise DeployError("governance.guardian must not be the deployer (the deployer keeps no power)")

    check_slash_window(staking.unbondingPeriod(), p)

    timelock = ctx.deploy("Timelock", p.timelock_delay, [], [], deployer.address)
    governor = ctx.deploy(
        "Governor",
        staking.address,
        reputation.address,
        timelock.address,
        p.voting_delay,
        p.voting_period,
        to_wei(p.proposal_threshold),
        p.proposal_reputation,
        p.min_voting_reputation,
        p.quorum_bps,
        p.late_quorum_extension,
        guardian,
    )

    timelock.grantRole(timelock.PROPOSER_ROLE(), governor.address, sender=deployer)
    timelock.grantRole(timelock.EXECUTOR_ROLE(), governor.address, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor.address, sender=deployer)

    # Voting stake: the gate is the Governor's; founders that pass it vote from now on.
    staking.setVotingGate(governor.address, sender=deployer)
    activated = []
    for founder in ctx.extra.get("founders", []):
        if (
            not staking.votingActive(founder)
            and reputation.reputationOf(founder) >= governor.minVotingReputation()
        ):
            staking.activateVoting(founder, sender=deployer)
            activated.append(founder)

    for name in TREASURY_HOLDERS:
        c = ctx.contracts.get(name)
        if c is not None and c.treasury() == deployer.address:
            c.setTreasury(timelock.address, sender=deployer)
    for name in GOVERNED_ROLES:
        c = ctx.contracts.get(name)
        if c is not None and c.hasRole(c.DEFAULT_ADMIN_ROLE(), deployer.address):
            c.grantRole(c.DEFAULT_ADMIN_ROLE(), timelock.address, sender=deployer)
            c.renounceRole(c.DEFAULT_ADMIN_ROLE(), deployer.address, sender=deployer)
    handed = []
    for name in GOVERNED_CONTRACTS:
        c = ctx.contracts.get(name)
        if c is not None and c.owner() == deployer.address:
            c.transfer_ownership(timelock.address, sender=deployer)
            handed.append(name)
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer.address, sender=deployer)
    assert_deployer_powerless(ctx.contracts, deployer.address)

    ctx.extra["governance"] = {
        "guardian": guardian,
        "handed_to_timelock": handed,
        "voting_activated": activated,
    }
    ctx.log(
        f"  handed {', '.join(handed)} (owner), treasury and minting to the Timelock; guardian {guardian}"
    )


def _register() -> None:
    # The market stage must run first (founders are seeded while the deployer still owns Reputation):
    # import it before appending, whichever module is imported first.
    try:
        import agents.chain.deploy_market  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "agents.chain.deploy_market":
            raise
    if all(name != "governance" for name, _ in STAGES):
        STAGES.append(("governance", stage_governance))


_register()
