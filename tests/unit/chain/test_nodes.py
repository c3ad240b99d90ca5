"""Mining modes: a block per transaction or many per block; the lockstep miner never runs ahead of an
agent."""

import pytest

from agents.chain.nodes import LockstepMiner, set_mining
from agents.devnet import rpc


class FakeNode:
    def __init__(self, head):
        self.head = head
        self.mined = 0

    def request(self, method, params=()):
        if method == "eth_blockNumber":
            return hex(self.head)
        assert method == "anvil_mine" and params == ["0x1"]
        self.head += 1
        self.mined += 1


def test_lockstep__mines_inside_a_window__waits_at_its_end_until_every_agent_ran_it():
    node, done = FakeNode(head=9), [0]
    m = LockstepMiner("http://x", start_block=10, cycle_blocks=5, cycles_done=lambda: done[0], client=node)
    for _ in range(5):  # blocks 10..14: window 0
        assert m.step()
    assert node.head == 14 and m.windows_complete(14) == 1
    assert not m.step() and not m.step()  # an agent has not run cycle 0 yet: its transactions are to come
    done[0] = 1
    assert m.step() and node.head == 15 and m.blocks == 6


def test_set_mining__batch_then_auto(rpc_url, w3, alice, bob):
    set_mining(rpc_url, "batch")
    try:
        assert rpc(rpc_url, "anvil_getAutomine") is False
        head = w3.eth.block_number
        h1 = w3.eth.send_transaction({"from": alice.address, "to": bob.address, "value": 1})
        h2 = w3.eth.send_transaction({"from": alice.address, "to": bob.address, "value": 1})
        assert w3.eth.block_number == head  # waiting in the pool
        rpc(rpc_url, "anvil_mine", ["0x1"])
        r1, r2 = w3.eth.get_transaction_receipt(h1), w3.eth.get_transaction_receipt(h2)
        assert r1["blockNumber"] == r2["blockNumber"] == head + 1  # both in one block
    finally:
        set_mining(rpc_url, "auto")
    assert rpc(rpc_url, "anvil_getAutomine") is True
    with pytest.raises(ValueError):
        set_mining(rpc_url, "sometimes")


def test_cycle_counter__counts_whole_lines_incrementally(tmp_path):
    from types import SimpleNamespace

    from agents.bench.economy import CycleCounter

    plans = [SimpleNamespace(address="0xAa"), SimpleNamespace(address="0xBb")]
    files = [tmp_path / "agents" / p.address.lower() / "metrics.jsonl" for p in plans]
    files[0].parent.mkdir(parents=True)
    files[0].write_text('{"cycle": 0}\n{"cycle": 1}\n{"cyc')  # a line being written is not counted
    counter = CycleCounter(tmp_path, plans)
    assert counter.counts() == [2, 0] and counter.slowest() == 0
    with open(files[0], "a") as fh:
        fh.write('le": 2}\n')
    files[1].parent.mkdir(parents=True)
    files[1].write_text('{"cycle": 0}\n' * 3)
    assert counter.counts() == [3, 3] and counter.slowest() == 3
