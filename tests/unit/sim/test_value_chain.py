"""Value chains (issue 12, part 2): a composite `report` job's provider hires a `median` and a `merkle`
from other agents through the escrow, pays them out of the job's budget, rejects a cheating
subcontractor and hires another while its own deadline allows, and delivers a report anyone can verify
end to end. Driven by the offline market (the agents' own policy code against a model of the escrow)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import random

import pytest

from agents.chain.protocol import JobStatus
from agents.market.services import CompositeService, TaskSpec, components, corrupt, get_service, solve, verify
from agents.runtime.policy import ASSEMBLY_MARGIN
from agents.sim.offline import PARAMS, OfflineMarket

PERSONAS = ["honest", "honest", "cheater", "honest", "honest", "guardian", "guardian"]
ASSEMBLER, CHEATER, MEDIAN = 1, 2, 3


def _market(services: list[tuple[str, ...]]) -> OfflineMarket:
    m = OfflineMarket(personas=PERSONAS, seed=1, cognition=False)
    for ag, s in zip(m.agents, services, strict=True):
        ag.config = dataclasses.replace(ag.config, services=s)
    return m


def _spec(m: OfflineMarket, jid: int) -> TaskSpec:
    return TaskSpec.decode(m.descriptions[jid])


def _subs(m: OfflineMarket, parent: int) -> dict[str, list[int]]:
    """role -> ids of the sub-jobs hired for that part of `parent` (by its provider)."""
    p = m.jobs[parent]
    parts = components(_spec(m, parent))
    return {
        role: sorted(
            k for k, j in m.jobs.items() if m.descriptions[k] == ps.encode() and j.client == p.provider
        )
        for role, ps in parts.items()
    }


@pytest.fixture(scope="module")
def cheated_market() -> OfflineMarket:
    """The cheater is the only median seller for 10 cycles; then an honest one joins."""
    m = _market(
        [("factor",), ("report",), ("median",), ("factor",), ("merkle",), ("factor",), ("hashchain",)]
    )
    m.run(10)
    m.agents[MEDIAN].config = dataclasses.replace(m.agents[MEDIAN].config, services=("median",))
    return m.run(30)


def _first_rehired_report(m: OfflineMarket) -> int:
    for jid in sorted(m.jobs):
        if _spec(m, jid).service == "report" and len(_subs(m, jid)["median"]) > 1:
            return jid
    raise AssertionError("no report had its median part hired twice")


def test_cheating_subcontractor__rejected_refunded_and_replaced_before_the_composite_deadline(cheated_market):
    m = cheated_market
    addr = [a.address for a in m.agents]
    jid = _first_rehired_report(m)
    parent = m.jobs[jid]
    assert parent.provider == addr[ASSEMBLER] and parent.client != addr[ASSEMBLER]
    first, second = _subs(m, jid)["median"][:2]
    bad, good = m.jobs[first], m.jobs[second]
    # the cheat was caught by the assembler (client and evaluator of its sub-job) and refunded to it
    assert bad.provider == addr[CHEATER] and bad.status == JobStatus.REJECTED and bad.held == 0
    assert bad.evaluator == addr[ASSEMBLER] and not verify(_spec(m, first), m.payloads[bad.deliverable])
    # ... the part was hired again, from someone else, and the composite still completed in time
    assert good.provider == addr[MEDIAN] and good.status == JobStatus.COMPLETED
    assert parent.status == JobStatus.COMPLETED
    for sid in functools.reduce(operator.iadd, _subs(m, jid).values(), []):
        assert m.jobs[sid].expired_at <= parent.expired_at - ASSEMBLY_MARGIN


def test_composite_deliverable__verifies_end_to_end_against_its_sub_jobs(cheated_market):
    m = cheated_market
    jid = _first_rehired_report(m)
    spec, parent = _spec(m, jid), m.jobs[jid]
    payload = m.payloads[parent.deliverable]
    assert verify(spec, payload)
    parts = CompositeService.parts_of(payload)
    subs = _subs(m, jid)
    for role, (sub_id, part) in parts.items():
        sub = m.jobs[sub_id]
        # provenance: the part is the completed sub-job's own deliverable, from another agent, for the
        # part spec derived from the composite spec
        assert sub_id == subs[role][-1] and sub.status == JobStatus.COMPLETED
        assert sub.provider != parent.provider and sub.client == parent.provider
        assert m.descriptions[sub_id] == components(spec)[role].encode()
        assert "0x" + hashlib.sha256(part).hexdigest() == sub.deliverable


def test_sub_jobs__paid_out_of_the_composite_budget(cheated_market):
    m = cheated_market
    net = lambda b: b * (10_000 - PARAMS["feeBps"]) // 10_000  # noqa: E731
    reports = [
        j
        for j in sorted(m.jobs)
        if _spec(m, j).service == "report" and m.jobs[j].status == JobStatus.COMPLETED
    ]
    assert len(reports) >= 5
    for jid in reports:
        paid = sum(
            m.jobs[s].budget
            for s in functools.reduce(operator.iadd, _subs(m, jid).values(), [])
            if m.jobs[s].status == JobStatus.COMPLETED
        )
        assert 0 < paid <= net(m.jobs[jid].budget)


def test_no_seller_for_a_part__composite_expires_and_the_client_is_refunded():
    """Nobody sells median: the assembler hires the merkle, cannot finish, and never solves the median
    itself; its own deadline holds: the job expires and the client gets its budget back."""
    m = _market(
        [("factor",), ("report",), ("factor",), ("factor",), ("merkle",), ("factor",), ("hashchain",)]
    )
    m.run(45)
    reports = [j for j in sorted(m.jobs) if _spec(m, j).service == "report"]
    expired = [j for j in reports if m.jobs[j].status == JobStatus.EXPIRED and m.jobs[j].budget]
    assert expired and not any(m.jobs[j].deliverable for j in reports)
    assert all(not _subs(m, j)["median"] for j in reports)
    assert all(m.jobs[j].held == 0 for j in expired)  # refunded


def test_report_verify__catches_a_corrupted_part_under_a_recomputed_digest():
    svc = get_service("report")
    spec = svc.random_spec(random.Random(3), 0.1)
    good = solve(spec)
    assert verify(spec, good) and not verify(spec, corrupt(spec, good))
    parts = CompositeService.parts_of(good)
    # a part computed for other parameters, or a part left out, fails too
    other = components(svc.random_spec(random.Random(4), 0.1))
    swapped = {**parts, "merkle": (7, solve(other["merkle"]))}
    assert not verify(spec, svc.assemble(spec, swapped))
    assert not verify(spec, svc.assemble(spec, {"median": parts["median"]}))
    assert not verify(spec, b"not json")


def _records(m: OfflineMarket) -> dict[int, dict]:
    """The offline run as simulate.collect's job records (description, parties, outcome, deliverable)."""
    names = {JobStatus.COMPLETED: "completed", JobStatus.REJECTED: "rejected", JobStatus.EXPIRED: "expired"}
    return {
        jid: {
            "description": m.descriptions[jid],
            "client": j.client,
            "provider": j.provider,
            "outcome": names.get(j.status, "open"),
            "deliverable": j.deliverable,
        }
        for jid, j in m.jobs.items()
    }


