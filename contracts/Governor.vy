# pragma version 0.4.3
"""
@title Emergent Governor
@custom:contract-name Governor
@license MIT
@notice The agents' DAO. Agents with enough reputation vote with their stake
        on proposals; passed proposals run through the Timelock after its
        delay. The external interface is OpenZeppelin Contracts 5.x's
        `IGovernor` (function signatures, `ProposalState` numbering, events
        and their argument lists) with `GovernorCountingSimple`,
        `GovernorSettings`, `GovernorVotesQuorumFraction`,
        `GovernorPreventLateQuorum` and `GovernorTimelockControl`, so DAO
        tooling written for OpenZeppelin governors can read and drive it.

        Rules:
        - Clock (ERC-6372): block numbers, the same clock as Staking.
        - Snapshot = `clock() + votingDelay` at proposal time. Voting is open
          for blocks snapshot+1 .. deadline (deadline = snapshot +
          votingPeriod, possibly extended, see below).
        - Voting power = the voter's voting stake in Staking at the END of the
          snapshot block (`getPastVotes(voter, snapshot)`: bonded stake of an
          account that activated voting), capped at its voting stake when the
          vote is cast (stake queued for unbonding since the snapshot does not
          vote). Stake that is not bonded at the end of that block (added
          later, or added and queued for unbonding within the block, i.e. a
          flash stake) gives no votes.
        - Reputation gate: a voter whose reputation at the snapshot is below
          the proposal's `minVotingReputation` (copied from the governor's
          setting when the proposal is created) cannot vote; neither can a
          voter without stake at the snapshot.
        - Proposal floor: the proposer's stake and reputation are read at
          `clock() - 1` (a stake made in the proposing block does not count)
          and must reach `proposalThreshold` and `proposalReputationThreshold`.
        - Counting: Against 0, For 1, Abstain 2; quorum counts For + Abstain;
          a proposal succeeds when quorum is reached and For > Against.
          Quorum = total voting stake at the snapshot (only accounts that
          activated voting, so stake below the gate cannot raise it) *
          `quorumNumerator` / 10_000 (the numerator is copied into the
          proposal at creation), reached when For + Abstain >= quorum
          (exactly at quorum counts).
        - Late quorum (OpenZeppelin's rule): the vote that first reaches
          quorum moves the deadline to at least `clock() +
          lateQuorumVoteExtension`, so reaching quorum late leaves others time
          to respond. Once quorum was reached early, votes in the deadline
          block are not answered by an extension.
        - Metamorphic-target defence: the code hashes of all targets are
          pinned at `propose`; `queue` and `execute` refuse if any changed.
          "No account" and "account without code" are the same "no code".
        - Front-running: a description ending in `#proposer=0x<address>` may
          only be proposed by that address (OpenZeppelin 5.x).
        - Execution only through the Timelock (queue -> delay -> execute). A
          queued proposal not executed within `GRACE_PERIOD` seconds after its
          eta is Expired.
        - Cancel: the proposer while Pending; the guardian in any state but
          Canceled, Expired and Executed (a queued operation is cancelled in
          the Timelock too), except proposals that only remove cancel powers
          (`setGuardian` here, `revokeRole(CANCELLER_ROLE, ..)` on the
          Timelock): the DAO can always remove its guardian.
        - Every parameter is set only by the Timelock (i.e. by a passed
          proposal), within on-chain MIN_/MAX_ bounds, with an event.

        Bounds of the ABI's dynamic types (Vyper needs them): at most
        `MAX_ACTIONS` (10) calls per proposal, `MAX_CALLDATA` (1,024) bytes of
        calldata per call (the Timelock's own limit), descriptions up to
        `MAX_DESCRIPTION` (2,048) bytes, vote reasons up to `MAX_REASON`
        (1,024) bytes. Inputs beyond these bounds are refused.

        Left out of OpenZeppelin's ABI on purpose: `relay`, the
        `...WithParams` vote variants, `updateTimelock` (moving to another
        Timelock is done by a proposal that transfers ownership) and ERC-165
        (this governor does not implement every IGovernor selector).
@custom:security Voting power and reputation are only ever read at past
        timepoints (`snapshot` while voting, `clock() - 1` when proposing),
        so stake that exists only inside one block (flash loans, Beanstalk)
        gives nothing. Executing a proposal re-checks the targets' code
        hashes (Tornado Cash's metamorphic proposal). The Timelock's executor
        role belongs to this contract alone, so nothing reaches the Timelock's
        `execute_batch` without passing that check.
"""

from snekmate.utils import eip712_domain_separator as eip712
initializes: eip712

from snekmate.utils import signature_checker

from .interfaces import IVotingStake
from .interfaces import IReputationSource


exports: eip712.eip712Domain


interface ITimelock:
    def schedule_batch(
        targets: DynArray[address, MAX_ACTIONS],
        amounts: DynArray[uint256, MAX_ACTIONS],
        payloads: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
        predecessor: bytes32,
        salt: bytes32,
        delay: uint256,
    ): nonpayable
    def execute_batch(
        targets: DynArray[address, MAX_ACTIONS],
        amounts: DynArray[uint256, MAX_ACTIONS],
        payloads: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
        predecessor: bytes32,
        salt: bytes32,
    ): payable
    def cancel(id: bytes32): nonpayable
    def get_minimum_delay() -> uint256: view
    def is_operation_pending(id: bytes32) -> bool: view
    def is_operation_done(id: bytes32) -> bool: view


# ---------------------------------------------------------------- constants

# @dev Bounds of the ABI's dynamic arrays and strings.
MAX_ACTIONS: public(constant(uint256)) = 10
MAX_CALLDATA: public(constant(uint256)) = 1_024
MAX_DESCRIPTION: public(constant(uint256)) = 2_048
MAX_REASON: public(constant(uint256)) = 1_024

