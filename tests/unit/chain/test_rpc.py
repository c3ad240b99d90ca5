"""The lean JSON-RPC client: single and batched calls, errors in place, transport failures transient."""

from __future__ import annotations

import pytest

from agents.chain.errors import RevertedError, RpcUnavailableError, classify, is_transient
from agents.chain.rpc import JsonRpc, RpcResponseError, RpcTransportError, rpc_for
from tests.unit.chain.conftest import free_port


def test_request__answers_like_the_node(rpc_url, w3):
    rpc = JsonRpc(rpc_url)
    assert int(rpc.request("eth_chainId"), 16) == w3.eth.chain_id
    assert int(rpc.request("eth_blockNumber", []), 16) == w3.eth.block_number


def test_batch__one_round_trip_results_in_order_errors_in_place(rpc_url, w3, alice):
    rpc = JsonRpc(rpc_url)
    before = rpc.requests
    got = rpc.batch(
        [("eth_chainId", []), ("no_such_method", []), ("eth_getBalance", [alice.address, "latest"])]
    )
    assert rpc.requests == before + 1 and rpc.calls >= 3
    assert int(got[0], 16) == w3.eth.chain_id
    assert isinstance(got[1], RpcResponseError) and got[1].code != 0
    assert int(got[2], 16) == w3.eth.get_balance(alice.address)
    assert rpc.batch([]) == []


def test_revert__typed_with_the_decoded_reason(rpc_url, token, alice, bob):
    rpc = JsonRpc(rpc_url)
    from agents.chain.abi import load_abi
    from agents.chain.codec import ContractCodec

    data = ContractCodec(token.address, load_abi("AgentToken")).transfer(bob.address, 10**40).data
    with pytest.raises(RpcResponseError) as info:
        rpc.request(
            "eth_call", [{"from": alice.address, "to": token.address, "data": "0x" + data.hex()}, "latest"]
        )
    typed = classify(info.value)
    assert isinstance(typed, RevertedError) and typed.reason == "erc20: transfer amount exceeds balance"


def test_dead_endpoint__transport_error_is_transient():
    rpc = JsonRpc(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(RpcTransportError) as info:
        rpc.request("eth_blockNumber")
    assert is_transient(info.value)


def test_server_closed_keepalive__reconnects_silently(rpc_url):
    rpc = JsonRpc(rpc_url)
    rpc.request("eth_blockNumber")
    rpc._conn.sock.close()  # as if the node dropped the idle connection
    assert rpc.request("eth_blockNumber").startswith("0x")


def test_not_an_http_url__refused():
    with pytest.raises(ValueError, match="not an http"):
        JsonRpc("ws://127.0.0.1:8545")


def test_rpc_for__one_client_per_web3(w3):
    assert rpc_for(w3) is rpc_for(w3)


def test_reader_over_a_dead_endpoint__rpc_unavailable(alice):
    from web3 import Web3

    from agents.chain.errors import RetryPolicy
    from agents.chain.reader import ChainReader

    dead = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{free_port()}"))
    reader = ChainReader(dead, retry=RetryPolicy(attempts=2, base_delay=0.0), sleep=lambda s: None)
    with pytest.raises(RpcUnavailableError, match="2 attempts"):
        reader.balance(alice.address)
