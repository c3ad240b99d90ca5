"""An agent's createJob is reorged out (anvil_reorg replaces its block and those after it with empty
blocks): the host's indexer tells the agent, the agent returns to a checkpoint below the fork and
refolds the new branch, its journal re-checks the vanished transaction by its nonce before the policy
may decide again, and the chain ends with exactly one copy of each action the journal calls done."""

from __future__ import annotations

from typing import Any

from agents.chain.indexer import EventIndexer
from agents.devnet import rpc
from agents.runtime import observe as O
from agents.runtime.process import WATCHED
from agents.runtime.store import ActionStatus
from tests.e2e.conftest import close_all


def _created_by(economy: Any, client: str) -> list[Any]:
    return [e for e in economy.logs("ServiceEscrow", "JobCreated") if e.args["client"] == client]


def _facts(mem: O.MarketMemory) -> dict[str, Any]:
    """What a fold of the chain's events decides (not the cycle count, reports or reads)."""
    mine = {
        j.id: (j.client, j.provider, j.status, j.budget, j.accepted)
        for j in mem.jobs.values()
        if mem.me in (j.client, j.provider)
    }
    return {
        "jobs": mine,
        "providers": mem.providers,
        "bonded": mem.bonded,
        "reputation": mem.reputation,
        "agent_id": mem.agent_id,
    }


def test_create_job_reorged_out__memory_is_a_fresh_fold_of_new_chain__one_copy_per_done_action(economy):
    host = economy.host(
        [
            {"index": 3, "persona": "honest", "services": ("median",), "overrides": {"hire_rate": 1.0}},
            {"index": 4, "persona": "honest", "services": ("factor",), "overrides": {"hire_rate": 0.0}},
        ],
        seed=5,
    )
    client_agent = host.agents[0]
    client = client_agent.address
    try:

        def created_and_settled() -> bool:
            done = [
                a
                for a in client_agent.store.actions(limit=300)
                if a.kind == "create_job" and a.status is ActionStatus.DONE
            ]
            return bool(done)

        economy.run([host], 30, until=created_and_settled)
        created = _created_by(economy, client)
        hashes = {e.transactionHash.to_0x_hex() for e in created}
        orphans = [a for a in client_agent.store.actions(limit=300) if a.tx_hash in hashes]
        assert len(orphans) == len(created) >= 1 and {a.kind for a in orphans} == {"create_job"}
        orphan_block = min(int(e.blockNumber) for e in created)
        head = economy.web3.eth.block_number
        rpc(economy.url, "anvil_reorg", [head - orphan_block + 1, []])  # its blocks are now empty
        assert _created_by(economy, client) == []
        pre_reorg_cursor = client_agent.memory.cursor_block
        assert pre_reorg_cursor >= orphan_block

        host.step()  # the indexer sees the fork: the agent restores a checkpoint, the journal reopens
        assert host.indexer.health.last_reorg is not None
        assert host.indexer.health.last_reorg.fork_block == orphan_block
        assert all(client_agent.store.get_action(a.id).status is ActionStatus.SENT for a in orphans)
        economy.run([host], 12)
        journal = {a.id: a for a in client_agent.store.actions(limit=300)}
    finally:
        close_all([host])
    # the vanished transaction was re-checked by its nonce: reorged out, its nonce reused
    for a in orphans:
        after = journal[a.id]
        assert after.status is ActionStatus.ABANDONED and after.result["reason"] == "reorged out"
    # every create_job the journal calls done or sent is on the chain exactly once, and nothing else is
    # (an entry sent in the last cycle is mined, automine, but not settled yet: still "sent")
    done = [
        a
        for a in journal.values()
        if a.kind == "create_job" and a.status in (ActionStatus.DONE, ActionStatus.SENT)
    ]
    on_chain = [e.transactionHash.to_0x_hex() for e in _created_by(economy, client)]
    assert sorted(on_chain) == sorted(a.tx_hash for a in done) and len(set(on_chain)) == len(on_chain)
    assert not {a.tx_hash for a in orphans} & set(on_chain)
    assert len(done) >= 1  # the policy decided to hire again on the new branch, once per decision
    # the memory equals a fresh fold of the new chain up to the same block
    mem = client_agent.memory
    fresh = O.MarketMemory(
        me=client, start_block=mem.start_block, cursor=(int(economy.deployment["block"]) - 1, 2**31 - 1)
    )
    names = [n for n in WATCHED if n in economy.c]
    first_block = int(economy.deployment["block"])
    idx = EventIndexer(economy.web3, economy.c.watch_list(names), start_block=first_block)
    idx.subscribe(lambda ev: O.apply_event(fresh, ev))
    idx.poll(max_blocks=mem.cursor_block - int(economy.deployment["block"]) + 1)
    assert idx.cursor.block == mem.cursor_block
    assert _facts(mem) == _facts(fresh)
    assert len(_facts(mem)["jobs"]) == len(on_chain) >= 1  # the new branch's jobs, and only those
