"""SQLite persistence for one agent (or one process's indexer): state, cursor, nonce hint, action journal.

One file per agent. WAL mode with `synchronous=NORMAL` survives a killed process (kill -9) with every
committed transaction intact; a transaction that was not committed leaves no trace. Writes that must
happen together go into one `with store.transaction():` block.

Contents:
- `state`: JSON blobs by key (cognition state, market memory, anything JSON-serialisable);
- `cursors`: event-indexer cursors by key, as (block, log_index) (see agents.chain.indexer);
- `block_hashes`: per cursor key, the hashes of the last blocks it covered (the indexer's reorg window);
- `checkpoints`: per key, copies of a JSON state taken at a block (an agent's memory at each cycle's
  end), bounded by the caller, so a reorg can return to the newest one below its fork block;
- `nonces`: the sender's last-used nonce per address — a hint only, the chain's pending count decides;
- `journal`: pending actions. The runtime writes the intent *before* signing, attaches the tx hash and
  nonce once signed (before broadcasting), and marks the entry done after the receipt. After a crash,
  `pending_actions()` lists what to reconcile and `reconcile()` settles each entry against the chain
  through a lookup callback (so this module needs no chain access).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from agents.chain.types import Cursor, TxOutcome

SCHEMA_VERSION = 2
# Schema 2 (reorg-safe observation) only adds the block_hashes and checkpoints tables; a schema-1 file
# gets them from the CREATE TABLE IF NOT EXISTS statements and is stamped 2.
_MIGRATABLE = (1,)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (key TEXT PRIMARY KEY, block INTEGER NOT NULL, log_index INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (address TEXT PRIMARY KEY, nonce INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS block_hashes (
    key TEXT NOT NULL, block INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (key, block)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    key TEXT NOT NULL, block INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, block)
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    tx_hash TEXT,
    nonce INTEGER,
    result TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_status ON journal(status);
"""


class StoreError(Exception):
    """A store that cannot be opened or used (wrong schema, bad value)."""


class ActionStatus(StrEnum):
    INTENT = "intent"  # decided, not yet signed
    SENT = "sent"  # signed with tx_hash/nonce, may or may not have reached the chain
    DONE = "done"  # receipt seen, succeeded
    FAILED = "failed"  # receipt seen and reverted, or refused before sending
    ABANDONED = "abandoned"  # never reached the chain (crash before broadcast, or dropped)


PENDING = (ActionStatus.INTENT, ActionStatus.SENT)


@dataclass(frozen=True)
class Action:
    id: int
    kind: str
    payload: Any
    status: ActionStatus
    tx_hash: str | None
    nonce: int | None
    result: Any
    created: float
    updated: float


