"""A plugin installed as its own distribution trades on anvil: its service and persona reach the agents
through the `emergent.services` / `emergent.personas` entry points, with no edit to the package."""

from __future__ import annotations

import json

import pytest

from agents.chain.protocol import JobStatus
from agents.market import plugins
from agents.market.services import TaskSpec, commitment, solve, verify
from tests.e2e.conftest import close_all
from tests.plugin_support import EXAMPLE_PACKAGE, forget_plugins, on_sys_path, pip_install_target

pytestmark = pytest.mark.slow
COMPLETED = JobStatus.COMPLETED
FEE_BPS = 100


def test_installed_plugin__agents_trade_its_service__client_pays_for_verified_work(economy, tmp_path):
    site = pip_install_target(EXAMPLE_PACKAGE, tmp_path / "site")
    forget_plugins()  # as in a fresh process: nothing but the built-ins until discovery
    assert "modchain" not in plugins.SERVICES
    with on_sys_path(site):
        host = economy.host(
            [
                {"index": 1, "persona": "honest", "services": ("modchain",), "overrides": {"hire_rate": 1.0}},
                {
                    "index": 2,
                    "persona": "opportunist",
                    "services": ("modchain",),
                    "overrides": {"hire_rate": 0.0},
                },
            ],
            seed=4,
        )
        client, provider = (a.address for a in host.agents)
        assert plugins.SERVICES.sources["modchain"].startswith("entry point emergent.services:modchain")
        assert type(host.agents[1].persona).__name__ == "Opportunist"
        try:

            def paid():
                return [
                    e
                    for e in economy.logs("ServiceEscrow", "PaymentReleased")
                    if e.args["provider"] == provider
                ]

            economy.run([host], 30, until=paid)
        finally:
            close_all([host])
        released = paid()
        assert released, "the plugin service was never paid for"
        jid = released[0].args["jobId"]
        job = economy.job(jid)
        assert job[0] == client and job[1] == provider and job[3] == COMPLETED
        spec = TaskSpec.decode(economy.c["ServiceEscrow"].functions.descriptionOf(jid).call())
        assert spec.service == "modchain"
        # The deliverable on-chain is the commitment to the one correct payload anyone can recompute.
        submitted = next(e for e in economy.logs("ServiceEscrow", "JobSubmitted") if e.args["jobId"] == jid)
        deliverable = "0x" + bytes(submitted.args["deliverable"]).hex()
        assert deliverable == commitment(solve(spec)) and verify(spec, solve(spec))
        assert json.loads(solve(spec))["steps"] == spec.param("steps")
        assert released[0].args["amount"] == job[4] - job[4] * FEE_BPS // 10_000
        offered = {
            s["name"] for e in economy.logs("AgentRegistry", "ServicesUpdated") for s in e.args["services"]
        }
        assert "modchain" in offered
