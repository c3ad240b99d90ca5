"""The process host: one EventIndexer feeding every agent of this process, and their cycles.

    python -m agents.runtime.process --config run.json

`run.json`: {"rpc": url, "deployment": path, "build": path|null, "payloads": dir, "data_dir": dir,
"cycle_blocks": 5, "seed": 0, "max_cycles": null|int, "poll_interval": 0.3,
"plugins": [path.py, ...], "agents": [{"key": "0x..", "persona": "honest", "services": ["factor", ...]}, ...]}

Loop: poll the indexer (one eth_getLogs per range for all watched contracts) -> tell each agent which
blocks are complete -> tick every agent whose cycle window is complete -> sleep. The indexer keeps
no cursor of its own on disk: it starts from the oldest agent cursor, and every agent skips events it
has already folded in, so a kill -9 anywhere loses nothing and double-counts nothing.

SIGTERM/SIGINT: the current agent tick finishes, every agent persists, the process exits 0.
EMERGENT_PROFILE=<dir>: the host runs under cProfile and writes <dir>/host-<pid>.prof when it stops.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from web3 import Web3

from agents.chain.contracts import Contracts
from agents.chain.indexer import DEVNET_CHAIN_IDS, EventIndexer, default_confirmations
from agents.chain.types import Cursor, MemoryCursorStore
from agents.devnet import is_devnet
from agents.market.payloads import open_payload_store
from agents.market.personas import Persona, get_persona
from agents.market.plugins import load_plugins
from agents.runtime.agent import Agent, AgentSpec, DescriptionCache
from agents.runtime.guard import AgentStartError, chain_identity, funds_problems, read_funds

log = logging.getLogger(__name__)

WATCHED = ("AgentToken", "AgentRegistry", "Staking", "Reputation", "ServiceEscrow", "Governor")


def make_web3(rpc: str, timeout: float = 30.0) -> Web3:
    """A web3 for agents: no automatic retries (our own are bounded and typed), and without web3's
    validation middleware, which asks the node for its chain id before every call and transaction
    (half of all requests); the sender signs with the chain id it read once.

    Credentials for an RPC behind an authenticating proxy: user:password@ in the URL, and/or HTTP
    headers as a JSON object in EMERGENT_RPC_HEADERS (e.g. '{"X-Api-Key": "..."}'); both reach web3
    and the lean client (agents.chain.rpc.JsonRpc.from_web3)."""
    kwargs: dict[str, Any] = {}
    request_kwargs: dict[str, Any] = {"timeout": timeout}
    if os.environ.get("EMERGENT_RPC_HEADERS"):
        request_kwargs["headers"] = {
            str(k): str(v) for k, v in json.loads(os.environ["EMERGENT_RPC_HEADERS"]).items()
        }
    if rpc.startswith(("http://127.0.0.1", "http://localhost")):
        import requests

        session = requests.Session()
        session.trust_env = False  # no proxy lookup in the environment on every request to a local node
        kwargs["session"] = session
    provider = Web3.HTTPProvider(
        rpc, request_kwargs=request_kwargs, exception_retry_configuration=None, **kwargs
    )
    w3 = Web3(provider)
    for name in ("validation", "ens_name_to_address"):
        with contextlib.suppress(ValueError, KeyError):
            w3.middleware_onion.remove(name)
    return w3


@dataclass
class HostConfig:
    rpc: str
    deployment: Path
    data_dir: Path
    payloads: Path | str  # a directory, or the URL of a payload service (agents.market.payloads)
    agents: list[dict[str, Any]]
    build: Path | None = None
    cycle_blocks: int = 5
    seed: int = 0
    max_cycles: int | None = None
    poll_interval: float = 0.3
    gas_budget_wei: int | None = None
    start_phase: str = "CHECK"  # §10.2 activation protocol (a simulation may start later)
    cognition: bool = True  # False: L4.8 only (L4.9's outputs never reach the policy)
    priority_fee_wei: int | None = None
    start_gate: str | None = None  # a file: once every agent is built, wait until it exists (benchmarks)
    plugins: list[str] = field(default_factory=list)  # plugin files (agents/market/plugins.py)
    reset: bool = False  # move each agent's existing data dir aside and start afresh (guard.claim_dir)
    confirmations: int | None = None  # blocks held back; None: 0 on a local devnet, 12 elsewhere

    @classmethod
    def from_json(cls, path: Path) -> HostConfig:
        d = json.loads(Path(path).read_text())
        for k in ("deployment", "data_dir", "payloads", "build"):
            if d.get(k) and not str(d[k]).startswith(("http://", "https://")):
                d[k] = Path(d[k])
        return cls(**d)


def persona_with(name: str, overrides: dict[str, Any] | None = None) -> Persona:
    """A persona preset, optionally with some behaviour parameters overridden (experiments, tests)."""
    persona = get_persona(name)
    if overrides:
        from dataclasses import fields

        pricing_names = {f.name for f in fields(persona.pricing)} - {
            f.name for f in fields(persona.behaviour)
        }
        pricing = {k: v for k, v in overrides.items() if k in pricing_names}
        behaviour = {k: v for k, v in overrides.items() if k not in pricing_names}
        persona = replace(
            persona,
            behaviour=replace(persona.behaviour, **behaviour),
            pricing=replace(persona.pricing, **pricing),
        )
    return persona


class Host:
    def __init__(self, cfg: HostConfig) -> None:
        self.cfg = cfg
        load_plugins(cfg.plugins)  # installed entry points + plugin files, before any persona or spec
        self.web3 = make_web3(cfg.rpc)
        self.contracts = Contracts.load(self.web3, deployment_file=cfg.deployment, build_file=cfg.build)
        deployment = self.contracts.deployment
        first_block = int(deployment.get("block", 0))
        self.payloads = open_payload_store(cfg.payloads, cache=Path(cfg.data_dir) / "payload-cache")
        descriptions = DescriptionCache()
        head = self.web3.eth.block_number
        here = chain_identity(self.web3, deployment)
        self.agents: list[Agent] = []
        self.warnings: list[str] = []  # one line each, from the start checks (guard.funds_problems)
        try:
            self._build_agents(cfg, head, here, first_block, descriptions)
        except BaseException:  # release the locks and stores of the agents built so far
            for ag in self.agents:
                ag.close()
            raise
        oldest = min(ag.memory.cursor for ag in self.agents)
        store = MemoryCursorStore()
        store.save_cursor("indexer", Cursor(*oldest))
        names = [n for n in WATCHED if n in self.contracts]
        confirmations = cfg.confirmations
        if confirmations is None:
            chain_id = int(self.web3.eth.chain_id)  # a devnet by chain id, else by what the node says it is
            devnet = chain_id in DEVNET_CHAIN_IDS or is_devnet(cfg.rpc)
            confirmations = default_confirmations(chain_id, devnet)
        self.indexer = EventIndexer(
            self.web3,
            self.contracts.watch_list(names),
            cursor_store=store,
            start_block=first_block,
            max_range=500,
            confirmations=confirmations,
        )
        for ag in self.agents:
            self.indexer.subscribe(ag.on_event, on_reorg=ag.on_reorg)
        self.stop = threading.Event()
        self.usage_path = cfg.data_dir / "hosts" / f"{os.getpid()}.json"
        self._usage: dict[str, Any] = {"agents": [ag.address for ag in self.agents]}
        self._record_usage("ready")

    def _build_agents(
        self, cfg: HostConfig, head: int, here: Any, first_block: int, descriptions: DescriptionCache
    ) -> None:
        """Every agent of the config, each checked before it may act: its dir's lock and chain (Agent),
        then its funds (an error stops the host before any transaction; warnings are kept and logged)."""
        for a in cfg.agents:
            spec = AgentSpec(
                key=a["key"],
                persona=a["persona"],
                services=tuple(a["services"]),
                data_dir=cfg.data_dir,
                seed=cfg.seed,
                cycle_blocks=cfg.cycle_blocks,
                gas_budget_wei=cfg.gas_budget_wei,
                max_cycles=a.get("max_cycles", cfg.max_cycles),
                start_phase=a.get("start_phase", cfg.start_phase),
                priority_fee_wei=cfg.priority_fee_wei,
                cognition=bool(a.get("cognition", cfg.cognition)),
                demand=tuple(tuple(d) for d in a.get("demand", ())),
                catalogue=tuple(a.get("catalogue", ())),
                ring=tuple(a.get("ring", ())),
                reset=cfg.reset,
            )
            start = int(a.get("start_block", head))
            persona = persona_with(a["persona"], a.get("overrides"))
            ag = Agent(
                spec,
                persona,
                self.web3,
                self.contracts,
                self.payloads,
                start_block=start,
                events_from=first_block,
                descriptions=descriptions,
                chain=here,
            )
            self.agents.append(ag)
            funds = read_funds(self.web3, self.contracts, ag.address, ag.sender)
            error, warnings = funds_problems(
                ag.address, funds, provides=bool(spec.services), hires=persona.behaviour.hire_rate > 0
            )
            if error is not None:
                ag.log("start_refused", reason=error)
                raise AgentStartError(error)
            for line in warnings:
                ag.log("start_warning", reason=line)
            self.warnings += warnings

    def _record_usage(self, when: str) -> None:
        """This process's CPU seconds and resident memory at `when` ("ready": every agent built;
        "stopped"), in <data_dir>/hosts/<pid>.json, for benchmarks and operators."""
        rss = 0
        try:
            with open("/proc/self/status") as fh:
                rss = next((int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
        self._usage[when] = {"time": time.time(), "cpu_s": time.process_time(), "rss": rss}
        try:
            self.usage_path.parent.mkdir(parents=True, exist_ok=True)
            self.usage_path.write_text(json.dumps(self._usage))
        except OSError as exc:
            log.warning("cannot write %s: %s", self.usage_path, exc)

    def step(self) -> int | None:
        """One poll of the indexer and one tick of every agent whose window is complete.

        Returns how many agents ticked, or None while the RPC is unavailable.
        """
        lost0 = self.indexer.stats.undecodable
        self.indexer.poll()
        lost = self.indexer.stats.undecodable - lost0
        if lost > 0:  # every agent subscribes to every watched contract: each lost them
            for ag in self.agents:
                ag.note_lost(lost)
        if not self.indexer.health.available:
            return None
        cur = self.indexer.cursor
        done_block = cur.block if cur.log_index == Cursor.BLOCK_DONE else cur.block - 1
        ran = 0
        for ag in self.agents:
            if self.stop.is_set():
                break
            ag.indexed_through(done_block)
            if ag.due() and ag.tick():
                ran += 1
        return ran

    def run(self) -> int:
        """Until stopped (SIGTERM/SIGINT) or every agent ran its max cycles; persists and exits cleanly."""
        if self.cfg.start_gate:  # several hosts start ticking together, once all of them are built
            while not Path(self.cfg.start_gate).exists() and not self.stop.is_set():
                self.stop.wait(0.005)
        while not self.stop.is_set():
            ran = self.step()
            if ran is None:
                self.stop.wait(min(5.0, self.cfg.poll_interval * 2**self.indexer.health.consecutive_failures))
                continue
            if all(ag.finished for ag in self.agents):
                break
            if not ran:
                self.stop.wait(self.cfg.poll_interval)
        self.close()
        return 0

    def close(self) -> None:
        for ag in self.agents:
            ag.persist()
            ag.close()
        self._record_usage("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Emergent agents sharing one event indexer.")
    parser.add_argument("--config", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()  # a SIGTERM while the agents are being built stops the host once built
    hosts: list[Host] = []

    def _stop(signum: int, _frame: Any) -> None:
        stopping.set()
        for h in hosts:
            h.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        host = Host(HostConfig.from_json(args.config))
    except AgentStartError as exc:  # one line, exit 1, nothing sent
        print(f"error: {exc}", file=sys.stderr)
        return 1
    hosts.append(host)
    if stopping.is_set():
        host.stop.set()
    for line in host.warnings:
        print(f"warning: {line}", file=sys.stderr)
    profile_dir = os.environ.get("EMERGENT_PROFILE")
    if not profile_dir:
        return host.run()
    # Diagnostics: EMERGENT_PROFILE=<dir> writes this host's cProfile statistics to <dir>/host-<pid>.prof
    import cProfile

    prof = cProfile.Profile()
    try:
        return prof.runcall(host.run)
    finally:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(Path(profile_dir) / f"host-{os.getpid()}.prof"))


if __name__ == "__main__":
    sys.exit(main())
