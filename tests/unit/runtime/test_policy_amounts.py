"""The amounts the policy sends are exact integers of wei: stakes, asks and budgets carry no float noise."""

from __future__ import annotations

from agents.market.personas import get_persona
from agents.market.pricing import MarketSignals, initial_ask, next_ask, price_floor
from agents.runtime import actions as A
from agents.runtime import levers
from agents.runtime.observe import MarketMemory, Snapshot
from agents.runtime.policy import (
    MAX_UINT,
    Guidance,
    PolicyConfig,
    PolicyInput,
    decide,
    initial_asks,
    service_cost,
    setup_actions,
)

WEI = 10**18
ME = "0x" + "a" * 40
CFG = PolicyConfig(services=("factor", "hashchain"), seed=7)


def _input(
    mem: MarketMemory, token: int, bonded: int = 0, persona: str = "honest", guidance: Guidance | None = None
) -> PolicyInput:
    snap = Snapshot(
        block=100,
        timestamp=1_000_000,
        token=token,
        eth=10 * WEI,
        bonded=bonded,
        allowance_escrow=MAX_UINT,
        allowance_staking=MAX_UINT,
    )
    g = guidance or Guidance(status="ACTIVE", authority=1.0)
    return PolicyInput(get_persona(persona), CFG, mem, snap, g, 3)


def _memory(asks: dict[str, int] | None = None) -> MarketMemory:
    mem = MarketMemory(me=ME, start_block=1, agent_id=1)
    mem.params = {"minProviderStake": 100 * WEI, "collateralRatioBps": 2_000, "feeBps": 100}
    if asks is not None:
        mem.providers = {ME: {"id": 1, "asks": asks}}
    return mem


def test_stake__a_fifth_of_99987_5_agent_is_exactly_19997_5_agent():
    mem = _memory({"factor": 10 * WEI})
    actions = setup_actions(_input(mem, token=99_987_500_000_000_000_000_000))
    [stake] = [a for a in actions if isinstance(a, A.Stake)]
    assert stake.amount == 19_997_500_000_000_000_000_000  # was 19997.4999999999996 AGENT from a float


def test_initial_asks__cost_plus_half_exactly():
    for service, ask in initial_asks(get_persona("honest"), CFG):
        cost = service_cost(service, CFG)
        assert type(ask) is int and ask == cost * 3 // 2 and cost * 3 % 2 == 0
        assert ask % (25 * 10**15) == 0  # cost is a whole number of 0.05-AGENT work units


def test_initial_ask__300_05_agent_cost_asks_exactly_450_075_agent():
    assert initial_ask(300_050_000_000_000_000_000) == 450_075_000_000_000_000_000  # was ...032768


def test_price_floor__cost_plus_the_margin_rounded_up_to_a_wei():
    assert price_floor(1001) == 1102  # 1101.1 rounded up
    assert price_floor(300_050_000_000_000_000_000) == 330_055_000_000_000_000_000


def test_next_ask__moves_by_whole_basis_points_of_the_current_ask():
    ask = 10 * WEI
    for requested in range(12):
        signals = MarketSignals(requested=requested, offered=3, competitor_asks=(9 * WEI, 12 * WEI))
        nxt = next_ask(ask, 2 * WEI, signals)
        assert type(nxt) is int and nxt % 10**15 == 0  # ask x (n / 10,000): no float noise in the low digits


def test_repricing__every_new_ask_is_an_int_of_whole_basis_points_or_a_bound():
    mem = _memory({"factor": 10 * WEI, "hashchain": 50 * WEI})
    mem.params["feeBps"] = 0  # a fee grosses the cost up by 10,000 / (10,000 - fee): exact, not round
    mem.bonded = {ME: 1_000 * WEI}
    mem.window.requested = {"factor": 5}
    amounts = []
    for a in decide(_input(mem, token=10_000 * WEI, bonded=1_000 * WEI)):
        if isinstance(a, A.SetAsks):
            amounts += [p for _, p in a.services]
    assert amounts and all(type(p) is int and p % 10**15 == 0 for p in amounts)


def test_reserve__a_30_percent_stability_share_holds_back_exactly_3000_of_10000_agent():
    assert levers.reserve(Guidance(stability_share=0.3), 10_000 * WEI) == 3_000 * WEI


def test_adjust_ask__an_authority_scaled_lean_is_whole_basis_points():
    g = Guidance(status="PARTIAL", authority=0.5, focus={"factor": 1.0})
    assert levers.adjust_ask("factor", 10 * WEI, WEI, g) == 10 * WEI * (10_000 - 150) // 10_000  # 1.5 % lean