# @dev ProposalState, numbered as OpenZeppelin's enum.
STATE_PENDING: constant(uint8) = 0
STATE_ACTIVE: constant(uint8) = 1
STATE_CANCELED: constant(uint8) = 2
STATE_DEFEATED: constant(uint8) = 3
STATE_SUCCEEDED: constant(uint8) = 4
STATE_QUEUED: constant(uint8) = 5
STATE_EXPIRED: constant(uint8) = 6
STATE_EXECUTED: constant(uint8) = 7

# @dev Vote types (GovernorCountingSimple).
VOTE_AGAINST: constant(uint8) = 0
VOTE_FOR: constant(uint8) = 1
VOTE_ABSTAIN: constant(uint8) = 2

# @dev OpenZeppelin 5.x's ballot type, so wallets sign the same struct.
BALLOT_TYPEHASH: public(constant(bytes32)) = keccak256("Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)")

_NAME: constant(String[50]) = "Emergent Governor"
_VERSION: constant(String[20]) = "1"

# @dev Quorum is expressed in basis points of the total stake.
QUORUM_DENOMINATOR: constant(uint256) = 10_000

# @dev A queued proposal must be executed within this many seconds after its eta.
GRACE_PERIOD: public(constant(uint256)) = 14 * 86_400

# @dev Reputation scores live in [0, REPUTATION_MAX].
REPUTATION_MAX: constant(uint256) = 10_000

# @dev Parameter bounds. Durations are in blocks (the ERC-6372 clock).
MIN_VOTING_DELAY: public(constant(uint256)) = 1
MAX_VOTING_DELAY: public(constant(uint256)) = 100_800  # ~2 weeks of 12 s blocks
MIN_VOTING_PERIOD: public(constant(uint256)) = 10
MAX_VOTING_PERIOD: public(constant(uint256)) = 201_600  # ~4 weeks of 12 s blocks
MIN_PROPOSAL_THRESHOLD: public(constant(uint256)) = 10**18  # 1 AGENT
MAX_PROPOSAL_THRESHOLD: public(constant(uint256)) = 10_000_000 * 10**18  # 1% of the token cap
MIN_PROPOSAL_REPUTATION: public(constant(uint256)) = 1
MAX_PROPOSAL_REPUTATION: public(constant(uint256)) = 8_000
MIN_VOTING_REPUTATION: public(constant(uint256)) = 1
MAX_VOTING_REPUTATION: public(constant(uint256)) = 5_000
MIN_QUORUM_NUMERATOR: public(constant(uint256)) = 100  # 1% of the total stake
MAX_QUORUM_NUMERATOR: public(constant(uint256)) = 5_000  # 50% of the total stake
MIN_LATE_QUORUM_EXTENSION: public(constant(uint256)) = 1
MAX_LATE_QUORUM_EXTENSION: public(constant(uint256)) = 50_400  # ~1 week of 12 s blocks


# @dev Packing of `_core`.
_M48: constant(uint256) = (1 << 48) - 1
_M32: constant(uint256) = (1 << 32) - 1
_M16: constant(uint256) = (1 << 16) - 1
_M96: constant(uint256) = (1 << 96) - 1
_M128: constant(uint256) = (1 << 128) - 1
_ADDR_MASK: constant(uint256) = (1 << 160) - 1
_EXECUTED: constant(uint256) = 1 << 240
_CANCELED: constant(uint256) = 1 << 241
_GUARDIAN_PROOF: constant(uint256) = 1 << 242
# @dev The code pin keeps its upper 224 bits (a collision needs ~2**112 work).
_PIN_MASK: constant(uint256) = ~((1 << 32) - 1)

# @dev EIP-1052: the code hash of an account without code (keccak256 of nothing).
#      A target with no account at all reads 0; both mean "no code" in the pin.
_EMPTY_CODEHASH: constant(bytes32) = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470

# @dev Selectors of the actions that only remove cancel powers (see `cancel`).
_SET_GUARDIAN: constant(bytes4) = method_id("setGuardian(address)", output_type=bytes4)
_REVOKE_ROLE: constant(bytes4) = method_id("revokeRole(bytes32,address)", output_type=bytes4)
_CANCELLER_ROLE: constant(bytes32) = keccak256("CANCELLER_ROLE")


# ---------------------------------------------------------------- immutables

# @dev Staking: voting power (checkpointed bonded stake).
token: public(immutable(IVotingStake))

# @dev Reputation: the voting gate and the proposal floor.
reputation: public(immutable(IReputationSource))

# @dev The Timelock that queues and executes passed proposals and owns
#      every governed contract (and this governor's parameters).
timelock: public(immutable(ITimelock))


# ---------------------------------------------------------------- storage

# @dev Storage is packed so that `propose` writes two fresh slots, a vote one
#      (plus the ballot's `hasVoted` slot) and `queue` one more.
#
#      _core[id]:    proposer (bits 0..159) | snapshot (160..207, uint48)
#                    | voting period (208..239, uint32) | executed (240)
#                    | canceled (241) | guardian-proof (242)
#      _pin[id]:     the upper 224 bits of the code pin | quorum numerator
#                    (bits 16..31) | voting gate (bits 0..15), both copied at
#                    propose
#      _timing[id]:  extended deadline (bits 0..47, set when quorum is first
#                    reached) | eta seconds (bits 48..111, set when queued)
#      _timelock_id[id]: the Timelock operation id, set when queued
#      _for_abstain[id]: For (bits 0..127) | Abstain (bits 128..255)
#      _against[id]: Against
_core: HashMap[uint256, uint256]
_pin: HashMap[uint256, uint256]
_timing: HashMap[uint256, uint256]
_timelock_id: HashMap[uint256, bytes32]
_for_abstain: HashMap[uint256, uint256]
_against: HashMap[uint256, uint256]
_has_voted: HashMap[uint256, HashMap[address, bool]]

