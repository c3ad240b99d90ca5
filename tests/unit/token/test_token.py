"""AgentToken: ERC-20 behaviour, events, zero-address rules, cap and minting rights, ownership."""

import ape
import pytest

from tests.fixtures.token import TOKEN_CAP, WEI

ZERO = "0x0000000000000000000000000000000000000000"
MAX_UINT = 2**256 - 1


def test_metadata__matches_constructor(token):
    assert token.name() == "Emergent Agent Token"
    assert token.symbol() == "AGENT"
    assert token.decimals() == 18
    assert token.cap() == TOKEN_CAP
    assert token.totalSupply() == 0
    assert token.remainingMintable() == TOKEN_CAP


def test_deploy__zero_cap__reverts(project, deployer):
    with ape.reverts("AgentToken: cap is zero"):
        project.AgentToken.deploy("T", "T", 0, "T", "1", sender=deployer)


def test_deployer__is_owner_and_minter(token, deployer):
    assert token.owner() == deployer
    assert token.is_minter(deployer)


# --- transfers ---------------------------------------------------------------------------------


def test_transfer__moves_balance_and_emits_transfer(token, mint, alice, bob):
    mint(alice, 100 * WEI)
    tx = token.transfer(bob, 30 * WEI, sender=alice)
    assert token.balanceOf(alice) == 70 * WEI
    assert token.balanceOf(bob) == 30 * WEI
    assert token.totalSupply() == 100 * WEI
    logs = tx.decode_logs(token.Transfer)
    assert len(logs) == 1
    assert (logs[0].sender, logs[0].receiver, logs[0].value) == (alice.address, bob.address, 30 * WEI)


def test_transfer__more_than_balance__reverts_and_changes_nothing(token, mint, alice, bob):
    mint(alice, 10 * WEI)
    with ape.reverts("erc20: transfer amount exceeds balance"):
        token.transfer(bob, 10 * WEI + 1, sender=alice)
    assert token.balanceOf(alice) == 10 * WEI
    assert token.balanceOf(bob) == 0


def test_transfer__to_zero_address__reverts(token, mint, alice):
    mint(alice, 10 * WEI)
    with ape.reverts("erc20: transfer to the zero address"):
        token.transfer(ZERO, 1, sender=alice)


def test_transfer__to_self__keeps_balance(token, mint, alice):
    mint(alice, 10 * WEI)
    token.transfer(alice, 4 * WEI, sender=alice)
    assert token.balanceOf(alice) == 10 * WEI


def test_transfer__zero_amount__succeeds_and_emits(token, alice, bob):
    tx = token.transfer(bob, 0, sender=alice)
    assert len(tx.decode_logs(token.Transfer)) == 1


# --- allowances --------------------------------------------------------------------------------


def test_approve__sets_allowance_and_emits_approval(token, alice, bob):
    tx = token.approve(bob, 50 * WEI, sender=alice)
    assert token.allowance(alice, bob) == 50 * WEI
    log = tx.decode_logs(token.Approval)[0]
    assert (log.owner, log.spender, log.value) == (alice.address, bob.address, 50 * WEI)


def test_approve__zero_spender__reverts(token, alice):
    with ape.reverts("erc20: approve to the zero address"):
        token.approve(ZERO, 1, sender=alice)


def test_transfer_from__spends_allowance(token, mint, alice, bob, carol):
    mint(alice, 100 * WEI)
    token.approve(bob, 60 * WEI, sender=alice)
    token.transferFrom(alice, carol, 45 * WEI, sender=bob)
    assert token.allowance(alice, bob) == 15 * WEI
    assert token.balanceOf(carol) == 45 * WEI
    assert token.balanceOf(alice) == 55 * WEI


def test_transfer_from__beyond_allowance__reverts(token, mint, alice, bob, carol):
    mint(alice, 100 * WEI)
    token.approve(bob, 10 * WEI, sender=alice)
    with ape.reverts("erc20: insufficient allowance"):
        token.transferFrom(alice, carol, 10 * WEI + 1, sender=bob)
    assert token.allowance(alice, bob) == 10 * WEI


def test_transfer_from__infinite_allowance__is_never_decreased(token, mint, alice, bob, carol):
    mint(alice, 100 * WEI)
    token.approve(bob, MAX_UINT, sender=alice)
    tx = token.transferFrom(alice, carol, 70 * WEI, sender=bob)
    assert token.allowance(alice, bob) == MAX_UINT
    # No Approval event is emitted when the infinite allowance is not touched.
    assert tx.decode_logs(token.Approval) == []


def test_transfer_from__without_allowance__reverts(token, mint, alice, eve):
    mint(alice, 100 * WEI)
    with ape.reverts("erc20: insufficient allowance"):
        token.transferFrom(alice, eve, 1, sender=eve)


# --- minting, cap, burning ---------------------------------------------------------------------


