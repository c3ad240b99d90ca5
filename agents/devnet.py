"""Start, find and stop a local anvil devnet (the real binary, never the npm Node wrapper)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from agents.paths import ANVIL_BINARY

TEST_MNEMONIC = "test test test test test test test test test test test junk"
DEFAULT_PORT = 8545
CHAIN_ID = 31337
# Anvil 1.7.1 rebuilds the whole account and storage tries for every mined block, and from Prague on
# every block also writes the EIP-2935 block-hash history contract, so each block costs more than the
# last: measured here, an empty block took 0.3 ms of anvil's CPU at block 300 and 5.2 ms at block 3,000
# (foundry-rs/foundry#15715, fixed after 1.7.1). On Cancun with a bounded state history the cost stays
# at about 0.2 ms per block however long the chain runs. Nothing in the contracts needs Prague (no
# EIP-7702, no BLS precompiles, no block-hash history reads), and the token and governance gas figures
# were the same on both (TOOLCHAIN.md). Historical state is kept for the last DEVNET_STATES_KEPT
# blocks (revert-reason replays read the parent block); blocks, receipts and logs are all kept.
DEVNET_HARDFORK = "cancun"
DEVNET_STATES_KEPT = 512


class DevnetError(Exception):
    """The devnet could not be started or reached; one line for the user."""


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def rpc(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (loopback only)
        payload = json.loads(resp.read())
    if "error" in payload:
        raise DevnetError(f"{method}: {payload['error'].get('message')}")
    return payload["result"]


def is_anvil(url: str) -> bool:
    try:
        return "anvil" in str(rpc(url, "web3_clientVersion")).lower()
    except Exception:
        return False


@dataclass
class Devnet:
    """A running anvil: either started here (`process` set) or found already listening."""

    url: str
    port: int
    process: subprocess.Popen | None = None

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the anvil this object started and wait until its port is closed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None


def anvil_command(port: int, *, accounts: int = 10, balance_eth: int = 10_000, extra: list[str] | None = None
                  ) -> list[str]:
    """The anvil command line of a devnet (the real binary; `extra`: more anvil flags, e.g. a mining mode)."""
    return [
        str(ANVIL_BINARY),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--chain-id", str(CHAIN_ID),
        "--mnemonic", TEST_MNEMONIC,
        "--accounts", str(accounts),
        "--balance", str(balance_eth),
        "--hardfork", DEVNET_HARDFORK,
        "--prune-history", str(DEVNET_STATES_KEPT),
        "--silent",
        *(extra or []),
    ]


def start_devnet(
    port: int = DEFAULT_PORT,
    *,
    accounts: int = 10,
    balance_eth: int = 10_000,
    log_path: Path | None = None,
    reuse: bool = True,
    extra_args: list[str] | None = None,
) -> Devnet:
    """Start anvil on `port`, or re-use an anvil already listening there.

    Anvil starts in automine (a block per transaction) so a deployment is quick; call
    `set_block_time` afterwards for interval mining. (ape 0.8.51 fails to see contract creations
    under anvil's --mixed-mining, so the two modes are used one after the other.)
    """
    url = f"http://127.0.0.1:{port}"
    if port_open(port):
        if reuse and is_anvil(url):
            return Devnet(url=url, port=port)
        raise DevnetError(f"port {port} is in use by something that is not anvil (choose --port)")
    if not ANVIL_BINARY.is_file():
        raise DevnetError(f"anvil is not installed at {ANVIL_BINARY}: run `make install`")
    cmd = anvil_command(port, accounts=accounts, balance_eth=balance_eth, extra=extra_args)
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    devnet = Devnet(url=url, port=port, process=proc)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DevnetError(f"anvil exited with code {proc.returncode} (see {log_path or 'its output'})")
        if is_anvil(url):
            return devnet
        time.sleep(0.05)
    devnet.stop()
    raise DevnetError(f"anvil did not answer on {url} within 15 s")


def use_devnet_for_ape(devnet: Devnet) -> None:
    """Make ape's foundry provider connect to this devnet rather than start its own."""
    os.environ["APE_FOUNDRY_HOST"] = devnet.url


def set_block_time(url: str, seconds: float | None) -> None:
    """Interval mining every `seconds` (anvil then stops automining); None/0 returns to automine."""
    if seconds:
        rpc(url, "evm_setIntervalMining", [max(1, round(seconds))])
    else:
        rpc(url, "evm_setIntervalMining", [0])
        rpc(url, "evm_setAutomine", [True])


class BlockTicker:
    """Keeps automine on and mines an empty block whenever `seconds` pass without one.

    Anvil's interval mining turns automine off, and ape (0.8.51) then returns placeholder receipts
    (block -1, gas 0) for every transaction sent through it, so CLI commands could not read what
    they just did. Automine plus this ticker gives a block per transaction and a steady clock when
    the chain is idle (block-window agent cycles keep moving).
    """

    def __init__(self, url: str, seconds: float) -> None:
        self.url = url
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="block-ticker", daemon=True)

    def start(self) -> BlockTicker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 2)

    def _run(self) -> None:
        last = None
        while not self._stop.wait(self.seconds):
            try:
                head = int(rpc(self.url, "eth_blockNumber"), 16)
                if head == last:
                    rpc(self.url, "evm_mine")
                    head += 1
                last = head
            except Exception:  # the devnet is going away; the owner stops us
                continue
