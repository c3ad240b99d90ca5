"""Deploy the Emergent contracts from a per-network parameter file and record the addresses.

The deployment runs as an ordered list of stages (`STAGES`). Each stage reads its own section of the
parameter file (validated by its own pydantic model), deploys or wires contracts through the shared
`DeployContext`, and records what it deployed. Later work adds stages (marketplace, governance)
without touching earlier ones.

The result is written to `deployments/<ecosystem>-<network>.json`:
`{"chain_id", "block", "genesis_hash", "network", "deployer", "contracts": {name: address}, ...}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.chain import units
from agents.paths import DEPLOYMENTS_DIR, PARAMS_DIR

WEI = 10**18


class DeployError(Exception):
    """A deployment that cannot proceed; the message is one line meant for the user."""


def to_wei(amount: Decimal | int | str) -> int:
    """Whole tokens (decimal allowed) to wei-units, exactly: agents.chain.units.to_wei."""
    return units.to_wei(amount)


class TokenParams(BaseModel):
    """`token:` section of a parameter file."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("Emergent Agent Token", max_length=25)
    symbol: str = Field("AGENT", max_length=5)
    cap: Decimal = Field(Decimal(1_000_000_000), gt=0, description="hard supply cap, whole tokens")
    eip712_name: str = Field("Emergent Agent Token", max_length=50)
    eip712_version: str = Field("1", max_length=20)


class LocalFundingParams(BaseModel):
    """`local_funding:` section: on a local network, the first N test accounts get tokens."""

    model_config = ConfigDict(extra="forbid")
    accounts: int = Field(10, ge=0, le=100)
    amount: Decimal = Field(Decimal(100_000), ge=0, description="whole tokens per account")

    @field_validator("amount")
    @classmethod
    def _wei_representable(cls, v: Decimal) -> Decimal:
        to_wei(v)
        return v


def network_slug(network_choice: str) -> str:
    """`ethereum:local:foundry` -> `ethereum-local` (the provider does not change the chain)."""
    parts = network_choice.split(":")
    if len(parts) < 2 or not all(parts[:2]):
        raise DeployError(f"network must look like ecosystem:network[:provider], got {network_choice!r}")
    return f"{parts[0]}-{parts[1]}"


def params_path(network_choice: str) -> Path:
    return PARAMS_DIR / f"{network_slug(network_choice)}.yaml"


def deployment_path(network_choice: str) -> Path:
    import os

    base = Path(os.environ.get("EMERGENT_DEPLOYMENTS_DIR", DEPLOYMENTS_DIR))
    return base / f"{network_slug(network_choice)}.json"


