"""The run's job records come from the agents' own event fold (observe.apply_event), not a second one."""

from __future__ import annotations

from types import MappingProxyType

from agents.chain.indexer import ChainEvent
from agents.chain.protocol import DisputeOutcome, JobStatus
from agents.market.services import TaskSpec
from agents.runtime import observe as O
from agents.sim.simulate import job_records

WEI = 10**18
CLIENT, PROV, G = "0x" + "c1" * 20, "0x" + "b0" * 20, "0x" + "9a" * 20
SPEC = TaskSpec.make("factor", 7, bits=16).encode()


class Chain:
    def __init__(self) -> None:
        self.block, self.li = 100, 0

    def ev(self, event: str, **args: object) -> ChainEvent:
        self.li += 1
        return ChainEvent(
            self.block, "0x" + "0" * 64, self.li, "ServiceEscrow", event, MappingProxyType(args)
        )

    def later(self, blocks: int) -> None:
        self.block, self.li = self.block + blocks, 0


def _history(ch: Chain) -> list[ChainEvent]:
    evs = []
    for jid in (1, 2, 3, 4, 5):
        evs.append(
            ch.ev("JobCreated", jobId=jid, client=CLIENT, provider=PROV, evaluator=CLIENT, expiredAt=9_999)
        )
        if jid != 5:  # job 5 is never funded
            evs += [
                ch.ev("BudgetSet", jobId=jid, amount=jid * WEI),
                ch.ev("JobFunded", jobId=jid, client=CLIENT, amount=jid * WEI),
            ]
    ch.later(10)  # cycle 1 (10 blocks a cycle from block 100)
    evs.append(ch.ev("JobExpired", jobId=2))
    for jid in (1, 3, 4):
        evs.append(ch.ev("JobSubmitted", jobId=jid, provider=PROV, deliverable="0x" + f"{jid:02x}" * 32))
    ch.later(10)  # cycle 2
    evs.append(ch.ev("JobCompleted", jobId=1, evaluator=CLIENT, reason="0x" + "0" * 64))
    for jid in (3, 4):
        evs.append(ch.ev("JobRejected", jobId=jid, rejector=CLIENT, reason="0x" + "0" * 64))
    ch.later(10)  # cycle 3: job 3 is disputed and the client wins; job 4's dispute window is still open
    evs += [
        ch.ev("DisputeOpened", jobId=3, provider=PROV, bond=WEI, rulingDeadline=900, quorum=1),
        ch.ev("DisputeRuled", jobId=3, guardian=G, forProvider=False),
        ch.ev(
            "DisputeResolved",
            jobId=3,
            outcome=DisputeOutcome.CLIENT,
            votesForProvider=0,
            votesForClient=1,
            slashed=WEI,
        ),
    ]
    return evs


def test_job_records_follow_the_agents_fold_outcome_by_outcome() -> None:
    ledger = O.MarketMemory(me="0x" + "00" * 20, start_block=100)
    rejected_at: dict[int, int] = {}
    for ev in _history(Chain()):
        O.apply_event(ledger, ev)
        if ev.name == "JobRejected":
            rejected_at[int(ev.args["jobId"])] = ev.block
    assert (
        ledger.jobs[4].status == JobStatus.REJECTED and ledger.jobs[4].outcome == "open"
    )  # window still open
    recs = job_records(ledger, rejected_at, lambda b: (b - 100) // 10, lambda jid: SPEC)
    got = {
        jid: (r["outcome"], r["cycle"], r["created"], r["budget"], r["submitted"]) for jid, r in recs.items()
    }
    assert got == {
        1: ("completed", 2, 0, 1 * WEI, True),
        2: ("expired", 1, 0, 2 * WEI, False),
        3: ("disputed_client_won", 3, 0, 3 * WEI, True),
        4: ("rejected", 2, 0, 4 * WEI, True),  # the client's verdict, from the rejection's cycle
        5: ("open", 0, 0, 0, False),
    }
    assert recs[1]["deliverable"] == "0x" + "01" * 32 and "deliverable" not in recs[2]
    assert {r["service"] for r in recs.values()} == {"factor"}
    assert recs[1]["client"] == CLIENT and recs[1]["provider"] == PROV


def test_an_unreadable_description_leaves_the_service_unknown() -> None:
    ledger = O.MarketMemory(me="0x" + "00" * 20, start_block=100)
    O.apply_event(
        ledger, Chain().ev("JobCreated", jobId=1, client=CLIENT, provider=PROV, evaluator=CLIENT, expiredAt=9)
    )

    def broken(jid: int) -> str:
        raise ValueError("execution reverted")

    assert job_records(ledger, {}, lambda b: 0, broken)[1]["service"] == "?"
