"""End-to-end fixtures: a fresh anvil on a free port, the real deployment, and agents driven in-process.

Each test module gets its own chain (`economy`), deployed by the same code `emergent simulate` uses,
into a temporary deployments directory. `Economy.hosts(...)` builds process hosts (one indexer per
host) for chosen personas; `Economy.run(hosts, cycles)` alternates: every host polls and ticks its due
agents until none is due, then the chain mines one cycle's worth of blocks (each block advances chain
time by `TIME_SCALE` seconds, so the escrow's minute-long windows pass in a few cycles). The node
automines the agents' transactions, so runs are fast and repeatable.

The node is anvil unless a module parametrizes `economy` indirectly with "hardhat" (the second EVM:
`pytestmark = pytest.mark.parametrize("economy", NODES, indirect=True, scope="module")`); the
development calls (mine, set a balance, impersonate) go through `agents.devnet.dialect`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from agents.chain.contracts import Contracts
from agents.chain.signing import derive_key
from agents.devnet import impersonating, mine_blocks, rpc, start_devnet
from agents.runtime.process import Host, HostConfig, make_web3
from agents.sim.simulate import AgentPlan, deploy, free_port, fund_agents

WEI = 10**18
TIME_SCALE = 6
CYCLE_BLOCKS = 5
START_BALANCE = 20_000 * WEI
NODES = ["anvil", "hardhat"]  # for modules that run on both nodes


class Economy:
    def __init__(self, url: str, out: Path, deployment: dict[str, Any], kind: str = "anvil") -> None:
        self.url = url
        self.kind = kind
        self.out = out
        self.deployment = deployment
        self.deployment_file = out / "ethereum-local.json"
        self.web3 = make_web3(url)
        self.c = Contracts.load(self.web3, deployment_file=self.deployment_file)
        self.funded: set[str] = set()

    # ------------------------------------------------------------------ agents
    def plan(self, index: int, persona: str, services: tuple[str, ...] = ("factor", "median")) -> AgentPlan:
        from eth_account import Account

        key = derive_key(index)
        return AgentPlan(index, key, Account.from_key(key).address, persona, services)

    def host(self, agents: list[dict[str, Any]], *, seed: int = 1, data: str = "agents") -> Host:
        plans = [
            self.plan(a["index"], a["persona"], tuple(a.get("services", ("factor", "median"))))
            for a in agents
        ]
        fresh = [p for p in plans if p.address not in self.funded]
        if fresh:
            fund_agents(self.url, self.deployment, fresh, START_BALANCE)
            self.funded |= {p.address for p in fresh}
        start = self.web3.eth.block_number + 1
        cfg = HostConfig(
            rpc=self.url,
            deployment=self.deployment_file,
            data_dir=self.out / data,
            payloads=self.out / "payloads",
            cycle_blocks=CYCLE_BLOCKS,
            seed=seed,
            poll_interval=0.05,
            agents=[
                {
                    "key": p.key,
                    "persona": p.persona,
                    "services": list(p.services),
                    "start_block": start,
                    "overrides": a.get("overrides"),
                    **{k: a[k] for k in ("demand", "catalogue", "ring") if k in a},
                }
                for p, a in zip(plans, agents, strict=True)
            ],
        )
        return Host(cfg)

    # ------------------------------------------------------------------ time
    def mine(self, blocks: int = CYCLE_BLOCKS) -> None:
        # anvil spaces blocks by its timestamp interval (set at start); Hardhat by hardhat_mine's interval
        mine_blocks(self.url, blocks, None if self.kind == "anvil" else TIME_SCALE)

    def as_owner(self, owner: str, txs: list[dict[str, Any]]) -> None:
        """Send `txs` from `owner` (e.g. the Timelock) by impersonating it on the devnet."""
        with impersonating(self.url, owner):
            for tx in txs:
                rpc(
                    self.url,
                    "eth_sendTransaction",
                    [
                        {
                            k: (hex(v) if isinstance(v, int) else v)
                            for k, v in tx.items()
                            if k in ("from", "to", "data", "gas")
                        }
                    ],
                )

    def run(self, hosts: list[Host], cycles: int, until: Any = None) -> int:
        """Advance `cycles` cycles (or until `until()` is true); returns the cycles run."""
        for n in range(cycles):
            for _ in range(50):
                # every host steps before any() looks: any() over a generator would stop at the first
                # busy host and starve the later ones
                busy = [h.step() for h in hosts]
                if not any(busy):
                    break
            if until is not None and until():
                return n
            self.mine()
        return cycles

    # ------------------------------------------------------------------ reads
    def balance(self, who: str) -> int:
        return self.c["AgentToken"].functions.balanceOf(who).call()

    def job(self, job_id: int) -> Any:
        return self.c["ServiceEscrow"].functions.getJob(job_id).call()

    def logs(self, contract: str, event: str) -> list[Any]:
        ev = getattr(self.c[contract].events, event)
        return list(ev.get_logs(from_block=int(self.deployment["block"])))

    def total_supply(self) -> int:
        return self.c["AgentToken"].functions.totalSupply().call()

    def holders_sum(self) -> int:
        """Sum of balances over every address that ever received tokens (wallets and contracts)."""
        holders = {t.args["receiver"] for t in self.logs("AgentToken", "Transfer")}
        return sum(self.balance(h) for h in holders)


@pytest.fixture(scope="module")
def economy(tmp_path_factory, request):
    kind = getattr(request, "param", "anvil")
    out = tmp_path_factory.mktemp(f"economy-{kind}")
    saved = os.environ.get("EMERGENT_DEPLOYMENTS_DIR")
    net = start_devnet(free_port(), log_path=out / f"{kind}.log", reuse=False, kind=kind)
    try:
        deployment = deploy(net.url, out, 12, START_BALANCE)
        if kind == "anvil":
            rpc(net.url, "anvil_setBlockTimestampInterval", [TIME_SCALE])
        yield Economy(net.url, out, deployment, kind)
    finally:
        net.stop()
        if saved is None:
            os.environ.pop("EMERGENT_DEPLOYMENTS_DIR", None)
        else:
            os.environ["EMERGENT_DEPLOYMENTS_DIR"] = saved


def close_all(hosts: list[Host]) -> None:
    for h in hosts:
        h.close()
