"""The policy: cognition's decisions + persona + market memory -> a list of typed Actions. Pure.

No chain, no I/O, no clock: everything comes in as data (`PolicyInput`) and the same input always
gives the same actions (randomness comes from `rng_for`, seeded by the agent, the purpose and the job
or cycle, so a restarted agent re-derives the same choices).

Two kinds of action (docs/agents.md):
- obligations, which follow from commitments the agent already has and are taken whatever cognition
  says: set-up (approve, register, keep the minimum provider stake), deliver a funded job, evaluate a
  submission, give feedback on a completed job, dispute a rejection of its own work, rule on a dispute
  as a guardian, settle timers (claimRefund / claimPayment), fund a job it already created, queue and
  execute passed proposals;
- the L4.8 baseline (reprice, hire), taken whatever L4.9's status: prices follow the market, hiring
  follows the agent's own trust (its Beta trust from its own outcomes and the public failures) and
  avoids a provider that failed it repeatedly;
- L4.9's adjustments (agents/runtime/levers.py): goals, trust, strategy classes and COOPERATE /
  VERIFY / AVOID change prices, the services offered, hiring and disputes, scaled by
  `Guidance.authority` (1 ACTIVE, 0.5 PARTIAL, 0 when L4.9 is warming up, inactive, advisory or frozen),
  which `update_guidance` sets from the latest cycle report. Protective outputs (operating mode,
  stability share, the survival floor) act at any authority. Governance: voting and the persona's own
  propensity to propose are L4.8 (any authority); L4.9 adds `act_prob` x authority to the latter.
  Vetoed decisions never reach `update_guidance` (`StepResult.actionable`).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from agents.chain.protocol import BAD_OUTCOMES, JobStatus, ProposalState, VoteSupport
from agents.chain.units import BPS, bps, mul_bps
from agents.market.personas import Persona, deliver, evaluate, guardian_ruling, should_dispute, should_vote
from agents.market.pricing import MarketSignals, Offer, choose_offer, clamp_price, initial_ask, next_ask
from agents.market.services import (
    CompositeService,
    TaskSpec,
    TaskSpecError,
    components,
    corrupt,
    cost_units,
    get_service,
    has_service,
    is_composite,
    service_names,
    ttl_factor,
    verify,
)
from agents.runtime import levers
from agents.runtime.actions import (
    AcceptJob,
    Action,
    ActivateVoting,
    Approve,
    ClaimPayment,
    ClaimRefund,
    Complete,
    CreateJob,
    Dispute,
    Execute,
    Fund,
    GiveFeedback,
    Propose,
    Queue,
    Register,
    Reject,
    Rule,
    SetAsks,
    SetBudget,
    Stake,
    Submit,
    Vote,
)
from agents.runtime.observe import Job, MarketMemory, Snapshot

MAX_UINT = 2**256 - 1
WEI = 10**18
ACTIVE_STATUSES = ("ACTIVE", "PARTIAL")
# Before rho(J) is estimable L4.9 makes no adjustments (the L4.8 baseline trades on its own).
WARMUP_AUTHORITY = 0.0
# L4.8's own defence: a provider whose own-trust (Beta over my outcomes + public failures) fell below
# this after at least L48_AVOID_MIN_BAD failures is not hired (CHOICE: two failures, trust < 1/3)
L48_AVOID_TRUST = 1 / 3
L48_AVOID_MIN_BAD = 2
EXPLORE_SHARE = 0.25  # of hires given to a random affordable provider (times the exploration factor)
PRESSURE = {"abundant": 0.0, "adequate": 0.0, "constrained": 0.3, "warning": 0.6, "critical": 1.0}


def rng_for(seed: int, me: str, *parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in (seed, me.lower(), *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


@dataclass(frozen=True)
class PolicyConfig:
    services: tuple[str, ...]  # what this agent sells
    seed: int = 0
    difficulty: float = 0.3  # of each service's parameter range, for the specs it asks for
    unit_price_wei: int = 5 * 10**16  # cost basis: token wei per work unit
    job_ttl: int = 240  # seconds from creation to expiredAt
    max_open_jobs: int = 2  # concurrent jobs as a client
    max_budget_share: float = 0.10  # of the token balance, per job
    reprice_threshold: float = 0.02
    stake_headroom: float = 3.0  # keep at least this x minProviderStake bonded (setup)
    collateral_jobs: int = 4  # ... and enough to back this many concurrent jobs at the highest own ask
    uri: str = "emergent:agent"
    governance: bool = True
    # Acceptance of jobs naming this agent (ServiceEscrow.acceptJob): the least time before expiredAt it
    # needs to deliver (on top of the escrow's minWorkingWindow), and the longest job it lets lock stake.
    accept_min_time: int = 30
    accept_max_ttl: int = 86_400
    # Scenario demand surges: (service, factor, from cycle, until cycle): clients hire that service
    # `factor` times as often in [from, until) (see demand_weights).
    demand: tuple[tuple[str, float, int, int], ...] = ()
    # Services this provider may switch to when they pay better than its own (see supply_actions);
    # empty: it sells `services` for good.
    catalogue: tuple[str, ...] = ()
    cycle_blocks: int = 5  # blocks per cycle (the demand window is counted in cycles of this length)
    # The wallets of this agent's ring (a `ring_only` persona, e.g. sybil: one owner's fresh wallets):
    # the only providers it hires. Set by the simulation for every ring agent of a run.
    ring: tuple[str, ...] = ()


@dataclass
class Guidance:
    """What the latest non-vetoed cognition decisions mean for behaviour (persisted with the memory)."""

    status: str = "WARMING_UP"
    authority: float = WARMUP_AUTHORITY
    survival: str = "abundant"
    exploration: float = 1.0
    avoid: list[str] = field(default_factory=list)
    prefer: list[str] = field(default_factory=list)
    focus: dict[str, float] = field(default_factory=dict)  # service -> priority (PursueGoal on won:<svc>)
    values: list[float] = field(default_factory=list)
    goals: dict[str, str] = field(default_factory=dict)  # goal id -> metric
    origins: dict[str, str] = field(default_factory=dict)  # goal id -> origin (levers.py)
    peers: dict[str, dict[str, Any]] = field(default_factory=dict)  # provider -> {action, strategy, trust}
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)  # client -> {action, strategy, trust}
    stability_share: float = 0.0  # operating mode: share of the token balance held in reserve

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Guidance:
        return cls(**d) if d else cls()


def update_guidance(
    g: Guidance,
    status: str,
    authority: float,
    decisions: Iterable[Any],
    values: Iterable[float] = (),
    open_goals: Iterable[int] | None = None,
) -> Guidance:
    """Fold one cycle's actionable decisions into the guidance. Pure (returns a new Guidance).
    open_goals: ids of the goals still open in the cognition state; a closed goal's focus ends."""
    new = Guidance.from_dict(g.to_dict())
    new.status = status
    if status in ACTIVE_STATUSES:
        new.authority = max(0.0, min(1.0, authority))
    elif status == "WARMING_UP":
        new.authority = WARMUP_AUTHORITY
    else:  # FROZEN, FROZEN_SURVIVAL, ADVISORY, INACTIVE: obligations only
        new.authority = 0.0
    if values:
        new.values = [float(v) for v in values]
    for d in decisions:
        if getattr(d, "vetoed", False) or not getattr(d, "actionable", True):
            continue  # defensive: callers pass StepResult.actionable
        kind = getattr(d, "kind", "")
        if kind == "operating_mode":
            new.survival = d.survival_state
            new.exploration = float(d.exploration_factor)
            new.stability_share = float(getattr(d, "stability_share", 0.0))
        elif kind == "interaction" and getattr(d, "role", "provider") != "provider":
            book = new.clients if d.role == "client" else {}
            book[d.counterparty.lower()] = {
                "action": d.action,
                "strategy": d.strategy,
                "trust": float(getattr(d, "trust", 0.5)),
            }
        elif kind == "interaction":
            cp = d.counterparty.lower()
            avoid = {a.lower() for a in new.avoid}
            prefer = {a.lower() for a in new.prefer}
            avoid.discard(cp)
            prefer.discard(cp)
            if d.action == "AVOID":
                avoid.add(cp)
            elif d.action == "COOPERATE":
                prefer.add(cp)
            new.avoid, new.prefer = sorted(avoid), sorted(prefer)
            new.peers[cp] = {
                "action": d.action,
                "strategy": getattr(d, "strategy", "unknown"),
                "trust": float(getattr(d, "trust", 0.5)),
            }
        elif kind == "pursue_goal":
            new.goals[str(d.goal_id)] = d.metric
            new.origins[str(d.goal_id)] = getattr(d, "origin", "")
            if d.service:
                new.focus[d.service] = max(new.focus.get(d.service, 0.0), float(d.priority))
        elif kind == "drop_goal":
            _close_goal(new, str(d.goal_id))
        elif kind == "apply_mutation":
            new.values = [float(w) for w in d.weights]
    if open_goals is not None:  # a focus ends with its goal (completed, failed or dropped)
        still = {str(i) for i in open_goals}
        for gid in [k for k in new.goals if k not in still]:
            _close_goal(new, gid)
    return new


