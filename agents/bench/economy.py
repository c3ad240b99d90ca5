"""`emergent bench economy`: the agent economy's throughput against raw anvil, memory per agent, keep-up.

One fresh anvil per population size (free port), deployed and funded the way `emergent simulate` does it.

1. Economy throughput, for each N: N agents in P host processes (one indexer each; `--processes`),
   anvil automining (a block per transaction), and the chain advanced a block whenever it has been
   idle for IDLE_MINE_S (every agent waiting for its next window), so nothing waits on a wall clock.
   The agents first run K warm-up cycles, then their hosts are restarted (resuming from SQLite) for K
   measured cycles. tx/s = transactions mined in the measured blocks / seconds from the moment every
   agent has started to the last agent's last cycle; jobs settled = jobs that reached a terminal state
   (completed, expired, refunded after rejection or dispute). Memory: the hosts' resident sets at the
   end / N (whole processes, the interpreter included), and their growth over the run / N.
2. Raw anvil: `measure_raw_tps` sends pre-signed ETH transfers (no contract logic, no estimation, no
   waiting) through the agents' JSON-RPC client and times them until mined, inside an evm_snapshot
   that is reverted afterwards, so the economy's chain is left as it was. It runs on the fresh chain
   (for scale) and right before and right after the measured cycles: anvil 1.7.1 re-hashes every
   storage slot for every block it mines (about 1.3 us per slot here), so a block costs more as the
   economy's escrow, registry and checkpoints fill, and throughput on an empty chain says little
   about the chain the agents trade on. The baseline is the mean of the before and after runs.
3. Keep-up: M agents in several host processes against 1-second interval mining for K cycles; each
   agent logs the head block when it ran each cycle, so its lag behind the end of that cycle's window
   is measured (in cycles). "Keeps up" = 90th-percentile lag over the second half below one cycle.
"""

from __future__ import annotations

import contextlib
import json
import os
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
IDLE_MINE_S = 0.01  # the chain has not moved for this long: every agent waits for its window, mine a block
HOST_POLL_S = 0.005  # hosts' poll interval while no agent is due
# Under automine every transaction is a block. At the simulation's 6 chain-seconds per block, a round of
# 50 agents' transactions moved the clock ~10 minutes and most jobs expired (240 s) before their
# provider's next cycle (6 submissions in 10 cycles); 1 s per block keeps a round within a few minutes.
AUTOMINE_SECONDS_PER_BLOCK = 1


@dataclass
class Chain:
    url: str
    out: Path
    deployment: dict[str, Any]
    net: Any
    plans: list[Any]
    agents_start: int | None = None  # the block the agents' windows count from (set by their first run)

    @property
    def deployment_file(self) -> Path:
        return self.out / "ethereum-local.json"


