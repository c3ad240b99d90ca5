"""A real devnet for CLI tests: `emergent devnet` itself (its own anvil, a block only per transaction, so
"no new block" is observable), its deployments file in a temporary directory; helpers to run the
real `emergent` entry point and read the chain."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from agents import devnet

EMERGENT = [sys.executable, "-m", "agents.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def rpc(url: str, method: str, params: list | None = None):
    return devnet.rpc(url, method, params, timeout=5)


def cli_env(deployments: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "EMERGENT_DEPLOYMENTS_DIR": str(deployments), **extra}
    for k in ("APE_FOUNDRY_HOST", "EMERGENT_RPC", "EMERGENT_VERBOSE"):
        if k not in extra:
            env.pop(k, None)
    return env


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.stdout + self.stderr).splitlines() if line.strip()]


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120, input: str | None = None) -> Result:
    proc = subprocess.run(
        [*EMERGENT, *args], capture_output=True, text=True, env=env, timeout=timeout, input=input
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class LiveDevnet:
    url: str
    port: int
    deployments: Path
    process: subprocess.Popen
    output: Path

    @property
    def env(self) -> dict[str, str]:
        return cli_env(self.deployments)

    @property
    def file(self) -> Path:
        return self.deployments / f"ethereum-local-{self.port}.json"

    def head(self) -> int:
        return int(rpc(self.url, "eth_blockNumber"), 16)

    def nonce(self, address: str) -> int:
        return int(rpc(self.url, "eth_getTransactionCount", [address, "latest"]), 16)

    def mine(self, blocks: int = 1) -> None:
        rpc(self.url, "anvil_mine", [hex(blocks)])

    def cli(self, *args: str, timeout: float = 120) -> Result:
        return run_cli([*args, "--rpc", self.url], self.env, timeout=timeout)


def start_cli_devnet(tmp: Path, *extra: str, wait_for: str = "devnet running") -> LiveDevnet:
    port = free_port()
    deployments = tmp / "deployments"
    deployments.mkdir(parents=True, exist_ok=True)
    out = tmp / f"devnet-{port}.out"
    fh = open(out, "w")  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [*EMERGENT, "devnet", "--port", str(port), *extra],
        stdout=fh,
        stderr=subprocess.STDOUT,
        env=cli_env(deployments),
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        text = out.read_text()
        if wait_for in text:
            return LiveDevnet(f"http://127.0.0.1:{port}", port, deployments, proc, out)
        if proc.poll() is not None:
            raise RuntimeError(f"devnet exited {proc.returncode}: {text}")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"devnet did not come up: {out.read_text()}")


def stop_cli_devnet(net: LiveDevnet) -> None:
    if net.process.poll() is None:
        net.process.terminate()
        try:
            net.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            net.process.kill()


def assert_signal_stops_devnet(net: LiveDevnet, sig: int, node: str = "anvil", timeout: float = 60) -> None:
    """`sig` to `emergent devnet`: it prints "stopping devnet", exits 0, and its node's port closes."""
    assert port_open(net.port)
    net.process.send_signal(sig)
    assert net.process.wait(timeout=timeout) == 0
    assert "stopping devnet" in net.output.read_text()
    deadline = time.monotonic() + 10
    while port_open(net.port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_open(net.port), f"{node} outlived `emergent devnet`"
