"""Contract ABIs from ape's compiled output (`.build/__local__.json`, written by `ape compile`)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.paths import PROJECT_ROOT

BUILD_FILE = PROJECT_ROOT / ".build" / "__local__.json"


class AbiError(Exception):
    """The compiled output is missing, unreadable, or lacks the contract; one line for the user."""


def _load(path: Path) -> dict[str, list[dict[str, Any]]]:
    if not path.is_file():
        raise AbiError(f"no compiled contracts at {path}: run `ape compile` first")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise AbiError(f"{path}: not valid JSON ({exc})") from exc
    types = data.get("contractTypes") if isinstance(data, dict) else None
    if not isinstance(types, dict):
        raise AbiError(f"{path}: no 'contractTypes' (not ape's compiled output?)")
    abis = {}
    for name, ctype in types.items():
        abi = ctype.get("abi") if isinstance(ctype, dict) else None
        if isinstance(abi, list):
            abis[name] = abi
    return abis


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> dict[str, list[dict[str, Any]]]:
    return _load(Path(path))


def load_abis(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """All ABIs in the compiled output by contract name (cached until the file changes)."""
    path = Path(path or BUILD_FILE)
    if not path.is_file():
        raise AbiError(f"no compiled contracts at {path}: run `ape compile` first")
    return _cached(str(path.resolve()), path.stat().st_mtime_ns)


def load_abi(name: str, path: Path | None = None) -> list[dict[str, Any]]:
    abis = load_abis(path)
    if name not in abis:
        known = ", ".join(sorted(abis)) or "none"
        raise AbiError(f"no ABI for {name!r} in {path or BUILD_FILE} (compiled: {known}); run `ape compile`")
    return abis[name]


def event_abis(abi: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in abi if item.get("type") == "event" and not item.get("anonymous")]
