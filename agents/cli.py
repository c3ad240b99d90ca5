"""`emergent`: the devnet, the deployment, tokens, governance, agents, simulations and benchmarks.

Sub-command groups that live in other modules are loaded lazily, so `emergent --help` and input
errors answer quickly and one broken area cannot take the whole CLI down.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from decimal import Decimal
from pathlib import Path

import click

from agents.cli_common import (
    DEFAULT_NETWORK,
    check_network,
    connected,
    load_account,
    parse_address,
    parse_amount,
    use_local_devnet_if_running,
)
from agents.paths import PROJECT_ROOT, ensure_tool_path

# name -> (module, attribute): groups and commands defined elsewhere.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "gov": ("agents.gov_cli", "gov"),
    "agent": ("agents.runtime.cli", "agent"),
    "simulate": ("agents.sim.cli", "simulate"),
    "bench": ("agents.bench.cli", "bench"),
    "dashboard": ("agents.dashboard.cli", "dashboard"),
    "payloads": ("agents.market.payloads_cli", "payloads"),
}


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [n for n, (mod, _) in LAZY_COMMANDS.items() if _module_exists(mod)]
        return sorted(set(super().list_commands(ctx)) | set(available))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            if not _module_exists(module):
                return None
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


def _fmt(wei: int) -> str:
    return f"{Decimal(wei) / Decimal(10**18):,.4f}"


network_opt = click.option(
    "--network", "network", default=DEFAULT_NETWORK, show_default=True, callback=lambda c, p, v: check_network(v),
    help="ape network choice ecosystem:network[:provider]",
)


@click.group(cls=LazyGroup)
@click.version_option(package_name="emergent")
def cli() -> None:
    """Emergent: an on-chain economy for autonomous Level 4.9 agents."""
    ensure_tool_path()


@cli.command()
@click.option("--port", default=8545, show_default=True, type=click.IntRange(1024, 65535))
@click.option("--block-time", default=1, show_default=True, type=click.IntRange(0, 60),
              help="after deploying, also mine a block every N idle seconds (0: only on transactions)")
@click.option("--redeploy", is_flag=True, help="deploy a fresh set even if one is live on this chain")
@click.option("--exit-after-deploy", is_flag=True, help="stop the devnet once deployed (for scripts/tests)")
def devnet(port: int, block_time: int, redeploy: bool, exit_after_deploy: bool) -> None:
    """Start anvil (or re-use one on PORT), deploy Emergent, print addresses, run until Ctrl-C."""
    from agents.chain.deployment import DeployError, deploy_all
    from agents.devnet import BlockTicker, DevnetError, start_devnet, use_devnet_for_ape

    log_dir = PROJECT_ROOT / ".emergent"
    log_dir.mkdir(exist_ok=True)
    try:
        net = start_devnet(port, log_path=log_dir / "anvil.log")
    except DevnetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"anvil {'started' if net.started_here else 're-used'} at {net.url}")
    ticker = None
    try:
        use_devnet_for_ape(net)
        with connected(DEFAULT_NETWORK):
            from ape import accounts

            try:
                result = deploy_all(accounts.test_accounts[0], redeploy=redeploy, log=click.echo)
            except DeployError as exc:
                raise click.ClickException(str(exc)) from exc
            _print_status(result)
        if net.started_here and block_time and not exit_after_deploy:
            ticker = BlockTicker(net.url, block_time).start()
            click.echo(f"a block per transaction, and one every {block_time} s when idle")
        if exit_after_deploy:
            return
        click.echo("devnet running; Ctrl-C to stop" if net.started_here else "devnet is someone else's; done")
        if net.started_here:
            while net.process is not None and net.process.poll() is None:
                time.sleep(0.5)
            raise click.ClickException("anvil exited unexpectedly (see .emergent/anvil.log)")
    except KeyboardInterrupt:
        click.echo("\nstopping devnet")
    finally:
        if ticker is not None:
            ticker.stop()
        net.stop()


def _print_status(deployment: dict, extra_addresses: tuple[str, ...] = ()) -> None:
    from ape import Contract, chain

    click.echo(f"chain {deployment['chain_id']} ({deployment.get('network', '?')}), "
               f"deployed at block {deployment['block']}, head {chain.blocks.height}")
    for name, addr in deployment["contracts"].items():
        click.echo(f"  {name:<16} {addr}")
    token_addr = deployment["contracts"].get("AgentToken")
    holders = list(deployment.get("funded_accounts", [])) + list(extra_addresses)
    if not token_addr:
        return
    if not chain.provider.get_code(token_addr):
        raise click.ClickException(f"no contract at AgentToken {token_addr}: the deployment file is stale")
    from agents.chain.deployment import load_deployment  # noqa: F401 (keeps import errors obvious)
    from ape import project

    token = Contract(token_addr, contract_type=project.AgentToken.contract_type)
    click.echo(f"token {token.symbol()}: supply {_fmt(token.totalSupply())} / cap {_fmt(token.cap())}")
    for h in holders:
        click.echo(f"  {h}  {_fmt(token.balanceOf(h)):>20} {token.symbol()}  "
                   f"{_fmt(chain.provider.get_balance(h)):>14} ETH")


@cli.command()
@network_opt
@click.option("--address", "addresses", multiple=True, help="also show this address's balances (repeatable)")
def status(network: str, addresses: tuple[str, ...]) -> None:
    """Print the recorded deployment and token balances."""
    from agents.chain.deployment import DeployError, deployment_path, load_deployment

    extra = tuple(parse_address(a, "--address") for a in addresses)
    try:
        deployment = load_deployment(deployment_path(network))
    except DeployError as exc:
        raise click.ClickException(str(exc)) from exc
    use_local_devnet_if_running(network)
    with connected(network):
        _print_status(deployment, extra)


@cli.group()
def token() -> None:
    """AgentToken balances and transfers."""


@token.command("balance")
@click.argument("address")
@network_opt
def token_balance(address: str, network: str) -> None:
    """Print ADDRESS's AGENT balance."""
    addr = parse_address(address)
    tok, _ = _token_handle(network)
    with connected(network):
        t = tok()
        click.echo(f"{addr} {_fmt(t.balanceOf(addr))} {t.symbol()}")


