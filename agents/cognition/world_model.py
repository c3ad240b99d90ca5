"""L4.8 WorldModel: market dimensions with posterior mean/variance, scenarios and EU.

Each market dimension x (gas price, job arrival rate, median service price, counterparty default rate,
governance activity) is normalised against its own long-run mean, u = x / (x + mean_long) in [0, 1)
(u = 0.5 at the long-run mean), and tracked by an exponentially weighted mean and variance starting
from the uninformed prior (mean 0.5, variance 0.25 = the largest a [0, 1] variable can have).
EU = mean posterior variance / 0.25, in [0, 1]: 1 before any evidence, small in a steady market.

Scenario probabilities start at the L4.8 priors and are updated by Bayes' rule from the observed
change in market health (arrivals and prices up, defaults and gas down), then relaxed toward the prior
so no regime is locked in. Per-service OPPORTUNISTIC scenarios (gap 3) have the empirical probability
that the service's price runs above its long-run level (share of the last 20 cycles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from agents.cognition import constants as K
from agents.cognition.mathutil import clamp

_N = len(K.WORLD_DIMENSIONS)
_HOT_WINDOW = K.PRICE_HOT_WINDOW
_HOT_MASK = (1 << _HOT_WINDOW) - 1
_LONG_ALPHA = K.WORLD_LONG_ALPHA


@dataclass
class WorldModelState:
    mean: list[float] = field(default_factory=lambda: [0.5] * _N)
    var: list[float] = field(default_factory=lambda: [0.25] * _N)
    long_raw: list[float] = field(default_factory=lambda: [0.0] * _N)
    n: int = 0
    health_prev: float = 0.0
    health_dev: float = 0.1  # running mean |change in health| (scale for the likelihood)
    scenario_probs: dict[str, float] = field(default_factory=lambda: dict(K.SCENARIO_PRIORS))
    price_long: dict[str, float] = field(default_factory=dict)
    price_hot_bits: dict[str, int] = field(default_factory=dict)
    price_n: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Scenario:
    name: str
    type: str  # BASELINE | OPPORTUNISTIC | ADVERSE | DISRUPTION
    probability: float
    demand_factor: float
    service: str | None = None
    estimated_duration: int = 0


_TYPES = {
    "BASELINE": "BASELINE",
    "OPTIMISTIC": "OPPORTUNISTIC",
    "PESSIMISTIC": "ADVERSE",
    "DISRUPTION": "DISRUPTION",
    "ALTERNATIVE": "OPPORTUNISTIC",
}


def market_vector(
    gas_price: float, arrival: float, median_price: float, default_rate: float, governance: float
) -> list[float]:
    return [gas_price, arrival, median_price, default_rate, governance]


def update_world(wm: WorldModelState, raw: list[float], prices: dict[str, float]) -> None:
    """Fold one cycle of market observations into the model (mutates wm)."""
    a = K.WORLD_EMA_ALPHA
    u = [0.0] * _N
    for i, x in enumerate(raw):
        lr = wm.long_raw[i]
        lr = x if wm.n == 0 else lr + _LONG_ALPHA * (x - lr)
        wm.long_raw[i] = lr
        u[i] = 0.5 if x + lr <= 0.0 else x / (x + lr)
        d = u[i] - wm.mean[i]
        wm.mean[i] += a * d
        wm.var[i] = (1 - a) * (wm.var[i] + a * d * d)
    # market health: arrivals and prices good, defaults and gas bad, in normalised units
    health = u[1] + u[2] - u[3] - u[0]
    if wm.n > 0:
        change = health - wm.health_prev
        wm.health_dev += K.HEALTH_DEV_ALPHA * (abs(change) - wm.health_dev)
        sd = max(wm.health_dev, 1e-3)
        post = {}
        for name, p in wm.scenario_probs.items():
            z = change / sd - K.SCENARIO_HEALTH_SHIFT[name]
            post[name] = p * math.exp(-0.5 * z * z)
        total = sum(post.values())
        f = K.SCENARIO_FORGETTING
        for name in post:
            p = post[name] / total if total > 0 else K.SCENARIO_PRIORS[name]
            wm.scenario_probs[name] = (1 - f) * p + f * K.SCENARIO_PRIORS[name]
    wm.health_prev = health
    wm.n += 1
    for svc, price in prices.items():
        prev = wm.price_long.get(svc)
        lr = price if prev is None else prev + K.PRICE_LONG_ALPHA * (price - prev)
        wm.price_long[svc] = lr
        hot = 1 if lr > 0 and price > lr * K.PRICE_HOT_MARGIN else 0
        wm.price_hot_bits[svc] = ((wm.price_hot_bits.get(svc, 0) << 1) | hot) & _HOT_MASK
        wm.price_n[svc] = min(_HOT_WINDOW, wm.price_n.get(svc, 0) + 1)


def environmental_uncertainty(wm: WorldModelState) -> float:
    """EU: mean posterior variance, normalised to [0, 1] (L4.8; < 0.20 for L4.9 activation)."""
    return clamp(sum(wm.var) / (_N * 0.25))


def scenarios(wm: WorldModelState) -> list[Scenario]:
    """The five L4.8 scenarios plus one OPPORTUNISTIC scenario per priced service."""
    out = [
        Scenario(name, _TYPES[name], p, K.SCENARIO_DEMAND_FACTOR[name], None, 50)
        for name, p in wm.scenario_probs.items()
    ]
    for svc, bits in wm.price_hot_bits.items():
        n = wm.price_n.get(svc, 0)
        if n < _HOT_WINDOW:
            continue  # not enough history to call a regime
        prob = bin(bits).count("1") / _HOT_WINDOW
        out.append(Scenario(f"DEMAND_UP:{svc}", "OPPORTUNISTIC", prob, 1.0, svc, 50))
    return out
