"""Governance by agents, the pure part: goals about the rules from values and observations (each
provider's public track record, the market's failures), who proposes, who votes how, and who moves a
passed proposal along. Thresholds: policy.GovernanceThresholds (docs/agents.md, governance section)."""

from __future__ import annotations

from types import MappingProxyType

from agents.chain.indexer import ChainEvent
from agents.market.personas import PERSONAS, get_persona
from agents.runtime import actions as A
from agents.runtime.observe import TRACK_FAILURES_KEPT, MarketMemory, Proposal, Snapshot, apply_event
from agents.runtime.policy import (
    FEE_REASON,
    GOVERNANCE,
    MARKET_REASON,
    MAX_UINT,
    REPEAT_REASON,
    GovernanceView,
    Guidance,
    PolicyConfig,
    PolicyInput,
    ProposalView,
    desired_changes,
    governance_actions,
    proposal_description,
    repeat_offenders,
    vote_support,
)

WEI = 10**18
ME = "0x" + "a" * 40
CHEAT = "0x" + "b" * 40
CLIENT = "0x" + "c" * 40
BUSY = "0x" + "d" * 40
OTHER = "0x" + "e" * 40
NOW = 1_000_000
GUARDIAN = list(PERSONAS["guardian"].values)
HONEST = list(PERSONAS["honest"].values)
RATIO = "escrow.collateralRatioBps"
FEE = "escrow.feeBps"
COMPLETED_40 = {"completed": 40}  # a market where almost everything settles well


def memory(track=None, outcomes=None, changes=None, proposals=None) -> MarketMemory:
    m = MarketMemory(me=ME, start_block=1, agent_id=1)
    m.params = {
        "minProviderStake": 100 * WEI,
        "collateralRatioBps": 2_000,
        "disputeBond": 50 * WEI,
        "feeBps": 100,
    }
    m.track = track or {}
    m.outcomes = outcomes if outcomes is not None else dict(COMPLETED_40)
    m.param_changes = changes or []
    m.proposals = proposals or {}
    return m


def record(settled: int, failed_at: list[int]) -> dict:
    return {"settled": settled, "failed": len(failed_at), "failed_at": list(failed_at)}


def view(ratio: int = 2_000, fee: int = 100, **kw) -> GovernanceView:
    base = dict(
        can_propose=True,
        can_vote=True,
        proposals=(),
        now=NOW,
        params={FEE: fee, RATIO: ratio},
        bounds={FEE: (0, 1_000), RATIO: (0, 30_000)},
    )
    base.update(kw)
    return GovernanceView(**base)


def run(
    mem: MarketMemory,
    values: list[float],
    gview: GovernanceView,
    persona: str = "guardian",
    cycle: int = 4,
    authority: float = 1.0,
    block: int = 500,
) -> list[A.Action]:
    snap = Snapshot(
        block=block,
        timestamp=gview.now,
        token=10_000 * WEI,
        eth=10 * WEI,
        bonded=5_000 * WEI,
        reputation=6_000,
        allowance_escrow=MAX_UINT,
        allowance_staking=MAX_UINT,
    )
    g = Guidance(status="ACTIVE" if authority else "FROZEN", authority=authority, values=values)
    cfg = PolicyConfig(services=("factor",), seed=3)
    return governance_actions(PolicyInput(get_persona(persona), cfg, mem, snap, g, cycle, governance=gview))


def proposes(mem, values, gview, persona="guardian", cycles=range(4, 404, 5)) -> list[A.Propose]:
    return [a for c in cycles for a in run(mem, values, gview, persona, cycle=c) if isinstance(a, A.Propose)]


# ------------------------------------------------------------------ observations: the public track record
def _ev(block: int, li: int, contract: str, name: str, **args) -> ChainEvent:
    return ChainEvent(block, "0x" + "0" * 64, li, contract, name, MappingProxyType(args))


