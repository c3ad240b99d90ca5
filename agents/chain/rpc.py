"""A lean JSON-RPC 2.0 client over one keep-alive HTTP connection, with batches.

    rpc = JsonRpc("http://127.0.0.1:8545")
    head = int(rpc.request("eth_blockNumber", []), 16)
    block, balance = rpc.batch([("eth_getBlockByNumber", ["latest", False]),
                                ("eth_getBalance", [me, "latest"])])

Why not web3.py for the agents' hot path: a web3 request costs about 0.85 ms of Python on this machine
(middleware, formatters, requests), this client 0.23 ms, and a batch of ten 0.03 ms per item
(`emergent bench economy` shows what that buys). web3 stays for everything that is not hot.

Credentials: `JsonRpc(url, headers={...}, auth=(user, password))`, or `user:password@` in the URL
(percent-decoded, sent as HTTP basic auth; the URL in error messages never shows them). `from_web3`
carries the HTTPProvider's `headers` and `auth` request kwargs and its URL's credentials over, so the
agents' lean client reaches an endpoint behind an authenticating proxy whenever their web3 does.

Errors:
- transport trouble (refused, reset, timeout, HTTP 429/5xx) raises `RpcTransportError`, a
  `ConnectionError`, so `errors.is_transient` retries it;
- a JSON-RPC error object raises (single request) or is returned in place (batch) as
  `RpcResponseError` with the node's code, message and data; `errors.classify` types it (revert with
  decoded reason, nonce, insufficient funds).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import itertools
import json
import socket
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit


class RpcTransportError(ConnectionError):
    """The node could not be reached or answered with an HTTP error status (transient)."""


class RpcResponseError(Exception):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        self.code = code
        self.message = message
        self.data = data
        super().__init__(f"{message} (code {code})")


class RpcProtocolError(Exception):
    """The node's answer is not JSON-RPC (not retried: a wrong URL or a proxy page)."""


TRANSIENT_STATUS = (429, 502, 503, 504)
AUTH_STATUS = (401, 403, 407)


