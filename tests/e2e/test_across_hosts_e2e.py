"""Agents on different hosts: separate data dirs, no shared folder; deliverables through one payload
service over HTTP (content-addressed, verified on fetch); the RPC behind an authenticating proxy, one
host with an API-key header, the other with user:password@ in the URL."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from agents.chain.protocol import JobStatus
from agents.market.payloads import PayloadServer
from agents.runtime.process import Host, HostConfig
from agents.sim.simulate import fund_agents
from tests.auth_proxy import AuthProxy
from tests.e2e.conftest import CYCLE_BLOCKS, START_BALANCE, close_all

pytestmark = pytest.mark.slow
COMPLETED = JobStatus.COMPLETED


def test_two_hosts__no_shared_folder__trade_through_payload_service_and_authenticated_rpc(
    economy, tmp_path, monkeypatch
):
    proxy = AuthProxy(economy.url, header=("X-Api-Key", "key-1"), basic=("agent", "pa:ss"))
    service = PayloadServer(tmp_path / "service-host" / "payloads", token="up-token").start()
    monkeypatch.setenv("EMERGENT_PAYLOAD_TOKEN", "up-token")
    client_plan = economy.plan(11, "honest", ("median",))
    provider_plan = economy.plan(12, "honest", ("factor",))
    fund_agents(economy.url, economy.deployment, [client_plan, provider_plan], START_BALANCE)
    start = economy.web3.eth.block_number + 1
    hosts: list[Host] = []

    def host(plan, rpc: str, home: str, hire_rate: float) -> Host:
        cfg = HostConfig(
            rpc=rpc,
            deployment=economy.deployment_file,
            data_dir=tmp_path / home / "agents",
            payloads=service.url,
            cycle_blocks=CYCLE_BLOCKS,
            seed=5,
            poll_interval=0.05,
            agents=[
                {
                    "key": plan.key,
                    "persona": plan.persona,
                    "services": list(plan.services),
                    "start_block": start,
                    "overrides": {"hire_rate": hire_rate},
                }
            ],
        )
        return Host(cfg)

    try:
        monkeypatch.setenv("EMERGENT_RPC_HEADERS", json.dumps({"X-Api-Key": "key-1"}))
        hosts.append(host(provider_plan, proxy.url, "host-b", 0.0))
        monkeypatch.delenv("EMERGENT_RPC_HEADERS")
        hosts.append(host(client_plan, proxy.url_with("agent", quote("pa:ss", safe="")), "host-a", 1.0))
        provider = provider_plan.address

        def paid():
            return [
                e for e in economy.logs("ServiceEscrow", "PaymentReleased") if e.args["provider"] == provider
            ]

        economy.run(hosts, 30, until=lambda: bool(paid()))
    finally:
        close_all(hosts)
        service.stop()
        proxy.close()
    assert paid(), "no job was paid"
    jid = paid()[0].args["jobId"]
    job = economy.job(jid)
    assert job[0] == client_plan.address and job[3] == COMPLETED
    deliverable = "0x" + bytes(job[9]).hex()
    # the deliverable went through the service, not a shared folder
    assert service.store.has(deliverable)
    assert not (economy.out / "payloads").exists() or not any((economy.out / "payloads").rglob(deliverable))
    client_cache = tmp_path / "host-a" / "agents" / "payload-cache"
    assert any(client_cache.rglob(deliverable))  # the evaluator fetched and verified it
    assert not (tmp_path / "host-a" / "agents").samefile(tmp_path / "host-b" / "agents")
    # every request went through the authenticating proxy, none refused
    assert proxy.forwarded > 0 and proxy.refused == 0