def fresh_chain(out: Path, n_agents: int, seed: int = 0, seconds_per_block: int | None = None) -> Chain:
    """Anvil on a free port, deployed and funded for `n_agents`; block timestamps advance by
    `seconds_per_block` (default: the simulation's time scale)."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = SimConfig(agents=n_agents, seed=seed, out=out)
    plans = plan_agents(cfg)
    net = start_devnet(free_port(), log_path=out / "anvil.log", reuse=False)
    try:
        deployment = deploy(net.url, out, n_agents, cfg.start_balance)
        fund_agents(net.url, deployment, plans, cfg.start_balance)
        rpc(net.url, "anvil_setBlockTimestampInterval", [seconds_per_block or cfg.time_scale])
    except BaseException:
        net.stop()
        raise
    return Chain(net.url, out, deployment, net, plans)


def raw_anvil(chain: Chain, n: int, batched: bool = False) -> dict[str, Any]:
    """Raw throughput on the chain's current state, leaving no trace: the transfers run inside an
    evm_snapshot that is reverted afterwards (blocks, balances and nonces as before). `batched`: many
    transfers per block (automine off, blocks mined explicitly), else a block per transfer."""
    from agents.bench.raw_anvil import measure_raw_tps

    keys = [p.key for p in chain.plans[: min(10, len(chain.plans))]]
    snapshot = rpc(chain.url, "evm_snapshot")
    try:
        return measure_raw_tps(chain.url, keys, n, batched=batched)
    finally:
        if rpc(chain.url, "evm_revert", [snapshot]) is not True:
            raise RuntimeError("anvil could not revert the raw-throughput snapshot")


def raw_both(chain: Chain, n: int) -> dict[str, dict[str, Any]]:
    """Raw anvil on the same state in both mining modes: {"auto": ..., "batch": ...}."""
    return {"auto": raw_anvil(chain, n), "batch": raw_anvil(chain, n, batched=True)}


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _host_usage(
    chain: Chain, pid: int, need: tuple[str, ...] = ("ready", "stopped")
) -> dict[str, Any] | None:
    """What a host process recorded of its CPU and memory (agents.runtime.process.Host._record_usage)."""
    try:
        usage = json.loads((chain.out / "agents" / "hosts" / f"{pid}.json").read_text())
    except (OSError, ValueError):
        return None
    return usage if all(k in usage for k in need) else None


def _log_records(chain: Chain, plan: Any, event: str) -> list[dict[str, Any]]:
    f = chain.out / "agents" / plan.address.lower() / "agent.log.jsonl"
    out = []
    try:
        with open(f) as fh:
            for line in fh:
                if f'"event": "{event}"' in line:
                    out.append(json.loads(line))
    except OSError:
        pass
    return out


def _wait_ready(chain: Chain, procs: list[Any], timeout: float = 180.0) -> None:
    """Until every host has built its agents (its usage file says "ready") and waits at the gate."""
    deadline = time.monotonic() + timeout
    while any(_host_usage(chain, p.pid, need=("ready",)) is None for p in procs):
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"an agent host exited early (see {chain.out}/host-*.stderr)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"agent hosts not ready within {timeout:.0f} s")
        time.sleep(0.05)


class CycleCounter:
    """Cycles completed per agent (lines of its metrics file), counted incrementally: a file is read
    only from where it was last read, and only when its size changed (the lockstep miner asks often, and
    re-reading 50 files each time took CPU from the agents on a 2-core machine)."""

    def __init__(self, out: Path, plans: list[Any]) -> None:
        self.files = [out / "agents" / p.address.lower() / "metrics.jsonl" for p in plans]
        self.state = [(0, 0)] * len(self.files)  # (bytes read, lines)

    def counts(self) -> list[int]:
        out = []
        for i, f in enumerate(self.files):
            read, lines = self.state[i]
            try:
                size = f.stat().st_size
                if size > read:
                    with open(f, "rb") as fh:
                        fh.seek(read)
                        chunk = fh.read(size - read)
                    end = chunk.rfind(b"\n") + 1  # whole lines only
                    self.state[i] = (read + end, lines + chunk[:end].count(b"\n"))
            except OSError:
                pass
            out.append(self.state[i][1])
        return out

    def slowest(self) -> int:
        return min(self.counts(), default=0)


def mined_transactions(url: str, first: int, last: int) -> tuple[int, int, int]:
    """(transactions, successful ones, empty blocks) in blocks first..last, read in JSON-RPC batches."""
    from agents.chain.rpc import JsonRpc

    rpc = JsonRpc(url)
    hashes: list[str] = []
    empty = 0
    for lo in range(first, last + 1, 200):
        blocks = rpc.batch(
            [("eth_getBlockByNumber", [hex(b), False]) for b in range(lo, min(last, lo + 199) + 1)]
        )
        for blk in blocks:
            hashes += blk["transactions"]
            empty += not blk["transactions"]
    ok = 0
    for lo in range(0, len(hashes), 200):
        for r in rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes[lo : lo + 200]]):
            ok += int(r["status"], 16) == 1
    rpc.close()
    return len(hashes), ok, empty


def economy_throughput(
    chain: Chain, until_cycle: int, processes: int, seed: int = 0, mining: str = "auto"
) -> dict[str, Any]:
    """Run every agent up to cycle `until_cycle` (host processes resume from the agents' SQLite state).
    mining "auto": automine (a block per transaction), and a block whenever the chain has been idle for
    IDLE_MINE_S (every agent waiting for its next window). "batch": automine off and a `LockstepMiner`
    mines blocks back to back, waiting at each window's last block until every agent has run that
    cycle, so each round of the agents' transactions shares one block and no agent falls behind its
    windows. Nothing waits on a wall clock. Hosts build their agents and wait at a gate file; the clock runs
    from opening the gate to
    the last agent's last cycle (its log)."""
    from agents.chain.nodes import LockstepMiner, set_mining

    n = len(chain.plans)
    cfg = SimConfig(
        agents=n,
        cycles=until_cycle,
        seed=seed,
        out=chain.out,
        max_processes=processes,
        poll_interval=HOST_POLL_S,
    )
    head = int(rpc(chain.url, "eth_blockNumber"), 16)
    first_cycle = min(agent_cycles(chain.out, chain.plans).values())
    gate = chain.out / f"go-{until_cycle}"
    gate.unlink(missing_ok=True)
    if chain.agents_start is None:
        chain.agents_start = head + 1  # resumed agents keep counting windows from their first start
    procs = spawn(
        cfg,
        chain.url,
        chain.plans,
        chain.deployment_file,
        chain.agents_start,
        until_cycle,
        overrides={"hire_rate": 1.0},
        start_gate=gate,
    )
    from agents.chain.rpc import JsonRpc

    node = JsonRpc(chain.url)
    progress = CycleCounter(chain.out, chain.plans)
    done_count, counted_at = first_cycle, 0.0

    def cycles_done() -> int:  # the slowest agent's completed cycles (re-counted at most every 2 ms)
        nonlocal done_count, counted_at
        if time.monotonic() - counted_at > 0.002:
            done_count, counted_at = progress.slowest(), time.monotonic()
        return done_count

    miner = (
        LockstepMiner(chain.url, chain.agents_start, cfg.cycle_blocks, cycles_done, client=node)
        if mining == "batch"
        else None
    )
    try:
        _wait_ready(chain, procs)
        set_mining(chain.url, mining)
        anvil_pid = chain.net.process.pid if chain.net.process else None
        anvil_cpu0 = proc_cpu(anvil_pid) if anvil_pid else 0.0
        gate.touch()
        t0 = time.time()
        last_block, changed_at, checked_at = head, time.monotonic(), 0.0
        deadline = time.monotonic() + 60 + (until_cycle - first_cycle) * n * 0.5
        while True:
            now = time.monotonic()
            if now > deadline:
                raise TimeoutError(f"agents did not reach cycle {until_cycle} in time")
            if now - checked_at > 0.1:
                checked_at = now
                if min(agent_cycles(chain.out, chain.plans).values()) >= until_cycle:
                    break
                if all(p.poll() is not None for p in procs):
                    raise RuntimeError(f"agent hosts exited early (see {chain.out}/host-*.stderr)")
            if miner is not None:
                miner.step()
            else:
                block = int(node.request("eth_blockNumber"), 16)
                if block != last_block:
                    last_block, changed_at = block, now
                elif now - changed_at > IDLE_MINE_S:
                    node.request("anvil_mine", ["0x1"])
                    changed_at = now
            time.sleep(0.003)
        anvil_cpu = (proc_cpu(anvil_pid) if anvil_pid else 0.0) - anvil_cpu0
        wall = time.time() - t0
    finally:
        stop_processes(procs)
        if mining == "batch":  # what the hosts sent before they stopped, then back to automine
            rpc(chain.url, "anvil_mine", ["0x1"])
            set_mining(chain.url, "auto")
        node.close()
    t1 = max(r["ts"] for p in chain.plans for r in _log_records(chain, p, "cycle")[-1:])
    seconds = max(1e-9, t1 - t0)
    end_block = int(rpc(chain.url, "eth_blockNumber"), 16)
    # The measured windows start at the first block of cycle `first_cycle`; the previous phase's miner may
    # already have mined past it (agents ahead of the slowest one ran into the next window), so those
    # blocks and their transactions belong to the measured cycles too.
    window_start = chain.agents_start - 1 + first_cycle * cfg.cycle_blocks
    head = min(head, window_start)
    mined, ok, idle_blocks = mined_transactions(chain.url, head + 1, end_block)
    settled, created = _jobs(chain)
    agent_cycles_run = (until_cycle - first_cycle) * n
    usage = [u for p in procs if (u := _host_usage(chain, p.pid)) is not None]
    host_cpu = sum(u["stopped"]["cpu_s"] - u["ready"]["cpu_s"] for u in usage)
    rss_start = sum(u["ready"]["rss"] for u in usage)
    rss_end = sum(u["stopped"]["rss"] for u in usage)
    blocks = end_block - head
    return {
        "agents": n,
        "processes": len(procs),
        "cycles": until_cycle - first_cycle,
        "mining": mining,
        "blocks": blocks,
        "tx_per_block": round(mined / max(1, blocks - idle_blocks), 1),
        "from_cycle": first_cycle,
        "seconds": round(seconds, 3),
        "tx_mined": mined,
        "tx_ok": ok,
        "tx_per_s": round(mined / seconds, 1),
        "idle_blocks": idle_blocks,
        "jobs_created": created,
        "jobs_settled": settled,
        "storage_slots": storage_slots(chain),
        # where the time went: anvil's share of one core, the agents' CPU per transaction and per cycle
        "anvil_busy": round(anvil_cpu / wall, 2),
        "agent_cpu_ms_per_tx": round(1000 * host_cpu / max(1, mined), 2),
        "agent_cpu_ms_per_cycle": round(1000 * host_cpu / max(1, agent_cycles_run), 2),
        "rss_mb_per_agent": round(rss_end / n / 2**20, 2),
        "growth_mb_per_agent": round(max(0, rss_end - rss_start) / n / 2**20, 3),
    }


def storage_slots(chain: Chain) -> int:
    """Storage slots held by the deployed contracts (anvil_dumpState): what anvil 1.7.1 re-hashes per
    block."""
    import gzip

    raw = bytes.fromhex(rpc(chain.url, "anvil_dumpState", timeout=60)[2:])
    with contextlib.suppress(OSError):
        raw = gzip.decompress(raw)
    accounts = json.loads(raw).get("accounts", {})
    return sum(len(a.get("storage") or {}) for a in accounts.values())


def _jobs(chain: Chain) -> tuple[int, int]:
    """(jobs settled, jobs created) since the deployment, from the escrow's events."""
    from agents.chain.contracts import Contracts
    from agents.runtime.process import make_web3

    esc = Contracts.load(make_web3(chain.url), deployment_file=chain.deployment_file)["ServiceEscrow"]
    first = int(chain.deployment.get("block", 0))
    settled = set()
    for name in TERMINAL_EVENTS:
        for ev in getattr(esc.events, name).get_logs(from_block=first):
            settled.add(ev.args["jobId"])
    return len(settled), len(esc.events.JobCreated.get_logs(from_block=first))


def keep_up(
    chain: Chain, cycles: int, processes: int, seed: int = 0, progress: Callable[[str], None] = print
) -> dict[str, Any]:
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
        for r in rows[len(rows) // 2 :]:
            window_end = start + (int(r["cycle"]) + 1) * 5 - 1
            lags.append(max(0.0, (int(r["block"]) - window_end) / 5))
    lags.sort()
    p90 = lags[int(0.9 * (len(lags) - 1))] if lags else float("inf")
    return {
        "agents": len(chain.plans),
        "processes": min(processes, len(chain.plans)),
        "cycles": cycles,
        "agent_cycles_done": done,
        "agent_cycles_target": target,
        "lag_p90_cycles": round(p90, 2),
        "lag_mean_cycles": round(statistics.fmean(lags), 2) if lags else None,
        "keeps_up": bool(lags) and p90 < 1.0 and done >= target,
    }


def main(
    sizes: tuple[int, ...] = (10, 50),
    cycles: int = 20,
    raw_n: int = 1000,
    keepup_agents: int = 100,
    keepup_cycles: int = 12,
    processes: int = 2,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
    mining: str = "batch",
) -> dict[str, Any]:
    out = out or Path("/tmp") / f"emergent-bench-{int(time.time())}"
    results: dict[str, Any] = {"economy": [], "keep_up": None, "mining": mining}
    for n in sizes:
        echo(f"economy with {n} agents ({mining} mining): deploying ...")
        chain = fresh_chain(out / f"n{n}", n, seconds_per_block=AUTOMINE_SECONDS_PER_BLOCK)
        try:
            empty = raw_both(chain, raw_n)
            echo(
                f"  raw anvil, fresh chain: {empty['auto']['mined_tps']:.0f} tx/s a block per transfer, "
                f"{empty['batch']['mined_tps']:.0f} tx/s batched ({raw_n} pre-signed transfers)"
            )
            warm = economy_throughput(chain, cycles, processes, mining=mining)
            echo(
                f"  warm-up, cycles 0-{cycles - 1}: {warm['tx_per_s']} tx/s, "
                f"state {warm['storage_slots']} slots"
            )
            before = raw_both(chain, raw_n)
            r = economy_throughput(chain, 2 * cycles, processes, mining=mining)
            after = raw_both(chain, raw_n)
            r["raw"] = {
                mode: {
                    "fresh": empty[mode],
                    "before": before[mode],
                    "after": after[mode],
                    "tps": round((before[mode]["mined_tps"] + after[mode]["mined_tps"]) / 2, 1),
                }
                for mode in ("auto", "batch")
            }
            best = max(r["raw"], key=lambda mode: r["raw"][mode]["tps"])  # the economy is compared with this
            r["raw_mode"] = best
            r["raw_fresh"], r["raw_before"], r["raw_after"] = empty[best], before[best], after[best]
            r["warm_up"] = warm
            r["raw_tps"] = r["raw"][best]["tps"]
            r["ratio"] = round(r["tx_per_s"] / r["raw_tps"], 3) if r["raw_tps"] else 0.0
            echo(
                f"  measured, cycles {cycles}-{2 * cycles - 1}, {r['processes']} processes: "
                f"{r['tx_per_s']} tx/s "
                f"({r['tx_mined']} mined in {r['blocks']} blocks, {r['tx_ok']} succeeded, {r['seconds']} s); "
                f"raw anvil on the same state: a block per transfer {r['raw']['auto']['tps']:.0f}, batched "
                f"{r['raw']['batch']['tps']:.0f} tx/s; "
                f"{r['jobs_settled']} jobs settled of {r['jobs_created']}"
            )
            results["economy"].append(r)
        finally:
            chain.net.stop()
    if keepup_agents:
        kp = max(processes, 4)
        echo(f"keep-up: {keepup_agents} agents in {kp} processes, 1 s blocks, {keepup_cycles} cycles ...")
        chain = fresh_chain(out / f"keepup{keepup_agents}", keepup_agents)
        try:
            results["keep_up"] = keep_up(chain, keepup_cycles, kp, progress=echo)
        finally:
            chain.net.stop()
    echo("")
    echo(f"tx/s: the measured cycles ({mining} mining), after a warm-up of as many; raw: pre-signed")
    echo("transfers on the same chain state (mean of right before and right after the measured cycles),")
    echo("a block per transfer (auto) and many per block (batch); ratio: against the faster of the two;")
    echo("fresh: raw on the new chain")
    echo(
        f"{'agents':>6} {'procs':>5} {'tx/s':>7} {'tx/blk':>6} {'raw auto':>8} {'raw batch':>9} {'ratio':>6} "
        f"{'fresh a/b':>11} {'slots':>6} {'anvil busy':>10} {'agent ms/tx':>11} {'ms/cycle':>8} "
        f"{'jobs settled':>13} {'MB/agent':>9} {'growth MB/agent':>16}"
    )
    for r in results["economy"]:
        fresh = f"{r['raw']['auto']['fresh']['mined_tps']:.0f}/{r['raw']['batch']['fresh']['mined_tps']:.0f}"
        echo(
            f"{r['agents']:>6} {r['processes']:>5} {r['tx_per_s']:>7} {r['tx_per_block']:>6} "
            f"{r['raw']['auto']['tps']:>8.0f} {r['raw']['batch']['tps']:>9.0f} {r['ratio']:>6.2f} "
            f"{fresh:>11} "
            f"{r['storage_slots']:>6} {r['anvil_busy']:>10.0%} {r['agent_cpu_ms_per_tx']:>11} "
            f"{r['agent_cpu_ms_per_cycle']:>8} {r['jobs_settled']:>13} {r['rss_mb_per_agent']:>9} "
            f"{r['growth_mb_per_agent']:>16}"
        )
    if results["keep_up"]:
        k = results["keep_up"]
        echo(
            f"keep-up: {k['agents']} agents, "
            f"{k['agent_cycles_done']}/{k['agent_cycles_target']} agent-cycles, "
            f"lag p90 {k['lag_p90_cycles']} cycles, mean {k['lag_mean_cycles']} -> "
            f"{'keeps up' if k['keeps_up'] else 'FALLS BEHIND'}"
        )
    (out / "bench-economy.json").write_text(json.dumps(results, indent=1))
    echo(f"figures: {out / 'bench-economy.json'}")
    return results
