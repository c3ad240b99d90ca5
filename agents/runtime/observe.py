"""An agent's market memory, fed by chain events, and the cognition Observation built from it.

Data flows one way: `apply_event(memory, event)` folds a decoded chain event (from the process's one
EventIndexer) into the agent's `MarketMemory`; once per cycle the runtime adds a few direct reads
(`Snapshot`: balances, stake, the block's timestamp) and `build_observation` turns the cycle's window
of facts into a cognition `Observation`; `close_window` starts the next window. Nothing here sends
a transaction or decides anything.

The memory is plain data (JSON round trip via `to_dict`/`from_dict`) and carries its own event
cursor, so it is persisted together with the cognition state in one SQLite transaction: after a
kill -9 the process indexer restarts from the oldest agent cursor and each agent skips the events it
had already folded in (`MarketMemory.seen`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from statistics import median
from typing import Any

from agents.chain.indexer import ChainEvent
from agents.chain.protocol import GOOD_OUTCOMES, DisputeOutcome, JobStatus, ProposalState, VoteSupport
from agents.cognition import (
    Balances,
    CounterpartyOutcome,
    Governance,
    Observation,
    ServiceActivity,
)

WEI = 10**18
# Terminal jobs are forgotten this many blocks after they settled (bounded memory).
PRUNE_AFTER_BLOCKS = 400
# Other agents' settled jobs only matter until their outcome is counted: forgotten sooner.
PRUNE_OTHERS_AFTER_BLOCKS = 20
DEMAND_LOG_BLOCKS = 100  # demand_log keeps this many blocks (policy looks back at most this far)
# Blocks of each provider's most recent failures kept in its track record (bounded memory).
TRACK_FAILURES_KEPT = 4


@dataclass
class Job:
    id: int
    client: str
    provider: str
    evaluator: str
    expired_at: int
    created_block: int
    status: int = JobStatus.OPEN
    budget: int = 0
    held: int = 0
    deliverable: str | None = None
    deadline: int = 0  # review / dispute-window / ruling deadline (timestamp), from getJob
    spec: str | None = None  # the job description (an em1 task spec), read once
    service: str | None = None
    outcome: str = "open"  # completed | rejected | expired | disputed_provider_won | disputed_client_won
    settled_block: int = 0
    submitted_by_me_honest: bool | None = None
    ruled: list[str] = field(default_factory=list)  # guardians that ruled on its dispute
    was_submitted: bool = False
    rated: bool = False
    refresh: bool = True  # timers/held need a getJob read
    accepted: int = 0  # the budget the provider accepted (JobAccepted); fund needs it == budget

    def party(self, who: str) -> bool:
        return who in (self.client, self.provider, self.evaluator)


@dataclass
class Proposal:
    id: int
    proposer: str
    description: str
    snapshot: int
    deadline: int
    targets: list[str] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    calldatas: list[str] = field(default_factory=list)
    desc_hash: str = ""
    state: int = ProposalState.PENDING  # refreshed by reads
    voters: list[str] = field(default_factory=list)
    votes: list[int] = field(default_factory=lambda: [0] * len(VoteSupport))  # weights by VoteSupport
    executed: bool = False
    queued: bool = False
    eta: int = 0


@dataclass
class Window:
    """Facts of the current cycle (reset by `close_window`)."""

    requested: dict[str, int] = field(default_factory=dict)  # jobs created per service, market-wide
    won: dict[str, int] = field(default_factory=dict)  # my jobs funded per service (as provider)
    completed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    disputed: dict[str, int] = field(default_factory=dict)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    earned: int = 0  # token wei received
    spent: int = 0  # token wei sent
    events: int = 0
    lost: int = 0  # events of the window that could not be folded in (undecodable logs, fold errors)
    votes_cast: int = 0


@dataclass
class MarketMemory:
    me: str
    start_block: int
    cursor: tuple[int, int] = (-1, 2**31 - 1)  # last event folded in (block, log_index)
    cycle: int = 0  # next cycle to run
    agent_id: int = 0
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)  # wallet -> {id, asks}
    reputation: dict[str, int] = field(default_factory=dict)  # wallet -> score (0..10000)
    bonded: dict[str, int] = field(default_factory=dict)
    votes: dict[str, int] = field(default_factory=dict)  # voting stake (Staking.activateVoting), issue 10
    guardians: list[str] = field(default_factory=list)
    params: dict[str, int] = field(default_factory=dict)  # escrow parameters by name
    jobs: dict[int, Job] = field(default_factory=dict)
    trust: dict[str, list[float]] = field(default_factory=dict)  # provider -> [good, bad] as seen by me
    public_bad: dict[str, int] = field(default_factory=dict)  # provider -> rejected/expired jobs seen
    proposals: dict[int, Proposal] = field(default_factory=dict)
    param_changes: list[dict[str, Any]] = field(default_factory=list)  # observed governance effects
    slashes: list[dict[str, Any]] = field(default_factory=list)
    window: Window = field(default_factory=Window)
    guidance: dict[str, Any] = field(default_factory=dict)  # see policy.Guidance
    last_report: dict[str, Any] = field(default_factory=dict)  # latest cognition figures
    approved: list[str] = field(default_factory=list)  # contracts holding a max allowance from me
    outcomes: dict[str, int] = field(default_factory=dict)  # settled funded jobs seen, by outcome (lifetime)
    # provider -> {"settled": n, "failed": n, "failed_at": blocks of its last few failures}: each provider's
    # public track record (funded jobs seen settling), for governance goals (policy.desired_changes)
    track: dict[str, dict[str, Any]] = field(default_factory=dict)
    # [block, service, provider, job id] of every job created market-wide in the last DEMAND_LOG_BLOCKS:
    # the demand each service saw lately (policy: prices, what to sell), kept after the jobs are pruned
    demand_log: list[list[Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ cursor
    def seen(self, event: ChainEvent) -> bool:
        return event.key <= tuple(self.cursor)

    def advance_to_block(self, block: int) -> None:
        """Every event up to and including `block` has been delivered (indexer finished it)."""
        if block > self.cursor[0] or (block == self.cursor[0] and self.cursor[1] != 2**31 - 1):
            self.cursor = (block, 2**31 - 1)

    @property
    def cursor_block(self) -> int:
        """Highest block whose events are all folded in."""
        b, li = self.cursor
        return b if li == 2**31 - 1 else b - 1

    # ------------------------------------------------------------------ derived views
    def ask_of(self, provider: str, service: str) -> int | None:
        ask: int | None = self.providers.get(provider, {}).get("asks", {}).get(service)
        return ask

    def my_asks(self) -> dict[str, int]:
        return dict(self.providers.get(self.me, {}).get("asks", {}))

    def competitor_asks(self, service: str) -> list[int]:
        return [
            p["asks"][service]
            for addr, p in self.providers.items()
            if addr != self.me and service in p.get("asks", {}) and p["asks"][service] > 0
        ]

    def market_prices(self) -> dict[str, float]:
        """Median ask per service across providers (whole tokens)."""
        out: dict[str, list[int]] = {}
        for p in self.providers.values():
            for s, a in p.get("asks", {}).items():
                if a > 0:
                    out.setdefault(s, []).append(a)
        return {s: median(v) / WEI for s, v in out.items()}

    def trust_of(self, provider: str) -> float:
        """Mean of a Beta(1 + good, 1 + bad) over my own outcomes plus every failure seen on-chain.

        A failure on one of my own jobs therefore counts twice (own experience weighs more).
        """
        good, bad = self.trust.get(provider, [0.0, 0.0])
        bad += self.public_bad.get(provider, 0)
        return (1 + good) / (2 + good + bad)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, built field by field (dataclasses.asdict deep-copies every job and was
        most of an agent's cycle time with a busy market). It shares lists and dicts with the memory:
        serialise it before the memory changes again (AgentStore.put_state does)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["jobs"] = {str(k): dict(vars(v)) for k, v in self.jobs.items()}
        d["proposals"] = {str(k): dict(vars(v)) for k, v in self.proposals.items()}
        d["window"] = dict(vars(self.window))
        d["cursor"] = list(self.cursor)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MarketMemory:
        d = dict(d)
        d["jobs"] = {int(k): Job(**v) for k, v in d.get("jobs", {}).items()}
        d["proposals"] = {int(k): Proposal(**v) for k, v in d.get("proposals", {}).items()}
        d["window"] = Window(**d.get("window", {}))
        d["cursor"] = tuple(d.get("cursor", (-1, 2**31 - 1)))
        return cls(**d)


@dataclass(frozen=True)
class Snapshot:
    """Direct reads at the end of a cycle (the few facts events do not carry)."""

    block: int
    timestamp: int
    token: int  # wei
    eth: int  # wei
    bonded: int = 0
    free_stake: int = 0
    reputation: int = 0
    allowance_escrow: int = 0
    allowance_staking: int = 0
    base_fee: int = 0
    gas_spent_wei: int = 0  # fees this cycle (from receipts)
    votes: int = 0  # current voting power (stake)


def _inc(d: dict[str, int], key: str | None, by: int = 1) -> None:
    if key:
        d[key] = d.get(key, 0) + by


def _interaction(
    mem: MarketMemory,
    counterparty: str,
    role: str,
    ok: bool,
    disputed: bool = False,
    cooperative: bool = True,
) -> None:
    if counterparty == mem.me or not counterparty:
        return
    item: dict[str, Any] = {
        "counterparty": counterparty,
        "role": role,
        "disputed": disputed,
        "cooperative": cooperative,
    }
    if role == "provider":
        item["delivered_on_time"] = ok
    else:
        item["paid"] = ok
    mem.window.interactions.append(item)


def _settle(mem: MarketMemory, job: Job, status: int, outcome: str, block: int) -> None:
    funded = job.held > 0 or job.was_submitted
    job.status = status
    job.outcome = outcome
    job.settled_block = block
    job.held = 0
    job.deadline = 0
    job.refresh = False
    me = mem.me
    good = outcome in GOOD_OUTCOMES
    if funded:
        _inc(mem.outcomes, outcome)
    if not good and funded and job.provider:
        _inc(mem.public_bad, job.provider)
    if funded and job.provider:
        rec = mem.track.setdefault(job.provider, {"settled": 0, "failed": 0, "failed_at": []})
        rec["settled"] += 1
        if not good:
            rec["failed"] += 1
            rec["failed_at"] = [*rec["failed_at"], block][-TRACK_FAILURES_KEPT:]
    if job.client == me and job.provider and funded:
        t = mem.trust.setdefault(job.provider, [0.0, 0.0])
        t[0 if good else 1] += 1.0
        _interaction(
            mem, job.provider, "provider", good, disputed=outcome.startswith("disputed"), cooperative=good
        )
    if job.provider == me and funded:
        svc = job.service
        if good:
            _inc(mem.window.completed, svc)
        elif outcome == "expired":
            _inc(mem.window.failed, svc)
        else:
            _inc(mem.window.disputed, svc)
        ok = client_fair(job, outcome)
        _interaction(mem, job.client, "client", ok, disputed=outcome.startswith("disputed"), cooperative=ok)


def client_fair(job: Job, outcome: str) -> bool:
    """Did the client (as evaluator of my work) treat me fairly? Paying, or rejecting work that was not
    correct (or not delivered), is fair; rejecting a correct delivery is a wrongful rejection, and a
    dispute the guardians decided for me proves one."""
    if outcome == "disputed_provider_won":
        return False
    if outcome == "rejected":
        return job.submitted_by_me_honest is not True
    return True


def set_spec(mem: MarketMemory, job: Job, spec: str | None) -> None:
    """Record a job's description (read once from the escrow) and count it as market demand."""
    from agents.market.services import TaskSpec, TaskSpecError

    job.spec = spec or ""
    try:
        job.service = TaskSpec.decode(job.spec).service if spec else None
    except TaskSpecError:
        job.service = None
    _inc(mem.window.requested, job.service)
    if job.service:
        mem.demand_log.append([job.created_block, job.service, job.provider, job.id])


