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

Size: EMERGENT_STATEFUL_EXAMPLES (default 10) x EMERGENT_STATEFUL_STEPS (default 30) steps
(~0.5 s per step on anvil through ape: the default run takes about two minutes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import ape
from eth_utils import keccak
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

EXAMPLES = int(os.environ.get("EMERGENT_STATEFUL_EXAMPLES", "10"))
STEPS = int(os.environ.get("EMERGENT_STATEFUL_STEPS", "30"))
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
    agents = [accounts[i] for i in (1, 2, 3, 4)]
    outsider = accounts[5]
    staking.setSlasher(deployer, True, sender=deployer)
    for a in agents:
        fund_agent(a, 100_000 * WEI)
    for g in guardians:
        fund_agent(g, 0)
    holders = {a.address: a for a in [*agents, *guardians, deployer, treasury, outsider]}
    holders[escrow.address] = escrow
    holders[staking.address] = staking
    share_bps = staking.slashBeneficiaryShareBps()
    fee_bps = escrow.feeBps()
    bond_amount = escrow.disputeBond()
    min_stake = escrow.minProviderStake()
    g_floor_stake, g_floor_rep = escrow.guardianMinStake(), escrow.guardianMinReputation()
    snap = {"id": chain.snapshot()}
    w3 = chain.provider.web3

    def fast(contract, signature: str, *addresses) -> int:
        """A uint256 view read straight through web3 (ape's call machinery is ~10x slower)."""
        data = "0x" + keccak(text=signature)[:4].hex() + "".join(str(a).lower()[2:].rjust(64, "0") for a in addresses)
        return int.from_bytes(w3.eth.call({"to": str(contract.address), "data": data}), "big")

    class Market(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            STEPS_RUN["examples"] += 1
            self.bal = {addr: token.balanceOf(addr) for addr in holders}
            self.supply = token.totalSupply()
            self.stakes = {a.address: MStake() for a in [*agents, *guardians]}
            for g in guardians:
                self.stakes[g.address].bonded = staking.bondedOf(g)
            self.jobs: dict[int, MJob] = {}
            self.n_guardians = escrow.guardianCount()

        # ------------------------------------------------------------ helpers

        def now(self) -> int:
            return chain.blocks.head.timestamp

        def reps(self) -> dict[str, int]:
            return {a.address: fast(reputation, "reputationOf(address)", a.address) for a in agents}

        def send(self, allowed_causes: set[int], fn, *args, **kw):
            """Send a tx; check that reputation moved only as this rule allows."""
            before = self.reps()
            tx = fn(*args, **kw)
            changed = set()
            for ev in tx.decode_logs(reputation.ReputationChanged):
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
                self.move(staking.address, beneficiary, to_b)
            self.move(staking.address, treasury.address, total - to_b)
            return total

        def pay_provider(self, job: MJob):
            fee = job.held * fee_bps // BPS
            self.move(escrow.address, treasury.address, fee)
            self.move(escrow.address, job.provider, job.held - fee)
            job.held = 0
            job.status = COMPLETED
            self.release(job)

        def refund(self, job: MJob):
            self.move(escrow.address, job.client, job.held)
            job.held = 0

        def live(self, statuses):
            return [i for i, j in self.jobs.items() if j.status in statuses]

        # ------------------------------------------------------------ staking rules

        @rule(who=st.integers(0, 3), amount=st.integers(1, 3_000))
        def stake(self, who, amount):
            a = agents[who]
            self.send(set(), staking.stake, amount * WEI, sender=a)
            self.stakes[a.address].bonded += amount * WEI
            self.move(a.address, staking.address, amount * WEI)

        @rule(who=st.integers(0, 3), frac=st.integers(1, 100))
        def request_unstake(self, who, frac):
            a = agents[who]
            s = self.stakes[a.address]
            free = s.bonded - s.locked
            amount = free * frac // 100
            if amount == 0:
                with ape.reverts():
                    staking.requestUnstake(0, sender=a)
                return
            tx = self.send(set(), staking.requestUnstake, amount, sender=a)
            s.bonded -= amount
            s.queued += amount
            s.ends = tx.decode_logs(staking.UnstakeRequested)[0].unlocksAt

        @rule(who=st.integers(0, 3))
        def withdraw(self, who):
            a = agents[who]
            s = self.stakes[a.address]
            now = self.now()
            if s.queued == 0:
                with ape.reverts("Staking: nothing queued"):
                    staking.withdraw(sender=a)
            elif now >= s.ends:
                self.send(set(), staking.withdraw, sender=a)
                self.move(staking.address, a.address, s.queued)
                s.queued = 0
            elif now + SAFETY < s.ends:
                with ape.reverts("Staking: still unbonding"):
                    staking.withdraw(sender=a)

        @rule(who=st.integers(0, 3), amount=st.integers(1, 2_000), to_victim=st.booleans())
        def owner_slash(self, who, amount, to_victim):
            a = agents[who]
            victim = agents[(who + 1) % 4].address if to_victim else "0x" + "00" * 20
            tx = self.send({PENALTY_SLASH}, staking.slash, a, amount * WEI, victim, sender=deployer)
            total = self.slash_model(a.address, amount * WEI, victim if to_victim else None)
            assert tx.return_value == total

        # ------------------------------------------------------------ escrow rules

        @rule(c=st.integers(0, 3), p=st.integers(0, 3), e=st.integers(0, 4), budget=st.integers(1, 5_000), expires=st.integers(20, 400))
        def create_and_fund(self, c, p, e, budget, expires):
            client, provider = agents[c], agents[p]
            evaluator = client if e == 4 else agents[e]
            budget_wei = budget * WEI
            tx = self.send(set(), escrow.createJob, provider, evaluator, self.now() + expires + SAFETY, "job", sender=client)
            job_id = tx.decode_logs(escrow.JobCreated)[0].jobId
            expired_at = escrow.getJob(job_id).expiredAt
            self.jobs[job_id] = MJob(client.address, provider.address, evaluator.address, budget_wei, expired_at, status=OPEN)
            self.send(set(), escrow.setBudget, job_id, budget_wei, sender=provider)
            s = self.stakes[provider.address]
            collateral = -(-budget_wei * escrow.collateralRatioBps() // BPS)
            if s.bonded < min_stake:
                with ape.reverts("ServiceEscrow: provider stake below minimum"):
                    escrow.fund(job_id, budget_wei, sender=client)
                return
            if s.bonded - s.locked < collateral:
                with ape.reverts("ServiceEscrow: provider collateral insufficient"):
                    escrow.fund(job_id, budget_wei, sender=client)
                return
            self.send(set(), escrow.fund, job_id, budget_wei, sender=client)
            j = self.jobs[job_id]
            j.status, j.held, j.collateral = FUNDED, budget_wei, collateral
            s.locked += collateral
            self.move(client.address, escrow.address, budget_wei)

        @rule(data=st.data())
        def submit(self, data):
            ids = self.live({FUNDED})
            if not ids:
                return
            job_id = data.draw(st.sampled_from(ids))
            j = self.jobs[job_id]
            now = self.now()
            if now + SAFETY < j.expired_at:
                self.send(set(), escrow.submit, job_id, b"\x01" * 32, sender=accounts_by(j.provider))
                j.status = SUBMITTED
                j.deadline = escrow.getJob(job_id).deadline
            elif now >= j.expired_at:
                with ape.reverts("ServiceEscrow: job expired"):
                    escrow.submit(job_id, b"\x01" * 32, sender=accounts_by(j.provider))

        @rule(data=st.data())
        def complete(self, data):
            ids = self.live({SUBMITTED})
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            self.send(set(), escrow.complete, j_id, b"\x02" * 32, sender=accounts_by(j.evaluator))
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
            self.send(set(), escrow.reject, j_id, b"\x03" * 32, sender=accounts_by(who))
            j.status = REJECTED
            if status == FUNDED:
                self.refund(j)
                self.release(j)
            elif status == SUBMITTED:
                j.deadline = escrow.getJob(j_id).deadline

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
                    self.send(allowed, escrow.claimRefund, j_id, sender=caller)
                    if j.status == FUNDED:
                        self.refund(j)
                        self.release(j)
                    j.status = EXPIRED
                    return True
                if now + SAFETY < j.expired_at:
                    with ape.reverts("ServiceEscrow: job not expired"):
                        escrow.claimRefund(j_id, sender=caller)
            elif j.status == SUBMITTED:
                with ape.reverts("ServiceEscrow: submitted work awaits review"):
                    escrow.claimRefund(j_id, sender=caller)
            elif j.status == REJECTED and j.held > 0:
                if now >= j.deadline:
                    self.send(set(), escrow.claimRefund, j_id, sender=caller)
                    self.refund(j)
                    self.release(j)
                    return True
                if now + SAFETY < j.deadline:
                    with ape.reverts("ServiceEscrow: dispute window open"):
                        escrow.claimRefund(j_id, sender=caller)
            elif j.status == DISPUTED:
                if now >= j.deadline:
                    self.send(set(), escrow.claimRefund, j_id, sender=caller)
                    self.move(escrow.address, j.provider, j.bond)
                    j.bond = 0
                    self.refund(j)
                    self.release(j)
                    j.status = REJECTED
                    return True
                if now + SAFETY < j.deadline:
                    with ape.reverts("ServiceEscrow: ruling period open"):
                        escrow.claimRefund(j_id, sender=caller)
            else:
                with ape.reverts("ServiceEscrow: nothing to refund"):
                    escrow.claimRefund(j_id, sender=caller)
            return False

        def try_payment(self, j_id, caller) -> bool:
            j = self.jobs[j_id]
            now = self.now()
            if now >= j.deadline:
                self.send(set(), escrow.claimPayment, j_id, sender=caller)
                self.pay_provider(j)
                return True
            if now + SAFETY < j.deadline:
                with ape.reverts("ServiceEscrow: review window open"):
                    escrow.claimPayment(j_id, sender=caller)
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
            provider = accounts_by(j.provider)
            if now + SAFETY < j.deadline:
                self.send(set(), escrow.dispute, j_id, sender=provider)
                j.status = DISPUTED
                j.bond = bond_amount
                j.quorum = self.n_guardians // 2 + 1
                j.deadline = escrow.getJob(j_id).deadline
                self.move(j.provider, escrow.address, bond_amount)
            elif now >= j.deadline:
                with ape.reverts("ServiceEscrow: dispute window closed"):
                    escrow.dispute(j_id, sender=provider)

        @rule(data=st.data(), g=st.integers(0, 2), for_provider=st.booleans())
        def rule_dispute(self, data, g, for_provider):
            ids = self.live({DISPUTED})
            if not ids:
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            guardian = guardians[g]
            now = self.now()
            if guardian.address in j.ruled:
                with ape.reverts("ServiceEscrow: already ruled"):
                    escrow.rule(j_id, for_provider, sender=guardian)
                return
            if now >= j.deadline:
                with ape.reverts("ServiceEscrow: ruling period over"):
                    escrow.rule(j_id, for_provider, sender=guardian)
                return
            if now + SAFETY >= j.deadline:
                return
            gs = self.stakes[guardian.address]
            assert gs.bonded >= g_floor_stake and reputation.reputationOf(guardian) >= g_floor_rep
            self.send({PENALTY_SLASH, PENALTY_DISPUTE_LOST}, escrow.rule, j_id, for_provider, sender=guardian)
            j.ruled.add(guardian.address)
            if for_provider:
                j.votes_p += 1
            else:
                j.votes_c += 1
            if j.votes_p >= j.quorum:
                self.move(escrow.address, j.provider, j.bond)
                j.bond = 0
                self.pay_provider(j)
            elif j.votes_c >= j.quorum:
                self.move(escrow.address, treasury.address, j.bond)
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
                with ape.reverts():
                    reputation.giveFeedback(10**6, rating, sender=outsider)
                return
            j_id = data.draw(st.sampled_from(ids))
            j = self.jobs[j_id]
            client = accounts_by(j.client)
            if j.rated:
                with ape.reverts("Reputation: already rated"):
                    reputation.giveFeedback(j_id, rating, sender=client)
            elif j.client == j.provider:
                with ape.reverts("Reputation: self-rating"):
                    reputation.giveFeedback(j_id, rating, sender=client)
            else:
                self.send({CAUSE_FEEDBACK}, reputation.giveFeedback, j_id, rating, sender=client)
                j.rated = True

        @rule(who=st.integers(0, 3))
        def unauthorised_writes_fail(self, who):
            with ape.reverts("Reputation: caller is not a writer"):
                reputation.recordPenalty(agents[who], PENALTY_SLASH, sender=outsider)
            with ape.reverts("Staking: caller is not a slasher"):
                staking.slash(agents[who], WEI, outsider, sender=outsider)

        @rule(seconds=st.sampled_from([1, 10, 30, 61, 121, 200]))
        def advance_time(self, seconds):
            chain.pending_timestamp = self.now() + seconds
            chain.mine()

        @precondition(lambda self: any(j.status in (OPEN, FUNDED, SUBMITTED, DISPUTED) or (j.status == REJECTED and j.held) for j in self.jobs.values()))
        @rule()
        def settle_everything(self):
            """Liveness: after every timer has run out, permissionless calls end every live job."""
            chain.pending_timestamp = self.now() + 1_000
            chain.mine()
            for j_id, j in self.jobs.items():
                if j.status == SUBMITTED:
                    assert self.try_payment(j_id, outsider)
                elif j.status in (OPEN, FUNDED, DISPUTED) or (j.status == REJECTED and j.held):
                    assert self.try_refund(j_id, outsider)
                assert j.status in (COMPLETED, REJECTED, EXPIRED) and j.held == 0 and j.bond == 0
                assert escrow.getJob(j_id).status == j.status

        # ------------------------------------------------------------ invariants

        @invariant()
        def step_counter(self):
            STEPS_RUN["steps"] += 1

        @invariant()
        def tokens_conserved_and_balances_match(self):
            total = 0
            for addr in holders:
                actual = fast(token, "balanceOf(address)", addr)
                assert actual == self.bal[addr], f"balance of {addr}: chain {actual} model {self.bal[addr]}"
                total += actual
            assert sum(self.bal.values()) == total
            assert fast(token, "totalSupply()") == self.supply

        @invariant()
        def escrow_holds_live_budgets_and_bonds(self):
            expected = sum(j.held + j.bond for j in self.jobs.values())
            assert self.bal[escrow.address] == expected == fast(escrow, "totalEscrowed()")

        @invariant()
        def staking_holds_bonded_plus_queued(self):
            bonded = sum(s.bonded for s in self.stakes.values())
            queued = sum(s.queued for s in self.stakes.values())
            assert fast(staking, "totalBonded()") == bonded and fast(staking, "totalQueued()") == queued
            assert self.bal[staking.address] == bonded + queued  # the balance itself is checked above
            for a in agents:
                s = self.stakes[a.address]
                chain_view = tuple(fast(staking, f"{n}(address)", a.address) for n in ("bondedOf", "lockedOf", "queuedOf"))
                assert chain_view == (s.bonded, s.locked, s.queued)
                live_collateral = sum(j.collateral for j in self.jobs.values() if j.provider == a.address)
                assert s.locked <= live_collateral

        def teardown(self):
            chain.restore(snap["id"])
            snap["id"] = chain.snapshot()

    def accounts_by(address: str):
        return holders[address] if address in holders else next(a for a in agents if a.address == address)

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
