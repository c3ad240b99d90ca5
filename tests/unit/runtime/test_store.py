"""AgentStore: state, cursor, nonce hint and journal survive restarts and crashes; uncommitted work
vanishes."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from agents.chain.types import Cursor, TxOutcome
from agents.runtime.store import ActionStatus, AgentStore, StoreError


@pytest.fixture
def path(tmp_path):
    return tmp_path / "agent.sqlite"


def test_state__roundtrip_and_survives_reopen(path):
    with AgentStore(path) as s:
        s.put_state("cognition", {"values": [0.2, 0.8], "cycle": 5})
        s.put_state("market", {"asks": {"factor": 1000}})
    with AgentStore(path) as s:
        assert s.get_state("cognition") == {"values": [0.2, 0.8], "cycle": 5}
        assert s.get_state("missing", default=3) == 3
        assert s.state_keys() == ["cognition", "market"]


def test_state__not_json__store_error_and_nothing_written(path):
    with AgentStore(path) as s:
        with pytest.raises(StoreError):
            s.put_state("x", {"f": object()})
        with pytest.raises(StoreError):
            s.put_state("x", float("nan"))
        assert s.get_state("x") is None


def test_wal_mode(path):
    AgentStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transaction__exception__rolls_back_every_write(path):
    with AgentStore(path) as s:
        s.put_state("a", 1)
        with pytest.raises(RuntimeError), s.transaction():
            s.put_state("a", 2)
            s.save_cursor("idx", Cursor(10, 3))
            raise RuntimeError("boom")
        assert s.get_state("a") == 1
        assert s.load_cursor("idx") is None


def test_crash__close_without_commit__reopen_sees_only_committed(path):
    s = AgentStore(path)
    s.put_state("a", "committed")
    s.set_nonce_hint("0xAbC", 7)
    # Simulate a crash in the middle of a transaction: begin, write, and close without commit.
    s._conn.execute("BEGIN IMMEDIATE")
    s._conn.execute("UPDATE state SET value='\"lost\"' WHERE key='a'")
    s._conn.execute("INSERT INTO cursors VALUES ('idx', 99, 0)")
    s._conn.close()
    with AgentStore(path) as s2:
        assert s2.get_state("a") == "committed"
        assert s2.load_cursor("idx") is None
        assert s2.get_nonce_hint("0xabc") == 7


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from agents.runtime.store import AgentStore
    from agents.chain.types import Cursor
    s = AgentStore(sys.argv[1])
    s.put_state("cycle", 41)
    s.save_cursor("idx", Cursor(12, 4))
    aid = s.add_intent("complete", {"job": 3})
    s.mark_sent(aid, "0x" + "ab" * 32, 9)
    s._conn.execute("BEGIN IMMEDIATE")
    s._conn.execute("UPDATE state SET value='42' WHERE key='cycle'")
    print("ready", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_crash__kill_9_mid_transaction__committed_state_intact(path):
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=os.getcwd(), timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "ready" in proc.stdout
    with AgentStore(path) as s:
        assert s.get_state("cycle") == 41
        assert s.load_cursor("idx") == Cursor(12, 4)
        [pending] = s.pending_actions()
        assert pending.status is ActionStatus.SENT and pending.nonce == 9


def test_cursor__overwrite_and_reload(path):
    with AgentStore(path) as s:
        s.save_cursor("idx", Cursor(5, 1))
        s.save_cursor("idx", Cursor.block_done(8))
    with AgentStore(path) as s:
        assert s.load_cursor("idx") == Cursor.block_done(8)


def test_nonce_hint__per_address_case_insensitive(path):
    with AgentStore(path) as s:
        assert s.get_nonce_hint("0xA") is None
        s.set_nonce_hint("0xA", 3)
        s.set_nonce_hint("0xa", 4)
        assert s.get_nonce_hint("0xA") == 4
        with pytest.raises(StoreError):
            s.set_nonce_hint("0xA", -1)


def test_journal__lifecycle(path):
    with AgentStore(path) as s:
        aid = s.add_intent("fund", {"job": 1, "budget": 100})
        assert s.get_action(aid).status is ActionStatus.INTENT
        s.mark_sent(aid, "0xABCD", 4)
        a = s.get_action(aid)
        assert (a.status, a.tx_hash, a.nonce) == (ActionStatus.SENT, "0xabcd", 4)
        s.mark_done(aid, {"gas": 21000})
        a = s.get_action(aid)
        assert a.status is ActionStatus.DONE and a.result == {"gas": 21000} and a.payload["budget"] == 100
        assert s.pending_actions() == []


def test_journal__settled_entry_cannot_change(path):
    with AgentStore(path) as s:
        aid = s.add_intent("x", {})
        s.mark_failed(aid, {"reason": "reverted"})
        with pytest.raises(StoreError):
            s.mark_done(aid)
        with pytest.raises(StoreError):
            s.mark_sent(999, "0x1", 1)


def test_reconcile__each_outcome(path):
    with AgentStore(path) as s:
        unsigned = s.add_intent("a", {})
        ok = s.add_intent("b", {})
        s.mark_sent(ok, "0x01", 1)
        bad = s.add_intent("c", {})
        s.mark_sent(bad, "0x02", 2)
        waiting = s.add_intent("d", {})
        s.mark_sent(waiting, "0x03", 3)
        lost = s.add_intent("e", {})
        s.mark_sent(lost, "0x04", 4)
        outcomes = {
            "0x01": TxOutcome.SUCCEEDED,
            "0x02": TxOutcome.REVERTED,
            "0x03": TxOutcome.PENDING,
            "0x04": TxOutcome.UNKNOWN,
        }
        result = {a.id: a.status for a in s.reconcile(outcomes.__getitem__)}
        assert result == {
            unsigned: ActionStatus.ABANDONED,
            ok: ActionStatus.DONE,
            bad: ActionStatus.FAILED,
            waiting: ActionStatus.SENT,
            lost: ActionStatus.ABANDONED,
        }
        assert [a.id for a in s.pending_actions()] == [waiting]


def test_open__not_a_database__store_error(tmp_path):
    p = tmp_path / "junk.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        AgentStore(p)
