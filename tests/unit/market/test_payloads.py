"""Content-addressed payload store: retrieval by commitment, hash checked on read, atomic writes."""

import multiprocessing
import os

import pytest

from agents.market.payloads import (
    FilePayloadStore,
    MemoryPayloadStore,
    PayloadCorruptedError,
    PayloadNotFoundError,
    PayloadStore,
    PayloadTooLargeError,
    normalise_hash,
)
from agents.market.services import MAX_PAYLOAD_BYTES, commitment


@pytest.fixture(params=["file", "memory"])
def store(request, tmp_path):
    return FilePayloadStore(tmp_path / "payloads") if request.param == "file" else MemoryPayloadStore()


def test_put_get__roundtrip_by_commitment(store):
    key = store.put(b'{"answer":42}')
    assert key == commitment(b'{"answer":42}')
    assert store.get(key) == b'{"answer":42}'
    assert store.has(key)
    assert isinstance(store, PayloadStore)


def test_get__accepts_bytes32_and_unprefixed_uppercase(store):
    key = store.put(b"x")
    assert store.get(bytes.fromhex(key[2:])) == b"x"
    assert store.get(key[2:].upper()) == b"x"


def test_get__unknown_hash__not_found(store):
    with pytest.raises(PayloadNotFoundError):
        store.get("0x" + "00" * 32)
    assert not store.has("0x" + "00" * 32)


def test_put__idempotent(store):
    assert store.put(b"same") == store.put(b"same")


def test_put__too_large__refused(store):
    with pytest.raises(PayloadTooLargeError):
        store.put(b"x" * (MAX_PAYLOAD_BYTES + 1))


@pytest.mark.parametrize("bad", ["0x1234", "zz" * 32, b"\x00" * 31, "0x" + "g" * 64])
def test_normalise_hash__malformed__value_error(bad):
    with pytest.raises(ValueError):
        normalise_hash(bad)


def test_file_store__tampered_file__corrupted_error(tmp_path):
    store = FilePayloadStore(tmp_path)
    key = store.put(b"honest result")
    path = tmp_path / key[2:4] / key
    path.write_bytes(b"substituted result")
    with pytest.raises(PayloadCorruptedError):
        store.get(key)


def test_file_store__no_temporary_files_left(tmp_path):
    store = FilePayloadStore(tmp_path)
    for i in range(20):
        store.put(f"payload {i}".encode())
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def _writer(root, start):
    s = FilePayloadStore(root)
    for i in range(start, start + 50):
        s.put(f"payload {i % 60}".encode() * 100)


def test_file_store__shared_by_processes__every_payload_intact(tmp_path):
    procs = [
        multiprocessing.get_context("fork").Process(target=_writer, args=(tmp_path, k * 10)) for k in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    reader = FilePayloadStore(tmp_path)
    for i in range(60):
        payload = f"payload {i}".encode() * 100
        assert reader.get(commitment(payload)) == payload
    assert os.listdir(tmp_path)
