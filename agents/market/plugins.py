"""The registry of services and personas, and the plugins that add to it.

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
import json
import random
import re
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

SERVICE_GROUP = "emergent.services"
PERSONA_GROUP = "emergent.personas"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SMOKE_DIFFICULTY = 0.3  # the runtime's PolicyConfig.difficulty: the spec size agents actually trade
BUILTIN = "built-in"


class PluginError(ValueError):
    """A plugin that cannot be used; the message names the plugin and what is wrong with it."""


class Registry(dict):
    """name -> object, remembering where each came from (`sources`). A plain dict for readers."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.sources: dict[str, str] = {}

    def add(self, name: str, obj: Any, source: str) -> None:
        old = self.sources.get(name)
        if old is not None and old != source:
            raise PluginError(f"{source}: {self.kind} {name!r} clashes with the {self.kind} of that name "
                              f"from {old}; rename it")
        self[name] = obj
        self.sources[name] = source

    def remove_source(self, source: str) -> None:
        """Forget everything `source` registered (tests; a plugin file reloaded under another name)."""
        for name in [n for n, s in self.sources.items() if s == source]:
            del self[name]
            del self.sources[name]


SERVICES: Registry = Registry("service")
PERSONAS: Registry = Registry("persona")


# ------------------------------------------------------------------ validation + registration
def _call(source: str, what: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except PluginError:
        raise
    except Exception as exc:  # noqa: BLE001 - the plugin's own bug, reported as one line
        raise PluginError(f"{source}: {what} raised {type(exc).__name__}: {exc}") from exc


def register_service(service: Any, source: str = BUILTIN) -> Any:
    """Validate `service` (a `services.Service` instance) and add it to the registry; returns it."""
    from agents.market.services import (
        MAX_PAYLOAD_BYTES, MAX_SPEC_CHARS, SPEC_PREFIX, Service, TaskSpec, TaskSpecError,
    )

    if isinstance(service, type) and issubclass(service, Service):
        raise PluginError(f"{source}: {service.__name__} is a Service class; register an instance, "
                          f"e.g. {service.__name__}('name', {{'param': (lo, hi)}})")
    if not isinstance(service, Service):
        raise PluginError(f"{source}: expected a Service instance (agents.market.services.Service), "
                          f"got {type(service).__name__}")
    name = service.name
    where = f"{source}: service {name!r}"
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"{source}: service name {name!r} must match {NAME_RE.pattern}")
    bounds = service.bounds
    if not isinstance(bounds, dict) or not bounds:
        raise PluginError(f"{where}: bounds must be a non-empty dict of parameter -> (lo, hi)")
    for key, pair in bounds.items():
        ok = (isinstance(key, str) and NAME_RE.match(key) and isinstance(pair, tuple) and len(pair) == 2
              and all(isinstance(v, int) and not isinstance(v, bool) for v in pair) and pair[0] <= pair[1])
        if not ok:
            raise PluginError(f"{where}: bounds[{key!r}] must be a tuple of two ints lo <= hi, got {pair!r}")
    # The largest spec must fit the on-chain description.
    widest = {k: max(pair, key=lambda x: len(str(x))) for k, pair in bounds.items()}
    text = SPEC_PREFIX + json.dumps({"s": name, "p": widest, "seed": 2**64 - 1}, sort_keys=True,
                                    separators=(",", ":"))
    if len(text) > MAX_SPEC_CHARS:
        raise PluginError(f"{where}: its largest spec ({len(text)} characters) does not fit the "
                          f"{MAX_SPEC_CHARS}-character job description (fewer or shorter parameter names)")
    old = SERVICES.sources.get(name)
    if old is not None and old != source:
        raise PluginError(f"{source}: service {name!r} clashes with the service of that name from {old}; "
                          f"rename it")
    # Smoke test at the difficulty agents trade. TaskSpec.make looks the service up, so it is in the
    # registry during the test; on failure the previous entry (if any) is restored.
    prev = SERVICES.get(name)
    SERVICES[name] = service
    try:
        spec = _call(source, f"service {name!r}: random_spec", service.random_spec, random.Random(0),
                     SMOKE_DIFFICULTY)
        if not isinstance(spec, TaskSpec) or spec.service != name:
            raise PluginError(f"{where}: random_spec must return a TaskSpec for {name!r}, got {spec!r}")
        try:
            service.check(spec)
        except TaskSpecError as exc:
            raise PluginError(f"{where}: random_spec gave a spec its own check refuses: {exc}") from exc
        payload = _call(source, f"service {name!r}: solve", service.solve, spec)
        if not isinstance(payload, bytes):
            raise PluginError(f"{where}: solve must return bytes, got {type(payload).__name__}")
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise PluginError(f"{where}: solve returned {len(payload)} bytes, limit {MAX_PAYLOAD_BYTES}")
        if _call(source, f"service {name!r}: verify", service.verify, spec, payload) is not True:
            raise PluginError(f"{where}: verify(spec, solve(spec)) must be True")
        bad = _call(source, f"service {name!r}: corrupt", service.corrupt, spec, payload)
        if not isinstance(bad, bytes):
            raise PluginError(f"{where}: corrupt must return bytes, got {type(bad).__name__}")
        if _call(source, f"service {name!r}: verify", service.verify, spec, bad) is not False:
            raise PluginError(f"{where}: verify must return False for corrupt(spec, payload) (the cheat "
                              f"has to be detectable)")
        if _call(source, f"service {name!r}: verify", service.verify, spec, b"\xff garbage") is not False:
            raise PluginError(f"{where}: verify must return False (not raise) on garbage bytes")
        units = _call(source, f"service {name!r}: cost_units", service.cost_units, spec)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise PluginError(f"{where}: cost_units must return a positive int, got {units!r}")
    except BaseException:
        if old is None:
            SERVICES.pop(name, None)
        else:
            SERVICES[name] = prev
        raise
    SERVICES.add(name, service, source)
    return service


