"""Sweep planning and outputs (the Ray run itself: tests/e2e/test_sweep_e2e.py)."""

from __future__ import annotations

import csv

import pytest

from agents.paths import PROJECT_ROOT
from agents.sim.sweep import (
    Run,
    SweepError,
    parse_param,
    plan_runs,
    summarise,
    table_text,
    write_csv,
    write_html,
)

TINY = PROJECT_ROOT / "tests" / "data" / "scenarios" / "tiny.yaml"


def test_parse_param__values_typed():
    assert parse_param("escrow.collateralRatioBps=1000,2000") == ("escrow.collateralRatioBps", [1000, 2000])
    assert parse_param("shocks.0.factor=1.5, 3") == ("shocks.0.factor", [1.5, 3])
    with pytest.raises(SweepError, match="expected NAME=V1,V2"):
        parse_param("escrow.feeBps")


def test_plan__every_combination_times_every_seed(tmp_path):
    grid = [("escrow.collateralRatioBps", [1000, 4000]), ("cycles", [4, 5, 6])]
    runs = plan_runs(TINY, grid, 2, tmp_path)
    assert len(runs) == 12 and len({r.id for r in runs}) == 12
    assert {r.seed for r in runs} == {3, 4}
    assert {(r.params["escrow.collateralRatioBps"], r.params["cycles"]) for r in runs} == {
        (a, b) for a in (1000, 4000) for b in (4, 5, 6)
    }


def test_plan__a_bad_value_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(SweepError, match=r"tiny.yaml: agents\[0\].persona: unknown persona 'wizard'"):
        plan_runs(TINY, [("agents.0.persona", ["honest", "wizard"])], 1, tmp_path)
    with pytest.raises(SweepError, match=r"tiny\.yaml: escrow: unknown key"):  # not a governed parameter
        plan_runs(TINY, [("escrow.nope", [1])], 1, tmp_path)


def test_outputs__mean_and_spread_over_seeds(tmp_path):
    runs = [
        Run("a1", {"x": 1}, 1, tmp_path, "done", {"gini": 0.2, "jobs": 10.0}),
        Run("a2", {"x": 1}, 2, tmp_path, "done", {"gini": 0.4, "jobs": 14.0}),
        Run("b1", {"x": 2}, 1, tmp_path, "failed", error="exit 1: boom"),
        Run("b2", {"x": 2}, 2, tmp_path, "done", {"gini": 0.1, "jobs": None}),
    ]
    rows = summarise(runs)
    a = next(r for r in rows if r["params"] == {"x": 1})
    assert a["kpis"]["gini"][:2] == pytest.approx((0.3, 0.1)) and a["kpis"]["jobs"][4] == 2
    b = next(r for r in rows if r["params"] == {"x": 2})
    assert b["failed"] == 1 and b["kpis"]["jobs"] is None and b["kpis"]["gini"][4] == 1
    rows_csv = list(csv.DictReader(write_csv(runs, tmp_path / "s.csv").read_text().splitlines()))
    assert [r["status"] for r in rows_csv] == ["done", "done", "failed", "done"]
    assert rows_csv[2]["error"] == "exit 1: boom" and rows_csv[0]["x"] == "1"
    page = write_html(runs, [("x", [1, 2])], TINY, tmp_path / "s.html").read_text()
    assert "<svg" in page and "0.3 <small>&plusmn; 0.1</small>" in page and "boom" in page
    assert "0.3 +- 0.1" in table_text(runs, ["gini"])
