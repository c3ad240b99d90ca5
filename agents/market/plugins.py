"""Users' services and personas, added without editing the package (the registry is registry.py).

Every service and persona an agent can use is registered here: the built-in ones (services.py,
personas.py register theirs at import) and any a user adds without editing the package:

- an installed distribution with entry points in the groups `emergent.services` and
  `emergent.personas` (each entry point names a Service/Persona instance or a list of them);
  discovered once per process, on the first lookup of an unknown name or by `load_plugins()`;
- a plugin file (`--plugin path/to/module.py` on `emergent simulate` and `emergent agent run`, or a
  scenario's `plugins:`): a module defining `SERVICES = [...]` and/or `PERSONAS = [...]`.

Registration validates what it is given, and a bad plugin gets one `PluginError` naming the plugin
and what is wrong: an import error, a missing method (an abstract method left unimplemented), wrong
types (bounds that are not integer pairs, `solve` not returning bytes, `verify` accepting the
plugin's own cheat, a value vector off the simplex), or a name another source already registered.
Services are smoke-tested on registration (one spec at the runtime's difficulty: solve -> verify
true, corrupt -> verify false, cost_units a positive int), so a broken service fails at start-up,
not in an agent's tenth cycle. docs/plugins.md has the worked example.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from agents.market.personas import register_persona
from agents.market.registry import (
    BUILTIN,
    PERSONAS,
    SERVICES,
    PluginError,
    as_list,
    describe,
    load_entry_points,
    register_all,
)
from agents.market.services import register_service

__all__ = [
    "BUILTIN",
    "PERSONAS",
    "SERVICES",
    "PluginError",
    "describe",
    "load_entry_points",
    "load_plugin_file",
    "load_plugins",
    "register_persona",
    "register_service",
]


def load_plugin_file(path: str | Path) -> list[str]:
    """Import a plugin module from a file and register its `SERVICES` and `PERSONAS`; returns the names."""
    p = Path(path)
    source = f"plugin {p}"
    if not p.is_file():
        raise PluginError(f"{source}: no such file")
    if p.suffix != ".py":
        raise PluginError(f"{source}: a plugin is a Python module (.py)")
    resolved = p.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    mod_name = f"emergent_plugin_{re.sub(r'[^0-9a-zA-Z_]', '_', p.stem)}_{digest}"
    source = f"plugin {resolved}"
    module = sys.modules.get(mod_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(mod_name, resolved)
        if spec is None or spec.loader is None:
            raise PluginError(f"{source}: cannot load it as a module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[mod_name]
            line = ""
            tb = exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == str(resolved):
                    line = f" (line {tb.tb_lineno})"
                tb = tb.tb_next
            raise PluginError(f"{source}: import failed{line}: {type(exc).__name__}: {exc}") from exc
    services = getattr(module, "SERVICES", None)
    personas = getattr(module, "PERSONAS", None)
    if services is None and personas is None:
        raise PluginError(f"{source}: defines neither SERVICES nor PERSONAS (lists of Service / Persona)")
    names = []
    if services is not None:
        names += register_all(SERVICES, as_list(services), source)
    if personas is not None:
        names += register_all(PERSONAS, as_list(personas), source)
    return names


def load_plugins(paths: Iterable[str | Path] = (), entry_points: bool = True) -> list[str]:
    """Entry points (once) and then the given plugin files; returns the names registered now."""
    names = load_entry_points() if entry_points else []
    for path in paths:
        names += load_plugin_file(path)
    return names
