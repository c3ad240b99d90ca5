"""The start checks without a chain: the dir lock, the chain record in the store, reset, the funds lines."""

from __future__ import annotations

import os

import pytest

from agents.runtime.guard import (
    AgentStartError,
    ChainIdentity,
    DirLock,
    Funds,
    check_chain,
    claim_dir,
    funds_problems,
)
from agents.runtime.store import AgentStore

ME = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
HERE = ChainIdentity("0x" + "ab" * 32, 31337, "0x" + "E5" * 20, 7)
OTHER = ChainIdentity("0x" + "cd" * 32, 31337, "0x" + "F6" * 20, 9)
WEI = 10**18
GWEI = 10**9


def test_check_chain__a_new_store_records_the_chain_and_accepts_it_again(tmp_path):
    with AgentStore(tmp_path / "a.sqlite") as store:
        assert check_chain(store, HERE, ME) == "recorded"
        assert check_chain(store, HERE, ME) == "same"
        assert ChainIdentity.from_json(store.get_meta("chain")) == HERE


def test_check_chain__another_chain_is_refused_with_one_line_naming_both(tmp_path):
    with AgentStore(tmp_path / "a.sqlite") as store:
        check_chain(store, OTHER, ME)
        with pytest.raises(AgentStartError) as info:
            check_chain(store, HERE, ME)
    assert str(info.value) == (
        f"agent {ME}: its data dir belongs to chain 0xcdcdcdcd… deployment 0x{'F6' * 20} (block 9), "
        f"this RPC is chain 0xabababab… deployment 0x{'E5' * 20} (block 7); use --reset to start afresh"
    )


def test_check_chain__state_from_before_the_record_is_adopted(tmp_path):
    with AgentStore(tmp_path / "a.sqlite") as store:
        store.put_state("memory", {"cycle": 3})
        assert check_chain(store, HERE, ME) == "adopted"


def test_dir_lock__a_second_holder_is_refused_naming_the_pid_and_gets_it_after_release(tmp_path):
    first = DirLock(tmp_path, ME).acquire()
    with pytest.raises(AgentStartError) as info:
        DirLock(tmp_path, ME).acquire()
    assert str(info.value) == (
        f"agent {ME}: its data dir {tmp_path} is in use by pid {os.getpid()}; stop that "
        "process first (one process per agent)"
    )
    first.release()
    DirLock(tmp_path, ME).acquire().release()


def test_claim_dir__reset_moves_the_old_state_aside_and_starts_empty(tmp_path):
    d = tmp_path / ME.lower()
    d.mkdir()
    (d / "agent.sqlite").write_text("old")
    lock, moved = claim_dir(d, ME, reset=True)
    try:
        assert moved is not None and moved.name.startswith(f"{ME.lower()}.old-")
        assert (moved / "agent.sqlite").read_text() == "old"
        assert sorted(p.name for p in d.iterdir()) == ["agent.lock"]
    finally:
        lock.release()
    lock, moved = claim_dir(d, ME, reset=True)  # nothing but the lock file: nothing to move
    lock.release()
    assert moved is None


def _funds(eth: int, token: int = 1_000 * WEI, bonded: int = 0) -> Funds:
    return Funds(eth=eth, token=token, bonded=bonded, max_fee_per_gas=2 * GWEI, min_provider_stake=100 * WEI)


def test_funds__too_little_eth_for_one_transaction_is_an_error():
    error, warnings = funds_problems(ME, _funds(eth=799_999 * GWEI), provides=True, hires=True)
    assert error == (
        f"agent {ME}: 0.000799999 ETH cannot pay the gas of one transaction (400000 gas at "
        "2000000000 wei = 0.0008 ETH); send it ETH first"
    )
    assert warnings == []


def test_funds__eth_for_a_few_transactions_is_a_warning():
    error, warnings = funds_problems(ME, _funds(eth=WEI // 100), provides=True, hires=True)
    assert error is None
    assert warnings == [
        f"agent {ME}: 0.01 ETH pays for about 12 transactions at today's fee (fewer than 50); send it ETH"
    ]


def test_funds__no_agent_for_a_provider_and_client_is_one_warning():
    error, warnings = funds_problems(ME, _funds(eth=10 * WEI, token=0), provides=True, hires=True)
    assert error is None
    assert warnings == [
        f"agent {ME}: 0 AGENT liquid and 0 staked: it cannot stake the escrow's minimum "
        "provider stake of 100 AGENT, so no client can hire it and it has no liquid AGENT to "
        "fund jobs as a client; send it AGENT"
    ]


def test_funds__staked_provider_that_never_hires_needs_no_liquid_agent():
    assert funds_problems(
        ME, _funds(eth=10 * WEI, token=0, bonded=300 * WEI), provides=True, hires=False
    ) == (None, [])
