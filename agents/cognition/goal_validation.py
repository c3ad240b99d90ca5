"""Module 2 (§3.3, §9.2): GoalValidationFilter - five checks, pass / marginal / fail bands.

purpose alignment (gap 2): the mean of two cosines - the goal's origin value profile against the
agent's baseline (persona) values, and the goal's service intent against the declared purpose over
services (a goal without a service serves the whole declared purpose);
value alignment: 1 - ||v_post - v||_2 / ||v||_2, v_post = proj((1 - 0.25) v + 0.25 profile);
feasibility: product of the required skills' confidences;
resource viability: RDF / (estimated duration + eps), RDF = level / consumption of the goal's resource;
stability simulation: 100 cycles of the estimated linear dynamics after the goal's resource shock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agents.cognition import constants as K
from agents.cognition.dynamics import EigenPair
from agents.cognition.mathutil import cosine, dist2, norm2, project_bounded_simplex


def band_purpose(pa: float) -> str:
    return (
        "pass" if pa >= K.PURPOSE_ALIGNMENT_PASS else "marginal" if pa >= K.PURPOSE_ALIGNMENT_FAIL else "fail"
    )


def band_value(va: float) -> str:
    return "pass" if va >= K.VALUE_ALIGNMENT_PASS else "marginal" if va >= K.VALUE_ALIGNMENT_FAIL else "fail"


def band_feasibility(f: float) -> str:
    return "pass" if f >= K.FEASIBILITY_PASS else "marginal" if f >= K.FEASIBILITY_FAIL else "fail"


def band_resource(rv: float) -> str:
    return (
        "pass"
        if rv >= K.RESOURCE_VIABILITY_PASS
        else "marginal"
        if rv >= K.RESOURCE_VIABILITY_FAIL
        else "fail"
    )


def band_stability(max_rho: float | None, violated: bool) -> str:
    """Violation -> fail; rho in [0.95, 1.0) -> marginal; rho not yet estimable -> marginal (CHOICE)."""
    if violated or (max_rho is not None and max_rho >= K.STABILITY_SIM_FAIL_RHO):
        return "fail"
    if max_rho is None or max_rho >= K.STABILITY_SIM_MARGINAL_RHO:
        return "marginal"
    return "pass"


REASONS = {
    "purpose": "purpose_misaligned",
    "value": "value_misaligned",
    "feasibility": "infeasible",
    "resource": "insufficient_resources",
    "stability": "stability_risk",
}


def decide(bands: dict[str, str]) -> tuple[str, str | None]:
    """§3.3 overall decision: any fail -> rejected (first failing check in §9.2 order);
    any marginal -> sandboxed; else approved."""
    for name in ("purpose", "value", "feasibility", "resource", "stability"):
        if bands[name] == "fail":
            return "rejected", REASONS[name]
    n = sum(1 for b in bands.values() if b == "marginal")
    if n:
        return "sandboxed", f"marginal_on_{n}_criteria"
    return "approved", None


def purpose_alignment(
    profile: tuple[float, ...], baseline: list[float], service: str | None, purpose: dict[str, float]
) -> float:
    c_values = cosine(profile, baseline)
    if service is None or not purpose:
        c_service = 1.0 if purpose else 0.0
    else:
        norm = norm2(list(purpose.values()))
        c_service = purpose.get(service, 0.0) / norm if norm > 0 else 0.0
    return 0.5 * (c_values + c_service)


def value_alignment(profile: tuple[float, ...], current: list[float]) -> float:
    lam = K.GOAL_VALUE_PULL
    post = project_bounded_simplex([(1 - lam) * v + lam * p for v, p in zip(current, profile, strict=True)])
    return 1.0 - dist2(post, current) / norm2(current)


def resource_viability(level: float, consumption: float, duration: float) -> float:
    rdf = level / (consumption + K.EPSILON)
    return rdf / (duration + K.EPSILON)


@dataclass
class DynamicsModel:
    """Eigen-decomposition of J, computed once per L4.9 cycle and reused for every candidate."""

    rho: float | None
    lam: NDArray[np.float64 | np.complex128] | None = None
    vec: NDArray[np.float64 | np.complex128] | None = None
    jac: NDArray[np.float64] | None = None

    @classmethod
    def from_jacobian(cls, jac: list[list[float]] | None, eigen: EigenPair | None = None) -> DynamicsModel:
        if jac is None:
            return cls(None)
        j = np.asarray(jac, dtype=np.float64)
        lam, vec = eigen if eigen is not None else np.linalg.eig(j)
        return cls(float(np.abs(lam).max()), lam, vec, j)

    def simulate(
        self, shock: Sequence[float], cycles: int = K.STABILITY_SIM_CYCLES
    ) -> NDArray[np.float64] | None:
        """Deviation path x_t = J^t shock, t = 0..cycles (rows)."""
        if self.jac is None:
            return None
        d0 = np.asarray(shock, dtype=np.float64)
        try:
            if self.lam is None or self.vec is None:  # no eigen-decomposition given: iterate J directly
                raise np.linalg.LinAlgError("no eigenbasis")
            if np.linalg.cond(self.vec) > 1e8:
                raise np.linalg.LinAlgError("defective J")
            c = np.linalg.solve(self.vec, d0)
            powers = self.lam[None, :] ** np.arange(cycles + 1)[:, None]
            real: NDArray[np.float64] = np.real((powers * c[None, :]) @ self.vec.T)  # (np.real stubs: Any)
            return real
        except np.linalg.LinAlgError:
            path = np.empty((cycles + 1, d0.size))
            x = d0
            for t in range(cycles + 1):
                path[t] = x
                x = self.jac @ x
            return path


def stability_simulation(
    dyn: DynamicsModel, x_now: tuple[float, ...], commit: float
) -> tuple[float | None, bool]:
    """(max spectral radius, invariant violated) for a goal committing `commit` of its resource:
    the stability component drops by commit x S at t = 0 and evolves with J for 100 cycles; the
    invariants are survival above the floor (S > 30/500) and identity >= 0.88 along the path."""
    if dyn.rho is None:
        return None, False
    shock = [-commit * x_now[0], 0.0, 0.0, 0.0, 0.0]
    path = dyn.simulate(shock)
    if path is None:  # a radius without a Jacobian: only a hand-built model can be like that
        raise ValueError("DynamicsModel has rho but no Jacobian to simulate")
    floor = K.SURVIVAL_FLOOR / K.SURVIVAL_ABUNDANT
    s_min = x_now[0] + float(path[:, 0].min())
    i_min = x_now[2] + float(path[:, 2].min())
    violated = s_min <= floor or i_min < K.IDENTITY_LIMIT
    return dyn.rho, violated