@token.command("transfer")
@click.option("--to", "to", required=True, help="recipient address")
@click.option("--amount", required=True, help="whole tokens, e.g. 12.5")
@click.option("--account", "account_alias", default=None, help="ape account alias (required off local networks)")
@click.option("--account-index", default=None, type=int, help="local test account index (default 0)")
@network_opt
def token_transfer(to: str, amount: str, account_alias: str | None, account_index: int | None, network: str) -> None:
    """Send AMOUNT tokens to TO. Checks the balance first; sends nothing on bad input."""
    recipient = parse_address(to, "--to")
    wei = parse_amount(amount, "--amount")
    tok, _ = _token_handle(network)
    with connected(network):
        sender = load_account(account_alias, account_index)
        t = tok()
        balance = t.balanceOf(sender.address)
        if balance < wei:
            raise click.ClickException(f"{sender.address} holds {_fmt(balance)} {t.symbol()}, less than {amount}")
        receipt = t.transfer(recipient, wei, sender=sender, required_confirmations=1)
        click.echo(f"sent {amount} {t.symbol()} to {recipient} in tx {receipt.txn_hash} (gas {receipt.gas_used})")


def _token_handle(network: str):
    from agents.chain.deployment import DeployError, deployment_path, load_deployment

    try:
        deployment = load_deployment(deployment_path(network))
    except DeployError as exc:
        raise click.ClickException(str(exc)) from exc
    addr = deployment["contracts"].get("AgentToken")
    if not addr:
        raise click.ClickException("the deployment file has no AgentToken")
    use_local_devnet_if_running(network)

    def make():
        from ape import Contract, chain, project

        if not chain.provider.get_code(addr):
            raise click.ClickException(f"no contract at AgentToken {addr}: the deployment file is stale")
        return Contract(addr, contract_type=project.AgentToken.contract_type)

    return make, deployment


def main() -> None:  # pragma: no cover
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