def load_params(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DeployError(f"no parameter file for this network: {path} (copy params/ethereum-local.yaml)")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise DeployError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DeployError(f"{path}: expected a mapping of sections at the top level")
    return data


def load_deployment(path: Path) -> dict[str, Any]:
    """Read a deployments file, with one-line errors for the usual mistakes."""
    if not path.is_file():
        raise DeployError(f"no deployment file at {path}: run `emergent devnet` or `ape run deploy` first")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DeployError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise DeployError(f"{path}: missing the 'contracts' mapping")
    return data


def section(params: dict[str, Any], name: str, model: type[BaseModel]) -> Any:
    """Validate one section of the parameter file with its model; errors name the section."""
    try:
        return model.model_validate(params.get(name) or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DeployError(f"parameter {name}.{where}: {first['msg']}") from exc


@dataclass
class DeployContext:
    """What every stage shares: who deploys, the raw parameters, and what was deployed so far."""

    deployer: Any  # ape AccountAPI
    params: dict[str, Any]
    network: str
    is_local: bool
    project: Any  # ape project manager
    accounts: list[Any] = field(default_factory=list)  # local test accounts (empty on live networks)
    contracts: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # extra keys for the deployments file
    log: Callable[[str], None] = print

    def deploy(self, name: str, *args: Any) -> Any:
        """Deploy `project.<name>` with constructor `args` from the deployer and record it."""
        instance = self.project.get_contract(name).deploy(*args, sender=self.deployer)
        self.contracts[name] = instance
        self.log(f"  {name:<16} {instance.address}")
        return instance


def stage_token(ctx: DeployContext) -> None:
    p: TokenParams = section(ctx.params, "token", TokenParams)
    ctx.deploy("AgentToken", p.name, p.symbol, to_wei(p.cap), p.eip712_name, p.eip712_version)


def stage_local_funding(ctx: DeployContext) -> None:
    """On local networks only: mint the configured amount to the first N test accounts."""
    p: LocalFundingParams = section(ctx.params, "local_funding", LocalFundingParams)
    if not ctx.is_local or p.accounts == 0 or p.amount == 0:
        return
    token = ctx.contracts["AgentToken"]
    if p.accounts > len(ctx.accounts):
        raise DeployError(f"local_funding.accounts={p.accounts} but only {len(ctx.accounts)} test accounts")
    amount = to_wei(p.amount)
    funded = []
    for acct in ctx.accounts[: p.accounts]:
        token.mint(acct.address, amount, sender=ctx.deployer)
        funded.append(acct.address)
    ctx.extra["funded_accounts"] = funded
    ctx.log(f"  funded {len(funded)} accounts with {p.amount} {token.symbol()} each")


# Ordered deployment stages. Marketplace and governance stages append themselves here.
STAGES: list[tuple[str, Callable[[DeployContext], None]]] = [
    ("token", stage_token),
    ("local_funding", stage_local_funding),
]


# Parameter sections validated before any stage sends a transaction (stages register theirs).
PARAM_SECTIONS: dict[str, type[BaseModel]] = {
    "token": TokenParams,
    "local_funding": LocalFundingParams,
}


# Checks across sections (e.g. governance windows vs the unbonding period), run after the sections
# validate and before any transaction; stages register theirs.
PARAM_CHECKS: list[Callable[[dict[str, Any]], None]] = []


def validate_params(params: dict[str, Any]) -> None:
    """Every known section valid, no unknown section, every cross-section check passed: checked before
    anything is sent."""
    unknown = sorted(set(params) - set(PARAM_SECTIONS))
    if unknown:
        raise DeployError(
            f"unknown parameter section(s): {', '.join(unknown)} (known: {', '.join(PARAM_SECTIONS)}; "
            "a stage module registers its section in agents.chain.deployment.PARAM_SECTIONS)"
        )
    for name, model in PARAM_SECTIONS.items():
        section(params, name, model)
    for check in PARAM_CHECKS:
        check(params)


def _stages() -> list[tuple[str, Callable[[DeployContext], None]]]:
    """All stages, including those of optional modules that register themselves on import."""
    import importlib

    for module in ("agents.chain.deploy_market", "agents.chain.deploy_governance"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return STAGES


def live_deployment(network_choice: str, provider: Any, path: Path | None = None) -> dict[str, Any] | None:
    """The recorded deployment if it is live on the connected chain (same genesis, code at address)."""
    path = path or deployment_path(network_choice)
    if not path.is_file():
        return None
    try:
        data = load_deployment(path)
    except DeployError:
        return None
    genesis = "0x" + provider.get_block(0).hash.hex().removeprefix("0x")
    if data.get("chain_id") != provider.chain_id or data.get("genesis_hash") != genesis:
        return None
    token = data["contracts"].get("AgentToken")
    if not token or not provider.get_code(token):
        return None
    return data


def connected_network_choice() -> str:
    """`ecosystem:network` of the connected provider."""
    from ape import chain

    network = chain.provider.network
    return f"{network.ecosystem.name}:{network.name}"


def deploy_all(
    deployer: Any,
    *,
    params: dict[str, Any] | None = None,
    redeploy: bool = False,
    write: bool = True,
    log: Callable[[str], None] = print,
    path: Path | None = None,
    is_local: bool | None = None,
) -> dict[str, Any]:
    """Run every stage on the connected network and (optionally) write the deployments file.

    `path`: the deployments file to re-use and write (default `deployment_path(network)`; `emergent
    devnet` passes the per-port file of `agents.paths.deployment_file`).

    If a deployment recorded for this network is live on the connected chain it is re-used (returned
    unchanged) unless `redeploy` is set. Must be called inside an ape provider context. `is_local`
    overrides what the network name says (tests run the live-network path on an anvil with it).
    """
    from ape import accounts, chain, project

    provider = chain.provider
    network_choice = connected_network_choice()
    if not redeploy:
        existing = live_deployment(network_choice, provider, path)
        if existing is not None:
            log(
                f"re-using the live deployment in {path or deployment_path(network_choice)} "
                f"(AgentToken {existing['contracts']['AgentToken']}); pass --redeploy for a new set"
            )
            return existing

    if params is None:
        params = load_params(params_path(network_choice))
    _stages()  # registers every stage's parameter section
    validate_params(params)
    if is_local is None:
        is_local = provider.network.name == "local"
    ctx = DeployContext(
        deployer=deployer,
        params=params,
        network=network_choice,
        is_local=is_local,
        project=project,
        accounts=list(accounts.test_accounts) if is_local else [],
        log=log,
    )
    start_block = chain.blocks.height
    log(f"deploying to {network_choice} (chain {provider.chain_id}) from {deployer.address}")
    for _name, stage in _stages():
        stage(ctx)
    result: dict[str, Any] = {
        "chain_id": provider.chain_id,
        "block": start_block + 1,
        "genesis_hash": "0x" + provider.get_block(0).hash.hex().removeprefix("0x"),
        "network": network_choice,
        "deployer": deployer.address,
        "contracts": {name: c.address for name, c in ctx.contracts.items()},
        **ctx.extra,
    }
    if write:
        path = path or deployment_path(network_choice)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
        log(f"wrote {path}")
    return result
