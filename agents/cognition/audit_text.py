"""The §12 audit as plain data and as text: what `emergent cognition audit` and `emergent agent audit`
print, and what a running agent persists. Pure (no I/O)."""

from __future__ import annotations

import math
from typing import Any

from agents.cognition import constants as K
from agents.cognition.audit import AuditReport

STATUSES = ("WARMING_UP", "INACTIVE", "FROZEN", "FROZEN_SURVIVAL", "ADVISORY", "PARTIAL", "ACTIVE")


def report_to_dict(rep: AuditReport) -> dict[str, Any]:
    return {
        "start": rep.start,
        "cycles": rep.cycles,
        "complete": rep.complete,
        "ams": rep.ams,
        "qualified": rep.qualified,
        "subscores": dict(rep.subscores),
        "criteria": [
            {
                "id": c.id,
                "description": c.description,
                "value": None if c.value is None or not math.isfinite(c.value) else c.value,
                "target": c.target,
                "passed": c.passed,
                "score": c.score,
            }
            for c in rep.criteria
        ],
    }


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)


def render(rep: dict[str, Any], status_cycles: dict[str, int] | None = None, header: str = "") -> str:
    """The text report: one line per criterion, the sub-scores, the status shares, and a last line
    `AMS <x.xxx> qualified <yes|no>`."""
    lines = []
    if header:
        lines.append(header)
    lines.append(
        f"audit period: cycles {rep['start']}..{rep['start'] + rep['cycles'] - 1} "
        f"({rep['cycles']} of {K.AUDIT_PERIOD}{', complete' if rep['complete'] else ', incomplete'})"
    )
    lines.append(f"{'criterion':<6} {'description':<62} {'value':>10} {'threshold':>10}  pass")
    for c in rep["criteria"]:
        lines.append(
            f"{c['id']:<6} {c['description'][:62]:<62} {_fmt(c['value']):>10} {c['target']:>10}  "
            f"{'yes' if c['passed'] else 'no'}"
        )
    subs = "  ".join(f"{k} {v:.3f}" for k, v in rep["subscores"].items())
    lines.append(f"sub-scores: {subs}  (AMS >= {K.AMS_THRESHOLD} and every criterion to qualify)")
    if status_cycles:
        total = sum(status_cycles.values()) or 1
        shares = "  ".join(
            f"{s} {status_cycles.get(s, 0) / total:.1%}" for s in STATUSES if status_cycles.get(s)
        )
        lines.append(f"L4.9 status, share of cycles: {shares}")
    lines.append(f"AMS {rep['ams']:.3f} qualified {'yes' if rep['qualified'] else 'no'}")
    return "\n".join(lines)
