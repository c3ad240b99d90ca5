"""Market memory from chain events: job lifecycle, trust, replay after restart, JSON round trip,
Observation."""

from __future__ import annotations

from types import MappingProxyType

from agents.chain.indexer import ChainEvent
from agents.chain.protocol import DisputeOutcome, JobStatus
from agents.cognition import Observation
from agents.market.services import TaskSpec
from agents.runtime.observe import (
    MarketMemory,
    Snapshot,
    apply_event,
    build_observation,
    close_window,
    prune,
    set_spec,
)

WEI = 10**18
ME = "0x" + "a" * 40
CLIENT = "0x" + "c" * 40
PROV = "0x" + "b" * 40
G = "0x" + "e" * 40


class Chain:
    """Builds ChainEvents with increasing (block, log_index)."""

    def __init__(self) -> None:
        self.block, self.li = 10, 0

    def ev(self, contract: str, event: str, **args) -> ChainEvent:
        self.li += 1
        return ChainEvent(self.block, "0x" + "0" * 64, self.li, contract, event, MappingProxyType(args))

    def next_block(self) -> None:
        self.block += 1
        self.li = 0


def lifecycle(ch: Chain, jid: int, client: str, provider: str, end: str) -> list[ChainEvent]:
    evs = [
        ch.ev(
            "ServiceEscrow",
            "JobCreated",
            jobId=jid,
            client=client,
            provider=provider,
            evaluator=client,
            expiredAt=500,
        ),
        ch.ev("ServiceEscrow", "BudgetSet", jobId=jid, amount=10 * WEI),
        ch.ev("ServiceEscrow", "JobFunded", jobId=jid, client=client, amount=10 * WEI),
    ]
    if end == "expired":
        return [
            *evs,
            ch.ev("ServiceEscrow", "JobExpired", jobId=jid),
            ch.ev("ServiceEscrow", "Refunded", jobId=jid, client=client, amount=10 * WEI),
        ]
    evs.append(
        ch.ev("ServiceEscrow", "JobSubmitted", jobId=jid, provider=provider, deliverable="0x" + "1" * 64)
    )
    if end == "completed":
        return [
            *evs,
            ch.ev("ServiceEscrow", "JobCompleted", jobId=jid, evaluator=client, reason="0x" + "0" * 64),
        ]
    evs += [
        ch.ev("ServiceEscrow", "JobRejected", jobId=jid, rejector=client, reason="0x" + "0" * 64),
        ch.ev(
            "ServiceEscrow",
            "DisputeOpened",
            jobId=jid,
            provider=provider,
            bond=WEI,
            rulingDeadline=900,
            quorum=2,
        ),
        ch.ev("ServiceEscrow", "DisputeRuled", jobId=jid, guardian=G, forProvider=False),
    ]
    if end == "slashed":
        return [
            *evs,
            ch.ev(
                "ServiceEscrow",
                "DisputeResolved",
                jobId=jid,
                outcome=DisputeOutcome.CLIENT,
                votesForProvider=0,
                votesForClient=2,
                slashed=2 * WEI,
            ),
            ch.ev(
                "Staking",
                "Slashed",
                account=provider,
                slasher=G,
                beneficiary=client,
                amount=2 * WEI,
                toBeneficiary=WEI,
                toTreasury=WEI,
            ),
        ]
    return evs


def test_job_lifecycle__statuses_and_outcomes():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    for e in (
        lifecycle(ch, 1, ME, PROV, "completed")
        + lifecycle(ch, 2, ME, PROV, "slashed")
        + lifecycle(ch, 3, ME, PROV, "expired")
    ):
        assert apply_event(mem, e)
    j1, j2, j3 = mem.jobs[1], mem.jobs[2], mem.jobs[3]
    assert (j1.status, j1.outcome) == (JobStatus.COMPLETED, "completed")
    assert (j2.status, j2.outcome, j2.ruled) == (JobStatus.REJECTED, "disputed_client_won", [G])
    assert (j3.status, j3.outcome) == (JobStatus.EXPIRED, "expired")
    assert mem.trust[PROV] == [1.0, 2.0]  # one good, two bad as seen by the client
    assert mem.public_bad[PROV] == 2
    assert mem.slashes[0]["agent"] == PROV
    assert mem.outcomes == {"completed": 1, "disputed_client_won": 1, "expired": 1}


def test_dispute_in_progress__disputed_with_deadline():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    for e in lifecycle(ch, 4, CLIENT, ME, "open-dispute"):
        apply_event(mem, e)
    assert (mem.jobs[4].status, mem.jobs[4].deadline, mem.jobs[4].outcome) == (
        JobStatus.DISPUTED,
        900,
        "open",
    )
    assert mem.window.won == {}  # service unknown until the description is read


def test_replay_after_restart__events_already_folded_are_skipped():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    evs = lifecycle(ch, 1, ME, PROV, "completed")
    for e in evs[:3]:
        apply_event(mem, e)
    saved = mem.to_dict()
    for e in evs[3:]:
        apply_event(mem, e)
    restored = MarketMemory.from_dict(saved)  # "kill -9" after the first three events were persisted
    folded = [apply_event(restored, e) for e in evs]  # the indexer replays from an older cursor
    assert folded == [False, False, False, True, True]
    assert restored.to_dict() == mem.to_dict()


