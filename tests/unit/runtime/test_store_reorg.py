"""The store's reorg tables: block hashes per cursor, bounded checkpoints, and a schema-1 file opening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agents.runtime.store import SCHEMA_VERSION, AgentStore, StoreError


def test_schema_1_file__opens__gets_reorg_tables__keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "agent.sqlite"
    conn = sqlite3.connect(path)  # an agent.sqlite as schema 1 wrote it
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);"
        "CREATE TABLE cursors (key TEXT PRIMARY KEY, block INTEGER NOT NULL, log_index INTEGER NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '1');"
        "INSERT INTO state VALUES ('memory', '{\"cycle\": 7}', 0);"
    )
    conn.commit()
    conn.close()
    with AgentStore(path) as store:
        assert store.get_state("memory") == {"cycle": 7}
        assert store.load_block_hashes("indexer") == {}
        store.save_block_hashes("indexer", {5: "0xaa", 6: "0xbb"})
    with AgentStore(path) as store:
        assert store.load_block_hashes("indexer") == {5: "0xaa", 6: "0xbb"}
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (str(SCHEMA_VERSION),)
    conn.close()


def test_newer_schema__refused(tmp_path: Path) -> None:
    path = tmp_path / "agent.sqlite"
    AgentStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version"):
        AgentStore(path)


def test_block_hashes__replaced_as_a_whole_per_key(tmp_path: Path) -> None:
    with AgentStore(tmp_path / "a.sqlite") as store:
        store.save_block_hashes("a", {1: "0x01", 2: "0x02"})
        store.save_block_hashes("b", {9: "0x09"})
        store.save_block_hashes("a", {2: "0x22", 3: "0x03"})
        assert store.load_block_hashes("a") == {2: "0x22", 3: "0x03"}
        assert store.load_block_hashes("b") == {9: "0x09"}


def test_checkpoints__newest_below_a_block__bounded__orphans_dropped(tmp_path: Path) -> None:
    with AgentStore(tmp_path / "a.sqlite") as store:
        for block in (10, 15, 20, 25):
            store.put_checkpoint("memory", block, {"at": block}, keep=3)
        assert store.checkpoint_below("memory", 11) is None  # 10 was pruned (keep=3)
        assert store.checkpoint_below("memory", 21) == (20, {"at": 20})
        assert store.checkpoint_below("memory", 20) == (15, {"at": 15})
        store.drop_checkpoints_from("memory", 20)
        assert store.checkpoint_below("memory", 100) == (15, {"at": 15})
        with pytest.raises(StoreError):
            store.put_checkpoint("memory", 30, {}, keep=0)