# @dev Every setting in one slot (read once per propose):
#      voting delay (bits 0..31) | voting period (32..63) | late-quorum
#      extension (64..95) | quorum numerator (96..111) | voting gate
#      (112..127) | proposal reputation floor (128..143) | proposal stake
#      threshold (144..239). The bounds below keep every field in its width.
_settings: uint256

# @dev May cancel any proposal that is not Canceled, Expired or Executed and
#      does not merely remove guardians (see `cancel`). Zero: nobody.
guardian: public(address)

# @dev EIP-712 ballot nonces (castVoteBySig).
nonces: public(HashMap[address, uint256])


# ---------------------------------------------------------------- events

# @dev OpenZeppelin IGovernor events (unindexed arguments, as Governor Bravo).
event ProposalCreated:
    proposalId: uint256
    proposer: address
    targets: DynArray[address, MAX_ACTIONS]
    values: DynArray[uint256, MAX_ACTIONS]
    signatures: DynArray[String[1], MAX_ACTIONS]
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS]
    voteStart: uint256
    voteEnd: uint256
    description: String[MAX_DESCRIPTION]

event ProposalQueued:
    proposalId: uint256
    etaSeconds: uint256

event ProposalExecuted:
    proposalId: uint256

event ProposalCanceled:
    proposalId: uint256

event VoteCast:
    voter: indexed(address)
    proposalId: uint256
    support: uint8
    weight: uint256
    reason: String[MAX_REASON]

# @dev GovernorPreventLateQuorum.
event ProposalExtended:
    proposalId: indexed(uint256)
    extendedDeadline: uint64

event LateQuorumVoteExtensionSet:
    oldVoteExtension: uint64
    newVoteExtension: uint64

# @dev GovernorSettings.
event VotingDelaySet:
    oldVotingDelay: uint256
    newVotingDelay: uint256

event VotingPeriodSet:
    oldVotingPeriod: uint256
    newVotingPeriod: uint256

event ProposalThresholdSet:
    oldProposalThreshold: uint256
    newProposalThreshold: uint256

# @dev GovernorVotesQuorumFraction.
event QuorumNumeratorUpdated:
    oldQuorumNumerator: uint256
    newQuorumNumerator: uint256

# @dev Emergent's reputation gate and guardian.
event ProposalReputationThresholdSet:
    oldThreshold: uint256
    newThreshold: uint256

event MinVotingReputationSet:
    oldMinVotingReputation: uint256
    newMinVotingReputation: uint256

event GuardianSet:
    previousGuardian: indexed(address)
    newGuardian: indexed(address)


# ---------------------------------------------------------------- constructor

@deploy
@payable
def __init__(
    token_: IVotingStake,
    reputation_: IReputationSource,
    timelock_: ITimelock,
    voting_delay_: uint256,
    voting_period_: uint256,
    proposal_threshold_: uint256,
    proposal_reputation_threshold_: uint256,
    min_voting_reputation_: uint256,
    quorum_numerator_: uint256,
    late_quorum_extension_: uint256,
    guardian_: address,
):
    """
    @dev Every parameter is checked against the same bounds as its setter.
    @param token_ Staking (IVotingStake); must run the block-number clock.
    @param reputation_ Reputation (IReputationSource).
    @param timelock_ The Timelock executing passed proposals.
    @param voting_delay_ Blocks, [MIN_VOTING_DELAY, MAX_VOTING_DELAY].
    @param voting_period_ Blocks, [MIN_VOTING_PERIOD, MAX_VOTING_PERIOD].
    @param proposal_threshold_ Stake, [MIN_PROPOSAL_THRESHOLD, MAX_PROPOSAL_THRESHOLD].
    @param proposal_reputation_threshold_ [MIN_PROPOSAL_REPUTATION, MAX_PROPOSAL_REPUTATION].
    @param min_voting_reputation_ [MIN_VOTING_REPUTATION, MAX_VOTING_REPUTATION].
    @param quorum_numerator_ Basis points, [MIN_QUORUM_NUMERATOR, MAX_QUORUM_NUMERATOR].
    @param late_quorum_extension_ Blocks, [MIN_LATE_QUORUM_EXTENSION, MAX_LATE_QUORUM_EXTENSION].
    @param guardian_ The first guardian; the zero address for none.
    """
    assert token_.address != empty(address), "Governor: token is zero"
    assert reputation_.address != empty(address), "Governor: reputation is zero"
    assert timelock_.address != empty(address), "Governor: timelock is zero"
    assert convert(staticcall token_.clock(), uint256) == block.number, "Governor: token clock is not block numbers"
    eip712.__init__(_NAME, _VERSION)
    token = token_
    reputation = reputation_
    timelock = timelock_
    self._set_voting_delay(voting_delay_)
    self._set_voting_period(voting_period_)
    self._set_proposal_threshold(proposal_threshold_)
    self._set_proposal_reputation_threshold(proposal_reputation_threshold_)
    self._set_min_voting_reputation(min_voting_reputation_)
    self._set_quorum_numerator(quorum_numerator_)
    self._set_late_quorum_extension(late_quorum_extension_)
    self._set_guardian(guardian_)


# ---------------------------------------------------------------- IGovernor

@external
@view
def name() -> String[50]:
    """
    @notice The governor's name (also its EIP-712 domain name).
    """
    return _NAME


