"""The second EVM: the Hardhat node from npm (`--node hardhat`), started by the project like anvil.

The stated subset (issue 13 part 4): the devnet command (deploy through ape's generic node provider,
the CLI's reads, a refused and a good transfer, SIGTERM), a short `emergent simulate` run whose agents
trade through the escrow with the Hardhat node's own clock (`ClockedMiner`), and a governed parameter
set through the Hardhat node's impersonation. Every check reads the Hardhat chain itself.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "cli"))
from cli_devnet import assert_signal_stops_devnet, rpc, start_cli_devnet, stop_cli_devnet

from agents.chain.contracts import Contracts
from agents.devnet import node_kind
from agents.runtime.process import make_web3
from agents.sim.simulate import SimConfig, run

pytestmark = pytest.mark.slow

ACCOUNT0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ZERO = "0x" + "0" * 40
WEI = 10**18


@pytest.fixture(scope="module")
def hardhat(tmp_path_factory):
    """`emergent devnet --node hardhat --block-time 0` (blocks only on transactions)."""
    net = start_cli_devnet(tmp_path_factory.mktemp("hardhat"), "--node", "hardhat", "--block-time", "0")
    try:
        yield net
    finally:
        stop_cli_devnet(net)


def test_hardhat_devnet__is_the_hardhat_node_with_the_devnets_chain(hardhat):
    assert node_kind(hardhat.url) == "hardhat"
    assert "hardhatnetwork" in rpc(hardhat.url, "web3_clientVersion").lower()
    assert f"Hardhat node started at {hardhat.url}" in hardhat.output.read_text()
    data = json.loads(hardhat.file.read_text())
    assert data["chain_id"] == 31337 == int(rpc(hardhat.url, "eth_chainId"), 16)
    block0 = rpc(hardhat.url, "eth_getBlockByNumber", ["0x0", False])
    assert data["genesis_hash"] == block0["hash"]
    for address in data["contracts"].values():  # every contract of the deployment has code on Hardhat
        assert rpc(hardhat.url, "eth_getCode", [address, "latest"]) not in ("0x", "0x0")


def test_hardhat_devnet__status_and_balance_read_the_deployment(hardhat):
    r = hardhat.cli("status", "--json")
    assert r.code == 0, r.lines
    d = json.loads(r.stdout)
    assert d["chain_id"] == 31337 and d["token"]["symbol"] == "AGENT"
    r = hardhat.cli("token", "balance", GOOD)
    assert (r.code, r.stdout.strip()) == (0, f"{GOOD} 100,000.0000 AGENT")


def test_hardhat_devnet__refused_transfer__one_line_no_transaction(hardhat):
    head, nonce = hardhat.head(), hardhat.nonce(ACCOUNT0)
    r = hardhat.cli("token", "transfer", "--to", ZERO, "--amount", "1")
    assert (r.code, r.lines) == (
        2,
        ["Error: the transaction would revert: erc20: transfer to the zero address"],
    )
    assert hardhat.head() == head and hardhat.nonce(ACCOUNT0) == nonce, "a transaction was sent"


def test_hardhat_devnet__transfer_moves_exactly_the_amount(hardhat):
    sender = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # account 2
    w3 = make_web3(hardhat.url)
    token = Contracts.load(w3, deployment_file=hardhat.file)["AgentToken"]
    before = (token.functions.balanceOf(sender).call(), token.functions.balanceOf(GOOD).call())
    supply = token.functions.totalSupply().call()
    head = hardhat.head()
    r = hardhat.cli("token", "transfer", "--to", GOOD, "--amount", "2.5", "--account-index", "2")
    assert r.code == 0 and r.stdout.startswith(f"sent 2.5 AGENT to {GOOD} in tx 0x"), r.lines
    assert hardhat.head() == head + 1
    after = (token.functions.balanceOf(sender).call(), token.functions.balanceOf(GOOD).call())
    assert (before[0] - after[0], after[1] - before[1]) == (25 * 10**17, 25 * 10**17)
    assert token.functions.totalSupply().call() == supply


def test_hardhat_devnet__sigterm_stops_the_node_exit_0(tmp_path):
    net = start_cli_devnet(tmp_path, "--node", "hardhat", "--block-time", "0")
    try:
        assert_signal_stops_devnet(net, signal.SIGTERM, "the Hardhat node")
    finally:
        stop_cli_devnet(net)


def _read_chain(url: str, deployment_file: Path) -> dict:
    """Supply, every holder's balance, and the clock of the last blocks, read from the node itself."""
    w3 = make_web3(url)
    c = Contracts.load(w3, deployment_file=deployment_file)
    token = c["AgentToken"]
    start = json.loads(deployment_file.read_text())["block"]
    holders = {ev.args["receiver"] for ev in token.events.Transfer.get_logs(from_block=start)}
    head = w3.eth.get_block("latest")
    earlier = w3.eth.get_block(head["number"] - 10)
    return {
        "supply": token.functions.totalSupply().call(),
        "held": sum(token.functions.balanceOf(h).call() for h in holders),
        "seconds_per_block": (head["timestamp"] - earlier["timestamp"]) / 10,
    }


def test_simulation_on_hardhat__agents_trade_settle_and_lose_no_tokens(tmp_path, monkeypatch):
    """A short `simulate --node hardhat`: a block a second of 6 s chain time from the ClockedMiner, agent
    processes trading through the escrow. The chain is read just before the run stops its node."""
    from agents.devnet import Devnet

    out = tmp_path / "run"
    seen: dict = {}
    original_stop = Devnet.stop

    def stop_after_reading(self, timeout: float = 10.0) -> None:
        if self.process is not None and not seen:
            seen.update(_read_chain(self.url, out / "ethereum-local.json"))
        original_stop(self, timeout)

    monkeypatch.setattr(Devnet, "stop", stop_after_reading)
    cfg = SimConfig(
        agents=4,
        cycles=12,
        seed=1,
        out=out,
        node="hardhat",
        personas=["honest", "honest", "guardian", "honest"],
        services_per_agent=2,
    )
    m = run(cfg, echo=lambda _s: None)
    outcomes = m.jobs_by_outcome()
    print("hardhat run:", outcomes, {k: m.info[k] for k in ("blocks", "setup_seconds", "run_seconds")}, seen)
    assert m.info["exit_codes"] == [0] * 4, m.info["exit_codes"]
    assert all(len(s) >= 12 for s in m.samples.values()), {a: len(s) for a, s in m.samples.items()}
    assert outcomes.get("completed", 0) >= 1, outcomes
    assert seen["held"] == seen["supply"], "tokens were created or lost"
    assert seen["seconds_per_block"] == 6  # the run's chain clock, not the wall clock
    assert (out / "report.html").is_file() and (out / "hardhat.log").is_file()
