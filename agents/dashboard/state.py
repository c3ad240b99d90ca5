"""What the live dashboard shows, folded from chain events (no I/O here).

    state = DashboardState()
    state.apply(event)                      # every ChainEvent from the indexer, in chain order
    state.set_service(job_id, spec)         # a job's description, read once by the poller
    state.set_proposal_state(pid, 4)        # Governor.state, read by the poller for live proposals
    state.set_minds({addr: {...}})          # the agents' own last cycle report (their data dirs)
    state.snapshot()                        # the JSON the page renders

The market facts come from the agents' own fold (`agents.runtime.observe.apply_event` into a
`MarketMemory` held by nobody), so the dashboard sees jobs, asks, reputation, stake, slashes and
proposals exactly as an agent does. What an agent does not keep is added here: every holder's token
balance (from `Transfer`, exact because the indexer starts at the deployment block), each service's
median ask over time, and the most recent settlements.
"""

from __future__ import annotations

from collections import deque
from statistics import median
from typing import Any

from agents.chain.indexer import ChainEvent
from agents.chain.protocol import JobStatus, ProposalState, VoteSupport
from agents.runtime import observe as O

ZERO = "0x" + "0" * 40
PRICE_POINTS_KEPT = 500  # per service
RECENT_JOBS = 15
RECENT_SETTLED = 30


