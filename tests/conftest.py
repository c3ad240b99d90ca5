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


# ------------------------------------------------------------------ contract tests in-process
# The contract tests (the areas below) run in-process on titanoboa's EVM (`make test`: --network
# ethereum:local:boa), the rest on anvil; a contract test that needs a node's RPC is marked `node`.
EVM_AREAS = frozenset(
    {
        "unit/token",
        "unit/escrow",
        "unit/staking",
        "unit/reputation",
        "unit/governor",
        "unit/deploy",
        "unit/registry",
        "attacks",
    }
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _area(item.nodeid) in EVM_AREAS:
            item.add_marker("evm")


# ------------------------------------------------------------------ time per test area
# `make test` prints where its minutes go: setup + call + teardown of every test, summed by area
# (tests/unit/<area>, tests/e2e, tests/stateful, tests/attacks).
_AREA_SECONDS: dict[str, float] = {}
_AREA_TESTS: dict[str, int] = {}


def _area(nodeid: str) -> str:
    parts = nodeid.split("::", 1)[0].split("/")
    return (
        "/".join(parts[1:3])
        if len(parts) > 3 and parts[1] == "unit"
        else parts[1]
        if len(parts) > 2
        else parts[0]
    )


def pytest_runtest_logreport(report):
    area = _area(report.nodeid)
    _AREA_SECONDS[area] = _AREA_SECONDS.get(area, 0.0) + report.duration
    if report.when == "call":
        _AREA_TESTS[area] = _AREA_TESTS.get(area, 0) + 1


def pytest_terminal_summary(terminalreporter):
    if not _AREA_SECONDS:
        return
    total = sum(_AREA_SECONDS.values())
    terminalreporter.section("time per test area")
    for area, secs in sorted(_AREA_SECONDS.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(
            f"{area:<22} {_AREA_TESTS.get(area, 0):>5} tests {secs:>8.1f} s {100 * secs / total:>5.1f} %"
        )
    terminalreporter.write_line(f"{'all':<22} {sum(_AREA_TESTS.values()):>5} tests {total:>8.1f} s")
