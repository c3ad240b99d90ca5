"""Input checks and ape connection helpers shared by every `emergent` command.

Every check runs before any transaction is built, and failures raise `click.UsageError` /
`click.ClickException` so the user gets one line and a non-zero exit code.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from agents.paths import ensure_tool_path

DEFAULT_NETWORK = "ethereum:local:foundry"


class InputError(click.ClickException):
    """Bad user input: printed as one `Error: ...` line, exit code 2, nothing sent."""

    exit_code = 2

_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")


def parse_address(value: str, what: str = "address") -> str:
    """A 0x-prefixed 20-byte hex address; mixed case must be a valid EIP-55 checksum."""
    if not isinstance(value, str) or not _ADDRESS_RE.match(value):
        raise InputError(f"{what} must be 0x followed by 40 hex digits, got {value!r}")
    from eth_utils import is_checksum_address, to_checksum_address

    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise InputError(f"{what} {value} has a wrong EIP-55 checksum")
    return to_checksum_address(value)


def parse_amount(value: str, what: str = "amount") -> int:
    """Whole tokens as a positive decimal (e.g. 12.5) -> wei-units (18 decimals)."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(f"{what} must be a number of tokens, got {value!r}") from None
    if not amount.is_finite():
        raise InputError(f"{what} must be finite, got {value!r}")
    if amount <= 0:
        raise InputError(f"{what} must be greater than zero, got {value}")
    wei = amount * 10**18
    if wei != wei.to_integral_value():
        raise InputError(f"{what} has more than 18 decimal places: {value}")
    return int(wei)


def check_network(choice: str) -> str:
    """Refuse a network choice ape does not know, naming the ones it does (no connection made)."""
    ensure_tool_path()
    from ape import networks

    parts = choice.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise InputError(f"network must be ecosystem:network[:provider], got {choice!r}")
    try:
        ecosystem = networks.get_ecosystem(parts[0])
        net = ecosystem.get_network(parts[1])
        if len(parts) == 3:
            net.get_provider(parts[2])
    except Exception:
        raise InputError(
            f"unknown network {choice!r} (e.g. ethereum:local:foundry, ethereum:sepolia:node; "
            "`ape networks list` shows all)"
        ) from None
    return choice


@contextlib.contextmanager
def connected(choice: str) -> Iterator[Any]:
    """Connect ape to `choice` for the duration of the block; yields the provider."""
    ensure_tool_path()
    from ape import networks

    try:
        ctx = networks.parse_network_choice(choice)
        provider = ctx.__enter__()
    except Exception as exc:
        raise click.ClickException(f"cannot connect to {choice}: {str(exc).splitlines()[0]}") from exc
    try:
        yield provider
    finally:
        ctx.__exit__(None, None, None)


def load_account(account_alias: str | None, account_index: int | None) -> Any:
    """An ape account: a named alias (any network) or a local test account by index."""
    from ape import accounts, chain

    if account_alias:
        if account_alias not in accounts.aliases:
            raise InputError(f"no ape account named {account_alias!r} (see `ape accounts list`)")
        return accounts.load(account_alias)
    if chain.provider.network.name != "local":
        raise InputError("--account ALIAS is required on non-local networks")
    idx = account_index or 0
    test_accounts = accounts.test_accounts
    if not 0 <= idx < len(test_accounts):
        raise InputError(f"--account-index must be 0..{len(test_accounts) - 1}, got {idx}")
    return test_accounts[idx]


def use_local_devnet_if_running(network: str) -> None:
    """Point ape at the devnet on 8545 for local networks (never start a fresh, empty chain)."""
    from agents.devnet import DEFAULT_PORT, is_anvil

    if network.split(":")[1] != "local" or "APE_FOUNDRY_HOST" in os.environ:
        return
    url = f"http://127.0.0.1:{DEFAULT_PORT}"
    if not is_anvil(url):
        raise click.ClickException(f"no devnet is running at {url}: start one with `emergent devnet`")
    os.environ["APE_FOUNDRY_HOST"] = url
