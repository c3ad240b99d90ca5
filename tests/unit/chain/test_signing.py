"""The fast EIP-1559 signer produces exactly eth-account's bytes and hash, and anvil accepts them."""

from __future__ import annotations

from eth_account import Account
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.chain.signing import DynamicFeeSigner

KEYS = st.binary(min_size=32, max_size=32).filter(
    lambda b: (
        0 < int.from_bytes(b, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    )
)
U64 = st.integers(min_value=0, max_value=2**64 - 1)
U256 = st.integers(min_value=0, max_value=2**256 - 1)


@settings(max_examples=150, deadline=None)
@given(
    key=KEYS,
    chain_id=st.integers(min_value=1, max_value=2**32),
    nonce=U64,
    tip=U64,
    extra=U64,
    gas=st.integers(min_value=21_000, max_value=30_000_000),
    to=st.binary(min_size=20, max_size=20),
    value=U256,
    data=st.binary(max_size=300),
)
def test_sign__same_raw_bytes_and_hash_as_eth_account(key, chain_id, nonce, tip, extra, gas, to, value, data):
    tx = {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": tip + extra,
        "gas": gas,
        "to": to_checksum_address(to),
        "value": value,
        "data": data,
    }
    expected = Account.from_key(key).sign_transaction(dict(tx))
    raw, tx_hash = DynamicFeeSigner(key).sign(tx)
    assert raw == bytes(expected.raw_transaction)
    assert tx_hash == bytes(expected.hash)


def test_sign__recovers_to_the_signer():
    key = b"\x07" * 32
    tx = {
        "chainId": 31337,
        "nonce": 3,
        "maxPriorityFeePerGas": 10**9,
        "maxFeePerGas": 3 * 10**9,
        "gas": 50_000,
        "to": "0x" + "ab" * 20,
        "value": 5,
        "data": b"\x01\x02",
    }
    raw, _ = DynamicFeeSigner(key).sign(tx)
    assert Account.recover_transaction(raw) == Account.from_key(key).address