@external
@view
def version() -> String[20]:
    """
    @notice The governor's version (also its EIP-712 domain version).
    """
    return _VERSION


@external
@view
def clock() -> uint48:
    """
    @notice ERC-6372 clock: the current block number.
    """
    return convert(block.number, uint48)


@external
@view
def CLOCK_MODE() -> String[64]:
    """
    @notice ERC-6372 clock description.
    """
    return "mode=blocknumber&from=default"


@external
@pure
def COUNTING_MODE() -> String[64]:
    """
    @notice Against/For/Abstain voting; For and Abstain count toward quorum.
    """
    return "support=bravo&quorum=for,abstain"


@external
@pure
def hashProposal(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice The proposal id: uint256(keccak256(abi.encode(targets, values,
            calldatas, descriptionHash))), as OpenZeppelin.
    @param targets Called contracts.
    @param values Wei sent with each call.
    @param calldatas ABI-encoded calls.
    @param descriptionHash keccak256 of the description.
    @return The proposal id.
    """
    return self._hash_proposal(targets, values, calldatas, descriptionHash)


@external
@view
def state(proposalId: uint256) -> uint8:
    """
    @notice The proposal's state, numbered as OpenZeppelin's ProposalState:
            Pending 0, Active 1, Canceled 2, Defeated 3, Succeeded 4,
            Queued 5, Expired 6, Executed 7.
    @dev Reverts for an unknown proposal.
    @param proposalId The proposal id.
    @return The state.
    """
    return self._state(proposalId)


@external
@view
def proposalSnapshot(proposalId: uint256) -> uint256:
    """
    @notice The block whose end-state gives voting power and reputation.
    @param proposalId The proposal id (0 for an unknown one).
    """
    return (self._core[proposalId] >> 160) & _M48


@external
@view
def proposalDeadline(proposalId: uint256) -> uint256:
    """
    @notice The last block in which votes are accepted (late-quorum extension included).
    @param proposalId The proposal id (0 for an unknown one).
    """
    return self._deadline(self._core[proposalId], self._timing[proposalId])


@external
@view
def proposalProposer(proposalId: uint256) -> address:
    """
    @notice Who created the proposal (zero for an unknown one).
    @param proposalId The proposal id.
    """
    return convert(convert(self._core[proposalId] & _ADDR_MASK, uint160), address)


@external
@view
def proposalEta(proposalId: uint256) -> uint256:
    """
    @notice The timestamp from which a queued proposal can be executed (0 before queueing).
    @param proposalId The proposal id.
    """
    return self._timing[proposalId] >> 48


@external
@view
def proposalNeedsQueuing(proposalId: uint256) -> bool:
    """
    @notice Always true: every proposal goes through the Timelock.
    @param proposalId The proposal id.
    """
    return True


@external
@view
def votingDelay() -> uint256:
    """
    @notice Blocks between proposing and the snapshot.
    """
    return self._settings & _M32


@external
@view
def votingPeriod() -> uint256:
    """
    @notice Blocks the vote stays open after the snapshot (before any extension).
    """
    return (self._settings >> 32) & _M32


@external
@view
def proposalThreshold() -> uint256:
    """
    @notice Stake (wei-units) a proposer needs at `clock() - 1`.
    """
    return (self._settings >> 144) & _M96


@external
@view
def proposalReputationThreshold() -> uint256:
    """
    @notice Reputation a proposer needs at `clock() - 1`.
    """
    return (self._settings >> 128) & _M16


@external
@view
def minVotingReputation() -> uint256:
    """
    @notice Reputation a voter needs at the snapshot (copied into each proposal).
    """
    return (self._settings >> 112) & _M16


@external
@view
def quorumNumerator() -> uint256:
    """
    @notice Quorum in basis points of the voting stake at the snapshot (copied into each proposal).
    """
    return (self._settings >> 96) & _M16


@external
@view
def lateQuorumVoteExtension() -> uint48:
    """
    @notice Minimum blocks left to vote after quorum is first reached.
    """
    return convert((self._settings >> 64) & _M32, uint48)


@external
@pure
def quorumDenominator() -> uint256:
    """
    @notice The denominator of `quorumNumerator` (basis points).
    """
    return QUORUM_DENOMINATOR


@external
@view
def quorum(timepoint: uint256) -> uint256:
    """
    @notice Votes (For + Abstain) needed at `timepoint` with the current
            numerator: voting stake at `timepoint` (Staking's
            `getPastTotalSupply`: stake of accounts that activated voting)
            * quorumNumerator / 10_000.
    @dev A proposal uses the numerator it was created with, see `proposalQuorum`.
    @param timepoint A past block.
    """
    return self._quorum_at(timepoint, (self._settings >> 96) & _M16)


@external
@view
def proposalQuorum(proposalId: uint256) -> uint256:
    """
    @notice The quorum this proposal must reach (readable once its snapshot is past).
    @param proposalId The proposal id.
    """
    core: uint256 = self._core[proposalId]
    assert core != 0, "Governor: unknown proposal"
    return self._quorum_at((core >> 160) & _M48, (self._pin[proposalId] >> 16) & _M16)


@external
@view
def proposalMinVotingReputation(proposalId: uint256) -> uint256:
    """
    @notice The reputation a voter needs at this proposal's snapshot.
    @param proposalId The proposal id.
    """
    return self._pin[proposalId] & _M16


@external
@view
def proposalGuardianProof(proposalId: uint256) -> bool:
    """
    @notice Whether the guardian is barred from cancelling this proposal
            (every action only removes cancel powers, see `cancel`).
    @param proposalId The proposal id.
    """
    return self._core[proposalId] & _GUARDIAN_PROOF != 0


@external
@view
def getVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Voting weight of `account` at `timepoint`: its voting stake, or 0
            if its reputation then is below the current `minVotingReputation`.
    @param account The voter.
    @param timepoint A past block.
    """
    if staticcall reputation.getPastReputation(account, timepoint) < (self._settings >> 112) & _M16:
        return 0
    return staticcall token.getPastVotes(account, timepoint)


@external
@view
def hasVoted(proposalId: uint256, account: address) -> bool:
    """
    @notice Whether `account` has voted on the proposal.
    """
    return self._has_voted[proposalId][account]


@external
@view
def proposalVotes(proposalId: uint256) -> (uint256, uint256, uint256):
    """
    @notice The tallies (againstVotes, forVotes, abstainVotes).
    """
    fa: uint256 = self._for_abstain[proposalId]
    return (self._against[proposalId], fa & _M128, fa >> 128)


@external
def propose(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    description: String[MAX_DESCRIPTION],
) -> uint256:
    """
    @notice Creates a proposal. The caller's stake and reputation at
            `clock() - 1` must reach the proposal floor. A description ending
            in `#proposer=0x<40 hex digits>` may only be proposed by that
            address (OpenZeppelin 5.x's front-running protection).
    @dev Pins the targets' code hashes; copies the quorum numerator and the
         voting gate into the proposal. Emits `ProposalCreated`.
    @param targets Called contracts (1..MAX_ACTIONS).
    @param values Wei sent with each call (same length).
    @param calldatas ABI-encoded calls (same length).
    @param description Free text; its keccak256 is part of the id.
    @return The proposal id.
    """
    assert self._is_valid_description_for_proposer(msg.sender, description), "Governor: proposer restricted by description"
    settings: uint256 = self._settings
    now: uint256 = block.number
    assert staticcall token.getPastVotes(msg.sender, now - 1) >= (settings >> 144) & _M96, "Governor: proposer stake below threshold"
    assert staticcall reputation.getPastReputation(msg.sender, now - 1) >= (settings >> 128) & _M16, "Governor: proposer reputation below threshold"
    n: uint256 = len(targets)
    assert n > 0 and len(values) == n and len(calldatas) == n, "Governor: invalid proposal length"
    proposal_id: uint256 = self._hash_proposal(targets, values, calldatas, keccak256(description))
    assert self._core[proposal_id] == 0, "Governor: proposal already exists"

    snapshot: uint256 = now + (settings & _M32)
    period: uint256 = (settings >> 32) & _M32
    core: uint256 = convert(msg.sender, uint256) | (snapshot << 160) | (period << 208)
    if self._only_removes_cancellers(targets, values, calldatas):
        core |= _GUARDIAN_PROOF
    self._core[proposal_id] = core
    self._pin[proposal_id] = (convert(self._code_pin(targets), uint256) & _PIN_MASK) | (((settings >> 96) & _M16) << 16) | ((settings >> 112) & _M16)
    signatures: DynArray[String[1], MAX_ACTIONS] = []
    for _: address in targets:
        signatures.append("")
    log ProposalCreated(
        proposalId=proposal_id,
        proposer=msg.sender,
        targets=targets,
        values=values,
        signatures=signatures,
        calldatas=calldatas,
        voteStart=snapshot,
        voteEnd=snapshot + period,
        description=description,
    )
    return proposal_id


@external
@nonreentrant
def queue(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Schedules a Succeeded proposal in the Timelock with its minimum
            delay. Anyone may call.
    @dev Refuses if a target's code changed since `propose` (a target that
         had no code and still has none passes, whatever its balance).
         Emits `ProposalQueued`.
    @param targets As proposed.
    @param values As proposed.
    @param calldatas As proposed.
    @param descriptionHash keccak256 of the description.
    @return The proposal id.
    """
    proposal_id: uint256 = self._hash_proposal(targets, values, calldatas, descriptionHash)
    assert self._state(proposal_id) == STATE_SUCCEEDED, "Governor: proposal not successful"
    self._check_pin(proposal_id, targets)
    salt: bytes32 = self._timelock_salt(descriptionHash)
    delay: uint256 = staticcall timelock.get_minimum_delay()
    operation_id: bytes32 = keccak256(abi_encode(targets, values, calldatas, empty(bytes32), salt))
    eta: uint256 = block.timestamp + delay
    self._timing[proposal_id] = (self._timing[proposal_id] & _M48) | (eta << 48)
    self._timelock_id[proposal_id] = operation_id
    extcall timelock.schedule_batch(targets, values, calldatas, empty(bytes32), salt, delay)
    log ProposalQueued(proposalId=proposal_id, etaSeconds=eta)
    return proposal_id


@external
@payable
@nonreentrant
def execute(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Executes a Queued proposal through the Timelock once its eta is
            reached. Anyone may call; `msg.value` is forwarded.
    @dev Refuses if a target's code changed since `propose`. Emits `ProposalExecuted`.
    @param targets As proposed.
    @param values As proposed.
    @param calldatas As proposed.
    @param descriptionHash keccak256 of the description.
    @return The proposal id.
    """
    proposal_id: uint256 = self._hash_proposal(targets, values, calldatas, descriptionHash)
    assert self._state(proposal_id) == STATE_QUEUED, "Governor: proposal not queued"
    assert block.timestamp >= self._timing[proposal_id] >> 48, "Governor: timelock delay not over"
    self._check_pin(proposal_id, targets)
    self._core[proposal_id] |= _EXECUTED
    extcall timelock.execute_batch(targets, values, calldatas, empty(bytes32), self._timelock_salt(descriptionHash), value=msg.value)
    log ProposalExecuted(proposalId=proposal_id)
    return proposal_id


@external
@nonreentrant
def cancel(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Cancels a proposal: the proposer while it is Pending; the guardian
            unless it is Canceled, Expired or Executed, or it is
            guardian-proof: every action is `setGuardian` on this Governor or
            `revokeRole(CANCELLER_ROLE, ...)` on the Timelock, so the DAO can
            always remove its guardian. A queued operation is cancelled in
            the Timelock as well.
    @dev Emits `ProposalCanceled`.
    @param targets As proposed.
    @param values As proposed.
    @param calldatas As proposed.
    @param descriptionHash keccak256 of the description.
    @return The proposal id.
    """
    proposal_id: uint256 = self._hash_proposal(targets, values, calldatas, descriptionHash)
    current: uint8 = self._state(proposal_id)
    core: uint256 = self._core[proposal_id]
    guardian_: address = self.guardian
    if guardian_ != empty(address) and msg.sender == guardian_:
        assert current != STATE_CANCELED and current != STATE_EXPIRED and current != STATE_EXECUTED, "Governor: proposal not cancellable"
        assert core & _GUARDIAN_PROOF == 0, "Governor: guardian cannot cancel its removal"
    else:
        assert msg.sender == convert(convert(core & _ADDR_MASK, uint160), address), "Governor: caller cannot cancel"
        assert current == STATE_PENDING, "Governor: proposal not pending"
    self._core[proposal_id] = core | _CANCELED
    operation_id: bytes32 = self._timelock_id[proposal_id]
    if operation_id != empty(bytes32) and staticcall timelock.is_operation_pending(operation_id):
        extcall timelock.cancel(operation_id)
    log ProposalCanceled(proposalId=proposal_id)
    return proposal_id


@external
def castVote(proposalId: uint256, support: uint8) -> uint256:
    """
    @notice Votes Against (0), For (1) or Abstain (2) with the caller's
            voting stake: min(stake at the snapshot, stake still bonded now).
    @param proposalId The proposal id.
    @param support The vote type.
    @return The weight counted.
    """
    return self._cast_vote(proposalId, msg.sender, support, "")


@external
def castVoteWithReason(proposalId: uint256, support: uint8, reason: String[MAX_REASON]) -> uint256:
    """
    @notice `castVote` with a reason logged in `VoteCast`.
    @param proposalId The proposal id.
    @param support The vote type.
    @param reason Free text.
    @return The weight counted.
    """
    return self._cast_vote(proposalId, msg.sender, support, reason)


@external
def castVoteBySig(proposalId: uint256, support: uint8, voter: address, signature: Bytes[65]) -> uint256:
    """
    @notice Casts `voter`'s vote from an EIP-712 signature over
            Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)
            with the voter's current nonce (EIP-1271 for contract voters).
    @dev Consumes the nonce; a signature for any other nonce, chain or
         governor is refused, and so is the zero voter (snekmate's recovery
         returns the zero address for malformed signatures).
    @param proposalId The proposal id.
    @param support The vote type.
    @param voter The signer whose stake votes; not zero.
    @param signature 65-byte (or EIP-2098 64-byte) signature.
    @return The weight counted.
    """
    assert voter != empty(address), "Governor: voter is zero"
    nonce: uint256 = self.nonces[voter]
    digest: bytes32 = eip712._hash_typed_data_v4(
        keccak256(abi_encode(BALLOT_TYPEHASH, proposalId, support, voter, nonce))
    )
    assert signature_checker._is_valid_signature_now(voter, digest, signature), "Governor: invalid signature"
    self.nonces[voter] = nonce + 1
    return self._cast_vote(proposalId, voter, support, "")


# ---------------------------------------------------------------- parameters (Timelock only)

@external
def setVotingDelay(newVotingDelay: uint48):
    """
    @notice Sets the voting delay for future proposals. Timelock only.
    @param newVotingDelay Blocks, [MIN_VOTING_DELAY, MAX_VOTING_DELAY].
    """
    self._check_governance()
    self._set_voting_delay(convert(newVotingDelay, uint256))


@external
def setVotingPeriod(newVotingPeriod: uint32):
    """
    @notice Sets the voting period for future proposals. Timelock only.
    @param newVotingPeriod Blocks, [MIN_VOTING_PERIOD, MAX_VOTING_PERIOD].
    """
    self._check_governance()
    self._set_voting_period(convert(newVotingPeriod, uint256))


@external
def setProposalThreshold(newProposalThreshold: uint256):
    """
    @notice Sets the stake a proposer needs. Timelock only.
    @param newProposalThreshold Wei-units, [MIN_PROPOSAL_THRESHOLD, MAX_PROPOSAL_THRESHOLD].
    """
    self._check_governance()
    self._set_proposal_threshold(newProposalThreshold)


@external
def setProposalReputationThreshold(newThreshold: uint256):
    """
    @notice Sets the reputation a proposer needs. Timelock only.
    @param newThreshold [MIN_PROPOSAL_REPUTATION, MAX_PROPOSAL_REPUTATION].
    """
    self._check_governance()
    self._set_proposal_reputation_threshold(newThreshold)


@external
def setMinVotingReputation(newMinVotingReputation: uint256):
    """
    @notice Sets the voting gate for future proposals (and for activating
            voting in Staking). Timelock only.
    @param newMinVotingReputation [MIN_VOTING_REPUTATION, MAX_VOTING_REPUTATION].
    """
    self._check_governance()
    self._set_min_voting_reputation(newMinVotingReputation)


@external
def updateQuorumNumerator(newQuorumNumerator: uint256):
    """
    @notice Sets the quorum (basis points of the voting stake) for future proposals. Timelock only.
    @param newQuorumNumerator [MIN_QUORUM_NUMERATOR, MAX_QUORUM_NUMERATOR].
    """
    self._check_governance()
    self._set_quorum_numerator(newQuorumNumerator)


@external
def setLateQuorumVoteExtension(newVoteExtension: uint48):
    """
    @notice Sets the late-quorum extension. Timelock only.
    @param newVoteExtension Blocks, [MIN_LATE_QUORUM_EXTENSION, MAX_LATE_QUORUM_EXTENSION].
    """
    self._check_governance()
    self._set_late_quorum_extension(convert(newVoteExtension, uint256))


@external
def setGuardian(newGuardian: address):
    """
    @notice Appoints the guardian (zero: none). Timelock only. The guardian
            cancels through this Governor only; it holds no Timelock role.
    @param newGuardian The new guardian.
    """
    self._check_governance()
    self._set_guardian(newGuardian)


# ---------------------------------------------------------------- internal

@internal
@view
def _check_governance():
    assert msg.sender == timelock.address, "Governor: caller is not the timelock"


@internal
@pure
def _hash_proposal(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    return convert(keccak256(abi_encode(targets, values, calldatas, description_hash)), uint256)


@internal
@view
def _timelock_salt(description_hash: bytes32) -> bytes32:
    # OpenZeppelin's GovernorTimelockControl: bytes20(address(this)) ^ descriptionHash.
    return convert((convert(self, uint256) << 96) ^ convert(description_hash, uint256), bytes32)


@internal
@view
def _code_pin(targets: DynArray[address, MAX_ACTIONS]) -> bytes32:
    hashes: DynArray[bytes32, MAX_ACTIONS] = []
    for target: address in targets:
        h: bytes32 = target.codehash
        if h == empty(bytes32):
            h = _EMPTY_CODEHASH  # no account = an account without code
        hashes.append(h)
    return keccak256(abi_encode(hashes))


@internal
@view
def _check_pin(proposal_id: uint256, targets: DynArray[address, MAX_ACTIONS]):
    assert (convert(self._code_pin(targets), uint256) ^ self._pin[proposal_id]) & _PIN_MASK == 0, "Governor: target code changed"


@internal
@view
def _only_removes_cancellers(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[MAX_CALLDATA], MAX_ACTIONS],
) -> bool:
    # True if every action is setGuardian(x) on this Governor or
    # revokeRole(CANCELLER_ROLE, x) on the Timelock, both without value.
    idx: uint256 = 0
    for target: address in targets:
        data: Bytes[MAX_CALLDATA] = calldatas[idx]
        if values[idx] != 0 or len(data) < 4:
            return False
        selector: bytes4 = convert(slice(data, 0, 4), bytes4)
        if target == self and selector == _SET_GUARDIAN and len(data) == 36:
            pass
        elif target == timelock.address and selector == _REVOKE_ROLE and len(data) == 68 and extract32(data, 4) == _CANCELLER_ROLE:
            pass
        else:
            return False
        idx += 1
    return True


@internal
@pure
def _is_valid_description_for_proposer(proposer: address, description: String[MAX_DESCRIPTION]) -> bool:
    # OpenZeppelin 5.x `_isValidDescriptionForProposer`: a description ending
    # in "#proposer=" followed by a 42-character address ("0x" + 40 hex
    # digits, any case) is restricted to that proposer; any other ending
    # (no marker, no "0x", a non-hex digit, trailing characters) is not.
    length: uint256 = len(description)
    if length < 52:
        return True
    if slice(description, length - 52, 10) != "#proposer=":
        return True
    suffix: Bytes[42] = convert(slice(description, length - 42, 42), Bytes[42])
    if slice(suffix, 0, 2) != b"0x":
        return True  # Strings.tryParseAddress: without the prefix 42 characters are not an address
    value: uint256 = 0
    for i: uint256 in range(2, 42):
        c: uint256 = convert(convert(slice(suffix, i, 1), bytes1), uint256)
        digit: uint256 = 0
        if c >= 48 and c <= 57:
            digit = c - 48
        elif c >= 97 and c <= 102:
            digit = c - 87
        elif c >= 65 and c <= 70:
            digit = c - 55
        else:
            return True
        value = (value << 4) | digit
    return value == convert(proposer, uint256)


@internal
@pure
def _deadline(core: uint256, timing: uint256) -> uint256:
    vote_start: uint256 = (core >> 160) & _M48
    return max(vote_start + ((core >> 208) & _M32), timing & _M48)


@internal
@view
def _quorum_at(timepoint: uint256, numerator: uint256) -> uint256:
    return staticcall token.getPastTotalSupply(timepoint) * numerator // QUORUM_DENOMINATOR


@internal
@view
def _quorum_reached(proposal_id: uint256, vote_start: uint256) -> bool:
    fa: uint256 = self._for_abstain[proposal_id]
    return (fa & _M128) + (fa >> 128) >= self._quorum_at(vote_start, (self._pin[proposal_id] >> 16) & _M16)


@internal
@view
def _state(proposal_id: uint256) -> uint8:
    core: uint256 = self._core[proposal_id]
    assert core != 0, "Governor: unknown proposal"
    if core & _EXECUTED != 0:
        return STATE_EXECUTED
    if core & _CANCELED != 0:
        return STATE_CANCELED
    vote_start: uint256 = (core >> 160) & _M48
    if vote_start >= block.number:
        return STATE_PENDING
    timing: uint256 = self._timing[proposal_id]
    if self._deadline(core, timing) >= block.number:
        return STATE_ACTIVE
    if not (self._quorum_reached(proposal_id, vote_start) and self._for_abstain[proposal_id] & _M128 > self._against[proposal_id]):
        return STATE_DEFEATED
    eta: uint256 = timing >> 48
    if eta == 0:
        return STATE_SUCCEEDED
    operation_id: bytes32 = self._timelock_id[proposal_id]
    if staticcall timelock.is_operation_pending(operation_id):
        if block.timestamp >= eta + GRACE_PERIOD:
            return STATE_EXPIRED
        return STATE_QUEUED
    if staticcall timelock.is_operation_done(operation_id):
        return STATE_EXECUTED
    # The operation was cancelled directly in the Timelock (by a canceller
    # other than this Governor, which the Emergent deployment does not have).
    return STATE_CANCELED


@internal
def _cast_vote(proposal_id: uint256, voter: address, support: uint8, reason: String[MAX_REASON]) -> uint256:
    assert self._state(proposal_id) == STATE_ACTIVE, "Governor: vote not currently active"
    assert support <= VOTE_ABSTAIN, "Governor: invalid vote type"
    assert not self._has_voted[proposal_id][voter], "Governor: already voted"
    snapshot: uint256 = (self._core[proposal_id] >> 160) & _M48
    assert staticcall reputation.getPastReputation(voter, snapshot) >= self._pin[proposal_id] & _M16, "Governor: reputation below voting gate"
    weight: uint256 = staticcall token.getPastVotes(voter, snapshot)
    assert weight > 0, "Governor: no voting power at snapshot"
    # Stake queued for unbonding (or slashed) since the snapshot does not vote.
    weight = min(weight, staticcall token.getVotes(voter))
    assert weight > 0, "Governor: voting stake left since the snapshot"
    self._has_voted[proposal_id][voter] = True
    if support == VOTE_AGAINST:
        self._against[proposal_id] += weight
    elif support == VOTE_FOR:
        self._for_abstain[proposal_id] += weight
    else:
        self._for_abstain[proposal_id] += weight << 128
    log VoteCast(voter=voter, proposalId=proposal_id, support=support, weight=weight, reason=reason)

    # GovernorPreventLateQuorum: the first vote reaching quorum sets the extended deadline.
    timing: uint256 = self._timing[proposal_id]
    if timing & _M48 == 0 and self._quorum_reached(proposal_id, snapshot):
        extended: uint256 = block.number + ((self._settings >> 64) & _M32)
        core: uint256 = self._core[proposal_id]
        if extended > snapshot + ((core >> 208) & _M32):
            log ProposalExtended(proposalId=proposal_id, extendedDeadline=convert(extended, uint64))
        self._timing[proposal_id] = timing | extended
    return weight


@internal
def _set_field(offset: uint256, mask: uint256, new_value: uint256) -> uint256:
    settings: uint256 = self._settings
    old: uint256 = (settings >> offset) & mask
    self._settings = (settings & ~(mask << offset)) | (new_value << offset)
    return old


@internal
def _set_voting_delay(new_value: uint256):
    assert new_value >= MIN_VOTING_DELAY and new_value <= MAX_VOTING_DELAY, "Governor: voting delay out of bounds"
    old: uint256 = self._set_field(0, _M32, new_value)
    log VotingDelaySet(oldVotingDelay=old, newVotingDelay=new_value)


@internal
def _set_voting_period(new_value: uint256):
    assert new_value >= MIN_VOTING_PERIOD and new_value <= MAX_VOTING_PERIOD, "Governor: voting period out of bounds"
    old: uint256 = self._set_field(32, _M32, new_value)
    log VotingPeriodSet(oldVotingPeriod=old, newVotingPeriod=new_value)


@internal
def _set_late_quorum_extension(new_value: uint256):
    assert new_value >= MIN_LATE_QUORUM_EXTENSION and new_value <= MAX_LATE_QUORUM_EXTENSION, "Governor: late quorum extension out of bounds"
    old: uint256 = self._set_field(64, _M32, new_value)
    log LateQuorumVoteExtensionSet(oldVoteExtension=convert(old, uint64), newVoteExtension=convert(new_value, uint64))


@internal
def _set_quorum_numerator(new_value: uint256):
    assert new_value >= MIN_QUORUM_NUMERATOR and new_value <= MAX_QUORUM_NUMERATOR, "Governor: quorum out of bounds"
    old: uint256 = self._set_field(96, _M16, new_value)
    log QuorumNumeratorUpdated(oldQuorumNumerator=old, newQuorumNumerator=new_value)


@internal
def _set_min_voting_reputation(new_value: uint256):
    assert new_value >= MIN_VOTING_REPUTATION and new_value <= MAX_VOTING_REPUTATION, "Governor: voting reputation out of bounds"
    old: uint256 = self._set_field(112, _M16, new_value)
    log MinVotingReputationSet(oldMinVotingReputation=old, newMinVotingReputation=new_value)


@internal
def _set_proposal_reputation_threshold(new_value: uint256):
    assert new_value >= MIN_PROPOSAL_REPUTATION and new_value <= MAX_PROPOSAL_REPUTATION, "Governor: proposal reputation out of bounds"
    old: uint256 = self._set_field(128, _M16, new_value)
    log ProposalReputationThresholdSet(oldThreshold=old, newThreshold=new_value)


@internal
def _set_proposal_threshold(new_value: uint256):
    assert new_value >= MIN_PROPOSAL_THRESHOLD and new_value <= MAX_PROPOSAL_THRESHOLD, "Governor: proposal threshold out of bounds"
    old: uint256 = self._set_field(144, _M96, new_value)
    log ProposalThresholdSet(oldProposalThreshold=old, newProposalThreshold=new_value)


@internal
def _set_guardian(new_value: address):
    log GuardianSet(previousGuardian=self.guardian, newGuardian=new_value)
    self.guardian = new_value
