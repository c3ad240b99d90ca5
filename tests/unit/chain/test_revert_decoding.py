"""Revert reasons decoded from each node's error shape: anvil/geth put the revert bytes in `error.data`,
the Hardhat node nests them (`error.data.data`) and words its message differently."""

from __future__ import annotations

from eth_abi import encode

from agents.chain.errors import ERROR_SELECTOR, RevertedError, classify
from agents.chain.rpc import RpcResponseError

REASON = "ServiceEscrow: not enough gas"
DATA = "0x" + (ERROR_SELECTOR + encode(["string"], [REASON])).hex()


def test_anvil_shape__reason_from_the_data():
    exc = RpcResponseError(3, f"execution reverted: {REASON}", DATA)
    typed = classify(exc)
    assert isinstance(typed, RevertedError) and typed.reason == REASON


def test_hardhat_shape__reason_from_the_nested_data():
    message = f"Error: VM Exception while processing transaction: reverted with reason string '{REASON}'"
    exc = RpcResponseError(-32603, message, {"message": message, "data": DATA})
    typed = classify(exc)
    assert isinstance(typed, RevertedError) and typed.reason == REASON
    assert typed.data.hex() == DATA[2:]


def test_hardhat_shape__reason_from_the_message_when_no_data():
    message = f"Error: VM Exception while processing transaction: reverted with reason string '{REASON}'"
    typed = classify(RpcResponseError(-32603, message, {"message": message}))
    assert isinstance(typed, RevertedError) and typed.reason == REASON


def test_revert_without_reason__none_not_a_crash():
    typed = classify(
        RpcResponseError(-32603, "Error: Transaction reverted without a reason", {"message": "x"})
    )
    assert isinstance(typed, RevertedError) and typed.reason is None
