"""EIP-1559 transaction signing straight on libsecp256k1 (coincurve): the agents' hot path.

    raw, tx_hash = sign_dynamic_fee(tx_fields, private_key_bytes)

eth-account's `sign_transaction` rebuilds the account from the key, validates the dict through several
layers and builds a typed-transaction object for every call: about 0.45 ms here, against about 0.1 ms
for the same bytes encoded with rlp and signed with coincurve. The output is byte-for-byte what
eth-account produces (tests/unit/chain/test_signing.py checks it on random transactions); legacy
(gas price) transactions still go through eth-account.

Encoding (EIP-1559): 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value,
data, accessList, yParity, r, s]); the signature is over keccak256(0x02 || rlp(the first nine)).
"""

from __future__ import annotations

from typing import Any

import rlp
from coincurve import PrivateKey
from eth_account import Account
from eth_utils.crypto import keccak

# The devnets' well-known test accounts (anvil's and Hardhat's default mnemonic): never real money.
TEST_MNEMONIC = "test test test test test test test test test test test junk"


def derive_key(index: int, mnemonic: str = TEST_MNEMONIC) -> str:
    """The 0x-hex private key of account `index` (BIP-44 m/44'/60'/0'/0/index) of `mnemonic`."""
    Account.enable_unaudited_hdwallet_features()
    acct = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")
    return "0x" + bytes(acct.key).hex()


def _address_bytes(to: str | bytes) -> bytes:
    if isinstance(to, bytes | bytearray):
        return bytes(to)
    return bytes.fromhex(to[2:] if to.startswith("0x") else to)


def _data_bytes(data: bytes | str) -> bytes:
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    return bytes.fromhex(data[2:] if data.startswith("0x") else data)


class DynamicFeeSigner:
    """Signs EIP-1559 transactions for one key."""

    def __init__(self, private_key: bytes) -> None:
        if len(private_key) != 32:
            raise ValueError("a private key is 32 bytes")
        self._key = PrivateKey(private_key)

    def sign(self, tx: dict[str, Any]) -> tuple[bytes, bytes]:
        """(raw transaction bytes, transaction hash) for fields chainId, nonce, maxPriorityFeePerGas,
        maxFeePerGas, gas, to, value, data (an empty access list)."""
        unsigned = [
            int(tx["chainId"]),
            int(tx["nonce"]),
            int(tx["maxPriorityFeePerGas"]),
            int(tx["maxFeePerGas"]),
            int(tx["gas"]),
            _address_bytes(tx["to"]),
            int(tx.get("value", 0)),
            _data_bytes(tx.get("data", b"")),
            [],
        ]
        digest = keccak(b"\x02" + rlp.encode(unsigned))
        sig = self._key.sign_recoverable(digest, hasher=None)  # r (32) || s (32) || recovery id (1)
        r, s, y_parity = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
        raw = b"\x02" + rlp.encode([*unsigned, y_parity, r, s])
        return raw, keccak(raw)
