"""Value chains in a finished run: which jobs were sub-jobs of which composite job, and whether each
composite deliverable checks out end to end.

A sub-job of composite job P is a job whose client is P's provider and whose description is one of
the part specs derived from P's spec (services.components): anyone can re-derive the parts, so the link
needs nothing but the chain. A composite deliverable is verified end to end when its content verifies
(services.verify: every part against its derived spec, and the digest) and every part's provenance holds
on-chain: the sub-job it names exists, is a sub-job of P for that part, was hired from an agent other
than P's provider, completed, and committed exactly that part's payload (its deliverable is the
payload's keccak256). Pure over plain job records (dicts from simulate.collect) and a payload fetcher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.chain.protocol import GOOD_OUTCOMES
from agents.market.services import CompositeService, TaskSpec, TaskSpecError, commitment, components, verify

PAID = GOOD_OUTCOMES  # the settled outcomes that paid the provider


def _spec(text: Any) -> TaskSpec | None:
    try:
        return TaskSpec.decode(text)
    except (TaskSpecError, TypeError):
        return None


def link(jobs: dict[int, dict[str, Any]]) -> dict[int, dict[str, int]]:
    """Set `parent` on every sub-job record; returns composite job id -> {role: its latest sub-job id}
    (sub-jobs are created after their composite; the latest one per part is the one that delivered)."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for jid, j in sorted(jobs.items()):
        by_key.setdefault((str(j.get("client", "")).lower(), str(j.get("description", ""))), []).append(jid)
    out: dict[int, dict[str, int]] = {}
    for jid, j in sorted(jobs.items()):
        spec = _spec(j.get("description"))
        if spec is None or not components(spec):
            continue
        provider = str(j.get("provider", "")).lower()
        roles = {}
        for role, part in components(spec).items():
            subs = [s for s in by_key.get((provider, part.encode()), []) if s > jid]
            for s in subs:
                jobs[s]["parent"] = jid
            if subs:
                roles[role] = subs[-1]
        out[jid] = roles
    return out


def verify_end_to_end(
    jid: int, jobs: dict[int, dict[str, Any]], fetch: Callable[[str], bytes | None]
) -> bool | None:
    """None when composite job `jid` delivered nothing; else True iff content and provenance hold."""
    j = jobs[jid]
    spec = _spec(j.get("description"))
    if spec is None or not j.get("deliverable"):
        return None
    payload = fetch(j["deliverable"])
    if payload is None or not verify(spec, payload):
        return False
    parts = CompositeService.parts_of(payload) or {}
    wanted = components(spec)
    for role, (sub_id, part) in parts.items():
        sub = jobs.get(sub_id)
        if (
            sub is None
            or sub.get("parent") != jid
            or sub.get("description") != wanted[role].encode()
            or str(sub.get("provider", "")).lower() == str(j.get("provider", "")).lower()
            or sub.get("outcome") not in PAID
            or str(sub.get("deliverable", "")).lower() != commitment(part)
        ):
            return False
    return True
