"""The package's import graph runs one way: no in-function import hides an import cycle, and the
lower layers never import the higher ones (cognition and chain import neither runtime nor sim; runtime
does not import sim). Function-level imports remain only where they defer a heavy import (the CLI)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "agents"


def _modules() -> dict[str, Path]:
    out = {}
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            base = ".".join(module.split(".")[: -node.level] + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != "agents":
            out.append(name)
    return out


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    top: dict[str, set[str]] = {m: set() for m in MODULES}
    inner: list[tuple[str, int, str]] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                top[module].update(_targets(module, node))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        inner += [(module, node.lineno, t) for t in _targets(module, node)]
    return top, inner


def _reach(top: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(top.get(m, ()))
    return seen


def test_the_graph_is_read() -> None:  # the checks below would pass vacuously on an empty graph
    top, inner = _graph()
    assert "agents.runtime.observe" in top["agents.runtime.policy"] and len(inner) > 20


def test_no_function_level_import_hides_an_import_cycle() -> None:
    top, inner = _graph()
    hiding = [
        f"{m}:{line} imports {t}, which imports {m} back" for m, line, t in inner if m in _reach(top, t)
    ]
    assert hiding == []


def _edges() -> set[tuple[str, str]]:
    top, inner = _graph()
    return {(m, t) for m, ts in top.items() for t in ts} | {(m, t) for m, _, t in inner}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else ""


def test_lower_layers_never_import_higher_ones() -> None:
    layer = {"cognition": 0, "chain": 0, "market": 1, "runtime": 2, "sim": 3}
    upward = sorted(
        f"{m} -> {t}"
        for m, t in _edges()
        if _area(m) in layer and _area(t) in layer and layer[_area(t)] > layer[_area(m)]
    )
    assert upward == []


def test_cognition_is_pure_it_imports_only_itself() -> None:
    outside = sorted(
        f"{m} -> {t}" for m, t in _edges() if _area(m) == "cognition" and _area(t) != "cognition"
    )
    assert outside == []
