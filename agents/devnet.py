"""Start, find and stop a local devnet: anvil (the real binary, never the npm Node wrapper) or the
Hardhat node (`--node hardhat`, the second EVM). Both run the same chain (chain id, mnemonic, accounts,
hardfork); `Dialect` names the few development RPC methods that differ between them (set a balance,
impersonate, mine), so the code that funds, impersonates and mines works on either.

Every helper's `url` is a URL (user:password@ in it is sent as basic auth) or an
`agents.chain.rpc.JsonRpc` client (for headers or other credentials): requests go through the lean
JSON-RPC client, one keep-alive connection per URL and timeout."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.chain.rpc import JsonRpc, RpcProtocolError, RpcResponseError, redact_url
from agents.chain.signing import TEST_MNEMONIC  # re-exported: the devnet's accounts
from agents.paths import ANVIL_BINARY, HARDHAT_CLI, HARDHAT_CONFIG

DEFAULT_PORT = 8545
CHAIN_ID = 31337
# Anvil 1.7.1 rebuilds the whole account and storage tries for every mined block, and from Prague on
# every block also writes the EIP-2935 block-hash history contract, so each block costs more than the
# last: measured here, an empty block took 0.3 ms of anvil's CPU at block 300 and 5.2 ms at block 3,000
# (foundry-rs/foundry#15715, fixed after 1.7.1). On Cancun with a bounded state history the cost stays
# at about 0.2 ms per block however long the chain runs. Nothing in the contracts needs Prague (no
# EIP-7702, no BLS precompiles, no block-hash history reads), and the token and governance gas figures
# were the same on both (TOOLCHAIN.md). Historical state is kept for the last DEVNET_STATES_KEPT
# blocks (revert reasons are traced from the parent block's state); blocks, receipts and logs are all kept.
DEVNET_HARDFORK = "cancun"
DEVNET_STATES_KEPT = 512


NODE_KINDS = ("anvil", "hardhat")


class DevnetError(Exception):
    """The devnet could not be started or reached; one line for the user."""


@dataclass(frozen=True)
class Dialect:
    """The development RPC methods of one node kind (the standard eth_* and evm_* calls are shared)."""

    kind: str
    label: str  # how messages name it
    binary: Path  # what `make install` puts in place
    start_seconds: int  # how long a start may take before it counts as failed
    set_balance: str
    impersonate: str
    stop_impersonating: str
    mine: str  # [blocks (hex), seconds between blocks (hex)] on both


DIALECTS = {
    "anvil": Dialect(
        "anvil",
        "anvil",
        ANVIL_BINARY,
        15,
        "anvil_setBalance",
        "anvil_impersonateAccount",
        "anvil_stopImpersonatingAccount",
        "anvil_mine",
    ),
    "hardhat": Dialect(
        "hardhat",
        "the Hardhat node",
        HARDHAT_CLI,
        60,
        "hardhat_setBalance",
        "hardhat_impersonateAccount",
        "hardhat_stopImpersonatingAccount",
        "hardhat_mine",
    ),
}


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


Endpoint = str | JsonRpc  # a devnet's URL, or a client for it (with its own credentials)

_CLIENTS: dict[tuple[str, float], JsonRpc] = {}
_CLIENTS_LOCK = threading.Lock()


def client(url: Endpoint, timeout: float = 2.0) -> JsonRpc:
    """The lean client for `url` with `timeout` (one per URL and timeout, shared by threads), or `url`
    itself when it is a client already."""
    if isinstance(url, JsonRpc):
        return url
    with _CLIENTS_LOCK:
        found = _CLIENTS.get((url, timeout))
        if found is None:
            found = _CLIENTS[(url, timeout)] = JsonRpc(url, timeout)
        return found


def endpoint_url(url: Endpoint) -> str:
    """The URL for messages and caches, without its password."""
    return url.url if isinstance(url, JsonRpc) else redact_url(url)


def rpc(url: Endpoint, method: str, params: Sequence[Any] | None = None, timeout: float = 2.0) -> Any:
    """One JSON-RPC call to the devnet: its result; DevnetError for the node's error answer (or an answer
    that is not JSON-RPC); transport trouble raises RpcTransportError (a ConnectionError, so OSError)."""
    try:
        return client(url, timeout).request(method, params or [])
    except (RpcResponseError, RpcProtocolError) as exc:
        message = exc.message if isinstance(exc, RpcResponseError) else str(exc)
        raise DevnetError(f"{method}: {message}") from None


def kind_of_client(version: str) -> str | None:
    """'anvil' or 'hardhat' from a node's web3_clientVersion, else None (another client)."""
    version = version.lower()
    return next((k for k in NODE_KINDS if k in version), None)


