"""`emergent sweep`: one scenario over a grid of parameters and seeds, each run on its own anvil, in
parallel on Ray; then sweep.csv (a row per run) and sweep.html (the KPIs per combination, mean and
spread over the seeds). docs/scenarios.md has the usage and the KPI definitions.

    emergent sweep --scenario scenarios/supply-chain.yaml \
        --param escrow.collateralRatioBps=1000,2000,4000 --seeds 3

- `--param NAME=V1,V2,...` (repeatable): a governed contract parameter (set by the Timelock before
  the agents start) or a dotted path into the scenario (`cycles`, `agents.0.count`,
  `shocks.0.factor`); every combination of every --param is run for every seed;
- seeds are the scenario's seed, +1, +2, ...;
- each run is a Ray task that runs `emergent simulate` for that combination in a subprocess (own anvil
  on a free port, own output directory `<out>/runs/<id>/`), and returns the run's KPIs;
- Ray: local by default with `num_cpus` (2) CPUs, no dashboard, quiet logs, a small object store;
  `--address` joins an existing cluster instead (every node needs this project at the same path,
  with its venv and anvil: `make install`).
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, pstdev
from typing import Any

from agents.paths import PROJECT_ROOT

BAD = ("rejected", "expired", "disputed_client_won")
OBJECT_STORE_BYTES = 100 * 1024 * 1024  # Ray's object store holds only the small KPI dicts here


class SweepError(ValueError):
    """A sweep that cannot start (bad --param, scenario error); one line."""


@dataclass
class Run:
    id: str
    params: dict[str, Any]
    seed: int
    out: Path
    status: str = "pending"  # pending | running | done | failed
    kpis: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0


def parse_param(text: str) -> tuple[str, list[Any]]:
    """`name=v1,v2` -> (name, [v1, v2]); integers and floats are parsed, other values kept as text."""
    if "=" not in text:
        raise SweepError(f"--param {text!r}: expected NAME=V1,V2,...")
    name, _, values = text.partition("=")
    name = name.strip()
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not name or not items:
        raise SweepError(f"--param {text!r}: expected NAME=V1,V2,...")

    def conv(v: str) -> Any:
        for t in (int, float):
            try:
                return t(v)
            except ValueError:
                pass
        return {"true": True, "false": False}.get(v.lower(), v)

    return name, [conv(v) for v in items]


def plan_runs(scenario: Path, params: list[tuple[str, list[Any]]], seeds: int, out: Path) -> list[Run]:
    """Every combination x every seed; each combination is validated before anything starts."""
    from agents.sim.scenario import ScenarioError, load_scenario

    names = [n for n, _ in params]
    if len(set(names)) != len(names):
        raise SweepError("a --param name is given twice")
    if seeds < 1:
        raise SweepError("--seeds must be at least 1")
    runs = []
    for combo in itertools.product(*[vals for _, vals in params]) if params else [()]:
        overrides = dict(zip(names, combo, strict=True))
        try:
            sc = load_scenario(scenario, overrides)
        except ScenarioError as exc:
            raise SweepError(str(exc)) from None
        for k in range(seeds):
            seed = sc.seed + k
            rid = "_".join(f"{n.split('.')[-1]}-{v}" for n, v in overrides.items()) or "base"
            rid = f"{rid}_seed-{seed}"
            runs.append(Run(rid, overrides, seed, out / "runs" / rid))
    return runs


# ------------------------------------------------------------------ one run (a Ray task's body)
def run_one(scenario: str, overrides: dict[str, Any], seed: int, out: str) -> dict[str, Any]:
    """Run one combination in a subprocess (its own anvil); returns {"kpis", "seconds"} or {"error"}."""
    t0 = time.monotonic()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = {"scenario": scenario, "overrides": {**overrides, "seed": seed}, "out": str(out_dir)}
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = os.pathsep.join(
        [str(PROJECT_ROOT / "node_modules" / ".bin"), str(Path(sys.executable).parent), env.get("PATH", "")]
    )
    with open(out_dir / "run.log", "w") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "agents.sim.sweep", "run-one", json.dumps(spec)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(PROJECT_ROOT),
            env=env,
            check=False,
        )
    seconds = time.monotonic() - t0
    metrics = out_dir / "metrics.json"
    if proc.returncode != 0 or not metrics.is_file():
        tail = (out_dir / "run.log").read_text().strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {proc.returncode}: {tail[0][:300]}", "seconds": seconds}
    from agents.sim.metrics import Metrics

    return {"kpis": kpis(Metrics.load(metrics)), "seconds": seconds}


def _run_one_here(spec: dict[str, Any]) -> None:
    """The subprocess: load the scenario with the overrides and run the simulation."""
    from agents.paths import ensure_tool_path
    from agents.sim.scenario import load_scenario, to_sim_config
    from agents.sim.simulate import run

    ensure_tool_path()
    sc = load_scenario(spec["scenario"], spec["overrides"])
    cfg = to_sim_config(sc, Path(spec["out"]))
    run(cfg, echo=print)


def kpis(m: Any) -> dict[str, Any]:
    """The figures a sweep compares (floats; None where a run had nothing to measure)."""
    outcomes = m.jobs_by_outcome()
    settled = sum(v for k, v in outcomes.items() if k != "open")
    bad = sum(outcomes.get(k, 0) for k in BAD)
    gini = m.gini_series()
    out: dict[str, Any] = {
        "jobs": float(len(m.jobs)),
        "completed_share": (outcomes.get("completed", 0) + outcomes.get("disputed_provider_won", 0)) / settled
        if settled
        else None,
        "failed_share": bad / settled if settled else None,
        "gini": gini[-1][1] if gini else None,
        "slashed_tokens": sum(s.amount for s in m.slashes) / m.token_unit,
        "proposals_executed": float(sum(1 for p in m.proposals.values() if p.state == "Executed")),
    }
    for svc, k in sorted(m.market_kpis().items()):
        priced = [r[1] for r in k["series"] if r[1] is not None]
        out[f"{svc}.price"] = priced[-1] / m.token_unit if priced else None
        out[f"{svc}.volatility"] = k["volatility"]
        out[f"{svc}.spread"] = k["spread"]
        out[f"{svc}.hhi"] = k["hhi"] if k["providers"] else None
    return out


# ------------------------------------------------------------------ Ray
def init_ray(address: str | None, num_cpus: int) -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a pinned dependency
        raise SweepError("ray is not installed (make install)") from exc
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    os.environ.setdefault("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")  # silences a FutureWarning (no GPUs)
    import logging

    common = dict(
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.WARNING,
        ignore_reinit_error=True,
        configure_logging=True,
    )
    if address:
        ray.init(address=address, **common)
    else:
        ray.init(num_cpus=num_cpus, object_store_memory=OBJECT_STORE_BYTES, **common)
    return ray


def sweep(
    scenario: Path,
    params: list[tuple[str, list[Any]]],
    seeds: int,
    out: Path,
    address: str | None = None,
    num_cpus: int = 2,
    progress: Callable[[int, int, int, list[Run]], None] | None = None,
) -> list[Run]:
    """Plan, run on Ray, write sweep.csv + sweep.html; returns the runs (failed ones carry their error)."""
    runs = plan_runs(scenario, params, seeds, out)
    out.mkdir(parents=True, exist_ok=True)
    ray = init_ray(address, num_cpus)
    try:

        class Progress:  # a Ray actor: ray.remote(Progress) below
            def __init__(self) -> None:
                self.running: set[str] = set()

            def started(self, rid: str) -> None:
                self.running.add(rid)

            def finished(self, rid: str) -> None:
                self.running.discard(rid)

            def get(self) -> list[str]:
                return sorted(self.running)

        # ray.remote is called, not used as a decorator: for mypy a class decorator does not change
        # the class, and ray (from init_ray) is untyped, an untyped decorator on `task`.
        tracker = ray.remote(Progress).remote()

        def task(
            rid: str, scenario: str, overrides: dict[str, Any], seed: int, out: str, tracker: Any
        ) -> Any:
            tracker.started.remote(rid)
            try:
                return run_one(scenario, overrides, seed, out)
            finally:
                tracker.finished.remote(rid)

        remote_task = ray.remote(num_cpus=1, max_retries=0)(task)
        refs = {
            remote_task.remote(r.id, str(scenario.resolve()), r.params, r.seed, str(r.out), tracker): r
            for r in runs
        }
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1, timeout=1.0)
            for ref in ready:
                r = refs[ref]
                try:
                    res = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a crashed task is one failed run
                    res = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}
                r.seconds = float(res.get("seconds", 0.0))
                if "error" in res:
                    r.status, r.error = "failed", res["error"]
                else:
                    r.status, r.kpis = "done", res["kpis"]
            running = set(ray.get(tracker.get.remote()))
            for r in runs:
                if r.status in ("pending", "running"):
                    r.status = "running" if r.id in running else "pending"
            if progress:
                finished = sum(r.status in ("done", "failed") for r in runs)
                progress(finished, sum(r.status == "running" for r in runs), len(runs), runs)
    finally:
        ray.shutdown()
    write_csv(runs, out / "sweep.csv")
    write_html(runs, params, scenario, out / "sweep.html")
    return runs


# ------------------------------------------------------------------ outputs
def kpi_names(runs: list[Run]) -> list[str]:
    names: list[str] = []
    for r in runs:
        for k in r.kpis:
            if k not in names:
                names.append(k)
    return names


def write_csv(runs: list[Run], path: Path) -> Path:
    pnames = list(runs[0].params) if runs else []
    knames = kpi_names(runs)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["run", *pnames, "seed", "status", "seconds", *knames, "error"])
        for r in runs:
            w.writerow(
                [
                    r.id,
                    *[r.params[p] for p in pnames],
                    r.seed,
                    r.status,
                    round(r.seconds, 1),
                    *["" if r.kpis.get(k) is None else r.kpis[k] for k in knames],
                    r.error,
                ]
            )
    return path


def summarise(runs: list[Run]) -> list[dict[str, Any]]:
    """Per combination: {params, runs, failed, kpis: {name: (mean, std, min, max, n)}} over its seeds."""
    groups: dict[str, list[Run]] = {}
    for r in runs:
        groups.setdefault(json.dumps(r.params, sort_keys=True), []).append(r)
    out = []
    for key, rs in groups.items():
        stats = {}
        for k in kpi_names(runs):
            vals = [float(r.kpis[k]) for r in rs if r.status == "done" and r.kpis.get(k) is not None]
            stats[k] = (mean(vals), pstdev(vals), min(vals), max(vals), len(vals)) if vals else None
        out.append(
            {
                "params": json.loads(key),
                "runs": len(rs),
                "failed": sum(r.status == "failed" for r in rs),
                "kpis": stats,
            }
        )
    return out


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _svg(rows: list[dict[str, Any]], kpi: str, width: int = 420, height: int = 150) -> str:
    """Mean with a min-max bar per combination, inline SVG."""
    pts = [(i, r["kpis"][kpi]) for i, r in enumerate(rows) if r["kpis"].get(kpi)]
    if not pts:
        return ""
    lo: float = min(s[2] for _, s in pts)
    hi: float = max(s[3] for _, s in pts)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad, n = 30, len(rows)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i + 0.5) / n

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - lo) / (hi - lo)

    parts = [
        f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="4" y="14" font-size="11">{html.escape(kpi)}</text>',
        f'<text x="4" y="{y(hi) + 4:.0f}" font-size="9">{_fmt(hi)}</text>',
        f'<text x="4" y="{y(lo) + 4:.0f}" font-size="9">{_fmt(lo)}</text>',
    ]
    for i, s in pts:
        parts.append(
            f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(s[2]):.1f}" y2="{y(s[3]):.1f}" '
            f'stroke="#888" stroke-width="2"/>'
        )
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(s[0]):.1f}" r="4" fill="#1f77b4"/>')
        label = ", ".join(f"{v}" for v in rows[i]["params"].values()) or "base"
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" font-size="9" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def write_html(runs: list[Run], params: list[tuple[str, list[Any]]], scenario: Path, path: Path) -> Path:
    rows = summarise(runs)
    knames = kpi_names(runs)
    pnames = [n for n, _ in params]
    head = "".join(f"<th>{html.escape(p)}</th>" for p in pnames)
    body = []
    for r in rows:
        cells = "".join(f"<td>{html.escape(str(r['params'][p]))}</td>" for p in pnames)
        stats = []
        for k in knames:
            s = r["kpis"].get(k)
            stats.append(
                "<td>-</td>"
                if s is None
                else f"<td title='min {_fmt(s[2])}, max {_fmt(s[3])}, n {s[4]}'>{_fmt(s[0])} "
                f"<small>&plusmn; {_fmt(s[1])}</small></td>"
            )
        body.append(f"<tr>{cells}<td>{r['runs'] - r['failed']}/{r['runs']}</td>{''.join(stats)}</tr>")
    failed = [r for r in runs if r.status == "failed"]
    charts = "".join(_svg(rows, k) for k in knames)
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>Emergent sweep</title>
<style>body{{font-family:sans-serif;margin:1.5em}} table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right}} small{{color:#777}}
svg{{border:1px solid #eee;margin:4px}}</style></head><body>
<h1>Sweep: {html.escape(scenario.name)}</h1>
<p>{len(runs)} runs ({len(failed)} failed); each cell is the mean over the seeds &plusmn; the standard
deviation (hover: min, max, runs). Charts: mean (dot) and min-max over the seeds (bar) per combination.</p>
<table><tr>{head}<th>runs ok</th>{"".join(f"<th>{html.escape(k)}</th>" for k in knames)}</tr>
{"".join(body)}</table>
<div>{charts}</div>
{
        "<h2>Failed runs</h2><ul>"
        + "".join(f"<li>{html.escape(r.id)}: {html.escape(r.error)}</li>" for r in failed)
        + "</ul>"
        if failed
        else ""
    }
</body></html>"""
    path.write_text(doc)
    return path


