"""How a local node mines: a block per transaction, or many transactions per block.

    set_mining(url, "batch")          # automine off: transactions wait in the pool until anvil_mine
    set_mining(url, "auto")           # back to a block per transaction
    LockstepMiner(url, start, 5, cycles_done).step()   # one block, unless an agent has not run its window

Why batch: anvil 1.7.1 pays a per-block cost that grows with the state (it re-hashes every storage slot
for every block; about 1.3 us a slot here), so a block per transaction makes the economy's
throughput fall as its escrow, registry and checkpoints fill. Many transactions per block pay it once.

`LockstepMiner` (benchmarks, where the driver can see the agents' progress) mines the blocks inside a
window back to back and, at a window's last block, waits until every agent has run that cycle; so
each round of the agents' transactions goes into one block, no agent ever falls behind its windows,
and nothing waits on a wall clock. (A first version mined whenever the pool had stopped growing for
20 ms: under load it mined mid-round, 4-5 transactions a block, and was slower than automine.)
Agents count their cycles in blocks, so their timing is the same in every mode: a window is
`cycle_blocks` blocks, whatever a block holds. Interval mining (`evm_setIntervalMining`, a block
every N s, many transactions each) is the real-time variant `emergent simulate` and the keep-up
check use.
"""

from __future__ import annotations

from typing import Any

from agents.devnet import rpc

MINING_MODES = ("auto", "batch")


def set_mining(url: str, mode: str) -> None:
    """'auto': a block per transaction; 'batch': no automine and no interval (blocks only by anvil_mine)."""
    if mode not in MINING_MODES:
        raise ValueError(f"mining mode must be one of {MINING_MODES}, got {mode!r}")
    rpc(url, "evm_setIntervalMining", [0])
    rpc(url, "evm_setAutomine", [mode == "auto"])


class LockstepMiner:
    """Mines as fast as the agents allow, one round of their transactions per block.

    Agents started at `start_block` run cycle k when block start + (k + 1) x cycle_blocks - 1 (the end
    of window k) exists. `cycles_done()` is the fewest cycles any agent has completed. `step()` mines
    one block unless a window has ended that some agent has not run yet (then it waits: that agent's
    transactions are still to come). Returns True when it mined."""

    def __init__(
        self, url: str, start_block: int, cycle_blocks: int, cycles_done: Any, client: Any = None
    ) -> None:
        from agents.chain.rpc import JsonRpc

        self.url = url
        self.start = start_block
        self.cycle_blocks = cycle_blocks
        self.cycles_done = cycles_done
        self.client = client or JsonRpc(url)
        self.blocks = 0
        self.known_done = 0  # every agent is known to have run this many cycles

    def windows_complete(self, head: int) -> int:
        return max(0, (head - self.start + 1) // self.cycle_blocks)

    def step(self) -> bool:
        head = int(self.client.request("eth_blockNumber"), 16)
        if self.windows_complete(head) > self.known_done and self.cycles_done() < self.windows_complete(head):
            return False
        self.known_done = max(self.known_done, self.windows_complete(head))  # asked only at a window's end
        self.client.request("anvil_mine", ["0x1"])
        self.blocks += 1
        return True
