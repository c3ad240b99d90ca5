"""The simulation's governance figures: how many agents' persisted memories saw a parameter change."""

from agents.runtime.store import AgentStore
from agents.sim.simulate import AgentPlan, observed_by


def _plan(i: int) -> AgentPlan:
    return AgentPlan(i, "0x" + "0" * 64, "0x" + f"{i:040x}", "honest", ())


def _save(tmp_path, plan: AgentPlan, changes: list[dict]) -> None:
    with AgentStore(tmp_path / "agents" / plan.address.lower() / "agent.sqlite") as s:
        s.put_state("memory", {"me": plan.address, "param_changes": changes})


def test_observed_by__counts_agents_whose_memory_holds_that_change(tmp_path):
    plans = [_plan(i) for i in range(1, 5)]
    change = {"block": 180, "name": "collateralRatioBps", "previous": 2000, "current": 4000}
    _save(tmp_path, plans[0], [change])
    _save(tmp_path, plans[1], [{"block": 90, "name": "feeBps", "previous": 100, "current": 50}, change])
    _save(tmp_path, plans[2], [{**change, "block": 90}])  # an earlier change of the same parameter
    # plans[3] has no store at all (never started)
    assert observed_by(tmp_path, plans, "ServiceEscrow", "collateralRatioBps", 180) == 2
    assert observed_by(tmp_path, plans, "ServiceEscrow", "feeBps", 90) == 1
    assert observed_by(tmp_path, plans, "ServiceEscrow", "collateralRatioBps", 181) == 0


def test_observed_by__parameters_of_other_contracts_are_not_tracked_by_agents(tmp_path):
    plans = [_plan(1)]
    _save(tmp_path, plans[0], [{"block": 5, "name": "quorumBps"}])
    assert observed_by(tmp_path, plans, "Governor", "quorumBps", 5) == 0