def service_items(services: Any) -> list[tuple[str, int]]:
    """(name, price) pairs of a decoded `Service[]` (named tuples from the codec, mappings from web3,
    or pairs)."""
    out = []
    for s in services:
        if hasattr(s, "keys"):
            out.append((str(s["name"]), int(s["price"])))
        elif hasattr(s, "price"):
            out.append((str(s.name), int(s.price)))
        else:  # (name, price) pairs, as the offline market emits them
            out.append((str(s[0]), int(s[1])))
    return out


def apply_event(mem: MarketMemory, ev: ChainEvent) -> bool:
    """Fold one event into the memory; False if it was already seen (replay after a restart)."""
    if mem.seen(ev):
        return False
    mem.cursor = ev.key
    mem.window.events += 1
    a = ev.args
    me = mem.me
    name = ev.name
    if ev.contract == "AgentRegistry":
        if name == "Registered":
            wallet = a["agentWallet"]
            mem.providers.setdefault(wallet, {"id": a["agentId"], "asks": {}})["id"] = a["agentId"]
            if wallet == me:
                mem.agent_id = a["agentId"]
        elif name == "ServicesUpdated":
            for p in mem.providers.values():
                if p["id"] == a["agentId"]:
                    p["asks"] = dict(service_items(a["services"]))
        elif name == "AgentDeactivated":
            for p in mem.providers.values():
                if p["id"] == a["agentId"]:
                    p["asks"] = {}
    elif ev.contract == "Reputation" and name == "ReputationChanged":
        mem.reputation[a["account"]] = int(a["current"])
    elif ev.contract == "Reputation" and name == "FeedbackGiven":
        job = mem.jobs.get(int(a["jobId"]))
        if job is not None:
            job.rated = True
    elif ev.contract == "Staking":
        if name == "BondedChanged":  # bonded stake (collateral); votes only once voting is activated
            mem.bonded[a["account"]] = int(a["current"])
        elif name == "DelegateVotesChanged":
            mem.votes[a["delegate"]] = int(a["newVotes"])
        elif name == "Slashed":
            mem.slashes.append({"block": ev.block, "agent": a["account"], "amount": int(a["amount"])})
            del mem.slashes[:-50]
    elif ev.contract == "AgentToken" and name == "Transfer":
        if a["receiver"] == me:
            mem.window.earned += int(a["value"])
        if a["sender"] == me:
            mem.window.spent += int(a["value"])
    elif ev.contract == "ServiceEscrow":
        _escrow_event(mem, ev)
    elif ev.contract == "Governor":
        _governor_event(mem, ev)
    return True