def _job(block: int, jid: int, provider: str, end: str) -> list[ChainEvent]:
    evs = [
        _ev(
            block,
            1,
            "ServiceEscrow",
            "JobCreated",
            jobId=jid,
            client=CLIENT,
            provider=provider,
            evaluator=CLIENT,
            expiredAt=500,
        ),
        _ev(block, 2, "ServiceEscrow", "JobFunded", jobId=jid, client=CLIENT, amount=10 * WEI),
        _ev(
            block,
            3,
            "ServiceEscrow",
            "JobSubmitted",
            jobId=jid,
            provider=provider,
            deliverable="0x" + "1" * 64,
        ),
    ]
    if end == "completed":
        return [
            *evs,
            _ev(block, 4, "ServiceEscrow", "JobCompleted", jobId=jid, evaluator=CLIENT, reason="0x"),
        ]
    return [
        *evs,
        _ev(block, 4, "ServiceEscrow", "JobRejected", jobId=jid, rejector=CLIENT, reason="0x"),
        _ev(block, 5, "ServiceEscrow", "Refunded", jobId=jid, client=CLIENT, amount=10 * WEI),
    ]


def test_track_record__every_agent_counts_other_parties_jobs_per_provider_with_failure_blocks():
    mem = MarketMemory(me=ME, start_block=1)  # neither client nor provider of these jobs
    ends = ["completed", "rejected", "completed", "rejected", "rejected", "rejected", "rejected"]
    for i, end in enumerate(ends):
        for e in _job(10 + i, i + 1, CHEAT, end):
            apply_event(mem, e)
    # failures in blocks 11, 13, 14, 15, 16: the last TRACK_FAILURES_KEPT (4) blocks are kept
    assert TRACK_FAILURES_KEPT == 4
    assert mem.track == {CHEAT: {"settled": 7, "failed": 5, "failed_at": [13, 14, 15, 16]}}
    assert MarketMemory.from_dict(mem.to_dict()).track == mem.track  # persisted with the memory


def test_track_record__unfunded_job_is_not_part_of_it():
    mem = MarketMemory(me=ME, start_block=1)
    apply_event(
        mem,
        _ev(
            10,
            1,
            "ServiceEscrow",
            "JobCreated",
            jobId=1,
            client=CLIENT,
            provider=CHEAT,
            evaluator=CLIENT,
            expiredAt=500,
        ),
    )
    apply_event(mem, _ev(10, 2, "ServiceEscrow", "JobRejected", jobId=1, rejector=CLIENT, reason="0x"))
    assert mem.track == {}


# ------------------------------------------------------------------ goals about the rules
def test_repeat_offender__safety_minded_founder_wants_collateral_doubled():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    assert repeat_offenders(mem) == [CHEAT]
    assert desired_changes(GUARDIAN, view(), mem) == [(RATIO, 4_000, REPEAT_REASON)]


def test_repeat_offender__a_single_failure_is_no_grievance():
    mem = memory(track={CHEAT: record(1, [50])})
    assert repeat_offenders(mem) == []
    assert desired_changes(GUARDIAN, view(), mem) == []


def test_repeat_offender__busy_provider_failing_two_jobs_in_ten_is_not_one():
    mem = memory(track={BUSY: record(10, [50, 60])})
    assert repeat_offenders(mem) == []
    assert desired_changes(GUARDIAN, view(), mem) == []


def test_repeat_offender__failures_share_of_exactly_half_counts():
    assert repeat_offenders(memory(track={CHEAT: record(4, [50, 60])})) == [CHEAT]


def test_repeat_offender__own_failures_are_not_evidence_about_others():
    mem = memory(track={ME: record(2, [50, 60])})
    assert desired_changes(GUARDIAN, view(), mem) == []


def test_repeat_offender__failures_before_the_last_change_do_not_justify_another_raise():
    change = {"block": 70, "name": "collateralRatioBps", "previous": 2_000, "current": 4_000}
    before = memory(track={CHEAT: record(3, [50, 60])}, changes=[change])
    assert desired_changes(GUARDIAN, view(ratio=4_000), before) == []
    once_since = memory(track={CHEAT: record(4, [50, 60, 80])}, changes=[change])
    assert desired_changes(GUARDIAN, view(ratio=4_000), once_since) == []
    twice_since = memory(track={CHEAT: record(5, [50, 60, 80, 90])}, changes=[change])
    assert desired_changes(GUARDIAN, view(ratio=4_000), twice_since) == [(RATIO, 8_000, REPEAT_REASON)]


