"""`emergent simulate`: devnet -> deploy -> fund -> spawn agent processes -> metrics -> report.

Steps (each a function, so tests and the benchmark reuse them):
1. `start_chain`: a devnet on a free port (never the user's devnet) in automine for the deployment —
   anvil, or the Hardhat node with `--node hardhat` — or an existing `--rpc` endpoint;
2. `deploy`: `deploy_all` through ape, writing the deployments file into the run's output directory
   (`EMERGENT_DEPLOYMENTS_DIR`), with local funding sized for N agents;
3. `fund_agents`: keys from the test mnemonic (HD path m/44'/60'/0'/0/i, more than anvil's ten),
   ETH via the node's setBalance (anvil_/hardhat_), AGENT equalised to the same starting balance for every
   agent; guardian
   personas get the founders' keys (their stake, reputation and committee seats come from the deploy);
4. interval mining (1 block/s) with chain time running `time_scale` seconds per block, so the escrow's
   minute-long windows pass within a few cycles (on Hardhat a `ClockedMiner` thread mines, since that
   node has no block-timestamp interval);
5. `spawn`: `python -m agents.runtime.process` hosts (several agents per process for large N);
6. wait with a progress line until every agent has run K cycles, SIGTERM the hosts;
7. `collect`: chain metrics from one indexer pass over the run (jobs by outcome, prices, slashes,
   proposals and votes) + each agent's per-cycle figures (balance, stake, reputation, ASS, drift,
   survival class) from its metrics file; `write_report` + `metrics.json` + `summary_text`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account

from agents.chain.governance import ZERO_ADDRESS
from agents.chain.protocol import JobStatus, ProposalState
from agents.chain.signing import derive_key
from agents.chain.units import to_wei
from agents.devnet import (
    ClockedMiner,
    Devnet,
    dialect,
    impersonating,
    rpc,
    start_devnet,
    start_interval_mining,
)
from agents.market.personas import assign_personas, get_persona
from agents.market.plugins import load_plugins
from agents.market.services import SERVICE_NAMES, TaskSpec, get_service
from agents.paths import PARAMS_DIR, PROJECT_ROOT
from agents.runtime import observe as O

WEI = 10**18
FOUNDER_INDICES = (6, 7, 8)  # params/ethereum-local.yaml: seeded, staked, seated guardians
DEPLOYER_INDEX = 0
Account.enable_unaudited_hdwallet_features()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class SimConfig:
    agents: int = 8
    cycles: int = 40
    seed: int = 0
    out: Path = field(default_factory=lambda: PROJECT_ROOT / "reports" / time.strftime("%Y%m%d-%H%M%S"))
    rpc: str | None = None  # use this chain instead of starting a devnet
    node: str = "anvil"  # the devnet started when rpc is None: anvil or hardhat
    cycle_blocks: int = 5
    block_time: int = 1
    time_scale: int = 6  # chain seconds per block during the run
    start_balance: int = 20_000 * WEI
    agents_per_process: int = 1
    max_processes: int = 8
    mix: dict[str, float] | None = None
    personas: list[str] | None = None  # explicit persona per agent (overrides mix)
    services_per_agent: int = 3
    poll_interval: float = 0.3
    cognition: bool = True  # --cognition off: L4.8 only
    services: tuple[str, ...] | None = None  # the catalogue agents pick from (default: the built-ins)
    plugins: list[str] = field(default_factory=list)  # plugin files, loaded here and in every host
    agent_services: list[tuple[str, ...] | None] | None = None  # per agent, overrides the rotation
    scenario: Any = None  # agents.sim.scenario.Scenario: per-agent overrides, shocks, contract parameters
    dashboard_port: int | None = (
        None  # serve the live dashboard on this port during the run (0: any free one)
    )


@dataclass
class AgentPlan:
    index: int  # HD index
    key: str
    address: str
    persona: str
    services: tuple[str, ...]
    position: int = 0  # place in the run's agent list (a scenario's `agent:` numbers)


def plan_agents(cfg: SimConfig) -> list[AgentPlan]:
    """Personas and keys: guardian personas take the founders' keys, the others the next free indices."""
    load_plugins(cfg.plugins)
    personas = list(cfg.personas) if cfg.personas else assign_personas(cfg.agents, cfg.mix, cfg.seed)
    for p in personas:
        get_persona(p)
    founders = list(FOUNDER_INDICES)
    taken = set(FOUNDER_INDICES) | {DEPLOYER_INDEX}
    nxt = 1
    plans = []
    for i, persona in enumerate(personas):
        if get_persona(persona).behaviour.is_guardian and founders:
            idx = founders.pop(0)
        else:
            while nxt in taken:
                nxt += 1
            idx = nxt
            taken.add(idx)
        key = derive_key(idx)
        catalogue = tuple(cfg.services or SERVICE_NAMES)
        k = min(cfg.services_per_agent, len(catalogue))
        services = tuple(catalogue[(i + j) % len(catalogue)] for j in range(k))
        chosen = cfg.agent_services[i] if cfg.agent_services and i < len(cfg.agent_services) else None
        if chosen:
            services = tuple(chosen)
        for s in services:
            get_service(s)  # TaskSpecError names the unknown service
        plans.append(AgentPlan(idx, key, Account.from_key(key).address, persona, services, i))
    return plans