class AgentStore:
    """Persistence for one agent. Thread-safe (one connection guarded by a lock)."""

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn = sqlite3.connect(
                str(path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            with self.transaction():
                for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                    self._conn.execute(stmt)
                row = self._conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None:
                    self._conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) in _MIGRATABLE:
                    self._conn.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION),))
                elif int(row[0]) != SCHEMA_VERSION:
                    raise StoreError(f"{path}: schema version {row[0]}, expected {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open agent store {path}: {exc}") from exc

    # ------------------------------------------------------------------ lifecycle and transactions
    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AgentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all. Nested blocks join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _write(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        with self.transaction():
            return self._conn.execute(sql, args)

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # ------------------------------------------------------------------ state blobs
    def put_state(self, key: str, value: Any) -> None:
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"state {key!r} is not JSON-serialisable: {exc}") from exc
        self._write(
            "INSERT INTO state(key, value, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated=excluded.updated",
            (key, text, time.time()),
        )

    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self._read("SELECT value FROM state WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def delete_state(self, key: str) -> None:
        self._write("DELETE FROM state WHERE key=?", (key,))

    def state_keys(self) -> list[str]:
        return [r[0] for r in self._read("SELECT key FROM state ORDER BY key")]

    # ------------------------------------------------------------------ meta (what the store belongs to)
    def get_meta(self, key: str) -> str | None:
        """A fact about the store itself (e.g. `chain`: the chain and deployment it belongs to)."""
        rows = self._read("SELECT value FROM meta WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        if key == "schema":
            raise StoreError("the schema version is the store's own")
        self._write(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def is_empty(self) -> bool:
        """No state, cursor, nonce hint or journal entry yet (a store just created)."""
        tables = ("state", "cursors", "nonces", "journal")
        return not any(self._read(f"SELECT 1 FROM {t} LIMIT 1") for t in tables)

    # ------------------------------------------------------------------ indexer cursor (CursorStore)
    def load_cursor(self, key: str) -> Cursor | None:
        rows = self._read("SELECT block, log_index FROM cursors WHERE key=?", (key,))
        return Cursor(rows[0][0], rows[0][1]) if rows else None

    def save_cursor(self, key: str, cursor: Cursor) -> None:
        if cursor.block < 0:
            raise StoreError("cursor block must not be negative")
        self._write(
            "INSERT INTO cursors(key, block, log_index) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET block=excluded.block, log_index=excluded.log_index",
            (key, cursor.block, cursor.log_index),
        )

    def load_block_hashes(self, key: str) -> dict[int, str]:
        rows = self._read("SELECT block, hash FROM block_hashes WHERE key=? ORDER BY block", (key,))
        return {int(b): str(h) for b, h in rows}

    def save_block_hashes(self, key: str, hashes: Mapping[int, str]) -> None:
        """Replace the key's block hashes (the indexer keeps them to a bounded window)."""
        with self.transaction():
            self._conn.execute("DELETE FROM block_hashes WHERE key=?", (key,))
            self._conn.executemany(
                "INSERT INTO block_hashes(key, block, hash) VALUES (?, ?, ?)",
                [(key, int(b), str(h)) for b, h in hashes.items()],
            )

    # ------------------------------------------------------------------ checkpoints (reorg recovery)
    def put_checkpoint(self, key: str, block: int, value: Any, *, keep: int) -> None:
        """Keep `value` as the state at `block`; only the newest `keep` checkpoints of `key` stay."""
        if keep < 1:
            raise StoreError("keep at least one checkpoint")
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"checkpoint {key!r} is not JSON-serialisable: {exc}") from exc
        with self.transaction():
            self._conn.execute(
                "INSERT INTO checkpoints(key, block, value) VALUES (?, ?, ?) "
                "ON CONFLICT(key, block) DO UPDATE SET value=excluded.value",
                (key, int(block), text),
            )
            self._conn.execute(
                "DELETE FROM checkpoints WHERE key=? AND block NOT IN "
                "(SELECT block FROM checkpoints WHERE key=? ORDER BY block DESC LIMIT ?)",
                (key, key, keep),
            )

    def checkpoint_below(self, key: str, block: int) -> tuple[int, Any] | None:
        """The newest checkpoint of `key` taken at a block below `block`: (its block, its value)."""
        rows = self._read(
            "SELECT block, value FROM checkpoints WHERE key=? AND block<? ORDER BY block DESC LIMIT 1",
            (key, int(block)),
        )
        return (int(rows[0][0]), json.loads(rows[0][1])) if rows else None

    def drop_checkpoints_from(self, key: str, block: int) -> None:
        """Forget the checkpoints of `key` taken at `block` or later (they describe an orphaned branch)."""
        self._write("DELETE FROM checkpoints WHERE key=? AND block>=?", (key, int(block)))

    # ------------------------------------------------------------------ nonce hint
    def get_nonce_hint(self, address: str) -> int | None:
        rows = self._read("SELECT nonce FROM nonces WHERE address=?", (address.lower(),))
        return rows[0][0] if rows else None

    def set_nonce_hint(self, address: str, nonce: int) -> None:
        if nonce < 0:
            raise StoreError("nonce must not be negative")
        self._write(
            "INSERT INTO nonces(address, nonce) VALUES (?, ?) "
            "ON CONFLICT(address) DO UPDATE SET nonce=excluded.nonce",
            (address.lower(), nonce),
        )

    # ------------------------------------------------------------------ action journal
    def add_intent(self, kind: str, payload: Any) -> int:
        """Record a decided action before anything is signed; returns its journal id."""
        now = time.time()
        cur = self._write(
            "INSERT INTO journal(kind, payload, status, created, updated) VALUES (?, ?, ?, ?, ?)",
            (kind, json.dumps(payload, sort_keys=True), ActionStatus.INTENT.value, now, now),
        )
        assert cur.lastrowid is not None  # set by every successful INSERT
        return int(cur.lastrowid)

    def mark_sent(self, action_id: int, tx_hash: str, nonce: int) -> None:
        """The action's transaction is signed (hash and nonce known); call before broadcasting it."""
        self._update(action_id, ActionStatus.SENT, tx_hash=tx_hash.lower(), nonce=nonce, allowed=PENDING)

    def mark_done(self, action_id: int, result: Any = None) -> None:
        self._update(action_id, ActionStatus.DONE, result=result, allowed=PENDING)

    def mark_failed(self, action_id: int, result: Any = None) -> None:
        self._update(action_id, ActionStatus.FAILED, result=result, allowed=PENDING)

    def mark_abandoned(self, action_id: int, result: Any = None) -> None:
        self._update(action_id, ActionStatus.ABANDONED, result=result, allowed=PENDING)

    def reopen(self, action_id: int, result: Any) -> None:
        """A done action whose transaction's block was reorged out is sent again as far as the journal
        knows: settled afresh from the chain (receipt, or its nonce) before its key may be decided again."""
        self._update(action_id, ActionStatus.SENT, result=result, allowed=(ActionStatus.DONE,))

    def _update(
        self,
        action_id: int,
        status: ActionStatus,
        *,
        allowed: tuple[ActionStatus, ...],
        tx_hash: str | None = None,
        nonce: int | None = None,
        result: Any = None,
    ) -> None:
        with self.transaction():
            row = self._conn.execute("SELECT status FROM journal WHERE id=?", (action_id,)).fetchone()
            if row is None:
                raise StoreError(f"no journal entry {action_id}")
            if ActionStatus(row[0]) not in allowed:
                raise StoreError(f"journal entry {action_id} is {row[0]}, cannot become {status.value}")
            self._conn.execute(
                "UPDATE journal SET status=?, tx_hash=COALESCE(?, tx_hash), nonce=COALESCE(?, nonce), "
                "result=COALESCE(?, result), updated=? WHERE id=?",
                (
                    status.value,
                    tx_hash,
                    nonce,
                    None if result is None else json.dumps(result, sort_keys=True),
                    time.time(),
                    action_id,
                ),
            )

    def get_action(self, action_id: int) -> Action:
        rows = self._read("SELECT * FROM journal WHERE id=?", (action_id,))
        if not rows:
            raise StoreError(f"no journal entry {action_id}")
        return _action(rows[0])

    def pending_actions(self) -> list[Action]:
        """Actions not settled yet (intent or sent), oldest first."""
        rows = self._read(
            "SELECT * FROM journal WHERE status IN (?, ?) ORDER BY id",
            tuple(s.value for s in PENDING),
        )
        return [_action(r) for r in rows]

    def actions(self, limit: int = 100) -> list[Action]:
        return [_action(r) for r in self._read("SELECT * FROM journal ORDER BY id DESC LIMIT ?", (limit,))]

    def reconcile(self, lookup: Callable[[str], TxOutcome]) -> list[Action]:
        """Settle pending journal entries after a restart; returns the entries as they now stand.

        - intent without a tx hash: the process died before signing -> abandoned (decide again);
        - sent, lookup SUCCEEDED -> done; REVERTED -> failed; PENDING -> left as sent (wait for it);
          UNKNOWN -> abandoned (never broadcast or dropped; its nonce was not consumed by it).
        """
        settled = []
        for action in self.pending_actions():
            if action.status is ActionStatus.INTENT or action.tx_hash is None:
                self.mark_abandoned(action.id, {"reason": "not signed before restart"})
            else:
                outcome = lookup(action.tx_hash)
                if outcome is TxOutcome.SUCCEEDED:
                    self.mark_done(action.id, {"reconciled": outcome.value})
                elif outcome is TxOutcome.REVERTED:
                    self.mark_failed(action.id, {"reconciled": outcome.value})
                elif outcome is TxOutcome.UNKNOWN:
                    self.mark_abandoned(action.id, {"reconciled": outcome.value})
            settled.append(self.get_action(action.id))
        return settled


def _action(row: tuple[Any, ...]) -> Action:
    id_, kind, payload, status, tx_hash, nonce, result, created, updated = row
    return Action(
        id=id_,
        kind=kind,
        payload=json.loads(payload),
        status=ActionStatus(status),
        tx_hash=tx_hash,
        nonce=nonce,
        result=None if result is None else json.loads(result),
        created=created,
        updated=updated,
    )
