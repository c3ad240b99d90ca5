"""EventIndexer against anvil: decoding, fan-out, bounded ranges, restart without loss or duplicates."""

import json
import threading

import pytest
from web3 import Web3

from agents.chain.errors import RetryPolicy
from agents.chain.indexer import ChainEvent, EventIndexer
from agents.chain.types import Cursor, MemoryCursorStore
from agents.runtime.store import AgentStore

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


@pytest.fixture
def watch(token, token_abi):
    return {"AgentToken": (token.address, token_abi)}


@pytest.fixture
def here(w3):
    return w3.eth.block_number


def test_poll__decodes_transfers_into_plain_events(w3, watch, here, mint, alice, bob, token):
    idx = EventIndexer(w3, watch, start_block=here + 1)
    mint(alice, 500)
    tx = token.transfer(bob, 200, sender=alice)
    events = idx.poll()
    assert [e.name for e in events] == ["Transfer", "Transfer"]
    last = events[-1]
    assert isinstance(last, ChainEvent)
    assert last.contract == "AgentToken" and last.address == token.address
    assert dict(last.args) == {"sender": alice.address, "receiver": bob.address, "value": 200}
    assert last.tx_hash == tx.txn_hash if tx.txn_hash.startswith("0x") else "0x" + tx.txn_hash
    assert last.block == tx.block_number
    json.dumps(last.to_dict())  # plain values only
    assert idx.poll() == []  # nothing new


def test_poll__fans_out_to_every_subscriber_with_filters(w3, watch, here, mint, alice, bob, token):
    idx = EventIndexer(w3, watch, start_block=here + 1)
    everything, transfers, approvals = [], [], []
    idx.subscribe(everything.append)
    idx.subscribe(transfers.append, events={"Transfer"})
    idx.subscribe(approvals.append, contracts={"AgentToken"}, events={"Approval"})
    mint(alice, 5)
    token.approve(bob, 3, sender=alice)
    idx.poll()
    assert [e.name for e in everything] == ["Transfer", "Approval"]
    assert [e.name for e in transfers] == ["Transfer"]
    assert [e.name for e in approvals] == ["Approval"]


def test_subscriber_error__others_still_served(w3, watch, here, mint, alice):
    idx = EventIndexer(w3, watch, start_block=here + 1)
    got = []

    def broken(event):
        raise RuntimeError("agent bug")

    idx.subscribe(broken)
    idx.subscribe(got.append)
    mint(alice, 1)
    idx.poll()
    assert len(got) == 1 and idx.stats.subscriber_errors == 1


def test_one_request_per_range_for_all_contracts(w3, create_token, token_abi, here, deployer, alice):
    t1, t2 = create_token(), create_token()
    idx = EventIndexer(
        w3,
        {"A": (t1.address, token_abi), "B": (t2.address, token_abi)},
        start_block=here + 1,
        max_range=10_000,
    )
    t1.mint(alice, 1, sender=deployer)
    t2.mint(alice, 2, sender=deployer)
    events = idx.poll()
    assert [(e.contract, e.args["value"]) for e in events if e.name == "Transfer"] == [("A", 1), ("B", 2)]
    assert idx.stats.requests == 1


def test_bounded_range__many_requests_same_events(w3, watch, here, mint, alice):
    for _ in range(6):
        mint(alice, 1)
    small = EventIndexer(w3, watch, start_block=here + 1, max_range=2)
    big = EventIndexer(w3, watch, start_block=here + 1)
    assert [e.key for e in small.poll()] == [e.key for e in big.poll()]
    assert small.stats.requests >= 3 and big.stats.requests == 1


def test_confirmations__recent_blocks_held_back(w3, watch, here, mint, alice):
    idx = EventIndexer(w3, watch, start_block=here + 1, confirmations=2)
    mint(alice, 1)
    assert idx.poll() == []
    mint(alice, 2)
    assert idx.poll() == []
    mint(alice, 3)
    assert [e.args["value"] for e in idx.poll()] == [1]


