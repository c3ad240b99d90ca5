"""What an agent saw during one cycle: the only way data enters cognition, validated on entry.

The caller (the agent runtime) builds an Observation from chain events. Everything is checked here:
NaN or infinite numbers, negative balances or counts, shares outside [0, 1], malformed addresses,
duplicated service entries and more ingested blocks than expected are refused with a pydantic
ValidationError that names the field, so nothing invalid reaches the maths.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NonNegFloat = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
NonNegInt = Annotated[int, Field(ge=0)]
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
ServiceName = Annotated[str, Field(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Balances(_Strict):
    """Holdings at the end of the cycle, in whole units (ETH, tokens)."""

    eth: NonNegFloat  # gas money -> ResourceVector.compute
    token: NonNegFloat  # working capital -> ResourceVector.memory
    stake: NonNegFloat = 0.0  # active stake -> ResourceVector.stability
    escrow_locked: NonNegFloat = 0.0  # own funds locked in escrow (counted with stake as reserve)


class ServiceActivity(_Strict):
    """Job counts for one service type during the cycle (as provider)."""

    service: ServiceName
    offered: NonNegInt = 0  # bids / offers made
    won: NonNegInt = 0  # jobs assigned to us
    completed: NonNegInt = 0  # paid without dispute
    failed: NonNegInt = 0  # expired / not delivered
    disputed: NonNegInt = 0  # rejected or disputed


class CounterpartyOutcome(_Strict):
    """One settled interaction with another agent."""

    counterparty: Address
    role: Literal["client", "provider", "competitor", "evaluator"]
    delivered_on_time: bool | None = None  # for a provider: did it deliver in time
    paid: bool | None = None  # for a client: did it pay
    disputed: bool = False
    cooperative: bool = True  # behaved cooperatively (no undercut, no frivolous dispute, ...)

    @property
    def reliable(self) -> bool:
        """On-time delivery / payment (the 'observed reliability' sample)."""
        checks = [x for x in (self.delivered_on_time, self.paid) if x is not None]
        return (all(checks) if checks else self.cooperative) and not self.disputed

    @property
    def positive(self) -> bool:
        """Settled without dispute and cooperative (a 'positive interaction')."""
        return self.reliable and self.cooperative


class Governance(_Strict):
    proposals_active: NonNegInt = 0
    votes_cast: NonNegInt = 0


class Observation(_Strict):
    """One L4.8 cycle's worth of observed facts (one cycle = a fixed window of blocks)."""

    cycle: NonNegInt  # must equal the state's next cycle number
    balances: Balances
    gas_spent_eth: NonNegFloat = 0.0
    eth_received: NonNegFloat = 0.0
    tokens_spent: NonNegFloat = 0.0  # payments, fees, stake top-ups
    tokens_earned: NonNegFloat = 0.0
    services: tuple[ServiceActivity, ...] = ()
    interactions: tuple[CounterpartyOutcome, ...] = ()
    prices: dict[ServiceName, NonNegFloat] = Field(default_factory=dict)  # market median per service
    job_arrival_rate: NonNegFloat = 0.0  # jobs posted per cycle, market-wide
    gas_price_gwei: NonNegFloat = 0.0
    governance: Governance = Governance()
    blocks_ingested: NonNegInt
    blocks_expected: Annotated[int, Field(ge=1)]
    events_ingested: NonNegInt = 0
    events_expected: NonNegInt = 0

    @model_validator(mode="after")
    def _consistent(self) -> Observation:
        if self.blocks_ingested > self.blocks_expected:
            raise ValueError("blocks_ingested exceeds blocks_expected")
        if self.events_ingested > self.events_expected and self.events_expected > 0:
            raise ValueError("events_ingested exceeds events_expected")
        names = [s.service for s in self.services]
        if len(set(names)) != len(names):
            raise ValueError("duplicate service in services")
        for s in self.services:
            if s.won > s.offered and s.offered > 0:
                raise ValueError(f"service {s.service}: won exceeds offered")
        return self

    @property
    def ingestion_share(self) -> float:
        """Share of expected blocks (and events, when given) actually ingested, in [0, 1]."""
        share = self.blocks_ingested / self.blocks_expected
        if self.events_expected > 0:
            share = min(share, self.events_ingested / self.events_expected)
        return share