def test_valuechain_link_and_check__the_report_graph_and_a_forged_provenance(cheated_market, monkeypatch):
    from agents.market import services as S
    from agents.sim import valuechain
    from agents.sim.metrics import JobRecord, Metrics

    m = cheated_market
    # the offline market commits sha256, the chain keccak256: check provenance the offline way
    monkeypatch.setattr(valuechain, "commitment", lambda p: "0x" + hashlib.sha256(p).hexdigest())
    jobs = _records(m)
    composites = valuechain.link(jobs)
    jid = _first_rehired_report(m)
    assert composites[jid] == {role: ids[-1] for role, ids in _subs(m, jid).items()}
    fetch = m.payloads.get
    assert valuechain.verify_end_to_end(jid, jobs, fetch) is True
    # a forged report: the right content, but claiming the cheater's rejected sub-job delivered a part
    spec = _spec(m, jid)
    parts = S.CompositeService.parts_of(m.payloads[m.jobs[jid].deliverable])
    forged = S.get_service("report").assemble(
        spec, {**parts, "median": (_subs(m, jid)["median"][0], parts["median"][1])}
    )
    m.payloads["forged"] = forged
    assert (
        valuechain.verify_end_to_end(jid, {**jobs, jid: {**jobs[jid], "deliverable": "forged"}}, fetch)
        is False
    )
    # the graph: the assembler hired the cheater once (failed) and the honest sellers (paid)
    met = Metrics()
    for k, j in sorted(jobs.items()):
        met.record_job(
            JobRecord(
                k,
                _spec(m, k).service,
                j["outcome"],
                0,
                j["client"],
                j["provider"],
                m.jobs[k].budget,
                0,
                j.get("parent", 0),
            )
        )
    edges = {(e["client"], e["provider"]): e for e in met.value_chain()}
    a = [x.address for x in m.agents]
    cheat = edges[(a[ASSEMBLER], a[CHEATER])]
    assert cheat["failures"] >= 1 and cheat["services"] == ["median for report"]
    honest = edges[(a[ASSEMBLER], a[MEDIAN])]
    assert honest["failures"] == 0 and honest["volume"] == sum(
        m.jobs[k].budget
        for k, j in jobs.items()
        if j.get("parent") and j["provider"] == a[MEDIAN] and j["outcome"] == "completed"
    )
