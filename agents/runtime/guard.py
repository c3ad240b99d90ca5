"""What an agent checks before it acts: its data dir is its own (a lock), belongs to this chain and this
deployment, and its wallet can pay for what its persona does. Each refusal is one line (`AgentStartError`)
and comes before any transaction.

- The lock: `fcntl.flock` on `<agent dir>/agent.lock`, holding the holder's pid. A second process on the
  same dir is refused with that pid; the OS releases the lock when the holder exits, also on kill -9.
- The chain: the store's `meta` row `chain` records the genesis hash (block 0), the chain id and the
  deployment (ServiceEscrow's address and the deployment block) the state was built on. A store from
  another chain or deployment is refused; `reset` (`emergent agent run --reset`) moves the old dir aside
  (renamed `<address>.old-<time>`, never deleted) and starts afresh. A store that predates the record is
  adopted as it is (nothing tells which chain it saw).
- The funds (`read_funds`, `funds_problems`): an error if the ETH cannot pay the gas of one transaction
  (`ONE_TX_GAS` at the current max fee), a warning if it pays fewer than `RUNWAY_TXS`, and a warning
  when the persona needs AGENT it does not have (a provider below the escrow's minimum provider stake,
  a client with nothing to budget).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agents.chain.units import from_wei
from agents.runtime.executor import FIXED_GAS

LOCK_FILE = "agent.lock"
META_KEY = "chain"
ONE_TX_GAS = FIXED_GAS["create_job"]  # the executor's fixed limit for create_job, above any routine estimate
RUNWAY_TXS = 50  # fewer transactions than this at today's fee: a warning


class AgentStartError(Exception):
    """An agent that must not start; the message is one line for the user."""


@dataclass(frozen=True)
class ChainIdentity:
    """The chain and deployment an agent's state belongs to."""

    genesis: str  # block 0's hash, 0x-prefixed lower-case hex
    chain_id: int
    deployment: str  # ServiceEscrow's address (AgentToken's when there is no escrow)
    block: int  # the deployment's first block

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ChainIdentity:
        d = json.loads(text)
        return cls(str(d["genesis"]), int(d["chain_id"]), str(d["deployment"]), int(d["block"]))

    def same_as(self, other: ChainIdentity) -> bool:
        return (self.genesis.lower(), self.chain_id, self.deployment.lower(), self.block) == (
            other.genesis.lower(),
            other.chain_id,
            other.deployment.lower(),
            other.block,
        )

    def describe(self) -> str:
        return f"chain {self.genesis[:10]}… deployment {self.deployment} (block {self.block})"


def chain_identity(web3: Any, deployment: dict[str, Any]) -> ChainIdentity:
    """This RPC's genesis hash and chain id, and the deployments file's escrow address and first block."""
    genesis = web3.eth.get_block(0)["hash"]
    text = genesis.hex() if isinstance(genesis, bytes | bytearray) else str(genesis)
    contracts = deployment.get("contracts") or {}
    where = contracts.get("ServiceEscrow") or contracts.get("AgentToken") or ""
    return ChainIdentity(
        "0x" + text.lower().removeprefix("0x"),
        int(web3.eth.chain_id),
        str(where),
        int(deployment.get("block", 0)),
    )


def check_chain(store: Any, here: ChainIdentity, agent: str) -> str:
    """Record `here` in a store that has no record yet; refuse a store recorded on another chain or
    deployment. Returns "recorded" (new store), "adopted" (state from before the record) or "same"."""
    saved = store.get_meta(META_KEY)
    if saved is None:
        fresh = store.is_empty()
        store.set_meta(META_KEY, here.to_json())
        return "recorded" if fresh else "adopted"
    theirs = ChainIdentity.from_json(saved)
    if not theirs.same_as(here):
        raise AgentStartError(
            f"agent {agent}: its data dir belongs to {theirs.describe()}, this RPC is "
            f"{here.describe()}; use --reset to start afresh"
        )
    return "same"


