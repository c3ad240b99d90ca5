"""ChainReader against a real anvil: reads, revert reasons from the failing transaction's own block
context (debug_traceTransaction), the parent-block fallback, and the sender's cached fee quotes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from agents.chain.errors import RetryPolicy, RevertedError
from agents.chain.reader import ChainReader
from agents.chain.rpc import JsonRpc, RpcResponseError
from agents.chain.sender import CachedFeeSender, TxSender

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
EXCEEDS = "erc20: transfer amount exceeds balance"


@contextlib.contextmanager
def manual_mining(w3: Any) -> Iterator[None]:
    """Automine off inside the block: transactions wait in the pool until `evm_mine`."""
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        yield
    finally:
        w3.provider.make_request("evm_setAutomine", [True])


class NoTracer(JsonRpc):
    """A node without debug_traceTransaction (method not found), otherwise the real one."""

    traced = 0

    def request(self, method: str, params: Any = ()) -> Any:
        if method == "debug_traceTransaction":
            self.traced += 1
            raise RpcResponseError(-32601, "Method not found")
        return super().request(method, params)


class DefaultTracerOnly(JsonRpc):
    """A node that refuses the callTracer as the Hardhat node 2.28 does, and traces with its default one."""

    refused = 0

    def request(self, method: str, params: Any = ()) -> Any:
        if method == "debug_traceTransaction" and "tracer" in params[1]:
            self.refused += 1
            raise RpcResponseError(
                -32602,
                "Hardhat currently only supports the default tracer, so no tracer "
                "parameter should be passed.",
            )
        return super().request(method, params)


def spend_all_then_revert(w3: Any, w3_token: Any, mint: Any, alice: Any, bob: Any, sender: TxSender) -> str:
    """One block, two transfers by alice: the first spends her 10 tokens, so the second (5 more) reverts.
    On the parent block's state she still holds 10: the second alone would have succeeded there."""
    mint(alice, 10)  # mined on its own, before
    with manual_mining(w3):
        first = sender.send(w3_token.functions.transfer(bob.address, 10), gas=100_000, wait=False)
        second = sender.send(w3_token.functions.transfer(bob.address, 5), gas=100_000, wait=False)
        w3.provider.make_request("evm_mine", [])
    mined_first = sender.wait(first.tx_hash)
    with pytest.raises(RevertedError) as info:
        sender.wait(second.tx_hash)
    receipt = sender.reader.receipt(second.tx_hash)
    assert receipt is not None and receipt["blockNumber"] == mined_first.block  # the same block
    assert info.value.tx_hash == second.tx_hash
    return str(info.value.reason)


def test_revert_reason__from_the_transactions_own_block__not_the_parent_block(
    w3, w3_token, mint, alice, bob, key_of
):
    sender = TxSender(w3, key_of(alice), retry=FAST)
    assert spend_all_then_revert(w3, w3_token, mint, alice, bob, sender) == EXCEEDS
    assert sender.reader.tracer == "callTracer"


def test_revert_reason__node_with_only_the_default_tracer__its_return_value(
    w3, rpc_url, w3_token, mint, alice, bob, key_of
):
    client = DefaultTracerOnly(rpc_url)
    reader = ChainReader(client, address=alice.address, retry=FAST)
    sender = TxSender(w3, key_of(alice), retry=FAST, reader=reader)
    assert spend_all_then_revert(w3, w3_token, mint, alice, bob, sender) == EXCEEDS
    assert reader.tracer == "default" and client.refused == 1


def test_revert_reason__node_without_the_tracer__parent_block_replay_misses_it(
    w3, rpc_url, w3_token, mint, alice, bob, key_of
):
    client = NoTracer(rpc_url)
    reader = ChainReader(client, address=alice.address, retry=FAST)
    sender = TxSender(w3, key_of(alice), retry=FAST, reader=reader)
    assert spend_all_then_revert(w3, w3_token, mint, alice, bob, sender) == "None"  # the replay succeeds
    assert reader.tracer == "none" and client.traced == 1
    reader.revert_reason("0x" + "00" * 32, {"gasUsed": 1, "blockNumber": 1})  # unknown hash: None
    assert client.traced == 1  # asked once, never again


def test_call__value_and_revert_reason(w3, w3_token, alice, bob):
    reader = ChainReader(w3, address=alice.address, retry=FAST)
    balance = w3_token.functions.balanceOf(bob.address)
    assert reader.call(balance) == balance.call()
    with pytest.raises(RevertedError) as info:
        reader.call(w3_token.functions.transfer(bob.address, 10**30))
    assert info.value.reason == EXCEEDS


def test_reads__head_block_balance_nonce_chain_id(w3, alice):
    reader = ChainReader(w3, retry=FAST)
    assert reader.chain_id == w3.eth.chain_id
    assert reader.head() == w3.eth.block_number
    assert int(reader.block()["number"], 16) == w3.eth.block_number
    assert reader.balance(alice.address) == w3.eth.get_balance(alice.address)
    assert reader.nonce(alice.address) == w3.eth.get_transaction_count(alice.address, "pending")
    with pytest.raises(ValueError, match="no address given and the reader has none"):
        reader.balance()


def test_cached_fee_sender__one_block_read_per_ttl__primed_without_a_request(w3, alice, key_of):
    sender = CachedFeeSender(w3, key_of(alice), retry=FAST, priority_fee_wei=7)
    rpc = sender.reader.rpc
    before = rpc.calls
    first = sender.fees()
    assert rpc.calls == before + 1  # the latest block
    assert sender.fees() == first and rpc.calls == before + 1  # within fee_ttl: the cached quote
    sender.prime(100)
    assert sender.fees() == {"maxFeePerGas": 207, "maxPriorityFeePerGas": 7, "_expected": 107}
    assert rpc.calls == before + 1
    sender.fee_ttl = 0.0  # expired: read again
    base = int(w3.eth.get_block("latest")["baseFeePerGas"])
    assert sender.fees() == {"maxFeePerGas": 2 * base + 7, "maxPriorityFeePerGas": 7, "_expected": base + 7}
    assert rpc.calls == before + 2