def register_persona(persona: Any, source: str = BUILTIN) -> Any:
    """Validate `persona` (a `personas.Persona`, possibly a subclass with its own strategy) and add it."""
    from agents.cognition.constants import VALUE_DIMENSIONS, VALUE_WEIGHT_MAX, VALUE_WEIGHT_MIN
    from agents.market.personas import Behaviour, Persona
    from agents.market.pricing import PricingParams

    if not isinstance(persona, Persona):
        raise PluginError(f"{source}: expected a Persona instance (agents.market.personas.Persona), "
                          f"got {type(persona).__name__}")
    name = persona.name
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"{source}: persona name {name!r} must match {NAME_RE.pattern}")
    where = f"{source}: persona {name!r}"
    v = persona.values
    n = len(VALUE_DIMENSIONS)
    if not isinstance(v, tuple) or len(v) != n or not all(isinstance(w, (int, float)) for w in v):
        raise PluginError(f"{where}: values must be a tuple of {n} numbers ({', '.join(VALUE_DIMENSIONS)})")
    if abs(sum(v) - 1.0) > 1e-9:
        raise PluginError(f"{where}: values must sum to 1, got {sum(v):.6g}")
    if not all(VALUE_WEIGHT_MIN <= w <= VALUE_WEIGHT_MAX for w in v):
        raise PluginError(f"{where}: every value weight must be in [{VALUE_WEIGHT_MIN}, {VALUE_WEIGHT_MAX}]")
    if not isinstance(persona.behaviour, Behaviour):
        raise PluginError(f"{where}: behaviour must be a Behaviour, got {type(persona.behaviour).__name__}")
    if not isinstance(persona.pricing, PricingParams):
        raise PluginError(f"{where}: pricing must be PricingParams, got {type(persona.pricing).__name__}")
    for hook in ("deliver", "evaluate", "should_dispute"):
        if not callable(getattr(persona, hook, None)):
            raise PluginError(f"{where}: {hook} must be a method")
    PERSONAS.add(name, persona, source)
    return persona


# ------------------------------------------------------------------ discovery
_ENTRY_POINTS_LOADED = False


def _as_list(obj: Any) -> list[Any]:
    if isinstance(obj, (list, tuple)):
        return list(obj)
    return [obj]


def _register_all(kind: str, objs: Iterable[Any], source: str, expect_name: str | None = None) -> list[str]:
    fn = register_service if kind == "service" else register_persona
    names = []
    objs = list(objs)
    if expect_name is not None and len(objs) == 1 and getattr(objs[0], "name", None) != expect_name:
        raise PluginError(f"{source}: the entry point is called {expect_name!r} but gives the {kind} "
                          f"{getattr(objs[0], 'name', None)!r}; use one name")
    for obj in objs:
        fn(obj, source)
        names.append(obj.name)
    return names


def load_entry_points(force: bool = False) -> list[str]:
    """Register every installed `emergent.services` / `emergent.personas` entry point (once per process)."""
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED and not force:
        return []
    _ENTRY_POINTS_LOADED = True  # set first: a bad plugin is reported once, not on every lookup
    import agents.market.personas  # noqa: F401 - built-ins first, so clashes name the plugin
    import agents.market.services  # noqa: F401

    loaded = []
    for group, kind in ((SERVICE_GROUP, "service"), (PERSONA_GROUP, "persona")):
        for ep in sorted(metadata.entry_points(group=group), key=lambda e: (e.value, e.name)):
            dist = getattr(ep.dist, "name", None) if getattr(ep, "dist", None) else None
            source = f"entry point {group}:{ep.name} ({dist or ep.value})"
            try:
                obj = ep.load()
            except Exception as exc:  # noqa: BLE001
                raise PluginError(f"{source}: cannot import {ep.value}: {type(exc).__name__}: {exc}") from exc
            loaded += _register_all(kind, _as_list(obj), source, expect_name=ep.name)
    return loaded


def load_plugin_file(path: str | Path) -> list[str]:
    """Import a plugin module from a file and register its `SERVICES` and `PERSONAS`; returns the names."""
    import agents.market.personas  # noqa: F401
    import agents.market.services  # noqa: F401

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
        except Exception as exc:  # noqa: BLE001
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
        names += _register_all("service", _as_list(services), source)
    if personas is not None:
        names += _register_all("persona", _as_list(personas), source)
    return names


def load_plugins(paths: Iterable[str | Path] = (), entry_points: bool = True) -> list[str]:
    """Entry points (once) and then the given plugin files; returns the names registered now."""
    names = load_entry_points() if entry_points else []
    for path in paths:
        names += load_plugin_file(path)
    return names


def describe() -> list[tuple[str, str, str]]:
    """(kind, name, source) for everything registered, for `--help`-style listings and reports."""
    return ([("service", n, SERVICES.sources[n]) for n in SERVICES]
            + [("persona", n, PERSONAS.sources[n]) for n in PERSONAS])