def _close_goal(g: Guidance, gid: str) -> None:
    g.goals.pop(gid, None)
    g.origins.pop(gid, None)
    keep = {m.split(":", 1)[1] for m in g.goals.values() if ":" in m}
    g.focus = {s: p for s, p in g.focus.items() if s in keep}


@dataclass(frozen=True)
class PolicyInput:
    persona: Persona
    config: PolicyConfig
    memory: MarketMemory
    snapshot: Snapshot
    guidance: Guidance
    cycle: int
    busy: frozenset[str] = frozenset()  # journal keys in flight (or done, not yet seen in events)
    payloads: dict[int, bytes | None] = field(default_factory=dict)  # job id -> deliverable bytes
    governance: Any = None  # GovernanceView (see governance_actions) or None


def service_cost(service: str, config: PolicyConfig) -> int:
    """Token wei an honest provider's work on a typical spec costs (the price floor's basis)."""
    spec = get_service(service).random_spec(random.Random(0), config.difficulty)
    return cost_units(spec) * config.unit_price_wei


def initial_asks(persona: Persona, config: PolicyConfig) -> tuple[tuple[str, int], ...]:
    return tuple(
        (s, initial_ask(service_cost(s, config), persona.pricing, persona.behaviour.markup))
        for s in config.services
    )


@lru_cache(maxsize=8192)
def _spec(text: str | None) -> TaskSpec | None:
    """The parsed task spec of a job description (cached: TaskSpec is frozen and descriptions never
    change)."""
    if not text:
        return None
    try:
        return TaskSpec.decode(text)
    except TaskSpecError:
        return None


def decide(inp: PolicyInput) -> list[Action]:
    """All actions for this cycle: set-up and obligations first, then discretionary ones."""
    actions: list[Action] = []
    actions += setup_actions(inp)
    actions += obligation_actions(inp)
    if inp.memory.agent_id:  # the L4.8 baseline trades whatever L4.9's status (levers scale L4.9's part)
        actions += pricing_actions(inp)
        actions += hiring_actions(inp)
        actions += griefing_actions(inp)
    if inp.governance is not None:
        actions += governance_actions(inp)
    return [a for a in actions if a.key not in inp.busy]


