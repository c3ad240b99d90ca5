"""Governance proposals described in plain terms and encoded for the Governor (pure: no chain, no I/O).

The CLI (`emergent gov ...`) and the agents build proposals through this module:

- `PARAMETERS`: every governed parameter by a dotted name (`governor.votingDelay`,
  `escrow.feeBps`, ...) -> the contract that holds it, its setter, its getter, its unit and the
  on-chain bounds (a literal or the name of the contract's MIN_/MAX_ constant, read on-chain by the
  caller);
- `parse_value` turns user text into the on-chain integer (whole tokens -> wei for token amounts);
- `param_change` / `treasury_grant` / `mint` / `guardian_change` return the `Action`s of a proposal;
- `proposal_args` / `proposal_id` / `timelock_salt` reproduce the Governor's hashing offline.

Errors are `GovernanceInputError` with a one-line message meant for the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.crypto import keccak

from agents.chain.protocol import VoteSupport

WEI = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MAX_ACTIONS = 10
MAX_CALLDATA = 1_024
MAX_DESCRIPTION = 2_048

CANCELLER_ROLE = keccak(text="CANCELLER_ROLE")


class GovernanceInputError(ValueError):
    """Bad input for a proposal; the message is one line for the user."""


@dataclass(frozen=True)
class ParamSpec:
    """A governed parameter. `lower`/`upper` are literals or names of public constants on `contract`."""

    name: str
    contract: str
    setter: str  # ABI signature, e.g. "setVotingDelay(uint48)" or "setParameter(string,uint256)"
    getter: str
    unit: str  # blocks | seconds | bps | reputation | tokens
    lower: int | str
    upper: int | str
    key: str | None = None  # the name passed to setParameter(string,uint256)
    help: str = ""


def _p(
    name: str,
    contract: str,
    setter: str,
    getter: str,
    unit: str,
    lower: int | str,
    upper: int | str,
    key: str | None = None,
    help: str = "",
) -> ParamSpec:
    return ParamSpec(name, contract, setter, getter, unit, lower, upper, key, help)


_SET = "setParameter(string,uint256)"

PARAMETERS: dict[str, ParamSpec] = {
    s.name: s
    for s in (
        _p(
            "governor.votingDelay",
            "Governor",
            "setVotingDelay(uint48)",
            "votingDelay",
            "blocks",
            "MIN_VOTING_DELAY",
            "MAX_VOTING_DELAY",
            help="blocks between propose and the snapshot",
        ),
        _p(
            "governor.votingPeriod",
            "Governor",
            "setVotingPeriod(uint32)",
            "votingPeriod",
            "blocks",
            "MIN_VOTING_PERIOD",
            "MAX_VOTING_PERIOD",
            help="blocks of voting",
        ),
        _p(
            "governor.proposalThreshold",
            "Governor",
            "setProposalThreshold(uint256)",
            "proposalThreshold",
            "tokens",
            "MIN_PROPOSAL_THRESHOLD",
            "MAX_PROPOSAL_THRESHOLD",
            help="stake needed to propose",
        ),
        _p(
            "governor.proposalReputationThreshold",
            "Governor",
            "setProposalReputationThreshold(uint256)",
            "proposalReputationThreshold",
            "reputation",
            "MIN_PROPOSAL_REPUTATION",
            "MAX_PROPOSAL_REPUTATION",
            help="reputation needed to propose",
        ),
        _p(
            "governor.minVotingReputation",
            "Governor",
            "setMinVotingReputation(uint256)",
            "minVotingReputation",
            "reputation",
            "MIN_VOTING_REPUTATION",
            "MAX_VOTING_REPUTATION",
            help="reputation needed to vote",
        ),
        _p(
            "governor.quorumNumerator",
            "Governor",
            "updateQuorumNumerator(uint256)",
            "quorumNumerator",
            "bps",
            "MIN_QUORUM_NUMERATOR",
            "MAX_QUORUM_NUMERATOR",
            help="quorum, bps of total stake",
        ),
        _p(
            "governor.lateQuorumVoteExtension",
            "Governor",
            "setLateQuorumVoteExtension(uint48)",
            "lateQuorumVoteExtension",
            "blocks",
            "MIN_LATE_QUORUM_EXTENSION",
            "MAX_LATE_QUORUM_EXTENSION",
            help="blocks left to vote after a late quorum",
        ),
        _p(
            "timelock.minDelay",
            "Timelock",
            "update_delay(uint256)",
            "get_minimum_delay",
            "seconds",
            "MIN_DELAY",
            "MAX_DELAY",
            help="seconds between queue and execute",
        ),
        _p(
            "staking.unbondingPeriod",
            "Staking",
            _SET,
            "unbondingPeriod",
            "seconds",
            "MIN_UNBONDING_PERIOD",
            "MAX_UNBONDING_PERIOD",
            "unbondingPeriod",
            "seconds before unstaked tokens can leave",
        ),
        _p(
            "staking.slashBeneficiaryShareBps",
            "Staking",
            _SET,
            "slashBeneficiaryShareBps",
            "bps",
            0,
            "MAX_BENEFICIARY_SHARE_BPS",
            "slashBeneficiaryShareBps",
            "share of a slash paid to the wronged party",
        ),
        _p(
            "escrow.feeBps",
            "ServiceEscrow",
            _SET,
            "feeBps",
            "bps",
            0,
            "MAX_FEE_BPS",
            "feeBps",
            "fee on completed jobs",
        ),
        _p(
            "escrow.collateralRatioBps",
            "ServiceEscrow",
            _SET,
            "collateralRatioBps",
            "bps",
            0,
            "MAX_COLLATERAL_RATIO_BPS",
            "collateralRatioBps",
            "provider collateral per budget",
        ),
        _p(
            "escrow.minProviderStake",
            "ServiceEscrow",
            _SET,
            "minProviderStake",
            "tokens",
            0,
            "MAX_AMOUNT",
            "minProviderStake",
            "free stake a provider needs",
        ),
        _p(
            "escrow.reviewWindow",
            "ServiceEscrow",
            _SET,
            "reviewWindow",
            "seconds",
            "MIN_WINDOW",
            "MAX_WINDOW",
            "reviewWindow",
            "seconds before a silent evaluator loses the job",
        ),
        _p(
            "escrow.disputeWindow",
            "ServiceEscrow",
            _SET,
            "disputeWindow",
            "seconds",
            "MIN_WINDOW",
            "MAX_WINDOW",
            "disputeWindow",
            "seconds to dispute a rejection",
        ),
        _p(
            "escrow.rulingPeriod",
            "ServiceEscrow",
            _SET,
            "rulingPeriod",
            "seconds",
            "MIN_WINDOW",
            "MAX_WINDOW",
            "rulingPeriod",
            "seconds for the guardian committee",
        ),
        _p(
            "escrow.disputeBond",
            "ServiceEscrow",
            _SET,
            "disputeBond",
            "tokens",
            0,
            "MAX_AMOUNT",
            "disputeBond",
            "bond to open a dispute",
        ),
        _p(
            "escrow.guardianMinStake",
            "ServiceEscrow",
            _SET,
            "guardianMinStake",
            "tokens",
            0,
            "MAX_AMOUNT",
            "guardianMinStake",
            "stake a dispute guardian needs",
        ),
        _p(
            "escrow.guardianMinReputation",
            "ServiceEscrow",
            _SET,
            "guardianMinReputation",
            "reputation",
            0,
            10_000,
            "guardianMinReputation",
            "reputation a dispute guardian needs",
        ),
        _p(
            "escrow.minWorkingWindow",
            "ServiceEscrow",
            _SET,
            "minWorkingWindow",
            "seconds",
            "MIN_WINDOW",
            "MAX_WINDOW",
            "minWorkingWindow",
            "seconds a funded job must leave its provider",
        ),
        _p(
            "escrow.maxJobDuration",
            "ServiceEscrow",
            _SET,
            "maxJobDuration",
            "seconds",
            "MIN_JOB_DURATION",
            "MAX_JOB_DURATION",
            "maxJobDuration",
            "longest expiry a funded job may have",
        ),
        _p(
            "reputation.halfLifeBlocks",
            "Reputation",
            _SET,
            "halfLifeBlocks",
            "blocks",
            "MIN_HALF_LIFE",
            "MAX_HALF_LIFE",
            "halfLifeBlocks",
            "blocks for a score to halve",
        ),
        _p(
            "reputation.referenceValue",
            "Reputation",
            _SET,
            "referenceValue",
            "tokens",
            "MIN_REFERENCE_VALUE",
            "MAX_REFERENCE_VALUE",
            "referenceValue",
            "payment that moves a score halfway",
        ),
        _p(
            "reputation.expiryPenaltyBps",
            "Reputation",
            _SET,
            "expiryPenaltyBps",
            "bps",
            0,
            "MAX_PENALTY_BPS",
            "expiryPenaltyBps",
            "score cut for an expired funded job",
        ),
        _p(
            "reputation.disputePenaltyBps",
            "Reputation",
            _SET,
            "disputePenaltyBps",
            "bps",
            0,
            "MAX_PENALTY_BPS",
            "disputePenaltyBps",
            "score cut for a lost dispute",
        ),
        _p(
            "reputation.slashPenaltyBps",
            "Reputation",
            _SET,
            "slashPenaltyBps",
            "bps",
            0,
            "MAX_PENALTY_BPS",
            "slashPenaltyBps",
            "score cut for a slash",
        ),
        _p(
            "reputation.raterCapBps",
            "Reputation",
            _SET,
            "raterCapBps",
            "bps",
            0,
            "MAX_RATER_CAP_BPS",
            "raterCapBps",
            "a rater lifts nobody above this share of its own score",
        ),
    )
}


@dataclass(frozen=True)
class Action:
    """One call the Timelock will make."""

    target: str
    value: int
    calldata: bytes
    summary: str


def encode_call(signature: str, args: Sequence[object]) -> bytes:
    """selector(signature) + abi-encoded args, e.g. encode_call("transfer(address,uint256)", [to, 5])."""
    types = signature[signature.index("(") + 1 : -1]
    type_list = [t for t in types.split(",") if t]
    return function_signature_to_4byte_selector(signature) + encode(type_list, list(args))


def lookup_parameter(name: str) -> ParamSpec:
    spec = PARAMETERS.get(name)
    if spec is None:
        raise GovernanceInputError(f"unknown parameter {name!r} (known: {', '.join(sorted(PARAMETERS))})")
    return spec


def parse_tokens(raw: str, what: str = "amount", allow_zero: bool = False) -> int:
    """Whole tokens (decimal allowed) -> wei; refuses negatives, NaN and sub-wei precision."""
    try:
        amount = Decimal(str(raw).strip())
    except InvalidOperation:
        raise GovernanceInputError(f"{what} must be a number of tokens, got {raw!r}") from None
    if not amount.is_finite():
        raise GovernanceInputError(f"{what} must be finite, got {raw!r}")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise GovernanceInputError(f"{what} must be greater than zero, got {raw}")
    wei = amount * WEI
    if wei != wei.to_integral_value():
        raise GovernanceInputError(f"{what} has more than 18 decimal places: {raw}")
    return int(wei)


def parse_value(spec: ParamSpec, raw: str) -> int:
    """User text -> the integer the setter takes (tokens are whole AGENT, converted to wei)."""
    if spec.unit == "tokens":
        return parse_tokens(raw, f"{spec.name} value", allow_zero=True)
    text = str(raw).strip().replace("_", "")
    if not text.isdigit():
        raise GovernanceInputError(f"{spec.name} takes a whole number of {spec.unit}, got {raw!r}")
    return int(text)


def format_value(spec: ParamSpec, value: int) -> str:
    if spec.unit == "tokens":
        return f"{Decimal(value) / WEI:f} AGENT"
    return f"{value} {spec.unit}"


def check_bounds(spec: ParamSpec, value: int, lower: int, upper: int) -> None:
    """`lower`/`upper` are the resolved on-chain bounds."""
    if not lower <= value <= upper:
        raise GovernanceInputError(
            f"{spec.name} must be within [{format_value(spec, lower)}, {format_value(spec, upper)}], "
            f"got {format_value(spec, value)}"
        )


def param_change(spec: ParamSpec, value: int, target: str) -> list[Action]:
    """The action setting `spec` to `value` on the contract at `target` (bounds checked by the caller)."""
    args: list[object] = [spec.key, value] if spec.key else [value]
    return [
        Action(target, 0, encode_call(spec.setter, args), f"set {spec.name} to {format_value(spec, value)}")
    ]


def treasury_grant(token: str, to: str, amount: int) -> list[Action]:
    """Pay `amount` wei of AGENT from the treasury (the Timelock) to `to`."""
    if amount <= 0:
        raise GovernanceInputError("grant amount must be greater than zero")
    _check_recipient(to)
    return [
        Action(
            token,
            0,
            encode_call("transfer(address,uint256)", [to, amount]),
            f"grant {Decimal(amount) / WEI:f} AGENT from the treasury to {to}",
        )
    ]


def mint(token: str, to: str, amount: int) -> list[Action]:
    """Mint `amount` wei of AGENT to `to` (the Timelock is the minter; the token enforces the cap)."""
    if amount <= 0:
        raise GovernanceInputError("mint amount must be greater than zero")
    _check_recipient(to)
    return [
        Action(
            token,
            0,
            encode_call("mint(address,uint256)", [to, amount]),
            f"mint {Decimal(amount) / WEI:f} AGENT to {to}",
        )
    ]


def guardian_change(governor: str, timelock: str, new: str, old: str) -> list[Action]:
    """Appoint `new` as guardian (zero: none): one `Governor.setGuardian` action.

    The guardian cancels through `Governor.cancel` only and holds no Timelock role (issue 10, finding 3):
    a Timelock canceller role would let it cancel its own removal there. A proposal made only of
    `setGuardian` actions is one the guardian cannot cancel. `timelock` is kept for the callers' signature.
    """
    if new.lower() == old.lower():
        raise GovernanceInputError(f"{new} is already the guardian")
    return [Action(governor, 0, encode_call("setGuardian(address)", [new]), f"appoint guardian {new}")]


def _check_recipient(to: str) -> None:
    if to == ZERO_ADDRESS:
        raise GovernanceInputError("the recipient must not be the zero address")


def proposal_args(
    actions: Sequence[Action], description: str
) -> tuple[list[str], list[int], list[bytes], str]:
    """The four `propose` arguments, with the Governor's size limits checked."""
    if not actions:
        raise GovernanceInputError("a proposal needs at least one action")
    if len(actions) > MAX_ACTIONS:
        raise GovernanceInputError(f"a proposal has at most {MAX_ACTIONS} actions, got {len(actions)}")
    for a in actions:
        if len(a.calldata) > MAX_CALLDATA:
            raise GovernanceInputError(f"calldata of '{a.summary}' exceeds {MAX_CALLDATA} bytes")
    if not description.strip():
        raise GovernanceInputError("the description must not be empty")
    if len(description.encode()) > MAX_DESCRIPTION:
        raise GovernanceInputError(f"the description exceeds {MAX_DESCRIPTION} bytes")
    return [a.target for a in actions], [a.value for a in actions], [a.calldata for a in actions], description


