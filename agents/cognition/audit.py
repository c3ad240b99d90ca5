"""§12: the 3000-cycle qualification audit (AG-1 ... AS-5) and the Autonomy Maturity Score.

Every criterion is reported with its measured value, target and pass flag. Gap 6: the AMS sub-scores
AG, VR, RA, MA, AS are the mean of their criteria's scores, a criterion scoring 1 when met and partial
credit below 1 otherwise (value/target for a floor, target/value for a ceiling, 0 for an unmeasurable
criterion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.cognition import constants as K


@dataclass
class AuditLedger:
    start: int = 0
    cycles: int = 0
    l49_ticks: int = 0
    survival_ticks: int = 0  # cycles whose survival projection covered every held resource (RA-1)
    vv_valid_cycles: int = 0
    generated: int = 0
    approved: int = 0
    completed_autonomous: int = 0
    sum_value_alignment: float = 0.0
    max_drift: float = 0.0
    mutations_applied: int = 0
    mutations_sandboxed: int = 0
    mutations_violated: int = 0
    survival_err_sum: float = 0.0
    survival_err_n: int = 0
    survival_checks: list[list[float]] = field(default_factory=list)  # [due, level, net, capacity, dim_idx]
    adaptations: int = 0
    unplanned_depletions: int = 0
    predictions: int = 0
    correct: int = 0
    trust_err_sum: float = 0.0
    trust_err_n: int = 0
    recommendations: int = 0
    max_rho: float = 0.0
    min_iis: float = 1.0
    proposed: int = 0
    vetoed: int = 0
    rollbacks: int = 0
    l48_ok: bool = False


@dataclass(slots=True, frozen=True)
class Criterion:
    id: str
    description: str
    value: float | None
    target: str
    passed: bool
    score: float


def _floor(cid: str, desc: str, value: float | None, target: float) -> Criterion:
    if value is None:
        return Criterion(cid, desc, None, f">= {target}", False, 0.0)
    ok = value >= target
    return Criterion(cid, desc, value, f">= {target}", ok, 1.0 if ok else max(0.0, value / target))


def _ceiling(cid: str, desc: str, value: float | None, target: float, strict: bool = True) -> Criterion:
    if value is None:
        return Criterion(cid, desc, None, f"< {target}" if strict else f"<= {target}", False, 0.0)
    ok = value < target if strict else value <= target
    score = 1.0 if ok else (min(0.99, target / value) if value > 0 else 0.0)
    return Criterion(cid, desc, value, f"< {target}" if strict else f"<= {target}", ok, score)


def criteria(a: AuditLedger) -> list[Criterion]:
    rate = a.approved / a.generated if a.generated else None
    mean_va = a.sum_value_alignment / a.approved if a.approved else None
    vv_share = a.vv_valid_cycles / a.cycles if a.cycles else None
    surv_share = a.survival_ticks / a.cycles if a.cycles else None
    sandboxed = a.mutations_sandboxed / a.mutations_applied if a.mutations_applied else 1.0
    preserved = 1.0 - a.mutations_violated / a.mutations_applied if a.mutations_applied else 1.0
    surv_err = a.survival_err_sum / a.survival_err_n if a.survival_err_n else None
    acc = a.correct / a.predictions if a.predictions else None
    terr = a.trust_err_sum / a.trust_err_n if a.trust_err_n else None
    veto_rate = a.vetoed / a.proposed if a.proposed else 0.0
    ra4 = Criterion(
        "RA-4",
        "no unplanned resource depletion",
        float(a.unplanned_depletions),
        "0",
        a.unplanned_depletions == 0,
        1.0 if a.unplanned_depletions == 0 else 1 / (1 + a.unplanned_depletions),
    )
    return [
        _floor("AG-1", "novel autonomous goals generated", float(a.generated), K.AG1_MIN_NOVEL_GOALS),
        _floor("AG-2", "goal approval rate", rate, K.AG2_MIN_APPROVAL_RATE),
        _floor("AG-3", "autonomous goals completed", float(a.completed_autonomous), K.AG3_MIN_COMPLETED),
        _floor("AG-4", "mean value alignment of approved goals", mean_va, K.AG4_MIN_VALUE_ALIGNMENT),
        _floor("VR-1", "explicit ValueVector valid, share of cycles", vv_share, 1.0),
        _ceiling("VR-2", "max TotalDrift", a.max_drift, K.VR2_MAX_DRIFT),
        _floor("VR-3", "share of applied mutations that were sandboxed", sandboxed, K.VR3_SANDBOXED_SHARE),
        _floor("VR-4", "stability preserved after mutation", preserved, K.VR4_MIN_STABILITY_PRESERVED),
        _floor("RA-1", "survival projection covered every held resource, share of cycles", surv_share, 1.0),
        _ceiling("RA-2", "survival projection error", surv_err, K.RA2_MAX_ERROR),
        _floor("RA-3", "autonomous constraint adaptations", float(a.adaptations), K.RA3_MIN_ADAPTATIONS),
        ra4,
        _floor("MA-1", "agent prediction accuracy", acc, K.MA1_MIN_PREDICTION_ACCURACY),
        _ceiling("MA-2", "trust calibration error", terr, K.MA2_MAX_TRUST_ERROR),
        _floor("MA-3", "interaction recommendations", float(a.recommendations), K.MA3_MIN_RECOMMENDATIONS),
        _ceiling("AS-1", "max rho(J)", a.max_rho, K.AS1_MAX_RHO),
        _floor("AS-2", "min I(t)", a.min_iis, K.AS2_MIN_IDENTITY),
        _ceiling("AS-3", "veto rate", veto_rate, K.AS3_MAX_VETO_RATE),
        _ceiling("AS-4", "rollbacks", float(a.rollbacks), K.AS4_MAX_ROLLBACKS, strict=False),
        Criterion(
            "AS-5",
            "all L4.8 criteria still met",
            1.0 if a.l48_ok else 0.0,
            "confirmed",
            a.l48_ok,
            1.0 if a.l48_ok else 0.0,
        ),
    ]


@dataclass(slots=True, frozen=True)
class AuditReport:
    start: int
    cycles: int
    complete: bool
    criteria: tuple[Criterion, ...]
    subscores: dict[str, float]
    ams: float
    qualified: bool


def audit_report(a: AuditLedger) -> AuditReport:
    crit = criteria(a)
    sub: dict[str, float] = {}
    for cat in K.AMS_WEIGHTS:
        cs = [c.score for c in crit if c.id.startswith(cat)]
        sub[cat] = sum(cs) / len(cs)
    ams = sum(K.AMS_WEIGHTS[c] * sub[c] for c in K.AMS_WEIGHTS)
    complete = a.cycles >= K.AUDIT_PERIOD
    qualified = complete and ams >= K.AMS_THRESHOLD and all(c.passed for c in crit)
    return AuditReport(a.start, a.cycles, complete, tuple(crit), sub, ams, qualified)
