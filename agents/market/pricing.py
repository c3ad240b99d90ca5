"""Asking prices that move with demand, competition, reputation and resource pressure (seed 000).

Seed 000 asks for "a dynamic market where service prices are set in real time by supply and demand,
pushing agents to become more efficient or more specialised". This module is that price rule, as pure
functions over observed quantities (no chain, no I/O). docs/market.md gives the formula and its
properties. Prices are integers in token wei-units; only the signals are floats (see below).

One step, per service and per cycle, from the current ask `a`:

    imbalance  = (requested - offered) / (requested + offered)                    in [-1, 1]
    demand     = demand_elasticity * imbalance
    compete    = competition_weight * ln(reference / a)      reference = median competitor ask
                                                             * (1 - undercut)
    win        = win_rate_weight * (win_rate - target_win_rate)
    reputation = reputation_premium * (reputation - 0.5)
    pressure   = -pressure_weight * resource_pressure
    target     = a * exp(demand + compete + win + reputation + pressure)
    next       = clamp(target, a * (1 - max_step), a * (1 + max_step)) then clamp(floor, ceiling)

floor = cost * (1 + min_margin), ceiling = cost * ceiling_multiple. Each term is zero when its signal is
neutral (balanced demand, ask at the reference, win rate at target, reputation 0.5, no pressure), so a
balanced market holds its price.

Amounts stay integers of wei: every ratio (the margin, the ceiling multiple, the step, the undercut and
the model's price factor exp(...)) becomes basis points once (agents.chain.units.bps) and scales the
integer price; only the signals (imbalance, log terms, scores) are floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from agents.chain.units import BPS, bps, mul_bps, mul_bps_up, scale


@dataclass(frozen=True)
class PricingParams:
    """Tunable shape of the price rule; personas override `undercut` and weights."""

    min_margin: float = 0.10  # floor = cost * (1 + min_margin): never sell below cost plus this margin
    ceiling_multiple: float = 20.0  # ceiling = cost * ceiling_multiple
    max_step: float = 0.10  # at most +/-10 % per cycle
    demand_elasticity: float = 0.25
    competition_weight: float = 0.30
    undercut: float = 0.0  # aim this fraction below the competitors' median ask
    win_rate_weight: float = 0.20
    target_win_rate: float = 0.5
    reputation_premium: float = 0.20  # at reputation 1.0: +10 % per step pull; at 0.0: -10 %
    pressure_weight: float = 0.10  # resource pressure lowers the ask to win work (cash flow)

    def __post_init__(self) -> None:
        if self.min_margin < 0 or self.ceiling_multiple <= 1 + self.min_margin:
            raise ValueError("need min_margin >= 0 and ceiling_multiple > 1 + min_margin")
        if not 0 < self.max_step < 1:
            raise ValueError("max_step must be in (0, 1)")
        if not 0 <= self.undercut < 1 or not 0 <= self.target_win_rate <= 1:
            raise ValueError("undercut in [0, 1) and target_win_rate in [0, 1]")
        weights = (
            self.demand_elasticity,
            self.competition_weight,
            self.win_rate_weight,
            self.reputation_premium,
            self.pressure_weight,
        )
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")


@dataclass(frozen=True)
class MarketSignals:
    """What one agent observed for one service over the pricing window."""

    requested: int = 0  # jobs clients created for this service in the window
    offered: int = 0  # provider offers (listings/bids) in the window, including the agent's own
    competitor_asks: tuple[int, ...] = ()  # other providers' current asks (wei)
    win_rate: float | None = None  # own accepted / own offers in the window; None if no offers
    reputation: float = 0.5  # own reputation normalised to [0, 1]
    resource_pressure: float = 0.0  # [0, 1]: 0 = comfortable, 1 = about to run out (from cognition)

    def __post_init__(self) -> None:
        if self.requested < 0 or self.offered < 0:
            raise ValueError("requested and offered must not be negative")
        if any(a <= 0 for a in self.competitor_asks):
            raise ValueError("competitor asks must be positive")
        for name in ("reputation", "resource_pressure"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if self.win_rate is not None and not 0.0 <= self.win_rate <= 1.0:
            raise ValueError("win_rate must be in [0, 1]")


def price_floor(cost: int, params: PricingParams = PricingParams()) -> int:
    """Lowest acceptable ask: cost plus the minimum margin (rounded up), at least 1 wei."""
    if cost < 0:
        raise ValueError("cost must not be negative")
    return max(1, mul_bps_up(cost, BPS + bps(params.min_margin)))


def price_ceiling(cost: int, params: PricingParams = PricingParams()) -> int:
    return max(price_floor(cost, params), scale(max(cost, 1), params.ceiling_multiple))


def clamp_price(price: int, cost: int, params: PricingParams = PricingParams()) -> int:
    return min(max(int(price), price_floor(cost, params)), price_ceiling(cost, params))


def initial_ask(cost: int, params: PricingParams = PricingParams(), markup: float = 0.5) -> int:
    """A starting ask: cost plus `markup`, within bounds."""
    return clamp_price(mul_bps(cost, BPS + bps(markup)), cost, params)


def demand_imbalance(requested: int, offered: int) -> float:
    """(requested - offered) / (requested + offered); 0 when nothing happened."""
    total = requested + offered
    return 0.0 if total == 0 else (requested - offered) / total


def median_ask(asks: Sequence[int]) -> int:
    """The median of integer asks in wei (the lower-rounded mean of the middle two for an even count)."""
    xs = sorted(int(a) for a in asks)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) // 2


def price_pressure_terms(ask: int, signals: MarketSignals, params: PricingParams) -> dict[str, float]:
    """The log-price pull of each signal (documented in the module header); useful for logs."""
    if ask <= 0:
        raise ValueError("ask must be positive")
    terms = {
        "demand": params.demand_elasticity * demand_imbalance(signals.requested, signals.offered),
        "compete": 0.0,
        "win": 0.0,
        "reputation": params.reputation_premium * (signals.reputation - 0.5),
        "pressure": -params.pressure_weight * signals.resource_pressure,
    }
    if signals.competitor_asks:
        reference = mul_bps(median_ask(signals.competitor_asks), BPS - bps(params.undercut))
        terms["compete"] = params.competition_weight * math.log(max(reference, 1) / ask)
    elif params.undercut > 0:
        terms["compete"] = params.competition_weight * math.log(1 - params.undercut)
    if signals.win_rate is not None:
        terms["win"] = params.win_rate_weight * (signals.win_rate - params.target_win_rate)
    return terms


def next_ask(ask: int, cost: int, signals: MarketSignals, params: PricingParams = PricingParams()) -> int:
    """The next asking price: the current one moved by the signals, step-limited and bounded."""
    ask = clamp_price(ask, cost, params)
    target = scale(ask, math.exp(sum(price_pressure_terms(ask, signals, params).values())))
    step = bps(params.max_step)
    stepped = min(max(target, mul_bps_up(ask, BPS - step)), mul_bps(ask, BPS + step))
    return clamp_price(stepped, cost, params)


@dataclass(frozen=True)
class Offer:
    """A provider's ask as a client sees it."""

    provider: str
    ask: int
    reputation: float  # normalised [0, 1]


def offer_score(offer: Offer, reputation_weight: float = 1.0) -> float:
    """Price per unit of trust: lower is better. Reputation 0 is treated as 0.05 (not infinite cost)."""
    trust: float = max(0.05, offer.reputation) ** reputation_weight  # a positive base: a real power
    return offer.ask / trust


def choose_offer(
    offers: Sequence[Offer], budget: int, reputation_weight: float = 1.0, min_reputation: float = 0.0
) -> Offer | None:
    """The client's pick: the best price-per-trust offer within budget and above a reputation floor.

    Ties break by provider address so every observer computes the same choice.
    """
    eligible = [o for o in offers if o.ask <= budget and o.reputation >= min_reputation]
    if not eligible:
        return None
    return min(eligible, key=lambda o: (offer_score(o, reputation_weight), o.provider.lower()))