def test_collateral_goal__doubling_stops_at_the_cap_and_never_lowers():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    cap = GOVERNANCE.collateral_cap_bps
    assert cap == 10_000
    assert desired_changes(GUARDIAN, view(ratio=8_000), mem) == [(RATIO, cap, REPEAT_REASON)]
    assert desired_changes(GUARDIAN, view(ratio=10_000), mem) == []
    assert desired_changes(GUARDIAN, view(ratio=20_000), mem) == []


def test_market_wide_failures__count_only_while_the_ratio_is_the_deployed_one():
    outcomes = {"completed": 9, "expired": 1}  # a tenth failed, no single repeat offender
    assert desired_changes(GUARDIAN, view(), memory(outcomes=outcomes)) == [(RATIO, 4_000, MARKET_REASON)]
    changed = memory(outcomes=outcomes, changes=[{"block": 70, "name": "collateralRatioBps"}])
    assert desired_changes(GUARDIAN, view(ratio=4_000), changed) == []
    below = {"completed": 91, "expired": 9}  # 9 % failed
    assert desired_changes(GUARDIAN, view(), memory(outcomes=below)) == []


def test_not_safety_minded__honest_provider_holds_no_goal_whatever_it_saw():
    mem = memory(track={CHEAT: record(3, [50, 60])}, outcomes={"completed": 1, "expired": 4})
    assert desired_changes(HONEST, view(), mem) == []  # safety 0.15, cooperation + efficiency 0.20
    assert proposes(mem, HONEST, view(), "honest") == []


def test_default_personas__who_holds_which_goal_after_a_repeat_offender_at_a_1_percent_fee():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    goals = {
        name: [(n, v) for n, v, _ in desired_changes(list(p.values), view(), mem)]
        for name, p in PERSONAS.items()
    }
    assert goals == {
        "honest": [],
        "undercutter": [(FEE, 50)],
        "cheater": [(FEE, 50)],
        "no_show": [(FEE, 50)],
        "frivolous_disputer": [(FEE, 50)],
        "guardian": [(RATIO, 4_000)],
        "sybil": [(FEE, 50)],  # the attackers want the toll on their wash trades (or griefing) lowered
        "griefer": [(FEE, 50)],
    }


def test_fee_goal__halving_stops_at_the_floor():
    coop = list(PERSONAS["no_show"].values)
    assert desired_changes(coop, view(fee=40), memory()) == [(FEE, GOVERNANCE.fee_floor_bps, FEE_REASON)]
    assert desired_changes(coop, view(fee=GOVERNANCE.fee_floor_bps), memory()) == []


# ------------------------------------------------------------------ proposing
def test_founder_with_a_goal__proposes_about_half_its_l49_cycles_at_full_authority():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    made = proposes(mem, GUARDIAN, view())
    assert {(p.parameter, p.value, p.description) for p in made} == {
        (RATIO, 4_000, proposal_description(RATIO, 4_000, REPEAT_REASON))
    }
    assert len(made) == 40  # of 80 L4.9 cycles: act_prob 0.5 x authority 1 (seeded, so the count is fixed)


def test_founder_without_a_goal__does_not_propose():
    assert proposes(memory(), GUARDIAN, view()) == []


def test_cannot_propose__no_proposal_even_with_a_goal():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    assert proposes(mem, GUARDIAN, view(can_propose=False)) == []


def test_proposal_already_made__identical_one_is_not_sent_again():
    text = proposal_description(RATIO, 4_000, REPEAT_REASON)
    defeated = Proposal(id=9, proposer=OTHER, description=text, snapshot=1, deadline=31, state=3)
    mem = memory(track={CHEAT: record(3, [50, 60])}, proposals={9: defeated})
    assert proposes(mem, GUARDIAN, view()) == []