def _escrow_event(mem: MarketMemory, ev: ChainEvent) -> None:
    a, name, me = ev.args, ev.name, mem.me
    if name == "GuardianSet":
        g = set(mem.guardians)
        (g.add if a["enabled"] else g.discard)(a["account"])
        mem.guardians = sorted(g)
        return
    if name == "ParameterUpdated":
        mem.params[str(a["name"])] = int(a["current"])
        mem.param_changes.append(
            {
                "block": ev.block,
                "name": str(a["name"]),
                "previous": int(a["previous"]),
                "current": int(a["current"]),
            }
        )
        return
    if "jobId" not in a:
        return
    jid = int(a["jobId"])
    if name == "JobCreated":
        mem.jobs[jid] = Job(
            id=jid,
            client=a["client"],
            provider=a["provider"],
            evaluator=a["evaluator"],
            expired_at=int(a["expiredAt"]),
            created_block=ev.block,
        )
        return
    job = mem.jobs.get(jid)
    if job is None:
        return  # created before this agent's start block (or pruned)
    job.refresh = job.party(me) or me in mem.guardians
    if name == "ProviderSet":
        job.provider = a["provider"]
    elif name == "BudgetSet":
        job.budget = int(a["amount"])
    elif name == "JobAccepted":
        job.accepted = int(a["budget"])
    elif name == "JobFunded":
        job.status, job.held = JobStatus.FUNDED, int(a["amount"])
        if job.provider == me:
            _inc(mem.window.won, job.service)
    elif name == "JobSubmitted":
        job.status, job.deliverable, job.was_submitted = JobStatus.SUBMITTED, str(a["deliverable"]), True
    elif name == "JobRejected":
        prev = job.status
        job.status = JobStatus.REJECTED
        if prev in (JobStatus.OPEN, JobStatus.FUNDED):
            _settle(mem, job, JobStatus.REJECTED, "rejected", ev.block)
    elif name == "JobExpired":
        _settle(mem, job, JobStatus.EXPIRED, "expired", ev.block)
    elif name == "JobCompleted":
        if job.status != JobStatus.COMPLETED:
            upheld = job.status == JobStatus.DISPUTED
            _settle(
                mem, job, JobStatus.COMPLETED, "disputed_provider_won" if upheld else "completed", ev.block
            )
    elif name == "Refunded":
        if job.status == JobStatus.REJECTED and job.outcome == "open":
            _settle(mem, job, JobStatus.REJECTED, "rejected", ev.block)
    elif name == "DisputeOpened":
        job.status, job.deadline = JobStatus.DISPUTED, int(a["rulingDeadline"])
    elif name == "DisputeRuled":
        if a["guardian"] not in job.ruled:
            job.ruled.append(a["guardian"])
    elif name == "DisputeResolved":
        outcome = int(a["outcome"])
        if outcome == DisputeOutcome.CLIENT:
            _settle(mem, job, JobStatus.REJECTED, "disputed_client_won", ev.block)
        elif outcome == DisputeOutcome.DEFAULT:
            _settle(mem, job, JobStatus.REJECTED, "rejected", ev.block)
        # DisputeOutcome.PROVIDER is followed by JobCompleted


