"""Content-addressed storage of deliverables, keyed by the on-chain commitment keccak256(payload).

The provider `put`s its payload and submits the returned hash on-chain; the client, the evaluator and
guardians `get` it by that hash. `get` re-hashes what it read and refuses a payload that does not
match, so a store (or whoever can write to it) cannot substitute a deliverable.

`FilePayloadStore` is a directory shared by the agent processes of one machine; writes are atomic
(temporary file + rename), so a reader never sees half a payload. An HTTP-backed store for
multi-machine networks only has to implement the `PayloadStore` protocol.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from agents.market.services import MAX_PAYLOAD_BYTES, commitment

_HASH_RE = re.compile(r"^0x[0-9a-f]{64}$")


class PayloadError(Exception):
    """Base class of payload store errors."""


class PayloadNotFoundError(PayloadError, KeyError):
    """No payload stored under this hash."""


class PayloadCorruptedError(PayloadError):
    """The stored bytes do not hash to the requested commitment."""


class PayloadTooLargeError(PayloadError, ValueError):
    """A payload above MAX_PAYLOAD_BYTES."""


def normalise_hash(deliverable: str | bytes) -> str:
    """A bytes32 commitment as lowercase 0x-hex; raises ValueError on anything else."""
    if isinstance(deliverable, bytes | bytearray):
        if len(deliverable) != 32:
            raise ValueError("a deliverable hash is 32 bytes")
        return "0x" + bytes(deliverable).hex()
    text = str(deliverable).lower()
    if not text.startswith("0x"):
        text = "0x" + text
    if not _HASH_RE.match(text):
        raise ValueError(f"not a bytes32 hex hash: {deliverable!r}")
    return text


@runtime_checkable
class PayloadStore(Protocol):
    def put(self, payload: bytes) -> str:
        """Store `payload`; return its commitment (0x-hex keccak256). Idempotent."""

    def get(self, deliverable: str | bytes) -> bytes:
        """The payload whose keccak256 is `deliverable`; PayloadNotFoundError / PayloadCorruptedError."""

    def has(self, deliverable: str | bytes) -> bool: ...


class MemoryPayloadStore:
    """In-process store (tests, single-process simulations)."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, payload: bytes) -> str:
        _check_size(payload)
        key = commitment(payload)
        with self._lock:
            self._data[key] = bytes(payload)
        return key

    def get(self, deliverable: str | bytes) -> bytes:
        key = normalise_hash(deliverable)
        with self._lock:
            if key not in self._data:
                raise PayloadNotFoundError(key)
            data = self._data[key]
        if commitment(data) != key:
            raise PayloadCorruptedError(key)
        return data

    def has(self, deliverable: str | bytes) -> bool:
        return normalise_hash(deliverable) in self._data


class FilePayloadStore:
    """Payloads as files `<root>/<hh>/<hash>` (hh = first two hex digits), written atomically."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / key[2:4] / key

    def put(self, payload: bytes) -> str:
        _check_size(payload)
        key = commitment(payload)
        path = self._path(key)
        if path.is_file():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, deliverable: str | bytes) -> bytes:
        key = normalise_hash(deliverable)
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            raise PayloadNotFoundError(key) from None
        if commitment(data) != key:
            raise PayloadCorruptedError(f"{key}: stored bytes hash to {commitment(data)}")
        return data

    def has(self, deliverable: str | bytes) -> bool:
        return self._path(normalise_hash(deliverable)).is_file()


def _check_size(payload: bytes) -> None:
    if not isinstance(payload, bytes | bytearray):
        raise TypeError("payload must be bytes")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
