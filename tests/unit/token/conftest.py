"""Token unit tests get a fresh AgentToken per test: the session-wide `token` is shared with the
marketplace fixtures, which mint into it, and these tests assert exact supplies."""

import pytest


@pytest.fixture
def token(create_token):
    return create_token()


@pytest.fixture
def mint(token, deployer):
    def _mint(who, amount: int):
        return token.mint(who, amount, sender=deployer)

    return _mint
