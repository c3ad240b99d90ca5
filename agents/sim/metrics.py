"""What a simulation records: per-agent time series, prices, jobs, slashes, proposals and votes.

The simulation (or each agent process) calls the `record_*` methods; `to_json`/`from_json` move the
whole model between processes and onto disk; agents.sim.report turns it into the HTML page and the
terminal summary. Token amounts are in wei-units (ints); `token_unit` converts for display.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

JOB_OUTCOMES = ("completed", "rejected", "expired", "disputed_provider_won", "disputed_client_won", "open")


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values: 0 = perfect equality, (n-1)/n = one holds everything.

    G = sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed in O(n log n) from the sorted values.
    Empty input or an all-zero population gives 0.
    """
    xs = sorted(float(v) for v in values)
    if any(v < 0 for v in xs):
        raise ValueError("gini needs non-negative values")
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    # The closed form cancels two nearly equal terms for equal values; clamp the float residue
    # (e.g. -2.2e-16) into the coefficient's range [0, (n-1)/n].
    return min(max(0.0, (2 * weighted) / (n * total) - (n + 1) / n), (n - 1) / n)


@dataclass
class AgentInfo:
    address: str
    persona: str
    label: str = ""


@dataclass
class AgentSample:
    cycle: int
    balance: int  # token wei-units
    stake: int = 0
    reputation: float = 0.0
    ass: float | None = None  # autonomy stability score, None before L4.9 first ran
    value_drift: float = 0.0
    survival_class: str = ""
    eth_balance: int = 0


@dataclass
class JobRecord:
    job_id: int
    service: str
    outcome: str
    cycle: int
    client: str = ""
    provider: str = ""
    budget: int = 0
    created: int = -1  # cycle the job was created in (`cycle` is the cycle of its final outcome)
    parent: int = 0  # the composite job this is a sub-job of (a value chain), 0 if none
    verified: bool | None = None  # composite jobs: the deliverable checked end to end (valuechain.py)


@dataclass
class SlashRecord:
    cycle: int
    agent: str
    amount: int
    reason: str = ""


@dataclass
class ProposalRecord:
    proposal_id: str
    cycle: int
    proposer: str
    description: str = ""
    state: str = "Pending"
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    voters: int = 0
    voters_for: int = 0  # ballots by side (the votes_* fields are voting power)
    voters_against: int = 0
    voters_abstain: int = 0
    executed_cycle: int | None = None

    def count_vote(self, support: int, weight: int) -> None:
        """One ballot (OpenZeppelin support: 0 against, 1 for, 2 abstain) of `weight` voting power."""
        if support not in (0, 1, 2):
            raise ValueError(f"support must be 0, 1 or 2, got {support}")
        self.voters += 1
        side = ("against", "for", "abstain")[support]
        setattr(self, f"votes_{side}", getattr(self, f"votes_{side}") + weight)
        setattr(self, f"voters_{side}", getattr(self, f"voters_{side}") + 1)


