"""One event indexer per process: polls eth_getLogs for every watched contract and fans events out.

    indexer = EventIndexer(web3, contracts.watch_list(), cursor_store=store, start_block=deployment["block"])
    indexer.subscribe(agent.on_event)                      # many agents in one process
    indexer.subscribe(escrow_watcher, contracts={"ServiceEscrow"}, events={"JobFunded"})
    indexer.poll()                                         # or indexer.run(stop_event)

- One `eth_getLogs` request per block range covers all watched addresses (no per-agent polling).
  Ranges are bounded by `max_range`; a node that refuses a range ("too many results", response
  size limits) gets it halved.
- Only blocks at or below head - `confirmations` are processed (default 0 for a local devnet).
- Logs are decoded with the contracts' ABIs into frozen `ChainEvent`s, delivered in chain order
  (block, log_index). Logs of unknown events are skipped (counted in `stats.undecodable`).
- The cursor (last delivered (block, log_index), or a whole block) is saved through a `CursorStore`
  after every event and after every finished range, so a restart resumes exactly: no event lost, none
  delivered twice. Subscribers that keep their own state can also dedupe by `event.key`.
- A subscriber that raises does not stop the others (the error is logged and counted).
- RPC failures are retried with backoff; when they persist, `poll()` returns no events and sets
  `health.available = False` instead of raising; the next successful poll resumes from the cursor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3Exception

from agents.chain.abi import event_abis
from agents.chain.codec import EventCodec, checksum, log_fields
from agents.chain.errors import RetryPolicy, RpcUnavailableError, with_retries
from agents.chain.rpc import RpcProtocolError, RpcResponseError, rpc_for
from agents.chain.types import Cursor, CursorStore, MemoryCursorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainEvent:
    """A decoded log. `args` holds plain Python values (ints, checksummed addresses, 0x-hex bytes)."""

    block: int
    tx_hash: str
    log_index: int
    contract: str  # contract name, e.g. "ServiceEscrow"
    name: str  # event name, e.g. "JobFunded"
    args: Mapping[str, Any] = field(hash=False, compare=True)
    address: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.block, self.log_index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (tuples become lists when serialised)."""
        return {
            "block": self.block,
            "tx_hash": self.tx_hash,
            "log_index": self.log_index,
            "contract": self.contract,
            "name": self.name,
            "address": self.address,
            "args": _jsonable(self.args),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


Callback = Callable[[ChainEvent], None]


@dataclass
class Subscription:
    callback: Callback
    contracts: frozenset[str] | None
    events: frozenset[str] | None
    active: bool = True

    def wants(self, event: ChainEvent) -> bool:
        return (self.contracts is None or event.contract in self.contracts) and (
            self.events is None or event.name in self.events
        )

    def cancel(self) -> None:
        self.active = False


@dataclass
class IndexerHealth:
    available: bool = True
    consecutive_failures: int = 0
    last_error: str | None = None
    head: int | None = None  # latest chain block seen
    cursor_block: int | None = None


@dataclass
class IndexerStats:
    polls: int = 0
    requests: int = 0
    events: int = 0
    undecodable: int = 0
    subscriber_errors: int = 0


class _RangeTooLarge(Exception):
    pass


_RANGE_ERRORS = ("too many", "limit exceeded", "range", "response size", "query returned more than")


class EventIndexer:
    """Polls logs of watched contracts and delivers decoded events to subscribers."""

    def __init__(
        self,
        web3: Web3,
        watch: Mapping[str, tuple[str, list[dict[str, Any]]]],
        *,
        cursor_store: CursorStore | None = None,
        cursor_key: str = "indexer",
        start_block: int = 0,
        confirmations: int = 0,
        max_range: int = 2_000,
        retry: RetryPolicy = RetryPolicy(attempts=4, base_delay=0.1, max_delay=1.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if confirmations < 0 or max_range < 1 or start_block < 0:
            raise ValueError("confirmations >= 0, max_range >= 1, start_block >= 0")
        self.web3 = web3
        self.rpc = rpc_for(web3)
        self.cursor_store: CursorStore = cursor_store or MemoryCursorStore()
        self.cursor_key = cursor_key
        self.confirmations = confirmations
        self.max_range = max_range
        self.retry = retry
        self._sleep = sleep
        self._subs: list[Subscription] = []
        self._lock = threading.RLock()
        self.health = IndexerHealth()
        self.stats = IndexerStats()
        # (address lowercase, topic0) -> (contract name, event decoder)
        self._decoders: dict[tuple[str, bytes], tuple[str, EventCodec]] = {}
        self._addresses: list[str] = []
        for name, (address, abi) in watch.items():
            checksum = to_checksum_address(address)
            self._addresses.append(checksum)
            for ev in event_abis(abi):
                codec = EventCodec(ev)
                self._decoders[(checksum.lower(), codec.topic)] = (name, codec)
        saved = self.cursor_store.load_cursor(cursor_key)
        self.cursor: Cursor = saved if saved is not None else Cursor.block_done(start_block - 1)
        self.health.cursor_block = self.cursor.block

    # ------------------------------------------------------------------ subscriptions
    def subscribe(
        self,
        callback: Callback,
        *,
        contracts: Collection[str] | None = None,
        events: Collection[str] | None = None,
    ) -> Subscription:
        sub = Subscription(
            callback,
            frozenset(contracts) if contracts is not None else None,
            frozenset(events) if events is not None else None,
        )
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            sub.cancel()
            self._subs = [s for s in self._subs if s is not sub]

    # ------------------------------------------------------------------ polling
    def _head(self) -> int:
        head = with_retries(
            lambda: self.rpc.request("eth_blockNumber", []), self.retry, what="eth_blockNumber", sleep=self._sleep
        )
        return int(head, 16)

    def _get_logs(self, start: int, end: int) -> list[Any]:
        params = {"fromBlock": hex(start), "toBlock": hex(end), "address": self._addresses}

        def _fetch() -> list[Any]:
            self.stats.requests += 1
            try:
                return list(self.rpc.request("eth_getLogs", [params]))
            except Exception as exc:  # noqa: BLE001 - range refusals are recognised by message
                if any(s in str(exc).lower() for s in _RANGE_ERRORS) and end > start:
                    raise _RangeTooLarge(str(exc)) from exc
                raise

        return with_retries(_fetch, self.retry, what="eth_getLogs", sleep=self._sleep)

    def decode(self, raw: Any) -> ChainEvent | None:
        """A log (as JSON-RPC or web3 returns it) as a ChainEvent; None for a log of no watched event."""
        address, topics, data, block, log_index, tx_hash = log_fields(raw)
        if not topics:
            return None
        found = self._decoders.get((address.lower(), bytes(HexBytes(topics[0]))))
        if found is None:
            return None
        contract, codec = found
        try:
            args = codec.decode(topics, data)
        except Exception:  # noqa: BLE001 - e.g. same topic, different indexed layout
            return None
        return ChainEvent(
            block=block,
            tx_hash=tx_hash,
            log_index=log_index,
            contract=contract,
            name=codec.name,
            args=MappingProxyType(args),
            address=checksum(address),
        )

    def _deliver(self, event: ChainEvent) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            if not sub.active or not sub.wants(event):
                continue
            try:
                sub.callback(event)
            except Exception:  # noqa: BLE001 - one agent's bug must not stop the others
                self.stats.subscriber_errors += 1
                log.exception(
                    "subscriber %r failed on %s.%s at %s", sub.callback, event.contract, event.name, event.key
                )

    def _advance(self, cursor: Cursor) -> None:
        self.cursor_store.save_cursor(self.cursor_key, cursor)
        self.cursor = cursor
        self.health.cursor_block = cursor.block

    def poll(self, max_blocks: int | None = None) -> list[ChainEvent]:
        """Process new blocks (up to head - confirmations, at most `max_blocks`); return delivered events.

        Never raises for RPC trouble: sets `health` and returns what was delivered before it.
        """
        delivered: list[ChainEvent] = []
        with self._lock:
            self.stats.polls += 1
            try:
                head = self._head()
                self.health.head = head
                target = head - self.confirmations
                if max_blocks is not None:
                    target = min(target, self.cursor.block + max_blocks)
                # Resume inside a partly delivered block, else at the next block.
                partly_done = self.cursor.log_index != Cursor.BLOCK_DONE
                start = self.cursor.block if partly_done else self.cursor.block + 1
                start = max(start, 0)
                span = self.max_range
                while start <= target:
                    end = min(target, start + span - 1)
                    try:
                        logs = self._get_logs(start, end)
                    except _RangeTooLarge:
                        span = max(1, (end - start + 1) // 2)
                        continue
                    events = [e for e in (self.decode(r) for r in logs) if e is not None]
                    self.stats.undecodable += len(logs) - len(events)
                    events.sort(key=lambda e: e.key)
                    for event in events:
                        if self.cursor.covers(event.block, event.log_index):
                            continue
                        self._deliver(event)
                        delivered.append(event)
                        self.stats.events += 1
                        self._advance(Cursor(event.block, event.log_index))
                    self._advance(Cursor.block_done(end))
                    start = end + 1
                    span = self.max_range
                self.health.available = True
                self.health.consecutive_failures = 0
                self.health.last_error = None
            except (RpcUnavailableError, RpcResponseError, RpcProtocolError, Web3Exception) as exc:
                self.health.available = False
                self.health.consecutive_failures += 1
                self.health.last_error = str(exc)
                failures = self.health.consecutive_failures
                log.warning("indexer: RPC unavailable (%s failures): %s", failures, exc)
        return delivered

    def run(self, stop: threading.Event, interval: float = 0.5, max_backoff: float = 10.0) -> None:
        """Poll until `stop` is set; back off (up to `max_backoff`) while the RPC is unavailable."""
        while not stop.is_set():
            self.poll()
            wait = interval
            if not self.health.available:
                wait = min(max_backoff, interval * 2 ** min(self.health.consecutive_failures, 6))
            stop.wait(wait)
