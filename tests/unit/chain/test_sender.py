"""TxSender against a real anvil: nonces, fees, gas budget, retries and typed errors."""

import pytest
from eth_account import Account
from web3 import Web3

from agents.chain.errors import (
    GasBudgetExceededError,
    InsufficientFundsError,
    NonceError,
    RetryPolicy,
    RevertedError,
    RpcUnavailableError,
    decode_revert,
)
from agents.chain.sender import TxSender
from agents.chain.types import TxOutcome

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


@pytest.fixture
def alice_sender(w3, alice, key_of):
    return TxSender(w3, key_of(alice), retry=FAST)


def test_send__transfer_succeeds_and_balances_move(alice_sender, w3_token, mint, alice, bob):
    mint(alice, 1000)
    before = w3_token.functions.balanceOf(bob.address).call()
    result = alice_sender.send(w3_token.functions.transfer(bob.address, 300))
    assert w3_token.functions.balanceOf(bob.address).call() == before + 300
    assert w3_token.functions.balanceOf(alice.address).call() == 700
    assert (
        result.gas_used > 21_000 and result.fee_wei == result.gas_used * result.receipt["effectiveGasPrice"]
    )
    assert alice_sender.gas_spent_wei == result.fee_wei


def test_send__uses_eip1559_on_anvil(alice_sender, w3, w3_token, mint, alice, bob):
    mint(alice, 10)
    result = alice_sender.send(w3_token.functions.transfer(bob.address, 1))
    assert w3.eth.get_transaction(result.tx_hash)["type"] == 2


def test_send__sequential_nonces_without_rereading(alice_sender, w3, w3_token, mint, alice, bob):
    mint(alice, 10)
    start = w3.eth.get_transaction_count(alice.address)
    nonces = [alice_sender.send(w3_token.functions.transfer(bob.address, 1)).nonce for _ in range(4)]
    assert nonces == list(range(start, start + 4))
    assert w3.eth.get_transaction_count(alice.address) == start + 4


def test_send__exceeding_balance__reverted_with_snekmate_reason(alice_sender, w3_token, mint, alice, bob):
    mint(alice, 10)
    with pytest.raises(RevertedError) as info:
        alice_sender.send(w3_token.functions.transfer(bob.address, 11))
    assert info.value.reason == "erc20: transfer amount exceeds balance"
    assert info.value.tx_hash is None  # refused at estimation: nothing was sent


def test_send__reverts_when_mined__reason_recovered_and_fee_counted(
    alice_sender, w3, w3_token, mint, alice, bob
):
    mint(alice, 10)
    start = w3.eth.get_transaction_count(alice.address)
    with pytest.raises(RevertedError) as info:
        alice_sender.send(w3_token.functions.transfer(bob.address, 11), gas=100_000)  # skips estimation
    assert info.value.reason == "erc20: transfer amount exceeds balance"
    assert info.value.tx_hash is not None
    assert w3.eth.get_transaction_count(alice.address) == start + 1  # the nonce was consumed
    assert alice_sender.gas_spent_wei > 0
    assert alice_sender.reader.tx_outcome(info.value.tx_hash) is TxOutcome.REVERTED


def test_send__custom_contract_reason(w3, w3_token, key_of, bob):
    # AgentToken's own reason string: minting by a non-minter.
    sender = TxSender(w3, key_of(bob), retry=FAST)
    with pytest.raises(RevertedError) as info:
        sender.send(w3_token.functions.mint(bob.address, 1))
    assert info.value.reason == "AgentToken: caller is not a minter"


def test_send__no_ether__insufficient_funds(w3, alice):
    poor = TxSender(w3, Account.create().key, retry=FAST)
    with pytest.raises(InsufficientFundsError):
        poor.send(to=alice.address, value=1)
    assert poor.sent_count == 0


def test_send__gas_budget_spent__refused_before_signing(w3, alice, bob, key_of):
    sender = TxSender(w3, key_of(alice), retry=FAST, gas_budget_wei=10**18)
    first = sender.send(to=bob.address, value=1)
    sender.gas_budget_wei = sender.gas_spent_wei + first.fee_wei // 2  # less than another transfer costs
    nonce = w3.eth.get_transaction_count(alice.address)
    with pytest.raises(GasBudgetExceededError) as info:
        sender.send(to=bob.address, value=1)
    assert info.value.remaining == first.fee_wei // 2
    assert w3.eth.get_transaction_count(alice.address) == nonce  # nothing sent


def test_send__zero_budget__refused(w3, alice, bob, key_of):
    sender = TxSender(w3, key_of(alice), retry=FAST, gas_budget_wei=0)
    with pytest.raises(GasBudgetExceededError):
        sender.send(to=bob.address, value=1)


