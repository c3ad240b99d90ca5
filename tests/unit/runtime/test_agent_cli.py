"""`emergent agent run/status` and `emergent simulate`: bad input gets one clear line and starts nothing;
`agent status` shows what an agent's store holds; simulate checks everything before creating anything."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from agents.cli import cli
from agents.cli_common import InputError
from agents.runtime.cli import parse_persona, read_agent
from agents.runtime.store import AgentStore
from agents.sim.metrics import AgentSample, Metrics
from agents.sim.report import summary_text

KEY = "0x" + "11" * 32
ME = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.delenv("EMERGENT_AGENT_KEY", raising=False)
    monkeypatch.delenv("EMERGENT_RPC", raising=False)
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path / "deployments"))
    return CliRunner()


def _lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--persona", "honest"], "give --key"),
        (["--persona", "honest", "--key", "0x1234"], "32 bytes of hex"),
        (["--persona", "honest", "--key", KEY, "--account-index", "1"], "only one of"),
        (["--persona", "honest", "--key", KEY, "--services", "factor,astrology"], "unknown service"),
        (["--persona", "honest", "--key", KEY, "--network", "ethereum:sepolia"], "--rpc is required"),
        (["--persona", "wizard", "--key", KEY], "unknown persona 'wizard' (known: honest, undercutter"),
        (["--persona", "honest", "--key", KEY, "--gas-budget", "lots"], "ETH"),
        (["--persona", "honest", "--key", KEY, "--rpc", "localhost"], "--rpc must be an http(s) URL"),
        (["--persona", "honest", "--key", KEY, "--network", "http://127.0.0.1:8545"], "a URL goes to --rpc"),
    ],
)
def test_agent_run__bad_input__one_line_exit_2(runner, args, message):
    result = runner.invoke(cli, ["agent", "run", *args])
    assert result.exit_code == 2, result.output
    [line] = _lines(result)
    assert line.startswith("Error: ") and message in line


def test_agent_run__no_deployment_file__one_line_exit_1(runner, tmp_path):
    result = runner.invoke(
        cli,
        ["agent", "run", "--persona", "honest", "--key", KEY, "--deployment", str(tmp_path / "missing.json")],
    )
    assert result.exit_code == 1
    assert _lines(result) == [
        f"Error: no deployments file at {tmp_path / 'missing.json'}: deploy first (`emergent devnet`)"
    ]


def test_agent_run__no_devnet__the_same_line_as_every_command(runner):
    port = _closed_port()
    result = runner.invoke(
        cli,
        ["agent", "run", "--persona", "no-show", "--account-index", "3", "--rpc", f"http://127.0.0.1:{port}"],
    )
    assert result.exit_code == 1
    assert _lines(result) == [
        f"Error: no devnet is running at http://127.0.0.1:{port}: start one with "
        f"`emergent devnet --port {port}`"
    ]


@pytest.mark.parametrize("raw", ["no-show", "noshow", "no_show", "No Show", "NO-SHOW"])
def test_parse_persona__readme_spellings(raw):
    assert parse_persona(raw) == "no_show"


def test_parse_persona__frivolous_disputer_and_unknown():
    assert parse_persona("frivolous-disputer") == parse_persona("frivolous disputer") == "frivolous_disputer"
    with pytest.raises(InputError, match="unknown persona 'guardians'"):
        parse_persona("guardians")


# --- agent status ----------------------------------------------------------------------------------


def _agent_dir(tmp_path):
    d = tmp_path / "agents" / ME.lower()
    d.mkdir(parents=True)
    store = AgentStore(d / "agent.sqlite")
    mem = {
        "me": ME,
        "cycle": 12,
        "start_block": 1,
        "last_report": {
            "cycle": 11,
            "block": 321,
            "balance": 80 * 10**21,
            "stake": 20 * 10**21,
            "reputation": 4_500,
            "ass": 0.9125,
            "ass_class": "HIGH",
            "drift": 0.01,
            "drift_class": "nominal",
            "survival": "adequate",
            "status": "STABLE",
            "authority": 0.7,
            "l49": True,
            "asks": {"factor": 14 * 10**18},
        },
        "jobs": {
            "7": {
                "client": "0x" + "1" * 40,
                "provider": ME,
                "evaluator": "0x" + "1" * 40,
                "status": 1,
                "budget": 50 * 10**18,
                "outcome": "open",
                "service": "factor",
            },
            "8": {
                "client": ME,
                "provider": "0x" + "2" * 40,
                "evaluator": ME,
                "status": 3,
                "budget": 10**18,
                "outcome": "completed",
                "service": "median",
            },
        },
    }
    store.put_state("memory", mem)
    a = store.add_intent("submit", {"job": 7})
    store.mark_sent(a, "0x" + "ab" * 32, 3)
    store.mark_done(a)
    store.add_intent("stake", {"amount": 1})
    store.close()
    return d


def test_agent_status__json__balance_stake_reputation_open_jobs_actions_l49(runner, tmp_path):
    _agent_dir(tmp_path)
    result = runner.invoke(cli, ["agent", "status", "--data-dir", str(tmp_path / "agents"), "--json"])
    assert result.exit_code == 0, result.output
    [a] = json.loads(result.output)
    assert (a["address"], a["cycle"], a["block"]) == (ME, 12, 321)
    assert (a["balance_wei"], a["stake_wei"], a["reputation"]) == (str(80 * 10**21), str(20 * 10**21), 4_500)
    assert a["open_jobs"] == [
        {"id": 7, "role": "provider", "service": "factor", "status": "funded", "budget_wei": str(50 * 10**18)}
    ]
    assert [(x["kind"], x["status"]) for x in a["last_actions"]] == [("stake", "intent"), ("submit", "done")]
    assert a["pending_actions"] == 1
    assert a["l49"]["status"] == "STABLE" and a["l49"]["ass"] == 0.9125 and a["l49"]["l49"] is True


def test_agent_status__text_panel(runner, tmp_path):
    _agent_dir(tmp_path)
    result = runner.invoke(cli, ["agent", "status", "--data-dir", str(tmp_path / "agents")])
    assert result.exit_code == 0
    for text in (
        ME,
        "80,000.0000 AGENT",
        "20,000.0000 AGENT",
        "0.4500",
        "STABLE",
        "0.912 HIGH",
        "adequate",
        "open jobs",
        "factor",
        "funded",
        "last actions",
        "submit",
        "stake",
    ):
        assert text in result.output, text


def test_agent_status__no_data_dir__one_line_exit_1(runner, tmp_path):
    result = runner.invoke(cli, ["agent", "status", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and len(_lines(result)) == 1
    assert _lines(result)[0].startswith(f"Error: no agent data in {tmp_path / 'none'}")


def test_agent_status__json_and_watch__refused(runner, tmp_path):
    result = runner.invoke(cli, ["agent", "status", "--json", "--watch"])
    assert result.exit_code == 2 and _lines(result) == ["Error: give --json or --watch, not both"]


def test_read_agent__does_not_change_the_store(tmp_path):
    d = _agent_dir(tmp_path)
    before = read_agent(d)
    assert read_agent(d)["last_actions"] == before["last_actions"]


# --- simulate: checks before anything is created --------------------------------------------------


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--agents", "3", "--personas", "honest,cheater"], 2, "--personas: 2 personas for 3 agents"),
        (["--agents", "2", "--personas", "honest,wizard"], 2, "unknown persona 'wizard'"),
        (["--network", "foo"], 2, "network must be ecosystem:network"),
        (["--network", "http://127.0.0.1:8545"], 2, "a URL goes to --rpc"),
        (["--network", "ethereum:sepolia"], 2, "simulate runs on a local network"),
        (["--rpc", "nonsense"], 2, "--rpc must be an http(s) URL"),
        (["--out", "/proc/emergent-cannot-exist"], 2, "cannot create --out /proc/emergent-cannot-exist"),
    ],
)
def test_simulate__bad_input__one_line_nothing_created(runner, tmp_path, args, code, message):
    result = runner.invoke(cli, ["simulate", *args])
    assert result.exit_code == code, result.output
    [line] = _lines(result)
    assert line.startswith("Error: ") and message in line


def test_simulate__unreachable_rpc__no_devnet_line_and_no_out_dir(runner, tmp_path):
    port = _closed_port()
    out = tmp_path / "run"
    result = runner.invoke(cli, ["simulate", "--rpc", f"http://127.0.0.1:{port}", "--out", str(out)])
    assert result.exit_code == 1
    assert _lines(result) == [
        f"Error: no devnet is running at http://127.0.0.1:{port}: start one with "
        f"`emergent devnet --port {port}`"
    ]
    assert not out.exists()


def test_simulate__non_empty_out__refused_untouched(runner, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = runner.invoke(cli, ["simulate", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


# --- the summary counts cycles as asked, has no nan, wraps ----------------------------------------


def _metrics(cycles: int, asked: int, ass: float | None) -> Metrics:
    m = Metrics(title="Emergent simulation: 1 agents " + "and a very long title " * 3)
    m.info["cycles"] = asked
    m.add_agent(ME, "no_show", "no_sho-90f7")
    for c in range(cycles):
        m.record_agent(
            ME,
            AgentSample(
                cycle=c,
                balance=10**18,
                stake=0,
                reputation=0.5,
                ass=ass,
                value_drift=0.0,
                survival_class="adequate",
                eth_balance=0,
            ),
        )
    return m


def test_summary__cycles_as_asked_no_nan():
    text = summary_text(_metrics(40, 40, None))
    assert "cycles 40 " in text and "nan" not in text
    assert "cycles 12 of 40" in summary_text(_metrics(12, 40, 0.5))


def test_summary__long_lines_wrap_instead_of_being_cut():
    m = _metrics(3, 3, 0.5)
    m.info["param_changes"] = []
    for k in range(6):
        m.record_price(f"service-with-a-long-name-{k}", 1, 10**18)
    lines = summary_text(m).splitlines()
    assert max(map(len, lines)) <= 78
    assert "service-with-a-long-name-5" in "\n".join(lines)
