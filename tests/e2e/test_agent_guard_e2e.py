"""Agents that cannot run on the wrong chain, twice, or broke: a real anvil, the real deployment, real
processes.

- a second process on an agent's data dir exits 1 naming the holder's pid; after kill -9 of the holder a
  new process starts (the OS released the flock);
- a data dir built on another deployment is refused with one line and no transaction; `reset` moves it
  aside and starts afresh; `emergent agent run` prints that line and exits 1;
- an agent without ETH for one transaction is refused; one without AGENT is warned.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from agents.cli import cli
from agents.devnet import rpc
from agents.paths import PROJECT_ROOT
from agents.runtime.guard import AgentStartError, ChainIdentity
from agents.runtime.process import Host, HostConfig
from agents.runtime.store import AgentStore
from agents.sim.simulate import derive_key

pytestmark = pytest.mark.slow


def _conf(economy, name: str, index: int, **extra) -> Path:
    plan = economy.plan(index, "honest", ("factor",))
    conf = {
        "rpc": economy.url,
        "deployment": str(extra.pop("deployment", economy.deployment_file)),
        "data_dir": str(economy.out / name),
        "payloads": str(economy.out / "payloads"),
        "cycle_blocks": 5,
        "poll_interval": 0.2,
        "agents": [{"key": plan.key, "persona": "honest", "services": ["factor"]}],
        **extra,
    }
    path = economy.out / f"{name}-{index}.json"
    path.write_text(json.dumps(conf))
    return path


def _spawn(config: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "agents.runtime.process", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(PROJECT_ROOT),
    )


def _wait(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _nonce(economy, address: str) -> int:
    return economy.web3.eth.get_transaction_count(address)


def test_second_process_on_the_same_dir__exits_1_naming_the_holder__and_after_kill_9_a_new_one_starts(
    economy,
):
    economy.host([{"index": 3, "persona": "honest", "services": ("factor",)}], data="funding").close()
    address = economy.plan(3, "honest").address
    config = _conf(economy, "locked", 3)
    lock = economy.out / "locked" / address.lower() / "agent.lock"
    holder = _spawn(config)
    try:
        _wait(lambda: lock.is_file() and lock.read_text().strip() == str(holder.pid), 60, "the first to lock")
        second = _spawn(config)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert err.strip().splitlines() == [
            f"error: agent {address}: its data dir {lock.parent} is in use by pid {holder.pid}; "
            "stop that process "
            "first (one process per agent)"
        ]
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        third = _spawn(config)
        try:
            _wait(lambda: lock.read_text().strip() == str(third.pid), 60, "the new process to lock")
            assert third.poll() is None
        finally:
            third.send_signal(signal.SIGTERM)
            third.communicate(timeout=30)
        assert third.returncode == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_data_dir_of_another_deployment__refused_without_a_transaction__reset_moves_it_aside(
    economy, tmp_path
):
    spec = {"index": 4, "persona": "honest", "services": ("factor",)}
    economy.host([spec], data="chain").close()  # state built on this deployment
    address = economy.plan(4, "honest").address
    agent_dir = economy.out / "chain" / address.lower()
    redeployed = json.loads(economy.deployment_file.read_text())
    redeployed["block"] = int(redeployed["block"]) + 1  # the same contracts recorded as another deployment
    other = tmp_path / "redeployed.json"
    other.write_text(json.dumps(redeployed))
    cfg = HostConfig(
        rpc=economy.url,
        deployment=other,
        data_dir=economy.out / "chain",
        payloads=economy.out / "payloads",
        agents=[{"key": derive_key(4), "persona": "honest", "services": ["factor"]}],
    )
    nonce = _nonce(economy, address)
    with AgentStore(agent_dir / "agent.sqlite") as store:
        theirs = ChainIdentity.from_json(store.get_meta("chain"))
    here = ChainIdentity(theirs.genesis, theirs.chain_id, theirs.deployment, theirs.block + 1)
    line = (
        f"agent {address}: its data dir belongs to {theirs.describe()}, this RPC is {here.describe()}; "
        "use --reset to start afresh"
    )
    with pytest.raises(AgentStartError) as info:
        Host(cfg)
    assert str(info.value) == line

    result = CliRunner().invoke(
        cli,
        [
            "agent",
            "run",
            "--persona",
            "honest",
            "--account-index",
            "4",
            "--services",
            "factor",
            "--rpc",
            economy.url,
            "--deployment",
            str(other),
            "--data-dir",
            str(economy.out / "chain"),
            "--cycles",
            "1",
        ],
    )
    assert result.exit_code == 1
    assert [x for x in result.output.splitlines() if x.strip()] == [f"Error: {line}"]
    assert _nonce(economy, address) == nonce  # nothing sent

    cfg.reset = True
    host = Host(cfg)
    try:
        [old] = sorted(economy.out.joinpath("chain").glob(f"{address.lower()}.old-*"))
        assert (old / "agent.sqlite").is_file() and (old / "agent.log.jsonl").is_file()
        assert ChainIdentity.from_json(host.agents[0].store.get_meta("chain")) == here
        assert host.agents[0].memory.cycle == 0
    finally:
        host.close()


def test_no_eth_for_one_transaction__refused__no_agent__warned(economy):
    spec = {"index": 5, "persona": "honest", "services": ("factor",)}
    economy.host([spec], data="funding").close()  # ETH and AGENT, as every agent
    address = economy.plan(5, "honest").address
    cfg = HostConfig(
        rpc=economy.url,
        deployment=economy.deployment_file,
        data_dir=economy.out / "broke",
        payloads=economy.out / "payloads",
        agents=[{"key": derive_key(5), "persona": "honest", "services": ["factor"]}],
    )
    rpc(economy.url, "anvil_setBalance", [address, hex(1000)])
    with pytest.raises(
        AgentStartError,
        match=rf"^agent {address}: 0\.000000000000001 ETH cannot pay the gas of "
        r"one transaction \(400000 gas at \d+ wei = [0-9.]+ ETH\); send it "
        r"ETH first$",
    ):
        Host(cfg)
    rpc(economy.url, "anvil_setBalance", [address, hex(100 * 10**18)])
    fresh = economy.plan(15, "honest").address  # beyond the 10 funded test accounts: no AGENT
    rpc(economy.url, "anvil_setBalance", [fresh, hex(100 * 10**18)])
    cfg.agents = [{"key": derive_key(15), "persona": "honest", "services": ["factor"]}]
    host = Host(cfg)
    try:
        assert host.warnings == [
            f"agent {fresh}: 0 AGENT liquid and 0 staked: "
            "it cannot stake the escrow's minimum provider stake "
            "of 100 AGENT, so no client can hire it and it has no liquid AGENT to fund jobs as a client; "
            "send it AGENT"
        ]
    finally:
        host.close()
