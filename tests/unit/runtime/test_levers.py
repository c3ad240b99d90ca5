"""Issue 15 part 5: every L4.9 output changes an action (docs/cognition.md, output -> action table)."""

from __future__ import annotations

from agents.chain.protocol import JobStatus
from agents.market.personas import get_persona
from agents.market.services import TaskSpec, solve
from agents.runtime import actions as A
from agents.runtime import levers
from agents.runtime.observe import Job, MarketMemory, Snapshot, client_fair, eligible_offers
from agents.runtime.policy import (
    MAX_UINT,
    Guidance,
    PolicyConfig,
    PolicyInput,
    decide,
    service_cost,
    update_guidance,
)

WEI = 10**18
ME = "0x" + "a" * 40
P1 = "0x" + "b" * 40
P2 = "0x" + "d" * 40
NOW = 1_000_000
CFG = PolicyConfig(services=("factor", "hashchain"), seed=7)


def market() -> MarketMemory:
    m = MarketMemory(me=ME, start_block=1, agent_id=1)
    m.params = {
        "minProviderStake": 100 * WEI,
        "collateralRatioBps": 2_000,
        "disputeBond": 50 * WEI,
        "feeBps": 100,
    }
    cost = {s: service_cost(s, CFG) for s in ("factor", "hashchain", "merkle")}
    m.providers = {ME: {"id": 1, "asks": {s: int(cost[s] * 1.5) for s in CFG.services}}}
    m.bonded = {ME: 1_000 * WEI, P1: 1_000 * WEI, P2: 1_000 * WEI}
    m.providers[P1] = {"id": 2, "asks": {"factor": int(cost["factor"] * 1.2)}}
    m.providers[P2] = {"id": 3, "asks": {"factor": int(cost["factor"] * 1.25)}}
    return m


def snap(**kw) -> Snapshot:
    base = dict(
        block=100,
        timestamp=NOW,
        token=10_000 * WEI,
        eth=10 * WEI,
        bonded=1_000 * WEI,
        free_stake=1_000 * WEI,
        reputation=5_000,
        allowance_escrow=MAX_UINT,
        allowance_staking=MAX_UINT,
    )
    base.update(kw)
    return Snapshot(**base)


def inp(g: Guidance, mem: MarketMemory | None = None, cycle: int = 3, **kw) -> PolicyInput:
    return PolicyInput(
        get_persona("honest"), CFG, mem or market(), kw.pop("snapshot", snap()), g, cycle, **kw
    )


def asks_of(g: Guidance, mem: MarketMemory | None = None) -> dict[str, int]:
    out = [a for a in decide(inp(g, mem)) if isinstance(a, A.SetAsks)]
    return dict(out[0].services) if out else dict((mem or market()).my_asks())


class _D:
    def __init__(self, **kw):
        self.vetoed, self.actionable = False, True
        self.__dict__.update(kw)


def goal(gid, origin, metric, service=None):
    return _D(kind="pursue_goal", goal_id=gid, origin=origin, metric=metric, service=service, priority=0.8)


def test_opportunity_goal__raises_the_ask_on_its_service():
    base = asks_of(Guidance(status="ACTIVE", authority=1.0))
    g = update_guidance(
        Guidance(), "ACTIVE", 1.0, [goal(1, "OPPORTUNITY_DRIVEN", "won:hashchain", "hashchain")]
    )
    assert asks_of(g)["hashchain"] > base["hashchain"]


def test_capability_gap_goal__leans_the_ask_down_to_take_training_work():
    base = asks_of(Guidance(status="ACTIVE", authority=1.0))
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [goal(1, "GAP_FILLING", "confidence:factor")])
    assert asks_of(g)["factor"] < base["factor"]


def test_exploratory_goal__offers_a_new_service():
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [goal(1, "EXPLORATORY", "won:merkle", "merkle")])
    assert "merkle" in asks_of(g)
    assert "merkle" not in asks_of(Guidance(status="ACTIVE", authority=1.0))


def test_goal_levers__no_authority__no_adjustment():
    g = update_guidance(
        Guidance(), "ACTIVE", 1.0, [goal(1, "OPPORTUNITY_DRIVEN", "won:hashchain", "hashchain")]
    )
    frozen = update_guidance(g, "FROZEN", 0.0, [])
    assert asks_of(frozen) == asks_of(Guidance(status="FROZEN", authority=0.0))


def test_survival__protective_floor_even_while_advisory():
    mem = market()
    cost = service_cost("factor", CFG) * 10_000 // (10_000 - 100)
    mem.providers[ME]["asks"]["factor"] = int(cost * 1.10)  # at the L4.8 floor, one 10 % step below 1.25
    calm = asks_of(Guidance(status="ADVISORY", authority=0.0), mem)
    g = Guidance(status="ADVISORY", authority=0.0, survival="warning")
    pressed = asks_of(g, mem)
    assert pressed["factor"] >= cost * (1 + levers.SURVIVAL_FLOOR_MARGIN) - 1 > calm["factor"]


def hires(g: Guidance, mem=None, n=120, **kw):
    out = []
    for c in range(n):
        out += [a for a in decide(inp(g, mem, cycle=c, **kw)) if isinstance(a, A.CreateJob)]
    return out


