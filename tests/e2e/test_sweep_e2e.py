"""`emergent sweep` on a local Ray: a 2x2 sweep (two collateral ratios x two seeds), each run on its
own anvil; sweep.csv and sweep.html compare the runs, and every run's chain had its parameter."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from agents.paths import PROJECT_ROOT
from agents.runtime.store import AgentStore

pytestmark = pytest.mark.slow
TINY = PROJECT_ROOT / "tests" / "data" / "scenarios" / "tiny.yaml"


def test_sweep_2x2__every_run_on_its_own_chain_with_its_parameter__csv_and_html(tmp_path):
    from agents.cli import cli

    out = tmp_path / "sweep"
    r = CliRunner().invoke(
        cli,
        [
            "sweep",
            "--scenario",
            str(TINY),
            "--param",
            "escrow.collateralRatioBps=1000,4000",
            "--seeds",
            "2",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert len(rows) == 4 and all(row["status"] == "done" for row in rows), rows
    assert sorted((row["escrow.collateralRatioBps"], row["seed"]) for row in rows) == [
        ("1000", "3"),
        ("1000", "4"),
        ("4000", "3"),
        ("4000", "4"),
    ]
    urls = set()
    for row in rows:
        run_dir = out / "runs" / row["run"]
        metrics = json.loads((run_dir / "metrics.json").read_text())
        info = metrics["info"]
        urls.add(info["rpc"])
        ratio = int(row["escrow.collateralRatioBps"])
        assert info["scenario"]["contracts_applied"] == [f"escrow.collateralRatioBps = {ratio}"]
        # the agents traded under it: their memory read the escrow's parameter from that chain
        stores = list((run_dir / "agents").glob("*/agent.sqlite"))
        assert stores
        for path in stores:
            with AgentStore(path) as s:
                assert s.get_state("memory")["params"]["collateralRatioBps"] == ratio
        # the csv row is that run's own metrics: its job count is the jobs its metrics.json recorded
        assert float(row["jobs"]) == len(metrics["jobs"]) and row["gini"] != ""
    assert len(urls) == 4  # four anvils
    page = (out / "sweep.html").read_text()
    assert "<svg" in page and "&plusmn;" in page and "completed_share" in page
    assert "runs done 4/4" in r.output