def test_nonce__recovered_after_external_tx_from_same_key(alice_sender, w3, alice, bob, key_of):
    alice_sender.send(to=bob.address, value=1)
    stale = alice_sender.next_nonce
    # Another process (here: ape) sends from the same key behind the sender's back.
    alice.transfer(bob, 1)
    assert w3.eth.get_transaction_count(alice.address) == stale + 1
    result = alice_sender.send(to=bob.address, value=1)
    assert result.nonce == stale + 1
    assert alice_sender.next_nonce == stale + 2


def test_nonce__hint_ignored_in_favour_of_chain(w3, alice, bob, key_of):
    chain_nonce = w3.eth.get_transaction_count(alice.address, "pending")
    seen = []
    sender = TxSender(w3, key_of(alice), retry=FAST, nonce_hint=chain_nonce + 50, on_nonce=seen.append)
    assert sender.send(to=bob.address, value=1).nonce == chain_nonce
    assert seen == [chain_nonce]


def test_nonce__persistent_refusal__nonce_error(w3, alice, bob, key_of, monkeypatch):
    sender = TxSender(w3, key_of(alice), retry=FAST)
    monkeypatch.setattr(sender, "chain_nonce", lambda: 0)  # a node that keeps reporting a used nonce
    sender._next_nonce = 0
    alice.transfer(bob, 1)  # make sure nonce 0 is used
    with pytest.raises(NonceError):
        sender.send(to=bob.address, value=1, nonce_retries=1)


def test_on_signed__called_before_broadcast_with_hash_and_nonce(alice_sender, w3, bob):
    seen = []

    def journal(signed):
        seen.append((signed.tx_hash, signed.nonce, w3.eth.get_transaction_count(alice_sender.address)))

    result = alice_sender.send(to=bob.address, value=1, on_signed=journal)
    assert seen == [(result.tx_hash, result.nonce, result.nonce)]  # the chain had not seen it yet


def test_send__no_wait_then_wait(alice_sender, bob):
    signed = alice_sender.send(to=bob.address, value=1, wait=False)
    assert alice_sender.reader.tx_outcome(signed.tx_hash) in (TxOutcome.SUCCEEDED, TxOutcome.PENDING)
    assert alice_sender.wait(signed.tx_hash).tx_hash == signed.tx_hash


def test_tx_outcome__unknown_hash(alice_sender):
    assert alice_sender.reader.tx_outcome("0x" + "12" * 32) is TxOutcome.UNKNOWN


def test_rpc_down__bounded_retries_then_rpc_unavailable(alice, bob, key_of):
    from tests.unit.chain.conftest import free_port

    dead = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{free_port()}", exception_retry_configuration=None))
    slept = []
    sender = TxSender(dead, key_of(alice), retry=RetryPolicy(attempts=4, base_delay=0.01), sleep=slept.append)
    with pytest.raises(RpcUnavailableError):
        sender.send(to=bob.address, value=1)
    assert len(slept) == 3  # attempts - 1 backoffs, growing
    assert slept[0] < slept[1] < slept[2]


def test_rpc_dropped_then_back__send_succeeds(late_proxy, w3, alice, bob, key_of):
    proxy = late_proxy(delay=0.6)
    flaky = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{proxy.port}", exception_retry_configuration=None))
    sender = TxSender(flaky, key_of(alice), retry=RetryPolicy(attempts=8, base_delay=0.05, max_delay=0.5))
    before = w3.eth.get_balance(bob.address)
    result = sender.send(to=bob.address, value=12345)
    assert w3.eth.get_balance(bob.address) == before + 12345
    assert result.block > 0


def test_call__read_and_revert_reason(alice_sender, w3_token, mint, alice, bob):
    mint(alice, 777)  # alice starts with no AGENT: the read must see exactly this
    assert alice_sender.reader.call(w3_token.functions.balanceOf(alice.address)) == 777
    with pytest.raises(RevertedError) as info:
        alice_sender.reader.call(w3_token.functions.transfer(bob.address, 10**30))
    assert info.value.reason == "erc20: transfer amount exceeds balance"


@pytest.mark.parametrize(
    "data,reason",
    [
        ("0x08c379a0" + "0" * 62 + "20" + "0" * 62 + "0b" + b"hello world".hex() + "00" * 21, "hello world"),
        ("0x4e487b71" + "0" * 62 + "11", "Panic(0x11)"),
        ("0x", None),
        ("0xdeadbeef", None),
        ("0x08c379a0ff", None),
        (None, None),
    ],
)
def test_decode_revert(data, reason):
    assert decode_revert(data) == reason
