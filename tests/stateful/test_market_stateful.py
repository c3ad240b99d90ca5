"""Stateful test over the four marketplace contracts against a Python shadow model.

Rules drive stake / unbond / withdraw / owner slash / create+fund / submit / complete / reject /
claimRefund / claimPayment / dispute / rule / feedback / time travel / unauthorised writes. The
shadow model predicts every balance and every job state; invariants after each step:

- tokens conserved: every holder's balance equals the model's, and they sum to the total supply;
- the escrow holds exactly the live budgets and open bonds (== totalEscrowed);
- Staking holds exactly bonded + queued stake, per agent locked == model collateral;
- no job stuck: `settle_everything` jumps past every timer and ends every live job with
  permissionless calls only;
- reputation moves only through authorised paths: every ReputationChanged event has a cause the
  rule allows, and an agent without such an event never gains reputation;
- consent (issue 10): a job is funded only after its provider accepted that budget (its own
  setBudget or acceptJob); an unaccepted, re-priced or too-short job reverts with the exact reason and
  locks nothing; the committee quorum counts only eligible seats (DisputeOpened.quorum checked);
- rater weighting: every feedback's new score equals the Python model of the formula
  (agents.bench.sybil_cost.feedback) given the rater's score in that block and what the client paid the
  provider before (`paidInRated`, checked); a rater at 0 moves nothing; a rise never passes
  raterCapBps of the rater's score. Agents start with seeded scores in [0, 8000] so raters differ.

Transactions go through raw JSON-RPC (`tests/stateful/rawchain.py`): eth_sendTransaction from
the unlocked test accounts with a fixed gas limit, receipts decoded by hand, expected reverts
checked with an eth_call at the pending block (exact revert string, nothing sent), views read in
one batch per invariant. ape's call path costs ~0.3 s per transaction; this costs milliseconds.

Step selection keeps the money paths busy in the default run: every agent starts with 2,000-12,000
AGENT staked (an owner slash takes at most 2,000), rules that act on a job have a precondition that
such a job exists and pick one ready for their success path four times in five, and compound rules
(create_fund_submit, reject_and_dispute, committee_rules, job_lifecycle) take a job through several
transitions in one step, travelling past the timers it waits for. The test prints the outcomes it
followed (completions, claimPayment, refunds, disputes ruled each way or by default, feedback).

Size: EMERGENT_STATEFUL_EXAMPLES (default 150) x EMERGENT_STATEFUL_STEPS (default 90) steps. Hypothesis
ends some examples early; at the default size the test runs more examples until at least 10,000 steps
ran, and asserts it (MIN_STEPS). It prints how many steps ran. EMERGENT_STATEFUL_SHRINK=0 reports
a failure without shrinking it (minutes sooner; for mutation checks).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from agents.bench.sybil_cost import feedback as feedback_model
from tests.fixtures.market import (
    CAUSE_FEEDBACK,
    CAUSE_SEED,
    COMPLETED,
    DISPUTED,
    EXPIRED,
    FUNDED,
    OPEN,
    PENALTY_DISPUTE_LOST,
    PENALTY_EXPIRY,
    PENALTY_SLASH,
    REJECTED,
    SUBMITTED,
    WEI,
)
from tests.stateful.rawchain import Abi, RawChain

EXAMPLES = int(os.environ.get("EMERGENT_STATEFUL_EXAMPLES", "150"))
STEPS = int(os.environ.get("EMERGENT_STATEFUL_STEPS", "90"))
# 0 skips hypothesis' shrink phase (a failure is then reported unshrunk, much sooner): for mutation
# checks and triage. Generation is the same either way.
SHRINK = os.environ.get("EMERGENT_STATEFUL_SHRINK", "1") != "0"
BPS = 10_000
SAFETY = 5  # seconds of slack around a deadline: ambiguous moments are skipped, not guessed
STEPS_RUN = {"steps": 0, "examples": 0}
# At the default size a CI run takes at least this many steps (the floor): hypothesis ends some
# examples early, so the test runs more examples until it has them (a smaller size set by the
# environment variables is run as asked).
MIN_STEPS = 10_000 if EXAMPLES * STEPS >= 150 * 90 else 0
OUTCOMES: Counter[str] = Counter()  # money-path outcomes the model followed, printed at the end


@dataclass
class MJob:
    client: str
    provider: str
    evaluator: str
    budget: int
    expired_at: int
    status: int = FUNDED
    held: int = 0
    collateral: int = 0
    deadline: int = 0
    bond: int = 0
    quorum: int = 0
    votes_p: int = 0
    votes_c: int = 0
    ruled: set = field(default_factory=set)
    rated: bool = False


@dataclass
class MStake:
    bonded: int = 0
    locked: int = 0
    queued: int = 0
    ends: int = 0


def test_market_stateful(
    chain, token, registry, staking, escrow, reputation, deployer, accounts, guardians, treasury, fund_agent
):
    agent_accounts = [accounts[i] for i in (1, 2, 3, 4)]
    staking.grantRole(staking.SLASHER_ROLE(), deployer, sender=deployer)
    for a in agent_accounts:
        fund_agent(a, 100_000 * WEI)
    for g in guardians:
        fund_agent(g, 0)
    agents = [a.address for a in agent_accounts]
    guards = [g.address for g in guardians]
    owner, outsider, treasury_addr = deployer.address, accounts[5].address, treasury.address
    tok, stk, esc, rep = (Abi(c) for c in (token, staking, escrow, reputation))
    raw = RawChain(chain.provider.web3, [tok, stk, esc, rep])
    holders = [*agents, *guards, owner, treasury_addr, outsider, esc.address, stk.address]
    share_bps = staking.slashBeneficiaryShareBps()
    fee_bps = escrow.feeBps()
    bond_amount = escrow.disputeBond()
    min_stake = escrow.minProviderStake()
    g_floor_stake, g_floor_rep = escrow.guardianMinStake(), escrow.guardianMinReputation()
    min_window = escrow.minWorkingWindow()
    ref_value, cap_bps = reputation.referenceValue(), reputation.raterCapBps()
    snap = {"id": raw.snapshot()}

    class Market(RuleBasedStateMachine):
        @initialize(
            initial=st.lists(st.integers(2_000, 12_000), min_size=4, max_size=4),
            seeds=st.lists(st.sampled_from([0, 0, 500, 3_000, 6_000, 8_000]), min_size=4, max_size=4),
        )
        def setup(self, initial, seeds):
            """Model of the snapshot state, then every agent stakes `initial` AGENT: well above the
            escrow's minimum provider stake, so that owner slashes (at most 2,000 AGENT each) do not
            leave most examples without a provider able to take a job."""
            STEPS_RUN["examples"] += 1
            balances = raw.views([(tok, "balanceOf", (addr,)) for addr in holders])
            self.bal = dict(zip(holders, balances, strict=True))
            self.supply = raw.view(tok, "totalSupply")
            self.stakes = {a: MStake() for a in [*agents, *guards]}
            for g, bonded in zip(guards, raw.views([(stk, "bondedOf", (g,)) for g in guards]), strict=True):
                self.stakes[g].bonded = bonded
            self.jobs: dict[int, MJob] = {}
            self.n_guardians = raw.view(esc, "guardianCount")
            self.deep_slashed = False
            self.paid_pairs: dict[tuple[str, str], int] = {}
            for a, amount in zip(agents, initial, strict=True):
                self.send(set(), a, stk, "stake", amount * WEI)
                self.stakes[a].bonded += amount * WEI
                self.move(a, stk.address, amount * WEI)
            for a, score in zip(agents, seeds, strict=True):
                if score:
                    self.send({CAUSE_SEED}, owner, rep, "seedReputation", a, score)

        # ------------------------------------------------------------ helpers

        def now(self) -> int:
            return raw.now()

        def reps(self) -> dict[str, int]:
            return dict(zip(agents, raw.views([(rep, "reputationOf", (a,)) for a in agents]), strict=True))

        def send(self, allowed_causes: set[int], sender: str, contract: Abi, fn: str, *args):
            """Send a tx (it must succeed); check that reputation moved only as this rule allows."""
            before = self.reps()
            tx = raw.send(sender, contract, fn, *args)
            changed = set()
            for ev in tx.logs(rep, "ReputationChanged"):
                assert ev.cause in allowed_causes, f"unauthorised reputation cause {ev.cause}"
                changed.add(ev.account)
            after = self.reps()
            for addr, value in after.items():
                if addr not in changed:
                    assert value <= before[addr], "reputation rose without an authorised write"
            return tx

        def move(self, src: str, dst: str, amount: int):
            self.bal[src] -= amount
            self.bal[dst] += amount

        def release(self, job: MJob) -> int:
            s = self.stakes[job.provider]
            released = min(job.collateral, s.locked)
            s.locked -= released
            job.collateral = 0
            return released

        def slash_model(self, who: str, amount: int, beneficiary: str | None):
            s = self.stakes[who]
            free = s.bonded - s.locked
            f = min(amount, free)
            q = min(amount - f, s.queued)
            lk = min(amount - f - q, s.locked)
            total = f + q + lk
            s.bonded -= f + lk
            s.locked -= lk
            s.queued -= q
            to_b = total * share_bps // BPS if beneficiary else 0
            if to_b:
                self.move(stk.address, beneficiary, to_b)
            self.move(stk.address, treasury_addr, total - to_b)
            return total

        def pay_provider(self, job: MJob):
            fee = job.held * fee_bps // BPS
            self.move(esc.address, treasury_addr, fee)
            self.move(esc.address, job.provider, job.held - fee)
            job.held = 0
            job.status = COMPLETED
            self.release(job)

        def refund(self, job: MJob):
            self.move(esc.address, job.client, job.held)
            job.held = 0

        def live(self, statuses):
            return [i for i, j in self.jobs.items() if j.status in statuses]

        def pick(self, data, ready: list[int], candidates: list[int]) -> int:
            """A job id for a rule: four times in five one that is `ready` for the rule's success
            path (right state, timer in the right place), else any candidate (revert paths)."""
            if ready and (ready == candidates or data.draw(st.integers(0, 4), label="prefer ready")):
                return data.draw(st.sampled_from(ready), label="ready job")
            return data.draw(st.sampled_from(candidates), label="job")

        def in_time(self, deadline: int) -> bool:
            return self.now() + SAFETY < deadline

        def lapsed(self, deadline: int) -> bool:
            return self.now() >= deadline

        # ------------------------------------------------------------ staking rules

        @rule(who=st.integers(0, 3), amount=st.integers(1, 3_000))
        def stake(self, who, amount):
            a = agents[who]
            self.send(set(), a, stk, "stake", amount * WEI)
            self.stakes[a].bonded += amount * WEI
            self.move(a, stk.address, amount * WEI)

        @rule(who=st.integers(0, 3), frac=st.integers(1, 100))
        def request_unstake(self, who, frac):
            a = agents[who]
            s = self.stakes[a]
            free = s.bonded - s.locked
            amount = free * frac // 100
            if amount == 0:
                raw.expect_revert(None, a, stk, "requestUnstake", 0)
                return
            tx = self.send(set(), a, stk, "requestUnstake", amount)
            s.bonded -= amount
            s.queued += amount
            s.ends = tx.logs(stk, "UnstakeRequested")[0].unlocksAt

        @rule(who=st.integers(0, 3))
        def withdraw(self, who):
            a = agents[who]
            s = self.stakes[a]
            now = self.now()
            if s.queued == 0:
                raw.expect_revert("Staking: nothing queued", a, stk, "withdraw")
            elif now >= s.ends:
                self.send(set(), a, stk, "withdraw")
                self.move(stk.address, a, s.queued)
                s.queued = 0
            elif now + SAFETY < s.ends:
                raw.expect_revert("Staking: still unbonding", a, stk, "withdraw")

        def do_owner_slash(self, who: int, amount: int, to_victim: bool):
            a = agents[who]
            victim = agents[(who + 1) % 4] if to_victim else "0x" + "00" * 20
            # The return value: simulated at the pending block on the same state, then sent.
            returned = raw.simulate(owner, stk, "slash", a, amount, victim)
            tx = self.send({PENALTY_SLASH}, owner, stk, "slash", a, amount, victim)
            total = self.slash_model(a, amount, victim if to_victim else None)
            assert returned == total
            assert [e.amount for e in tx.logs(stk, "Slashed")] == ([total] if total else [])
            if total:
                OUTCOMES["owner slash, to a victim" if to_victim else "owner slash, burnt to treasury"] += 1

        @rule(who=st.integers(0, 3), amount=st.integers(1, 2_000), to_victim=st.booleans())
        def owner_slash(self, who, amount, to_victim):
            self.do_owner_slash(who, amount * WEI, to_victim)

        @precondition(lambda self: not self.deep_slashed and any(self.stakes[a].locked for a in agents))
        @rule(data=st.data(), to_victim=st.booleans())
        def owner_slash_into_locked(self, data, to_victim):
            """Once per example: a slash larger than free + queued stake, so it takes locked
            collateral too (the agents start well staked, so `owner_slash` rarely gets there)."""
            self.deep_slashed = True
            who = data.draw(
                st.sampled_from([i for i, a in enumerate(agents) if self.stakes[a].locked]), label="who"
            )
            s = self.stakes[agents[who]]
            before = s.locked
            self.do_owner_slash(who, s.bonded - s.locked + s.queued + max(1, s.locked // 2), to_victim)
            assert self.stakes[agents[who]].locked < before
            OUTCOMES["owner slash into locked collateral"] += 1

        # ------------------------------------------------------------ escrow rules

        def do_create_and_fund(self, c, p, e, budget, expires, consent="provider_price") -> int | None:
            """createJob + pricing with the provider's consent (or not) + fund, or its exact revert; the
            funded job id, else None. consent: provider_price (the provider's setBudget), accept_job (client
            prices, provider acceptJob), none (client prices only), repriced (accepted, then the client
            changes the budget)."""
            client, provider = agents[c], agents[p]
            evaluator = client if e == 4 else agents[e]
            budget_wei = budget * WEI
            tx = self.send(
                set(), client, esc, "createJob", provider, evaluator, self.now() + expires + SAFETY, "job"
            )
            job_id = tx.logs(esc, "JobCreated")[0].jobId
            expired_at = raw.view(esc, "getJob", job_id).expiredAt
            self.jobs[job_id] = MJob(client, provider, evaluator, budget_wei, expired_at, status=OPEN)
            if client == provider:
                consent = (
                    "provider_price"  # a client that is its own provider prices as the provider: consent
                )
            if consent == "provider_price":
                tx = self.send(set(), provider, esc, "setBudget", job_id, budget_wei)
                assert tx.logs(esc, "JobAccepted")[0].budget == budget_wei
            else:
                tx = self.send(set(), client, esc, "setBudget", job_id, budget_wei)
                assert not tx.logs(esc, "JobAccepted")
                if consent in ("accept_job", "repriced"):
                    self.send(set(), provider, esc, "acceptJob", job_id, budget_wei)
                if consent == "repriced":
                    self.send(set(), client, esc, "setBudget", job_id, budget_wei + 1)
                    self.jobs[job_id].budget = budget_wei + 1
                if consent in ("none", "repriced"):
                    b = self.jobs[job_id].budget
                    raw.expect_revert(
                        "ServiceEscrow: provider has not accepted", client, esc, "fund", job_id, b
                    )
                    OUTCOMES[f"fund refused: {consent}"] += 1
                    return None
            if expired_at < self.now() + min_window:
                raw.expect_revert(
                    "ServiceEscrow: working window too short", client, esc, "fund", job_id, budget_wei
                )
                OUTCOMES["fund refused: working window"] += 1
                return None
            if expired_at < self.now() + min_window + SAFETY:
                return None  # ambiguous moment: skipped, not guessed
            s = self.stakes[provider]
            collateral = -(-budget_wei * raw.view(esc, "collateralRatioBps") // BPS)
            if s.bonded < min_stake:
                raw.expect_revert(
                    "ServiceEscrow: provider stake below minimum", client, esc, "fund", job_id, budget_wei
                )
                return None
            if s.bonded - s.locked < collateral:
                raw.expect_revert(
                    "ServiceEscrow: provider collateral insufficient", client, esc, "fund", job_id, budget_wei
                )
                return None
            self.send(set(), client, esc, "fund", job_id, budget_wei)
            j = self.jobs[job_id]
            j.status, j.held, j.collateral = FUNDED, budget_wei, collateral
            s.locked += collateral
            self.move(client, esc.address, budget_wei)
            return job_id

        @rule(
            c=st.integers(0, 3),
            p=st.integers(0, 3),
            e=st.integers(0, 4),
            budget=st.integers(1, 5_000),
            expires=st.integers(20, 400),
            consent=st.sampled_from(["provider_price", "accept_job", "none", "repriced"]),
        )
        def create_and_fund(self, c, p, e, budget, expires, consent):
            self.do_create_and_fund(c, p, e, budget, expires, consent)

        def do_submit(self, job_id: int) -> bool:
            j = self.jobs[job_id]
            now = self.now()
            if now + SAFETY < j.expired_at:
                self.send(set(), j.provider, esc, "submit", job_id, b"\x01" * 32)
                j.status = SUBMITTED
                j.deadline = raw.view(esc, "getJob", job_id).deadline
                return True
            if now >= j.expired_at:
                raw.expect_revert(
                    "ServiceEscrow: job expired", j.provider, esc, "submit", job_id, b"\x01" * 32
                )
            return False

        @precondition(lambda self: self.live({FUNDED}))
        @rule(data=st.data())
        def submit(self, data):
            ids = self.live({FUNDED})
            self.do_submit(self.pick(data, [i for i in ids if self.in_time(self.jobs[i].expired_at)], ids))

        @rule(
            c=st.integers(0, 3),
            p=st.integers(0, 3),
            e=st.integers(0, 4),
            budget=st.integers(1, 5_000),
            expires=st.integers(80, 400),
            consent=st.sampled_from(["provider_price", "accept_job"]),
        )
        def create_fund_submit(self, c, p, e, budget, expires, consent):
            """Compound step: a job from creation to submitted work, so later steps find work to judge."""
            job_id = self.do_create_and_fund(c, p, e, budget, expires, consent)
            if job_id is not None:
                assert self.do_submit(job_id)

        def do_complete(self, j_id: int):
            j = self.jobs[j_id]
            self.send(set(), j.evaluator, esc, "complete", j_id, b"\x02" * 32)
            self.pay_provider(j)
            OUTCOMES["completed by the evaluator"] += 1

        @precondition(lambda self: self.live({SUBMITTED}))
        @rule(data=st.data())
        def complete(self, data):
            self.do_complete(data.draw(st.sampled_from(self.live({SUBMITTED}))))

        def do_reject(self, j_id: int):
            j = self.jobs[j_id]
            who = j.client if j.status == OPEN else j.evaluator
            status = j.status
            self.send(set(), who, esc, "reject", j_id, b"\x03" * 32)
            j.status = REJECTED
            if status == FUNDED:
                self.refund(j)
                self.release(j)
            elif status == SUBMITTED:
                j.deadline = raw.view(esc, "getJob", j_id).deadline
            OUTCOMES[
                {
                    OPEN: "rejected open job",
                    FUNDED: "rejected funded job (refund)",
                    SUBMITTED: "rejected submission",
                }[status]
            ] += 1

        @precondition(lambda self: self.live({OPEN, FUNDED, SUBMITTED}))
        @rule(data=st.data())
        def reject(self, data):
            self.do_reject(data.draw(st.sampled_from(self.live({OPEN, FUNDED, SUBMITTED}))))

        def refundable(self, j: MJob) -> bool:
            if j.status in (OPEN, FUNDED):
                return self.lapsed(j.expired_at)
            if (j.status == REJECTED and j.held > 0) or j.status == DISPUTED:
                return self.lapsed(j.deadline)
            return False

        @precondition(lambda self: self.jobs)
        @rule(data=st.data())
        def claim_refund(self, data):
            ids = list(self.jobs)
            self.try_refund(self.pick(data, [i for i in ids if self.refundable(self.jobs[i])], ids), outsider)

        def try_refund(self, j_id, caller) -> bool:
            j = self.jobs[j_id]
            now = self.now()
            if j.status in (OPEN, FUNDED):
                if now >= j.expired_at:
                    allowed = {PENALTY_EXPIRY} if j.status == FUNDED else set()
                    self.send(allowed, caller, esc, "claimRefund", j_id)
                    OUTCOMES[
                        "claimRefund after expiry, funded"
                        if j.status == FUNDED
                        else "claimRefund after expiry, open"
                    ] += 1
                    if j.status == FUNDED:
                        self.refund(j)
                        self.release(j)
                    j.status = EXPIRED
                    return True
                if now + SAFETY < j.expired_at:
                    raw.expect_revert("ServiceEscrow: job not expired", caller, esc, "claimRefund", j_id)
            elif j.status == SUBMITTED:
                raw.expect_revert(
                    "ServiceEscrow: submitted work awaits review", caller, esc, "claimRefund", j_id
                )
            elif j.status == REJECTED and j.held > 0:
                if now >= j.deadline:
                    self.send(set(), caller, esc, "claimRefund", j_id)
                    self.refund(j)
                    self.release(j)
                    OUTCOMES["claimRefund after the dispute window"] += 1
                    return True
                if now + SAFETY < j.deadline:
                    raw.expect_revert("ServiceEscrow: dispute window open", caller, esc, "claimRefund", j_id)
            elif j.status == DISPUTED:
                if now >= j.deadline:
                    self.send(set(), caller, esc, "claimRefund", j_id)
                    self.move(esc.address, j.provider, j.bond)
                    j.bond = 0
                    self.refund(j)
                    self.release(j)
                    j.status = REJECTED
                    OUTCOMES["dispute: committee default (claimRefund)"] += 1
                    return True
                if now + SAFETY < j.deadline:
                    raw.expect_revert("ServiceEscrow: ruling period open", caller, esc, "claimRefund", j_id)
            else:
                raw.expect_revert("ServiceEscrow: nothing to refund", caller, esc, "claimRefund", j_id)
            return False

        def try_payment(self, j_id, caller) -> bool:
            j = self.jobs[j_id]
            now = self.now()
            if now >= j.deadline:
                self.send(set(), caller, esc, "claimPayment", j_id)
                self.pay_provider(j)
                OUTCOMES["claimPayment after the review window"] += 1
                return True
            if now + SAFETY < j.deadline:
                raw.expect_revert("ServiceEscrow: review window open", caller, esc, "claimPayment", j_id)
            return False

        @precondition(lambda self: self.live({SUBMITTED}))
        @rule(data=st.data())
        def claim_payment(self, data):
            ids = self.live({SUBMITTED})
            self.try_payment(
                self.pick(data, [i for i in ids if self.lapsed(self.jobs[i].deadline)], ids), outsider
            )

        def disputable(self) -> list[int]:
            return [i for i in self.live({REJECTED}) if self.jobs[i].held > 0]

        def do_dispute(self, j_id: int) -> bool:
            j = self.jobs[j_id]
            now = self.now()
            if now + SAFETY < j.deadline:
                parties = (j.client, j.provider, j.evaluator)
                g_reps = raw.views([(rep, "reputationOf", (g,)) for g in guards])
                eligible = sum(
                    1
                    for g, r in zip(guards, g_reps, strict=True)
                    if g not in parties and self.stakes[g].bonded >= g_floor_stake and r >= g_floor_rep
                )
                tx = self.send(set(), j.provider, esc, "dispute", j_id)
                j.status = DISPUTED
                j.bond = bond_amount
                j.quorum = eligible // 2 + 1
                assert tx.logs(esc, "DisputeOpened")[0].quorum == j.quorum
                j.deadline = raw.view(esc, "getJob", j_id).deadline
                self.move(j.provider, esc.address, bond_amount)
                OUTCOMES["dispute opened"] += 1
                return True
            if now >= j.deadline:
                raw.expect_revert("ServiceEscrow: dispute window closed", j.provider, esc, "dispute", j_id)
            return False

        @precondition(lambda self: self.disputable())
        @rule(data=st.data())
        def open_dispute(self, data):
            ids = self.disputable()
            self.do_dispute(self.pick(data, [i for i in ids if self.in_time(self.jobs[i].deadline)], ids))

        @precondition(lambda self: self.live({SUBMITTED}))
        @rule(data=st.data())
        def reject_and_dispute(self, data):
            """Compound step: the evaluator rejects submitted work and the provider disputes at once."""
            j_id = data.draw(st.sampled_from(self.live({SUBMITTED})))
            self.do_reject(j_id)
            assert self.do_dispute(j_id)

        def do_rule(self, j_id: int, g: int, for_provider: bool):
            j = self.jobs[j_id]
            guardian = guards[g]
            now = self.now()
            # The contract checks the deadline before the guardian's earlier vote: same order here.
            if now >= j.deadline:
                raw.expect_revert(
                    "ServiceEscrow: ruling period over", guardian, esc, "rule", j_id, for_provider
                )
                return
            if now + SAFETY >= j.deadline:
                return
            if guardian in j.ruled:
                raw.expect_revert("ServiceEscrow: already ruled", guardian, esc, "rule", j_id, for_provider)
                return
            gs = self.stakes[guardian]
            assert gs.bonded >= g_floor_stake and raw.view(rep, "reputationOf", guardian) >= g_floor_rep
            self.send({PENALTY_SLASH, PENALTY_DISPUTE_LOST}, guardian, esc, "rule", j_id, for_provider)
            j.ruled.add(guardian)
            if for_provider:
                j.votes_p += 1
            else:
                j.votes_c += 1
            if j.votes_p >= j.quorum:
                self.move(esc.address, j.provider, j.bond)
                j.bond = 0
                self.pay_provider(j)
                OUTCOMES["dispute: ruled for the provider"] += 1
            elif j.votes_c >= j.quorum:
                self.move(esc.address, treasury_addr, j.bond)
                j.bond = 0
                self.refund(j)
                released = self.release(j)
                if released:
                    # Released collateral is now free stake: the slash takes it from there.
                    self.slash_model(j.provider, released, j.client)
                j.status = REJECTED
                OUTCOMES["dispute: ruled for the client (collateral slashed)"] += 1

        @precondition(lambda self: self.live({DISPUTED}))
        @rule(data=st.data(), g=st.integers(0, 2), for_provider=st.booleans())
        def rule_dispute(self, data, g, for_provider):
            ids = self.live({DISPUTED})
            self.do_rule(
                self.pick(
                    data,
                    [
                        i
                        for i in ids
                        if self.in_time(self.jobs[i].deadline) and guards[g] not in self.jobs[i].ruled
                    ],
                    ids,
                ),
                g,
                for_provider,
            )

        @precondition(lambda self: any(self.in_time(self.jobs[i].deadline) for i in self.live({DISPUTED})))
        @rule(
            data=st.data(),
            order=st.permutations([0, 1, 2]),
            votes=st.lists(st.booleans(), min_size=1, max_size=3),
        )
        def committee_rules(self, data, order, votes):
            """Compound step: one to three distinct guardians vote on an open dispute (fewer than a
            quorum in agreement leaves it to the default ruling once the period ends)."""
            j_id = data.draw(
                st.sampled_from([i for i in self.live({DISPUTED}) if self.in_time(self.jobs[i].deadline)])
            )
            for g, vote in zip(order, votes, strict=False):  # the first len(votes) of the order vote
                if self.jobs[j_id].status != DISPUTED:
                    break
                self.do_rule(j_id, g, vote)

        def do_feedback(self, j_id: int, rating: int):
            j = self.jobs[j_id]
            if j.rated:
                raw.expect_revert("Reputation: already rated", j.client, rep, "giveFeedback", j_id, rating)
            elif j.client == j.provider:
                raw.expect_revert("Reputation: self-rating", j.client, rep, "giveFeedback", j_id, rating)
            else:
                tx = self.send({CAUSE_FEEDBACK}, j.client, rep, "giveFeedback", j_id, rating)
                j.rated = True
                (ch,) = tx.logs(rep, "ReputationChanged")
                block = int(tx.raw["blockNumber"], 16)
                call = {"to": rep.address, "data": rep.calldata("getPastReputation", j.client, block)}
                rater = rep.result("getPastReputation", 2, raw.rpc.request("eth_call", [call, "pending"]))
                pair = (j.client, j.provider)
                before = self.paid_pairs.get(pair, 0)
                assert ch.current == feedback_model(
                    ch.previous, rating, j.budget, ref_value, rater, before, cap_bps
                )
                if rater == 0:
                    assert ch.current == ch.previous
                    OUTCOMES["feedback from a rater at 0 (no effect)"] += 1
                if ch.current > ch.previous:
                    assert ch.current <= rater * cap_bps // BPS
                self.paid_pairs[pair] = before + j.budget
                assert raw.view(rep, "paidInRated", *pair) == self.paid_pairs[pair]
                OUTCOMES["feedback"] += 1

        @rule(data=st.data(), rating=st.integers(0, 100))
        def feedback(self, data, rating):
            ids = self.live({COMPLETED})
            if not ids:
                raw.expect_revert(None, outsider, rep, "giveFeedback", 10**6, rating)
                return
            self.do_feedback(self.pick(data, [i for i in ids if not self.jobs[i].rated], ids), rating)

        @rule(
            c=st.integers(0, 3),
            p=st.integers(0, 3),
            e=st.integers(0, 4),
            budget=st.integers(1, 5_000),
            outcome=st.sampled_from(
                ["complete", "claim_payment", "reject", "for_provider", "for_client", "default", "expire"]
            ),
            order=st.permutations([0, 1, 2]),
            rating=st.integers(0, 100),
        )
        def job_lifecycle(self, c, p, e, budget, outcome, order, rating):
            """Compound step: one job from creation to a chosen end, travelling past each timer it
            waits for, through the same helpers (and model updates) as the single-step rules."""
            job_id = self.do_create_and_fund(c, p, e, budget, 300, "accept_job")
            if job_id is None:
                return
            OUTCOMES[f"job_lifecycle: {outcome}"] += 1
            j = self.jobs[job_id]
            if outcome == "expire":
                raw.travel_to(max(self.now() + 1, j.expired_at))
                assert self.try_refund(job_id, outsider)
                return
            assert self.do_submit(job_id)
            if outcome == "complete":
                self.do_complete(job_id)
            elif outcome == "claim_payment":
                raw.travel_to(max(self.now() + 1, j.deadline))
                assert self.try_payment(job_id, outsider)
            else:
                self.do_reject(job_id)
                if outcome == "reject":
                    raw.travel_to(max(self.now() + 1, j.deadline))
                    assert self.try_refund(job_id, outsider)
                    return
                assert self.do_dispute(job_id)
                if outcome == "default":
                    self.do_rule(job_id, order[0], True)  # one vote is not a quorum of three
                    raw.travel_to(max(self.now() + 1, j.deadline))
                    assert self.try_refund(job_id, outsider)
                    return
                for g in order[: j.quorum]:
                    self.do_rule(job_id, g, outcome == "for_provider")
                assert j.status == (COMPLETED if outcome == "for_provider" else REJECTED) and j.bond == 0
            if j.status == COMPLETED:
                self.do_feedback(job_id, rating)

        @rule(who=st.integers(0, 3))
        def unauthorised_writes_fail(self, who):
            raw.expect_revert(
                "access_control: account is missing role",
                outsider,
                rep,
                "recordPenalty",
                agents[who],
                PENALTY_SLASH,
            )
            raw.expect_revert(
                "access_control: account is missing role", outsider, stk, "slash", agents[who], WEI, outsider
            )

        @rule(seconds=st.sampled_from([1, 10, 30, 61, 121, 200]))
        def advance_time(self, seconds):
            raw.travel_to(self.now() + seconds)

        @precondition(
            lambda self: any(
                j.status in (OPEN, FUNDED, SUBMITTED, DISPUTED) or (j.status == REJECTED and j.held)
                for j in self.jobs.values()
            )
        )
        @rule()
        def settle_everything(self):
            """Liveness: after every timer has run out, permissionless calls end every live job."""
            raw.travel_to(self.now() + 1_000)
            for j_id, j in self.jobs.items():
                if j.status == SUBMITTED:
                    assert self.try_payment(j_id, outsider)
                elif j.status in (OPEN, FUNDED, DISPUTED) or (j.status == REJECTED and j.held):
                    assert self.try_refund(j_id, outsider)
                assert j.status in (COMPLETED, REJECTED, EXPIRED) and j.held == 0 and j.bond == 0
                assert raw.view(esc, "getJob", j_id).status == j.status

        # ------------------------------------------------------------ invariants

        @invariant()
        def step_counter(self):
            STEPS_RUN["steps"] += 1

        @invariant()
        def tokens_conserved_and_balances_match(self):
            *balances, supply = raw.views(
                [*((tok, "balanceOf", (addr,)) for addr in holders), (tok, "totalSupply", ())]
            )
            total = 0
            for addr, actual in zip(holders, balances, strict=True):
                assert actual == self.bal[addr], f"balance of {addr}: chain {actual} model {self.bal[addr]}"
                total += actual
            assert sum(self.bal.values()) == total
            assert supply == self.supply

        @invariant()
        def escrow_holds_live_budgets_and_bonds(self):
            expected = sum(j.held + j.bond for j in self.jobs.values())
            assert self.bal[esc.address] == expected == raw.view(esc, "totalEscrowed")

        @invariant()
        def staking_holds_bonded_plus_queued(self):
            bonded = sum(s.bonded for s in self.stakes.values())
            queued = sum(s.queued for s in self.stakes.values())
            names = ("bondedOf", "lockedOf", "queuedOf")
            total_bonded, total_queued, *views = raw.views(
                [
                    (stk, "totalBonded", ()),
                    (stk, "totalQueued", ()),
                    *((stk, n, (a,)) for a in agents for n in names),
                ]
            )
            assert total_bonded == bonded and total_queued == queued
            assert self.bal[stk.address] == bonded + queued  # the balance itself is checked above
            for i, a in enumerate(agents):
                s = self.stakes[a]
                assert tuple(views[3 * i : 3 * i + 3]) == (s.bonded, s.locked, s.queued)
                live_collateral = sum(j.collateral for j in self.jobs.values() if j.provider == a)
                assert s.locked <= live_collateral

        def teardown(self):
            raw.revert(snap["id"])
            snap["id"] = raw.snapshot()

    examples = EXAMPLES
    for _round in range(4):
        run_state_machine_as_test(
            Market,
            settings=settings(
                max_examples=examples,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                print_blob=True,
                phases=list(Phase) if SHRINK else [p for p in Phase if p is not Phase.shrink],
            ),
        )
        missing = MIN_STEPS - STEPS_RUN["steps"]
        if missing <= 0:
            break
        # twice the examples the missing steps would need at full length, so one more round usually suffices
        examples = max(10, 2 * missing // STEPS)
    assert STEPS_RUN["steps"] >= MIN_STEPS, f"only {STEPS_RUN['steps']} stateful steps ran"
    print(f"\nstateful: {STEPS_RUN['examples']} examples, {STEPS_RUN['steps']} steps")
    print(f"sent: {dict(raw.sent.most_common())}")
    print(f"reverts checked: {dict(raw.reverted.most_common())}")
    print(f"outcomes: {dict(OUTCOMES.most_common())}")
