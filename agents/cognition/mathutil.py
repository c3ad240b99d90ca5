"""Small pure-Python vector helpers (5- and 7-dimensional maths is faster without numpy)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from agents.cognition.constants import VALUE_WEIGHT_MAX, VALUE_WEIGHT_MIN


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """x limited to [lo, hi]."""
    return lo if x < lo else hi if x > hi else x


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm2(a: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in a))


def dist2(a: Sequence[float], b: Sequence[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0 when either vector is zero (no direction to align with)."""
    na, nb = norm2(a), norm2(b)
    if na == 0.0 or nb == 0.0:
        return 0.0
    return dot(a, b) / (na * nb)


def normalized_entropy(shares: Sequence[float]) -> float:
    """Shannon entropy of a distribution divided by log(n); 0 for n <= 1 or an empty allocation."""
    total = sum(shares)
    n = len(shares)
    if n <= 1 or total <= 0.0:
        return 0.0
    h = 0.0
    for s in shares:
        if s > 0.0:
            p = s / total
            h -= p * math.log(p)
    return h / math.log(n)


def project_bounded_simplex(
    w: Sequence[float], lo: float = VALUE_WEIGHT_MIN, hi: float = VALUE_WEIGHT_MAX
) -> tuple[float, ...]:
    """Euclidean projection onto {x : sum x = 1, lo <= x_i <= hi}.

    Bisection on the shift tau of x_i = clamp(w_i - tau, lo, hi); exact to 1e-12, then the rounding
    residue is put on the coordinate farthest from its bounds so the sum is exactly 1.
    """
    n = len(w)
    if abs(sum(w) - 1.0) <= 1e-12 and all(lo <= x <= hi for x in w):
        return tuple(w)  # already feasible: the projection is the identity
    if not (n * lo <= 1.0 <= n * hi):
        raise ValueError("bounded simplex is empty for these bounds")
    a, b = min(w) - hi, max(w) - lo
    for _ in range(100):
        tau = 0.5 * (a + b)
        s = sum(clamp(x - tau, lo, hi) for x in w)
        if s > 1.0:
            a = tau
        else:
            b = tau
        if b - a < 1e-13:
            break
    tau = 0.5 * (a + b)
    out = [clamp(x - tau, lo, hi) for x in w]
    residue = 1.0 - sum(out)
    k = max(range(n), key=lambda i: min(out[i] - lo, hi - out[i]))
    out[k] = clamp(out[k] + residue, lo, hi)
    return tuple(out)


def solve(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """Solve A X = B (A n x n, B n x m) by Gaussian elimination with partial pivoting."""
    n = len(a)
    m = len(b[0])
    aug = [list(a[i]) + list(b[i]) for i in range(n)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(aug[r][col]))
        if abs(aug[piv][col]) < 1e-15:
            raise ZeroDivisionError("singular matrix")
        aug[col], aug[piv] = aug[piv], aug[col]
        p = aug[col][col]
        row = aug[col]
        for r in range(n):
            if r != col:
                f = aug[r][col] / p
                if f != 0.0:
                    rr = aug[r]
                    for c in range(col, n + m):
                        rr[c] -= f * row[c]
    return [[aug[i][n + j] / aug[i][i] for j in range(m)] for i in range(n)]
