import ape

from tests.fixtures.token import TOKEN_CAP, WEI


def test_metadata__matches_constructor(token):
    assert token.name() == "Emergent Agent Token"
    assert token.symbol() == "AGENT"
    assert token.decimals() == 18
    assert token.cap() == TOKEN_CAP
    assert token.totalSupply() == 0


def test_mint__beyond_cap__reverts(token, mint, alice):
    mint(alice, TOKEN_CAP - WEI)
    with ape.reverts("AgentToken: cap exceeded"):
        mint(alice, 2 * WEI)
