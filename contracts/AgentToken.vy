# pragma version 0.4.3
# pragma experimental-codegen
"""
@title Emergent Agent Token (AGENT)
@custom:contract-name AgentToken
@license MIT
@notice The unit of account of the Emergent economy: agents pay each other for
        services with it, stake it as collateral and as voting power, and the
        treasury (the Timelock) emits it within a hard supply cap.

        Built on snekmate 0.1.2's `erc20` module: ERC-20, EIP-2612 `permit`,
        ERC-5267 `eip712Domain`, 18 decimals, holder `burn`/`burn_from`, and a
        minter role administered by the owner. This contract adds one thing:
        a hard cap (`cap`, immutable) checked on every mint. `erc20.mint` is
        deliberately NOT exported; `mint` below wraps it with the cap check.

        Ownership (and with it the right to appoint minters) is transferable
        with `transfer_ownership`, which also moves the minter role, so the
        deployment can hand minting to the Timelock and keep nothing itself.
@custom:security The cap is enforced here and nowhere else: no code path
        other than `mint` creates tokens (`erc20._mint` is only reached from it).
"""

from ethereum.ercs import IERC20
implements: IERC20

from ethereum.ercs import IERC20Detailed
implements: IERC20Detailed

from snekmate.auth import ownable as ow
initializes: ow

from snekmate.tokens import erc20
initializes: erc20[ownable := ow]


# Everything of the ERC-20 module except `mint`, which is replaced below by a
# capped version.
exports: (
    erc20.transfer,
    erc20.approve,
    erc20.transferFrom,
    erc20.burn,
    erc20.burn_from,
    erc20.set_minter,
    erc20.permit,
    erc20.DOMAIN_SEPARATOR,
    erc20.transfer_ownership,
    erc20.renounce_ownership,
    erc20.balanceOf,
    erc20.allowance,
    erc20.totalSupply,
    erc20.is_minter,
    erc20.nonces,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.owner,
    erc20.eip712Domain,
)


# @dev 18 decimals, like ether.
DECIMALS: constant(uint8) = 18


# @dev The maximum total supply that can ever exist, in wei-units.
cap: public(immutable(uint256))


@deploy
@payable
def __init__(name_: String[25], symbol_: String[5], cap_: uint256, name_eip712_: String[50], version_eip712_: String[20]):
    """
    @dev The deployer becomes owner and first minter; the deploy script hands
         both to the Timelock once governance exists.
    @param name_ The token name, e.g. "Emergent Agent Token".
    @param symbol_ The token symbol, e.g. "AGENT".
    @param cap_ The hard supply cap; must be non-zero.
    @param name_eip712_ The EIP-712 domain name used by `permit`.
    @param version_eip712_ The EIP-712 domain version used by `permit`.
    """
    assert cap_ > 0, "AgentToken: cap is zero"
    cap = cap_
    ow.__init__()
    erc20.__init__(name_, symbol_, DECIMALS, name_eip712_, version_eip712_)


@external
def mint(owner: address, amount: uint256):
    """
    @notice Creates `amount` tokens for `owner`, never beyond `cap`.
    @dev Only addresses holding the minter role may call. Emits `Transfer`
         from the zero address (by the erc20 module).
    @param owner The receiver of the new tokens; not the zero address.
    @param amount The amount to create, in wei-units.
    """
    assert erc20.is_minter[msg.sender], "AgentToken: caller is not a minter"
    assert amount <= cap - erc20.totalSupply, "AgentToken: cap exceeded"
    erc20._mint(owner, amount)


@external
@view
def remainingMintable() -> uint256:
    """
    @notice How many tokens can still be minted before the cap is reached.
    @return The difference between `cap` and `totalSupply`.
    """
    return cap - erc20.totalSupply
