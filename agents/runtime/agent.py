"""One agent: observe -> substrate every cycle (L4.9 every 5th, inside cognition) -> act on what was not
vetoed.

An `Agent` owns its key's TxSender, its AgentStore (SQLite: memory, cognition state, guidance, action
journal, nonce hint), an Executor and a JSON-lines log. It does not poll the chain for events: the
process host's single EventIndexer calls `on_event`, and calls `tick()` once the indexer has delivered
every block of the agent's next cycle window (`due`).

A tick: settle receipts of last cycle's transactions -> read what events do not carry (job timers,
descriptions, deliverables, balances) -> build the Observation -> `cognition.step` -> fold the
actionable decisions into the Guidance -> `policy.decide` -> `Executor.execute` -> persist memory,
cognition state and guidance together in one SQLite transaction. Any chain error aborts the tick
without persisting anything; the next loop retries it (events are replayed idempotently).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from agents.chain.codec import Call
from agents.chain.contracts import Contracts
from agents.chain.errors import ChainError, RpcUnavailableError
from agents.chain.governance import ParamSpec
from agents.chain.indexer import DEFAULT_HASH_WINDOW, ChainEvent, ChainReorg
from agents.chain.protocol import JobStatus, ProposalState
from agents.chain.reader import receipt_with_ints
from agents.chain.sender import CachedFeeSender, TxSender
from agents.cognition import AgentState, CognitionInputError, step
from agents.cognition.decisions import ApplyMutation
from agents.cognition.orchestrator import goal_changes
from agents.market.payloads import PayloadError, PayloadStore
from agents.market.personas import Persona
from agents.runtime import guard
from agents.runtime import observe as O
from agents.runtime.actions import Submit
from agents.runtime.executor import Executor, GasBook
from agents.runtime.policy import (
    MAX_UINT,
    GovernanceView,
    Guidance,
    PolicyConfig,
    PolicyInput,
    ProposalView,
    decide,
    subcontract_ids,
    update_guidance,
)
from agents.runtime.store import AgentStore

log = logging.getLogger(__name__)


class JsonLog:
    """Structured log: one JSON object per line, to a per-agent file."""

    def __init__(self, path: Path | None, agent: str) -> None:
        self.path = path
        self.agent = agent
        self._fh = open(path, "a", buffering=1) if path else None  # noqa: SIM115 - closed in close()

    def __call__(self, event: str, **fields: Any) -> None:
        rec = {"ts": round(time.time(), 3), "agent": self.agent, "event": event, **fields}
        line = json.dumps(rec, default=str, sort_keys=False)
        if self._fh:
            self._fh.write(line + "\n")
        else:
            log.info(line)

    def close(self) -> None:
        if self._fh:
            self._fh.close()


@dataclass
class AgentSpec:
    key: str
    persona: str
    services: tuple[str, ...]
    data_dir: Path
    seed: int = 0
    cycle_blocks: int = 5
    gas_budget_wei: int | None = None
    max_cycles: int | None = None
    start_phase: str = "CHECK"  # §10.2: the activation protocol from the start
    cognition: bool = True  # False: L4.8 only (simulate --cognition off): L4.9's outputs are ignored
    priority_fee_wei: int | None = None  # None: ask the node (eth_maxPriorityFeePerGas) for every transaction
    demand: tuple[tuple[str, float, int, int], ...] = ()  # scenario demand surges (PolicyConfig.demand)
    catalogue: tuple[str, ...] = ()  # services it may switch to (PolicyConfig.catalogue)
    ring: tuple[str, ...] = ()  # the wallets of its ring, for a ring_only persona (PolicyConfig.ring)
    reset: bool = False  # move an existing data dir aside (agents/runtime/guard.py) and start afresh


@dataclass
class Reads:
    """One cycle's batch of reads (Agent._read)."""

    receipts: dict[str, dict[str, Any] | None]
    block: dict[str, Any]
    eth: int
    views: list[tuple[str, Any, Any]] = field(default_factory=list)  # (kind, key, decoded value)


