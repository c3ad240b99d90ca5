"""Token amounts are exact integers of wei: decimal strings convert exactly, ratios become basis points
once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.chain.units import BPS, WEI, bps, from_wei, mul_bps, mul_bps_up, scale, to_wei


def test_to_wei__yaml_float_19997_5__is_exactly_19997500000000000000000():
    assert to_wei("19997.5") == 19_997_500_000_000_000_000_000
    assert to_wei(19997.5) == 19_997_500_000_000_000_000_000  # what yaml.safe_load gives for 19997.5


def test_to_wei__float_noise_of_the_old_multiplication_is_gone():
    assert int(19997.5 * 10**18) != 19_997_500_000_000_000_000_000  # the bug this module replaces
    assert to_wei(0.1) == 10**17
    assert to_wei(Decimal("450.075")) == 450_075_000_000_000_000_000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "must not be negative"),
        ("1.0000000000000000001", "more than 18 decimal places"),
        ("lots", "must be a number of tokens"),
        ("NaN", "must be finite"),
        (True, "must be a number of tokens"),
    ],
)
def test_to_wei__refuses_negative_sub_wei_and_non_numbers(raw, message):
    with pytest.raises(ValueError, match=message):
        to_wei(raw)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**18 - 1),
    st.integers(min_value=0, max_value=18),
)
def test_to_wei__any_decimal_string_converts_exactly(whole, frac, digits):
    frac %= 10**digits if digits else 1
    text = f"{whole}.{frac:0{digits}d}" if digits else str(whole)
    wei = to_wei(text)
    assert isinstance(wei, int)
    assert wei == whole * WEI + (frac * 10 ** (18 - digits) if digits else 0)
    assert from_wei(wei) == Decimal(text)


@given(st.integers(min_value=0, max_value=10**30))
def test_from_wei_then_to_wei__round_trips_every_amount(wei):
    assert to_wei(from_wei(wei)) == wei


def test_bps__rounds_a_float_ratio_to_the_nearest_basis_point_once():
    assert [bps(0.2), bps(1.25), bps(0.1), bps(3.0), bps(0.03 * 0.5)] == [2_000, 12_500, 1_000, 30_000, 150]
    assert bps(1.000049) == 10_000 and bps(1.000051) == 10_001


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=0, max_value=10 * BPS))
def test_mul_bps__rounds_down_and_mul_bps_up_rounds_up_by_less_than_one_wei(amount, ratio):
    down, up = mul_bps(amount, ratio), mul_bps_up(amount, ratio)
    assert down * BPS <= amount * ratio <= up * BPS
    assert up - down in (0, 1)


def test_scale__stake_fraction_of_a_balance_is_exact():
    balance = to_wei("99987.5")
    assert scale(balance, 0.2) == to_wei("19997.5")
    assert int(0.2 * balance) != to_wei("19997.5")  # the float product it replaces


def test_to_wei__more_digits_than_decimals_default_28_stay_exact():
    assert to_wei("10000000000.000000000000000001") == 10**28 + 1
