"""One event indexer per process: polls eth_getLogs for every watched contract and fans events out.

    indexer = EventIndexer(web3, contracts.watch_list(), cursor_store=store, start_block=deployment["block"])
    indexer.subscribe(agent.on_event)                      # many agents in one process
    indexer.subscribe(escrow_watcher, contracts={"ServiceEscrow"}, events={"JobFunded"})
    indexer.poll()                                         # or indexer.run(stop_event)

- One `eth_getLogs` request per block range covers all watched addresses (no per-agent polling).
  Ranges are bounded by `max_range`; a node that refuses a range ("too many results", response
  size limits) gets it halved.
- Only blocks at or below head - `confirmations` are processed (`default_confirmations`: 0 on a local
  devnet, `SAFE_CONFIRMATIONS` elsewhere; the host passes it, the constructor's default is 0).
- Reorgs: the indexer remembers the hashes of the last `hash_window` blocks it processed (saved with
  the cursor through the CursorStore). Every poll checks that the chain still has the hash it stored
  for its last processed block, and every new range's first block must descend from it. On a mismatch
  (or a log flagged `removed: true`, never delivered) it finds the common ancestor inside the window
  (one batch of eth_getBlockByNumber), tells every subscriber's `on_reorg` a `ChainReorg` (fork block,
  old and new hash) BEFORE any event of the new branch, then rewinds its cursor to the ancestor and
  delivers the new branch. A subscriber's `on_reorg` may return an earlier block to have the canonical
  events from there re-delivered to it alone (an agent that restored an older checkpoint). A reorg deeper
  than the window sets `health.reorg_too_deep` and stops delivery (logged as an error): nothing of a
  branch it cannot reconcile is delivered.
- Logs are decoded with the contracts' ABIs into frozen `ChainEvent`s, delivered in chain order
  (block, log_index). Logs of unknown events are skipped (counted in `stats.undecodable`).
- The cursor (last delivered (block, log_index), or a whole block) is saved through a `CursorStore`
  after every event and after every finished range, so a restart resumes exactly: no event lost, none
  delivered twice; the stored hashes make a reorg that happened while the process was down visible
  on its first poll. Subscribers that keep their own state can dedupe by `event.key` between reorgs
  (a new branch reuses keys: drop what `on_reorg` says is orphaned).
- A subscriber that raises does not stop the others (the error is logged and counted).
- RPC failures are retried with backoff; when they persist, `poll()` returns no events and sets
  `health.available = False` instead of raising; the next successful poll resumes from the cursor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from eth_utils.address import to_checksum_address
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


@dataclass(frozen=True)
class ChainReorg:
    """The blocks from `fork_block` on that were delivered are no longer on the chain.

    `old_hash`: the hash delivered at `fork_block`; `new_hash`: the chain's hash there now (None when
    the chain no longer reaches it, e.g. after a rollback); `depth`: delivered blocks undone."""

    fork_block: int
    old_hash: str | None
    new_hash: str | None
    depth: int


# Returns None, or a block below the fork from which this subscriber wants the canonical events again.
ReorgCallback = Callable[[ChainReorg], int | None]

DEFAULT_HASH_WINDOW = 64
SAFE_CONFIRMATIONS = 12
DEVNET_CHAIN_IDS = frozenset({31337, 1337})  # anvil, Hardhat (and ganache's default)


def default_confirmations(chain_id: int, devnet: bool = False) -> int:
    """0 on a local devnet (instant, reorg-free blocks unless asked for), `SAFE_CONFIRMATIONS` elsewhere."""
    return 0 if devnet or chain_id in DEVNET_CHAIN_IDS else SAFE_CONFIRMATIONS


@dataclass
class Subscription:
    callback: Callback
    contracts: frozenset[str] | None
    events: frozenset[str] | None
    active: bool = True
    on_reorg: ReorgCallback | None = None

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
    reorg_too_deep: bool = False  # the chain forked below the hash window: delivery stopped
    last_reorg: ChainReorg | None = None


@dataclass
class IndexerStats:
    polls: int = 0
    requests: int = 0  # eth_getLogs requests
    batches: int = 0  # head and block-hash batches (one or two per poll)
    events: int = 0
    undecodable: int = 0
    subscriber_errors: int = 0
    reorgs: int = 0
    removed_logs: int = 0  # logs flagged removed (never delivered)


class _RangeTooLarge(Exception):
    pass


class _Inconsistent(Exception):
    """The node's answers disagree (a reorg between two requests): retry the range from the cursor."""