def test_mint__by_minter__creates_supply_and_emits(token, deployer, alice):
    tx = token.mint(alice, 7 * WEI, sender=deployer)
    assert token.totalSupply() == 7 * WEI
    log = tx.decode_logs(token.Transfer)[0]
    assert (log.sender, log.receiver, log.value) == (ZERO, alice.address, 7 * WEI)


def test_mint__by_non_minter__reverts(token, eve):
    with ape.reverts("AgentToken: caller is not a minter"):
        token.mint(eve, WEI, sender=eve)
    assert token.totalSupply() == 0


def test_mint__exactly_to_cap__succeeds_then_one_more_wei_reverts(token, mint, alice):
    mint(alice, TOKEN_CAP)
    assert token.totalSupply() == TOKEN_CAP
    assert token.remainingMintable() == 0
    with ape.reverts("AgentToken: cap exceeded"):
        mint(alice, 1)


def test_mint__over_cap_in_one_call__reverts(token, mint, alice):
    with ape.reverts("AgentToken: cap exceeded"):
        mint(alice, TOKEN_CAP + 1)


def test_mint__burned_tokens_free_room_under_cap(token, mint, alice):
    mint(alice, TOKEN_CAP)
    token.burn(5 * WEI, sender=alice)
    mint(alice, 5 * WEI)
    assert token.totalSupply() == TOKEN_CAP


def test_mint__to_zero_address__reverts(token, deployer):
    with ape.reverts("erc20: mint to the zero address"):
        token.mint(ZERO, 1, sender=deployer)


def test_set_minter__owner_grants_minting_and_emits(token, deployer, alice, bob):
    tx = token.set_minter(alice, True, sender=deployer)
    log = tx.decode_logs(token.RoleMinterChanged)[0]
    assert (log.minter, log.status) == (alice.address, True)
    token.mint(bob, WEI, sender=alice)
    token.set_minter(alice, False, sender=deployer)
    with ape.reverts("AgentToken: caller is not a minter"):
        token.mint(bob, WEI, sender=alice)


def test_set_minter__by_non_owner__reverts(token, eve):
    with ape.reverts("ownable: caller is not the owner"):
        token.set_minter(eve, True, sender=eve)


def test_burn__holder_destroys_and_supply_falls(token, mint, alice):
    mint(alice, 10 * WEI)
    tx = token.burn(4 * WEI, sender=alice)
    assert token.balanceOf(alice) == 6 * WEI
    assert token.totalSupply() == 6 * WEI
    log = tx.decode_logs(token.Transfer)[0]
    assert (log.sender, log.receiver, log.value) == (alice.address, ZERO, 4 * WEI)


def test_burn__more_than_balance__reverts(token, mint, alice):
    mint(alice, WEI)
    with ape.reverts("erc20: burn amount exceeds balance"):
        token.burn(WEI + 1, sender=alice)


def test_burn_from__needs_allowance(token, mint, alice, bob):
    mint(alice, 10 * WEI)
    with ape.reverts("erc20: insufficient allowance"):
        token.burn_from(alice, WEI, sender=bob)
    token.approve(bob, 3 * WEI, sender=alice)
    token.burn_from(alice, 3 * WEI, sender=bob)
    assert token.balanceOf(alice) == 7 * WEI


# --- ownership hand-over (what the governance deploy does) -------------------------------------


def test_transfer_ownership__moves_minting_rights_to_new_owner(token, deployer, alice, bob):
    tx = token.transfer_ownership(alice, sender=deployer)
    assert token.owner() == alice
    assert token.is_minter(alice)
    assert not token.is_minter(deployer)
    assert len(tx.decode_logs(token.OwnershipTransferred)) == 1
    with ape.reverts("AgentToken: caller is not a minter"):
        token.mint(bob, 1, sender=deployer)
    token.mint(bob, 1, sender=alice)


def test_transfer_ownership__by_non_owner__reverts(token, eve):
    with ape.reverts("ownable: caller is not the owner"):
        token.transfer_ownership(eve, sender=eve)


def test_transfer_ownership__to_zero__reverts(token, deployer):
    with ape.reverts("erc20: new owner is the zero address"):
        token.transfer_ownership(ZERO, sender=deployer)


def test_renounce_ownership__leaves_no_owner_and_no_minter(token, deployer):
    token.renounce_ownership(sender=deployer)
    assert token.owner() == ZERO
    assert not token.is_minter(deployer)
    with ape.reverts("AgentToken: caller is not a minter"):
        token.mint(deployer, 1, sender=deployer)


@pytest.mark.parametrize("fn", ["mint"])
def test_erc20_module_mint__is_not_exported_without_cap(token, fn):
    # Exactly one mint entry point exists and it is AgentToken's capped one.
    abis = [a for a in token.contract_type.abi if getattr(a, "name", None) == fn]
    assert len(abis) == 1