@dataclass
class Metrics:
    title: str = "Emergent simulation"
    token_unit: int = 10**18
    token_symbol: str = "AGENT"
    agents: dict[str, AgentInfo] = field(default_factory=dict)
    samples: dict[str, list[AgentSample]] = field(default_factory=dict)
    prices: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # service -> (cycle, price)
    jobs: list[JobRecord] = field(default_factory=list)
    slashes: list[SlashRecord] = field(default_factory=list)
    proposals: dict[str, ProposalRecord] = field(default_factory=dict)
    # per agent address: {"persona", "status_timeline": [[cycle, status], ...] (changes only),
    # "goals": {"generated"|"pursued"|"completed": {origin: n}}, "vetoes", "mutations_applied",
    # "value_drift": [[cycle, drift], ...]} (mind_record)
    mind: dict[str, dict[str, Any]] = field(default_factory=dict)
    mind_note: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # run parameters, timings, throughput
    # Every provider's full ask list at each update: (cycle, provider, {service: price}); a service
    # missing from an update has left that provider's book (market_kpis).
    asks: list[tuple[int, str, dict[str, float]]] = field(default_factory=list)

    # ------------------------------------------------------------------ recording
    def add_agent(self, address: str, persona: str, label: str = "") -> None:
        self.agents[address] = AgentInfo(address, persona, label or address[:8])
        self.samples.setdefault(address, [])

    def record_agent(self, address: str, sample: AgentSample) -> None:
        if address not in self.agents:
            raise KeyError(f"unknown agent {address}: add_agent first")
        self.samples[address].append(sample)

    def record_price(self, service: str, cycle: int, price: float) -> None:
        self.prices.setdefault(service, []).append((cycle, float(price)))

    def record_asks(self, cycle: int, provider: str, asks: dict[str, float]) -> None:
        self.asks.append((int(cycle), provider, {k: float(v) for k, v in asks.items()}))

    def record_job(self, job: JobRecord) -> None:
        """Record a job; a later record with the same id replaces the earlier one (final outcome wins)."""
        self.jobs = [j for j in self.jobs if j.job_id != job.job_id]
        self.jobs.append(job)

    def record_slash(self, slash: SlashRecord) -> None:
        self.slashes.append(slash)

    def record_proposal(self, proposal: ProposalRecord) -> None:
        self.proposals[proposal.proposal_id] = proposal

    # ------------------------------------------------------------------ derived series
    def cycles(self) -> list[int]:
        return sorted({s.cycle for series in self.samples.values() for s in series})

    def balances_at(self, cycle: int) -> list[int]:
        """Each agent's latest balance at or before `cycle` (agents without a sample yet are skipped)."""
        out = []
        for series in self.samples.values():
            before = [s for s in series if s.cycle <= cycle]
            if before:
                out.append(before[-1].balance)
        return out

    def gini_series(self) -> list[tuple[int, float]]:
        return [(c, gini(self.balances_at(c))) for c in self.cycles()]

    def jobs_by_outcome(self) -> dict[str, int]:
        counts = Counter(j.outcome for j in self.jobs)
        return {k: counts.get(k, 0) for k in (*JOB_OUTCOMES, *sorted(set(counts) - set(JOB_OUTCOMES)))}

    def latest(self, address: str) -> AgentSample | None:
        series = self.samples.get(address) or []
        return series[-1] if series else None

    def by_persona(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in self.agents.values():
            out.setdefault(a.persona, []).append(a.address)
        return out

    # ------------------------------------------------------------------ market KPIs
    def books(self) -> dict[int, dict[str, dict[str, float]]]:
        """cycle -> service -> {provider: ask}: the order book at the end of each cycle."""
        if not self.asks:
            return {}
        last = max([c for c, _, _ in self.asks] + [j.cycle for j in self.jobs] + self.cycles() + [0])
        updates = sorted(self.asks, key=lambda a: a[0])
        book: dict[str, dict[str, float]] = {}
        out: dict[int, dict[str, dict[str, float]]] = {}
        i = 0
        for c in range(last + 1):
            while i < len(updates) and updates[i][0] <= c:
                _, provider, asks = updates[i]
                for svc in list(book):
                    book[svc].pop(provider, None)
                for svc, price in asks.items():
                    book.setdefault(svc, {})[provider] = price
                i += 1
            out[c] = {s: dict(b) for s, b in book.items() if b}
        return out

    def value_chain(self) -> list[dict[str, Any]]:
        """The value-chain graph: one edge per (hirer, sub-provider) pair of sub-jobs (jobs a composite
        job's provider hired for its parts): jobs, volume (budgets of the paid ones), failures
        (rejected, expired or lost disputes), with the composite service they served."""
        services = {j.job_id: j.service for j in self.jobs}
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        for j in self.jobs:
            if not j.parent:
                continue
            e = edges.setdefault(
                (j.client, j.provider),
                {
                    "client": j.client,
                    "provider": j.provider,
                    "jobs": 0,
                    "volume": 0,
                    "failures": 0,
                    "services": set(),
                },
            )
            e["jobs"] += 1
            e["volume"] += j.budget if j.outcome in ("completed", "disputed_provider_won") else 0
            e["failures"] += j.outcome in ("rejected", "expired", "disputed_client_won")
            e["services"].add(f"{j.service} for {services.get(j.parent, '?')}")
        return [{**e, "services": sorted(e["services"])} for _, e in sorted(edges.items())]

    def market_kpis(self) -> dict[str, dict[str, Any]]:
        """Per service: price volatility, bid-ask spread, provider concentration (HHI), and the series
        they come from. Report and sweep outputs (docs/scenarios.md says how each is defined):

        - volatility: standard deviation of the cycle-to-cycle log change of the median ask in the book;
        - spread: mean, over cycles with trades, of (mean price paid - best ask) / best ask: the premium
          clients' accepted bids carry over the cheapest quote (clients here take asks, they post no
          bids, so the prices they paid are the bids that cleared);
        - hhi: sum of squared provider shares of the service's funded volume (1 = one provider has it all);
        - series: [cycle, median ask, sellers, jobs created, mean price paid (None without trades)].
        """
        import math
        from statistics import median, pstdev

        books = self.books()
        services = sorted(
            {s for b in books.values() for s in b} | {j.service for j in self.jobs if j.service != "?"}
        )
        out: dict[str, dict[str, Any]] = {}
        for svc in services:
            series = []
            created: Counter[int] = Counter(
                j.created for j in self.jobs if j.service == svc and j.created >= 0
            )
            paid_by_cycle: dict[int, list[int]] = {}
            for j in self.jobs:
                if j.service == svc and j.budget > 0 and j.created >= 0:
                    paid_by_cycle.setdefault(j.created, []).append(j.budget)
            for c in sorted(books):
                b = books[c].get(svc, {})
                paid = paid_by_cycle.get(c)
                series.append(
                    [
                        c,
                        median(b.values()) if b else None,
                        len(b),
                        created.get(c, 0),
                        sum(paid) / len(paid) if paid else None,
                    ]
                )
            prices = [row[1] for row in series]
            rets = [math.log(b / a) for a, b in itertools.pairwise(prices) if a and b]
            spreads = []
            for c, paid in paid_by_cycle.items():
                b = books.get(c, {}).get(svc) or {}
                if b:
                    best = min(b.values())
                    spreads.append((sum(paid) / len(paid) - best) / best)
            volume: Counter[str] = Counter()
            for j in self.jobs:
                if j.service == svc and j.budget > 0 and j.provider:
                    volume[j.provider] += j.budget
            total = sum(volume.values())
            hhi = sum((v / total) ** 2 for v in volume.values()) if total else 0.0
            out[svc] = {
                "volatility": pstdev(rets) if len(rets) >= 2 else 0.0,
                "spread": sum(spreads) / len(spreads) if spreads else None,
                "hhi": hhi,
                "providers": len(volume),
                "jobs": sum(1 for j in self.jobs if j.service == svc),
                "series": series,
            }
        return out

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "token_unit": self.token_unit,
            "token_symbol": self.token_symbol,
            "agents": {k: asdict(v) for k, v in self.agents.items()},
            "samples": {k: [asdict(s) for s in v] for k, v in self.samples.items()},
            "prices": {k: [list(p) for p in v] for k, v in self.prices.items()},
            "jobs": [asdict(j) for j in self.jobs],
            "slashes": [asdict(s) for s in self.slashes],
            "proposals": {k: asdict(v) for k, v in self.proposals.items()},
            "info": self.info,
            "mind": self.mind,
            "mind_note": self.mind_note,
            "asks": [[c, p, a] for c, p, a in self.asks],
            "market": self.market_kpis(),  # derived (recomputed on load)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        return cls(
            title=data.get("title", "Emergent simulation"),
            token_unit=data.get("token_unit", 10**18),
            token_symbol=data.get("token_symbol", "AGENT"),
            agents={k: AgentInfo(**v) for k, v in data.get("agents", {}).items()},
            samples={k: [AgentSample(**s) for s in v] for k, v in data.get("samples", {}).items()},
            prices={k: [(int(c), float(p)) for c, p in v] for k, v in data.get("prices", {}).items()},
            jobs=[JobRecord(**j) for j in data.get("jobs", [])],
            slashes=[SlashRecord(**s) for s in data.get("slashes", [])],
            proposals={k: ProposalRecord(**v) for k, v in data.get("proposals", {}).items()},
            info=data.get("info", {}),
            mind=data.get("mind", {}),
            mind_note=data.get("mind_note", ""),
            asks=[(int(c), str(p), dict(a)) for c, p, a in data.get("asks", [])],
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Metrics:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json())
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Metrics:
        return cls.from_json(Path(path).read_text())


