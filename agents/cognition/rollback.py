"""Module 14 (§7.3): RollbackManager - freeze, monitor, staged re-enable, persistent vetoes.

Timeline after a freeze at cycle f: monitoring with L4.8 only for 100 cycles (extended while ASS is
still below the freeze threshold); then re-enable from cycle r: [r, r+200) advisory, [r+200, r+400)
50 % authority, r+400 on full. A veto during re-enable sends the agent straight back to monitoring
(counted as a rollback). Persistent vetoes: when the same condition vetoes the same decision pattern
more than 3 times within 1000 cycles, the pattern is blocked (not retried) for 1000 cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.cognition import constants as K


@dataclass
class RollbackState:
    phase: str = "NORMAL"  # NORMAL | MONITOR | REENABLE
    frozen_at: int = -1
    monitor_until: int = -1
    reenable_start: int = -1
    rollbacks: int = 0
    veto_log: dict[str, list[int]] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)
    systemic: list[str] = field(default_factory=list)


def freeze(rb: RollbackState, now: int) -> None:
    rb.phase = "MONITOR"
    rb.frozen_at = now
    rb.monitor_until = now + K.ROLLBACK_MONITOR_CYCLES
    rb.reenable_start = -1
    rb.rollbacks += 1


def tick(rb: RollbackState, now: int, ass: float | None) -> None:
    """Advance the protocol: monitoring ends after 100 cycles once ASS is back above the freeze line."""
    if (
        rb.phase == "MONITOR"
        and now >= rb.monitor_until
        and ass is not None
        and ass >= K.ASS_FREEZE_THRESHOLD
    ):
        rb.phase = "REENABLE"
        rb.reenable_start = now
    if rb.phase == "REENABLE" and now - rb.reenable_start >= K.REENABLE_PARTIAL_END:
        rb.phase = "NORMAL"


def authority(rb: RollbackState, now: int) -> float:
    """1.0 normal; 0.0 while frozen/monitoring and during the advisory stage; 0.5 partial stage."""
    if rb.phase == "NORMAL":
        return 1.0
    if rb.phase == "MONITOR":
        return 0.0
    elapsed = now - rb.reenable_start
    if elapsed < K.REENABLE_ADVISORY_END:
        return 0.0
    if elapsed < K.REENABLE_PARTIAL_END:
        return K.PARTIAL_AUTHORITY
    return 1.0


def stage(rb: RollbackState, now: int) -> str:
    if rb.phase != "REENABLE":
        return rb.phase.lower()
    elapsed = now - rb.reenable_start
    if elapsed < K.REENABLE_ADVISORY_END:
        return "reenable_advisory"
    if elapsed < K.REENABLE_PARTIAL_END:
        return "reenable_partial"
    return "normal"


def record_veto(rb: RollbackState, condition: str, signature: str, now: int) -> bool:
    """Log a veto; True when this makes the (condition, pattern) persistent and blocks the pattern."""
    key = f"{condition}|{signature}"
    log = [c for c in rb.veto_log.get(key, []) if now - c < K.PERSISTENT_VETO_WINDOW]
    log.append(now)
    rb.veto_log[key] = log
    if len(log) > K.PERSISTENT_VETO_COUNT and rb.blocked.get(signature, -1) <= now:
        rb.blocked[signature] = now + K.PERSISTENT_VETO_WINDOW
        rb.systemic.append(f"{now}:{key}")
        del rb.systemic[:-20]
        return True
    return False


def is_blocked(rb: RollbackState, signature: str, now: int) -> bool:
    return rb.blocked.get(signature, -1) > now


def prune(rb: RollbackState, now: int) -> None:
    """Forget expired veto logs and blocks (bounded state)."""
    for key in [k for k, log in rb.veto_log.items() if not log or now - log[-1] >= K.PERSISTENT_VETO_WINDOW]:
        del rb.veto_log[key]
    for sig in [s for s, until in rb.blocked.items() if until <= now]:
        del rb.blocked[sig]