def test_live_proposal__no_second_proposal_meanwhile():
    mem = memory(track={CHEAT: record(3, [50, 60])})
    live = ProposalView(5, 1, "", FEE, 50, 100, True)
    assert proposes(mem, GUARDIAN, view(proposals=(live,))) == []


def test_proposal_description__same_change_and_reason_same_text():
    assert proposal_description(RATIO, 4_000, REPEAT_REASON) == f"{REPEAT_REASON}: set {RATIO} to 4000"


# ------------------------------------------------------------------ voting
def test_vote_on_doubling_the_collateral__each_default_persona_by_value_alignment():
    prop = ProposalView(1, 1, "", RATIO, 4_000, 2_000, False)
    votes = {name: vote_support(list(p.values), prop, memory()) for name, p in PERSONAS.items()}
    assert votes == {
        "honest": 1,
        "undercutter": 0,
        "cheater": 0,
        "no_show": 0,
        "frivolous_disputer": 0,
        "guardian": 1,
        "sybil": 0,
        "griefer": 0,
    }


def test_vote__not_eligible_at_the_snapshot__no_ballot_even_if_eligible_now():
    prop = ProposalView(1, 1, "", RATIO, 4_000, 2_000, False, eligible=False)
    out = run(memory(), HONEST, view(proposals=(prop,), can_vote=True), "guardian")
    assert [a for a in out if isinstance(a, A.Vote)] == []
    ok = ProposalView(1, 1, "", RATIO, 4_000, 2_000, False, eligible=True)
    out = run(memory(), HONEST, view(proposals=(ok,), can_vote=False), "guardian")
    assert [a for a in out if isinstance(a, A.Vote)] == [A.Vote(1, 1, "value alignment")]


# ------------------------------------------------------------------ moving a passed proposal along
def _passed(
    proposer: str, state: int, deadline: int = 400, eta: int = 0
) -> tuple[MarketMemory, GovernanceView]:
    p = Proposal(id=3, proposer=proposer, description="x", snapshot=370, deadline=deadline, state=state)
    pv = ProposalView(3, state, "x", RATIO, 4_000, 2_000, True, eta)
    return memory(proposals={3: p}), view(proposals=(pv,))


def test_succeeded__proposer_queues_at_once_others_after_the_handoff():
    mem, gv = _passed(ME, 4)
    assert run(mem, GUARDIAN, gv, block=401) == [A.Queue(3)]
    mem, gv = _passed(OTHER, 4)
    assert run(mem, GUARDIAN, gv, block=401) == []
    assert run(mem, GUARDIAN, gv, block=400 + GOVERNANCE.handoff_blocks) == [A.Queue(3)]


def test_queued__proposer_executes_at_eta_others_after_the_handoff_even_when_frozen():
    mem, gv = _passed(ME, 5, eta=NOW)
    assert run(mem, GUARDIAN, gv, authority=0.0) == [A.Execute(3)]
    mem, gv = _passed(OTHER, 5, eta=NOW)
    assert run(mem, GUARDIAN, gv, authority=0.0) == []
    mem, gv = _passed(OTHER, 5, eta=NOW - GOVERNANCE.handoff_seconds)
    assert run(mem, GUARDIAN, gv, authority=0.0) == [A.Execute(3)]
    mem, gv = _passed(ME, 5, eta=NOW + 1)
    assert run(mem, GUARDIAN, gv, authority=0.0) == []


# ---------------------------------------------- opting stake into voting (issue 10, finding 4)
def test_reputation_reached_the_gate__agent_activates_its_voting_stake_even_when_frozen():
    gv = view(can_propose=False, can_vote=False, can_activate=True)
    assert run(memory(), HONEST, gv, "honest", authority=0.0) == [A.ActivateVoting()]


def test_voting_already_active_or_below_the_gate__no_activation():
    assert not [a for a in run(memory(), HONEST, view(), "honest") if isinstance(a, A.ActivateVoting)]