class DirLock:
    """An exclusive flock on `<dir>/agent.lock` for as long as this agent runs."""

    def __init__(self, directory: Path, agent: str) -> None:
        self.path = Path(directory) / LOCK_FILE
        self.agent = agent
        self._fd: int | None = None

    def acquire(self) -> DirLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AgentStartError(
                f"agent {self.agent}: its data dir {self.path.parent} is in use by pid "
                f"{holder}; stop that process first (one process per agent)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def claim_dir(directory: Path, agent: str, *, reset: bool = False) -> tuple[DirLock, Path | None]:
    """Lock the agent's dir; with `reset`, move the locked old dir aside (renamed, not deleted) and lock a
    fresh one. Returns the lock and where the old state went (None: nothing moved)."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = DirLock(directory, agent).acquire()
    if not reset or not any(p.name != LOCK_FILE for p in directory.iterdir()):
        return lock, None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved = directory.with_name(f"{directory.name}.old-{stamp}")
    n = 1
    while moved.exists():
        n += 1
        moved = directory.with_name(f"{directory.name}.old-{stamp}-{n}")
    directory.rename(moved)  # still locked by us: nobody else opens the old state meanwhile
    lock.release()
    directory.mkdir(parents=True)
    return DirLock(directory, agent).acquire(), moved


def _tokens(wei: int) -> str:
    return f"{from_wei(wei).normalize():f}"


@dataclass(frozen=True)
class Funds:
    """What the agent's wallet holds at start, and the prices it faces."""

    eth: int
    token: int
    bonded: int
    max_fee_per_gas: int
    min_provider_stake: int


def funds_problems(agent: str, funds: Funds, *, provides: bool, hires: bool) -> tuple[str | None, list[str]]:
    """(error line or None, warning lines) for an agent with these funds. Pure."""
    one_tx = ONE_TX_GAS * funds.max_fee_per_gas
    warnings: list[str] = []
    if funds.eth < one_tx:
        return (
            f"agent {agent}: {_tokens(funds.eth)} ETH cannot pay the gas of one transaction "
            f"({ONE_TX_GAS} gas at {funds.max_fee_per_gas} wei = {_tokens(one_tx)} ETH); "
            "send it ETH first"
        ), warnings
    if funds.eth < RUNWAY_TXS * one_tx:
        warnings.append(
            f"agent {agent}: {_tokens(funds.eth)} ETH pays for about {funds.eth // one_tx} "
            f"transactions at today's fee (fewer than {RUNWAY_TXS}); send it ETH"
        )
    needs = []
    if provides and funds.token + funds.bonded < funds.min_provider_stake:
        needs.append(
            "cannot stake the escrow's minimum provider stake of "
            f"{_tokens(funds.min_provider_stake)} AGENT, so no client can hire it"
        )
    if hires and funds.token == 0:
        needs.append("has no liquid AGENT to fund jobs as a client")
    if needs:
        warnings.append(
            f"agent {agent}: {_tokens(funds.token)} AGENT liquid and {_tokens(funds.bonded)} "
            "staked: it " + " and it ".join(needs) + "; send it AGENT"
        )
    return None, warnings


def read_funds(web3: Any, contracts: Any, address: str, sender: Any) -> Funds:
    """The wallet's ETH, AGENT and bonded stake, the escrow's minimum provider stake and the max fee the
    agent's own sender would offer for a transaction now (`TxSender.fees`)."""
    token = int(contracts["AgentToken"].functions.balanceOf(address).call())
    bonded = int(contracts["Staking"].functions.bondedOf(address).call()) if "Staking" in contracts else 0
    min_stake = (
        int(contracts["ServiceEscrow"].functions.minProviderStake().call())
        if "ServiceEscrow" in contracts
        else 0
    )
    quote = sender.fees()
    fee = int(quote.get("maxFeePerGas", quote.get("gasPrice", 0)))
    return Funds(
        eth=int(web3.eth.get_balance(address)),
        token=token,
        bonded=bonded,
        max_fee_per_gas=fee,
        min_provider_stake=min_stake,
    )
