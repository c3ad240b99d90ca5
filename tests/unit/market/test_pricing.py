"""The dynamic price rule: direction of each signal, step limit, floor and ceiling."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.market.pricing import (
    MarketSignals,
    Offer,
    PricingParams,
    choose_offer,
    demand_imbalance,
    initial_ask,
    next_ask,
    price_ceiling,
    price_floor,
)

COST = 1_000_000
P = PricingParams()
NEUTRAL = MarketSignals()


def test_neutral_signals__price_holds():
    assert next_ask(2 * COST, COST, NEUTRAL) == 2 * COST


def test_excess_demand__price_rises_and_excess_supply__falls():
    ask = 2 * COST
    assert next_ask(ask, COST, MarketSignals(requested=10, offered=2)) > ask
    assert next_ask(ask, COST, MarketSignals(requested=2, offered=10)) < ask


def test_competitors_cheaper__price_falls_toward_them():
    ask = 3 * COST
    new = next_ask(ask, COST, MarketSignals(competitor_asks=(2 * COST, 2 * COST, 2 * COST)))
    assert 2 * COST < new < ask


def test_competitors_dearer__price_rises():
    assert next_ask(2 * COST, COST, MarketSignals(competitor_asks=(3 * COST,))) > 2 * COST


def test_undercutter__goes_below_competitors_median():
    params = PricingParams(undercut=0.25, competition_weight=1.0, max_step=0.5)
    ask = 2 * COST
    for _ in range(30):
        ask = next_ask(ask, COST, MarketSignals(competitor_asks=(2 * COST,)), params)
    assert ask < 2 * COST
    assert ask == pytest.approx(1.5 * COST, rel=0.02)


def test_low_win_rate__lowers_price_and_high__raises():
    ask = 2 * COST
    assert next_ask(ask, COST, MarketSignals(win_rate=0.0)) < ask
    assert next_ask(ask, COST, MarketSignals(win_rate=1.0)) > ask


def test_reputation_premium__higher_reputation_higher_price():
    ask = 2 * COST
    low = next_ask(ask, COST, MarketSignals(reputation=0.1))
    high = next_ask(ask, COST, MarketSignals(reputation=0.9))
    assert low < ask < high


def test_resource_pressure__lowers_ask():
    assert next_ask(2 * COST, COST, MarketSignals(resource_pressure=1.0)) < 2 * COST


signals = st.builds(
    MarketSignals,
    requested=st.integers(0, 100),
    offered=st.integers(0, 100),
    competitor_asks=st.lists(st.integers(1, 10**12), max_size=6).map(tuple),
    win_rate=st.one_of(st.none(), st.floats(0, 1)),
    reputation=st.floats(0, 1),
    resource_pressure=st.floats(0, 1),
)


@settings(max_examples=300, deadline=None)
@given(ask=st.integers(1, 10**12), cost=st.integers(0, 10**10), s=signals)
def test_next_ask__bounded_and_step_limited(ask, cost, s):
    new = next_ask(ask, cost, s, P)
    lo, hi = price_floor(cost, P), price_ceiling(cost, P)
    assert lo <= new <= hi
    start = min(max(ask, lo), hi)
    # Within one step of the (bounded) current ask, up to integer rounding, unless a bound forces it.
    assert new <= max(start * (1 + P.max_step) + 1, lo)
    assert new >= min(start * (1 - P.max_step) - 1, hi)


def test_floor__cost_plus_margin_rounded_up():
    assert price_floor(1000, PricingParams(min_margin=0.1)) == 1100
    assert price_floor(1001, PricingParams(min_margin=0.1)) == 1102
    assert price_floor(0) == 1


def test_initial_ask__within_bounds():
    assert price_floor(COST) <= initial_ask(COST) <= price_ceiling(COST)


def test_demand_imbalance__range():
    assert demand_imbalance(0, 0) == 0
    assert demand_imbalance(5, 0) == 1
    assert demand_imbalance(0, 5) == -1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requested": -1},
        {"reputation": 1.5},
        {"resource_pressure": -0.1},
        {"win_rate": 2.0},
        {"competitor_asks": (0,)},
    ],
)
def test_signals__invalid__value_error(kwargs):
    with pytest.raises(ValueError):
        MarketSignals(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"max_step": 0}, {"max_step": 1}, {"undercut": 1.0}, {"ceiling_multiple": 1.0}]
)
def test_params__invalid__value_error(kwargs):
    with pytest.raises(ValueError):
        PricingParams(**kwargs)


def test_choose_offer__best_price_per_trust_within_budget():
    offers = [Offer("0xa", 100, 0.5), Offer("0xb", 150, 0.9), Offer("0xc", 60, 0.1), Offer("0xd", 500, 1.0)]
    assert choose_offer(offers, budget=400).provider == "0xb"  # 166.7 per trust vs 200 and 600
    assert choose_offer(offers, budget=120).provider == "0xa"
    assert choose_offer(offers, budget=400, min_reputation=0.95) is None
    assert choose_offer([], budget=1) is None


def test_choose_offer__tie__lowest_address_wins():
    offers = [Offer("0xB", 100, 0.5), Offer("0xa", 100, 0.5)]
    assert choose_offer(offers, budget=100).provider == "0xa"
