"""Fixtures of the CLI tests (helpers in cli_devnet.py)."""

import pytest
from cli_devnet import start_cli_devnet, stop_cli_devnet


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    """`emergent devnet --block-time 0` on a free port for the whole module (blocks only on transactions)."""
    net = start_cli_devnet(tmp_path_factory.mktemp("devnet"), "--block-time", "0")
    try:
        yield net
    finally:
        stop_cli_devnet(net)
