"""L4.5 dynamics: spectral radius of the cycle-to-cycle Jacobian and the Lyapunov function.

State X = [stability, goal progress, identity, uncertainty, expansion]. J is estimated by least squares
over the last 20 observed transitions (affine fit: both sides centred), in standardised coordinates
(a similarity transform, so the eigenvalues are J's), with a small ridge; components that did not move
in the window are left out (their row and column of J carry no information). rho(J) is the largest
eigenvalue modulus. Power iteration, which the L4.5 text names, does not converge when the dominant
eigenvalues are a complex pair (common for a real 5x5 J), so the eigenvalues are computed directly.
With fewer than 20 states rho is None: "not yet estimable".
"""

from __future__ import annotations

import numpy as np

from agents.cognition import constants as K


def spectral_radius_of(matrix: list[list[float]]) -> float:
    """Largest eigenvalue modulus of a square matrix."""
    if not matrix:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(matrix, dtype=float)))))


def _ridge_fit(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    m = xs.shape[0]
    gram = xs.T @ xs + K.RHO_RIDGE * m * np.eye(xs.shape[1])
    return np.linalg.solve(gram, xs.T @ ys).T  # ys ~ xs @ J_std.T


def estimate_jacobian(window: list[list[float]]) -> list[list[float]] | None:
    """J (full 5x5, zero rows/cols for constant components) or None before the window is full."""
    if len(window) < K.RHO_WINDOW:
        return None
    arr = np.asarray(window[-K.RHO_WINDOW:], dtype=float)
    x, y = arr[:-1], arr[1:]
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    std = x.std(axis=0)
    keep = std > K.RHO_MIN_STD
    dim = arr.shape[1]
    full = np.zeros((dim, dim))
    if not keep.any():
        return full.tolist()
    s = std[keep]
    xs = x[:, keep] / s
    ys = y[:, keep] / s
    j_std = _ridge_fit(xs, ys)
    j = j_std * s[:, None] / s[None, :]  # back to original coordinates
    idx = np.flatnonzero(keep)
    full[np.ix_(idx, idx)] = j
    return full.tolist()


def spectral_radius(window: list[list[float]]) -> float | None:
    """rho(J) over the 20-cycle window, or None when not yet estimable."""
    j = estimate_jacobian(window)
    return None if j is None else spectral_radius_of(j)


def lyapunov(stability: float, uncertainty: float, identity_drift: float, expansion: float) -> float:
    """L4.5: V = 0.357 (1-S)^2 + 0.286 U^2 + 0.214 I_drift^2 + 0.143 (E - E*)^2."""
    return (
        K.LYAPUNOV_W_S * (1.0 - stability) ** 2
        + K.LYAPUNOV_W_U * uncertainty**2
        + K.LYAPUNOV_W_I * identity_drift**2
        + K.LYAPUNOV_W_E * (expansion - K.LYAPUNOV_E_STAR) ** 2
    )


def lyapunov_non_increasing(v_prev: float, v_next: float) -> bool:
    """V(t+1) <= V(t), with a small tolerance for measurement noise (docs/cognition.md)."""
    return v_next <= v_prev + K.LYAPUNOV_TOLERANCE
