"""Module 5 (§4.3-4.4): ValueMutationSandbox - pre-checks, 200-cycle shadow evaluation, rollback.

A proposed mutation is a complete new value vector. Pre-checks (§4.3): every |dw_d| <= 0.05 (halved for
a dimension under a sustained-drift alert, §9.3), every per-dimension drift from baseline after the
mutation <= 0.15, fewer than 3 mutations applied in the last 200 cycles, fewer than 2 pending, and
mutations not frozen by the drift monitor. A passing proposal enters the sandbox: a shadow ValueVector
evaluated on each real cycle's substrate for 200 cycles (SEOF weights and goal priorities re-derived
from the shadow vector). Verdict: mean dSEOF >= -0.03, every invariant held on every cycle, goal
attainment change >= -10 %. Cycles on which L4.9 is frozen do not count; a sandbox that has not
finished 250 cycles after it opened ends as TIMEOUT. An applied mutation stays revertible for 500
cycles (rollback window).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.cognition import constants as K
from agents.cognition.coherence import coherence
from agents.cognition.identity import identity_integrity
from agents.cognition.mathutil import cosine, project_bounded_simplex
from agents.cognition.seof import BASE_WEIGHTS, seof, value_weighted
from agents.cognition.values import is_valid_value_vector, total_drift


@dataclass
class PendingMutation:
    """A mutation under evaluation. It stores the *change* (delta per dimension) it proposes, not a whole
    vector: a second mutation pending at the same time, or a revert, must not be undone when this one is
    applied. The shadow vector on every cycle, and the vector applied, are apply_delta(current, delta)."""

    id: int
    delta: list[float]
    opened: int
    reason: str
    evaluated: int = 0
    sum_dseof: float = 0.0
    sum_attain_prod: float = 0.0
    sum_attain_shadow: float = 0.0
    invariants_held: bool = True
    status: str = "PENDING"  # PENDING | APPROVED | REJECTED | TIMEOUT
    failure: str = ""


@dataclass
class AppliedMutation:
    id: int
    cycle: int
    before: list[float]
    after: list[float]
    sandboxed: bool
    violated: bool = False  # a stability violation happened inside the rollback window
    reverted: bool = False


def propose_step(weights: list[float], dim: int, delta: float) -> tuple[float, ...]:
    """A new vector with dimension dim moved by delta and the others rescaled to keep sum 1."""
    w = list(weights)
    target = min(K.VALUE_WEIGHT_MAX, max(K.VALUE_WEIGHT_MIN, w[dim] + delta))
    rest = 1.0 - w[dim]
    new_rest = 1.0 - target
    out = [x * new_rest / rest if i != dim else target for i, x in enumerate(w)]
    return project_bounded_simplex(out)


def apply_delta(
    current: list[float] | tuple[float, ...], delta: list[float] | tuple[float, ...], scale: float = 1.0
) -> tuple[float, ...]:
    """The current vector moved by scale x delta, projected back onto the bounded simplex."""
    return project_bounded_simplex([c + scale * d for c, d in zip(current, delta, strict=True)])


def delta_of(
    current: list[float] | tuple[float, ...], proposed: list[float] | tuple[float, ...]
) -> list[float]:
    return [p - c for p, c in zip(proposed, current, strict=True)]


def precheck(
    current: list[float],
    proposed: list[float] | tuple[float, ...],
    baseline: list[float],
    rate_factor: list[float],
    recent_mutations: int,
    pending: int,
    frozen: bool,
) -> list[str]:
    """§4.3 pre-checks; the list of failed checks (empty = enter the sandbox)."""
    fails: list[str] = []
    if not is_valid_value_vector(proposed):
        fails.append("off_simplex")
    for d in range(K.N_VALUE_DIMENSIONS):
        if abs(proposed[d] - current[d]) > K.MAX_SINGLE_MUTATION * rate_factor[d] + 1e-12:
            fails.append(f"single_mutation_exceeded:{K.VALUE_DIMENSIONS[d]}")
        if abs(proposed[d] - baseline[d]) > K.MAX_CUMULATIVE_DRIFT_PER_DIM + 1e-12:
            fails.append(f"cumulative_drift_exceeded:{K.VALUE_DIMENSIONS[d]}")
    if recent_mutations >= K.MAX_MUTATIONS_PER_WINDOW:
        fails.append("mutation_rate_exceeded")
    if pending >= K.MAX_PENDING_MUTATIONS:
        fails.append("too_many_pending")
    if frozen:
        fails.append("mutations_frozen")
    if coherence(proposed) < K.COHERENCE_TARGET:
        # §4.5 coherence gate (Def. 4 >= 0.80). On the bounded simplex the seed's tension is always 0
        # (docs/cognition.md choice 6), so for a valid vector this gate cannot fire; it refuses any
        # vector with a competing pair summing above 1.2 (coherence < 0.80).
        fails.append("coherence_gate")
    if total_drift(proposed, baseline) >= K.TOTAL_DRIFT_LIMIT:
        # §7.1 condition 3 / §9.3: a mutation whose projected TotalDrift reaches 0.25 would be vetoed
        # (and freeze mutations) once tried, so it is refused before it is tried
        fails.append("projected_drift_limit")
    return fails


def goal_attainment(
    weights: list[float] | tuple[float, ...], goals: Sequence[tuple[tuple[float, ...], float]]
) -> float:
    """Value-weighted goal attainment: progress of open goals weighted by how much the value vector
    favours each goal's origin profile (cosine). goals: (origin profile, progress) pairs."""
    num = den = 0.0
    for profile, progress in goals:
        p = cosine(profile, weights)
        num += p * progress
        den += p
    return num / den if den > 0 else 0.0