def test_restart__resumes_exactly_no_loss_no_duplicates(w3, watch, here, mint, alice, tmp_path):
    path = tmp_path / "proc.sqlite"
    seen = []
    store = AgentStore(path)
    idx = EventIndexer(w3, watch, cursor_store=store, start_block=here + 1)
    idx.subscribe(seen.append)
    mint(alice, 1)
    mint(alice, 2)
    idx.poll()
    store.close()
    mint(alice, 3)  # happens while the process is down
    store = AgentStore(path)
    idx2 = EventIndexer(w3, watch, cursor_store=store, start_block=here + 1)
    idx2.subscribe(seen.append)
    idx2.poll()
    mint(alice, 4)
    idx2.poll()
    assert [e.args["value"] for e in seen] == [1, 2, 3, 4]
    assert len({e.key for e in seen}) == 4
    store.close()


def test_restart__crash_during_delivery__event_redelivered_exactly_once(w3, watch, here, mint, alice):
    # The process dies while a subscriber handles an event (before the cursor is saved).
    mint(alice, 1)
    cursors = MemoryCursorStore()
    first = EventIndexer(w3, watch, cursor_store=cursors, start_block=here + 1)
    delivered = []

    class Crash(BaseException):
        pass

    def dies_after_first(event):
        delivered.append(event)
        raise Crash

    first.subscribe(dies_after_first)
    with pytest.raises(Crash):
        first.poll()
    # The cursor was saved only after the subscriber returned: the event will be redelivered once.
    assert cursors.load_cursor("indexer") is None or cursors.load_cursor("indexer").block < delivered[0].block
    second = EventIndexer(w3, watch, cursor_store=cursors, start_block=here + 1)
    again = []
    second.subscribe(again.append)
    second.poll()
    assert [e.key for e in again] == [delivered[0].key]


def test_cursor__within_block_position_skips_delivered_logs(w3, watch, here, mint, alice, bob, token):
    mint(alice, 10)
    tx = token.transfer(bob, 1, sender=alice)
    cursors = MemoryCursorStore()
    idx = EventIndexer(w3, watch, cursor_store=cursors, start_block=here + 1)
    events = idx.poll()
    transfer = next(e for e in events if e.block == tx.block_number)
    cursors.save_cursor("indexer", Cursor(transfer.block, transfer.log_index - 1))
    again = EventIndexer(w3, watch, cursor_store=cursors, start_block=here + 1).poll()
    assert [e.key for e in again] == [transfer.key]


def test_rpc_down__reports_unavailable_without_raising_then_recovers(
    late_proxy, watch, here, mint, alice, w3
):
    proxy = late_proxy(delay=0.8)
    flaky = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{proxy.port}", exception_retry_configuration=None))
    idx = EventIndexer(flaky, watch, start_block=here + 1, retry=FAST)
    mint(alice, 7)
    assert idx.poll() == []
    assert idx.health.available is False and idx.health.consecutive_failures == 1
    assert "eth_blockNumber" in idx.health.last_error
    proxy.thread.join(timeout=0)  # the proxy comes up on its own
    stop = threading.Event()
    got = []
    idx.subscribe(lambda e: (got.append(e), stop.set()))
    runner = threading.Thread(target=idx.run, args=(stop,), kwargs={"interval": 0.05, "max_backoff": 0.2})
    runner.start()
    runner.join(timeout=15)
    stop.set()
    assert [e.args["value"] for e in got] == [7]
    assert idx.health.available is True


def test_unknown_events_skipped(w3, token, here, mint, alice):
    # Watch the token with an ABI lacking Transfer: its logs are skipped, not crashed on.
    approval_only = [
        {
            "type": "event",
            "name": "Approval",
            "anonymous": False,
            "inputs": [
                {"name": "owner", "type": "address", "indexed": True},
                {"name": "spender", "type": "address", "indexed": True},
                {"name": "value", "type": "uint256", "indexed": False},
            ],
        }
    ]
    idx = EventIndexer(w3, {"T": (token.address, approval_only)}, start_block=here + 1)
    mint(alice, 1)
    assert idx.poll() == []
    assert idx.stats.undecodable == 1
