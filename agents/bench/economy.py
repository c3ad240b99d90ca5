"""`emergent bench economy`: the agent economy's throughput against raw anvil, memory per agent, keep-up.

One fresh anvil per measurement (free port), deployed and funded the way `emergent simulate` does it.

1. Raw anvil: `measure_raw_tps` sends pre-signed ETH transfers (no contract logic, no estimation, no
   waiting) and times them until mined: the ceiling for this node on this machine.
2. Economy throughput, for each N: N agents in one process host (one indexer), anvil automining,
   the chain advanced one cycle's worth of blocks as soon as no agent is due, so nothing waits on a
   wall clock: tx/s = the agents' mined transactions / wall seconds; jobs settled = jobs that reached a
   terminal state (completed, expired, refunded after rejection or dispute). Memory per agent = growth
   of the process's resident set over the run / N.
3. Keep-up: M agents in several host processes against 1-second interval mining for K cycles; each
   agent logs the head block when it ran each cycle, so its lag behind the end of that cycle's window
   is measured (in cycles). "Keeps up" = 90th-percentile lag over the second half below one cycle.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.devnet import rpc, start_devnet
from agents.sim.simulate import (
    SimConfig,
    agent_cycles,
    deploy,
    free_port,
    fund_agents,
    plan_agents,
    spawn,
    stop_processes,
)

WEI = 10**18
TERMINAL_EVENTS = ("JobCompleted", "JobExpired", "Refunded")


def rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Chain:
    url: str
    out: Path
    deployment: dict[str, Any]
    net: Any
    plans: list[Any]

    @property
    def deployment_file(self) -> Path:
        return self.out / "ethereum-local.json"


def fresh_chain(out: Path, n_agents: int, seed: int = 0) -> Chain:
    out.mkdir(parents=True, exist_ok=True)
    cfg = SimConfig(agents=n_agents, seed=seed, out=out)
    plans = plan_agents(cfg)
    net = start_devnet(free_port(), log_path=out / "anvil.log", reuse=False)
    try:
        deployment = deploy(net.url, out, n_agents, cfg.start_balance)
        fund_agents(net.url, deployment, plans, cfg.start_balance)
        rpc(net.url, "anvil_setBlockTimestampInterval", [cfg.time_scale])
    except BaseException:
        net.stop()
        raise
    return Chain(net.url, out, deployment, net, plans)


def raw_anvil(chain: Chain, n: int) -> dict[str, Any]:
    from agents.bench.raw_anvil import measure_raw_tps
    from agents.runtime.process import make_web3

    keys = [p.key for p in chain.plans[: min(10, len(chain.plans))]]
    return measure_raw_tps(make_web3(chain.url), keys, n)


def economy_throughput(chain: Chain, cycles: int, seed: int = 0) -> dict[str, Any]:
    from agents.runtime.process import Host, HostConfig

    start = int(rpc(chain.url, "eth_blockNumber"), 16) + 1
    rss0 = rss_bytes()
    cfg = HostConfig(
        rpc=chain.url, deployment=chain.deployment_file, data_dir=chain.out / "agents",
        payloads=chain.out / "payloads", cycle_blocks=5, seed=seed, poll_interval=0.0, max_cycles=cycles,
        priority_fee_wei=10**9,
        agents=[{"key": p.key, "persona": p.persona, "services": list(p.services), "start_block": start,
                 "overrides": {"hire_rate": 1.0}} for p in chain.plans],
    )
    host = Host(cfg)
    t0 = time.perf_counter()
    # Automine: the agents' own transactions also make blocks; when nobody is due, mine a cycle's worth.
    while not all(ag.finished for ag in host.agents):
        if not host.step():
            rpc(chain.url, "anvil_mine", [hex(5)])
    for ag in host.agents:  # settle the last cycle's receipts
        ag.executor.settle()
    seconds = time.perf_counter() - t0
    rss1 = rss_bytes()
    sent = done = 0
    for ag in host.agents:
        for a in ag.store.actions(limit=100_000):
            sent += 1
            done += a.status.value == "done"
    esc = host.contracts["ServiceEscrow"]
    first = int(chain.deployment.get("block", 0))
    settled = set()
    for name in TERMINAL_EVENTS:
        for ev in getattr(esc.events, name).get_logs(from_block=first):
            settled.add(ev.args["jobId"])
    created = len(esc.events.JobCreated.get_logs(from_block=first))
    host.close()
    return {
        "agents": len(chain.plans), "cycles": cycles, "seconds": round(seconds, 2),
        "tx_sent": sent, "tx_mined": done, "tx_per_s": round(done / seconds, 1),
        "jobs_created": created, "jobs_settled": len(settled),
        "mem_per_agent_mb": round(max(0, rss1 - rss0) / len(chain.plans) / 2**20, 2),
    }


def keep_up(chain: Chain, cycles: int, processes: int, seed: int = 0,
            progress: Callable[[str], None] = print) -> dict[str, Any]:
    cfg = SimConfig(agents=len(chain.plans), cycles=cycles, seed=seed, out=chain.out, max_processes=processes)
    rpc(chain.url, "evm_setIntervalMining", [1])
    start = int(rpc(chain.url, "eth_blockNumber"), 16) + 3
    procs = spawn(cfg, chain.url, chain.plans, chain.deployment_file, start, cycles)
    target = cycles * len(chain.plans)
    deadline = time.monotonic() + cycles * 5 * 3 + 120
    try:
        while time.monotonic() < deadline:
            total = sum(min(cycles, v) for v in agent_cycles(chain.out, chain.plans).values())
            if total >= target or all(p.poll() is not None for p in procs):
                break
            time.sleep(1.0)
    finally:
        stop_processes(procs)
    lags: list[float] = []
    done = 0
    for p in chain.plans:
        f = chain.out / "agents" / p.address.lower() / "metrics.jsonl"
        rows = [json.loads(line) for line in f.read_text().splitlines()] if f.is_file() else []
        done += len(rows)
        for r in rows[len(rows) // 2:]:
            window_end = start + (int(r["cycle"]) + 1) * 5 - 1
            lags.append(max(0.0, (int(r["block"]) - window_end) / 5))
    lags.sort()
    p90 = lags[int(0.9 * (len(lags) - 1))] if lags else float("inf")
    return {"agents": len(chain.plans), "processes": min(processes, len(chain.plans)), "cycles": cycles,
            "agent_cycles_done": done, "agent_cycles_target": target,
            "lag_p90_cycles": round(p90, 2), "lag_mean_cycles": round(statistics.fmean(lags), 2) if lags else None,
            "keeps_up": bool(lags) and p90 < 1.0 and done >= target}


def main(sizes: tuple[int, ...] = (10, 50), cycles: int = 15, raw_n: int = 1000, keepup_agents: int = 100,
         keepup_cycles: int = 12, processes: int = 4, out: Path | None = None,
         echo: Callable[[str], None] = print) -> dict[str, Any]:
    out = out or Path("/tmp") / f"emergent-bench-{int(time.time())}"
    results: dict[str, Any] = {"economy": [], "raw": None, "keep_up": None}
    for n in sizes:
        echo(f"economy with {n} agents: deploying ...")
        chain = fresh_chain(out / f"n{n}", n)
        try:
            if results["raw"] is None:
                results["raw"] = raw_anvil(chain, raw_n)
                echo(f"  raw anvil: {results['raw']['mined_tps']:.0f} tx/s mined ({raw_n} pre-signed transfers)")
            r = economy_throughput(chain, cycles)
            results["economy"].append(r)
            echo(f"  {n} agents: {r['tx_per_s']} tx/s, {r['jobs_settled']} jobs settled "
                 f"({r['jobs_created']} created) in {r['seconds']} s; {r['mem_per_agent_mb']} MB/agent")
        finally:
            chain.net.stop()
    if keepup_agents:
        echo(f"keep-up: {keepup_agents} agents in {processes} processes, 1 s blocks, {keepup_cycles} cycles ...")
        chain = fresh_chain(out / f"keepup{keepup_agents}", keepup_agents)
        try:
            results["keep_up"] = keep_up(chain, keepup_cycles, processes, progress=echo)
        finally:
            chain.net.stop()
    raw_tps = results["raw"]["mined_tps"] if results["raw"] else 0
    echo("")
    echo(f"{'agents':>6} {'tx/s':>8} {'raw tx/s':>9} {'ratio':>6} {'jobs settled':>13} {'MB/agent':>9}")
    for r in results["economy"]:
        ratio = r["tx_per_s"] / raw_tps if raw_tps else 0.0
        echo(f"{r['agents']:>6} {r['tx_per_s']:>8} {raw_tps:>9.0f} {ratio:>6.2f} {r['jobs_settled']:>13} "
             f"{r['mem_per_agent_mb']:>9}")
    if results["keep_up"]:
        k = results["keep_up"]
        echo(f"keep-up: {k['agents']} agents, {k['agent_cycles_done']}/{k['agent_cycles_target']} agent-cycles, "
             f"lag p90 {k['lag_p90_cycles']} cycles, mean {k['lag_mean_cycles']} -> "
             f"{'keeps up' if k['keeps_up'] else 'FALLS BEHIND'}")
    (out / "bench-economy.json").write_text(json.dumps(results, indent=1))
    echo(f"figures: {out / 'bench-economy.json'}")
    return results