def test_survival_goal__spends_less():
    base = len(hires(Guidance(status="ACTIVE", authority=1.0)))
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [goal(1, "SURVIVAL_DRIVEN", "horizon")])
    assert 0 < len(hires(g)) < base


def test_avoid__provider_not_hired_only_with_authority():
    g = update_guidance(
        Guidance(),
        "ACTIVE",
        1.0,
        [
            _D(
                kind="interaction",
                counterparty=P1,
                action="AVOID",
                strategy="competitive",
                trust=0.1,
                role="provider",
            )
        ],
    )
    assert hires(g) and all(h.provider == P2 for h in hires(g))
    assert any(h.provider == P1 for h in hires(update_guidance(g, "INACTIVE", 0.0, [])))


def test_cooperate_and_trust__tilt_the_choice():
    base = [h.provider for h in hires(Guidance(status="ACTIVE", authority=1.0, exploration=0.0 + 1e-9))]
    g = update_guidance(
        Guidance(),
        "ACTIVE",
        1.0,
        [
            _D(
                kind="interaction",
                counterparty=P2,
                action="COOPERATE",
                strategy="cooperative",
                trust=0.95,
                role="provider",
            )
        ],
    )
    tilted = [h.provider for h in hires(g)]
    assert tilted.count(P2) > base.count(P2)


def test_l48_baseline__avoids_a_provider_that_failed_it_twice_without_cognition():
    mem = market()
    mem.trust = {P1: [0.0, 2.0]}
    frozen = Guidance(status="FROZEN", authority=0.0)
    assert hires(frozen, mem) and all(h.provider != P1 for h in hires(frozen, mem))


def test_stability_share__reserve_shrinks_the_budget():
    mode = _D(kind="operating_mode", survival_state="critical", exploration_factor=1.0, stability_share=0.8)
    g = update_guidance(Guidance(), "FROZEN_SURVIVAL", 0.0, [mode])
    assert g.stability_share == 0.8
    poor = snap(token=100 * WEI)  # budget 10 % of 100 = 10 tokens; with the reserve 2 tokens
    assert levers.reserve(g, poor.token) == 80 * WEI
    mem = market()
    mem.providers[P1]["asks"]["factor"] = 5 * WEI
    mem.providers[P2]["asks"]["factor"] = 5 * WEI
    assert hires(Guidance(status="ACTIVE", authority=1.0), mem, snapshot=poor)
    assert not hires(g, mem, snapshot=poor)


def test_focus__ends_with_its_goal():
    g = update_guidance(Guidance(), "ACTIVE", 1.0, [goal(7, "PURPOSE_DERIVED", "won:factor", "factor")])
    assert g.focus == {"factor": 0.8} and g.goals == {"7": "won:factor"}
    assert update_guidance(g, "ACTIVE", 1.0, [], open_goals=[7]).focus == {"factor": 0.8}
    done = update_guidance(g, "ACTIVE", 1.0, [], open_goals=[])
    assert done.focus == {} and done.goals == {} and done.origins == {}


def test_avoided_client__wrongful_rejection_disputed():
    spec = TaskSpec.make("factor", 11, bits=16)
    mem = market()
    mem.jobs = {
        5: Job(
            id=5,
            client=P1,
            provider=ME,
            evaluator=P1,
            expired_at=NOW + 100,
            created_block=10,
            spec=spec.encode(),
            service="factor",
            budget=10 * WEI,
            status=JobStatus.REJECTED,
            held=10 * WEI,
            deadline=NOW + 50,
        )
    }
    from dataclasses import replace

    shy = replace(
        get_persona("honest"), behaviour=replace(get_persona("honest").behaviour, dispute_wrongful_prob=0.0)
    )
    base = [
        a
        for a in decide(
            PolicyInput(
                shy, CFG, mem, snap(), Guidance(status="ACTIVE", authority=1.0), 3, payloads={5: solve(spec)}
            )
        )
        if isinstance(a, A.Dispute)
    ]
    g = update_guidance(
        Guidance(),
        "ACTIVE",
        1.0,
        [
            _D(
                kind="interaction",
                counterparty=P1,
                action="AVOID",
                strategy="competitive",
                trust=0.1,
                role="client",
            )
        ],
    )
    g.avoid = [P1.lower()]
    got = [
        a
        for a in decide(PolicyInput(shy, CFG, mem, snap(), g, 3, payloads={5: solve(spec)}))
        if isinstance(a, A.Dispute)
    ]
    assert not base and got == [A.Dispute(5)]


def test_observation__offers_are_eligible_requests_only():
    mem = market()
    mem.window.requested = {"factor": 3, "merkle": 2}
    assert eligible_offers(mem, snap()) == {"factor": 3}  # merkle: not listed
    assert eligible_offers(mem, snap(bonded=10 * WEI)) == {}  # below the minimum stake: nobody can fund me


def test_observation__wrongful_rejection_counts_against_the_client():
    j = Job(id=1, client=P1, provider=ME, evaluator=P1, expired_at=0, created_block=0)
    j.submitted_by_me_honest = True
    assert not client_fair(j, "rejected") and not client_fair(j, "disputed_provider_won")
    j.submitted_by_me_honest = False
    assert client_fair(j, "rejected") and client_fair(j, "completed") and client_fair(j, "expired")
