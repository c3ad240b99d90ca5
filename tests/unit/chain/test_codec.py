"""Calls encoded straight from the ABI (agents.chain.codec) match web3's encoding and decoding exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.chain.abi import load_abi
from agents.chain.codec import CodecError, ContractCodec, EventCodec
from agents.chain.indexer import EventIndexer
from agents.chain.reader import ChainReader

ADDR = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
UINT = st.integers(min_value=0, max_value=2**256 - 1)


@pytest.fixture(scope="session")  # session: ape's isolation wants wider scopes set up first
def abis():
    return {
        n: load_abi(n)
        for n in ("AgentToken", "ServiceEscrow", "AgentRegistry", "Staking", "Reputation", "Governor")
    }


def _web3_data(w3, address, abi, name, args):
    return w3.eth.contract(address=address, abi=abi).functions[name](*args)._encode_transaction_data()


def test_encode__every_call_the_executor_sends__same_bytes_as_web3(w3, abis):
    addr = "0x" + "12" * 20
    me = w3.to_checksum_address("0x" + "ab" * 20)
    cases = [
        ("AgentToken", "approve", (me, 2**256 - 1)),
        ("AgentRegistry", "register", (me, "ipfs://agent", [("factor", 10**18), ("sort", 2 * 10**18)])),
        ("Staking", "stake", (10**21,)),
        ("AgentRegistry", "setServices", (3, [("factor", 3 * 10**18)])),
        ("ServiceEscrow", "createJob", (me, me, 1_700_000_000, 'em1:{"s":"factor"}', "0x" + "00" * 20)),
        ("ServiceEscrow", "setBudget", (7, 5 * 10**18, b"")),
        ("ServiceEscrow", "fund", (7, 5 * 10**18, b"")),
        ("ServiceEscrow", "submit", (7, b"\x11" * 32, b"")),
        ("ServiceEscrow", "complete", (7, b"\x00" * 32, b"")),
        ("ServiceEscrow", "rule", (7, True)),
        ("Reputation", "giveFeedback", (7, 5)),
        ("Governor", "castVoteWithReason", (2**200, 1, "value alignment")),
        ("Governor", "propose", ([me], [0], [b"\x01\x02\x03"], "lower the fee")),
        ("Governor", "queue", ([me], [0], [b"\x01\x02\x03"], b"\x22" * 32)),
    ]
    for contract, fn, args in cases:
        codec = ContractCodec(addr, abis[contract])
        call = getattr(codec, fn)(*args)
        assert "0x" + call.data.hex() == _web3_data(
            w3, w3.to_checksum_address(addr), abis[contract], fn, args
        ), fn
        assert call.to == w3.to_checksum_address(addr)


@settings(max_examples=60, deadline=None)
@given(to=ADDR, amount=UINT)
def test_encode__any_transfer__same_bytes_as_web3(w3, abis, to, amount):
    codec = ContractCodec("0x" + "34" * 20, abis["AgentToken"])
    args = (w3.to_checksum_address(to), amount)
    expected = _web3_data(w3, codec.address, abis["AgentToken"], "transfer", args)
    assert "0x" + codec.transfer(*args).data.hex() == expected


def test_encode__wrong_arity_or_value__codec_error(abis):
    codec = ContractCodec("0x" + "34" * 20, abis["AgentToken"])
    with pytest.raises(CodecError, match="transfer"):
        codec.transfer("0x" + "00" * 20)
    with pytest.raises(CodecError, match="transfer"):
        codec.transfer("0x" + "00" * 20, -1)
    with pytest.raises(AttributeError, match="noSuchFunction"):
        codec.noSuchFunction()


def test_call__decodes_like_web3__struct_and_checksummed_addresses(
    w3, escrow, create_funded_job, alice, bob, key_of
):
    job_id = create_funded_job(alice, bob)
    reader = ChainReader(w3, address=alice.address)
    codec = ContractCodec(escrow.address, load_abi("ServiceEscrow"))
    web3_job = (
        w3.eth.contract(address=escrow.address, abi=load_abi("ServiceEscrow")).functions.getJob(job_id).call()
    )
    fast_job = reader.call(codec.getJob(job_id))
    assert tuple(fast_job) == tuple(web3_job)
    assert fast_job[0] == alice.address and fast_job[1] == bob.address  # checksummed, as web3 returns them
    assert reader.call(codec.descriptionOf(job_id)) == "job"


def test_call_many__one_round_trip__a_revert_in_place(w3, token, alice, bob):
    reader = ChainReader(w3, address=alice.address)
    tok = ContractCodec(token.address, load_abi("AgentToken"))
    before = reader.rpc.requests
    got = reader.call_many([tok.symbol(), tok.balanceOf(alice.address), tok.transfer(bob.address, 10**40)])
    assert reader.rpc.requests == before + 1
    assert got[0] == "AGENT" and got[1] == token.balanceOf(alice)
    assert got[2].reason == "erc20: transfer amount exceeds balance"


def test_event_codec__same_args_as_web3_for_every_escrow_event(w3, escrow, create_submitted_job, alice, bob):
    """Every log of a job's life decodes to what web3's event processing gives (bytes as 0x-hex)."""
    from web3._utils.events import get_event_data

    start = w3.eth.block_number
    create_submitted_job(alice, bob)
    abi = load_abi("ServiceEscrow")
    codecs = {c.topic: (c, item) for item in abi if item.get("type") == "event" for c in [EventCodec(item)]}
    logs = w3.eth.get_logs({"fromBlock": start + 1, "toBlock": "latest", "address": escrow.address})
    assert len(logs) >= 4
    for raw in logs:
        codec, item = codecs[bytes(raw["topics"][0])]
        expected = get_event_data(w3.codec, item, raw)["args"]
        got = codec.decode(raw["topics"], raw["data"])
        assert set(got) == set(expected)
        for k, v in expected.items():
            assert got[k] == ("0x" + bytes(v).hex() if isinstance(v, bytes) else v), (codec.name, k)


def test_indexer__decodes_json_rpc_and_web3_logs_alike(w3, token, mint, alice, bob):
    mint(alice, 5)
    token.transfer(bob, 1, sender=alice)
    block = w3.eth.block_number
    ix = EventIndexer(w3, {"AgentToken": (token.address, load_abi("AgentToken"))}, start_block=block)
    web3_log = w3.eth.get_logs({"fromBlock": block, "toBlock": block, "address": token.address})[0]
    raw_log = ix.rpc.request(
        "eth_getLogs", [{"fromBlock": hex(block), "toBlock": hex(block), "address": token.address}]
    )[0]
    a, b = ix.decode(web3_log), ix.decode(raw_log)
    assert a == b and a.name == "Transfer" and a.args["value"] == 1 and a.args["receiver"] == bob.address
