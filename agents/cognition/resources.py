"""Module 7 (§5.1): ResourceVectorManager - five resource dimensions tracked from observations.

compute <- ETH for gas; memory <- token working capital; observation <- share of expected blocks/events
ingested; mutation <- remaining value-mutation budget (3 per 200 cycles, §4.4); stability <- stake plus
own escrowed funds. Levels are in native units; capacity is the largest level seen (1 for the two
shares). Consumption and replenishment are moving averages of the per-cycle outflow and inflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.cognition import constants as K

if TYPE_CHECKING:
    from agents.cognition.observation import Observation


@dataclass
class ResourceDim:
    level: float = 0.0
    capacity: float = 0.0
    consumption: float = 0.0
    replenishment: float = 0.0
    samples: int = 0

    @property
    def critical(self) -> float:
        return K.RESOURCE_CRITICAL_FRACTION * self.capacity

    @property
    def warning(self) -> float:
        return K.RESOURCE_WARNING_FRACTION * self.capacity

    @property
    def fraction(self) -> float:
        return self.level / self.capacity if self.capacity > 0 else 0.0


def _new_dims() -> dict[str, ResourceDim]:
    return {name: ResourceDim() for name in K.RESOURCE_DIMENSIONS}


@dataclass
class ResourceVector:
    dims: dict[str, ResourceDim] = field(default_factory=_new_dims)
    escrow_prev: float = 0.0  # own funds in escrow last cycle (a pass-through of the stability level)

    def fractions(self) -> dict[str, float]:
        return {k: d.fraction for k, d in self.dims.items()}


def observe_dim(
    d: ResourceDim,
    level: float,
    outflow: float | None,
    inflow: float | None,
    fixed_capacity: float | None = None,
    neutral: float = 0.0,
) -> None:
    """Fold one observed level into a dimension (mutates d).

    outflow/inflow: explicit flows when the observation has them (first cycle); afterwards they are
    reconciled with the balance change so outflow - inflow always equals the observed decrease.
    neutral: the part of the level change that is neither consumption nor replenishment (funds moving
    through, e.g. escrow locked by a purchase and released to the provider).
    """
    alpha = K.RESOURCE_RATE_ALPHA
    if d.samples == 0:
        out = outflow or 0.0
        inc = inflow or 0.0
    else:
        delta = level - d.level - neutral
        out = max(outflow or 0.0, -delta)
        inc = delta + out
    if d.samples == 0:
        d.consumption, d.replenishment = out, inc
    else:
        d.consumption += alpha * (out - d.consumption)
        d.replenishment += alpha * (inc - d.replenishment)
    d.level = level
    d.capacity = fixed_capacity if fixed_capacity is not None else max(d.capacity, level)
    d.samples += 1


def update_resources(rv: ResourceVector, obs: Observation, mutation_budget: float) -> None:
    """Update the five dimensions from an Observation (mutates rv)."""
    b = obs.balances
    observe_dim(rv.dims["compute"], b.eth, obs.gas_spent_eth, obs.eth_received)
    observe_dim(rv.dims["memory"], b.token, obs.tokens_spent, obs.tokens_earned)
    observe_dim(rv.dims["observation"], obs.ingestion_share, None, None, fixed_capacity=1.0)
    observe_dim(rv.dims["mutation"], mutation_budget, None, None, fixed_capacity=1.0)
    # escrow locked for a purchase is released to the provider when the job settles: a payment (already
    # counted as memory spending), not a depletion of the stability reserve. Escrow changes are neutral.
    observe_dim(
        rv.dims["stability"], b.stake + b.escrow_locked, None, None, neutral=b.escrow_locked - rv.escrow_prev
    )
    rv.escrow_prev = b.escrow_locked
