"""`emergent bench economy` end to end on a small population: the figures it prints are consistent with
the chain, and the raw baseline leaves the economy's chain exactly as it was."""

from __future__ import annotations

import json

import pytest

from agents.bench import economy
from agents.devnet import rpc
from agents.sim.simulate import SimConfig, agent_cycles, plan_agents

pytestmark = pytest.mark.slow


def test_raw_anvil__measured_inside_a_snapshot__chain_unchanged(tmp_path):
    chain = economy.fresh_chain(tmp_path / "raw", 3, seconds_per_block=1)
    try:
        who = chain.plans[0].address
        before = (
            rpc(chain.url, "eth_blockNumber"),
            rpc(chain.url, "eth_getTransactionCount", [who, "latest"]),
            rpc(chain.url, "eth_getBalance", [who, "latest"]),
        )
        r = economy.raw_anvil(chain, 50)
        after = (
            rpc(chain.url, "eth_blockNumber"),
            rpc(chain.url, "eth_getTransactionCount", [who, "latest"]),
            rpc(chain.url, "eth_getBalance", [who, "latest"]),
        )
        assert r["n"] == 50 and r["failed"] == 0 and r["blocks"] >= 1
        assert after == before
    finally:
        chain.net.stop()


def test_bench_economy__small_run__figures_match_the_chain(tmp_path):
    lines: list[str] = []
    res = economy.main(
        sizes=(4,), cycles=3, raw_n=100, keepup_agents=0, processes=2, out=tmp_path, echo=lines.append
    )
    (r,) = res["economy"]
    assert r["agents"] == 4 and r["processes"] == 2 and r["cycles"] == 3 and r["from_cycle"] == 3
    assert 0 < r["tx_ok"] <= r["tx_mined"]
    assert r["seconds"] > 0 and r["tx_per_s"] == pytest.approx(r["tx_mined"] / r["seconds"], rel=0.01)
    assert r["raw_tps"] == round((r["raw_before"]["mined_tps"] + r["raw_after"]["mined_tps"]) / 2, 1)
    # what the user reads: the table row and the JSON file carry the same figures as the result
    row = next(line for line in lines if line.split()[:2] == ["4", "2"])
    assert f"{r['tx_per_s']:.1f}" in row.split() and f"{r['ratio']:.2f}" in row.split()
    assert json.loads((tmp_path / "bench-economy.json").read_text())["economy"][0]["ratio"] == r["ratio"] > 0
    assert r["raw_before"]["failed"] == r["raw_after"]["failed"] == 0
    # raw anvil in both modes on the same state; the economy is compared with the faster one
    assert set(r["raw"]) == {"auto", "batch"} and r["raw_mode"] == max(
        r["raw"], key=lambda k: r["raw"][k]["tps"]
    )
    assert r["raw_tps"] == r["raw"][r["raw_mode"]]["tps"]
    assert r["raw"]["batch"]["before"]["blocks"] <= 2 < r["raw"]["auto"]["before"]["blocks"]
    # the economy mined in batches: a round of the agents' transactions per block, 5 blocks per cycle
    assert r["mining"] == "batch" and r["tx_per_block"] > 1
    assert r["blocks"] >= 5 * r["cycles"]  # every measured window was mined
    assert r["jobs_created"] >= r["jobs_settled"] and r["jobs_created"] > 0
    assert r["storage_slots"] > r["warm_up"]["storage_slots"] > 0  # the economy's state grew
    assert r["agent_cpu_ms_per_tx"] > 0 and r["rss_mb_per_agent"] > 0 and 0 <= r["anvil_busy"] <= 1.5
    # every agent ran both phases in full: warm-up cycles 0-2, measured 3-5
    cycles = agent_cycles(tmp_path / "n4", plan_agents(SimConfig(agents=4, seed=0, out=tmp_path / "n4")))
    assert set(cycles.values()) == {6}
    assert any("ratio" in line for line in lines) and (tmp_path / "bench-economy.json").is_file()
