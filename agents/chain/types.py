"""Small plain types shared by the chain layer and its users (no web3 imports here).

- `Cursor` / `CursorStore`: event-stream positions, and the hashes of the last blocks they covered
  (the reorg window), and where they are kept (the indexer's only persistence need);
- `TxOutcome`: what the chain says about a transaction hash (used to reconcile a journal after a crash).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol


@dataclass(frozen=True, order=True)
class Cursor:
    """Everything at or before (block, log_index) has been delivered.

    `log_index == Cursor.BLOCK_DONE` means the whole block was delivered (also blocks without events).
    """

    block: int
    log_index: int

    BLOCK_DONE: ClassVar[int] = 2**31 - 1

    @classmethod
    def block_done(cls, block: int) -> Cursor:
        return cls(block, cls.BLOCK_DONE)

    def covers(self, block: int, log_index: int) -> bool:
        """True if the event at (block, log_index) was already delivered."""
        return (block, log_index) <= (self.block, self.log_index)


class CursorStore(Protocol):
    def load_cursor(self, key: str) -> Cursor | None: ...

    def save_cursor(self, key: str, cursor: Cursor) -> None: ...

    def load_block_hashes(self, key: str) -> dict[int, str]: ...

    def save_block_hashes(self, key: str, hashes: Mapping[int, str]) -> None:
        """Replace the key's remembered block hashes (block -> 0x hash) with `hashes` (a bounded window)."""


class MemoryCursorStore:
    """A CursorStore kept in memory (tests, throwaway indexers)."""

    def __init__(self) -> None:
        self._cursors: dict[str, Cursor] = {}
        self._hashes: dict[str, dict[int, str]] = {}

    def load_cursor(self, key: str) -> Cursor | None:
        return self._cursors.get(key)

    def save_cursor(self, key: str, cursor: Cursor) -> None:
        self._cursors[key] = cursor

    def load_block_hashes(self, key: str) -> dict[int, str]:
        return dict(self._hashes.get(key, {}))

    def save_block_hashes(self, key: str, hashes: Mapping[int, str]) -> None:
        self._hashes[key] = dict(hashes)


class TxOutcome(StrEnum):
    """What the chain says about a transaction hash."""

    SUCCEEDED = "succeeded"  # mined, status 1
    REVERTED = "reverted"  # mined, status 0
    PENDING = "pending"  # known to the node, not mined yet
    UNKNOWN = "unknown"  # not known: never broadcast, or dropped
