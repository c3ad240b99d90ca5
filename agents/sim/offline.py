"""A fast offline market: the agents' own observation, policy and cognition code driven by a pure-Python
model of the escrow, the registry, staking and reputation (no chain, no processes, no I/O).

What is the same as on the chain: every agent folds the market's events into its `MarketMemory` with
`observe.apply_event`, builds its cognition `Observation` with `observe.build_observation`, runs
`cognition.step`, folds the actionable decisions into its `Guidance` with `policy.update_guidance` and
decides with `policy.decide`, exactly as `agents.runtime.agent.Agent._tick` does. What is modelled:
the contracts' state machine (ERC-8183 core and the collateral / silent-evaluator / dispute / liveness
extensions of docs/escrow.md), transfers, stake and slashing, a reputation score, gas at a fixed base
fee, and time (`cycle_blocks` blocks of `time_scale` seconds per cycle). Actions are mined in the block
after the cycle, so an agent sees the effects of its actions (and of everyone else's) at its next cycle,
as the runtime does. A transaction whose preconditions fail "reverts": it changes nothing, costs gas,
and is counted. Governance is not modelled (no Governor: the offline agents get no governance view).

Deterministic: the same personas, seed and cycle count give the same run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from agents.chain.indexer import ChainEvent
from agents.chain.protocol import JobStatus
from agents.cognition import AgentState
from agents.cognition.decisions import ApplyMutation
from agents.cognition.orchestrator import step_in_place
from agents.market.personas import Persona, assign_personas, get_persona
from agents.market.services import SERVICE_NAMES
from agents.runtime import actions as A
from agents.runtime import observe as O
from agents.runtime.policy import (
    MAX_UINT,
    Guidance,
    PolicyConfig,
    PolicyInput,
    decide,
    subcontract_ids,
    update_guidance,
)

WEI = 10**18
PARAMS = {  # params/ethereum-local.yaml
    "feeBps": 100,
    "collateralRatioBps": 2_000,
    "minProviderStake": 100 * WEI,
    "disputeBond": 50 * WEI,
    "reviewWindow": 60,
    "disputeWindow": 60,
    "rulingPeriod": 120,
    "guardianMinStake": 1_000 * WEI,
    "minWorkingWindow": 60,
    "maxJobDuration": 604_800,
}
# Reputation.vy with params/ethereum-local.yaml: feedback moves a score toward rating x 100 by
# weight = paid / (paid + REFERENCE_VALUE + paid before to this provider) x rater / 10 000, a rise stops at
# RATER_CAP_BPS of the rater's score; penalties multiply the score by (1 - bps / 10 000).
REFERENCE_VALUE = 1_000 * WEI
RATER_CAP_BPS = 9_000
EXPIRY_PENALTY_BPS = 1_000
DISPUTE_PENALTY_BPS = 2_500
SLASH_PENALTY_BPS = 1_500
GAS_PER_TX = 150_000
BASE_FEE = 10**9  # 1 gwei
# Task difficulty (share of each service's parameter range): the work is real (solve / verify run), so
# small instances keep thousands of cycles within seconds; prices follow the cost basis either way.
DIFFICULTY = 0.02
GUARDIAN_STAKE = 5_000 * WEI
GUARDIAN_REPUTATION = 6_000
ESCROW = "0x" + "e5" * 20
STAKING = "0x" + "57" * 20


def _goal_changes(open_before: list[int], result: Any) -> dict[str, list[str]]:
    was_open = set(open_before)
    return {
        "generated": [
            d.origin for d in result.decisions if d.kind == "pursue_goal" and d.validation != "merged"
        ],
        "pursued": [d.origin for d in result.actionable if d.kind == "pursue_goal"],
        "completed": [
            g.origin
            for g in result.state.substrate.goals.goals
            if g.id in was_open and g.status == "COMPLETED"
        ],
    }


def offline_address(i: int) -> str:
    from eth_utils.address import to_checksum_address

    return to_checksum_address("0x" + hashlib.sha256(f"emergent-offline:{i}".encode()).hexdigest()[:40])


@dataclass
class OJob:
    id: int
    client: str
    provider: str
    evaluator: str
    expired_at: int
    description: str
    status: int = JobStatus.OPEN
    budget: int = 0
    held: int = 0
    collateral: int = 0
    deadline: int = 0
    accepted: int = 0  # the budget the provider accepted (acceptJob, or its own setBudget)
    deliverable: str | None = None
    votes: dict[str, bool] = field(default_factory=dict)
    bond: int = 0
    rated: bool = False


@dataclass
class OfflineAgent:
    index: int
    address: str
    persona: Persona
    config: PolicyConfig
    memory: O.MarketMemory
    cognition: AgentState | None
    guidance: Guidance
    gas_cycle: int = 0
    allowances: set[str] = field(default_factory=set)
    history: list[dict[str, Any]] = field(default_factory=list)  # per-cycle figures (mind + market)
    status_cycles: dict[str, int] = field(default_factory=dict)
    audits: list[Any] = field(default_factory=list)


class _JobAction(Protocol):
    """An action on one escrow job (set_budget, fund, submit, ...)."""

    @property
    def job_id(self) -> int: ...


class OfflineMarket:
    def __init__(
        self,
        personas: list[str] | None = None,
        agents: int = 8,
        seed: int = 0,
        cognition: bool = True,
        start_phase: str = "CHECK",
        cycle_blocks: int = 5,
        time_scale: int = 6,
        start_balance: int = 20_000 * WEI,
        services_per_agent: int = 3,
        record: bool = True,
        ignore_mind: bool = False,
    ) -> None:
        """ignore_mind: L4.8 only, as `simulate --cognition off` (the mind runs for the record, none of
        its outputs reaches the policy)."""
        names = list(personas) if personas else assign_personas(agents, None, seed)
        self.seed, self.cognition_on, self.cycle_blocks, self.time_scale = (
            seed,
            cognition,
            cycle_blocks,
            time_scale,
        )
        self.record = record
        self.ignore_mind = ignore_mind
        self.block, self.ts = 1, 1_700_000_000
        self.cycle = 0
        self.token: dict[str, int] = {}
        self.eth: dict[str, int] = {}
        self.bonded: dict[str, int] = {}
        self.locked: dict[str, int] = {}
        self.rep: dict[str, int] = {}
        self.jobs: dict[int, OJob] = {}
        self.descriptions: dict[int, str] = {}
        self.payloads: dict[str, bytes] = {}
        self.next_job = 1
        self.next_agent_id = 1
        self.treasury = 0
        self.guardians: list[str] = []
        self.events: list[ChainEvent] = []
        self._log_index = 0
        self.reverts: dict[str, int] = {}
        self.paid_in_rated: dict[tuple[str, str], int] = {}
        self._bonded_seen: dict[str, int] = {}
        self.hires: list[tuple[int, str, str]] = []  # (cycle, client, provider)
        self.settled: list[tuple[int, str, str, str]] = []  # (cycle, client, provider, outcome)
        self.agents: list[OfflineAgent] = []
        for i, name in enumerate(names):
            persona = get_persona(name)
            addr = offline_address(i)
            services = tuple(SERVICE_NAMES[(i + j) % len(SERVICE_NAMES)] for j in range(services_per_agent))
            mem = O.MarketMemory(me=addr, start_block=1, cursor=(0, 2**31 - 1))
            cog = None
            if cognition:
                cog = AgentState.new(dict.fromkeys(services, 1.0), persona.values, start_phase=start_phase)
            self.token[addr] = start_balance
            self.eth[addr] = 100 * WEI
            self.bonded[addr] = 0
            self.rep[addr] = 0
            if persona.behaviour.is_guardian:  # the founders' seats, stake and reputation (the deploy's)
                self.bonded[addr] = GUARDIAN_STAKE
                self.rep[addr] = GUARDIAN_REPUTATION
                self.guardians.append(addr)
            self.agents.append(
                OfflineAgent(
                    i,
                    addr,
                    persona,
                    PolicyConfig(services=services, seed=seed, difficulty=DIFFICULTY),
                    mem,
                    cog,
                    Guidance(values=list(persona.values)),
                )
            )
        # genesis: parameters, guardian seats and founders' stake, as events every agent sees
        for name, value in PARAMS.items():
            self._emit("ServiceEscrow", "ParameterUpdated", name=name, previous=0, current=value)
        for g in self.guardians:
            self._emit("ServiceEscrow", "GuardianSet", account=g, enabled=True)
            self._votes(g)
            self._emit("Reputation", "ReputationChanged", account=g, previous=0, current=self.rep[g])
        self.by_address = {a.address: a for a in self.agents}

    # ------------------------------------------------------------------ events
    def _emit(self, _contract: str, _event: str, **args: Any) -> None:
        self._log_index += 1
        self.events.append(
            ChainEvent(
                self.block, f"0x{self.block:064x}", self._log_index, _contract, _event, MappingProxyType(args)
            )
        )

    def _transfer(self, sender: str, receiver: str, value: int) -> None:
        if value <= 0:
            return
        if sender in self.token:
            self.token[sender] -= value
        if receiver in self.token:
            self.token[receiver] += value
        self._emit("AgentToken", "Transfer", sender=sender, receiver=receiver, value=value)

    def _write_rep(self, who: str, cur: int) -> None:
        prev = self.rep.get(who, 0)
        self.rep[who] = cur
        self._emit("Reputation", "ReputationChanged", account=who, previous=prev, current=cur)

    def _penalise(self, who: str, bps: int) -> None:
        """Reputation.recordPenalty: the score falls by `bps` of itself."""
        prev = self.rep.get(who, 0)
        self._write_rep(who, prev * (10_000 - bps) // 10_000)

    def _votes(self, who: str) -> None:
        """Staking's BondedChanged (votes are not modelled: no governance offline)."""
        self._emit(
            "Staking",
            "BondedChanged",
            account=who,
            previous=self._bonded_seen.get(who, 0),
            current=self.bonded[who],
        )
        self._bonded_seen[who] = self.bonded[who]

    # ------------------------------------------------------------------ one cycle
    def run(self, cycles: int) -> OfflineMarket:
        for _ in range(cycles):
            self.step()
        return self

    def step(self) -> None:
        delivered, self.events = self.events, []
        self.block += self.cycle_blocks
        self.ts += self.cycle_blocks * self.time_scale
        self._log_index = 0
        order = list(self.agents)
        # a fixed rotation (not a shuffle): who acts first within a block changes every cycle
        k = self.cycle % len(order)
        order = order[k:] + order[:k]
        for ag in self.agents:
            for ev in delivered:
                O.apply_event(ag.memory, ev)
            ag.memory.advance_to_block(self.block - 1)
            self._enrich(ag)
        for ag in order:
            self._tick(ag)
        self.cycle += 1

    def _enrich(self, ag: OfflineAgent) -> None:
        """What Agent._read/_enrich read directly: descriptions, timers of one's jobs."""
        mem = ag.memory
        for job in mem.jobs.values():
            if job.spec is None and job.id in self.descriptions:
                O.set_spec(mem, job, self.descriptions[job.id])
            relevant = job.party(mem.me) or (mem.me in mem.guardians and job.status == JobStatus.DISPUTED)
            if job.refresh and relevant and job.outcome == "open" and job.id in self.jobs:
                oj = self.jobs[job.id]
                job.held, job.deadline, job.budget = oj.held, oj.deadline, oj.budget
                job.refresh = False

    def _payloads(self, ag: OfflineAgent) -> dict[int, bytes | None]:
        mem, me = ag.memory, ag.address
        out: dict[int, bytes | None] = {}
        subs = subcontract_ids(mem)
        for job in mem.jobs.values():
            if not job.deliverable:
                continue
            wanted = (
                (job.evaluator == me and job.status == JobStatus.SUBMITTED)
                or (job.provider == me and job.status == JobStatus.REJECTED and job.held > 0)
                or (job.client == me and job.status == JobStatus.COMPLETED and not job.rated)
                or (job.status == JobStatus.DISPUTED and me in mem.guardians)
                or job.id in subs
            )  # parts of a composite job I am assembling
            if wanted:
                out[job.id] = self.payloads.get(job.deliverable)
        return out

    def _snapshot(self, ag: OfflineAgent) -> O.Snapshot:
        a = ag.address
        gas, ag.gas_cycle = ag.gas_cycle, 0
        return O.Snapshot(
            block=self.block - 1,
            timestamp=self.ts,
            token=self.token[a],
            eth=self.eth[a],
            bonded=ag.memory.bonded.get(a, 0),
            free_stake=self.bonded[a] - self.locked.get(a, 0),
            reputation=ag.memory.reputation.get(a, 0),
            allowance_escrow=MAX_UINT if "ServiceEscrow" in ag.allowances else 0,
            allowance_staking=MAX_UINT if "Staking" in ag.allowances else 0,
            base_fee=BASE_FEE,
            gas_spent_wei=gas,
            votes=self.bonded[a],
        )

    def _tick(self, ag: OfflineAgent) -> None:
        mem = ag.memory
        snap = self._snapshot(ag)
        payloads = self._payloads(ag)
        rec: dict[str, Any] = {
            "cycle": mem.cycle,
            "balance": snap.token,
            "stake": snap.bonded,
            "reputation": snap.reputation,
        }
        if ag.cognition is not None:
            obs = O.build_observation(mem, snap, self.cycle_blocks, self.cycle_blocks, ag.config.services)
            open_before = [g.id for g in ag.cognition.substrate.goals.open_goals()] if self.record else []
            result = step_in_place(ag.cognition, obs)  # the offline market keeps only the result
            rep = result.report
            if self.ignore_mind:
                ag.guidance = update_guidance(ag.guidance, "OFF", 0.0, ())
            else:
                ag.guidance = update_guidance(
                    ag.guidance,
                    rep.status,
                    rep.authority,
                    result.actionable,
                    rep.value_weights,
                    [g.id for g in result.state.substrate.goals.open_goals()],
                )
            ag.cognition = result.state
            ag.status_cycles[rep.status] = ag.status_cycles.get(rep.status, 0) + 1
            if rep.audit is not None:
                ag.audits.append(rep.audit)
            if self.record:
                rec.update(
                    status=rep.status,
                    phase=rep.activation_phase,
                    survival=rep.survival_state,
                    drift=rep.total_drift,
                    ass=rep.ass,
                    v=rep.lyapunov_v,
                    rho=rep.rho,
                    bottleneck=rep.bottleneck,
                    horizon=rep.min_survival,
                    goals=_goal_changes(open_before, result),
                    vetoes=sum(1 for d in result.decisions if d.vetoed),
                    mutations=sum(
                        1
                        for d in result.actionable
                        if isinstance(d, ApplyMutation) and d.reason == "sandbox_approved"
                    ),
                )
        else:
            rec.update(status="L4.8", survival=ag.guidance.survival)
        actions = decide(
            PolicyInput(ag.persona, ag.config, mem, snap, ag.guidance, mem.cycle, frozenset(), payloads, None)
        )
        for a in actions:
            if isinstance(a, A.Submit) and a.job_id in mem.jobs:
                mem.jobs[a.job_id].submitted_by_me_honest = a.honest
            self._execute(ag, a)
        if self.record:
            ag.history.append(rec)
        O.close_window(mem)
        O.prune(mem, self.block)
        mem.cycle += 1

    # ------------------------------------------------------------------ the contracts
    def _revert(self, ag: OfflineAgent, kind: str) -> None:
        self.reverts[kind] = self.reverts.get(kind, 0) + 1

    def _execute(self, ag: OfflineAgent, a: Any) -> None:
        me = ag.address
        fee = GAS_PER_TX * BASE_FEE
        if self.eth[me] < fee:
            self._revert(ag, "out_of_gas")
            return
        self.eth[me] -= fee
        ag.gas_cycle += fee
        ok = getattr(self, "_do_" + a.kind, None)
        if ok is None or not ok(ag, a):
            self._revert(ag, a.kind)

    def _do_approve(self, ag: OfflineAgent, a: A.Approve) -> bool:
        ag.allowances.add(a.spender)
        return True

    def _do_register(self, ag: OfflineAgent, a: A.Register) -> bool:
        if ag.memory.agent_id or any(x.get("id") for x in [ag.memory.providers.get(ag.address, {})]):
            return False
        aid = self.next_agent_id
        self.next_agent_id += 1
        self._emit("AgentRegistry", "Registered", agentId=aid, agentWallet=ag.address)
        self._emit("AgentRegistry", "ServicesUpdated", agentId=aid, services=[(n, p) for n, p in a.services])
        return True

    def _do_set_asks(self, ag: OfflineAgent, a: A.SetAsks) -> bool:
        self._emit(
            "AgentRegistry", "ServicesUpdated", agentId=a.agent_id, services=[(n, p) for n, p in a.services]
        )
        return True

    def _do_stake(self, ag: OfflineAgent, a: A.Stake) -> bool:
        me = ag.address
        if "Staking" not in ag.allowances or a.amount <= 0 or self.token[me] < a.amount:
            return False
        self._transfer(me, STAKING, a.amount)
        self.bonded[me] += a.amount
        self._votes(me)
        return True

    def _do_create_job(self, ag: OfflineAgent, a: A.CreateJob) -> bool:
        jid = self.next_job
        self.next_job += 1
        self.jobs[jid] = OJob(jid, ag.address, a.provider, ag.address, a.expired_at, a.description)
        self.descriptions[jid] = a.description
        self._emit(
            "ServiceEscrow",
            "JobCreated",
            jobId=jid,
            client=ag.address,
            provider=a.provider,
            evaluator=ag.address,
            expiredAt=a.expired_at,
        )
        self.hires.append((self.cycle, ag.address, a.provider))
        return True

    def _job(self, a: _JobAction) -> OJob | None:
        return self.jobs.get(a.job_id)

    def _do_set_budget(self, ag: OfflineAgent, a: A.SetBudget) -> bool:
        j = self._job(a)
        if j is None or j.status != JobStatus.OPEN or ag.address not in (j.client, j.provider):
            return False
        j.budget = a.amount
        self._emit("ServiceEscrow", "BudgetSet", jobId=j.id, amount=a.amount)
        if ag.address == j.provider and a.amount > 0:
            j.accepted = a.amount
            self._emit("ServiceEscrow", "JobAccepted", jobId=j.id, provider=j.provider, budget=a.amount)
        return True

    def _do_accept_job(self, ag: OfflineAgent, a: A.AcceptJob) -> bool:
        j = self._job(a)
        if (
            j is None
            or j.status != JobStatus.OPEN
            or j.provider != ag.address
            or self.ts >= j.expired_at
            or a.amount <= 0
            or a.amount != j.budget
        ):
            return False
        j.accepted = a.amount
        self._emit("ServiceEscrow", "JobAccepted", jobId=j.id, provider=j.provider, budget=a.amount)
        return True

    def _do_fund(self, ag: OfflineAgent, a: A.Fund) -> bool:
        j = self._job(a)
        me = ag.address
        if (
            j is None
            or j.status != JobStatus.OPEN
            or j.client != me
            or j.budget != a.amount
            or a.amount <= 0
            or j.accepted != j.budget
            or self.ts >= j.expired_at
            or j.expired_at < self.ts + PARAMS["minWorkingWindow"]
            or j.expired_at > self.ts + PARAMS["maxJobDuration"]
            or self.token[me] < a.amount
            or "ServiceEscrow" not in ag.allowances
        ):
            return False
        coll = -(-a.amount * PARAMS["collateralRatioBps"] // 10_000)
        p = j.provider
        if (
            self.bonded.get(p, 0) < PARAMS["minProviderStake"]
            or self.bonded[p] - self.locked.get(p, 0) < coll
        ):
            return False
        self._transfer(me, ESCROW, a.amount)
        j.held, j.collateral, j.status = a.amount, coll, JobStatus.FUNDED
        self.locked[p] = self.locked.get(p, 0) + coll
        self._emit("ServiceEscrow", "JobFunded", jobId=j.id, amount=a.amount)
        return True

    def _release(self, j: OJob) -> None:
        self.locked[j.provider] = self.locked.get(j.provider, 0) - j.collateral
        j.collateral = 0

    def _pay_provider(self, j: OJob, upheld: bool = False) -> None:
        fee = j.held * PARAMS["feeBps"] // 10_000
        self._transfer(ESCROW, j.provider, j.held - fee)
        self.treasury += fee
        if j.bond:
            self._transfer(ESCROW, j.provider, j.bond)
            j.bond = 0
        self._release(j)
        j.held, j.status, j.deadline = 0, JobStatus.COMPLETED, 0
        self._emit("ServiceEscrow", "JobCompleted", jobId=j.id)
        self.settled.append(
            (self.cycle, j.client, j.provider, "disputed_provider_won" if upheld else "completed")
        )

    def _refund_client(self, j: OJob) -> None:
        self._transfer(ESCROW, j.client, j.held)
        self._emit("ServiceEscrow", "Refunded", jobId=j.id, amount=j.held)
        j.held = 0

    def _do_submit(self, ag: OfflineAgent, a: A.Submit) -> bool:
        j = self._job(a)
        if j is None or j.status != JobStatus.FUNDED or j.provider != ag.address or self.ts >= j.expired_at:
            return False
        digest = "0x" + hashlib.sha256(a.payload).hexdigest()
        self.payloads[digest] = a.payload
        j.deliverable, j.status, j.deadline = digest, JobStatus.SUBMITTED, self.ts + PARAMS["reviewWindow"]
        self._emit("ServiceEscrow", "JobSubmitted", jobId=j.id, deliverable=digest)
        return True

    def _do_complete(self, ag: OfflineAgent, a: A.Complete) -> bool:
        j = self._job(a)
        if j is None or j.status != JobStatus.SUBMITTED or j.evaluator != ag.address:
            return False
        self._pay_provider(j)
        return True

    def _do_reject(self, ag: OfflineAgent, a: A.Reject) -> bool:
        j = self._job(a)
        if j is None or j.evaluator != ag.address or j.status not in (JobStatus.FUNDED, JobStatus.SUBMITTED):
            return False
        if j.status == JobStatus.FUNDED:  # no submission: refunded at once, cannot be disputed
            j.status = JobStatus.REJECTED
            self._emit("ServiceEscrow", "JobRejected", jobId=j.id)
            self._refund_client(j)
            self._release(j)
            self.settled.append((self.cycle, j.client, j.provider, "rejected"))
            return True
        j.status, j.deadline = JobStatus.REJECTED, self.ts + PARAMS["disputeWindow"]
        self._emit("ServiceEscrow", "JobRejected", jobId=j.id)
        return True

    def _do_dispute(self, ag: OfflineAgent, a: A.Dispute) -> bool:
        j = self._job(a)
        me = ag.address
        bond = PARAMS["disputeBond"]
        if (
            j is None
            or j.status != JobStatus.REJECTED
            or j.provider != me
            or j.held <= 0
            or self.ts >= j.deadline
            or self.token[me] < bond
            or not self.guardians
        ):
            return False
        self._transfer(me, ESCROW, bond)
        j.bond, j.status, j.deadline = bond, JobStatus.DISPUTED, self.ts + PARAMS["rulingPeriod"]
        self._emit("ServiceEscrow", "DisputeOpened", jobId=j.id, rulingDeadline=j.deadline)
        return True

    def _do_rule(self, ag: OfflineAgent, a: A.Rule) -> bool:
        j = self._job(a)
        me = ag.address
        if (
            j is None
            or j.status != JobStatus.DISPUTED
            or me not in self.guardians
            or me in (j.client, j.provider)
            or me in j.votes
            or self.ts >= j.deadline
        ):
            return False
        j.votes[me] = a.for_provider
        self._emit("ServiceEscrow", "DisputeRuled", jobId=j.id, guardian=me, forProvider=a.for_provider)
        quorum = len(self.guardians) // 2 + 1
        yes = sum(1 for v in j.votes.values() if v)
        no = len(j.votes) - yes
        if yes >= quorum:
            self._emit("ServiceEscrow", "DisputeResolved", jobId=j.id, outcome=1)
            self._pay_provider(j, upheld=True)
        elif no >= quorum:
            self._emit("ServiceEscrow", "DisputeResolved", jobId=j.id, outcome=2)
            self._refund_client(j)
            p, slash = j.provider, min(j.collateral, self.bonded[j.provider])
            self._release(j)
            if slash:
                self.bonded[p] -= slash
                self._emit("Staking", "Slashed", account=p, amount=slash)
                self._votes(p)
                self._penalise(p, SLASH_PENALTY_BPS)
                self.token[j.client] += slash // 2
                self.treasury += slash - slash // 2
            self.treasury += j.bond
            j.bond = 0
            j.status, j.deadline = JobStatus.REJECTED, 0
            self._penalise(p, DISPUTE_PENALTY_BPS)
            self.settled.append((self.cycle, j.client, p, "disputed_client_won"))
        return True

    def _do_claim_refund(self, ag: OfflineAgent, a: A.ClaimRefund) -> bool:
        j = self._job(a)
        if j is None:
            return False
        if (
            j.status == JobStatus.OPEN and self.ts >= j.expired_at
        ):  # never funded: nothing held, nobody penalised
            j.status = JobStatus.EXPIRED
            self._emit("ServiceEscrow", "JobExpired", jobId=j.id)
            return True
        if j.status == JobStatus.FUNDED and self.ts >= j.expired_at:
            j.status = JobStatus.EXPIRED
            self._refund_client(j)
            self._release(j)
            self._penalise(j.provider, EXPIRY_PENALTY_BPS)
            self._emit("ServiceEscrow", "JobExpired", jobId=j.id)
            self.settled.append((self.cycle, j.client, j.provider, "expired"))
            return True
        if j.status == JobStatus.REJECTED and j.held > 0 and self.ts >= j.deadline:
            self._refund_client(j)
            self._release(j)
            j.deadline = 0
            self.settled.append((self.cycle, j.client, j.provider, "rejected"))
            return True
        if (
            j.status == JobStatus.DISPUTED and self.ts >= j.deadline
        ):  # default ruling: the rejection stands, no penalty
            self._emit("ServiceEscrow", "DisputeResolved", jobId=j.id, outcome=3)
            self._refund_client(j)
            self._release(j)
            if j.bond:
                self._transfer(ESCROW, j.provider, j.bond)
                j.bond = 0
            j.status, j.deadline = JobStatus.REJECTED, 0
            self.settled.append((self.cycle, j.client, j.provider, "rejected"))
            return True
        return False

    def _do_claim_payment(self, ag: OfflineAgent, a: A.ClaimPayment) -> bool:
        j = self._job(a)
        if j is None or j.status != JobStatus.SUBMITTED or self.ts < j.deadline:
            return False
        self._pay_provider(j)
        return True

    def _do_feedback(self, ag: OfflineAgent, a: A.GiveFeedback) -> bool:
        j = self._job(a)
        if (
            j is None
            or j.status != JobStatus.COMPLETED
            or j.client != ag.address
            or j.rated
            or not 0 <= a.rating <= 100
            or j.client == j.provider
        ):
            return False
        j.rated = True
        key = (j.client, j.provider)
        paid, before = j.budget, self.paid_in_rated.get(key, 0)
        self.paid_in_rated[key] = before + paid
        rater, previous = self.rep.get(j.client, 0), self.rep.get(j.provider, 0)
        target = a.rating * 100
        num, den = paid * rater, (paid + REFERENCE_VALUE + before) * 10_000
        current = previous
        if target >= previous:
            bound = min(target, rater * RATER_CAP_BPS // 10_000)
            if bound > previous:
                current = previous + (bound - previous) * num // den
        elif num > 0:
            current = previous - ((previous - target) * num + den - 1) // den
        self._emit(
            "Reputation",
            "FeedbackGiven",
            jobId=j.id,
            client=j.client,
            provider=j.provider,
            rating=a.rating,
            value=paid,
        )
        self._write_rep(j.provider, current)
        return True