# ------------------------------------------------------------------ chain
def start_chain(out: Path, rpc_url: str | None = None, node: str = "anvil") -> tuple[str, Devnet | None]:
    if rpc_url:
        return rpc_url, None
    net = start_devnet(free_port(), log_path=out / f"{node}.log", reuse=False, kind=node)
    return net.url, net


def deploy(url: str, out: Path, n_agents: int, start_balance: int) -> dict[str, Any]:
    """deploy_all on the chain at `url` in a child process (ape stays out of this one); returns the record.

    The deployments file goes to `out` (EMERGENT_DEPLOYMENTS_DIR), so the user's is untouched.
    """
    env = dict(os.environ, EMERGENT_DEPLOYMENTS_DIR=str(out), APE_FOUNDRY_HOST=url)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agents.sim.simulate",
            "deploy",
            url,
            str(out),
            str(n_agents),
            str(start_balance),
        ],
        cwd=str(PROJECT_ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError("deployment failed: " + " | ".join(tail))
    os.environ["EMERGENT_DEPLOYMENTS_DIR"] = str(out)
    record: dict[str, Any] = json.loads((out / "ethereum-local.json").read_text())
    return record


def _deploy_here(url: str, out: Path, n_agents: int, start_balance: int) -> dict[str, Any]:
    os.environ["EMERGENT_DEPLOYMENTS_DIR"] = str(out)
    os.environ["APE_FOUNDRY_HOST"] = url
    import agents.chain.deploy_market as deploy_market
    from agents.chain.deployment import PARAM_SECTIONS, deploy_all, load_params
    from agents.cli_common import DEFAULT_NETWORK, connected

    # Older deploy_market versions did not register their section; harmless when it already has.
    PARAM_SECTIONS.setdefault("market", deploy_market.MarketParams)
    params = load_params(PARAMS_DIR / "ethereum-local.yaml")
    extra = max(0, n_agents - 9)
    per_account = max(start_balance + 10_000 * WEI, (extra + 2) * start_balance) // WEI
    params["local_funding"] = {"accounts": 10, "amount": int(per_account)}
    from ape.logging import logger as ape_logger

    ape_logger.set_level("ERROR")
    with connected(DEFAULT_NETWORK):
        from ape import accounts

        return deploy_all(accounts.test_accounts[0], params=params, redeploy=True, log=lambda _s: None)


def fund_agents(url: str, deployment: dict[str, Any], plans: list[AgentPlan], start_balance: int) -> None:
    """Every agent starts with 100 ETH and `start_balance` liquid AGENT (founders keep their stake on top)."""
    from agents.chain.contracts import Contracts
    from agents.chain.sender import TxSender
    from agents.runtime.process import make_web3

    w3 = make_web3(url)
    path = Path(os.environ["EMERGENT_DEPLOYMENTS_DIR"]) / "ethereum-local.json"
    c = Contracts.load(w3, deployment_file=path)
    token = c["AgentToken"]
    deployer = TxSender(w3, derive_key(DEPLOYER_INDEX))
    pending = []
    set_balance = dialect(url).set_balance
    for p in plans:
        rpc(url, set_balance, [p.address, hex(100 * WEI)])
        bal = token.functions.balanceOf(p.address).call()
        if bal > start_balance:
            s = TxSender(w3, p.key)
            pending.append(
                (s, s.send(token.functions.transfer(deployer.address, bal - start_balance), wait=False))
            )
        elif bal < start_balance:
            pending.append(
                (
                    deployer,
                    deployer.send(token.functions.transfer(p.address, start_balance - bal), wait=False),
                )
            )
    for s, signed in pending:
        s.wait(signed.tx_hash)


# ------------------------------------------------------------------ processes
def spawn(
    cfg: SimConfig,
    url: str,
    plans: list[AgentPlan],
    deployment_file: Path,
    start_block: int,
    max_cycles: int | None,
    overrides: dict[str, Any] | None = None,
    start_gate: Path | None = None,
) -> list[subprocess.Popen[bytes]]:
    """Host processes for `plans` (agents spread evenly, at most cfg.max_processes); `overrides`: persona
    behaviour or pricing parameters set for every agent; `start_gate`: hosts build their agents, then
    wait for this file before ticking (benchmarks start every host at one moment)."""
    groups: list[list[AgentPlan]] = []
    per = max(cfg.agents_per_process, -(-len(plans) // cfg.max_processes))
    for i in range(0, len(plans), per):
        groups.append(plans[i : i + per])
    procs = []
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    ring = ring_of(plans)
    for gi, group in enumerate(groups):
        conf = {
            "rpc": url,
            "deployment": str(deployment_file),
            "data_dir": str(cfg.out / "agents"),
            "payloads": str(cfg.out / "payloads"),
            "cycle_blocks": cfg.cycle_blocks,
            "seed": cfg.seed,
            "max_cycles": max_cycles,
            "poll_interval": cfg.poll_interval,
            "priority_fee_wei": 10**9,
            "start_gate": str(start_gate) if start_gate else None,
            "cognition": cfg.cognition,
            "plugins": [str(Path(x).resolve()) for x in cfg.plugins],
            "agents": [
                {
                    "key": p.key,
                    "persona": p.persona,
                    "services": list(p.services),
                    "start_block": start_block,
                    "overrides": dict(overrides or {}),
                    **scenario_extras(cfg, p),
                    **({"ring": ring} if p.address in ring else {}),
                }
                for p in group
            ],
        }
        path = cfg.out / f"host-{gi}.json"
        path.write_text(json.dumps(conf, indent=1))
        err = open(cfg.out / f"host-{gi}.stderr", "ab")  # noqa: SIM115 - owned by the child
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "agents.runtime.process", "--config", str(path)],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                cwd=str(PROJECT_ROOT),
            )
        )
    return procs


