"""Content-addressed storage of deliverables, keyed by the on-chain commitment keccak256(payload).

The provider `put`s its payload and submits the returned hash on-chain; the client, the evaluator and
guardians `get` it by that hash. `get` re-hashes what it read and refuses a payload that does not
match, so a store (or whoever can write to it) cannot substitute a deliverable.

`FilePayloadStore` is a directory shared by the agent processes of one machine; writes are atomic
(temporary file + rename), so a reader never sees half a payload.

Across machines: `PayloadServer` serves a `FilePayloadStore` over HTTP (`emergent payloads serve`,
one payload service for the network) and `HttpPayloadStore` is its client:

    PUT  /payloads/<hash>   body = the payload; stored only if keccak256(body) == <hash> (else 400)
    GET  /payloads/<hash>   the payload (404 if unknown); HEAD: whether it is there

Nothing has to be trusted: the client re-hashes what it fetched and refuses a mismatch
(PayloadCorruptedError), and the server refuses to store bytes under another hash, so a server (or a
man in the middle) can withhold a deliverable but never substitute one. Writes may require a token
(`Authorization: Bearer <token>`); reads are open (the commitment is public on-chain anyway).
`open_payload_store(spec)`: an http(s) URL gives an `HttpPayloadStore` (a `token` from
`EMERGENT_PAYLOAD_TOKEN`), anything else a `FilePayloadStore` directory.
"""

from __future__ import annotations

import http.client
import os
import re
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

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


class PayloadUnavailableError(PayloadError):
    """The payload service could not be reached (after retries)."""


class HttpPayloadStore:
    """Client of a `PayloadServer`: put uploads under the payload's own hash, get verifies what it fetched.

    One keep-alive connection per thread; transport failures are retried `retries` times with a short
    backoff, then raise PayloadUnavailableError. `cache`: a local FilePayloadStore directory for
    payloads already fetched or put (verified before use like any read)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        cache: str | os.PathLike[str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) payload service URL: {url!r}")
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        self._base = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.cache = FilePayloadStore(cache) if cache else None
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        c = getattr(self._local, "conn", None)
        if c is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            c = self._local.conn = cls(self._host, self._port, timeout=self.timeout)
        return c

    def _request(self, method: str, key: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/octet-stream"}
        if self.token and method == "PUT":
            headers["Authorization"] = f"Bearer {self.token}"
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            conn = self._conn()
            try:
                conn.request(method, f"{self._base}/payloads/{key}", body, headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status >= 500:
                    raise PayloadUnavailableError(f"{self.url}: HTTP {resp.status}")
                return resp.status, data
            except (OSError, http.client.HTTPException, PayloadUnavailableError) as exc:
                conn.close()
                self._local.conn = None
                last = exc
                if attempt < self.retries:
                    time.sleep(min(1.0, 0.05 * 2**attempt))
        raise PayloadUnavailableError(f"{self.url}: {last}") from last

    def put(self, payload: bytes) -> str:
        _check_size(payload)
        key = commitment(payload)
        status, data = self._request("PUT", key, bytes(payload))
        if status not in (200, 201):
            raise PayloadError(f"{self.url} refused {key}: HTTP {status} {data[:120]!r}")
        if self.cache is not None:
            self.cache.put(payload)
        return key

    def get(self, deliverable: str | bytes) -> bytes:
        key = normalise_hash(deliverable)
        if self.cache is not None and self.cache.has(key):
            try:
                return self.cache.get(key)
            except PayloadCorruptedError:
                pass  # fetch it again
        status, data = self._request("GET", key)
        if status == 404:
            raise PayloadNotFoundError(key)
        if status != 200:
            raise PayloadError(f"{self.url}: HTTP {status} for {key}")
        if commitment(data) != key:  # verified on fetch: the service cannot substitute a deliverable
            raise PayloadCorruptedError(f"{key}: {self.url} served bytes hashing to {commitment(data)}")
        if self.cache is not None:
            self.cache.put(data)
        return data

    def has(self, deliverable: str | bytes) -> bool:
        key = normalise_hash(deliverable)
        return self._request("HEAD", key)[0] == 200


class PayloadServer:
    """A FilePayloadStore over HTTP (see the module docstring). `start()` serves in a daemon thread."""

    def __init__(
        self, root: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0, token: str | None = None
    ) -> None:
        self.store = FilePayloadStore(root)
        self.token = token
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a: object) -> None:  # quiet; the agents log what matters
                pass

            def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _key(self) -> str | None:
                path = unquote(urlsplit(self.path).path)
                if not path.startswith("/payloads/"):
                    return None
                try:
                    return normalise_hash(path[len("/payloads/") :])
                except ValueError:
                    return None

            def do_GET(self) -> None:
                key = self._key()
                if key is None:
                    return self._reply(404, b"not a payload path")
                try:
                    data = server.store.get(key)
                except PayloadNotFoundError:
                    return self._reply(404, b"unknown payload")
                except PayloadCorruptedError:
                    return self._reply(500, b"stored payload corrupted")
                self._reply(200, data, "application/octet-stream")

            do_HEAD = do_GET

            def do_PUT(self) -> None:
                key = self._key()
                size = int(self.headers.get("Content-Length") or -1)
                if key is None:
                    return self._reply(404, b"not a payload path")
                if server.token and self.headers.get("Authorization") != f"Bearer {server.token}":
                    self.rfile.read(max(0, min(size, MAX_PAYLOAD_BYTES)))
                    return self._reply(401, b"token required")
                if size < 0 or size > MAX_PAYLOAD_BYTES:
                    self.close_connection = True
                    return self._reply(413, b"payload too large (or no length)")
                body = self.rfile.read(size)
                if commitment(body) != key:
                    return self._reply(400, b"body does not hash to the path")
                server.store.put(body)
                self._reply(201, key.encode())

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        bound = self.httpd.server_address[0]  # str for an AF_INET server; typeshed allows bytes
        self.host = bound if isinstance(bound, str) else bound.decode()
        self.port = self.httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> PayloadServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="payload-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def open_payload_store(
    spec: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None
) -> HttpPayloadStore | FilePayloadStore:
    """An http(s) URL: HttpPayloadStore (token from EMERGENT_PAYLOAD_TOKEN, local `cache`); else a
    directory."""
    text = str(spec)
    if text.startswith(("http://", "https://")):
        return HttpPayloadStore(text, token=os.environ.get("EMERGENT_PAYLOAD_TOKEN") or None, cache=cache)
    return FilePayloadStore(spec)
