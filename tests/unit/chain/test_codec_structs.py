"""Structs decode to named tuples from the ABI's component names (no `value[6]` in the agents)."""

from __future__ import annotations

from eth_abi import encode

from agents.chain.abi import load_abi
from agents.chain.codec import FunctionCodec
from agents.chain.protocol import JobStatus

ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def _get_job() -> FunctionCodec:
    return FunctionCodec.from_abi(next(i for i in load_abi("ServiceEscrow") if i.get("name") == "getJob"))


def test_get_job_decodes_to_fields_named_as_in_the_contract() -> None:
    fn = _get_job()
    values = (ALICE.lower(), BOB.lower(), ALICE.lower(), 1, 500, 1_700, 480, 50, 1_800, b"\x11" * 32)
    job = fn.decode(encode(list(fn.output_types), [values]))
    assert job._fields == (
        "client",
        "provider",
        "evaluator",
        "status",
        "budget",
        "expiredAt",
        "held",
        "collateral",
        "deadline",
        "deliverable",
    )
    assert (job.client, job.provider) == (ALICE, BOB)  # checksummed, as web3 returns them
    assert job.status == JobStatus.FUNDED and (job.budget, job.held, job.deadline) == (500, 480, 1_800)
    assert job[6] == job.held  # still a tuple in ABI order


def test_unnamed_components_stay_a_plain_tuple() -> None:
    item = {
        "type": "function",
        "name": "pair",
        "inputs": [],
        "outputs": [
            {
                "name": "",
                "type": "tuple",
                "components": [{"name": "", "type": "uint256"}, {"name": "", "type": "uint256"}],
            }
        ],
    }
    fn = FunctionCodec.from_abi(item)
    got = fn.decode(encode(["(uint256,uint256)"], [(3, 4)]))
    assert got == (3, 4) and type(got) is tuple
