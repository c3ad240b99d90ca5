"""Demand surges and supply that follows pay, in the pure policy (scenario shocks reach agents here)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from agents.chain.protocol import JobStatus
from agents.market.personas import get_persona
from agents.runtime import actions as A
from agents.runtime.observe import Job, MarketMemory, Snapshot
from agents.runtime.policy import (
    MAX_UINT,
    SUPPLY_EVERY,
    Guidance,
    PolicyConfig,
    PolicyInput,
    demand_weights,
    hiring_actions,
    pricing_actions,
    service_cost,
    service_pay,
    supply_choice,
    supply_phase,
)

WEI = 10**18
ME = "0x" + "a" * 40
P1, P2, P3 = ("0x" + c * 40 for c in "bcd")
NOW = 1_000_000
SURGE = (("median", 4.0, 10, 30),)
PHASE = supply_phase(ME)


def memory(my_asks=None) -> MarketMemory:
    m = MarketMemory(me=ME, start_block=1, agent_id=1)
    m.params = {
        "minProviderStake": 100 * WEI,
        "collateralRatioBps": 2_000,
        "disputeBond": 50 * WEI,
        "feeBps": 100,
    }
    m.providers = {
        P1: {"id": 2, "asks": {"median": 100 * WEI}},
        P2: {"id": 3, "asks": {"merkle": 70 * WEI}},
        P3: {"id": 4, "asks": {"hashchain": 300 * WEI}},
    }
    if my_asks is not None:
        m.providers[ME] = {"id": 1, "asks": my_asks}
    m.bonded = {P1: 10_000 * WEI, P2: 10_000 * WEI, P3: 10_000 * WEI, ME: 1_000 * WEI}
    return m


def snap(block: int = 100) -> Snapshot:
    return Snapshot(
        block=block,
        timestamp=NOW,
        token=10_000 * WEI,
        eth=10 * WEI,
        bonded=1_000 * WEI,
        free_stake=1_000 * WEI,
        reputation=5_000,
        allowance_escrow=MAX_UINT,
        allowance_staking=MAX_UINT,
    )


def inp(mem, cfg, cycle, persona="honest") -> PolicyInput:
    return PolicyInput(
        get_persona(persona), cfg, mem, snap(), Guidance(status="ACTIVE", authority=1.0), cycle
    )


def _hires(cfg: PolicyConfig, cycles: range, seeds: range) -> Counter:
    n: Counter = Counter()
    for seed in seeds:
        c = replace(cfg, seed=seed)
        for cycle in cycles:
            for a in hiring_actions(inp(memory(), c, cycle)):
                assert isinstance(a, A.CreateJob)
                n[a.description.split('"s":"')[1].split('"')[0]] += 1
    return n


def test_demand_weights__only_inside_the_surge_window():
    cfg = PolicyConfig(services=("merkle",), demand=SURGE)
    assert demand_weights(cfg, ["median", "merkle"], 9) == [1.0, 1.0]
    assert demand_weights(cfg, ["median", "merkle"], 10) == [4.0, 1.0]
    assert demand_weights(cfg, ["median", "merkle"], 30) == [1.0, 1.0]


def test_surge__clients_hire_the_surging_service_about_factor_times_as_often__others_unchanged():
    base = PolicyConfig(services=("merkle",))
    surged = replace(base, demand=(("median", 3.0, 0, 1000),))
    before, during = _hires(base, range(20), range(40)), _hires(surged, range(20), range(40))
    assert during["median"] > 2.0 * before["median"]
    # P(hire) is capped at 1 for a mean weight above 1/hire_rate; at 0.5 x 5/3 = 0.83 it is not.
    assert abs(during["merkle"] - before["merkle"]) < 0.25 * before["merkle"]


def test_no_surge__hiring_draws_are_unchanged():
    cfg = PolicyConfig(services=("merkle",), seed=5)
    assert _hires(cfg, range(30), range(5)) == _hires(
        replace(cfg, demand=(("median", 2.0, 100, 200),)), range(30), range(5)
    )


def _paying_median(mem: MarketMemory, n: int = 6, block: int = 90) -> MarketMemory:
    for i in range(n):  # recent funded median jobs at 300 AGENT (cost ~104), none for merkle
        mem.jobs[i] = Job(
            id=i,
            client=P3,
            provider=P1,
            evaluator=P3,
            expired_at=NOW + 100,
            created_block=block,
            status=JobStatus.FUNDED,
            service="median",
            budget=300 * WEI,
        )
        mem.demand_log.append([block, "median", P1, i])
    return mem


def test_service_pay__margin_of_recent_jobs_per_seller():
    mem = _paying_median(memory(my_asks={"merkle": 70 * WEI}))
    cost = 10 * WEI
    assert service_pay(mem, "median", cost, head_block=100) == pytest.approx(
        6 * 29 / 2
    )  # 1 seller + newcomer
    assert service_pay(mem, "median", cost, head_block=100 + 60) == 0  # older than the lookback
    mem.jobs.clear()  # pruned jobs still count, at their provider's current ask (100)
    assert service_pay(mem, "median", cost, head_block=100) == pytest.approx(6 * 9 / 2)


def test_supply__one_lucky_window__no_switch_until_the_gain_held_at_the_previous_decision_too():
    cfg = PolicyConfig(services=("merkle",), catalogue=("median", "merkle"), cycle_blocks=5)
    mem = _paying_median(memory(my_asks={"merkle": 70 * WEI}), block=98)  # all in the last two cycles
    assert supply_choice(inp(mem, cfg, PHASE)) == ("merkle",)  # the window ending at block 75 held none
    held = _paying_median(memory(my_asks={"merkle": 70 * WEI}), block=70)
    assert supply_choice(inp(held, cfg, PHASE)) == ("median",)


def test_supply__provider_with_a_catalogue_switches_its_worst_service_to_the_paying_one():
    mem = _paying_median(memory(my_asks={"merkle": 70 * WEI}), block=70)
    cfg = PolicyConfig(services=("merkle",), catalogue=("median", "merkle"))
    assert supply_choice(inp(mem, cfg, PHASE)) == ("median",)
    assert supply_choice(inp(mem, cfg, PHASE + 1)) == ("merkle",)  # only at its phase of SUPPLY_EVERY
    acts = pricing_actions(inp(mem, cfg, PHASE))
    assert len(acts) == 1 and isinstance(acts[0], A.SetAsks)
    assert [s for s, _ in acts[0].services] == ["median"]
    ask = dict(acts[0].services)["median"]
    assert ask >= service_cost("median", cfg)  # enters at or above its floor


def test_prices__demand_over_the_lookback_raises_the_ask_not_one_quiet_cycle():
    from agents.runtime.observe import Window

    cfg = PolicyConfig(services=("median",), cycle_blocks=5)
    busy = memory(my_asks={"median": 200 * WEI})
    busy.providers[P1]["asks"]["median"] = 200 * WEI
    busy.reputation = {ME: 5_000}
    busy.window = Window()  # this cycle: no request at all
    quiet = MarketMemory.from_dict(busy.to_dict())
    busy.demand_log = [[95, "median", P1, i] for i in range(60)]  # 60 jobs in 10 cycles for 2 sellers
    up = dict(pricing_actions(inp(busy, cfg, 7))[0].services)["median"]
    down = dict(pricing_actions(inp(quiet, cfg, 7))[0].services)["median"]
    assert up > 200 * WEI > down


def test_supply_phase__spreads_agents_over_the_cycle():
    phases = {supply_phase("0x" + f"{i:040x}") for i in range(40)}
    assert phases == set(range(SUPPLY_EVERY))


def test_supply__without_a_catalogue_or_a_better_service__nothing_moves():
    mem = _paying_median(memory(my_asks={"merkle": 70 * WEI}))
    fixed = PolicyConfig(services=("merkle",))
    assert supply_choice(inp(mem, fixed, PHASE)) == ("merkle",)
    quiet = memory(my_asks={"merkle": 70 * WEI})  # no recent jobs anywhere: no pay to chase
    cfg = PolicyConfig(services=("merkle",), catalogue=("median", "merkle"))
    assert supply_choice(inp(quiet, cfg, PHASE)) == ("merkle",)
