"""`ape run deploy --network ethereum:local:foundry`: deploy every Emergent contract.

Reads params/<ecosystem>-<network>.yaml and writes deployments/<ecosystem>-<network>.json (on a local
network, one file per node: deployments/ethereum-local-<port>.json, as `emergent devnet` does).
On a local network the first test account deploys with no prompt; elsewhere pass `--account ALIAS`.
"""

import click
from ape import accounts, chain
from ape.cli import ConnectedProviderCommand

from agents.chain.deployment import DeployError, connected_network_choice, deploy_all
from agents.cli_common import quiet_ape
from agents.paths import deployment_file


@click.command(cls=ConnectedProviderCommand)
@click.option(
    "--account", "account_alias", default=None, help="ape account alias (required off local networks)"
)
@click.option("--redeploy", is_flag=True, help="deploy a fresh set even if one is live on this chain")
def cli(account_alias, redeploy):
    """Deploy the Emergent contracts and record their addresses."""
    if account_alias:
        try:
            deployer = accounts.load(account_alias)
        except Exception as exc:  # ape raises several types for unknown aliases
            raise click.ClickException(f"unknown account alias {account_alias!r}: {exc}") from exc
    elif chain.provider.network.name == "local":
        deployer = accounts.test_accounts[0]
    else:
        raise click.ClickException("--account ALIAS is required on non-local networks")
    quiet_ape()
    network = connected_network_choice()
    path = (
        deployment_file(network, getattr(chain.provider, "uri", None))
        if chain.provider.network.name == "local"
        else None
    )
    try:
        deploy_all(deployer, redeploy=redeploy, log=click.echo, path=path)
    except DeployError as exc:
        raise click.ClickException(str(exc)) from exc