def ring_of(plans: list[AgentPlan]) -> list[str]:
    """The wallets of the run's ring: every agent whose persona trades only within its ring (sybil)."""
    return [p.address for p in plans if get_persona(p.persona).behaviour.ring_only]


def scenario_extras(cfg: SimConfig, plan: AgentPlan) -> dict[str, Any]:
    """A scenario's per-agent host settings: behaviour overrides, the cycle it leaves at (max_cycles),
    the demand surges its policy follows, and the catalogue it may switch services within."""
    sc = cfg.scenario
    if sc is None:
        return {}
    i = plan.position
    out: dict[str, Any] = {"demand": [list(d) for d in sc.demand()]}
    overrides = sc.agent_overrides()[i]
    if overrides:
        out["overrides"] = overrides
    leave = sc.leave_at().get(i)
    if leave is not None:
        out["max_cycles"] = leave
    if sc.agent_switching()[i]:
        out["catalogue"] = list(cfg.services or SERVICE_NAMES)
    return out


def cycles_due(cfg: SimConfig, plans: list[AgentPlan]) -> dict[str, int]:
    """Cycles each agent is to run (a provider that leaves runs until it leaves)."""
    leave = cfg.scenario.leave_at() if cfg.scenario is not None else {}
    return {p.address: min(cfg.cycles, leave.get(p.position, cfg.cycles)) for p in plans}


