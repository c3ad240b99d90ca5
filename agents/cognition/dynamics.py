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
from numpy.typing import NDArray

from agents.cognition import constants as K
from agents.cognition.mathutil import solve

# (eigenvalues, eigenvectors) of J as np.linalg.eig returns them: real or complex, by J
EigenPair = tuple[NDArray[np.float64 | np.complex128], NDArray[np.float64 | np.complex128]]


def spectral_radius_of(matrix: list[list[float]]) -> float:
    """Largest eigenvalue modulus of a square matrix."""
    if not matrix:
        return 0.0
    return float(np.abs(np.linalg.eigvals(np.array(matrix, dtype=float))).max())


def estimate_jacobian(window: list[list[float]]) -> list[list[float]] | None:
    """J (full 5x5, zero rows/cols for constant components) or None before the window is full."""
    if len(window) < K.RHO_WINDOW:
        return None
    arr = np.array(window[-K.RHO_WINDOW :], dtype=float)
    x, y = arr[:-1], arr[1:]
    inv_m = 1.0 / x.shape[0]
    x = x - x.sum(axis=0) * inv_m
    y = y - y.sum(axis=0) * inv_m
    std = np.sqrt((x * x).sum(axis=0) * inv_m)
    dim = arr.shape[1]
    full = [[0.0] * dim for _ in range(dim)]
    stdl = std.tolist()
    # a component enters the fit only if it moved (by more than RHO_MIN_STD) in at least RHO_MIN_MOVES of
    # the window's transitions: one that sat still and then stepped once or twice at the window's edge
    # has std above the floor but carries one or two points of its dynamics, and its least-squares
    # coefficient is noise (a goal's progress leaving 0 gave rho 2.4 from two transitions)
    moves = (np.abs(np.diff(arr, axis=0)) > K.RHO_MIN_STD).sum(axis=0).tolist()
    keep = [d for d in range(dim) if stdl[d] > K.RHO_MIN_STD and moves[d] >= K.RHO_MIN_MOVES]
    if not keep:
        return full
    s = std[keep]
    xs = x[:, keep] / s
    ys = y[:, keep] / s
    m = xs.shape[0]
    gram = (xs.T @ xs).tolist()
    for i in range(len(keep)):
        gram[i][i] += K.RHO_RIDGE * m
    # small dense solve in pure Python: LAPACK's threaded path is slower at this size on a busy host
    beta = solve(gram, (xs.T @ ys).tolist())  # beta[i][j]: effect of x_i on y_j -> J_std[j][i]
    sl = s.tolist()
    for i, di in enumerate(keep):
        for j, dj in enumerate(keep):
            full[dj][di] = beta[i][j] * sl[j] / sl[i]
    return full


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