def sandbox_step(
    pm: PendingMutation,
    current: list[float],
    baseline: list[float],
    seof_inputs: tuple[float, float, float, float, float],
    identity_vector: tuple[float, ...],
    goals: Sequence[tuple[tuple[float, ...], float]],
) -> None:
    """Evaluate one real cycle under the shadow vector = current + the pending delta (mutates pm)."""
    shadow = apply_delta(current, pm.delta)
    w_prod = value_weighted(BASE_WEIGHTS, tuple(current), tuple(baseline))
    w_shadow = value_weighted(BASE_WEIGHTS, tuple(shadow), tuple(baseline))
    pm.sum_dseof += seof(*seof_inputs, weights=w_shadow) - seof(*seof_inputs, weights=w_prod)
    pm.sum_attain_prod += goal_attainment(current, goals)
    pm.sum_attain_shadow += goal_attainment(shadow, goals)
    drift = total_drift(shadow, baseline)
    iv = list(identity_vector)
    iv[1] = 1.0 - drift / 2.0  # value-alignment component under the shadow vector
    if (
        not is_valid_value_vector(shadow)
        or drift >= K.TOTAL_DRIFT_LIMIT
        or identity_integrity(tuple(iv)) < K.IDENTITY_LIMIT
    ):
        pm.invariants_held = False
    pm.evaluated += 1


def sandbox_verdict(pm: PendingMutation, now: int) -> str:
    """PENDING until 200 evaluated cycles; then APPROVED or REJECTED; TIMEOUT after 250 cycles."""
    if pm.evaluated >= K.MUTATION_SANDBOX_CYCLES:
        mean_dseof = pm.sum_dseof / pm.evaluated
        prod = pm.sum_attain_prod / pm.evaluated
        shadow = pm.sum_attain_shadow / pm.evaluated
        change = 0.0 if prod <= 0 else (shadow - prod) / prod
        if not pm.invariants_held:
            pm.failure = "invariant_violated"
        elif mean_dseof < K.SANDBOX_MIN_DELTA_SEOF:
            pm.failure = f"seof_drop:{mean_dseof:.4f}"
        elif change < K.SANDBOX_MIN_GOAL_ATTAINMENT_CHANGE:
            pm.failure = f"goal_attainment_drop:{change:.4f}"
        pm.status = "REJECTED" if pm.failure else "APPROVED"
    elif now - pm.opened >= K.MUTATION_SANDBOX_TIMEOUT:
        pm.status = "TIMEOUT"
        pm.failure = "timeout"
    return pm.status


def mutation_evidence(
    p: float,
    c: float,
    cdi: float,
    purpose_alignment: float | None,
    survival_state: str,
    cooperative_trusted: bool,
    services_active: float,
) -> tuple[int | None, float]:
    """Value-evolution signal (CHOICE, docs/cognition.md): which dimension the agent's recent
    experience argues for, and how strongly (in [0, 1]). Proposals need strength >= 0.5."""
    ev = [0.0] * K.N_VALUE_DIMENSIONS
    if survival_state in ("constrained", "warning"):
        ev[0] = 0.9  # stability
    if survival_state == "abundant" and p > 0.8:
        ev[1] = p  # growth: work is succeeding and resources are plentiful
    if purpose_alignment is not None and purpose_alignment < 0.6:
        ev[2] = 1.0 - purpose_alignment  # purpose fidelity
    if c > 0.6:
        ev[3] = c  # efficiency: costs dominate income
    if survival_state == "abundant" and cdi < 0.3 and services_active <= 1:
        ev[4] = 0.6  # exploration: a narrow, comfortable agent
    if p < 0.5:
        ev[5] = 1.0 - p  # safety: work is failing or disputed
    if cooperative_trusted:
        ev[6] = 0.7  # cooperation pays
    best = max(range(K.N_VALUE_DIMENSIONS), key=lambda d: (ev[d], -d))
    if ev[best] < K.MUTATION_EVIDENCE_THRESHOLD:
        return None, ev[best]
    return best, ev[best]