def apply_parameters(url: str, deployment_file: Path, changes: dict[str, int]) -> list[str]:
    """Set governed parameters as the Timelock (the contracts' owner) would after an executed proposal:
    the devnet impersonates it for the calls. Token amounts are whole AGENT. Each change is checked against
    the contract's own bounds (a revert is a ValueError naming the parameter and the reason)."""
    from agents.chain.contracts import Contracts
    from agents.chain.governance import PARAMETERS, encode_call
    from agents.runtime.process import make_web3

    w3 = make_web3(url)
    c = Contracts.load(w3, deployment_file=deployment_file)
    timelock = c["Timelock"].address
    done = []
    with impersonating(url, timelock, 10 * WEI):
        for name, value in changes.items():
            spec = PARAMETERS[name]
            amount = to_wei(value, f"contracts.{name}") if spec.unit == "tokens" else int(value)
            args: list[Any] = [spec.key, amount] if spec.key else [amount]
            tx = {
                "from": timelock,
                "to": c[spec.contract].address,
                "data": "0x" + encode_call(spec.setter, args).hex(),
            }
            try:
                rpc(url, "eth_call", [tx, "latest"], timeout=10)
            except Exception as exc:  # noqa: BLE001 - the revert reason, one line
                raise ValueError(
                    f"contracts.{name}: {value} refused on-chain: {str(exc).splitlines()[0]}"
                ) from None
            h = rpc(url, "eth_sendTransaction", [{**tx, "gas": hex(300_000)}], timeout=10)
            receipt = w3.eth.wait_for_transaction_receipt(h, timeout=60)
            if receipt["status"] != 1:
                raise ValueError(f"contracts.{name}: the setter reverted")
            done.append(f"{name} = {value}")
    return done


def stop_processes(
    procs: Sequence[subprocess.Popen[Any]], timeout: float = 20.0, grace: float = 0.0
) -> list[int | None]:
    """SIGTERM the hosts still running (each persists its agents and exits 0), SIGKILL after `timeout`.
    `grace`: seconds to let hosts that finished their cycles exit on their own first (a SIGTERM that lands
    while a finished host's interpreter is shutting down ends it with -15 instead of its own 0)."""
    deadline = time.monotonic() + grace
    while grace and time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.1)
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return [p.returncode for p in procs]


def agent_cycles(out: Path, plans: list[AgentPlan]) -> dict[str, int]:
    """Cycles completed per agent (lines in its metrics file)."""
    res = {}
    for p in plans:
        f = out / "agents" / p.address.lower() / "metrics.jsonl"
        try:
            with open(f, "rb") as fh:
                res[p.address] = sum(1 for _ in fh)
        except OSError:
            res[p.address] = 0
    return res


# ------------------------------------------------------------------ metrics
def observed_by(out: Path, plans: list[AgentPlan], contract: str, name: str, block: int) -> int:
    """How many agents' persisted market memories hold the parameter change `name` made at `block`.

    The agents' memories track the escrow's parameters (the ones its policy prices and stakes by), so
    a change of another contract's parameter counts as seen by nobody.
    """
    from agents.runtime.store import AgentStore

    if contract != "ServiceEscrow":
        return 0
    seen = 0
    for p in plans:
        path = out / "agents" / p.address.lower() / "agent.sqlite"
        if not path.is_file():
            continue
        store = AgentStore(path)
        try:
            mem = store.get_state("memory") or {}
        finally:
            store.close()
        changes = mem.get("param_changes", [])
        seen += any(c.get("name") == name and int(c.get("block", -1)) == block for c in changes)
    return seen