def table_text(runs: list[Run], keys: list[str] | None = None) -> str:
    """A terminal table: per combination, mean +- std of the chosen KPIs over the seeds."""
    rows = summarise(runs)
    keys = keys or [k for k in ("completed_share", "failed_share", "gini", "jobs") if k in kpi_names(runs)]
    pnames = list(rows[0]["params"]) if rows else []
    lines = ["  ".join([*(f"{p:>24}" for p in pnames), "   ok", *(f"{k:>20}" for k in keys)])]
    for r in rows:
        vals = []
        for k in keys:
            s = r["kpis"].get(k)
            vals.append(f"{'-':>20}" if s is None else f"{_fmt(s[0]) + ' +- ' + _fmt(s[1]):>20}")
        lines.append(
            "  ".join(
                [
                    *(f"{r['params'][p]!s:>24}" for p in pnames),
                    f"{r['runs'] - r['failed']:>2}/{r['runs']:<2}",
                    *vals,
                ]
            )
        )
    return "\n".join(lines)


if __name__ == "__main__":  # the subprocess of run_one
    if len(sys.argv) == 3 and sys.argv[1] == "run-one":
        _run_one_here(json.loads(sys.argv[2]))
    else:
        sys.exit("usage: python -m agents.sim.sweep run-one SPEC_JSON")
