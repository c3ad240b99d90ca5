"""Deliverables over HTTP: content-addressed, verified on fetch, never substitutable; one payload service."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.market.payloads import (
    FilePayloadStore,
    HttpPayloadStore,
    PayloadCorruptedError,
    PayloadError,
    PayloadNotFoundError,
    PayloadServer,
    PayloadTooLargeError,
    PayloadUnavailableError,
    open_payload_store,
)
from agents.market.services import MAX_PAYLOAD_BYTES, commitment
from agents.runtime.process import HostConfig
from tests.unit.chain.conftest import free_port


@pytest.fixture
def server(tmp_path):
    s = PayloadServer(tmp_path / "service").start()
    yield s
    s.stop()


def test_put_then_get__from_another_client_with_its_own_cache(server, tmp_path):
    provider = HttpPayloadStore(server.url, cache=tmp_path / "provider-cache")
    evaluator = HttpPayloadStore(server.url, cache=tmp_path / "evaluator-cache")
    key = provider.put(b"factor: 3 x 7")
    assert key == commitment(b"factor: 3 x 7")
    assert evaluator.has(key) and not evaluator.has(commitment(b"other"))
    assert evaluator.get(key) == b"factor: 3 x 7"
    assert FilePayloadStore(tmp_path / "evaluator-cache").get(key) == b"factor: 3 x 7"  # verified copy kept
    assert server.store.get(key) == b"factor: 3 x 7"


def test_get__unknown__not_found(server):
    with pytest.raises(PayloadNotFoundError):
        HttpPayloadStore(server.url).get(commitment(b"never stored"))


def test_put__body_under_another_hash__refused_and_nothing_stored(server):
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port)
    wrong = commitment(b"the real deliverable")
    conn.request("PUT", f"/payloads/{wrong}", b"a substitute")
    resp = conn.getresponse()
    assert resp.status == 400 and b"does not hash" in resp.read()
    assert not server.store.has(wrong) and not server.store.has(commitment(b"a substitute"))


class _Liar(BaseHTTPRequestHandler):
    """A payload service that answers every GET with other bytes."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_a):
        pass

    def do_GET(self):
        body = b"substituted deliverable"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_get__service_substitutes_bytes__corrupted_error_and_nothing_cached(tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Liar)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = HttpPayloadStore(f"http://127.0.0.1:{httpd.server_address[1]}", cache=tmp_path / "c")
        key = commitment(b"the real deliverable")
        with pytest.raises(PayloadCorruptedError, match="served bytes hashing to"):
            store.get(key)
        assert not FilePayloadStore(tmp_path / "c").has(key)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_token__uploads_need_it_reads_do_not(tmp_path):
    s = PayloadServer(tmp_path / "svc", token="s3cret").start()
    try:
        with pytest.raises(PayloadError, match="HTTP 401"):
            HttpPayloadStore(s.url).put(b"x")
        key = HttpPayloadStore(s.url, token="s3cret").put(b"x")
        assert HttpPayloadStore(s.url).get(key) == b"x"
    finally:
        s.stop()


def test_too_large__refused_before_sending(server):
    with pytest.raises(PayloadTooLargeError):
        HttpPayloadStore(server.url).put(b"\0" * (MAX_PAYLOAD_BYTES + 1))


def test_service_down__unavailable_after_retries():
    store = HttpPayloadStore(f"http://127.0.0.1:{free_port()}", retries=1, timeout=1)
    with pytest.raises(PayloadUnavailableError):
        store.get(commitment(b"x"))


def test_open_payload_store__url_or_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_PAYLOAD_TOKEN", "t")
    http_store = open_payload_store("http://127.0.0.1:9/", cache=tmp_path / "c")
    assert isinstance(http_store, HttpPayloadStore) and http_store.token == "t"
    assert isinstance(open_payload_store(tmp_path / "d"), FilePayloadStore)


def test_host_config__payload_service_url_kept_as_url(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(
        json.dumps(
            {
                "rpc": "http://127.0.0.1:1",
                "deployment": "d.json",
                "data_dir": "a",
                "payloads": "http://10.0.0.2:8700",
                "agents": [],
            }
        )
    )
    assert HostConfig.from_json(path).payloads == "http://10.0.0.2:8700"