class DashboardState:
    def __init__(self, token_unit: int = 10**18) -> None:
        self.unit = token_unit
        self.mem = O.MarketMemory(me=ZERO, start_block=0)
        self.balances: dict[str, int] = {}
        self.prices: dict[str, deque[tuple[int, float]]] = {}
        self.settled: deque[dict[str, Any]] = deque(maxlen=RECENT_SETTLED)
        self.slash_count = 0
        self.slash_total = 0
        self.proposal_state: dict[int, int] = {}
        self.minds: dict[str, dict[str, Any]] = {}
        self.head = 0
        self.events = 0
        self.version = 0  # bumped by every change the page should see

    # ------------------------------------------------------------------ folding
    def apply(self, ev: ChainEvent) -> None:
        job = (
            self.mem.jobs.get(int(ev.args["jobId"]))
            if ev.contract == "ServiceEscrow" and "jobId" in ev.args
            else None
        )
        before = job.outcome if job is not None else None
        if not O.apply_event(self.mem, ev):
            return
        self.events += 1
        self.version += 1
        a = ev.args
        if ev.contract == "AgentToken" and ev.name == "Transfer":
            v = int(a["value"])
            if a["sender"] != ZERO:
                self.balances[a["sender"]] = self.balances.get(a["sender"], 0) - v
            if a["receiver"] != ZERO:
                self.balances[a["receiver"]] = self.balances.get(a["receiver"], 0) + v
        elif ev.contract == "AgentRegistry" and ev.name in ("ServicesUpdated", "AgentDeactivated"):
            self._record_prices(ev.block)
        elif ev.contract == "Staking" and ev.name == "Slashed":
            self.slash_count += 1
            self.slash_total += int(a["amount"])
        elif ev.contract == "ServiceEscrow" and "jobId" in a:
            job = self.mem.jobs.get(int(a["jobId"]))
            if job is not None and before == "open" and job.outcome != "open":
                self.settled.appendleft(
                    {
                        "id": job.id,
                        "service": job.service or "?",
                        "outcome": job.outcome,
                        "block": ev.block,
                        "budget": job.budget / self.unit,
                        "provider": job.provider,
                        "client": job.client,
                    }
                )

    def _record_prices(self, block: int) -> None:
        asks: dict[str, list[int]] = {}
        for p in self.mem.providers.values():
            for svc, ask in p.get("asks", {}).items():
                if ask > 0:
                    asks.setdefault(svc, []).append(ask)
        for svc, vals in asks.items():
            series = self.prices.setdefault(svc, deque(maxlen=PRICE_POINTS_KEPT))
            point = (block, median(vals) / self.unit)
            if series and series[-1][0] == block:
                series[-1] = point
            elif not series or series[-1][1] != point[1]:
                series.append(point)

    def set_service(self, job_id: int, spec: str | None) -> None:
        job = self.mem.jobs.get(job_id)
        if job is not None and job.service is None:
            O.set_spec(self.mem, job, spec)
            self.version += 1

    def jobs_without_service(self) -> list[int]:
        return [j.id for j in self.mem.jobs.values() if j.spec is None]

    def live_proposals(self) -> list[int]:
        """Proposals whose state can still change (the poller reads Governor.state for these)."""
        return [
            pid
            for pid, p in self.mem.proposals.items()
            if not p.executed
            and not (pid in self.proposal_state and ProposalState(self.proposal_state[pid]).finished)
        ]

    def set_proposal_state(self, pid: int, state: int) -> None:
        if self.proposal_state.get(pid) != state:
            self.proposal_state[pid] = state
            self.version += 1

    def set_head(self, head: int) -> None:
        if head != self.head:
            self.head = head
            self.version += 1

    def set_minds(self, minds: dict[str, dict[str, Any]]) -> None:
        if minds != self.minds:
            self.minds = minds
            self.version += 1

    # ------------------------------------------------------------------ view
    def agents(self) -> list[str]:
        """Everyone who took part: registered providers, parties of jobs, stakers, agents with a data dir."""
        seen: dict[str, None] = {}
        for addr in self.minds:
            seen[addr] = None
        for addr in self.mem.providers:
            seen[addr] = None
        for j in self.mem.jobs.values():
            seen[j.client] = None
            seen[j.provider] = None
        for addr in self.mem.bonded:
            seen[addr] = None
        seen.pop(ZERO, None)
        return list(seen)

    def snapshot(self) -> dict[str, Any]:
        u = self.unit
        counts = {s.label: 0 for s in JobStatus}
        for j in self.mem.jobs.values():
            counts[JobStatus(j.status).label] += 1
        outcomes: dict[str, int] = {}
        for j in self.mem.jobs.values():
            if j.outcome != "open":
                outcomes[j.outcome] = outcomes.get(j.outcome, 0) + 1
        recent = sorted(self.mem.jobs.values(), key=lambda j: -j.id)[:RECENT_JOBS]
        agents = []
        for addr in self.agents():
            mind = self.minds.get(addr, {})
            prov = self.mem.providers.get(addr, {})
            agents.append(
                {
                    "address": addr,
                    "persona": mind.get("persona", ""),
                    "balance": self.balances.get(addr, 0) / u,
                    "stake": self.mem.bonded.get(addr, 0) / u,
                    "reputation": self.mem.reputation.get(addr, 0) / 10_000,
                    "status": mind.get("status", ""),
                    "survival": mind.get("survival", ""),
                    "ass": mind.get("ass"),
                    "cycle": mind.get("cycle"),
                    "asks": {s: a / u for s, a in prov.get("asks", {}).items()},
                    "guardian": addr in self.mem.guardians,
                }
            )
        proposals = []
        for pid, p in sorted(self.mem.proposals.items(), key=lambda kv: kv[1].snapshot):
            state = (
                "Executed"
                if p.executed
                else ProposalState(self.proposal_state[pid]).label
                if pid in self.proposal_state
                else ("Queued" if p.queued else "Pending")
            )
            proposals.append(
                {
                    "id": str(pid),
                    "proposer": p.proposer,
                    "description": p.description,
                    "state": state,
                    "for": p.votes[VoteSupport.FOR] / u,
                    "against": p.votes[VoteSupport.AGAINST] / u,
                    "abstain": p.votes[2] / u,
                    "voters": len(p.voters),
                }
            )
        return {
            "version": self.version,
            "head": self.head,
            "events": self.events,
            "agents": agents,
            "jobs": {
                "total": len(self.mem.jobs),
                "states": counts,
                "outcomes": outcomes,
                "recent": [
                    {
                        "id": j.id,
                        "service": j.service or "?",
                        "state": JobStatus(j.status).label,
                        "outcome": j.outcome,
                        "budget": j.budget / u,
                        "client": j.client,
                        "provider": j.provider,
                        "block": j.created_block,
                    }
                    for j in recent
                ],
                # a job's service is read after its events were folded: take it from the job now
                "settled": [
                    dict(
                        x,
                        service=(self.mem.jobs[x["id"]].service if x["id"] in self.mem.jobs else None)
                        or x["service"],
                    )
                    for x in self.settled
                ],
            },
            "prices": {svc: [list(p) for p in pts] for svc, pts in sorted(self.prices.items())},
            "slashes": {
                "count": self.slash_count,
                "total": self.slash_total / u,
                "recent": [
                    {"block": s["block"], "agent": s["agent"], "amount": s["amount"] / u}
                    for s in reversed(self.mem.slashes[-10:])
                ],
            },
            "proposals": proposals,
            "params": dict(self.mem.params),
        }
