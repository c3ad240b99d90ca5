"""Top-level fixtures: named actors and the token. Area fixtures live in tests/fixtures/<area>.py."""

import os

# Tests always get their own anvil on a free port, never a devnet a user left running on 8545
# (ape-foundry would otherwise connect to it and the tests would write to the user's chain).
os.environ["APE_FOUNDRY_HOST"] = "auto"

pytest_plugins = [
    "tests.fixtures.actors",
    "tests.fixtures.token",
    "tests.fixtures.market",
    "tests.fixtures.governance",
]
