"""kill -9 mid-job: the agent process restarts from SQLite, the job completes (or is refunded), no nonce
errors, no duplicated transaction, and every token is still accounted for. Real processes, interval mining."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.chain.protocol import JobStatus
from agents.devnet import rpc
from agents.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow

COMPLETED, REJECTED, EXPIRED = JobStatus.COMPLETED, JobStatus.REJECTED, JobStatus.EXPIRED


def _spawn(economy, name: str, agents: list[dict], seed: int = 4) -> subprocess.Popen:
    plans = [economy.plan(a["index"], a["persona"], tuple(a["services"])) for a in agents]
    conf = {
        "rpc": economy.url,
        "deployment": str(economy.deployment_file),
        "data_dir": str(economy.out / name),
        "payloads": str(economy.out / "payloads"),
        "cycle_blocks": 5,
        "seed": seed,
        "poll_interval": 0.2,
        "agents": [
            {
                "key": p.key,
                "persona": p.persona,
                "services": list(p.services),
                "overrides": a.get("overrides"),
                "start_block": economy.start_block,
            }
            for p, a in zip(plans, agents, strict=True)
        ],
    }
    path = economy.out / f"{name}.json"
    path.write_text(json.dumps(conf))
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    err = open(economy.out / f"{name}.stderr", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "agents.runtime.process", "--config", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=err,
        env=env,
        cwd=str(PROJECT_ROOT),
    )


def _wait(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_job__restart_resumes__job_settles_and_tokens_are_conserved(economy):
    supply = economy.total_supply()
    client_spec = {"index": 1, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}}
    provider_spec = {
        "index": 2,
        "persona": "honest",
        "services": ("factor",),
        "overrides": {"hire_rate": 0.0},
    }
    for spec in (client_spec, provider_spec):
        economy.host([spec]).close()  # fund once (ETH + AGENT) without running
    provider = economy.plan(2, "honest").address
    economy.start_block = economy.web3.eth.block_number + 1
    rpc(economy.url, "evm_setIntervalMining", [1])
    procs = [_spawn(economy, "client", [client_spec]), _spawn(economy, "provider", [provider_spec])]
    try:
        funded = _wait(
            lambda: [
                e
                for e in economy.logs("ServiceEscrow", "JobFunded")
                if economy.job(e.args["jobId"])[1] == provider
            ],
            120,
            "a funded job",
        )
        job_id = funded[0].args["jobId"]
        procs[1].send_signal(signal.SIGKILL)  # mid-job: funded, maybe not yet delivered
        procs[1].wait()
        time.sleep(3)  # the chain moves on while the provider is dead
        procs[1] = _spawn(economy, "provider", [provider_spec])
        _wait(
            lambda: economy.job(job_id)[3] in (COMPLETED, REJECTED, EXPIRED), 180, f"job {job_id} to settle"
        )
        time.sleep(2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=30) for p in procs]
        rpc(economy.url, "evm_setIntervalMining", [0])
        rpc(economy.url, "evm_setAutomine", [True])
    assert codes == [0, 0]  # SIGTERM: clean exit
    assert economy.job(job_id)[3] == COMPLETED
    submits = [e for e in economy.logs("ServiceEscrow", "JobSubmitted") if e.args["jobId"] == job_id]
    assert len(submits) == 1  # no duplicated delivery after the restart
    log = (economy.out / "provider" / provider.lower() / "agent.log.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in log]
    starts = [e for e in events if e["event"] == "started"]
    assert len(starts) == 2 and starts[1]["cycle"] > 0  # resumed, not restarted from scratch
    assert not [e for e in events if "nonce" in json.dumps(e).lower() and e["event"] != "started"]
    stderr = (economy.out / "provider.stderr").read_text()
    assert "Traceback" not in stderr, stderr[-2000:]
    assert economy.total_supply() == supply and economy.holders_sum() == supply
    assert Path(economy.out / "provider" / provider.lower() / "agent.sqlite").is_file()