def redact_url(url: str) -> str:
    """`url` without the password of its user:password@ part."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(
        (parts.scheme, f"{parts.username or ''}:***@{host}", parts.path, parts.query, parts.fragment)
    )


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class JsonRpc:
    """JSON-RPC over HTTP(S) keep-alive. Thread-safe (one request at a time per client)."""

    def __init__(
        self,
        url: str,
        timeout: float = 30.0,
        *,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) JSON-RPC URL: {redact_url(url)!r}")
        self.url = redact_url(url)  # for messages: never the password
        self.timeout = timeout
        self._headers = {
            "Content-Type": "application/json",
            **{str(k): str(v) for k, v in (headers or {}).items()},
        }
        if auth is None and (parts.username is not None or parts.password is not None):
            auth = (unquote(parts.username or ""), unquote(parts.password or ""))
        if auth is not None:
            self._headers["Authorization"] = basic_auth(*auth)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._conn: http.client.HTTPConnection | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.requests = 0  # HTTP round trips made
        self.calls = 0  # JSON-RPC calls made (a batch counts each item)

    @classmethod
    def from_web3(cls, web3: Any) -> JsonRpc | None:
        """A client for the same endpoint as `web3`'s HTTPProvider (None for other providers)."""
        provider = getattr(web3, "provider", None)
        uri = getattr(provider, "endpoint_uri", None)
        if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
            return None
        kwargs = getattr(provider, "_request_kwargs", None) or {}
        if not isinstance(kwargs, dict):
            kwargs = {}
        timeout = kwargs.get("timeout", 30.0)
        headers = kwargs.get("headers")
        auth = kwargs.get("auth")
        auth = tuple(auth) if isinstance(auth, tuple | list) and len(auth) == 2 else None
        return cls(
            uri,
            timeout=float(timeout) if isinstance(timeout, int | float) else 30.0,
            headers=dict(headers) if isinstance(headers, Mapping) else None,
            auth=auth,
        )

    # ------------------------------------------------------------------ transport
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _post(self, body: bytes) -> Any:
        with self._lock:
            # A kept-alive connection the server has closed fails on first use: one silent retry on a
            # new connection (every call we make is safe to repeat: reads, and signed bytes whose
            # second arrival the node recognises). A new connection that fails is the node's answer.
            while True:
                reused = self._conn is not None
                conn = self._connection()
                try:
                    conn.request("POST", self._path, body, self._headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    status = resp.status
                    break
                except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout, bad status
                    conn.close()
                    self._conn = None
                    timed_out = isinstance(exc, socket.timeout | TimeoutError)
                    if reused and not timed_out:
                        continue
                    raise RpcTransportError(f"{self.url}: {'timed out' if timed_out else exc}") from exc
            self.requests += 1
        if status in TRANSIENT_STATUS:
            raise RpcTransportError(f"{self.url}: HTTP {status}")
        if status in AUTH_STATUS:
            raise RpcProtocolError(f"{self.url}: HTTP {status}: the endpoint refused our credentials")
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise RpcProtocolError(f"{self.url}: HTTP {status}, not JSON: {payload[:120]!r}") from exc

    # ------------------------------------------------------------------ calls
    @staticmethod
    def _unwrap(reply: Any) -> Any:
        if not isinstance(reply, dict):
            raise RpcProtocolError(f"not a JSON-RPC reply: {str(reply)[:120]}")
        if "error" in reply and reply["error"] is not None:
            err = reply["error"]
            if isinstance(err, dict):
                return RpcResponseError(int(err.get("code", 0)), str(err.get("message", "")), err.get("data"))
            return RpcResponseError(0, str(err))
        if "result" not in reply:
            raise RpcProtocolError(f"JSON-RPC reply without result: {str(reply)[:120]}")
        return reply["result"]

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; its result, or RpcResponseError / RpcTransportError."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)})
        self.calls += 1
        out = self._unwrap(self._post(body.encode()))
        if isinstance(out, RpcResponseError):
            raise out
        return out

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Many calls in one round trip; results in the order given, an RpcResponseError in place of a
        failed call (the others still count). Transport failure raises RpcTransportError for all."""
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        body = json.dumps(
            [
                {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}
                for i, (m, p) in zip(ids, calls, strict=True)
            ]
        )
        self.calls += len(calls)
        replies = self._post(body.encode())
        if isinstance(replies, dict):  # a node that refuses batches answers with one error object
            err = self._unwrap(replies)
            if isinstance(err, RpcResponseError):
                return [err for _ in calls]
            raise RpcProtocolError(f"batch answered with a single result: {str(replies)[:120]}")
        if not isinstance(replies, list):
            raise RpcProtocolError(f"batch reply is not a list: {str(replies)[:120]}")
        by_id = {r.get("id"): r for r in replies if isinstance(r, dict)}
        out = []
        for i in ids:
            if i not in by_id:
                out.append(RpcResponseError(0, "no reply for this call in the batch"))
            else:
                out.append(self._unwrap(by_id[i]))
        return out


class ProviderRpc:
    """The same interface over any web3 provider (IPC, websocket, test providers): no batching gain."""

    def __init__(self, web3: Any) -> None:
        self.provider = web3.provider
        self.requests = 0
        self.calls = 0

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        self.requests += 1
        self.calls += 1
        out = JsonRpc._unwrap(self.provider.make_request(method, list(params)))
        if isinstance(out, RpcResponseError):
            raise out
        return out

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        out: list[Any] = []
        for method, params in calls:
            try:
                out.append(self.request(method, params))
            except RpcResponseError as exc:
                out.append(exc)
        return out

    def close(self) -> None:
        pass


_CLIENTS: weakref.WeakKeyDictionary[Any, JsonRpc | ProviderRpc] = weakref.WeakKeyDictionary()


def rpc_for(web3: Any) -> JsonRpc | ProviderRpc:
    """One lean client per web3 connection (shared by every sender and reader on it)."""
    try:
        return _CLIENTS[web3]
    except (KeyError, TypeError):
        pass
    client: JsonRpc | ProviderRpc = JsonRpc.from_web3(web3) or ProviderRpc(web3)
    with contextlib.suppress(TypeError):  # not weak-referenceable: a client of its own each time
        _CLIENTS[web3] = client
    return client
