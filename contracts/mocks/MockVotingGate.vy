# pragma version 0.4.3
"""
@title TEST DOUBLE: a settable voting gate
@custom:contract-name MockVotingGate
@license MIT
@notice FOR TESTS ONLY. Never deploy outside tests. Answers
        `minVotingReputation()` as the Governor does, so Staking's voting
        activation can be unit-tested without a Governor.
"""


# @dev The gate returned by `minVotingReputation`.
minVotingReputation: public(uint256)


event GateSet:
    gate: uint256


@deploy
def __init__(gate_: uint256):
    """
    @param gate_ The initial gate.
    """
    self.minVotingReputation = gate_


@external
def setGate(gate_: uint256):
    """
    @notice TEST ONLY: sets the gate.
    @param gate_ The new gate.
    """
    self.minVotingReputation = gate_
    log GateSet(gate=gate_)