MIND_NOTE = (
    "The L4.9 mind needs history: rho(J) from a 20-cycle window, L4.9 every 5 cycles, the value-drift "
    "monitor every 50, §6 trust and strategy classes after 5 interactions and §10's activation protocol "
    "({cycles} cycles here: CHECK needs 100 consecutive cycles with every criterion, two of which are "
    "measured over 500 and 1000 cycles; shadow, advisory and 50 % stages last 500 each; the 200-cycle "
    "goal and mutation sandboxes and the 3000-cycle audit are longer than this run). In {cycles} cycles "
    "the agents trade on the L4.8 baseline while L4.9 warms up and is INACTIVE; run "
    "`emergent cognition audit --cycles 3000` for the offline market's full run, where the mind activates "
    "and is audited."
)


def mind_record(persona: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics["mind"] entry of one agent from its per-cycle records (agent metrics.jsonl lines or the
    offline market's history): status changes, goals by origin, vetoes, mutations, value drift."""
    timeline: list[list[Any]] = []
    goals: dict[str, dict[str, int]] = {"generated": {}, "pursued": {}, "completed": {}}
    vetoes = mutations = 0
    drift: list[list[float]] = []
    for r in rows:
        c, status = int(r.get("cycle", 0)), r.get("status")
        if status and (not timeline or timeline[-1][1] != status):
            timeline.append([c, status])
        g = r.get("goals") or {}
        for kind in goals:
            for origin in g.get(kind, ()):
                goals[kind][origin] = goals[kind].get(origin, 0) + 1
        vetoes += int(r.get("vetoed_n", r.get("vetoes", 0)) or 0)
        mutations += int(r.get("mutations", 0) or 0)
        d = r.get("drift_value", r.get("drift"))
        if d is not None:
            drift.append([c, float(d)])
    return {
        "persona": persona,
        "status_timeline": timeline,
        "goals": goals,
        "vetoes": vetoes,
        "mutations_applied": mutations,
        "value_drift": drift,
    }


def market_summary(m: Metrics, unit: int | None = None) -> str:
    """The market KPIs as terminal lines (one per service), for the simulation's summary."""
    unit = unit or m.token_unit
    lines = [
        "market (per service): median ask first -> last, sellers first -> last, jobs, volatility, spread, HHI"
    ]
    for svc, k in m.market_kpis().items():
        priced = [r for r in k["series"] if r[1] is not None]
        if not priced:
            continue
        first, last = priced[0], priced[-1]
        spread = "n/a" if k["spread"] is None else f"{k['spread']:+.1%}"
        lines.append(
            f"  {svc:<11} {first[1] / unit:8.2f} -> {last[1] / unit:8.2f} {m.token_symbol}  "
            f"sellers {first[2]} -> {last[2]}  jobs {k['jobs']:3d}  vol {k['volatility']:.3f}  "
            f"spread {spread}  HHI {k['hhi']:.2f}"
        )
    composites = [j for j in m.jobs if j.verified is not None]
    edges = m.value_chain()
    if edges or composites:
        ok = sum(1 for j in composites if j.verified)
        lines.append(
            f"value chain: {len(composites)} composite deliveries, {ok} verified end to end; "
            f"sub-jobs (hirer -> provider: jobs, paid volume, failures)"
        )

        def label(a: str) -> str:
            return m.agents[a].label if a in m.agents else a[:10]

        for e in edges:
            lines.append(
                f"  {label(e['client']):>13} -> {label(e['provider']):<13} {e['jobs']:3d} jobs  "
                f"{e['volume'] / unit:9.2f} {m.token_symbol}  {e['failures']} failed  "
                f"({', '.join(e['services'])})"
            )
    return "\n".join(lines)
