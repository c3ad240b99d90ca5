"""The gas snapshot: deploy everything fresh on a private anvil, run each area's scenarios, and
write the committed table docs/gas-snapshot.md (regenerate with `make gas` / `emergent bench gas`).

Areas register a module exposing `measure(contracts, accounts) -> [(contract, operation, gas)]`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from agents.paths import PROJECT_ROOT

AREAS = ("agents.bench.gas_token", "agents.bench.gas_market", "agents.bench.gas_governance")
SNAPSHOT = PROJECT_ROOT / "docs" / "gas-snapshot.md"


def _area_modules() -> list[Any]:
    modules = []
    for name in AREAS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def collect(log=print) -> list[tuple[str, str, int]]:
    """Run every area's scenarios against one fresh full deployment (needs an ape connection)."""
    from ape import accounts, chain

    from agents.chain.deployment import deploy_all

    test_accounts = list(accounts.test_accounts)
    rows: list[tuple[str, str, int]] = []
    with chain.isolate():
        result = deploy_all(test_accounts[0], redeploy=True, write=False, log=lambda _m: None)
        from ape import Contract, project

        contracts = {
            name: Contract(addr, contract_type=project.get_contract(name).contract_type)
            for name, addr in result["contracts"].items()
        }
        for module in _area_modules():
            log(f"measuring {module.__name__.rsplit('.', 1)[-1]} ...")
            rows.extend(module.measure(contracts, test_accounts))
    return rows


def render(rows: list[tuple[str, str, int]]) -> str:
    lines = [
        "# Gas snapshot",
        "",
        "Gas used per operation on a fresh deployment (anvil 1.7.1, Vyper 0.4.3, local parameters).",
        "Regenerate with `make gas` (or `emergent bench gas`); review the diff like code.",
        "",
        "| contract | operation | gas |",
        "| --- | --- | ---: |",
    ]
    lines += [f"| {c} | {op} | {gas:,} |" for c, op, gas in rows]
    return "\n".join(lines) + "\n"


def main(out: Path = SNAPSHOT, log=print) -> list[tuple[str, str, int]]:
    from agents.cli_common import connected

    os.environ["APE_FOUNDRY_HOST"] = "auto"  # a private anvil, never a running devnet
    with connected("ethereum:local:foundry"):
        rows = collect(log=log)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(rows))
    log(render(rows))
    log(f"wrote {out}")
    return rows
