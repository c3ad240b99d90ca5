"""Scenario files: a whole simulated economy in one YAML file (docs/scenarios.md).

    emergent simulate --scenario scenarios/supply-chain.yaml

A scenario names the agents by persona (groups with a count, their services and behaviour
overrides), the service catalogue and the plugins that define extra services and personas, the
contract parameters the run starts with (governed names, e.g. `escrow.collateralRatioBps`, set by the
Timelock before the agents start, so the on-chain bounds apply), and shocks at given cycles:

- `demand_surge`: from cycle `at` (until `until`, default the end) clients hire `service` `factor`
  times as often (policy.demand_weight);
- `provider_leaves`: agent `agent` (its position in the expanded agent list, 0-based) stops at cycle
  `at`: it never acts again; its funded jobs expire and their clients claim refunds;
- `governance`: at cycle `at`, the Timelock sets the given governed parameters (as an executed
  proposal would); every agent sees the ParameterUpdated events and adapts.

Validation is pydantic's, reported as one line with the path of the first wrong key or value:
`scenario.yaml: agents[2].persona: unknown persona 'cheeter' (known: ...)`.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from agents.sim.simulate import SimConfig


class _DecimalLoader(yaml.SafeLoader):
    """YAML's floats as the Decimal the file wrote (`start_balance: 19997.4999999999996` stays exact);
    pydantic turns them into floats where a field is a float (probabilities, factors)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return float(loader.construct_yaml_float(node))
    return Decimal(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message is one line: `<file>: <path>: <what>`."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _persona(name: str) -> str:
    from agents.market.personas import get_persona

    get_persona(name)  # ValueError: unknown persona 'x' (known: ...)
    return name


def _service(name: str) -> str:
    from agents.market.services import TaskSpecError, get_service

    try:
        get_service(name)
    except TaskSpecError as exc:
        raise ValueError(str(exc)) from None
    return name


def _parameter(name: str) -> str:
    from agents.chain.governance import PARAMETERS

    if name not in PARAMETERS:
        raise ValueError(f"unknown contract parameter {name!r} (known: {', '.join(sorted(PARAMETERS))})")
    return name


ServiceName = Annotated[str, AfterValidator(_service)]


class AgentGroup(_Model):
    persona: str
    count: int = Field(1, ge=1, le=500)
    services: list[ServiceName] | None = Field(None, min_length=1)
    overrides: dict[str, float | int | bool] = Field(default_factory=dict)
    switching: bool | None = None  # may change what it sells toward what pays (default: the scenario's)

    _check_persona = field_validator("persona")(classmethod(lambda cls, v: _persona(v)))

    @field_validator("overrides")
    @classmethod
    def _overrides(cls, v: dict[str, Any]) -> dict[str, Any]:
        from dataclasses import fields

        from agents.market.personas import Behaviour
        from agents.market.pricing import PricingParams

        known = {f.name for f in fields(Behaviour)} | {f.name for f in fields(PricingParams)}
        for k in v:
            if k not in known:
                raise ValueError(
                    f"unknown behaviour or pricing parameter {k!r} (known: {', '.join(sorted(known))})"
                )
        return v


class DemandSurge(_Model):
    kind: Literal["demand_surge"]
    at: int = Field(ge=0)
    until: int | None = Field(None, ge=1)
    service: str
    factor: float = Field(gt=1.0, le=20.0)

    _check_service = field_validator("service")(classmethod(lambda cls, v: _service(v)))

    @model_validator(mode="after")
    def _window(self) -> DemandSurge:
        if self.until is not None and self.until <= self.at:
            raise ValueError(f"until ({self.until}) must be after at ({self.at})")
        return self


class ProviderLeaves(_Model):
    kind: Literal["provider_leaves"]
    at: int = Field(ge=1)
    agent: int = Field(ge=0)


class GovernanceChange(_Model):
    kind: Literal["governance"]
    at: int = Field(ge=1)
    set: dict[str, int] = Field(min_length=1)

    @field_validator("set")
    @classmethod
    def _names(cls, v: dict[str, int]) -> dict[str, int]:
        for name, value in v.items():
            _parameter(name)
            if value < 0:
                raise ValueError(f"{name} must not be negative")
        return v


Shock = Annotated[DemandSurge | ProviderLeaves | GovernanceChange, Field(discriminator="kind")]


class Scenario(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    seed: int = 0
    cycles: int = Field(40, ge=1, le=100_000)
    cycle_blocks: int = Field(5, ge=1, le=1000)
    start_balance: Decimal = Field(
        Decimal(20_000), gt=0, description="AGENT each agent starts with (a decimal)"
    )
    plugins: list[str] = Field(default_factory=list)
    services: list[ServiceName] | None = Field(None, min_length=1)
    services_per_agent: int = Field(3, ge=1, le=16)
    switching: bool = True  # providers move toward the services that pay (policy.supply_choice)
    agents: list[AgentGroup] = Field(min_length=1)
    contracts: dict[str, int] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)

    @field_validator("start_balance")
    @classmethod
    def _start_balance(cls, v: Decimal) -> Decimal:
        from agents.chain.units import to_wei

        to_wei(v, "start_balance")  # at most 18 decimals: wei are integers
        return v

    @field_validator("contracts")
    @classmethod
    def _contracts(cls, v: dict[str, int]) -> dict[str, int]:
        for name, value in v.items():
            _parameter(name)
            if value < 0:
                raise ValueError(f"{name} must not be negative")
        return v

    @model_validator(mode="after")
    def _shock_targets(self) -> Scenario:
        n = sum(g.count for g in self.agents)
        for i, s in enumerate(self.shocks):
            if isinstance(s, ProviderLeaves) and s.agent >= n:
                raise ValueError(f"shocks[{i}].agent: agent {s.agent} does not exist ({n} agents, 0-based)")
            if s.at >= self.cycles:
                raise ValueError(f"shocks[{i}].at: cycle {s.at} is not within the run's {self.cycles} cycles")
        return self

    # ------------------------------------------------------------------ the run this describes
    def personas(self) -> list[str]:
        return [g.persona for g in self.agents for _ in range(g.count)]

    def agent_services(self) -> list[tuple[str, ...] | None]:
        return [tuple(g.services) if g.services else None for g in self.agents for _ in range(g.count)]

    def agent_overrides(self) -> list[dict[str, Any]]:
        return [dict(g.overrides) for g in self.agents for _ in range(g.count)]

    def agent_switching(self) -> list[bool]:
        return [
            self.switching if g.switching is None else g.switching
            for g in self.agents
            for _ in range(g.count)
        ]

    def leave_at(self) -> dict[int, int]:
        """agent position -> the cycle it stops at (the earliest if given twice)."""
        out: dict[int, int] = {}
        for s in self.shocks:
            if isinstance(s, ProviderLeaves):
                out[s.agent] = min(s.at, out.get(s.agent, s.at))
        return out

    def demand(self) -> list[tuple[str, float, int, int]]:
        """(service, factor, from cycle, until cycle) for every demand surge."""
        return [
            (s.service, s.factor, s.at, s.until if s.until is not None else self.cycles)
            for s in self.shocks
            if isinstance(s, DemandSurge)
        ]

    def governance(self) -> list[tuple[int, dict[str, int]]]:
        return sorted(
            ((s.at, dict(s.set)) for s in self.shocks if isinstance(s, GovernanceChange)), key=lambda x: x[0]
        )


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("demand_surge", "provider_leaves", "governance"):
            continue  # the discriminated union's tag, not a key of the file
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _message(err: ErrorDetails) -> str:
    kind, msg = err.get("type", ""), str(err.get("msg", ""))
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key missing"
    if kind == "union_tag_invalid":
        kind = err.get("input", {}).get("kind")
        return f"unknown shock kind {kind!r} (known: demand_surge, provider_leaves, governance)"
    if kind == "union_tag_not_found":
        return "a shock needs a kind (demand_surge, provider_leaves, governance)"
    return msg.removeprefix("Value error, ")


def parse_scenario(data: Any, label: str = "scenario", base_dir: Path | None = None) -> Scenario:
    """Validate a scenario mapping; plugins (relative to `base_dir`) are loaded first, so their
    personas and services are known to the rest of the validation. Raises ScenarioError (one line)."""
    from agents.market.plugins import PluginError, load_plugins

    if not isinstance(data, dict):
        raise ScenarioError(f"{label}: expected a mapping of keys (name, agents, ...) at the top level")
    data = copy.deepcopy(data)
    plugins = data.get("plugins") or []
    if isinstance(plugins, list) and all(isinstance(p, str) for p in plugins):
        resolved = [
            str((base_dir / p).resolve()) if base_dir and not Path(p).is_absolute() else p for p in plugins
        ]
        try:
            load_plugins(resolved)
        except PluginError as exc:
            raise ScenarioError(f"{label}: plugins: {exc}") from None
        data["plugins"] = resolved
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ScenarioError(f"{label}: {_path(first['loc'])}: {_message(first)}{more}") from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file; `overrides` ({dotted path: value}) are applied first (sweeps)."""
    p = Path(path)
    label = p.name
    if not p.is_file():
        raise ScenarioError(f"{p}: no such scenario file")
    try:
        data = yaml.load(p.read_text(), Loader=_DecimalLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{label}: not valid YAML: {' '.join(str(exc).split())}") from None
    for key, value in (overrides or {}).items():
        data = set_path(data, key, value, label)
    return parse_scenario(data, label, p.parent)


def set_path(data: Any, key: str, value: Any, label: str = "scenario") -> Any:
    """A copy of `data` with `key` set: a governed parameter name (`escrow.feeBps`) sets
    `contracts[<name>]`; any other key is a dotted path into the mapping (`cycles`, `agents.0.count`)."""
    from agents.chain.governance import PARAMETERS

    data = copy.deepcopy(data) if isinstance(data, dict) else {}
    if key in PARAMETERS:
        data.setdefault("contracts", {})
        data["contracts"][key] = value
        return data
    node: Any = data
    parts = key.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{label}: {key}: no element {part} in that list")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise ScenarioError(f"{label}: {key}: {'.'.join(parts[:i])} is not a mapping or list")
    return data


def to_sim_config(sc: Scenario, out: Path | None = None, rpc: str | None = None) -> SimConfig:
    """The SimConfig that runs this scenario."""
    from agents.chain.units import to_wei
    from agents.sim.simulate import SimConfig

    cfg = SimConfig(
        agents=len(sc.personas()),
        cycles=sc.cycles,
        seed=sc.seed,
        rpc=rpc,
        cycle_blocks=sc.cycle_blocks,
        start_balance=to_wei(sc.start_balance, "start_balance"),
        personas=sc.personas(),
        services_per_agent=sc.services_per_agent,
        services=tuple(sc.services) if sc.services else None,
        plugins=list(sc.plugins),
        agent_services=sc.agent_services(),
        scenario=sc,
    )
    if out is not None:
        cfg.out = out
    return cfg