def node_kind(url: Endpoint) -> str | None:
    """'anvil' or 'hardhat' for a devnet node answering at `url`, else None (nothing, or another client)."""
    try:
        return kind_of_client(str(rpc(url, "web3_clientVersion")))
    except (OSError, DevnetError, ValueError):  # unreachable, refused, or not a JSON-RPC URL
        return None


def is_anvil(url: Endpoint) -> bool:
    return node_kind(url) == "anvil"


def is_devnet(url: Endpoint) -> bool:
    """A devnet node of a kind this project runs (anvil or Hardhat) answers at `url`."""
    return node_kind(url) is not None


_DIALECT_CACHE: dict[str, Dialect] = {}


def dialect(url: Endpoint) -> Dialect:
    """The dialect of the devnet at `url` (asked once per URL); DevnetError when it is neither kind."""
    shown = endpoint_url(url)
    found = _DIALECT_CACHE.get(shown)
    if found is None:
        kind = node_kind(url)
        if kind is None:
            raise DevnetError(
                f"{shown} is not an anvil or Hardhat devnet (development RPC methods are needed)"
            )
        found = _DIALECT_CACHE[shown] = DIALECTS[kind]
    return found


@contextlib.contextmanager
def impersonating(url: Endpoint, account: str, eth_wei: int = 10**18) -> Iterator[None]:
    """Send as `account` (e.g. the Timelock) through eth_sendTransaction inside the block: the devnet
    impersonates it and gives it `eth_wei` for gas."""
    node = dialect(url)
    rpc(url, node.impersonate, [account])
    rpc(url, node.set_balance, [account, hex(eth_wei)])
    try:
        yield
    finally:
        rpc(url, node.stop_impersonating, [account])


def mine_blocks(url: Endpoint, blocks: int, seconds_per_block: int | None = None) -> None:
    """Mine `blocks` blocks now (chain time `seconds_per_block` apart when given)."""
    params = [hex(blocks)] + ([hex(seconds_per_block)] if seconds_per_block else [])
    rpc(url, dialect(url).mine, params)


@dataclass
class Devnet:
    """A running devnet node: either started here (`process` set) or found already listening."""

    url: str
    port: int
    process: subprocess.Popen[bytes] | None = None
    kind: str = "anvil"

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


def anvil_command(
    port: int, *, accounts: int = 10, balance_eth: int = 10_000, extra: list[str] | None = None
) -> list[str]:
    """The anvil command line of a devnet (the real binary; `extra`: more anvil flags, e.g. a mining mode)."""
    return [
        str(ANVIL_BINARY),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(CHAIN_ID),
        "--mnemonic",
        TEST_MNEMONIC,
        "--accounts",
        str(accounts),
        "--balance",
        str(balance_eth),
        "--hardfork",
        DEVNET_HARDFORK,
        "--prune-history",
        str(DEVNET_STATES_KEPT),
        "--silent",
        *(extra or []),
    ]


def hardhat_command(port: int) -> list[str]:
    """The Hardhat node's command line: `node cli.js` itself, so a SIGTERM stops the node, not a wrapper."""
    return [
        "node",
        str(HARDHAT_CLI),
        "--config",
        str(HARDHAT_CONFIG),
        "node",
        "--hostname",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def start_devnet(
    port: int = DEFAULT_PORT,
    *,
    accounts: int = 10,
    balance_eth: int = 10_000,
    log_path: Path | None = None,
    reuse: bool = True,
    extra_args: list[str] | None = None,
    kind: str = "anvil",
) -> Devnet:
    """Start a devnet node of `kind` (anvil or hardhat) on `port`, or re-use one of that kind there.

    The node starts in automine (a block per transaction) so a deployment is quick; call
    `set_block_time` afterwards for interval mining. (ape 0.8.51 fails to see contract creations
    under anvil's --mixed-mining, so the two modes are used one after the other.)
    """
    if kind not in NODE_KINDS:
        raise DevnetError(f"unknown node {kind!r} (choose one of {', '.join(NODE_KINDS)})")
    node = DIALECTS[kind]
    url = f"http://127.0.0.1:{port}"
    if port_open(port):
        found = node_kind(url)
        if reuse and found == kind:
            return Devnet(url=url, port=port, kind=kind)
        what = f"a {found} node" if found else "something that is not a devnet"
        raise DevnetError(f"port {port} is in use by {what} (choose --port)")
    if not node.binary.is_file():
        raise DevnetError(f"{node.label} is not installed at {node.binary}: run `make install`")
    if kind == "anvil":
        cmd = anvil_command(port, accounts=accounts, balance_eth=balance_eth, extra=extra_args)
        env = None
    else:
        cmd = hardhat_command(port)
        env = dict(
            os.environ,
            EMERGENT_DEVNET_ACCOUNTS=str(accounts),
            EMERGENT_DEVNET_BALANCE_ETH=str(balance_eth),
            HARDHAT_DISABLE_TELEMETRY_PROMPT="true",
            HARDHAT_TELEMETRY_DISABLED="true",
        )
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
        cwd=str(HARDHAT_CONFIG.parent) if kind == "hardhat" else None,
    )
    devnet = Devnet(url=url, port=port, process=proc, kind=kind)
    deadline = time.monotonic() + node.start_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DevnetError(
                f"{node.label} exited with code {proc.returncode} (see {log_path or 'its output'})"
            )
        if node_kind(url) == kind:
            if kind == "hardhat":
                # the node task logs every request; the log would grow by a line per poll of every agent
                rpc(url, "hardhat_setLoggingEnabled", [os.environ.get("EMERGENT_HARDHAT_LOG") == "1"])
            return devnet
        time.sleep(0.05 if kind == "anvil" else 0.2)
    devnet.stop()
    raise DevnetError(f"{node.label} did not answer on {url} within {node.start_seconds} s")


