"""EventIndexer across reorgs on a chain of its own (anvil_reorg / anvil_rollback would rewrite the
session chain under the other tests): a one-event contract, `Ping(uint256)`, emits whatever value a
transaction sends, so every block's events are known exactly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from agents.chain.indexer import ChainEvent, ChainReorg, EventIndexer
from agents.devnet import rpc, start_devnet
from agents.runtime.store import AgentStore
from agents.sim.simulate import free_port

# anvil's first two test keys: the deployer and the pinger
DEPLOYER = Account.from_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
PINGER = Account.from_key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
TOPIC = keccak(text="Ping(uint256)")
# runtime: mstore(0, calldataload(0)); log1(0, 32, TOPIC); stop  (45 bytes), behind a 12-byte constructor
RUNTIME = "600035600052" + "7f" + TOPIC.hex() + "60206000a100"
INIT = "602d600c600039602d6000f3" + RUNTIME
PING_ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "Ping",
        "anonymous": False,
        "inputs": [{"name": "value", "type": "uint256", "indexed": False}],
    }
]


@dataclass
class PingChain:
    url: str
    w3: Web3
    address: str

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def block_hash(self, number: int) -> str:
        return "0x" + bytes(self.w3.eth.get_block(number)["hash"]).hex()

    def signed(self, value: int, nonce: int) -> str:
        tx = {
            "to": self.address,
            "data": "0x" + value.to_bytes(32, "big").hex(),
            "gas": 60_000,
            "nonce": nonce,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "chainId": 31337,
            "type": 2,
        }
        return "0x" + bytes(PINGER.sign_transaction(tx).raw_transaction).hex()

    def ping(self, value: int) -> int:
        """One Ping(value) in a block of its own (automine); returns the block."""
        nonce = self.w3.eth.get_transaction_count(PINGER.address)
        tx_hash = rpc(self.url, "eth_sendRawTransaction", [self.signed(value, nonce)])
        # anvil automines in the background: the hash can come back before the block exists
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)
        return int(receipt["blockNumber"])

    def reorg(self, depth: int, pings: list[tuple[int, int]]) -> None:
        """Replace the last `depth` blocks with `depth` new ones holding Ping(value) at (value, offset)."""
        fork_parent = self.head() - depth
        nonce = self.w3.eth.get_transaction_count(PINGER.address, fork_parent)
        txs = [[self.signed(v, nonce + i), off] for i, (v, off) in enumerate(pings)]
        rpc(self.url, "anvil_reorg", [depth, txs])


@pytest.fixture(scope="module")
def pings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PingChain]:
    out = tmp_path_factory.mktemp("reorg-chain")
    net = start_devnet(free_port(), log_path=out / "anvil.log", reuse=False)
    try:
        w3 = Web3(Web3.HTTPProvider(net.url, request_kwargs={"timeout": 10}))
        tx = {
            "data": "0x" + INIT,
            "gas": 200_000,
            "nonce": 0,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "chainId": 31337,
            "type": 2,
        }
        raw = "0x" + bytes(DEPLOYER.sign_transaction(tx).raw_transaction).hex()
        sent = rpc(net.url, "eth_sendRawTransaction", [raw])
        receipt = w3.eth.wait_for_transaction_receipt(sent, timeout=10, poll_latency=0.01)
        yield PingChain(net.url, w3, str(receipt["contractAddress"]))
    finally:
        net.stop()


@dataclass
class Folder:
    """A subscriber with state: the sum of pings by event key; a reorg drops what it orphaned."""

    timeline: list[tuple[str, Any]] = field(default_factory=list)
    values: dict[tuple[int, int], int] = field(default_factory=dict)

    def on_event(self, ev: ChainEvent) -> None:
        self.timeline.append(("event", (ev.block, ev.args["value"])))
        assert ev.key not in self.values, f"{ev.key} delivered twice"
        self.values[ev.key] = int(ev.args["value"])

    def on_reorg(self, reorg: ChainReorg) -> None:
        self.timeline.append(("reorg", reorg.fork_block))
        self.values = {k: v for k, v in self.values.items() if k[0] < reorg.fork_block}


def indexer(chain: PingChain, start: int, **kw: Any) -> EventIndexer:
    return EventIndexer(chain.w3, {"Ping": (chain.address, PING_ABI)}, start_block=start, **kw)


def watching(chain: PingChain, **kw: Any) -> tuple[int, EventIndexer, Folder]:
    """An indexer from the next block on, with a Folder subscribed to its events and reorgs."""
    start = chain.head() + 1
    idx = indexer(chain, start, **kw)
    sub = Folder()
    idx.subscribe(sub.on_event, on_reorg=sub.on_reorg)
    return start, idx, sub


def fold_from_scratch(chain: PingChain, start: int) -> dict[tuple[int, int], int]:
    fresh = Folder()
    idx = indexer(chain, start)
    idx.subscribe(fresh.on_event)
    idx.poll()
    return fresh.values


def test_reorg__subscribers_told_fork_block_before_new_branch__orphans_gone__new_events_once(pings):
    start, idx, sub = watching(pings)
    b1, b2, b3 = pings.ping(1), pings.ping(2), pings.ping(3)
    assert (b2, b3) == (b1 + 1, b1 + 2)
    idx.poll()
    old_b2 = pings.block_hash(b2)
    pings.reorg(2, [(20, 0), (30, 1)])  # b2 and b3 replaced: Ping(20) in b2, Ping(30) in b3
    sub.timeline.clear()
    got = idx.poll()
    assert sub.timeline == [("reorg", b2), ("event", (b2, 20)), ("event", (b3, 30))]
    assert [(e.block, e.args["value"]) for e in got] == [(b2, 20), (b3, 30)]
    reorg = idx.health.last_reorg
    assert reorg == ChainReorg(fork_block=b2, old_hash=old_b2, new_hash=pings.block_hash(b2), depth=2)
    assert reorg.old_hash != reorg.new_hash and idx.stats.reorgs == 1
    assert sum(sub.values.values()) == 1 + 20 + 30
    assert sub.values == fold_from_scratch(pings, start)
    assert idx.poll() == [] and idx.stats.reorgs == 1  # settled: no second notification


def test_rollback__chain_shorter__orphaned_block_undone_then_its_successor_delivered_once(pings):
    start, idx, sub = watching(pings)
    b1, _, b3 = pings.ping(1), pings.ping(2), pings.ping(3)
    idx.poll()
    rpc(pings.url, "anvil_rollback", [1])  # b3 is gone, head is b2
    sub.timeline.clear()
    assert idx.poll() == []
    assert sub.timeline == [("reorg", b3)]
    assert idx.health.last_reorg is not None and idx.health.last_reorg.new_hash is None
    assert idx.cursor.block == b3 - 1
    assert pings.ping(4) == b3  # the next block is b3 again, with other contents
    idx.poll()
    assert sub.timeline == [("reorg", b3), ("event", (b3, 4))]
    assert sub.values == fold_from_scratch(pings, start)
    assert sorted(sub.values.values()) == [1, 2, 4] and min(k[0] for k in sub.values) == b1


def test_confirmations__newest_blocks_held_back__a_reorg_among_them_is_never_seen(pings):
    _start, idx, sub = watching(pings, confirmations=2)
    b1, b2 = pings.ping(1), pings.ping(2)
    rpc(pings.url, "evm_mine")  # head b2 + 1: only b1 has 2 confirmations
    assert [(e.block, e.args["value"]) for e in idx.poll()] == [(b1, 1)]
    assert idx.cursor.block == b1
    pings.reorg(2, [(22, 0)])  # b2 (never delivered) replaced by Ping(22)
    assert idx.poll() == []
    rpc(pings.url, "evm_mine")
    assert [(e.block, e.args["value"]) for e in idx.poll()] == [(b2, 22)]
    assert sub.timeline == [("event", (b1, 1)), ("event", (b2, 22))]  # no reorg notification at all
    assert idx.stats.reorgs == 0


def test_restart_after_reorg_while_down__stale_persisted_hash_detected_on_first_poll(pings, tmp_path: Path):
    start = pings.head() + 1
    path = tmp_path / "proc.sqlite"
    store = AgentStore(path)
    first = indexer(pings, start, cursor_store=store)
    b1, b2 = pings.ping(1), pings.ping(2)
    first.poll()
    assert store.load_block_hashes("indexer") == {b1: pings.block_hash(b1), b2: pings.block_hash(b2)}
    stale = pings.block_hash(b2)
    store.close()
    pings.reorg(1, [(5, 0)])  # while the process is down, b2 becomes Ping(5)
    store = AgentStore(path)
    second = indexer(pings, start, cursor_store=store)
    sub = Folder()
    second.subscribe(sub.on_event, on_reorg=sub.on_reorg)
    second.poll()
    assert sub.timeline == [("reorg", b2), ("event", (b2, 5))]
    assert second.health.last_reorg is not None and second.health.last_reorg.old_hash == stale
    assert store.load_block_hashes("indexer")[b2] == pings.block_hash(b2) != stale
    store.close()


def test_reorg_deeper_than_hash_window__error_state_and_nothing_delivered(pings, caplog):
    _start, idx, sub = watching(pings, hash_window=2)
    for value in (1, 2, 3):
        pings.ping(value)
    idx.poll()
    sub.timeline.clear()
    pings.reorg(3, [(7, 0)])  # every remembered block (the last 2) changed
    assert idx.poll() == []
    assert idx.health.reorg_too_deep is True
    assert "deeper than the hash window (2 blocks)" in (idx.health.last_error or "")
    assert any(r.levelname == "ERROR" and "hash window" in r.getMessage() for r in caplog.records)
    assert sub.timeline == [] and idx.stats.reorgs == 0
    assert idx.poll() == []  # stays stopped (no silent delivery of the unreconciled branch)
    assert idx.health.reorg_too_deep is True


def test_removed_log__never_delivered__rewinds_to_its_block_and_redelivers_it_once(pings):
    start, idx, sub = watching(pings)
    b1, b2 = pings.ping(1), pings.ping(2)
    idx.poll()
    real = idx._get_logs
    calls = {"n": 0}

    def with_removed_copy(s: int, e: int) -> list[Any]:
        logs = real(s, e)
        calls["n"] += 1
        if calls["n"] == 1:  # a node that reports b2's log as removed (as filters do after a reorg)
            old = real(b2, b2)[0]
            logs = [*logs, {**old, "removed": True}]
        return logs

    idx._get_logs = with_removed_copy  # type: ignore[method-assign]
    b3 = pings.ping(3)
    sub.timeline.clear()
    idx.poll()
    assert sub.timeline == [("reorg", b2), ("event", (b2, 2)), ("event", (b3, 3))]
    assert idx.stats.removed_logs == 1
    assert sub.values == fold_from_scratch(pings, start) and sorted(sub.values.values()) == [1, 2, 3]
    assert b1 < b2


def test_on_reorg_asking_for_earlier_block__replayed_to_that_subscriber_alone(pings):
    start = pings.head() + 1
    idx = indexer(pings, start)
    restorer, plain = Folder(), Folder()
    b1 = pings.ping(1)

    def restore_to_before_b1(reorg: ChainReorg) -> int:
        restorer.timeline.append(("reorg", reorg.fork_block))
        restorer.values = {}  # an agent that went back to a checkpoint taken before b1
        return b1

    idx.subscribe(restorer.on_event, on_reorg=restore_to_before_b1)
    idx.subscribe(plain.on_event, on_reorg=plain.on_reorg)
    b2 = pings.ping(2)
    idx.poll()
    pings.reorg(1, [(9, 0)])
    idx.poll()
    assert restorer.timeline[-3:] == [("reorg", b2), ("event", (b1, 1)), ("event", (b2, 9))]
    assert plain.timeline[-2:] == [("reorg", b2), ("event", (b2, 9))]
    assert restorer.values == plain.values == fold_from_scratch(pings, start)
