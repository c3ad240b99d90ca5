"""Gas per public AgentToken function, on a fresh deployment."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data

WEI = 10**18


def _permit_signature(
    token: Any, owner: Any, spender: str, value: int, deadline: int, chain_id: int
) -> tuple[int, bytes, bytes]:
    domain_name = token.eip712Domain()[1]
    domain_version = token.eip712Domain()[2]
    msg = {
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
            "name": domain_name,
            "version": domain_version,
            "chainId": chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender,
            "value": value,
            "nonce": token.nonces(owner.address),
            "deadline": deadline,
        },
    }
    signed = Account.sign_message(encode_typed_data(full_message=msg), owner.private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def measure(c: dict[str, Any], accounts: list[Any]) -> list[tuple[str, str, int]]:
    from ape import chain, project

    token = c["AgentToken"]
    a, b, spender = accounts[1], accounts[2], accounts[8]
    # Deterministic addresses that have never held tokens (every test account was funded at deploy).
    fresh = Account.from_key(b"\x01" * 32)
    fresh_mint = Account.from_key(b"\x02" * 32)
    rows: list[tuple[str, str, int]] = []

    def row(op: str, receipt: Any) -> None:
        rows.append(("AgentToken", op, receipt.gas_used))

    # A recipient that has never held tokens pays the zero -> non-zero storage write.
    row("transfer (to a new holder)", token.transfer(fresh.address, WEI, sender=a))
    row("transfer (to an existing holder)", token.transfer(b.address, WEI, sender=a))
    row("approve", token.approve(spender.address, 10 * WEI, sender=a))
    row("transferFrom (finite allowance)", token.transferFrom(a.address, b.address, WEI, sender=spender))
    deadline = 2**40  # fixed, so the signature (and its calldata gas) is the same every run
    v, r, s = _permit_signature(token, b, spender.address, 5 * WEI, deadline, chain.chain_id)
    row("permit", token.permit(b.address, spender.address, 5 * WEI, deadline, v, r, s, sender=spender))
    row("burn", token.burn(WEI, sender=a))
    # Minting belongs to the Timelock after deployment; the same bytecode deployed fresh measures it.
    minted = project.AgentToken.deploy("Gas Probe", "GAS", 10**9 * WEI, "Gas Probe", "1", sender=accounts[0])
    row("mint (to a new holder)", minted.mint(fresh_mint.address, WEI, sender=accounts[0]))
    row("mint (to an existing holder)", minted.mint(fresh_mint.address, WEI, sender=accounts[0]))
    return rows