def test_registry_reputation_stake_guardians_params_and_transfers():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    evs = [
        ch.ev("AgentRegistry", "Registered", agentId=3, agentURI="x", owner=ME, agentWallet=ME),
        ch.ev(
            "AgentRegistry",
            "ServicesUpdated",
            agentId=3,
            services=(MappingProxyType({"name": "factor", "price": 7 * WEI}),),
        ),
        ch.ev("Reputation", "ReputationChanged", account=PROV, cause=0, previous=0, current=4200),
        ch.ev("Staking", "BondedChanged", account=PROV, previous=0, current=500 * WEI),
        ch.ev("Staking", "DelegateVotesChanged", delegate=PROV, previousVotes=0, newVotes=300 * WEI),
        ch.ev("ServiceEscrow", "GuardianSet", account=G, enabled=True),
        ch.ev("ServiceEscrow", "ParameterUpdated", name="feeBps", previous=100, current=50),
        ch.ev("AgentToken", "Transfer", sender=CLIENT, receiver=ME, value=5 * WEI),
        ch.ev("AgentToken", "Transfer", sender=ME, receiver=CLIENT, value=2 * WEI),
    ]
    for e in evs:
        apply_event(mem, e)
    assert mem.agent_id == 3 and mem.my_asks() == {"factor": 7 * WEI}
    assert mem.reputation[PROV] == 4200 and mem.bonded[PROV] == 500 * WEI and mem.votes[PROV] == 300 * WEI
    assert mem.guardians == [G] and mem.params["feeBps"] == 50
    assert mem.param_changes == [{"block": 10, "name": "feeBps", "previous": 100, "current": 50}]
    assert (mem.window.earned, mem.window.spent) == (5 * WEI, 2 * WEI)


def test_observation__validates_and_reflects_the_window():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    evs = lifecycle(ch, 1, CLIENT, ME, "completed")
    apply_event(mem, evs[0])
    set_spec(mem, mem.jobs[1], TaskSpec.make("factor", 3, bits=14).encode())
    for e in evs[1:]:
        apply_event(mem, e)
    snap = Snapshot(block=20, timestamp=1000, token=900 * WEI, eth=2 * WEI, bonded=100 * WEI)
    obs = build_observation(mem, snap, 5, 5, ("factor", "merkle"))
    assert isinstance(obs, Observation) and obs.cycle == 0
    acts = {s.service: s for s in obs.services}
    assert (acts["factor"].won, acts["factor"].completed) == (1, 1)
    assert obs.balances.token == 900.0 and obs.job_arrival_rate == 1.0
    assert obs.interactions and obs.interactions[0].counterparty == CLIENT
    close_window(mem)
    assert build_observation(mem, snap, 5, 5, ("factor",)).services[0].won == 0


def test_prune__settled_jobs_forgotten_later_open_ones_kept():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    for e in (
        lifecycle(ch, 1, ME, PROV, "completed")
        + lifecycle(ch, 2, ME, PROV, "open-dispute")
        + lifecycle(ch, 3, CLIENT, PROV, "completed")
    ):
        apply_event(mem, e)
    prune(mem, head_block=100)  # others' settled jobs go first; my own stay a while (feedback, disputes)
    assert sorted(mem.jobs) == [1, 2]
    prune(mem, head_block=10_000)
    assert list(mem.jobs) == [2]


def test_submitted_job_keeps_its_deliverable():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    for e in lifecycle(ch, 1, ME, PROV, "completed")[:4]:
        apply_event(mem, e)
    assert (mem.jobs[1].status, mem.jobs[1].deliverable) == (JobStatus.SUBMITTED, "0x" + "1" * 64)
    assert mem.jobs[1].held == 10 * WEI and JobStatus.FUNDED < JobStatus.SUBMITTED


def test_job_accepted__records_the_accepted_budget_and_survives_a_reprice():
    ch, mem = Chain(), MarketMemory(me=ME, start_block=1)
    apply_event(
        mem,
        ch.ev("ServiceEscrow", "JobCreated", jobId=3, client=ME, provider=PROV, evaluator=ME, expiredAt=500),
    )
    apply_event(mem, ch.ev("ServiceEscrow", "BudgetSet", jobId=3, amount=10 * WEI))
    assert mem.jobs[3].accepted == 0
    apply_event(mem, ch.ev("ServiceEscrow", "JobAccepted", jobId=3, provider=PROV, budget=10 * WEI))
    assert (mem.jobs[3].budget, mem.jobs[3].accepted) == (10 * WEI, 10 * WEI)
    apply_event(mem, ch.ev("ServiceEscrow", "BudgetSet", jobId=3, amount=12 * WEI))  # the client re-prices
    assert (mem.jobs[3].budget, mem.jobs[3].accepted) == (12 * WEI, 10 * WEI)  # no longer matching: no fund
    assert MarketMemory.from_dict(mem.to_dict()).jobs[3].accepted == 10 * WEI