def _governor_event(mem: MarketMemory, ev: ChainEvent) -> None:
    a, name = ev.args, ev.name
    if name == "ProposalCreated":
        pid = int(a["proposalId"])
        from eth_utils.crypto import keccak

        text = str(a.get("description", ""))
        mem.proposals[pid] = Proposal(
            id=pid,
            proposer=a["proposer"],
            description=text[:300],
            snapshot=int(a.get("voteStart", 0)),
            deadline=int(a.get("voteEnd", 0)),
            targets=list(a.get("targets", ())),
            values=[int(v) for v in a.get("values", ())],
            calldatas=[str(c) for c in a.get("calldatas", ())],
            desc_hash="0x" + keccak(text=text).hex(),
        )
        return
    pid = int(a.get("proposalId", -1))
    p = mem.proposals.get(pid)
    if p is None:
        return
    if name in ("VoteCast", "VoteCastWithParams"):
        if a["voter"] not in p.voters:
            p.voters.append(a["voter"])
            support = int(a["support"])
            if 0 <= support < len(VoteSupport):
                p.votes[support] += int(a["weight"])
            if a["voter"] == mem.me:
                mem.window.votes_cast += 1
    elif name == "ProposalQueued":
        p.queued, p.eta = True, int(a.get("etaSeconds", a.get("eta", 0)))
    elif name == "ProposalExecuted":
        p.executed = True
    elif name == "ProposalCanceled":
        p.state = ProposalState.CANCELED


