"""Top-level fixtures: named actors and the token. Area fixtures live in tests/fixtures/<area>.py."""

import pytest

pytest_plugins = [
    "tests.fixtures.actors",
    "tests.fixtures.token",
    "tests.fixtures.market",
    "tests.fixtures.governance",
]