def collect(
    url: str,
    deployment_file: Path,
    out: Path,
    plans: list[AgentPlan],
    start_block: int,
    cycle_blocks: int,
    info: dict[str, Any],
) -> Any:
    from agents.chain.contracts import Contracts
    from agents.chain.indexer import EventIndexer
    from agents.runtime.process import WATCHED, make_web3
    from agents.sim.metrics import AgentSample, JobRecord, Metrics, ProposalRecord, SlashRecord

    w3 = make_web3(url)
    c = Contracts.load(w3, deployment_file=deployment_file)
    m = Metrics(title=f"Emergent simulation: {len(plans)} agents")
    m.info.update(info)
    by_addr = {p.address: p for p in plans}
    from agents.sim.metrics import MIND_NOTE, mind_record

    m.mind_note = MIND_NOTE.format(cycles=info.get("cycles", "?"))
    for p in plans:
        m.add_agent(p.address, p.persona, f"{p.persona[:6]}-{p.address[2:6]}")
        f = out / "agents" / p.address.lower() / "metrics.jsonl"
        rows: list[dict[str, Any]] = []
        if f.is_file():
            for line in f.read_text().splitlines():
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue
                rows.append(r)
                m.record_agent(
                    p.address,
                    AgentSample(
                        cycle=int(r["cycle"]),
                        balance=int(r["balance"]),
                        stake=int(r["stake"]),
                        reputation=float(r["reputation"]) / 10_000,
                        ass=r.get("ass"),
                        value_drift=float(r.get("drift") or 0.0),
                        survival_class=str(r.get("survival", "")),
                        eth_balance=int(r.get("eth", 0)),
                    ),
                )
        m.mind[p.address] = mind_record(p.persona, rows)

    def cyc(block: int) -> int:
        return max(0, (block - start_block) // cycle_blocks)

    names = [n for n in WATCHED if n in c]
    idx = EventIndexer(w3, c.watch_list(names), start_block=int(c.deployment.get("block", 0)), max_range=2000)
    # Every job's history folded by observe.apply_event, as an agent that is party to no job sees it.
    ledger = O.MarketMemory(me=ZERO_ADDRESS, start_block=int(c.deployment.get("block", 0)))
    rejected_at: dict[int, int] = {}
    agent_ids: dict[int, str] = {}
    proposals: dict[int, Any] = {}
    changes: list[str] = []
    for ev in idx.poll():
        a = ev.args
        if ev.contract == "AgentRegistry" and ev.name == "Registered":
            agent_ids[int(a["agentId"])] = a["agentWallet"]
        elif ev.contract == "AgentRegistry" and ev.name == "ServicesUpdated":
            if agent_ids.get(int(a["agentId"])) in by_addr:
                from agents.runtime.observe import service_items

                items = service_items(a["services"])
                for name, price in items:
                    m.record_price(str(name), cyc(ev.block), int(price))
                m.record_asks(cyc(ev.block), agent_ids[int(a["agentId"])], {str(n): int(p) for n, p in items})
        elif ev.contract == "ServiceEscrow" and "jobId" in a:
            O.apply_event(ledger, ev)  # the agents' own fold: one meaning of every escrow event
            if ev.name == "JobRejected":
                rejected_at[int(a["jobId"])] = ev.block
        elif ev.name == "ParameterUpdated" and ev.block >= start_block:
            seen = observed_by(out, plans, ev.contract, str(a["name"]), ev.block)
            changes.append(
                f"cycle {cyc(ev.block)}: {ev.contract}.{a['name']} {a['previous']} -> "
                f"{a['current']} (seen by {seen}/{len(plans)} agents)"
            )
        elif ev.contract == "Staking" and ev.name == "Slashed":
            m.record_slash(SlashRecord(cyc(ev.block), a["account"], int(a["amount"]), "dispute lost"))
        elif ev.contract == "Governor":
            if ev.name == "ProposalCreated":
                proposals[int(a["proposalId"])] = ProposalRecord(
                    str(a["proposalId"]), cyc(ev.block), a["proposer"], str(a["description"])[:200]
                )
            elif ev.name == "VoteCast" and int(a["proposalId"]) in proposals:
                proposals[int(a["proposalId"])].count_vote(int(a["support"]), int(a["weight"]))
            elif ev.name == "ProposalExecuted" and int(a["proposalId"]) in proposals:
                proposals[int(a["proposalId"])].state = "Executed"
                proposals[int(a["proposalId"])].executed_cycle = cyc(ev.block)
    for pid, pr in proposals.items():
        if pr.state != "Executed":
            # a failed read (node gone at the end of a run) keeps the last state the events gave
            with contextlib.suppress(Exception):
                pr.state = ProposalState(int(c["Governor"].functions.state(pid).call())).label
        m.record_proposal(pr)
    from agents.market.payloads import PayloadError, open_payload_store
    from agents.sim import valuechain

    jobs = job_records(
        ledger, rejected_at, cyc, lambda jid: c["ServiceEscrow"].functions.descriptionOf(jid).call()
    )
    composites = valuechain.link(jobs)
    store = open_payload_store(out / "payloads")

    def fetch(deliverable: str) -> bytes | None:
        try:
            data: bytes = store.get(deliverable)
            return data
        except (PayloadError, KeyError, OSError):
            return None

    for jid, j in sorted(jobs.items()):
        verified = valuechain.verify_end_to_end(jid, jobs, fetch) if jid in composites else None
        m.record_job(
            JobRecord(
                jid,
                j.get("service", "?"),
                j["outcome"],
                j["cycle"],
                j.get("client", ""),
                j.get("provider", ""),
                j["budget"],
                j["created"],
                j.get("parent", 0),
                verified,
            )
        )
    m.info["param_changes"] = changes  # parameters changed by governance during the run
    return m


def job_records(
    ledger: Any, rejected_at: dict[int, int], cyc: Callable[[int], int], describe: Callable[[int], str]
) -> dict[int, dict[str, Any]]:
    """The run's job records from the folded ledger (observe.MarketMemory of every escrow event).

    A job rejected after delivery stays "open" in the agents' memory until its dispute window closes
    (a dispute may still reverse it); the report counts it as rejected from the rejection's cycle, as
    the client's verdict stands unless disputed."""
    out: dict[int, dict[str, Any]] = {}
    for jid, job in sorted(ledger.jobs.items()):
        outcome, settled = job.outcome, job.settled_block
        if outcome == "open" and job.status == JobStatus.REJECTED:
            outcome, settled = "rejected", rejected_at.get(jid, job.created_block)
        rec: dict[str, Any] = {
            "outcome": outcome,
            "cycle": cyc(settled if outcome != "open" else job.created_block),
            "created": cyc(job.created_block),
            "budget": job.budget,
            "submitted": job.was_submitted,
            "client": job.client,
            "provider": job.provider,
            "service": "?",
        }
        if job.deliverable:
            rec["deliverable"] = job.deliverable
        try:
            rec["description"] = describe(jid)
            rec["service"] = TaskSpec.decode(rec["description"]).service
        except Exception:  # noqa: BLE001 - an unreadable or foreign description: service unknown
            pass
        out[jid] = rec
    return out


# ------------------------------------------------------------------ the whole run
def run(
    cfg: SimConfig, echo: Callable[[str], None] = print, progress: Callable[[int, int], None] | None = None
) -> Any:
    from agents.sim.metrics import market_summary
    from agents.sim.report import summary_text, write_report

    cfg.out.mkdir(parents=True, exist_ok=True)
    plans = plan_agents(cfg)
    t0 = time.monotonic()
    url, net = start_chain(cfg.out, cfg.rpc, cfg.node)
    procs: list[subprocess.Popen[bytes]] = []
    dash = None
    miner: ClockedMiner | None = None
    try:
        echo(f"chain at {url}; deploying (output in {cfg.out})")
        deployment = deploy(url, cfg.out, len(plans), cfg.start_balance)
        dep_file = cfg.out / "ethereum-local.json"
        fund_agents(url, deployment, plans, cfg.start_balance)
        sc = cfg.scenario
        contracts_applied: list[str] = []
        if sc is not None and sc.contracts:
            contracts_applied = apply_parameters(url, dep_file, dict(sc.contracts))
            echo("contract parameters: " + ", ".join(contracts_applied))
        shocks = list(sc.governance()) if sc is not None else []
        if net is not None:
            miner = start_interval_mining(url, cfg.block_time, cfg.time_scale)
        start_block = int(rpc(url, "eth_blockNumber"), 16) + 1
        if cfg.dashboard_port is not None:
            from agents.dashboard.server import Dashboard

            dash = Dashboard(url, dep_file, data_dir=cfg.out / "agents")
            echo(f"dashboard: {dash.start_background(port=cfg.dashboard_port)}")
        t_setup = time.monotonic() - t0
        echo(
            f"deployed and funded in {t_setup:.0f}s; {len(plans)} agents: "
            + ", ".join(f"{p.persona}" for p in plans)
        )
        procs = spawn(cfg, url, plans, dep_file, start_block, cfg.cycles)
        t_run = time.monotonic()
        due = cycles_due(cfg, plans)
        target = sum(due.values())
        applied: list[str] = []
        interrupted = False
        try:
            while True:
                done = agent_cycles(cfg.out, plans)
                total = sum(min(due[a], v) for a, v in done.items())
                if progress:
                    progress(total, target)
                if shocks:
                    cycle_now = (int(rpc(url, "eth_blockNumber"), 16) - start_block) // cfg.cycle_blocks
                    while shocks and shocks[0][0] <= cycle_now:
                        at, changes = shocks.pop(0)
                        line = f"cycle {at}: governance shock " + ", ".join(
                            apply_parameters(url, dep_file, changes)
                        )
                        applied.append(line)
                        echo(line)
                if total >= target or all(p.poll() is not None for p in procs):
                    break
                time.sleep(1.0)
        except KeyboardInterrupt:  # Ctrl-C: stop the agents, then report what they did so far
            interrupted = True
            echo("\ninterrupted: stopping the agents and writing a partial report")
        codes = stop_processes(procs, grace=0.0 if interrupted else 10.0)
        run_seconds = time.monotonic() - t_run
        head = int(rpc(url, "eth_blockNumber"), 16)
        info = {
            "agents": len(plans),
            "cycles": cfg.cycles,
            "seed": cfg.seed,
            "cycle_blocks": cfg.cycle_blocks,
            "setup_seconds": round(t_setup, 1),
            "run_seconds": round(run_seconds, 1),
            "blocks": head - start_block,
            "exit_codes": codes,
            "rpc": url,
            "partial": interrupted,
        }
        if sc is not None:
            info["scenario"] = {
                "name": sc.name,
                "shocks": [s.model_dump() for s in sc.shocks],
                "contracts": dict(sc.contracts),
                "contracts_applied": contracts_applied,
                "governance_applied": applied,
            }
        m = collect(url, dep_file, cfg.out, plans, start_block, cfg.cycle_blocks, info)
        m.save(cfg.out / "metrics.json")
        write_report(m, cfg.out / "report.html")
        echo(summary_text(m))
        echo(market_summary(m))
        for line in m.info.get("param_changes", []):
            echo(f"governance: {line}")
        echo(f"report: {cfg.out / 'report.html'}" + (" (partial: interrupted)" if interrupted else ""))
        return m
    finally:
        if procs:
            stop_processes(procs)
        if dash is not None:
            dash.stop()
        if miner is not None:
            miner.stop()
        if net is not None:
            net.stop()


if __name__ == "__main__":  # pragma: no cover - the deploy child of `deploy`
    if len(sys.argv) == 6 and sys.argv[1] == "deploy":
        from agents.paths import ensure_tool_path

        ensure_tool_path()
        _deploy_here(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: python -m agents.sim.simulate deploy RPC_URL OUT_DIR N_AGENTS START_BALANCE_WEI")
