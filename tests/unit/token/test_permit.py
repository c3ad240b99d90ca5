"""EIP-2612 permit signed with eth-account's EIP-712 encoding, and ERC-5267 eip712Domain."""

import ape
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.fixtures.token import EIP712_NAME, EIP712_VERSION, WEI


def permit_message(token, owner, spender, value, nonce, deadline, chain_id):
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": EIP712_NAME,
            "version": EIP712_VERSION,
            "chainId": chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": str(owner),
            "spender": str(spender),
            "value": value,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign(key, msg):
    signed = Account.sign_message(encode_typed_data(full_message=msg), key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


@pytest.fixture
def deadline(chain):
    return chain.pending_timestamp + 3600


def test_permit__valid_signature__sets_allowance_bumps_nonce_and_emits(token, chain, alice, bob, deadline):
    msg = permit_message(token, alice.address, bob.address, 5 * WEI, 0, deadline, chain.chain_id)
    v, r, s = sign(alice.private_key, msg)
    tx = token.permit(alice, bob, 5 * WEI, deadline, v, r, s, sender=bob)
    assert token.allowance(alice, bob) == 5 * WEI
    assert token.nonces(alice) == 1
    log = tx.decode_logs(token.Approval)[0]
    assert (log.owner, log.spender, log.value) == (alice.address, bob.address, 5 * WEI)


def test_permit__then_transfer_from__spends_gaslessly_approved_tokens(
    token, mint, chain, alice, bob, deadline
):
    mint(alice, 10 * WEI)
    v, r, s = sign(
        alice.private_key,
        permit_message(token, alice.address, bob.address, 4 * WEI, 0, deadline, chain.chain_id),
    )
    token.permit(alice, bob, 4 * WEI, deadline, v, r, s, sender=bob)
    token.transferFrom(alice, bob, 4 * WEI, sender=bob)
    assert token.balanceOf(bob) == 4 * WEI


def test_permit__expired_deadline__reverts(token, chain, alice, bob):
    past = chain.pending_timestamp - 1
    v, r, s = sign(
        alice.private_key, permit_message(token, alice.address, bob.address, WEI, 0, past, chain.chain_id)
    )
    with ape.reverts("erc20: expired deadline"):
        token.permit(alice, bob, WEI, past, v, r, s, sender=bob)
    assert token.allowance(alice, bob) == 0
    assert token.nonces(alice) == 0


def test_permit__replayed_signature__reverts(token, chain, alice, bob, deadline):
    v, r, s = sign(
        alice.private_key, permit_message(token, alice.address, bob.address, WEI, 0, deadline, chain.chain_id)
    )
    token.permit(alice, bob, WEI, deadline, v, r, s, sender=bob)
    token.approve(bob, 0, sender=alice)
    with ape.reverts("erc20: invalid signature"):
        token.permit(alice, bob, WEI, deadline, v, r, s, sender=bob)
    assert token.allowance(alice, bob) == 0


def test_permit__signed_by_someone_else__reverts(token, chain, alice, bob, eve, deadline):
    v, r, s = sign(
        eve.private_key, permit_message(token, alice.address, eve.address, WEI, 0, deadline, chain.chain_id)
    )
    with ape.reverts("erc20: invalid signature"):
        token.permit(alice, eve, WEI, deadline, v, r, s, sender=eve)
    assert token.allowance(alice, eve) == 0


def test_permit__signed_for_another_chain__reverts(token, chain, alice, bob, deadline):
    v, r, s = sign(
        alice.private_key,
        permit_message(token, alice.address, bob.address, WEI, 0, deadline, chain.chain_id + 1),
    )
    with ape.reverts("erc20: invalid signature"):
        token.permit(alice, bob, WEI, deadline, v, r, s, sender=bob)


def test_permit__value_changed_after_signing__reverts(token, chain, alice, bob, deadline):
    v, r, s = sign(
        alice.private_key, permit_message(token, alice.address, bob.address, WEI, 0, deadline, chain.chain_id)
    )
    with ape.reverts("erc20: invalid signature"):
        token.permit(alice, bob, 2 * WEI, deadline, v, r, s, sender=bob)


def test_eip712_domain__reports_erc5267_fields(token, chain):
    fields, name, version, chain_id, verifying, salt, extensions = token.eip712Domain()
    assert fields == b"\x0f"
    assert (name, version, chain_id, verifying) == (
        EIP712_NAME,
        EIP712_VERSION,
        chain.chain_id,
        token.address,
    )
    assert salt == b"\x00" * 32
    assert list(extensions) == []


def test_domain_separator__matches_eth_account_encoding(token, chain, alice, bob):
    # The signable message's header is the domain separator eth-account computed.
    msg = permit_message(token, alice.address, bob.address, 0, 0, 0, chain.chain_id)
    assert token.DOMAIN_SEPARATOR() == encode_typed_data(full_message=msg).header