# ------------------------------------------------------------------ set-up
def setup_actions(inp: PolicyInput) -> list[Action]:
    mem, snap, cfg, persona = inp.memory, inp.snapshot, inp.config, inp.persona
    out: list[Action] = []
    if snap.allowance_escrow < MAX_UINT // 2:
        out.append(Approve("ServiceEscrow", MAX_UINT))
    if snap.allowance_staking < MAX_UINT // 2:
        out.append(Approve("Staking", MAX_UINT))
    if not mem.agent_id:
        out.append(Register(cfg.uri, initial_asks(persona, cfg)))
    min_stake = mem.params.get("minProviderStake", 100 * WEI)
    # Enough free stake to back `collateral_jobs` concurrent jobs at the highest own ask: when governance
    # raises the collateral ratio, providers observe it and stake more.
    asks = mem.my_asks() or dict(initial_asks(persona, cfg))
    collateral = (
        cfg.collateral_jobs
        * max(asks.values(), default=0)
        * mem.params.get("collateralRatioBps", 0)
        // 10_000
    )
    floor = max(mul_bps(min_stake, bps(cfg.stake_headroom)), collateral)
    if snap.bonded < floor:
        target = max(floor, mul_bps(snap.token + snap.bonded, bps(persona.behaviour.stake_fraction)))
        amount = min(target - snap.bonded, snap.token // 2)
        if amount > 0:
            out.append(Stake(amount))
    return out


# ------------------------------------------------------------------ obligations
def obligation_actions(inp: PolicyInput) -> list[Action]:
    mem, snap, persona, cfg = inp.memory, inp.snapshot, inp.persona, inp.config
    me, now = mem.me, snap.timestamp
    out: list[Action] = []
    bond = mem.params.get("disputeBond", 0)
    parents = subcontract_parents(mem)
    for job in sorted(mem.jobs.values(), key=lambda j: j.id):
        spec = _spec(job.spec)
        if job.provider == me:
            if job.status == JobStatus.OPEN:
                out += _accept_actions(inp, job)
            elif (
                job.status == JobStatus.FUNDED
                and spec is not None
                and now < job.expired_at
                and is_composite(spec.service)
            ):
                out += subcontract_actions(inp, job, spec)  # a value chain: hire the parts, then assemble
            elif job.status == JobStatus.FUNDED and spec is not None and now < job.expired_at:
                d = deliver(persona, spec, rng_for(cfg.seed, me, "deliver", job.id))
                if d.payload is not None:
                    out.append(Submit(job.id, d.payload, d.honest))
            elif job.status == JobStatus.SUBMITTED and job.deadline and now >= job.deadline:
                out.append(ClaimPayment(job.id))
            elif job.status == JobStatus.REJECTED and job.held > 0 and job.deadline and now < job.deadline:
                payload = inp.payloads.get(job.id)
                own_valid = spec is not None and payload is not None and verify(spec, payload)
                if snap.token >= bond and (
                    should_dispute(persona, own_valid, rng_for(cfg.seed, me, "dispute", job.id))
                    or levers.dispute_anyway(inp.guidance, job.client, own_valid)
                ):
                    out.append(Dispute(job.id))
        if (
            job.evaluator == me
            and job.status == JobStatus.SUBMITTED
            and spec is not None
            and (not job.deadline or now < job.deadline)
        ):
            payload = inp.payloads.get(job.id)
            ok = evaluate(persona, spec, payload, rng_for(cfg.seed, me, "evaluate", job.id))
            out.append(Complete(job.id) if ok else Reject(job.id))
        if job.client == me:
            if job.status == JobStatus.OPEN and now >= job.expired_at:
                out.append(ClaimRefund(job.id, "expired"))  # never accepted in time: frees the hiring slot
            elif job.status == JobStatus.OPEN and job.provider and not persona.behaviour.grief_jobs:
                funding = _fund_actions(inp, job)  # (a griefer's own jobs: griefing_actions)
                parent = parents.get(job.spec or "")
                if parent is not None:  # a subcontract is paid out of its composite job's budget
                    funding = [
                        a
                        for a in funding
                        if not isinstance(a, Fund) or a.amount <= subcontract_budget_left(mem, parent)
                    ]
                out += funding
            elif job.status == JobStatus.FUNDED and now >= job.expired_at:
                out.append(ClaimRefund(job.id, "expired"))
            elif job.status == JobStatus.REJECTED and job.held > 0 and job.deadline and now >= job.deadline:
                out.append(ClaimRefund(job.id, "window"))
            elif job.status == JobStatus.DISPUTED and job.deadline and now >= job.deadline:
                out.append(ClaimRefund(job.id, "ruling"))
            elif (
                job.status == JobStatus.COMPLETED
                and job.was_submitted
                and not job.rated
                and job.provider != me
            ):
                payload = inp.payloads.get(job.id)
                good = spec is not None and payload is not None and verify(spec, payload)
                out.append(GiveFeedback(job.id, 100 if good else 10))
        if (
            job.status == JobStatus.DISPUTED
            and me in mem.guardians
            and not job.party(me)
            and me not in job.ruled
            and job.deadline
            and now < job.deadline
            and spec is not None
            and job.id in inp.payloads
        ):
            out.append(Rule(job.id, guardian_ruling(spec, inp.payloads[job.id])))
    return out


# Cycles a client leaves a new job unpriced, so that the provider names its price (and accepts) in one
# transaction: create -> provider's setBudget -> fund instead of create -> setBudget -> accept -> fund.
FUND_PROVIDER_FIRST_CYCLES = 2
FUND_OVER_ASK = 0.25  # a provider's budget may exceed its listed ask by this share and still be funded


def _fund_actions(inp: PolicyInput, job: Any) -> list[Action]:
    """Client side of the acceptance flow: price the job at the provider's ask, then fund it only once the
    provider has accepted that budget (JobAccepted) and the escrow's working window still fits."""
    mem, snap = inp.memory, inp.snapshot
    now = snap.timestamp
    if now >= job.expired_at or not job.service:
        return []
    ask = mem.ask_of(job.provider, job.service) or job.budget
    if job.budget == 0 and snap.block < job.created_block + FUND_PROVIDER_FIRST_CYCLES * max(
        1, inp.config.cycle_blocks
    ):
        return []  # the provider prices first: its own setBudget is its acceptance (one step saved)
    # A budget the provider set (and so accepted) is funded when it is no dearer than its listed ask by
    # more than FUND_OVER_ASK (asks move up to a tenth a cycle while the job is priced); a dearer one is
    # countered with the listed ask.
    fair = mul_bps(ask, BPS + bps(FUND_OVER_ASK))
    accepted = bool(job.budget) and job.accepted == job.budget and job.budget <= fair
    amount = job.budget if accepted else ask
    if not amount or amount > snap.token:
        return []
    collateral = amount * mem.params.get("collateralRatioBps", 0) // 10_000
    if mem.bonded.get(job.provider, 0) < max(mem.params.get("minProviderStake", 0), collateral):
        return []
    if accepted:
        if job.expired_at < now + mem.params.get("minWorkingWindow", 0):
            return []  # too late for the provider to work: let it expire (then ClaimRefund frees the slot)
        return [Fund(job.id, amount)]
    if job.budget == 0 or job.budget < ask or job.budget > fair:
        return [SetBudget(job.id, ask)]  # then wait for the provider's acceptance
    return []


def _accept_actions(inp: PolicyInput, job: Any) -> list[Action]:
    """Provider side of the acceptance flow: accept a job naming me when its budget meets my current ask
    for the service (within the reprice threshold) and its expiry leaves time to work without locking
    stake for long (`accept_min_time` beyond the escrow's minWorkingWindow, at most `accept_max_ttl`
    and the escrow's maxJobDuration away). Anything else is left alone: it expires unfunded, costing
    nothing."""
    mem, snap, cfg = inp.memory, inp.snapshot, inp.config
    if (job.budget and job.accepted == job.budget) or not job.service or job.client == mem.me:
        return []
    ask = mem.my_asks().get(job.service)
    if ask is None or (job.budget and job.budget < mul_bps(ask, BPS - bps(cfg.reprice_threshold))):
        return []
    left = job.expired_at - snap.timestamp
    if left < mem.params.get("minWorkingWindow", 0) + cfg.accept_min_time:
        return []
    if left > min(cfg.accept_max_ttl, mem.params.get("maxJobDuration", cfg.accept_max_ttl)):
        return []
    if is_composite(job.service) and left < composite_min_time(inp):
        return []  # not enough time to subcontract the parts and assemble before my own deadline
    if not job.budget:  # unpriced: name my ask; a provider's own setBudget is its acceptance (ERC-8183)
        return [SetBudget(job.id, ask)]
    return [AcceptJob(job.id, job.budget)]


# ------------------------------------------------------------------ obligations: value chains
# A composite job's provider (services.CompositeService) hires one sub-job per part through the escrow,
# as their client and evaluator, and pays them out of the composite job's budget (less the fee): the
# sub-jobs' budgets together never exceed it. A part whose sub-job failed (rejected: e.g. a cheat caught
# by verifying it; expired; or completed with a payload that does not verify) is hired again from
# another provider while there is time; each sub-job expires ASSEMBLY_MARGIN seconds before the
# composite does, so the provider can still assemble and submit. Past that, no new sub-job: the
# composite's own deadline holds (it expires, the client is refunded, the provider takes the expiry
# penalty).
ASSEMBLY_MARGIN = 60  # seconds a sub-job ends before its composite job (two cycles to assemble + submit)
SUBCONTRACT_SLACK = 30  # seconds a sub-job needs beyond the sub-provider's own acceptance minimum
_LIVE = (JobStatus.OPEN, JobStatus.FUNDED, JobStatus.SUBMITTED)


def subcontract_parents(mem: MarketMemory) -> dict[str, Any]:
    """Encoded part spec -> my funded composite job it belongs to (the parts I am hiring for)."""
    out: dict[str, Any] = {}
    for job in mem.jobs.values():
        if job.provider == mem.me and job.status == JobStatus.FUNDED:
            spec = _spec(job.spec)
            if spec is not None and is_composite(spec.service):
                for part in components(spec).values():
                    out[part.encode()] = job
    return out


def subcontract_ids(mem: MarketMemory) -> set[int]:
    """My completed sub-jobs whose payloads I need to assemble a composite (agent._payloads fetches them)."""
    parents = subcontract_parents(mem)
    return {
        j.id
        for j in mem.jobs.values()
        if j.client == mem.me and j.status == JobStatus.COMPLETED and (j.spec or "") in parents
    }


def _sub_jobs(mem: MarketMemory, part: str) -> list[Job]:
    return sorted((j for j in mem.jobs.values() if j.client == mem.me and j.spec == part), key=lambda j: j.id)


def subcontract_budget_left(mem: MarketMemory, parent: Job) -> int:
    """What the composite job still pays for parts: its budget less the escrow fee, less the budgets of
    its sub-jobs that are funded or paid (an unfunded or refunded sub-job costs nothing)."""
    net = parent.budget * (10_000 - mem.params.get("feeBps", 0)) // 10_000
    spent = 0
    spec = _spec(parent.spec)
    assert spec is not None  # a parent is a funded job with a composite spec (subcontract_parents)
    for part in components(spec).values():
        spent += sum(
            j.budget
            for j in _sub_jobs(mem, part.encode())
            if j.status in (JobStatus.FUNDED, JobStatus.SUBMITTED, JobStatus.COMPLETED)
        )
    return net - spent


def composite_min_time(inp: PolicyInput) -> int:
    """The least time to expiry a composite job needs when accepted: a sub-job's acceptance window,
    twice (one rehire after a failed part), plus the assembly margin."""
    sub = inp.memory.params.get("minWorkingWindow", 0) + inp.config.accept_min_time + SUBCONTRACT_SLACK
    return 2 * sub + ASSEMBLY_MARGIN


def _part_offers(inp: PolicyInput, service: str, exclude: set[str]) -> list[Offer]:
    mem, g = inp.memory, inp.guidance
    min_stake = mem.params.get("minProviderStake", 0)
    ratio = mem.params.get("collateralRatioBps", 0)
    avoid = levers.avoided(g) | l48_avoided(mem) | exclude
    out = []
    for addr, p in mem.providers.items():
        ask = p.get("asks", {}).get(service)
        if addr == mem.me or not ask or addr.lower() in avoid:
            continue
        if mem.bonded.get(addr, 0) < max(min_stake, ask * ratio // 10_000):
            continue
        out.append(Offer(addr, ask, levers.hire_score(perceived_reputation(mem, addr), addr, g)))
    return out


def subcontract_actions(inp: PolicyInput, job: Any, spec: TaskSpec) -> list[Action]:
    """The provider's side of a funded composite job: hire the parts that have no live or good sub-job,
    then, once every part has a completed sub-job whose payload verifies, deliver the assembly."""
    mem, snap, cfg, persona = inp.memory, inp.snapshot, inp.config, inp.persona
    me, now = mem.me, snap.timestamp
    svc = get_service(spec.service)
    assert isinstance(svc, CompositeService)
    parts = components(spec)
    done: dict[str, tuple[int, bytes]] = {}
    todo: list[tuple[str, TaskSpec, list[Any]]] = []
    for role, part in sorted(parts.items()):
        subs = _sub_jobs(mem, part.encode())
        good = None
        for j in subs:
            payload = inp.payloads.get(j.id)
            if j.status == JobStatus.COMPLETED and payload is not None and verify(part, payload):
                good = (j.id, payload)
        if good is not None:
            done[role] = good
        elif not any(
            j.status in _LIVE or (j.status == JobStatus.COMPLETED and j.id not in inp.payloads) for j in subs
        ):
            todo.append((role, part, subs))  # never hired, or every sub-job so far failed
    if len(done) == len(parts):
        rng = rng_for(cfg.seed, me, "deliver", job.id)  # the persona's own delivery odds (Persona.deliver)
        if rng.random() < persona.behaviour.no_show_prob:
            return []
        payload = svc.assemble(spec, done)
        if rng.random() < persona.behaviour.cheat_prob:
            return [Submit(job.id, corrupt(spec, payload), False)]
        return [Submit(job.id, payload, True)]
    expiry = min(now + cfg.job_ttl, job.expired_at - ASSEMBLY_MARGIN)
    if expiry - now < mem.params.get("minWorkingWindow", 0) + cfg.accept_min_time + SUBCONTRACT_SLACK:
        return []  # too late to hire: my own deadline holds
    left = subcontract_budget_left(mem, job)
    cheapest = {
        role: min((o.ask for o in _part_offers(inp, part.service, set())), default=0)
        for role, part, _ in todo
    }
    out: list[Action] = []
    for role, part, subs in todo:
        failed = {j.provider.lower() for j in subs if j.provider}
        allowance = left - sum(c for r, c in cheapest.items() if r != role)
        choice = choose_offer(_part_offers(inp, part.service, failed), allowance)
        if choice is None:
            continue  # nobody (else) sells the part within the budget now: try again next cycle
        out.append(CreateJob(choice.provider, expiry, part.encode(), f"sub{job.id}.{role}.{len(subs)}"))
        left -= choice.ask
    return out


# ------------------------------------------------------------------ discretionary: prices
SUPPLY_LOOKBACK_BLOCKS = 50  # ten cycles of 5 blocks: the demand a provider judges a service by
SUPPLY_SWITCH_GAIN = 1.5  # another service must pay this many times the worst own one to switch
SUPPLY_EVERY = 5  # cycles between reconsidering what to sell (the L4.9 cadence)


DEMAND_LOOKBACK_CYCLES = (
    3  # the demand a price answers to: short enough to follow a surge within a cycle or two
)


def recent_requests(mem: MarketMemory, service: str, head_block: int, blocks: int) -> int:
    """Jobs created for `service` (market-wide) in the last `blocks` blocks."""
    since = head_block - blocks
    return sum(1 for block, svc, _, _ in mem.demand_log if svc == service and block > since)


def supply_phase(me: str) -> int:
    """The cycle (mod SUPPLY_EVERY) at which this agent reconsiders what it sells: spread over agents,
    so that they do not all chase the same service in the same block and see each other's moves."""
    return int(hashlib.sha256(me.lower().encode()).hexdigest(), 16) % SUPPLY_EVERY


def service_pay(mem: MarketMemory, service: str, cost: int, head_block: int) -> float:
    """What selling `service` paid a provider lately, per unit of its work: the return over cost,
    (price - cost) / cost, of the jobs created for it in the last SUPPLY_LOOKBACK_BLOCKS (price: the
    budget, or the provider's ask before funding), divided by the providers offering it (plus one: the
    newcomer that would join). Per unit of cost, because a provider's capacity is work: at the floor
    every service returns the same min_margin per job, so what differs is demand per seller and any
    premium over the floor."""
    since = head_block - SUPPLY_LOOKBACK_BLOCKS
    margin = 0.0
    for block, svc, provider, jid in mem.demand_log:
        if svc == service and since < block <= head_block:
            job = mem.jobs.get(jid)
            price = (job.budget if job is not None else 0) or (mem.ask_of(provider, service) or 0)
            margin += max(0, price - cost) / max(1, cost)
    sellers = sum(1 for p in mem.providers.values() if service in p.get("asks", {}))
    return margin / (sellers + 1)


def offered_services(inp: PolicyInput) -> tuple[str, ...]:
    """What this provider sells now: its on-chain services when it may switch (catalogue), else its own."""
    cfg = inp.config
    if not cfg.catalogue:
        return cfg.services
    return tuple(inp.memory.my_asks()) or cfg.services


def supply_choice(inp: PolicyInput) -> tuple[str, ...]:
    """Supply follows pay: every SUPPLY_EVERY cycles a provider with a catalogue compares what each
    service paid lately (`service_pay`) and replaces its worst-paying service with a better one from
    the catalogue when that pays SUPPLY_SWITCH_GAIN times as much, now and in the window of its previous
    decision. One switch per decision; agents decide at different cycles (`supply_phase`)."""
    mem, cfg = inp.memory, inp.config
    current = offered_services(inp)
    if not cfg.catalogue or inp.cycle % SUPPLY_EVERY != supply_phase(mem.me):
        return current
    head = inp.snapshot.block
    fee = mem.params.get("feeBps", 0)
    costs = {
        s: service_cost(s, cfg) * 10_000 // max(1, 10_000 - fee)
        for s in set(cfg.catalogue) | set(current)
        if has_service(s)
    }
    pay = {s: service_pay(mem, s, c, head) for s, c in costs.items()}
    # the same comparison at the previous decision (the window ending SUPPLY_EVERY cycles ago): a switch
    # needs the gain in both, so one lucky window (a few early jobs at opening asks) moves nobody
    earlier = head - SUPPLY_EVERY * max(1, cfg.cycle_blocks)
    before = {s: service_pay(mem, s, c, earlier) for s, c in costs.items()}
    mine = [s for s in current if s in pay]
    others = sorted((s for s in pay if s not in current), key=lambda s: (-pay[s], s))
    if not mine or not others:
        return current
    worst = min(mine, key=lambda s: (pay[s], s))
    best = others[0]
    if (
        pay[best] > 0
        and pay[best] >= SUPPLY_SWITCH_GAIN * pay[worst]
        and before[best] > 0
        and before[best] >= SUPPLY_SWITCH_GAIN * before[worst]
    ):
        return tuple(sorted((set(current) - {worst}) | {best}))
    return current


def pricing_actions(inp: PolicyInput) -> list[Action]:
    mem, cfg, persona, g = inp.memory, inp.config, inp.persona, inp.guidance
    asks = mem.my_asks()
    if not asks:
        return []
    w = mem.window
    services = supply_choice(inp)
    offered_by = {s: sum(1 for p in mem.providers.values() if s in p.get("asks", {})) for s in services}
    new: dict[str, int] = {}
    changed = set(services) != set(asks)
    fee = mem.params.get("feeBps", 0)
    services = tuple(services) + levers.extra_services(g, tuple(services), service_names())
    for s in services:
        cur = asks.get(s)
        # The escrow's fee comes out of the provider's pay: the cost basis is grossed up by it, so a fee
        # change decided by governance moves every provider's floor.
        cost = service_cost(s, cfg) * 10_000 // max(1, 10_000 - fee)
        if cur is None:
            new[s] = levers.adjust_ask(
                s, initial_ask(cost, persona.pricing, persona.behaviour.markup), cost, g
            )
            changed = True
            continue
        requested = w.requested.get(s, 0)
        win = None if requested == 0 else min(1.0, w.won.get(s, 0) / requested)
        # Demand against supply over the last DEMAND_LOOKBACK_CYCLES: jobs created for the service vs
        # one job per seller per cycle (a seller backs `collateral_jobs` concurrent jobs lasting about as
        # many cycles). One cycle alone mostly holds no request, which read as "no demand at all"
        # whenever a cycle happened to be quiet.
        lookback = DEMAND_LOOKBACK_CYCLES * max(1, cfg.cycle_blocks)
        signals = MarketSignals(
            requested=recent_requests(mem, s, inp.snapshot.block, lookback),
            offered=offered_by.get(s, 1) * DEMAND_LOOKBACK_CYCLES,
            competitor_asks=tuple(mem.competitor_asks(s)),
            win_rate=win,
            reputation=min(1.0, mem.reputation.get(mem.me, 0) / 10_000),
            resource_pressure=PRESSURE.get(g.survival, 0.0),
        )
        nxt = next_ask(cur, cost, signals, persona.pricing)
        adjusted = levers.adjust_ask(s, nxt, cost, g)  # L4.9's goal levers, the protective survival floor
        if adjusted != nxt:
            nxt = clamp_price(adjusted, cost, persona.pricing)
        new[s] = nxt
        if abs(nxt - cur) * BPS > bps(cfg.reprice_threshold) * cur:
            changed = True
    if not changed:
        return []
    return [SetAsks(mem.agent_id, tuple((s, new[s]) for s in services))]


# ------------------------------------------------------------------ discretionary: hiring
def perceived_reputation(mem: MarketMemory, provider: str) -> float:
    """Half the on-chain score (normalised), half the client's own Beta trust (prior 0.5)."""
    return 0.5 * min(1.0, mem.reputation.get(provider, 0) / 10_000) + 0.5 * mem.trust_of(provider)


def l48_avoided(mem: MarketMemory) -> set[str]:
    """L4.8's own defence: providers that failed me (or publicly) at least twice and whose own-trust
    fell below a third."""
    out = set()
    for addr, (_good, bad) in mem.trust.items():
        if bad + mem.public_bad.get(addr, 0) >= L48_AVOID_MIN_BAD and mem.trust_of(addr) < L48_AVOID_TRUST:
            out.add(addr.lower())
    return out


def demand_weights(cfg: PolicyConfig, services: list[str], cycle: int) -> list[float]:
    """Per service, how many times as often clients hire it this cycle (scenario demand surges; 1.0
    otherwise; overlapping surges of one service multiply)."""
    out = []
    for s in services:
        w = 1.0
        for name, factor, start, until in cfg.demand:
            if name == s and start <= cycle < until:
                w *= float(factor)
        out.append(w)
    return out


def hiring_actions(inp: PolicyInput) -> list[Action]:
    mem, snap, cfg, persona, g = inp.memory, inp.snapshot, inp.config, inp.persona, inp.guidance
    me = mem.me
    # Services this agent knows (others may sell plugin services it has not loaded: not hireable here).
    services = sorted(
        s for s in {s for p in mem.providers.values() for s in p.get("asks", {})} if has_service(s)
    )
    weights = demand_weights(cfg, services, inp.cycle)
    surge = max(weights, default=1.0)
    # A surge lets a client keep more jobs open (up to 3x), or the cap, not demand, would set the volume.
    limit = cfg.max_open_jobs * min(3, math.ceil(surge))
    open_jobs = [
        j
        for j in mem.jobs.values()
        if j.client == me and j.status in (JobStatus.OPEN, JobStatus.FUNDED, JobStatus.SUBMITTED)
    ]
    if len(open_jobs) >= limit:
        return []
    rng = rng_for(cfg.seed, me, "hire", inp.cycle)
    # With surge weights w_s the chance to hire grows by mean(w) and the service is drawn in proportion
    # to w: a surging service is hired w times as often, the others as often as before (until the
    # probability reaches 1). The L4.8 baseline hires at every L4.9 status; levers scale L4.9's part.
    boost = sum(weights) / len(weights) if weights else 1.0
    if rng.random() >= persona.behaviour.hire_rate * g.exploration * levers.spend_factor(g) * boost:
        return []
    if not services:
        return []
    service = rng.choice(services) if surge == 1.0 else rng.choices(services, weights)[0]
    avoid = levers.avoided(g) | l48_avoided(mem)
    ring = {a.lower() for a in cfg.ring} if persona.behaviour.ring_only else None
    min_stake = mem.params.get("minProviderStake", 0)
    ratio = mem.params.get("collateralRatioBps", 0)
    offers = []
    for addr, p in mem.providers.items():
        ask = p.get("asks", {}).get(service)
        if addr == me or not ask or addr.lower() in avoid:
            continue
        if ring is not None and addr.lower() not in ring:
            continue  # a ring wallet trades only with its own kind (wash trades)
        if mem.bonded.get(addr, 0) < max(min_stake, ask * ratio // 10_000):
            continue
        offers.append(Offer(addr, ask, levers.hire_score(perceived_reputation(mem, addr), addr, g)))
    budget = mul_bps(snap.token - levers.reserve(g, snap.token), bps(cfg.max_budget_share))
    choice = choose_offer(offers, budget)
    affordable = sorted((o for o in offers if o.ask <= budget), key=lambda o: o.provider.lower())
    if affordable and ring is None and rng.random() < EXPLORE_SHARE * g.exploration:
        # Exploration (scaled by cognition's exploration factor): try a provider regardless of its score,
        # so newcomers without reputation get a first job and a track record.
        choice = rng.choice(affordable)
    if choice is None:
        return []
    spec = get_service(service).random_spec(rng, cfg.difficulty)
    ttl = cfg.job_ttl * ttl_factor(service)  # a composite's provider needs time to hire its parts
    return [CreateJob(choice.provider, snap.timestamp + ttl, spec.encode(), f"c{inp.cycle}")]


# ------------------------------------------------------------------ discretionary: griefing
# The unconsented-provider attack (finding 1 of the incentive-safety issue), played by the griefer
# persona: a 1-wei job naming a reputable provider, expiring GRIEF_EXPIRY_SECONDS after the griefer's
# view of now (under the escrow's smallest allowed working window, 60 s, yet late enough for the
# creation to be mined behind the griefer's other transactions) or, every other one,
# GRIEF_LOCK_SECONDS away (to lock its stake for years); the griefer sets the budget and tries to fund
# at once, then claims the refund at expiry (obligation_actions).
GRIEF_BUDGET = 1
GRIEF_EXPIRY_SECONDS = 45
GRIEF_LOCK_SECONDS = 10 * 365 * 86_400


def griefing_actions(inp: PolicyInput) -> list[Action]:
    """The griefer's jobs this cycle: new ones naming the most reputable providers, and on its open
    ones the 1-wei budget and an immediate funding attempt (which the escrow refuses without the
    provider's acceptance; the executor's estimate catches the revert, so no transaction is sent)."""
    mem, snap, persona = inp.memory, inp.snapshot, inp.persona
    n = persona.behaviour.grief_jobs
    if not n:
        return []
    me, now = mem.me, snap.timestamp
    out: list[Action] = []
    for job in sorted(mem.jobs.values(), key=lambda j: j.id):
        if job.client != me or job.status != JobStatus.OPEN or now >= job.expired_at:
            continue
        if job.budget != GRIEF_BUDGET:
            out.append(SetBudget(job.id, GRIEF_BUDGET))
        else:
            out.append(Fund(job.id, GRIEF_BUDGET))
    victims = sorted(
        (a for a in mem.providers if a != me and mem.providers[a].get("asks")),
        key=lambda a: (-perceived_reputation(mem, a), a.lower()),
    )[:n]
    for i, victim in enumerate(victims):
        service = sorted(mem.providers[victim]["asks"])[0]
        if not has_service(service):
            continue
        spec = get_service(service).random_spec(rng_for(inp.config.seed, me, "grief", inp.cycle, i), 0.0)
        ttl = GRIEF_LOCK_SECONDS if (inp.cycle + i) % 2 else GRIEF_EXPIRY_SECONDS
        out.append(CreateJob(victim, now + ttl, spec.encode(), f"g{inp.cycle}.{i}"))
    return out


# ------------------------------------------------------------------ governance
@dataclass(frozen=True)
class ProposalView:
    id: int
    state: int  # OpenZeppelin ProposalState
    description: str
    parameter: str | None  # dotted name from agents.chain.governance, if the proposal is one we understand
    value: int | None
    current: int | None
    has_voted: bool
    eta: int = 0
    # my voting weight at the proposal's snapshot is non-zero (the reputation gate applies there, not now);
    # None: not read, GovernanceView.can_vote decides
    eligible: bool | None = None


@dataclass(frozen=True)
class GovernanceView:
    """What the agent knows about governance this cycle (built by the runtime from reads)."""

    can_propose: bool
    can_vote: bool
    proposals: tuple[ProposalView, ...]
    params: dict[str, int]  # dotted parameter name -> current value
    bounds: dict[str, tuple[int, int]]
    now: int
    my_fee_paid_share: float = 0.0
    can_activate: bool = False  # bonded, reputation at the voting gate, voting not yet active


# value-vector indices (seed 001 §1.7 order)
STAB, GROW, PURP, EFF, EXPL, SAFE, COOP = range(7)


@dataclass(frozen=True)
class GovernanceThresholds:
    """Every threshold of governance by agents, in one place (docs/agents.md, governance section).

    Fees (cooperative / efficiency-minded agents):
    - `fee_values` (0.30): cooperation + efficiency weight from which the escrow fee reads as a toll on
      trade rather than as treasury income. The default presets reach it for the undercutter, cheater,
      no-show and frivolous disputer (0.30-0.40), not for honest providers or guardians (0.20).
    - `fee_floor_bps` (25): below a quarter of a percent the fee is noise next to price moves of a few
      percent (the reprice threshold is 2 %); halving stops there.

    Collateral (safety-minded agents, `safety_value` 0.20: the guardian preset is 0.25, honest 0.15):
    - repeat offender: a provider other than the agent that failed (expired, rejected, lost a dispute)
      at least `repeat_failures` (2) funded jobs since the collateral ratio was last set, and at least
      `repeat_failure_share` (half) of all its funded jobs. One failure can be an accident; a second under
      the same rule, by a provider that fails as often as it delivers, is a provider the collateral at
      risk did not deter: slashing is too weak. A safety-minded agent sees this directly, whoever the
      offender's clients were, because every escrow event reaches every agent. The share keeps a busy
      honest provider's occasional expiry from counting; "since last set" keeps the same failures from
      justifying a second raise.
    - market-wide: at least `market_bad_share` (a tenth) of the `market_min_settled` (5) or more settled
      jobs seen failed. This tally is lifetime and says nothing about a rule changed since, so it counts
      only while the collateral ratio has not been changed by governance.
    - the proposal doubles the ratio, at most to `collateral_cap_bps` (100 % of the budget).

    Acting on a goal:
    - `act_prob` (0.5): per L4.9 cycle (every 5 cycles, where goals are generated), the probability
      times authority that an agent holding a goal about the rules proposes it (the persona's
      `propose_prob` when higher: that one is L4.8 and holds at any authority). A proposal needs
      about 9 cycles to pass and execute (1 + 30 blocks of voting, 60 s of timelock), so a goal
      should be acted on within one or two L4.9 cycles; below 1
      so that agents holding the same goal (the founders) seldom send the same proposal in the same
      block, where the second one reverts as a duplicate.

    Moving a passed proposal along (an obligation, whatever the authority):
    - its proposer queues it as soon as it has succeeded and executes it once its eta has passed; any
      other agent steps in only `handoff_blocks` (10, two cycles) after the vote ended, or
      `handoff_seconds` (60) after the eta, in case the proposer is gone. When everybody acted at once,
      all calls but the first reverted (seven reverted transactions per step in an 8-agent run).
    """

    fee_values: float = 0.30
    fee_floor_bps: int = 25
    safety_value: float = 0.20
    repeat_failures: int = 2
    repeat_failure_share: float = 0.5
    market_min_settled: int = 5
    market_bad_share: float = 0.10
    collateral_cap_bps: int = 10_000
    act_prob: float = 0.5
    handoff_blocks: int = 10
    handoff_seconds: int = 60


GOVERNANCE = GovernanceThresholds()
FEE_REASON = "fees too high for cooperative trade"
REPEAT_REASON = "slashing too weak: a provider keeps failing jobs under the current collateral"
MARKET_REASON = "slashing too weak for the failures seen"


def repeat_offenders(
    mem: MarketMemory, since_block: int = -1, rules: GovernanceThresholds = GOVERNANCE
) -> list[str]:
    """Providers (not me) with `repeat_failures` failures after `since_block` that fail at least
    `repeat_failure_share` of their funded jobs, from the public track records in the memory. Sorted."""
    out = []
    for provider, rec in mem.track.items():
        if provider == mem.me or rec.get("settled", 0) <= 0:
            continue
        recent = [b for b in rec.get("failed_at", ()) if b > since_block]
        share = rec["failed"] / rec["settled"]
        if len(recent) >= rules.repeat_failures and share >= rules.repeat_failure_share:
            out.append(provider)
    return sorted(out)


def _last_change_block(mem: MarketMemory, name: str) -> int | None:
    blocks = [int(c["block"]) for c in mem.param_changes if c.get("name") == name]
    return max(blocks) if blocks else None


def desired_changes(
    values: list[float], view: GovernanceView, mem: MarketMemory, rules: GovernanceThresholds = GOVERNANCE
) -> list[tuple[str, int, str]]:
    """Goals about the rules, from values and observations: [(parameter, new value, reason)].

    - cooperative/efficiency-minded agents find a fee above the floor too high and want it halved;
    - safety-minded agents find slashing too weak (and want the collateral ratio doubled) when they have
      seen a repeat offender under the current ratio, or, while the ratio is the deployed one, a market
      where a tenth of the settled jobs failed. See `GovernanceThresholds` for every threshold and why.
    """
    out: list[tuple[str, int, str]] = []
    if len(values) != 7:
        return out
    p = view.params
    fee = p.get("escrow.feeBps")
    if fee is not None and values[COOP] + values[EFF] >= rules.fee_values and fee > rules.fee_floor_bps:
        out.append(("escrow.feeBps", max(rules.fee_floor_bps, fee // 2), FEE_REASON))
    ratio = p.get("escrow.collateralRatioBps")
    if ratio is not None and 0 < ratio < rules.collateral_cap_bps and values[SAFE] >= rules.safety_value:
        new = min(ratio * 2, rules.collateral_cap_bps)
        changed = _last_change_block(mem, "collateralRatioBps")
        bad = sum(mem.outcomes.get(k, 0) for k in BAD_OUTCOMES)
        total = sum(mem.outcomes.values())
        if repeat_offenders(mem, -1 if changed is None else changed, rules):
            out.append(("escrow.collateralRatioBps", new, REPEAT_REASON))
        elif changed is None and total >= rules.market_min_settled and bad / total >= rules.market_bad_share:
            out.append(("escrow.collateralRatioBps", new, MARKET_REASON))
    return [(n, v, r) for n, v, r in out if _in_bounds(view, n, v) and v != p.get(n)]


def proposal_description(name: str, value: int, reason: str) -> str:
    """The description an agent proposes with: the same change for the same reason gives the same text,
    hence the same proposal id, so agents sharing a goal cannot create two proposals for it."""
    return f"{reason}: set {name} to {value}"


def _in_bounds(view: GovernanceView, name: str, value: int) -> bool:
    lo, hi = view.bounds.get(name, (0, 2**255))
    return lo <= value <= hi


def vote_support(values: list[float], prop: ProposalView, mem: MarketMemory) -> VoteSupport:
    """For, against or abstain: by value alignment with what the change does."""
    if prop.parameter is None or prop.value is None or prop.current is None or len(values) != 7:
        return VoteSupport.ABSTAIN
    up = prop.value > prop.current
    if prop.parameter == "escrow.feeBps":
        # lower fees serve cooperation/efficiency/growth; stability-minded agents keep the treasury
        pro_lower = values[COOP] + values[EFF] + values[GROW]
        return (
            VoteSupport.FOR if (not up) == (pro_lower >= values[STAB] + values[SAFE]) else VoteSupport.AGAINST
        )
    if prop.parameter in ("escrow.collateralRatioBps", "escrow.disputeBond", "reputation.disputePenaltyBps"):
        pro_strict = values[SAFE] + values[STAB] + values[PURP]
        return (
            VoteSupport.FOR
            if up == (pro_strict >= values[GROW] + values[EFF] + values[EXPL])
            else VoteSupport.AGAINST
        )
    return VoteSupport.ABSTAIN


def governance_actions(inp: PolicyInput) -> list[Action]:
    view: GovernanceView = inp.governance
    mem, cfg, persona, g = inp.memory, inp.config, inp.persona, inp.guidance
    out: list[Action] = []
    rules = GOVERNANCE
    if view.can_activate:  # obligation: stake that may vote should count (quorum base, issue 10 finding 4)
        out.append(ActivateVoting())
    for prop in view.proposals:  # obligations: move passed proposals along (the proposer first)
        known = mem.proposals.get(prop.id)
        mine = known is None or known.proposer.lower() == mem.me.lower()
        if prop.state == ProposalState.SUCCEEDED:
            ended = known.deadline if known is not None else 0
            if mine or inp.snapshot.block >= ended + rules.handoff_blocks:
                out.append(Queue(prop.id))
        elif (
            prop.state == ProposalState.QUEUED
            and prop.eta
            and view.now >= prop.eta + (0 if mine else rules.handoff_seconds)
        ):
            out.append(Execute(prop.id))
    if not cfg.governance:
        return out
    # Voting and proposing are the L4.8 baseline (issue 15: no degradation without L4.9 authority); the
    # mind's authority adds its own propensity to act on a goal (`act_prob` x authority), and its value
    # weights (g.values: the persona's own while L4.9 has no say) decide the support.
    values = g.values
    for prop in view.proposals:
        eligible = view.can_vote if prop.eligible is None else prop.eligible
        if (
            eligible
            and prop.state == ProposalState.ACTIVE
            and not prop.has_voted
            and should_vote(persona, rng_for(cfg.seed, mem.me, "vote", prop.id))
        ):
            support = vote_support(values, prop, mem)
            out.append(Vote(prop.id, support, "value alignment"))
    if view.can_propose and not any(not ProposalState(p.state).finished for p in view.proposals):
        rng = rng_for(cfg.seed, mem.me, "propose", inp.cycle)
        # A proposal identical to one already made (e.g. defeated) has the same id: the Governor refuses it.
        made = {p.description for p in mem.proposals.values()}
        wants = [(n, v, proposal_description(n, v, r)) for n, v, r in desired_changes(values, view, mem)]
        wants = [w for w in wants if w[2] not in made]
        act = min(1.0, max(persona.behaviour.propose_prob, GOVERNANCE.act_prob * g.authority))
        if wants and rng.random() < act:
            name, value, description = wants[0]
            out.append(Propose(name, value, description))
    return out
