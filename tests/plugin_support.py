"""Helpers for plugin tests: install the example plugin package as a separate distribution, and
forget what a test registered."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from agents.market import plugins, registry
from agents.paths import PROJECT_ROOT

EXAMPLE_PACKAGE = PROJECT_ROOT / "examples" / "plugins" / "emergent-example-plugin"


def pip_install_target(package: Path, target: Path) -> Path:
    """`pip install --target` the package (a real build: wheel, dist-info, entry_points.txt), offline."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(package),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return target


def forget_plugins() -> None:
    """Drop every non-built-in registration and let the next lookup rediscover entry points."""
    for reg in (plugins.SERVICES, plugins.PERSONAS):
        for source in {s for s in reg.sources.values() if s != plugins.BUILTIN}:
            reg.remove_source(source)
    registry.forget_entry_points()


@contextmanager
def on_sys_path(path: Path):
    sys.path.insert(0, str(path))
    try:
        yield path
    finally:
        sys.path.remove(str(path))
        for name in [
            m
            for m in sys.modules
            if m == "emergent_example_plugin" or m.startswith("emergent_example_plugin.")
        ]:
            del sys.modules[name]
        forget_plugins()
