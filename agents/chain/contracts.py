"""web3.py contract handles by name: ABI from ape's build output, address from the deployments file.

    handles = Contracts.load(web3, "ethereum:local")      # deployments/ethereum-local.json
    token = handles["AgentToken"]                          # web3.contract.Contract
    escrow = handles.codec("ServiceEscrow")                # fast encoded calls (agents.chain.codec)
    handles.address("ServiceEscrow")

Works for any contract name recorded in the deployments file and present in the build output, on any
network web3 can reach. The deployment's chain id is checked against the connected chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.contract import Contract

from agents.chain.abi import AbiError, load_abis
from agents.chain.codec import ContractCodec
from agents.chain.deployment import DeployError, deployment_path, load_deployment


class ContractsError(Exception):
    """Missing deployment entry, ABI, or a deployment for another chain; one line for the user."""


@dataclass
class Contracts(Mapping[str, Contract]):
    web3: Web3
    addresses: dict[str, ChecksumAddress]
    abis: dict[str, list[dict[str, Any]]]
    deployment: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, Contract] = field(default_factory=dict, repr=False)
    _codecs: dict[str, ContractCodec] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        web3: Web3,
        network_choice: str = "ethereum:local",
        *,
        deployment_file: Path | None = None,
        build_file: Path | None = None,
        check_chain: bool = True,
    ) -> Contracts:
        path = Path(deployment_file) if deployment_file else deployment_path(network_choice)
        try:
            deployment = load_deployment(path)
            abis = load_abis(build_file)
        except (DeployError, AbiError) as exc:
            raise ContractsError(str(exc)) from exc
        addresses: dict[str, ChecksumAddress] = {}
        for name, address in deployment["contracts"].items():
            if not isinstance(address, str) or not is_address(address):
                raise ContractsError(f"{path}: contract {name} has no valid address ({address!r})")
            addresses[name] = to_checksum_address(address)
        if check_chain and "chain_id" in deployment:
            connected = web3.eth.chain_id
            if deployment["chain_id"] != connected:
                raise ContractsError(
                    f"{path} is for chain {deployment['chain_id']} but the node is chain {connected}"
                )
        return cls(web3=web3, addresses=addresses, abis=abis, deployment=deployment)

    def address(self, name: str) -> ChecksumAddress:
        try:
            return self.addresses[name]
        except KeyError:
            known = ", ".join(sorted(self.addresses)) or "none"
            raise ContractsError(f"{name} is not in the deployment (deployed: {known})") from None

    def abi(self, name: str) -> list[dict[str, Any]]:
        try:
            return self.abis[name]
        except KeyError:
            raise ContractsError(f"no ABI for {name} in the build output: run `ape compile`") from None

    def get(self, name: str, default: Any = None) -> Any:
        # Not Mapping.get: that catches only KeyError, and __getitem__ raises ContractsError
        if name not in self:
            return default
        return self[name]

    def __getitem__(self, name: str) -> Contract:
        if name not in self._cache:
            self._cache[name] = self.web3.eth.contract(address=self.address(name), abi=self.abi(name))
        return self._cache[name]

    def codec(self, name: str) -> ContractCodec:
        """Fast calls to `name` encoded from its ABI (agents.chain.codec): `codec(name).fn(*args)`."""
        if name not in self._codecs:
            self._codecs[name] = ContractCodec(self.address(name), self.abi(name))
        return self._codecs[name]

    def __contains__(self, name: object) -> bool:
        return name in self.addresses and name in self.abis

    def __iter__(self) -> Iterator[str]:
        return iter(n for n in self.addresses if n in self.abis)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def with_web3(self, web3: Web3) -> Contracts:
        """The same handles on another connection (e.g. one per thread or per RPC endpoint)."""
        return Contracts(
            web3=web3, addresses=dict(self.addresses), abis=self.abis, deployment=self.deployment
        )

    def watch_list(self, names: list[str] | None = None) -> dict[str, tuple[str, list[dict[str, Any]]]]:
        """{name: (address, abi)} for the event indexer (all deployed contracts by default)."""
        return {n: (self.address(n), self.abi(n)) for n in (names or list(self))}