class _ForkSeen(Exception):
    """A processed block is no longer canonical (hash mismatch or a removed log at `suspect`)."""

    def __init__(self, suspect: int | None = None) -> None:
        super().__init__(suspect)
        self.suspect = suspect


_RANGE_ERRORS = ("too many", "limit exceeded", "range", "response size", "query returned more than")
DEFAULT_RETRY = RetryPolicy(attempts=4, base_delay=0.1, max_delay=1.0)


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
        hash_window: int = DEFAULT_HASH_WINDOW,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if confirmations < 0 or max_range < 1 or start_block < 0 or hash_window < 1:
            raise ValueError("confirmations >= 0, max_range >= 1, start_block >= 0, hash_window >= 1")
        self.web3 = web3
        self.rpc = rpc_for(web3)
        self.cursor_store: CursorStore = cursor_store or MemoryCursorStore()
        self.cursor_key = cursor_key
        self.confirmations = confirmations
        self.max_range = max_range
        self.hash_window = hash_window
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
        # block -> hash of the last `hash_window` processed blocks (none beyond the cursor's block: a
        # crash may have saved a range's hashes before its events were delivered)
        loaded = self.cursor_store.load_block_hashes(cursor_key) if saved is not None else {}
        self._hashes: dict[int, str] = {b: h for b, h in sorted(loaded.items()) if b <= self.cursor.block}

    # ------------------------------------------------------------------ subscriptions
    def subscribe(
        self,
        callback: Callback,
        *,
        contracts: Collection[str] | None = None,
        events: Collection[str] | None = None,
        on_reorg: ReorgCallback | None = None,
    ) -> Subscription:
        """`on_reorg(ChainReorg)` runs before any event of a new branch; it may return a block below the
        fork to have the canonical events from there re-delivered to this subscriber alone."""
        sub = Subscription(
            callback,
            frozenset(contracts) if contracts is not None else None,
            frozenset(events) if events is not None else None,
            on_reorg=on_reorg,
        )
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            sub.cancel()
            self._subs = [s for s in self._subs if s is not sub]

    # ------------------------------------------------------------------ polling
    def _batch(self, calls: list[tuple[str, list[Any]]], what: str) -> list[Any]:
        """One batch with retries; an error in any place raises it (the caller retries the poll)."""

        def _fetch() -> list[Any]:
            self.stats.batches += 1
            got = self.rpc.batch(calls)
            for item in got:
                if isinstance(item, Exception):
                    raise item
            return got

        return with_retries(_fetch, self.retry, what=what, sleep=self._sleep)

    def _head_and_check(self) -> tuple[int, int | None, str | None]:
        """(head, last stored block, the chain's hash of it now or None) in one round trip."""
        checked = max(self._hashes) if self._hashes else None
        calls: list[tuple[str, list[Any]]] = [("eth_blockNumber", [])]
        if checked is not None:
            calls.append(("eth_getBlockByNumber", [hex(checked), False]))
        got = self._batch(calls, "eth_blockNumber")
        head = int(got[0], 16)
        if checked is None:
            return head, None, None
        block = got[1]
        return head, checked, (str(block["hash"]).lower() if block else None)

    def _blocks(self, numbers: list[int]) -> list[Any]:
        """Block headers (None where the chain does not reach) for a bounded list of numbers, one batch."""
        calls: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", [hex(b), False]) for b in numbers]
        return self._batch(calls, "eth_getBlockByNumber")

    def _headers(self, start: int, end: int) -> dict[int, tuple[str, str]]:
        """block -> (hash, parent hash) for start..end (at most `hash_window` blocks, one batch)."""
        numbers = list(range(start, end + 1))
        got = self._blocks(numbers)
        out: dict[int, tuple[str, str]] = {}
        for b, block in zip(numbers, got, strict=True):
            if not block or int(block["number"], 16) != b:
                raise _Inconsistent(f"block {b} missing from the node's answer")
            out[b] = (str(block["hash"]).lower(), str(block["parentHash"]).lower())
        return out

    def _find_ancestor(self) -> tuple[int | None, dict[int, str | None]]:
        """The newest stored block whose hash the chain still has (None: none in the window), and the
        chain's hashes of the stored blocks now (None where the chain is shorter). One batch."""
        numbers = sorted(self._hashes, reverse=True)
        got = self._blocks(numbers)
        now = {b: (str(blk["hash"]).lower() if blk else None) for b, blk in zip(numbers, got, strict=True)}
        for b in numbers:  # newest first
            if now[b] == self._hashes[b]:
                return b, now
        return None, now

    def _reorg(self, suspect: int | None) -> bool:
        """Rewind to the common ancestor and notify; False when the fork is deeper than the window."""
        if not self._hashes:
            return True
        ancestor, now = self._find_ancestor()
        if ancestor is None:
            lowest = min(self._hashes)
            msg = (
                f"reorg deeper than the hash window ({self.hash_window} blocks): no block from {lowest} "
                f"to {max(self._hashes)} is still on the chain; delivery stopped (events past block "
                f"{lowest - 1} may be orphaned: re-index from a trusted block)"
            )
            if not self.health.reorg_too_deep:
                log.error("indexer: %s", msg)
            self.health.reorg_too_deep = True
            self.health.last_error = msg
            return False
        self.health.reorg_too_deep = False
        fork = ancestor + 1
        if suspect is not None and suspect < fork:
            fork = max(suspect, min(self._hashes))
        delivered_to = self.cursor.block
        if fork > delivered_to:  # nothing delivered is orphaned
            return True
        reorg = ChainReorg(
            fork_block=fork,
            old_hash=self._hashes.get(fork),
            new_hash=now.get(fork),
            depth=delivered_to - fork + 1,
        )
        log.warning(
            "indexer: chain reorg at block %s (%s -> %s), %s delivered block(s) orphaned",
            fork,
            reorg.old_hash,
            reorg.new_hash,
            reorg.depth,
        )
        self.stats.reorgs += 1
        self.health.last_reorg = reorg
        # Subscribers first: a crash before the rewind is saved finds the same mismatch on restart and
        # notifies again (at least once); after it, the cursor and hashes no longer reach the fork.
        with self._lock:
            subs = [s for s in self._subs if s.active and s.on_reorg is not None]
        replays: list[tuple[Subscription, int]] = []
        for sub in subs:
            assert sub.on_reorg is not None
            try:
                again = sub.on_reorg(reorg)
            except Exception:  # any: one agent's bug must not stop the others (logged with traceback)
                self.stats.subscriber_errors += 1
                log.exception("subscriber %r failed on %s", sub.on_reorg, reorg)
                continue
            if again is not None and again < fork:
                replays.append((sub, max(0, int(again))))
        self._hashes = {b: h for b, h in self._hashes.items() if b < fork}
        self.cursor_store.save_block_hashes(self.cursor_key, self._hashes)
        self._advance(Cursor.block_done(fork - 1))
        for sub, again in replays:
            self._replay(sub, again, fork - 1)
        return True

    def _log_ranges(self, start: int, end: int) -> Iterator[tuple[int, int, list[Any]]]:
        """(first, last, logs) over start..end in ranges of at most `max_range` blocks; a range the node
        refuses is halved until it fits, and the next range is full size again."""
        span = self.max_range
        while start <= end:
            stop = min(end, start + span - 1)
            try:
                logs = self._get_logs(start, stop)
            except _RangeTooLarge:
                span = max(1, (stop - start + 1) // 2)
                continue
            yield start, stop, logs
            start = stop + 1
            span = self.max_range

    def _replay(self, sub: Subscription, start: int, end: int) -> None:
        """Canonical events of start..end again, to `sub` alone (below the fork: nothing changed there)."""
        for _, _, logs in self._log_ranges(start, end):
            events = sorted(
                (e for e in (self.decode(r) for r in logs if not _removed(r)) if e is not None),
                key=lambda e: e.key,
            )
            for event in events:
                if sub.active and sub.wants(event):
                    try:
                        sub.callback(event)
                    except Exception:  # any, as in _deliver
                        self.stats.subscriber_errors += 1
                        log.exception("subscriber %r failed on replayed %s", sub.callback, event.key)

    def _get_logs(self, start: int, end: int) -> list[Any]:
        params = {"fromBlock": hex(start), "toBlock": hex(end), "address": self._addresses}

        def _fetch() -> list[Any]:
            self.stats.requests += 1
            try:
                return list(self.rpc.request("eth_getLogs", [params]))
            except Exception as exc:  # range refusals are recognised by message; the rest re-raised
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
            except Exception:  # any: one agent's bug must not stop the others (logged with traceback)
                self.stats.subscriber_errors += 1
                log.exception(
                    "subscriber %r failed on %s.%s at %s", sub.callback, event.contract, event.name, event.key
                )

    def _advance(self, cursor: Cursor) -> None:
        self.cursor_store.save_cursor(self.cursor_key, cursor)
        self.cursor = cursor
        self.health.cursor_block = cursor.block

    def _remember(self, headers: Mapping[int, tuple[str, str]]) -> None:
        self._hashes.update((b, h) for b, (h, _) in headers.items())
        newest = max(self._hashes)
        self._hashes = {b: h for b, h in sorted(self._hashes.items()) if b > newest - self.hash_window}
        self.cursor_store.save_block_hashes(self.cursor_key, self._hashes)

    def _range(self, start: int, end: int, logs: list[Any], delivered: list[ChainEvent]) -> None:
        """Check start..end against the stored hashes and within itself, then deliver its events."""
        headers = self._headers(max(start, end - self.hash_window + 1), end)
        first = min(headers)
        parent = self._hashes.get(first - 1)
        if parent is not None and headers[first][1] != parent:
            raise _ForkSeen(None)
        for b in range(first + 1, end + 1):
            if headers[b][1] != headers[b - 1][0]:
                raise _Inconsistent(f"block {b} does not descend from block {b - 1} in one answer")
        removed = [log_fields(r)[3] for r in logs if _removed(r)]
        if removed:  # never delivered; one in a block already delivered orphans it
            self.stats.removed_logs += len(removed)
            logs = [r for r in logs if not _removed(r)]
            if min(removed) <= self.cursor.block:
                raise _ForkSeen(min(removed))
        for raw in logs:
            block, block_hash = log_fields(raw)[3], _block_hash(raw)
            if block in headers and block_hash is not None and block_hash != headers[block][0]:
                raise _Inconsistent(f"a log of block {block} names another block hash")
        self._remember(headers)
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

    def _poll_once(self, max_blocks: int | None, delivered: list[ChainEvent]) -> bool:
        """Deliver new blocks; False if a reorg was found and handled (poll again at once)."""
        head, checked, now = self._head_and_check()
        self.health.head = head
        if checked is not None and now != self._hashes[checked]:
            return not self._reorg(None)  # too deep: stopped
        if self.health.reorg_too_deep:
            self.health.reorg_too_deep = False
        target = head - self.confirmations
        if max_blocks is not None:
            target = min(target, self.cursor.block + max_blocks)
        # Resume inside a partly delivered block, else at the next block.
        partly_done = self.cursor.log_index != Cursor.BLOCK_DONE
        start = self.cursor.block if partly_done else self.cursor.block + 1
        start = max(start, 0)
        for first, last, logs in self._log_ranges(start, target):
            try:
                self._range(first, last, logs, delivered)
            except _ForkSeen as fork:
                return not self._reorg(fork.suspect)
        return True

    def poll(self, max_blocks: int | None = None) -> list[ChainEvent]:
        """Process new blocks (up to head - confirmations, at most `max_blocks`); return delivered events.

        Never raises for RPC trouble: sets `health` and returns what was delivered before it. A reorg
        found on the way is handled (subscribers notified, cursor rewound) and the poll goes on from
        the fork, at most a few times per call.
        """
        delivered: list[ChainEvent] = []
        with self._lock:
            self.stats.polls += 1
            try:
                for _ in range(4):  # a chain reorganising under every attempt waits for the next poll
                    if self._poll_once(max_blocks, delivered):
                        break
                if not self.health.reorg_too_deep:
                    self.health.available = True
                    self.health.consecutive_failures = 0
                    self.health.last_error = None
            except _Inconsistent as exc:  # a reorg between two requests: the next poll starts over
                log.info("indexer: %s; retrying from the cursor", exc)
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


def _removed(raw: Any) -> bool:
    removed = raw.get("removed") if isinstance(raw, Mapping) else getattr(raw, "removed", None)
    return bool(removed)


def _block_hash(raw: Any) -> str | None:
    value = raw.get("blockHash") if isinstance(raw, Mapping) else getattr(raw, "blockHash", None)
    if value is None:
        return None
    return (value if isinstance(value, str) else "0x" + bytes(HexBytes(value)).hex()).lower()
