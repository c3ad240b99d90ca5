"""Deployment stage of the marketplace: AgentRegistry, Reputation, Staking, ServiceEscrow.

Importing this module appends the `market` stage to `agents.chain.deployment.STAGES` (the deploy
runner imports it if present). The stage reads the `market:` section of the parameter file,
deploys the four contracts, wires their permissions (escrow locks and slashes stake, escrow and
staking write reputation penalties, reputation reads the escrow's jobs), and bootstraps the
founding agents: reputation seeded by the owner (bounded on-chain) and, on local networks, their
own stake and guardian seats. Every contract stays owned by the deployer; the governance stage
hands them to the Timelock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.chain.deployment import PARAM_SECTIONS, STAGES, DeployContext, DeployError, section, to_wei

MARKET_CONTRACTS = ("AgentRegistry", "Reputation", "Staking", "ServiceEscrow")


class StakingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unbonding_period: int = Field(default=14 * 86_400, ge=60, le=90 * 86_400, description="seconds")
    slash_beneficiary_share_bps: int = Field(default=5_000, ge=0, le=5_000)


class EscrowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fee_bps: int = Field(default=100, ge=0, le=1_000)
    collateral_ratio_bps: int = Field(default=2_000, ge=0, le=30_000)
    min_provider_stake: Decimal = Field(default=Decimal(100), ge=0, description="whole tokens")
    review_window: int = Field(default=86_400, ge=60, le=30 * 86_400, description="seconds")
    dispute_window: int = Field(default=86_400, ge=60, le=30 * 86_400, description="seconds")
    ruling_period: int = Field(default=3 * 86_400, ge=60, le=30 * 86_400, description="seconds")
    dispute_bond: Decimal = Field(default=Decimal(50), ge=0, description="whole tokens")
    guardian_min_stake: Decimal = Field(default=Decimal(1_000), ge=0, description="whole tokens")
    guardian_min_reputation: int = Field(default=3_000, ge=0, le=10_000)
    min_working_window: int = Field(
        default=3_600, ge=60, le=30 * 86_400, description="seconds a funded job leaves the provider"
    )
    max_job_duration: int = Field(
        default=30 * 86_400,
        ge=3_600,
        le=365 * 86_400,
        description="seconds from funding to expiredAt, at most",
    )


class ReputationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bootstrap_blocks: int = Field(default=100_000, ge=0, le=2_000_000)
    half_life_blocks: int = Field(default=216_000, ge=10, le=100_000_000)
    reference_value: Decimal = Field(default=Decimal(1_000), ge=1, le=10**9, description="whole tokens")
    expiry_penalty_bps: int = Field(default=1_000, ge=0, le=5_000)
    dispute_penalty_bps: int = Field(default=2_500, ge=0, le=5_000)
    slash_penalty_bps: int = Field(default=1_500, ge=0, le=5_000)
    rater_cap_bps: int = Field(
        default=9_000, ge=0, le=10_000, description="a rater lifts nobody above this share of its own score"
    )


class FounderParams(BaseModel):
    """A founding agent. `account` is an address, or on local networks a test-account index."""

    model_config = ConfigDict(extra="forbid")
    account: str | int
    reputation: int = Field(default=0, ge=0, le=8_000)
    stake: Decimal = Field(
        default=Decimal(0), ge=0, description="whole tokens, minted and bonded for the founder"
    )
    guardian: bool = False


class MarketParams(BaseModel):
    """`market:` section of a parameter file."""

    model_config = ConfigDict(extra="forbid")
    treasury: str | None = Field(
        default=None, description="receiver of fees and slashes; default: the deployer"
    )
    staking: StakingParams = StakingParams()
    escrow: EscrowParams = EscrowParams()
    reputation: ReputationParams = ReputationParams()
    founders: list[FounderParams] = Field(default_factory=list, max_length=15)


def _founder_account(ctx: DeployContext, founder: FounderParams) -> Any:
    """The founder as an ape account (local test account) or a bare address string."""
    if isinstance(founder.account, int):
        if not ctx.is_local:
            raise DeployError("market.founders: account indices are for local networks; give addresses")
        if not 0 <= founder.account < len(ctx.accounts):
            raise DeployError(f"market.founders: no test account {founder.account}")
        return ctx.accounts[founder.account]
    return founder.account


def stage_market(ctx: DeployContext) -> None:
    p: MarketParams = section(ctx.params, "market", MarketParams)
    token = ctx.contracts.get("AgentToken")
    if token is None:
        raise DeployError("the market stage needs AgentToken (token stage) first")
    owner = ctx.deployer
    treasury = p.treasury or owner.address
    s, e, r = p.staking, p.escrow, p.reputation

    registry = ctx.deploy("AgentRegistry")
    reputation = ctx.deploy(
        "Reputation",
        registry.address,
        r.bootstrap_blocks,
        r.half_life_blocks,
        to_wei(r.reference_value),
        r.expiry_penalty_bps,
        r.dispute_penalty_bps,
        r.slash_penalty_bps,
        r.rater_cap_bps,
    )
    staking = ctx.deploy(
        "Staking", token.address, treasury, s.unbonding_period, s.slash_beneficiary_share_bps
    )
    escrow = ctx.deploy(
        "ServiceEscrow",
        token.address,
        staking.address,
        reputation.address,
        treasury,
        e.fee_bps,
        e.collateral_ratio_bps,
        to_wei(e.min_provider_stake),
        e.review_window,
        e.dispute_window,
        e.ruling_period,
        to_wei(e.dispute_bond),
        to_wei(e.guardian_min_stake),
        e.guardian_min_reputation,
        e.min_working_window,
        e.max_job_duration,
    )

    # Permissions: the escrow locks and slashes stake; escrow and staking write reputation penalties.
    staking.grantRole(staking.LOCKER_ROLE(), escrow.address, sender=owner)
    staking.grantRole(staking.SLASHER_ROLE(), escrow.address, sender=owner)
    staking.setReputation(reputation.address, sender=owner)
    reputation.grantRole(reputation.WRITER_ROLE(), escrow.address, sender=owner)
    reputation.grantRole(reputation.WRITER_ROLE(), staking.address, sender=owner)
    reputation.setEscrow(escrow.address, sender=owner)
    ctx.log(f"  wired market permissions; treasury {treasury}")

    founders = []
    for f in p.founders:
        acct = _founder_account(ctx, f)
        address = acct if isinstance(acct, str) else acct.address
        if f.reputation:
            reputation.seedReputation(address, f.reputation, sender=owner)
        if f.stake:
            amount = to_wei(f.stake)
            if isinstance(acct, str):
                # Off local networks the founder does not sign here: the deployer mints the founder's
                # initial stake and bonds it for the founder (`stakeFor`; only the founder can unstake).
                token.mint(owner.address, amount, sender=owner)
                token.approve(staking.address, amount, sender=owner)
                staking.stakeFor(address, amount, sender=owner)
            else:
                # Local devnets: the founder's stake is minted on top of its local funding, so founders
                # start with the same liquid balance as every other test account.
                token.mint(address, amount, sender=owner)
                token.approve(staking.address, amount, sender=acct)
                staking.stake(amount, sender=acct)
        if f.guardian:
            escrow.setGuardian(address, True, sender=owner)
        founders.append(address)
    if founders:
        ctx.extra["founders"] = founders
        ctx.log(
            f"  bootstrapped {len(founders)} founders"
            f" (reputation seeds until block {reputation.bootstrapEnds()})"
        )


PARAM_SECTIONS["market"] = MarketParams
if all(name != "market" for name, _ in STAGES):
    STAGES.append(("market", stage_market))
