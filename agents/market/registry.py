"""The registry of services and personas, and installed plugins' entry points.

Knows nothing of what it holds: `services.py` and `personas.py` install the validator of their
registry (`SERVICES.validate`, `PERSONAS.validate`) and register their built-ins through it;
`plugins.py` loads users' plugin files. Installed distributions with entry points in the groups
`emergent.services` / `emergent.personas` are discovered once per process and group, on the first
lookup of an unknown name (`load_entry_points`), after the group's built-ins (so a clash names the
plugin). Import order is one way: registry <- services, personas <- plugins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from importlib import metadata
from typing import Any

SERVICE_GROUP = "emergent.services"
PERSONA_GROUP = "emergent.personas"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SMOKE_DIFFICULTY = 0.3  # the runtime's PolicyConfig.difficulty: the spec size agents actually trade
BUILTIN = "built-in"


class PluginError(ValueError):
    """A plugin that cannot be used; the message names the plugin and what is wrong with it."""


class Registry(dict[str, Any]):
    """name -> object, remembering where each came from (`sources`). A plain dict for readers."""

    def __init__(self, kind: str, group: str) -> None:
        super().__init__()
        self.kind = kind
        self.group = group
        self.sources: dict[str, str] = {}
        # validate-and-add, installed by the module that defines what this registry holds
        self.validate: Callable[[Any, str], Any] | None = None
        self.entry_points_loaded = False

    def add(self, name: str, obj: Any, source: str) -> None:
        old = self.sources.get(name)
        if old is not None and old != source:
            raise PluginError(
                f"{source}: {self.kind} {name!r} clashes with the {self.kind} of that name "
                f"from {old}; rename it"
            )
        self[name] = obj
        self.sources[name] = source

    def register(self, obj: Any, source: str = BUILTIN) -> Any:
        """Validate `obj` and add it (through the validator of its module); returns it."""
        if self.validate is None:
            raise PluginError(
                f"{source}: no {self.kind}s can be registered before agents.market.{self.kind}s is imported"
            )
        return self.validate(obj, source)

    def remove_source(self, source: str) -> None:
        """Forget everything `source` registered (tests; a plugin file reloaded under another name)."""
        for name in [n for n, s in self.sources.items() if s == source]:
            del self[name]
            del self.sources[name]


SERVICES: Registry = Registry("service", SERVICE_GROUP)
PERSONAS: Registry = Registry("persona", PERSONA_GROUP)


def call_plugin(source: str, what: str, fn: Any, *args: Any) -> Any:
    """`fn(*args)`, a plugin's code: any exception it raises becomes one PluginError line."""
    try:
        return fn(*args)
    except PluginError:
        raise
    except Exception as exc:  # the plugin's own bug, reported as one line
        raise PluginError(f"{source}: {what} raised {type(exc).__name__}: {exc}") from exc


def as_list(obj: Any) -> list[Any]:
    if isinstance(obj, list | tuple):
        return list(obj)
    return [obj]


def register_all(
    registry: Registry, objs: Iterable[Any], source: str, expect_name: str | None = None
) -> list[str]:
    names = []
    objs = list(objs)
    if expect_name is not None and len(objs) == 1 and getattr(objs[0], "name", None) != expect_name:
        raise PluginError(
            f"{source}: the entry point is called {expect_name!r} but gives the {registry.kind} "
            f"{getattr(objs[0], 'name', None)!r}; use one name"
        )
    for obj in objs:
        registry.register(obj, source)
        names.append(obj.name)
    return names


def load_entry_points(force: bool = False) -> list[str]:
    """Register the installed entry points of every group whose built-ins are in (once per process and
    group); returns the names registered now."""
    loaded = []
    for registry in (SERVICES, PERSONAS):
        if registry.validate is None or (registry.entry_points_loaded and not force):
            continue
        registry.entry_points_loaded = True  # set first: a bad plugin is reported once, not on every lookup
        group = registry.group
        for ep in sorted(metadata.entry_points(group=group), key=lambda e: (e.value, e.name)):
            dist = getattr(ep.dist, "name", None) if getattr(ep, "dist", None) else None
            source = f"entry point {group}:{ep.name} ({dist or ep.value})"
            try:
                obj = ep.load()
            except Exception as exc:  # a broken installed plugin is one line
                raise PluginError(f"{source}: cannot import {ep.value}: {type(exc).__name__}: {exc}") from exc
            loaded += register_all(registry, as_list(obj), source, expect_name=ep.name)
    return loaded


def forget_entry_points() -> None:
    """The next lookup of an unknown name discovers entry points again (tests)."""
    SERVICES.entry_points_loaded = PERSONAS.entry_points_loaded = False


def describe() -> list[tuple[str, str, str]]:
    """(kind, name, source) for everything registered, for `--help`-style listings and reports."""
    return [("service", n, SERVICES.sources[n]) for n in SERVICES] + [
        ("persona", n, PERSONAS.sources[n]) for n in PERSONAS
    ]
