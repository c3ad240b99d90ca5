"""Plugins: user services and personas join the registry without editing the package; bad ones get one
clear error naming the plugin and the fault, and leave the registry as it was."""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from agents.market import plugins
from agents.market.personas import Behaviour, Persona, get_persona, persona_names
from agents.market.plugins import PluginError, load_entry_points, load_plugin_file, register_persona
from agents.market.services import (
    SERVICE_NAMES,
    TaskSpec,
    TaskSpecError,
    corrupt,
    get_service,
    service_names,
    solve,
    verify,
)
from agents.paths import PROJECT_ROOT
from tests.plugin_support import EXAMPLE_PACKAGE, forget_plugins, on_sys_path, pip_install_target

DATA = PROJECT_ROOT / "tests" / "data" / "plugins"
COLLATZ = PROJECT_ROOT / "examples" / "plugins" / "collatz.py"


@pytest.fixture(autouse=True)
def clean_registry():
    forget_plugins()
    yield
    forget_plugins()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The example plugin built and installed by pip as its own distribution (dist-info + entry points)."""
    return pip_install_target(EXAMPLE_PACKAGE, tmp_path_factory.mktemp("site"))


def _registry_state():
    return dict(plugins.SERVICES), dict(plugins.SERVICES.sources), dict(plugins.PERSONAS)


def test_builtins__are_registered_through_the_registry():
    assert service_names()[:5] == SERVICE_NAMES
    assert all(plugins.SERVICES.sources[n] == plugins.BUILTIN for n in SERVICE_NAMES)
    assert set(persona_names()) >= {"honest", "cheater", "guardian"}


def test_plugin_file__collatz_is_tradeable_and_its_cheat_is_caught():
    assert load_plugin_file(COLLATZ) == ["collatz"]
    spec = TaskSpec.decode(get_service("collatz").random_spec(random.Random(5), 0.3).encode())
    payload = solve(spec)
    assert verify(spec, payload)
    assert not verify(spec, corrupt(spec, payload))
    assert not verify(spec, b"\x00\xff")
    assert plugins.SERVICES.sources["collatz"].startswith("plugin ")
    assert load_plugin_file(COLLATZ) == ["collatz"]  # loading the same file twice is not a clash


def test_plugin_file__unknown_service_before_loading__is_refused():
    with pytest.raises(TaskSpecError, match="unknown service 'collatz'"):
        TaskSpec.decode('em1:{"p":{"count":5},"s":"collatz","seed":1}')


@pytest.mark.parametrize(
    "name, fault",
    [
        ("bad_import.py", r"bad_import.py: import failed \(line 3\): AttributeError: .*does_not_exist"),
        ("missing_method.py", r"missing_method.py: import failed .*abstract method.*verify"),
        ("wrong_types.py", r"service 'stringly': solve must return bytes, got str"),
        ("blind_verify.py", r"service 'blind': verify must return False for corrupt"),
        ("clash.py", r"service 'median' clashes with the service of that name from built-in"),
        ("nothing.py", r"defines neither SERVICES nor PERSONAS"),
        ("bad_persona.py", r"persona 'lopsided': every value weight must be in \[0.02, 0.6\]"),
        ("no_such_file.py", r"no_such_file.py: no such file"),
    ],
)
def test_bad_plugin__one_error_naming_the_fault__registry_unchanged(name, fault):
    before = _registry_state()
    with pytest.raises(PluginError, match=fault) as info:
        load_plugin_file(DATA / name)
    assert "\n" not in str(info.value)
    assert _registry_state() == before
    assert get_service("median").bounds["size"] == (3, 5_000)  # the clash did not replace the built-in


def test_two_plugins_with_one_name__second_is_refused():
    load_plugin_file(COLLATZ)
    other = Persona("honest", get_persona("honest").values, Behaviour(), "impostor")
    with pytest.raises(PluginError, match=r"persona 'honest' clashes .* from built-in"):
        register_persona(other, "plugin x.py")
    assert get_persona("honest").description != "impostor"
    import importlib.util

    spec = importlib.util.spec_from_file_location("collatz_copy", COLLATZ)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with pytest.raises(PluginError, match=r"service 'collatz' clashes .* from plugin .*collatz\.py"):
        plugins.register_service(mod.SERVICES[0], "entry point emergent.services:collatz (copy)")


def test_entry_points__installed_package_is_discovered_on_first_lookup(installed):
    assert (next(installed.glob("emergent_example_plugin-*.dist-info")) / "entry_points.txt").is_file()
    with on_sys_path(installed):
        persona = get_persona("opportunist")  # a miss triggers discovery, as in a fresh agent process
        svc = get_service("modchain")
        assert plugins.SERVICES.sources["modchain"] == (
            "entry point emergent.services:modchain (emergent-example-plugin)"
        )
        cheap = svc.random_spec(random.Random(1), 0.3)
        dear = svc.random_spec(random.Random(1), 1.0)
        rng = random.Random(0)
        assert persona.deliver(cheap, rng).honest and verify(cheap, persona.deliver(cheap, rng).payload)
        bad = persona.deliver(dear, rng)  # the strategy: cheat only where the job is expensive
        assert not bad.honest and not verify(dear, bad.payload)
        assert load_entry_points() == []  # once per process
    with pytest.raises(TaskSpecError):
        get_service("modchain")  # forgotten with the path


def test_entry_points__broken_installed_plugin__one_error_naming_the_entry_point(installed, tmp_path):
    site = tmp_path / "site"
    import shutil

    shutil.copytree(installed, site)
    (site / "emergent_example_plugin" / "__init__.py").write_text("raise ImportError('needs numpy 9')\n")
    with (
        on_sys_path(site),
        pytest.raises(
            PluginError,
            match=r"entry point emergent\.(services|personas):\w+ "
            r"\(emergent-example-plugin\): cannot import .*needs numpy 9",
        ),
    ):
        load_entry_points(force=True)


def test_cli__bad_plugin__one_error_line_and_no_chain(tmp_path):
    from agents.cli import cli

    r = CliRunner().invoke(
        cli, ["simulate", "--plugin", str(DATA / "wrong_types.py"), "--out", str(tmp_path)]
    )
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code != 0 and len(lines) == 1
    assert lines[0].startswith("Error: plugin ") and "solve must return bytes" in lines[0]
    assert not (tmp_path / "anvil.log").exists()


def test_cli__agent_run_unknown_persona__names_the_known_ones_including_plugins():
    from agents.cli import cli

    r = CliRunner().invoke(
        cli, ["agent", "run", "--persona", "cheeter", "--plugin", str(COLLATZ), "--account-index", "1"]
    )
    assert r.exit_code != 0 and "unknown persona 'cheeter'" in r.output and "guardian" in r.output