class DescriptionCache:
    """Job descriptions are immutable: one read per job per process, shared by its agents."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}


class Agent:
    def __init__(
        self,
        spec: AgentSpec,
        persona: Persona,
        web3: Web3,
        contracts: Contracts,
        payloads: PayloadStore,
        *,
        start_block: int,
        events_from: int | None = None,
        descriptions: DescriptionCache | None = None,
        chain: guard.ChainIdentity | None = None,
    ) -> None:
        self.spec = spec
        self.persona = persona
        self.web3 = web3
        self.c = contracts
        self.payloads = payloads
        self.descriptions = descriptions or DescriptionCache()
        spec.data_dir.mkdir(parents=True, exist_ok=True)
        probe = TxSender(web3, spec.key)
        self.address = probe.address
        self.dir = spec.data_dir / self.address.lower()
        # One process per agent dir, on the chain and deployment its state was built on (guard.py):
        # refused here, before any transaction; the lock is released in close() or by the OS on exit.
        self.lock, moved = guard.claim_dir(self.dir, self.address, reset=spec.reset)
        try:
            self.store = AgentStore(self.dir / "agent.sqlite")
            try:
                here = chain or guard.chain_identity(web3, contracts.deployment)
                recorded = guard.check_chain(self.store, here, self.address)
            except BaseException:
                self.store.close()
                raise
        except BaseException:
            self.lock.release()
            raise
        self.log = JsonLog(self.dir / "agent.log.jsonl", self.address)
        if moved is not None:
            self.log("reset", old_state=str(moved))
        if recorded != "same":
            self.log("chain_recorded", chain=here.to_json(), adopted=recorded == "adopted")
        spent = int(self.store.get_state("gas_spent_wei", 0))
        self.sender = CachedFeeSender(
            web3,
            spec.key,
            gas_budget_wei=spec.gas_budget_wei,
            gas_spent_wei=spent,
            nonce_hint=self.store.get_nonce_hint(self.address),
            priority_fee_wei=spec.priority_fee_wei,
            on_nonce=lambda n: self.store.set_nonce_hint(self.address, n),
        )
        self.reader = self.sender.reader  # this agent's reads (from its address), on the sender's client
        self.executor = Executor(
            self.sender,
            contracts,
            self.store,
            payloads,
            event_log=self.log,
            gas_book=GasBook(self.store.get_state("gas_book")),
        )
        self.config = PolicyConfig(
            services=spec.services,
            seed=spec.seed,
            demand=spec.demand,
            catalogue=spec.catalogue,
            cycle_blocks=spec.cycle_blocks,
            ring=spec.ring,
        )
        saved = self.store.get_state("memory")
        self._events_from = start_block if events_from is None else events_from
        if saved:
            self.memory = O.MarketMemory.from_dict(saved)
        else:
            first = start_block if events_from is None else events_from
            self.memory = O.MarketMemory(
                me=self.address, start_block=start_block, cursor=(first - 1, 2**31 - 1)
            )
        cog = self.store.get_state("cognition")
        if cog:
            self.cognition = AgentState.from_dict(cog)
        else:
            weights = dict.fromkeys(spec.services, 1.0) or {"any": 1.0}
            self.cognition = AgentState.new(weights, persona.values, start_phase=spec.start_phase)
        self.guidance = Guidance.from_dict(self.store.get_state("guidance"))
        if not self.guidance.values:
            self.guidance.values = list(self.cognition.values.weights)
        self.metrics_path = self.dir / "metrics.jsonl"
        self.last_fee_total = self.sender.gas_spent_wei
        self.errors = 0
        self._retry_in = 0.0
        self._retry_at = 0.0
        self._gov_const: dict[str, int] = {}
        reconciled = self.store.reconcile(self._outcome)
        if reconciled:
            self.log("reconciled", entries=[(a.id, a.kind, a.status.value) for a in reconciled])
        self.log("started", persona=persona.name, cycle=self.memory.cycle, cursor=list(self.memory.cursor))

    def _outcome(self, tx_hash: str) -> Any:
        return self.reader.tx_outcome(tx_hash)

    # ------------------------------------------------------------------ events
    def on_event(self, ev: ChainEvent) -> None:
        try:
            O.apply_event(self.memory, ev)
        except Exception as exc:  # noqa: BLE001 - a malformed event is lost to this agent, and counted
            self.memory.window.lost += 1
            self.log(
                "event_lost", chain_event=f"{ev.contract}.{ev.name}", block=ev.block, reason=repr(exc)[:200]
            )

    def note_lost(self, n: int) -> None:
        """Logs the indexer could not decode during this window (the observation's ingestion share)."""
        self.memory.window.lost += max(0, n)

    def _checkpoints_kept(self) -> int:
        """Enough cycle-end checkpoints to reach below any fork inside the indexer's hash window."""
        return DEFAULT_HASH_WINDOW // max(1, self.spec.cycle_blocks) + 2

    def on_reorg(self, reorg: ChainReorg) -> int | None:
        """The blocks from `reorg.fork_block` on are orphaned: return to a memory of the new branch.

        The newest cycle-end checkpoint below the fork replaces the memory's facts (no checkpoint: a
        fresh fold from the first block); the cycle count, last report and guidance stay (the mind does
        not rewind), the current window starts empty. Done actions mined at or after the fork are
        reopened in the journal for the next settle to re-check (Executor.note_reorg). Returns the block
        from which the indexer re-delivers the canonical events to this agent."""
        mem, fork = self.memory, reorg.fork_block
        if mem.cursor[0] < fork:  # nothing of the orphaned blocks was folded in
            self.executor.note_reorg(fork)
            return None
        found = self.store.checkpoint_below("memory", fork)
        if found is not None:
            restored = O.MarketMemory.from_dict(found[1])
        else:
            restored = O.MarketMemory(
                me=self.address, start_block=mem.start_block, cursor=(self._events_from - 1, 2**31 - 1)
            )
        restored.cycle, restored.last_report, restored.guidance = mem.cycle, mem.last_report, mem.guidance
        restored.window = O.Window()
        with self.store.transaction():
            self.memory = restored
            self.store.drop_checkpoints_from("memory", fork)
            self.store.put_state("memory", restored.to_dict())
            reopened = self.executor.note_reorg(fork)
        self.log(
            "reorg",
            fork=fork,
            old_hash=reorg.old_hash,
            new_hash=reorg.new_hash,
            depth=reorg.depth,
            restored_to=restored.cursor_block,
            checkpoint=found is not None,
            reopened=reopened,
        )
        return restored.cursor_block + 1

    def indexed_through(self, block: int) -> None:
        self.memory.advance_to_block(block)

    def window_end(self) -> int:
        m = self.memory
        return m.start_block + (m.cycle + 1) * self.spec.cycle_blocks - 1

    def due(self) -> bool:
        if self.spec.max_cycles is not None and self.memory.cycle >= self.spec.max_cycles:
            return False
        if self.errors and time.monotonic() < self._retry_at:
            return False
        return self.memory.cursor_block >= self.window_end()

    @property
    def finished(self) -> bool:
        return self.spec.max_cycles is not None and self.memory.cycle >= self.spec.max_cycles

    # ------------------------------------------------------------------ the cycle
    def tick(self) -> bool:
        """Run one cycle. Returns False (nothing persisted) if the chain could not be read."""
        try:
            ok = self._tick()
            self.errors = 0
            return ok
        except (RpcUnavailableError, ChainError) as exc:
            # The in-memory state keeps every event delivered so far (the indexer will not resend
            # them); the cycle is simply retried on the next loop. Nothing was persisted.
            self._backoff()
            self.log("tick_aborted", cycle=self.memory.cycle, reason=str(exc)[:300], retry_in=self._retry_in)
            return False
        except Exception as exc:  # noqa: BLE001 - one agent's bug must not stop the process's other agents
            import traceback

            self._backoff()
            self.log(
                "tick_error",
                cycle=self.memory.cycle,
                reason=repr(exc)[:300],
                traceback=traceback.format_exc()[-2000:],
                retry_in=self._retry_in,
            )
            return False

    def _backoff(self) -> None:
        self.errors += 1
        self._retry_in = min(30.0, 0.5 * 2 ** min(self.errors, 6))
        self._retry_at = time.monotonic() + self._retry_in

    def _tick(self) -> bool:
        mem, cycle = self.memory, self.memory.cycle
        reads = self._read()
        settled = self.executor.settle(receipts=reads.receipts)
        self._enrich(reads)
        snap = self._snapshot(reads)
        payloads = self._payloads()
        obs = O.build_observation(
            mem, snap, self.spec.cycle_blocks, self.spec.cycle_blocks, self.spec.services
        )
        try:
            before = self.cognition
            result = step(self.cognition, obs)
        except CognitionInputError as exc:  # should not happen: cycle numbers move together
            self.log("cognition_error", reason=str(exc))
            raise ChainError(str(exc)) from exc
        rep = result.report
        if self.spec.cognition:
            self.guidance = update_guidance(
                self.guidance,
                rep.status,
                rep.authority,
                result.actionable,
                rep.value_weights,
                [g.id for g in result.state.substrate.goals.open_goals()],
            )
        else:  # L4.8 only: the mind runs (for the report) but none of its outputs reaches the policy
            self.guidance = update_guidance(self.guidance, "OFF", 0.0, ())
        if rep.audit is not None:  # a 3000-cycle audit period closed: keep its report (emergent agent audit)
            from agents.cognition.audit_text import report_to_dict

            reports = self.store.get_state("audit_reports", [])
            self.store.put_state("audit_reports", [*reports, report_to_dict(rep.audit)][-20:])
        counts = self.store.get_state("status_cycles", {})
        counts[rep.status] = counts.get(rep.status, 0) + 1
        self._status_cycles = counts
        vetoed = [d.kind for d in result.decisions if d.vetoed]
        live = any(not p.executed and p.state not in (2, 3, 6, 7) for p in mem.proposals.values())
        gov = self._governance_view(snap) if "Governor" in self.c and (cycle % 5 == 4 or live) else None
        busy = self.executor.busy_keys(mem.cursor_block)
        actions = decide(
            PolicyInput(self.persona, self.config, mem, snap, self.guidance, cycle, busy, payloads, gov)
        )
        for a in actions:  # what I know of my own delivery: a rejection of honest work is wrongful
            if isinstance(a, Submit) and a.job_id in mem.jobs:
                mem.jobs[a.job_id].submitted_by_me_honest = a.honest
        batch = self.executor.execute(actions, block=snap.block, proposals=mem.proposals)
        report = {
            "cycle": cycle,
            "block": snap.block,
            "balance": snap.token,
            "stake": snap.bonded,
            "reputation": snap.reputation,
            "eth": snap.eth,
            "ass": rep.ass,
            "ass_class": rep.ass_class,
            "drift": rep.total_drift,
            "drift_class": rep.drift_class,
            "survival": rep.survival_state,
            "status": rep.status,
            "authority": self.guidance.authority,
            "l49": rep.l49_ran,
            "asks": mem.my_asks(),
            "phase": rep.activation_phase,
            "drift_value": rep.total_drift,
            "goals_open": rep.open_goals,
            "vetoed_n": len(vetoed),
            "goals": goal_changes(before, result),
            "mutations": sum(
                1
                for d in result.actionable
                if isinstance(d, ApplyMutation) and d.reason == "sandbox_approved"
            ),
        }
        self.log(
            "cycle",
            **report,
            decisions=[d.kind for d in result.actionable],
            vetoed=vetoed,
            violations=list(rep.violations),
            actions=batch.sent,
            failed=batch.failed,
            settled=[(s.key, s.ok, s.reason) for s in settled],
        )
        with open(self.metrics_path, "a") as fh:
            fh.write(json.dumps(report, default=str) + "\n")
        mem.last_report = report
        O.close_window(mem)
        O.prune(mem, snap.block)
        mem.cycle += 1
        self.cognition = result.state
        self.persist()
        return True

    def persist(self) -> None:
        with self.store.transaction():
            memory = self.memory.to_dict()
            self.store.put_state("memory", memory)
            # the memory at each cycle's end, for a reorg to return to (docs/agents.md, Reorgs)
            self.store.put_checkpoint(
                "memory", self.memory.cursor_block, memory, keep=self._checkpoints_kept()
            )
            self.store.put_state("cognition", self.cognition.to_dict())
            self.store.put_state("guidance", self.guidance.to_dict())
            self.store.put_state("gas_spent_wei", self.sender.gas_spent_wei)
            self.store.put_state("gas_book", self.executor.gas.to_dict())
            if getattr(self, "_status_cycles", None) is not None:
                self.store.put_state("status_cycles", self._status_cycles)

    def close(self) -> None:
        self.log("stopped", cycle=self.memory.cycle)
        self.log.close()
        self.store.close()
        self.lock.release()

    # ------------------------------------------------------------------ reads (observing only)
    def _call(self, fn: Any) -> Any:
        return self.reader.call(fn)

    def _read(self) -> Reads:
        """Everything this cycle needs that events do not carry, in one JSON-RPC batch: receipts of
        last cycle's transactions, the head block, token and ETH balances, allowances until both max
        approvals are seen, escrow parameters once, new jobs' descriptions, and timers of jobs that
        changed. A failed read aborts the tick (nothing persisted; retried next loop)."""
        mem, me = self.memory, self.address
        esc, tok = self.c.codec("ServiceEscrow"), self.c.codec("AgentToken")
        hashes = self.executor.pending_hashes()
        calls: list[tuple[str, list[Any]]] = [("eth_getTransactionReceipt", [h]) for h in hashes]
        calls.append(("eth_getBlockByNumber", ["latest", False]))
        calls.append(("eth_getBalance", [me, "latest"]))
        views: list[tuple[str, Any, Call]] = [("token", None, tok.balanceOf(me))]
        if len(mem.approved) < 2:
            for name in ("ServiceEscrow", "Staking"):
                views.append(("allowance", name, tok.allowance(me, self.c.address(name))))
        if not mem.params:
            for name in (
                "feeBps",
                "collateralRatioBps",
                "minProviderStake",
                "disputeBond",
                "minWorkingWindow",
                "maxJobDuration",
            ):
                views.append(("param", name, getattr(esc, name)()))
        for job in mem.jobs.values():
            if job.spec is None and job.id not in self.descriptions.texts:
                views.append(("description", job.id, esc.descriptionOf(job.id)))
            relevant = job.party(me) or (me in mem.guardians and job.status == JobStatus.DISPUTED)
            if job.refresh and relevant and job.outcome == "open":
                views.append(("job", job.id, esc.getJob(job.id)))
        calls += [("eth_call", self.reader.call_params(call, "latest")) for _, _, call in views]
        got = self.reader.batch(calls)
        for r in got[len(hashes) :]:
            if isinstance(r, ChainError):
                raise r
        reads = Reads(receipts={}, block=got[len(hashes)], eth=int(got[len(hashes) + 1], 16))
        for h, r in zip(hashes, got[: len(hashes)], strict=True):
            if isinstance(r, ChainError):
                raise r
            reads.receipts[h] = receipt_with_ints(r) if r is not None else None
        for (kind, key, call), raw in zip(views, got[len(hashes) + 2 :], strict=True):
            reads.views.append((kind, key, call.decode(bytes.fromhex(raw[2:]))))
        return reads

    def _enrich(self, reads: Reads) -> None:
        mem = self.memory
        for kind, key, value in reads.views:
            if kind == "param":
                mem.params[key] = int(value)
            elif kind == "description":
                self.descriptions.texts[key] = value
            elif kind == "job":
                # Job struct: client, provider, evaluator, status, budget, expiredAt, held, collateral,
                # deadline, ...
                job = mem.jobs[key]
                job.held, job.deadline, job.budget = int(value.held), int(value.deadline), int(value.budget)
                job.refresh = False
        if not mem.guardians:
            mem.guardians = []
        for job in mem.jobs.values():
            if job.spec is None and job.id in self.descriptions.texts:
                O.set_spec(mem, job, self.descriptions.texts[job.id])

    def _payloads(self) -> dict[int, bytes | None]:
        mem, me = self.memory, self.address
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
                or job.id in subs  # parts of a composite job I am assembling
            )
            if wanted:
                try:
                    out[job.id] = self.payloads.get(job.deliverable)
                except (PayloadError, KeyError, OSError):
                    out[job.id] = None  # missing or substituted: treated as no delivery
        return out

    def _snapshot(self, reads: Reads) -> O.Snapshot:
        """The cycle's direct facts from the batch: block, token and ETH balances; stake and reputation
        come from events; allowances are read only until the two max approvals are seen."""
        mem, block = self.memory, reads.block
        allowances = {key: int(v) for kind, key, v in reads.views if kind == "allowance"}
        if allowances:
            mem.approved = [n for n in ("ServiceEscrow", "Staking") if allowances.get(n, 0) >= MAX_UINT // 2]
        base = block.get("baseFeePerGas")
        base_fee = int(base, 16) if base is not None else None
        self.sender.prime(base_fee)
        fee_total = self.sender.gas_spent_wei
        spent, self.last_fee_total = fee_total - self.last_fee_total, fee_total
        token = next(int(v) for kind, _, v in reads.views if kind == "token")
        return O.Snapshot(
            block=int(block["number"], 16),
            timestamp=int(block["timestamp"], 16),
            token=token,
            eth=reads.eth,
            bonded=mem.bonded.get(self.address, 0),
            reputation=mem.reputation.get(self.address, 0),
            allowance_escrow=MAX_UINT if "ServiceEscrow" in mem.approved else 0,
            allowance_staking=MAX_UINT if "Staking" in mem.approved else 0,
            base_fee=base_fee or 0,
            gas_spent_wei=max(0, spent),
        )

    def _may_activate_voting(self, votes: int, snap: O.Snapshot, gate: int) -> bool:
        """Bonded, at the voting gate, and no voting stake seen: ask Staking (the activation may predate
        the events this agent has folded) before asking the policy to activate."""
        if votes > 0 or snap.bonded <= 0 or snap.reputation < gate:
            return False
        got = self.reader.call_many([self.c.codec("Staking").votingActive(self.address)])
        return not isinstance(got[0], ChainError) and not bool(got[0])

    def _governance_view(self, snap: O.Snapshot) -> GovernanceView | None:
        """Thresholds and bounds are read every 25 cycles; stake, reputation and escrow parameters come
        from events; only open proposals cost reads (state, hasVoted, eta)."""
        from agents.chain.governance import PARAMETERS

        gov, esc = self.c.codec("Governor"), self.c.codec("ServiceEscrow")
        mem, me = self.memory, self.address
        if not self._gov_const or mem.cycle - self._gov_const.get("read_at", 0) >= 25:
            got = self.reader.call_many(
                [
                    gov.proposalThreshold(),
                    gov.proposalReputationThreshold(),
                    gov.minVotingReputation(),
                    esc.MAX_FEE_BPS(),
                    esc.MAX_COLLATERAL_RATIO_BPS(),
                ]
            )
            if any(isinstance(v, ChainError) for v in got):
                return None
            self._gov_const = {"read_at": mem.cycle} | dict(
                zip(
                    ("threshold", "rep_needed", "min_vote_rep", "max_fee", "max_ratio"),
                    map(int, got),
                    strict=True,
                )
            )
        k = self._gov_const
        votes = mem.votes.get(me, 0)  # voting stake: bonded stake counts only once voting is activated
        params = {
            "escrow.feeBps": mem.params.get("feeBps", 0),
            "escrow.collateralRatioBps": mem.params.get("collateralRatioBps", 0),
        }
        bounds = {"escrow.feeBps": (0, k["max_fee"]), "escrow.collateralRatioBps": (0, k["max_ratio"])}
        live = [
            p
            for p in sorted(mem.proposals.values(), key=lambda p: p.id)
            if not p.executed and p.state not in (2, 3, 6, 7)
        ]
        states = self.reader.call_many([gov.state(p.id) for p in live])
        voted_eta: list[Call] = []
        for p, st in zip(live, states, strict=True):
            if isinstance(st, ChainError):
                raise st
            p.state = int(st)
            if p.state == ProposalState.ACTIVE and me not in p.voters:
                voted_eta.append(gov.hasVoted(p.id, me))
                voted_eta.append(gov.getVotes(me, p.snapshot))  # 0 if my reputation was below the gate then
            if p.state == ProposalState.QUEUED:
                voted_eta.append(gov.proposalEta(p.id))
        got = self.reader.call_many(voted_eta)
        for v in got:
            if isinstance(v, ChainError):
                raise v
        extra = iter(got)
        views = []
        for p in live:
            voted = me in p.voters or (p.state == ProposalState.ACTIVE and bool(next(extra)))
            eligible = (
                int(next(extra)) > 0 if p.state == ProposalState.ACTIVE and me not in p.voters else None
            )
            eta = int(next(extra)) if p.state == ProposalState.QUEUED else 0
            name, value = _decode_param_change(p, self.c, PARAMETERS)
            views.append(
                ProposalView(
                    p.id, p.state, p.description, name, value, params.get(name or ""), voted, eta, eligible
                )
            )
        return GovernanceView(
            can_propose=votes >= k["threshold"] and snap.reputation >= k["rep_needed"] and votes > 0,
            can_vote=snap.reputation >= k["min_vote_rep"] and votes > 0,
            can_activate=self._may_activate_voting(votes, snap, k["min_vote_rep"]),
            proposals=tuple(views),
            params=params,
            bounds=bounds,
            now=snap.timestamp,
        )


def _decode_param_change(
    p: O.Proposal, c: Contracts, parameters: dict[str, ParamSpec]
) -> tuple[str | None, int | None]:
    """(dotted parameter name, new value) if the proposal is a single setParameter-style change."""
    from eth_abi.abi import decode
    from eth_utils.abi import function_signature_to_4byte_selector

    if len(p.targets) != 1 or len(p.calldatas) != 1:
        return None, None
    data = bytes.fromhex(p.calldatas[0][2:])
    for spec in parameters.values():
        try:
            if c.address(spec.contract).lower() != p.targets[0].lower():
                continue
        except Exception:  # noqa: BLE001 - contract not deployed
            continue
        if data[:4] != function_signature_to_4byte_selector(spec.setter):
            continue
        types = spec.setter[spec.setter.index("(") + 1 : -1].split(",")
        args = decode(types, data[4:])
        if spec.key:
            if args[0] == spec.key:
                return spec.name, int(args[1])
        else:
            return spec.name, int(args[0])
    return None, None
