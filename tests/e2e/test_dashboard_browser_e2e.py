"""The live dashboard in headless Chromium: the page loads from the local server (plotly.js from the
package, nothing from the network), and updates when agents' job settles on the chain.

Needs Debian's `chromium` and `chromium-driver` (`make browser` installs them). The screenshot is kept
as the test's artefact: reports/dashboard-e2e/dashboard.png (path printed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.paths import PROJECT_ROOT
from tests.e2e.conftest import close_all

pytestmark = pytest.mark.slow

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTEFACTS = PROJECT_ROOT / "reports" / "dashboard-e2e"


@pytest.fixture
def browser():
    if not (Path(CHROMIUM).exists() and shutil.which(DRIVER)):
        pytest.fail(
            "chromium and chromium-driver are missing: run `make browser` "
            "(apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1400,1500",
    ):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def _text(drv, element_id: str) -> str | None:
    """An element's text, read in one script call (the page re-renders its tables on every update, so a
    Selenium element reference can go stale between finding and reading it)."""
    return drv.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", element_id
    )


def _rows(drv, selector: str) -> list[list[str]]:
    """The cell texts of every row matching `selector`, in one script call."""
    return drv.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent));",
        selector,
    )


def _cells(drv, selector: str) -> list[str] | None:
    """The cell texts of the first row matching `selector`, in one script call (None if no such row)."""
    return drv.execute_script(
        "const r = document.querySelector(arguments[0]);"
        "return r ? Array.from(r.querySelectorAll('td')).map(td => td.textContent) : null;",
        selector,
    )


def test_dashboard__page_loads_then_shows_the_job_settling_live(economy, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from agents.dashboard.server import Dashboard

    data = economy.out / "dash-agents"
    dash = Dashboard(economy.url, economy.deployment_file, data_dir=data, poll_interval=0.2)
    url = dash.start_background()
    hosts = []
    try:
        browser.get(url)
        from selenium.common.exceptions import StaleElementReferenceException

        wait = WebDriverWait(
            browser, 60, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]
        )
        wait.until(lambda d: _text(d, "conn") == "live" and _text(d, "head") != "-")
        assert browser.execute_script("return typeof Plotly") == "object"  # the bundled plotly.js loaded
        assert browser.find_elements(By.CSS_SELECTOR, "#chart-jobs .main-svg")  # and drew the jobs chart
        assert _text(browser, "outcome-completed") == "0" and _text(browser, "job-count-completed") == "0"
        version0 = int(browser.execute_script("return document.body.dataset.version"))

        host = economy.host(
            [
                {"index": 3, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
                {"index": 4, "persona": "honest", "services": ("factor",), "overrides": {"hire_rate": 0.0}},
            ],
            seed=3,
            data="dash-agents",
        )
        hosts.append(host)
        _client, provider = (a.address for a in host.agents)

        def paid():
            return [
                e for e in economy.logs("ServiceEscrow", "PaymentReleased") if e.args["provider"] == provider
            ]

        economy.run([host], 30, until=lambda: bool(paid()))
        assert paid(), "no job was paid"
        jid = paid()[0].args["jobId"]
        # the page, without a reload, shows the settlement the chain just made (the client keeps two jobs
        # open: a second one may settle in the same block, so the count is at least one)
        completed = len(paid())
        wait.until(lambda d: int(_text(d, "outcome-completed") or 0) >= completed)
        assert int(browser.execute_script("return document.body.dataset.version")) > version0
        wait.until(
            lambda d: (
                (_cells(d, f'#jobs tr[data-job="{jid}"]') or [])[1:4] == ["factor", "completed", "completed"]
            )
        )
        settled = [r for r in _rows(browser, "#settled tbody tr") if r[1] == str(jid)]
        assert settled and settled[0][3] == "completed"
        # agents: their L4.9 status and persona from their data dirs, balances from the chain
        economy.run([host], 1)
        row = f'#agents tr[data-address="{provider}"]'
        wait.until(lambda d: (_cells(d, row) or ["-"] * 6)[5] != "-")
        chain_balance = economy.balance(provider) / 10**18  # shown to 2 decimals
        wait.until(lambda d: abs(float(_cells(d, row)[2].replace(",", "")) - chain_balance) < 0.006)
        cells = _cells(browser, row)
        assert cells[1] == "honest" and cells[5] in (
            "WARMING_UP",
            "INACTIVE",
            "ACTIVE",
            "PARTIAL",
            "ADVISORY",
        )
        assert "factor" in cells[9]
        prices = browser.execute_script(
            "return document.getElementById('chart-prices').data.map(t => t.name)"
        )
        assert "factor" in prices and "median" in prices
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTEFACTS / "dashboard.png"
        assert browser.save_screenshot(str(shot))
        print(f"\ndashboard screenshot: {shot}")
        assert shot.stat().st_size > 10_000
    finally:
        close_all(hosts)
        dash.stop()
