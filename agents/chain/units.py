"""Token amounts are integers of wei, end to end. The one place decimals and ratios become wei.

- `to_wei("19997.5")` -> 19997500000000000000000: a decimal number of whole tokens (a string, an int, a
  Decimal, or a float as YAML and JSON parse it: its shortest repr, i.e. the digits that were written)
  to wei, exactly; negative amounts and amounts finer than one wei are refused (ValueError).
- Ratios are basis points (1/10,000). A float ratio (a persona parameter, a policy share, a factor from
  the price model or from cognition) becomes basis points once, by `bps`: rounded to the nearest basis
  point, ties to even. Amounts are then scaled in integers: `mul_bps` rounds down (what is offered,
  staked, budgeted or spent never exceeds the ratio), `mul_bps_up` rounds up (floors: at least the
  ratio). docs/agents.md ("Amounts") states the rule.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal, InvalidOperation

WEI = 10**18
BPS = 10_000
_EXACT = Context(prec=1_000)  # the default context keeps 28 digits: enough for no amount of wei


def to_wei(amount: str | int | float | Decimal, what: str = "amount") -> int:
    """Whole tokens (a decimal number) -> wei, exactly. Refuses negatives and sub-wei precision."""
    if isinstance(amount, bool):
        raise ValueError(f"{what} must be a number of tokens, got {amount!r}")
    try:
        value = Decimal(str(amount).strip())  # str(float) is its shortest repr: the digits written
    except InvalidOperation:
        raise ValueError(f"{what} must be a number of tokens, got {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"{what} must be finite, got {amount!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {amount}")
    wei = value.scaleb(18, context=_EXACT)
    if wei != wei.to_integral_value():
        raise ValueError(f"{what} has more than 18 decimal places: {amount}")
    return int(wei)


def from_wei(wei: int) -> Decimal:
    """Wei -> whole tokens, exactly (for display and files; never for arithmetic on amounts)."""
    return Decimal(int(wei)).scaleb(-18, context=_EXACT)


def bps(ratio: float | int | Decimal) -> int:
    """A ratio (0.2, 1.25, ...) in basis points, rounded to the nearest one (ties to even)."""
    if isinstance(ratio, float) and not math.isfinite(ratio):
        raise ValueError(f"ratio must be finite, got {ratio!r}")
    return round(Decimal(str(ratio)) * BPS)


def mul_bps(amount: int, ratio_bps: int) -> int:
    """amount x ratio_bps / 10,000, rounded down."""
    return int(amount) * int(ratio_bps) // BPS


def mul_bps_up(amount: int, ratio_bps: int) -> int:
    """amount x ratio_bps / 10,000, rounded up."""
    return -(-int(amount) * int(ratio_bps) // BPS)


def scale(amount: int, ratio: float | int | Decimal) -> int:
    """amount x ratio with the ratio rounded to basis points once, the product rounded down."""
    return mul_bps(amount, bps(ratio))
