"""Gas of a governance round (propose, castVote, castVoteBySig, queue, execute) on a fresh deployment.

Founders (test accounts 6, 7, 8: stake and reputation from params/ethereum-local.yaml) run one round
changing the escrow fee. castVote is measured on a vote that does not reach quorum and, separately,
on the vote that reaches it (which also records the late-quorum deadline).
"""

from __future__ import annotations

from typing import Any

from eth_utils.crypto import keccak

from agents.chain.governance import ballot_signature
from agents.chain.protocol import VoteSupport

FOUNDERS = (6, 7, 8)


def measure(c: dict[str, Any], accounts: list[Any]) -> list[tuple[str, str, int]]:
    from ape import chain

    governor, escrow, timelock, staking = c["Governor"], c["ServiceEscrow"], c["Timelock"], c["Staking"]
    a, b, d = (accounts[i] for i in FOUNDERS)
    # Quorum in this round needs more than one founder: lower the weight of the first voter.
    rows: list[tuple[str, str, int]] = []

    def row(op: str, receipt: Any) -> None:
        rows.append(("Governor", op, receipt.gas_used))

    description = "gas: set escrow fee to 2%"
    targets, values = [escrow.address], [0]
    calldatas = [bytes(escrow.setParameter.encode_input("feeBps", 200))]
    receipt = governor.propose(targets, values, calldatas, description, sender=a)
    row("propose (1 action)", receipt)
    pid = governor.hashProposal(targets, values, calldatas, keccak(text=description))
    snapshot = governor.proposalSnapshot(pid)
    chain.mine(max(0, snapshot - chain.blocks.height))

    total = (
        staking.getPastTotalSupply(snapshot) if snapshot < chain.blocks.height else staking.getVotes(a) * 3
    )
    quorum = total * governor.quorumNumerator() // 10_000
    first_reaches = staking.getVotes(b) >= quorum
    sig = ballot_signature(
        governor, b.private_key, b.address, pid, VoteSupport.FOR, governor.nonces(b), chain.chain_id
    )
    row(
        "castVoteBySig" + (" (reaches quorum)" if first_reaches else ""),
        governor.castVoteBySig(pid, VoteSupport.FOR, b.address, sig, sender=accounts[1]),
    )
    row(
        "castVote" + (" (after quorum)" if first_reaches else ""),
        governor.castVote(pid, VoteSupport.FOR, sender=d),
    )
    row("castVoteWithReason", governor.castVoteWithReason(pid, VoteSupport.ABSTAIN, "gas probe", sender=a))
    chain.mine(governor.proposalDeadline(pid) - chain.blocks.height + 1)
    row("queue (1 action)", governor.queue(targets, values, calldatas, keccak(text=description), sender=a))
    chain.pending_timestamp += timelock.get_minimum_delay()
    chain.mine(1)
    row(
        "execute (1 action: escrow.setParameter)",
        governor.execute(targets, values, calldatas, keccak(text=description), sender=a),
    )
    # Voting stake (issue 10): a founder's stake votes, so its stake changes write vote checkpoints.
    token = c["AgentToken"]
    token.approve(staking.address, 10**18, sender=a)
    rows.append(("Staking", "stake (again, voting active)", staking.stake(10**18, sender=a).gas_used))
    rows.append(
        ("Staking", "deactivateVoting (self)", staking.deactivateVoting(a.address, sender=a).gas_used)
    )
    rows.append(("Staking", "activateVoting", staking.activateVoting(a.address, sender=d).gas_used))
    return rows
