"""Stateful property test of Staking's voting stake (issue 10, findings 4 and 6).

Random stake / requestUnstake / cancelUnstake / slash / activateVoting / deactivateVoting (by the account
or by a stranger) / gate changes, against a shadow model. After every step:

- the quorum base is exactly the bonded stake of the active accounts: `totalVotingStake()` and
  `getPastTotalSupply(previous block)` equal the model's sum;
- an account's votes are its bonded stake while active and 0 otherwise; the zero address has none;
- Staking holds exactly totalBonded + totalQueued tokens (nothing leaks through (de)activation).

Reverts are predicted by the model and checked with their exact reason.
"""

from __future__ import annotations

import os

import ape
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.fixtures.market import WEI

EXAMPLES = int(os.environ.get("EMERGENT_VOTING_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("EMERGENT_VOTING_STATEFUL_STEPS", "14"))
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.mark.slow
def test_voting_stake__total_is_active_bonded_stake__under_random_operations(
    project, chain, staking, token, deployer, fund_agent, alice, bob, carol, dave, eve
):
    gate = project.MockVotingGate.deploy(0, sender=deployer)
    staking.setVotingGate(gate, sender=deployer)
    staking.grantRole(staking.SLASHER_ROLE(), dave, sender=deployer)
    agents = [alice, bob, carol]
    for a in agents:
        fund_agent(a, 10_000 * WEI)
        token.approve(staking, 2**255, sender=a)
    base_total = staking.totalVotingStake()
    base_bonded = {a.address: staking.bondedOf(a) for a in agents}
    base_queued = {a.address: staking.queuedOf(a) for a in agents}
    base_active = {a.address: staking.votingActive(a) for a in agents}
    snap = chain.snapshot()

    class VotingStake(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            chain.restore(nonlocal_snap[0])  # anvil drops a snapshot once reverted to: take it again
            nonlocal_snap[0] = chain.snapshot()
            self.bonded = dict(base_bonded)
            self.queued = dict(base_queued)
            self.active = dict(base_active)
            self.gate = 0
            self.other = base_total - sum(self.bonded[a] for a in self.bonded if self.active[a])

        def model_total(self):
            return self.other + sum(v for a, v in self.bonded.items() if self.active[a])

        @rule(i=st.integers(0, 2), amount=st.integers(1, 3_000))
        def stake(self, i, amount):
            staking.stake(amount * WEI, sender=agents[i])
            self.bonded[agents[i].address] += amount * WEI

        @rule(i=st.integers(0, 2), share=st.integers(1, 100))
        def request_unstake(self, i, share):
            a = agents[i].address
            amount = self.bonded[a] * share // 100
            if amount == 0:
                with ape.reverts("Staking: zero amount"):
                    staking.requestUnstake(0, sender=agents[i])
                return
            staking.requestUnstake(amount, sender=agents[i])
            self.bonded[a] -= amount
            self.queued[a] += amount

        @rule(i=st.integers(0, 2))
        def cancel_unstake(self, i):
            a = agents[i].address
            if self.queued[a] == 0:
                with ape.reverts("Staking: nothing queued"):
                    staking.cancelUnstake(sender=agents[i])
                return
            staking.cancelUnstake(sender=agents[i])
            self.bonded[a] += self.queued[a]
            self.queued[a] = 0

        @rule(i=st.integers(0, 2), amount=st.integers(1, 5_000))
        def slash(self, i, amount):
            a = agents[i].address
            got = staking.slash(a, amount * WEI, ZERO, sender=dave).return_value
            take = min(amount * WEI, self.bonded[a] + self.queued[a])
            assert got == take
            from_bonded = min(take, self.bonded[a])  # nothing is locked here: free first, then queued
            self.bonded[a] -= from_bonded
            self.queued[a] -= take - from_bonded

        @rule(i=st.integers(0, 2), by_self=st.booleans())
        def activate(self, i, by_self):
            a = agents[i]
            caller = a if by_self else eve
            if self.active[a.address]:
                with ape.reverts("Staking: voting already active"):
                    staking.activateVoting(a, sender=caller)
            elif self.gate > 0:  # every agent here has reputation 0
                with ape.reverts("Staking: reputation below voting gate"):
                    staking.activateVoting(a, sender=caller)
            else:
                staking.activateVoting(a, sender=caller)
                self.active[a.address] = True

        @rule(i=st.integers(0, 2), by_self=st.booleans())
        def deactivate(self, i, by_self):
            a = agents[i]
            caller = a if by_self else eve
            if not self.active[a.address]:
                with ape.reverts("Staking: voting not active"):
                    staking.deactivateVoting(a, sender=caller)
            elif not by_self and self.gate == 0:
                with ape.reverts("Staking: reputation not below voting gate"):
                    staking.deactivateVoting(a, sender=caller)
            else:
                staking.deactivateVoting(a, sender=caller)
                self.active[a.address] = False

        @rule(value=st.sampled_from([0, 1]))
        def set_gate(self, value):
            gate.setGate(value, sender=deployer)
            self.gate = value

        @invariant()
        def quorum_base_is_active_bonded_stake(self):
            assert staking.totalVotingStake() == self.model_total()
            for a in agents:
                assert staking.bondedOf(a) == self.bonded[a.address]
                assert staking.votingActive(a) == self.active[a.address]
                assert staking.getVotes(a) == (self.bonded[a.address] if self.active[a.address] else 0)
            assert staking.getVotes(ZERO) == 0
            chain.mine(1)
            t = chain.blocks.head.number - 1
            assert staking.getPastTotalSupply(t) == self.model_total()
            assert staking.getPastVotes(ZERO, t) == 0
            assert token.balanceOf(staking) == staking.totalBonded() + staking.totalQueued()

    nonlocal_snap = [snap]
    try:
        run_state_machine_as_test(
            VotingStake,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        chain.restore(nonlocal_snap[0])