def description_hash(description: str) -> bytes:
    return keccak(text=description)


def proposal_id(
    targets: Sequence[str], values: Sequence[int], calldatas: Sequence[bytes], description: str
) -> int:
    """OpenZeppelin's hashProposal: uint256(keccak256(abi.encode(targets, values, calldatas, descHash)))."""
    encoded = encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"],
        [list(targets), list(values), list(calldatas), description_hash(description)],
    )
    return int.from_bytes(keccak(encoded), "big")


def timelock_salt(governor: str, desc_hash: bytes) -> bytes:
    """GovernorTimelockControl's salt: bytes20(governor) ^ descriptionHash."""
    return ((int(governor, 16) << 96) ^ int.from_bytes(desc_hash, "big")).to_bytes(32, "big")


def parse_proposal_id(raw: str) -> int:
    text = str(raw).strip()
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise GovernanceInputError(f"proposal id must be a decimal or 0x-hex number, got {raw!r}") from None
    if not 0 < value < 2**256:
        raise GovernanceInputError(f"proposal id out of range: {raw}")
    return value


def parse_support(raw: str) -> VoteSupport:
    try:
        return VoteSupport.parse(str(raw))
    except ValueError:
        raise GovernanceInputError(f"vote must be one of for, against, abstain; got {raw!r}") from None


class Eip712DomainSource(Protocol):
    """Anything with ERC-5267's `eip712Domain()`: (fields, name, version, chainId, verifyingContract,
    salt, extensions), e.g. an ape handle of the Governor."""

    def eip712Domain(self) -> Sequence[Any]: ...


def ballot_signature(
    governor: Eip712DomainSource,
    voter_key: bytes,
    voter: str,
    proposal_id: int,
    support: int,
    nonce: int,
    chain_id: int,
) -> bytes:
    """OpenZeppelin 5.x Ballot signed over the governor's EIP-712 domain (chain id overridable), for
    `castVoteBySig`; `governor` is any handle whose `eip712Domain()` returns the ERC-5267 tuple."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    _, name, version, _, verifying, _, _ = governor.eip712Domain()
    msg = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Ballot": [
                {"name": "proposalId", "type": "uint256"},
                {"name": "support", "type": "uint8"},
                {"name": "voter", "type": "address"},
                {"name": "nonce", "type": "uint256"},
            ],
        },
        "primaryType": "Ballot",
        "domain": {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying},
        "message": {"proposalId": proposal_id, "support": support, "voter": voter, "nonce": nonce},
    }
    return bytes(Account.sign_message(encode_typed_data(full_message=msg), voter_key).signature)