def prune(mem: MarketMemory, head_block: int) -> None:
    """Forget jobs settled long ago and finished proposals (bounded memory)."""
    cutoff = head_block - PRUNE_AFTER_BLOCKS
    if mem.demand_log and mem.demand_log[0][0] <= head_block - DEMAND_LOG_BLOCKS:
        mem.demand_log = [e for e in mem.demand_log if e[0] > head_block - DEMAND_LOG_BLOCKS]
    others = head_block - PRUNE_OTHERS_AFTER_BLOCKS
    mem.jobs = {
        k: j
        for k, j in mem.jobs.items()
        if not (j.settled_block and j.settled_block < (cutoff if j.party(mem.me) else others))
    }
    mem.proposals = {
        k: p
        for k, p in mem.proposals.items()
        if not (p.executed or ProposalState(p.state).finished) or p.deadline > cutoff
    }


def eligible_offers(mem: MarketMemory, snap: Snapshot) -> dict[str, int]:
    """Jobs of the window I was a real candidate for, per service: requested in a service I list with
    an ask while my bonded stake met the escrow's minimum (a client could fund me)."""
    asks = mem.my_asks()
    if snap.bonded < mem.params.get("minProviderStake", 0):
        return {}
    return {s: n for s, n in mem.window.requested.items() if asks.get(s, 0) > 0 and n > 0}


def build_observation(
    mem: MarketMemory, snap: Snapshot, cycle_blocks: int, blocks_ingested: int, services: tuple[str, ...]
) -> Observation:
    """The cognition Observation of the cycle that just ended, from real chain quantities.

    offered: the window's jobs I was eligible for (eligible_offers); won: jobs funded to me; the events
    share: events folded in / (folded in + lost), blocks: the blocks the indexer covered."""
    w = mem.window
    offers = eligible_offers(mem, snap)
    names = sorted(
        set(services) | set(offers) | set(w.won) | set(w.completed) | set(w.failed) | set(w.disputed)
    )
    acts = []
    for s in names:
        won = w.won.get(s, 0)
        acts.append(
            ServiceActivity(
                service=s,
                offered=max(offers.get(s, 0), won),
                won=won,
                completed=w.completed.get(s, 0),
                failed=w.failed.get(s, 0),
                disputed=w.disputed.get(s, 0),
            )
        )
    interactions = []
    for it in w.interactions[-20:]:
        try:
            interactions.append(CounterpartyOutcome(**it))
        except ValueError:
            continue
    active = sum(1 for p in mem.proposals.values() if p.state == ProposalState.ACTIVE)
    return Observation(
        cycle=mem.cycle,
        balances=Balances(
            eth=snap.eth / WEI,
            token=snap.token / WEI,
            stake=snap.bonded / WEI,
            escrow_locked=sum(j.held for j in mem.jobs.values() if j.client == mem.me) / WEI,
        ),
        gas_spent_eth=snap.gas_spent_wei / WEI,
        tokens_spent=w.spent / WEI,
        tokens_earned=w.earned / WEI,
        services=tuple(acts),
        interactions=tuple(interactions),
        prices=mem.market_prices(),
        job_arrival_rate=float(sum(w.requested.values())),
        gas_price_gwei=snap.base_fee / 1e9,
        governance=Governance(proposals_active=active, votes_cast=w.votes_cast),
        blocks_ingested=min(blocks_ingested, cycle_blocks),
        blocks_expected=cycle_blocks,
        events_ingested=w.events,
        events_expected=w.events + w.lost,
    )


def close_window(mem: MarketMemory) -> None:
    mem.window = Window()
