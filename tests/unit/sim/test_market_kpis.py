"""Market KPIs per service (metrics["market"][service]): volatility, bid-ask spread, concentration."""

from __future__ import annotations

import itertools
import math

import pytest

from agents.sim.metrics import JobRecord, Metrics, market_summary

A, B, C = "0x" + "a" * 40, "0x" + "b" * 40, "0x" + "c" * 40


def _m() -> Metrics:
    m = Metrics()
    m.record_asks(0, A, {"median": 100, "merkle": 50})
    m.record_asks(0, B, {"median": 120})
    m.record_asks(2, A, {"median": 110, "merkle": 50})
    m.record_asks(3, B, {"merkle": 40})  # B leaves median for merkle
    return m


def test_books__a_service_missing_from_an_update_leaves_that_providers_book():
    books = _m().books()
    assert books[1]["median"] == {A: 100, B: 120}
    assert books[2]["median"] == {A: 110, B: 120}
    assert books[3]["median"] == {A: 110} and books[3]["merkle"] == {A: 50, B: 40}


def test_volatility__std_of_log_changes_of_the_median_ask():
    k = _m().market_kpis()["median"]
    meds = [110.0, 110.0, 115.0, 110.0]  # cycles 0..3: median(100,120), same, median(110,120), 110
    rets = [math.log(b / a) for a, b in itertools.pairwise(meds)]
    mean = sum(rets) / len(rets)
    assert k["volatility"] == pytest.approx(math.sqrt(sum((r - mean) ** 2 for r in rets) / len(rets)))
    assert [row[2] for row in k["series"]] == [2, 2, 2, 1]  # sellers per cycle
    assert all(row[4] is None for row in k["series"])  # no trades


def test_spread__price_paid_over_best_ask():
    m = _m()
    m.record_job(
        JobRecord(1, "median", "completed", 5, C, B, budget=120, created=1)
    )  # paid B's 120, best 100
    m.record_job(JobRecord(2, "median", "completed", 5, C, A, budget=100, created=1))
    m.record_job(JobRecord(3, "median", "expired", 6, C, A, budget=110, created=3))  # best 110: premium 0
    k = m.market_kpis()["median"]
    assert k["spread"] == pytest.approx(((110 - 100) / 100 + 0.0) / 2)
    assert [row[4] for row in k["series"]][:4] == [None, 110, None, 110]  # mean price paid per cycle


def test_hhi__one_provider_is_one_equal_split_is_one_over_n():
    m = _m()
    m.record_job(JobRecord(1, "merkle", "completed", 5, C, A, budget=50, created=1))
    assert m.market_kpis()["merkle"]["hhi"] == 1.0
    m.record_job(JobRecord(2, "merkle", "completed", 5, C, B, budget=50, created=4))
    assert m.market_kpis()["merkle"]["hhi"] == pytest.approx(0.5)
    assert m.market_kpis()["median"]["hhi"] == 0.0 and m.market_kpis()["median"]["spread"] is None


def test_market__in_metrics_json_and_round_trips():
    m = _m()
    m.record_job(JobRecord(1, "median", "completed", 5, C, A, budget=100, created=2))
    d = Metrics.from_json(m.to_json()).to_dict()
    assert set(d["market"]) == {"median", "merkle"}
    assert set(d["market"]["median"]) >= {"volatility", "spread", "hhi"}
    assert d["market"] == m.to_dict()["market"]
    assert "median" in market_summary(m, unit=1)
