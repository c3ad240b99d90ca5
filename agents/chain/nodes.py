"""How a local node mines: a block per transaction, or many transactions per block.

    set_mining(url, "batch")          # automine off: transactions wait in the pool until mine(url)
    mine(url)                         # one block holding every pending transaction that fits
    set_mining(url, "auto")           # back to a block per transaction
    BatchMiner(url).step()            # one decision of the batching loop (mine when the pool is quiet)
    LockstepMiner(url, start, 5, cycles_done).step()   # mine when every agent has ticked its window

Why batch: anvil 1.7.1 pays a per-block cost that grows with the state (it re-hashes every storage slot
for every block; about 1.3 us a slot here), so a block per transaction makes the economy's
throughput fall as its escrow, registry and checkpoints fill. Many transactions per block pay it once.

`LockstepMiner` (benchmarks, where the driver can see the agents' progress) mines the blocks inside a
window back to back and, at a window's last block, waits until every agent has run that cycle; so
each round of the agents' transactions goes into one block, no agent ever falls behind its windows,
and nothing waits on a wall clock. `BatchMiner` (no view of the agents) mines a block when the pool
has stopped growing for `quiet_s` (every agent that was going
to send this round has sent) or, when the pool is empty, when the chain has not moved for `quiet_s`
(every agent is waiting for its next window, so the window has to advance). Agents count their cycles
in blocks, so their timing is the same in both modes: a window is `cycle_blocks` blocks, whatever a
block holds. Interval mining (`evm_setIntervalMining`, a block every N s) is the real-time variant the
simulation uses.
"""

from __future__ import annotations

import time
from typing import Any

from agents.devnet import rpc

MINING_MODES = ("auto", "batch")


def set_mining(url: str, mode: str) -> None:
    """'auto': a block per transaction; 'batch': no automine and no interval (blocks only by `mine`)."""
    if mode not in MINING_MODES:
        raise ValueError(f"mining mode must be one of {MINING_MODES}, got {mode!r}")
    rpc(url, "evm_setIntervalMining", [0])
    rpc(url, "evm_setAutomine", [mode == "auto"])


def mine(url: str, blocks: int = 1) -> None:
    rpc(url, "anvil_mine", [hex(blocks)])


def pending_count(url: str, client: Any = None) -> int:
    """Transactions waiting in the node's pool (txpool_status; `client`: an agents.chain.rpc.JsonRpc)."""
    status = client.request("txpool_status") if client is not None else rpc(url, "txpool_status")
    return int(status.get("pending", "0x0"), 16)


class BatchMiner:
    """Mines a block when nothing has changed for `quiet_s`: the pool stopped growing, or (empty pool)
    the chain stopped moving. Call `step()` in a loop; it returns True when it mined."""

    def __init__(self, url: str, quiet_s: float = 0.02, client: Any = None) -> None:
        from agents.chain.rpc import JsonRpc

        self.url = url
        self.quiet_s = quiet_s
        self.client = client or JsonRpc(url)
        self._seen: tuple[int, int] | None = None
        self._since = time.monotonic()
        self.blocks = 0

    def step(self) -> bool:
        block = int(self.client.request("eth_blockNumber"), 16)
        seen = (block, pending_count(self.url, self.client))
        now = time.monotonic()
        if seen != self._seen:
            self._seen, self._since = seen, now
            return False
        if now - self._since <= self.quiet_s:
            return False
        self.client.request("anvil_mine", ["0x1"])
        self.blocks += 1
        self._seen, self._since = None, now
        return True


class LockstepMiner:
    """Mines as fast as the agents allow, one round of their transactions per block.

    Agents started at `start_block` run cycle k when block start + (k + 1) x cycle_blocks - 1 (the end
    of window k) exists. `cycles_done()` is the fewest cycles any agent has completed. `step()` mines
    one block unless a window has ended that some agent has not run yet (then it waits: that agent's
    transactions are still to come). Returns True when it mined."""

    def __init__(self, url: str, start_block: int, cycle_blocks: int, cycles_done: Any, client: Any = None) -> None:
        from agents.chain.rpc import JsonRpc

        self.url = url
        self.start = start_block
        self.cycle_blocks = cycle_blocks
        self.cycles_done = cycles_done
        self.client = client or JsonRpc(url)
        self.blocks = 0

    def windows_complete(self, head: int) -> int:
        return max(0, (head - self.start + 1) // self.cycle_blocks)

    def step(self) -> bool:
        head = int(self.client.request("eth_blockNumber"), 16)
        if self.cycles_done() < self.windows_complete(head):
            return False
        self.client.request("anvil_mine", ["0x1"])
        self.blocks += 1
        return True