def use_devnet_for_ape(devnet: Devnet) -> None:
    """Make ape connect to this devnet rather than start its own (`cli_common.connected` picks ape's
    foundry provider for anvil and its generic node provider for the Hardhat node)."""
    os.environ["APE_FOUNDRY_HOST"] = devnet.url


def set_block_time(url: Endpoint, seconds: float | None) -> None:
    """Interval mining every `seconds` (the node then stops automining); None/0 returns to automine.
    anvil's evm_setIntervalMining takes seconds, Hardhat's milliseconds."""
    unit = 1000 if dialect(url).kind == "hardhat" else 1
    if seconds:
        rpc(url, "evm_setIntervalMining", [max(1, round(seconds)) * unit])
    else:
        rpc(url, "evm_setIntervalMining", [0])
        rpc(url, "evm_setAutomine", [True])


class _Ticker:
    """A daemon thread calling `tick()` every `seconds` until stopped; a failing tick (the node is going
    away, its owner stops us) is skipped."""

    name = "ticker"

    def __init__(self, url: Endpoint, seconds: float) -> None:
        self.url = url
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> _Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 5)

    def tick(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the devnet is going away; the owner stops us
                continue


class ClockedMiner(_Ticker):
    """Interval mining with a chain clock of its own: a block every `block_time` wall seconds whose
    timestamp is `time_scale` seconds after the previous block's (automine off meanwhile).

    anvil does this itself (evm_setIntervalMining + anvil_setBlockTimestampInterval); the Hardhat node has
    no timestamp interval, so a simulation on it mines with `evm_mine [timestamp]` from this thread."""

    name = "clocked-miner"

    def __init__(self, url: Endpoint, block_time: float, time_scale: int) -> None:
        super().__init__(url, block_time)
        self.time_scale = time_scale

    def start(self) -> ClockedMiner:
        rpc(self.url, "evm_setAutomine", [False])
        rpc(self.url, "evm_setIntervalMining", [0])
        super().start()
        return self

    def tick(self) -> None:
        head = rpc(self.url, "eth_getBlockByNumber", ["latest", False])
        rpc(self.url, "evm_mine", [int(head["timestamp"], 16) + self.time_scale], timeout=30)


def start_interval_mining(url: Endpoint, block_time: int, time_scale: int) -> ClockedMiner | None:
    """A block every `block_time` seconds, chain time `time_scale` seconds per block, on either node.
    Returns the miner thread to stop afterwards on the Hardhat node (None on anvil, which mines itself)."""
    if dialect(url).kind == "hardhat":
        return ClockedMiner(url, block_time, time_scale).start()
    if time_scale and time_scale != block_time:
        rpc(url, "anvil_setBlockTimestampInterval", [time_scale])
    rpc(url, "evm_setIntervalMining", [block_time])
    return None


class BlockTicker(_Ticker):
    """Keeps automine on and mines an empty block whenever `seconds` pass without one.

    Anvil's interval mining turns automine off, and ape (0.8.51) then returns placeholder receipts
    (block -1, gas 0) for every transaction sent through it, so CLI commands could not read what
    they just did. Automine plus this ticker gives a block per transaction and a steady clock when
    the chain is idle (block-window agent cycles keep moving).
    """

    name = "block-ticker"

    def __init__(self, url: Endpoint, seconds: float) -> None:
        super().__init__(url, seconds)
        self._last: int | None = None

    def tick(self) -> None:
        head = int(rpc(self.url, "eth_blockNumber"), 16)
        if head == self._last:
            rpc(self.url, "evm_mine")
            head += 1
        self._last = head
