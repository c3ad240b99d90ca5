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
  rule allows, and an agent without such an event never gains reputation.

Transactions go through raw JSON-RPC (`tests/stateful/rawchain.py`): eth_sendTransaction from
the unlocked test accounts with a fixed gas limit, receipts decoded by hand, expected reverts
checked with an eth_call at the pending block (exact revert string, nothing sent), views read in
one batch per invariant. ape's call path costs ~0.3 s per transaction; this costs milliseconds.

Size: EMERGENT_STATEFUL_EXAMPLES (default 60) x EMERGENT_STATEFUL_STEPS (default 80) steps; the test
prints how many steps ran (hypothesis ends some examples early).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from tests.fixtures.market import (
    CAUSE_FEEDBACK,
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

EXAMPLES = int(os.environ.get("EMERGENT_STATEFUL_EXAMPLES", "60"))
STEPS = int(os.environ.get("EMERGENT_STATEFUL_STEPS", "80"))
BPS = 10_000
SAFETY = 5  # seconds of slack around a deadline: ambiguous moments are skipped, not guessed
STEPS_RUN = {"steps": 0, "examples": 0}


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


def test_market_stateful(chain, token, registry, staking, escrow, reputation, deployer, accounts, guardians, treasury, fund_agent):
    agent_accounts = [accounts[i] for i in (1, 2, 3, 4)]
    staking.setSlasher(deployer, True, sender=deployer)
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
    snap = {"id": raw.snapshot()}

    class Market(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            STEPS_RUN["examples"] += 1
            balances = raw.views([(tok, "balanceOf", (addr,)) for addr in holders])
            self.bal = dict(zip(holders, balances))
            self.supply = raw.view(tok, "totalSupply")
            self.stakes = {a: MStake() for a in [*agents, *guards]}
            for g, bonded in zip(guards, raw.views([(stk, "bondedOf", (g,)) for g in guards])):
                self.stakes[g].bonded = bonded
            self.jobs: dict[int, MJob] = {}
            self.n_guardians = raw.view(esc, "guardianCount")

        # ------------------------------------------------------------ helpers

        def now(self) -> int:
            return raw.now()

        def reps(self) -> dict[str, int]:
            return dict(zip(agents, raw.views([(rep, "reputationOf", (a,)) for a in agents])))

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

        @rule(who=st.integers(0, 3), amount=st.integers(1, 2_000), to_victim=st.booleans())
        def owner_slash(self, who, amount, to_victim):
            a = agents[who]
            victim = agents[(who + 1) % 4] if to_victim else "0x" + "00" * 20
            # The return value: simulated at the pending block on the same state, then sent.
            returned = raw.simulate(owner, stk, "slash", a, amount * WEI, victim)
            tx = self.send({PENALTY_SLASH}, owner, stk, "slash", a, amount * WEI, victim)
            total = self.slash_model(a, amount * WEI, victim if to_victim else None)
            assert returned == total
            assert [e.amount for e in tx.logs(stk, "Slashed")] == ([total] if total else [])

        # ------------------------------------------------------------ escrow rules

        @rule(c=st.integers(0, 3), p=st.integers(0, 3), e=st.integers(0, 4), budget=st.integers(1, 5_000), expires=st.integers(20, 400))
        def create_and_fund(self, c, p, e, budget, expires):
            client, provider = agents[c], agents[p]
            evaluator = client if e == 4 else agents[e]
            budget_wei = budget * WEI
            tx = self.send(set(), client, esc, "createJob", provider, evaluator, self.now() + expires + SAFETY, "job")
            job_id = tx.logs(esc, "JobCreated")[0].jobId
            expired_at = raw.view(esc, "getJob", job_id).expiredAt
            self.jobs[job_id] = MJob(client, provider, evaluator, budget_wei, expired_at, status=OPEN)
            self.send(set(), provider, esc, "setBudget", job_id, budget_wei)
            s = self.stakes[provider]
            collateral = -(-budget_wei * raw.view(esc, "collateralRatioBps") // BPS)
            if s.bonded < min_stake:
                raw.expect_revert("ServiceEscrow: provider stake below minimum", client, esc, "fund", job_id, budget_wei)
                return
            if s.bonded - s.locked < collateral:
                raw.expect_revert("ServiceEscrow: provider collateral insufficient", client, esc, "fund", job_id, budget_wei)
                return
            self.send(set(), client, esc, "fund", job_id, budget_wei)
            j = self.jobs[job_id]
            j.status, j.held, j.collateral = FUNDED, budget_wei, collateral
            s.locked += collateral
            self.move(client, esc.address, budget_wei)

        @rule(data=st.data())
        def submit(self, data):
            ids = self.live({FUNDED})
            if not ids:
                return
            job_id = data.draw(st.sampled_from(ids))
            j = self.jobs[job_id]
            now = self.now()
            if now + SAFETY < j.expired_at:
                self.send(set(), j.provider, esc, "submit", job_id, b"\x01" * 32)
                j.status = SUBMITTED
                j.deadline = raw.view(esc, "getJob", job_id).deadline
            elif now >= j.expired_at:
                raw.expect_revert("ServiceEscrow: job expired", j.provider, esc, "submit", job_id, b"\x01" * 32)

        @rule(data=st.data())
        def complete(self, data):
            ids = self.live({SUBMITTED})
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            self.send(set(), j.evaluator, esc, "complete", j_id, b"\x02" * 32)
            self.pay_provider(j)

        @rule(data=st.data())
        def reject(self, data):
            ids = self.live({OPEN, FUNDED, SUBMITTED})
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
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

        @rule(data=st.data())
        def claim_refund(self, data):
            ids = list(self.jobs)
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            self.try_refund(j_id, outsider)

        def try_refund(self, j_id, caller) -> bool:
            j = self.jobs[j_id]
            now = self.now()
            if j.status in (OPEN, FUNDED):
                if now >= j.expired_at:
                    allowed = {PENALTY_EXPIRY} if j.status == FUNDED else set()
                    self.send(allowed, caller, esc, "claimRefund", j_id)
                    if j.status == FUNDED:
                        self.refund(j)
                        self.release(j)
                    j.status = EXPIRED
                    return True
                if now + SAFETY < j.expired_at:
                    raw.expect_revert("ServiceEscrow: job not expired", caller, esc, "claimRefund", j_id)
            elif j.status == SUBMITTED:
                raw.expect_revert("ServiceEscrow: submitted work awaits review", caller, esc, "claimRefund", j_id)
            elif j.status == REJECTED and j.held > 0:
                if now >= j.deadline:
                    self.send(set(), caller, esc, "claimRefund", j_id)
                    self.refund(j)
                    self.release(j)
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
                return True
            if now + SAFETY < j.deadline:
                raw.expect_revert("ServiceEscrow: review window open", caller, esc, "claimPayment", j_id)
            return False

        @rule(data=st.data())
        def claim_payment(self, data):
            ids = self.live({SUBMITTED})
            if ids:
                self.try_payment(data.draw(st.sampled_from(ids)), outsider)

        @rule(data=st.data())
        def open_dispute(self, data):
            ids = [i for i in self.live({REJECTED}) if self.jobs[i].held > 0]
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            now = self.now()
            if now + SAFETY < j.deadline:
                self.send(set(), j.provider, esc, "dispute", j_id)
                j.status = DISPUTED
                j.bond = bond_amount
                j.quorum = self.n_guardians // 2 + 1
                j.deadline = raw.view(esc, "getJob", j_id).deadline
                self.move(j.provider, esc.address, bond_amount)
            elif now >= j.deadline:
                raw.expect_revert("ServiceEscrow: dispute window closed", j.provider, esc, "dispute", j_id)

        @rule(data=st.data(), g=st.integers(0, 2), for_provider=st.booleans())
        def rule_dispute(self, data, g, for_provider):
            ids = self.live({DISPUTED})
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            guardian = guards[g]
            now = self.now()
            if guardian in j.ruled:
                raw.expect_revert("ServiceEscrow: already ruled", guardian, esc, "rule", j_id, for_provider)
                return
            if now >= j.deadline:
                raw.expect_revert("ServiceEscrow: ruling period over", guardian, esc, "rule", j_id, for_provider)
                return
            if now + SAFETY >= j.deadline:
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
            elif j.votes_c >= j.quorum:
                self.move(esc.address, treasury_addr, j.bond)
                j.bond = 0
                self.refund(j)
                released = self.release(j)
                if released:
                    # Released collateral is now free stake: the slash takes it from there.
                    self.slash_model(j.provider, released, j.client)
                j.status = REJECTED

        @rule(data=st.data(), rating=st.integers(0, 100))
        def feedback(self, data, rating):
            ids = self.live({COMPLETED})
            if not ids:
                raw.expect_revert(None, outsider, rep, "giveFeedback", 10**6, rating)
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            if j.rated:
                raw.expect_revert("Reputation: already rated", j.client, rep, "giveFeedback", j_id, rating)
            elif j.client == j.provider:
                raw.expect_revert("Reputation: self-rating", j.client, rep, "giveFeedback", j_id, rating)
            else:
                self.send({CAUSE_FEEDBACK}, j.client, rep, "giveFeedback", j_id, rating)
                j.rated = True

        @rule(who=st.integers(0, 3))
        def unauthorised_writes_fail(self, who):
            raw.expect_revert("Reputation: caller is not a writer", outsider, rep, "recordPenalty", agents[who], PENALTY_SLASH)
            raw.expect_revert("Staking: caller is not a slasher", outsider, stk, "slash", agents[who], WEI, outsider)

        @rule(seconds=st.sampled_from([1, 10, 30, 61, 121, 200]))
        def advance_time(self, seconds):
            raw.travel_to(self.now() + seconds)

        @precondition(lambda self: any(j.status in (OPEN, FUNDED, SUBMITTED, DISPUTED) or (j.status == REJECTED and j.held) for j in self.jobs.values()))
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
            *balances, supply = raw.views([*((tok, "balanceOf", (addr,)) for addr in holders), (tok, "totalSupply", ())])
            total = 0
            for addr, actual in zip(holders, balances):
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
                [(stk, "totalBonded", ()), (stk, "totalQueued", ()), *((stk, n, (a,)) for a in agents for n in names)]
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

    run_state_machine_as_test(
        Market,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )
    print(f"\nstateful: {STEPS_RUN['examples']} examples, {STEPS_RUN['steps']} steps")
    print(f"sent: {dict(raw.sent.most_common())}")
    print(f"reverts checked: {dict(raw.reverted.most_common())}")
