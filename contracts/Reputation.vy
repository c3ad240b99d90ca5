# pragma version 0.4.3
"""
@title Emergent Reputation
@custom:contract-name Reputation
@license MIT
@notice One score per agent wallet in [0, 10_000], O(1) to read, decaying
        with a half-life, checkpointed on the ERC-6372 block-number clock so
        governance reads it at a proposal's snapshot. Formula and properties:
        docs/reputation.md.

        How a score moves (and nothing else moves it):
        - `giveFeedback(jobId, rating)`: the client of a job that the escrow
          reports as Completed rates its provider once, `rating` in [0, 100].
          The score moves toward `rating * 100` by the fraction
          `paid / (paid + referenceValue + paidBefore) * raterScore / 10_000`
          where `paidBefore` is what this client already paid this provider
          in rated jobs (diminishing returns per pair) and `raterScore` the
          client's own score (feedback counts as much as the rater's
          standing); a rise never goes above `raterCapBps` of the rater's
          score. A ring of fresh wallets (score 0) therefore cannot lift
          anyone by any number of jobs. No self-rating: the client and
          provider must differ and must not share a registry owner.
        - `recordPenalty(account, kind)`: WRITER_ROLE only (the escrow
          for expiries after funding and lost disputes, Staking for slashes);
          multiplies the score by (1 - penalty).
        - `seedReputation(account, score)`: owner only, before `bootstrapEnds`
          (a block number fixed at deploy), score <= MAX_SEED_SCORE; gives the
          founding agents the reputation a reputation-gated DAO needs to act.
        - Decay: between updates a score halves every `halfLifeBlocks` blocks
          (exact at whole half-lives, linear in between). Each checkpoint
          stores the half-life in force when it was written, so past readings
          never change when governance retunes the half-life.
@custom:security Scores are only written by the three paths above; every
        write emits `ReputationChanged`.
"""

from snekmate.auth import ownable as ow
initializes: ow

from snekmate.auth import access_control
initializes: access_control

from snekmate.utils import math

from .modules import checkpoints as ckpt
initializes: ckpt

from .interfaces import IReputationSource
implements: IReputationSource


# `renounce_ownership` is left out: parameters must stay governable. The
# penalty writers are an access_control role administered by
# DEFAULT_ADMIN_ROLE (held by the owner: the deployer, then the Timelock);
# `set_role_admin` is left out, so DEFAULT_ADMIN_ROLE administers WRITER_ROLE.
exports: (
    ow.owner,
    ow.transfer_ownership,
    access_control.DEFAULT_ADMIN_ROLE,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.supportsInterface,
)


interface IIdentity:
    def agentIdOf(wallet: address) -> uint256: view
    def ownerOf(agentId: uint256) -> address: view

interface IJobSource:
    def feedbackInfo(jobId: uint256) -> (address, address, uint8, uint256): view


BPS: constant(uint256) = 10_000
# @dev Role (snekmate access_control) of the contracts that record penalties
# (the escrow and Staking).
WRITER_ROLE: public(constant(bytes32)) = keccak256("WRITER_ROLE")
MAX_SCORE: public(constant(uint256)) = 10_000
MAX_RATING: public(constant(uint256)) = 100
MAX_SEED_SCORE: public(constant(uint256)) = 8_000
MAX_BOOTSTRAP_BLOCKS: public(constant(uint256)) = 2_000_000
MIN_HALF_LIFE: public(constant(uint256)) = 10
MAX_HALF_LIFE: public(constant(uint256)) = 100_000_000
MAX_PENALTY_BPS: public(constant(uint256)) = 5_000
MIN_REFERENCE_VALUE: public(constant(uint256)) = 10**18
MAX_REFERENCE_VALUE: public(constant(uint256)) = 10**27
MAX_RATER_CAP_BPS: public(constant(uint256)) = 10_000

# @dev Penalty kinds (also the `cause` of ReputationChanged, after FEEDBACK=0 and SEED=4).
CAUSE_FEEDBACK: constant(uint8) = 0
PENALTY_EXPIRY: constant(uint8) = 1
PENALTY_DISPUTE_LOST: constant(uint8) = 2
PENALTY_SLASH: constant(uint8) = 3
CAUSE_SEED: constant(uint8) = 4

# @dev ServiceEscrow's Completed state.
_JOB_COMPLETED: constant(uint8) = 3
_SCORE_MASK: constant(uint256) = 65_535


# @dev The agent registry (for the same-owner check).
registry: public(immutable(IIdentity))
# @dev Last block at which `seedReputation` may be called.
bootstrapEnds: public(immutable(uint256))

# @dev The escrow whose Completed jobs may be rated.
escrow: public(address)
# @dev Blocks for a score to halve.
halfLifeBlocks: public(uint256)
# @dev Penalty per kind, bps of the current score.
expiryPenaltyBps: public(uint256)
disputePenaltyBps: public(uint256)
slashPenaltyBps: public(uint256)
# @dev A payment of this size moves a score halfway toward the rating.
referenceValue: public(uint256)
# @dev A rater lifts a provider at most to this share of its own score, bps.
raterCapBps: public(uint256)
# @dev Jobs already rated, per escrow (a new escrow's ids restart at 1).
rated: public(HashMap[address, HashMap[uint256, bool]])
# @dev Budget a client paid a provider in jobs it rated (diminishing returns per pair).
paidInRated: public(HashMap[address, HashMap[address, uint256]])


event FeedbackGiven:
    jobId: indexed(uint256)
    client: indexed(address)
    provider: indexed(address)
    rating: uint256
    value: uint256

event ReputationChanged:
    account: indexed(address)
    cause: uint8
    previous: uint256
    current: uint256

event EscrowUpdated:
    previous: indexed(address)
    current: indexed(address)

event ParameterUpdated:
    name: String[32]
    previous: uint256
    current: uint256


@deploy
def __init__(registry_: IIdentity, bootstrap_blocks_: uint256, half_life_blocks_: uint256, reference_value_: uint256, expiry_penalty_bps_: uint256, dispute_penalty_bps_: uint256, slash_penalty_bps_: uint256, rater_cap_bps_: uint256):
    """
    @param registry_ The AgentRegistry.
    @param bootstrap_blocks_ Blocks from deployment during which founders may be seeded.
    @param half_life_blocks_ Within [MIN_HALF_LIFE, MAX_HALF_LIFE].
    @param reference_value_ Within [MIN_REFERENCE_VALUE, MAX_REFERENCE_VALUE].
    @param expiry_penalty_bps_ At most MAX_PENALTY_BPS (same for the next two).
    @param rater_cap_bps_ At most MAX_RATER_CAP_BPS.
    """
    assert registry_.address != empty(address), "Reputation: registry is zero"
    assert bootstrap_blocks_ <= MAX_BOOTSTRAP_BLOCKS, "Reputation: bootstrap too long"
    ow.__init__()
    access_control.__init__()
    ckpt.__init__()
    registry = registry_
    bootstrapEnds = block.number + bootstrap_blocks_
    self._set_param("halfLifeBlocks", half_life_blocks_)
    self._set_param("referenceValue", reference_value_)
    self._set_param("expiryPenaltyBps", expiry_penalty_bps_)
    self._set_param("disputePenaltyBps", dispute_penalty_bps_)
    self._set_param("slashPenaltyBps", slash_penalty_bps_)
    self._set_param("raterCapBps", rater_cap_bps_)


# ---------------------------------------------------------------- reads (IReputationSource)


@external
@view
def reputationOf(account: address) -> uint256:
    """
    @notice The score of `account` now, decayed to the current block. O(1).
    """
    key: uint256 = 0
    packed: uint256 = 0
    key, packed = ckpt._latest_checkpoint(account)
    return self._decayed(packed, block.number - key)


@external
@view
def getPastReputation(account: address, timepoint: uint256) -> uint256:
    """
    @notice The score of `account` at block `timepoint`, decayed to that block.
    @param timepoint A block number strictly before the current one.
    """
    assert timepoint < block.number, "Reputation: future lookup"
    key: uint256 = 0
    packed: uint256 = 0
    key, packed = ckpt._upper_lookup(account, timepoint)
    return self._decayed(packed, timepoint - key)


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


# ---------------------------------------------------------------- writes


@external
def giveFeedback(jobId: uint256, rating: uint256):
    """
    @notice The client of a Completed job rates its provider, once. The move
            is weighted by the rater's own score and by what the rater paid
            this provider before; a rise stops at `raterCapBps` of the
            rater's score (docs/reputation.md).
    @param jobId The escrow job.
    @param rating In [0, MAX_RATING]; 100 is perfect.
    """
    assert rating <= MAX_RATING, "Reputation: rating out of range"
    source: address = self.escrow
    assert source != empty(address), "Reputation: no escrow"
    client: address = empty(address)
    provider: address = empty(address)
    status: uint8 = 0
    paid: uint256 = 0
    client, provider, status, paid = staticcall IJobSource(source).feedbackInfo(jobId)
    assert status == _JOB_COMPLETED, "Reputation: job not completed"
    assert msg.sender == client, "Reputation: caller is not the client"
    assert not self.rated[source][jobId], "Reputation: already rated"
    assert not self._same_controller(client, provider), "Reputation: self-rating"
    self.rated[source][jobId] = True
    paid_before: uint256 = self.paidInRated[client][provider]
    self.paidInRated[client][provider] = paid_before + paid
    rater: uint256 = self._current(client)
    previous: uint256 = self._current(provider)
    target: uint256 = rating * (MAX_SCORE // MAX_RATING)
    # weight = paid / (paid + referenceValue + paid_before) * rater / MAX_SCORE
    weight_num: uint256 = paid * rater
    weight_den: uint256 = (paid + self.referenceValue + paid_before) * MAX_SCORE
    current: uint256 = previous
    if target >= previous:
        # A rater lifts nobody above a share of its own standing.
        bound: uint256 = min(target, math._mul_div(rater, self.raterCapBps, BPS, False))
        if bound > previous:
            # Rounded down: a gain never exceeds its exact value.
            current = previous + (bound - previous) * weight_num // weight_den
    elif weight_num > 0:
        # Rounded up: a loss is never smaller than its exact value.
        current = previous - ((previous - target) * weight_num + weight_den - 1) // weight_den
    self._write(provider, current)
    log FeedbackGiven(jobId=jobId, client=client, provider=provider, rating=rating, value=paid)
    log ReputationChanged(account=provider, cause=CAUSE_FEEDBACK, previous=previous, current=current)


@external
def recordPenalty(account: address, kind: uint8):
    """
    @notice Lowers `account`'s score after a failure. Writers only.
    @param account The agent wallet.
    @param kind PENALTY_EXPIRY (1), PENALTY_DISPUTE_LOST (2) or PENALTY_SLASH (3).
    """
    access_control._check_role(WRITER_ROLE, msg.sender)
    penalty: uint256 = 0
    if kind == PENALTY_EXPIRY:
        penalty = self.expiryPenaltyBps
    elif kind == PENALTY_DISPUTE_LOST:
        penalty = self.disputePenaltyBps
    elif kind == PENALTY_SLASH:
        penalty = self.slashPenaltyBps
    else:
        raise "Reputation: unknown penalty"
    previous: uint256 = self._current(account)
    current: uint256 = math._mul_div(previous, BPS - penalty, BPS, False)
    if previous > 0:
        self._write(account, current)
    log ReputationChanged(account=account, cause=kind, previous=previous, current=current)


@external
def seedReputation(account: address, score: uint256):
    """
    @notice Gives a founding agent its starting score. Owner only, only until
            block `bootstrapEnds`, at most MAX_SEED_SCORE.
    @param account The founder's agent wallet.
    @param score In [0, MAX_SEED_SCORE].
    """
    ow._check_owner()
    assert block.number <= bootstrapEnds, "Reputation: bootstrap over"
    assert account != empty(address), "Reputation: zero address"
    assert score <= MAX_SEED_SCORE, "Reputation: seed too high"
    previous: uint256 = self._current(account)
    self._write(account, score)
    log ReputationChanged(account=account, cause=CAUSE_SEED, previous=previous, current=score)


# ---------------------------------------------------------------- owner


@external
def setEscrow(escrow_: address):
    """
    @notice Sets the escrow whose Completed jobs may be rated. Owner only.
    """
    ow._check_owner()
    assert escrow_ != empty(address), "Reputation: zero address"
    log EscrowUpdated(previous=self.escrow, current=escrow_)
    self.escrow = escrow_


@external
def setParameter(name: String[32], amount: uint256):
    """
    @notice Sets a tunable parameter within its bounds. Owner only.
    @param name One of halfLifeBlocks, referenceValue, expiryPenaltyBps,
           disputePenaltyBps, slashPenaltyBps, raterCapBps.
    @param amount The new value.
    """
    ow._check_owner()
    self._set_param(name, amount)


# ---------------------------------------------------------------- internal


@internal
def _set_param(name: String[32], amount: uint256):
    h: bytes32 = keccak256(name)
    previous: uint256 = 0
    if h == keccak256("halfLifeBlocks"):
        assert amount >= MIN_HALF_LIFE and amount <= MAX_HALF_LIFE, "Reputation: half-life out of bounds"
        previous = self.halfLifeBlocks
        self.halfLifeBlocks = amount
    elif h == keccak256("referenceValue"):
        assert amount >= MIN_REFERENCE_VALUE and amount <= MAX_REFERENCE_VALUE, "Reputation: reference value out of bounds"
        previous = self.referenceValue
        self.referenceValue = amount
    elif h == keccak256("expiryPenaltyBps"):
        assert amount <= MAX_PENALTY_BPS, "Reputation: penalty out of bounds"
        previous = self.expiryPenaltyBps
        self.expiryPenaltyBps = amount
    elif h == keccak256("disputePenaltyBps"):
        assert amount <= MAX_PENALTY_BPS, "Reputation: penalty out of bounds"
        previous = self.disputePenaltyBps
        self.disputePenaltyBps = amount
    elif h == keccak256("slashPenaltyBps"):
        assert amount <= MAX_PENALTY_BPS, "Reputation: penalty out of bounds"
        previous = self.slashPenaltyBps
        self.slashPenaltyBps = amount
    elif h == keccak256("raterCapBps"):
        assert amount <= MAX_RATER_CAP_BPS, "Reputation: rater cap out of bounds"
        previous = self.raterCapBps
        self.raterCapBps = amount
    else:
        raise "Reputation: unknown parameter"
    log ParameterUpdated(name=name, previous=previous, current=amount)


@internal
@view
def _current(account: address) -> uint256:
    key: uint256 = 0
    packed: uint256 = 0
    key, packed = ckpt._latest_checkpoint(account)
    return self._decayed(packed, block.number - key)


@internal
def _write(account: address, score: uint256):
    ckpt._push(account, block.number, score | (self.halfLifeBlocks << 16))


@internal
@pure
def _decayed(packed: uint256, elapsed: uint256) -> uint256:
    """
    @dev score * 2**(-elapsed / half_life): exact halvings for the whole
         half-lives, linear interpolation (1 - f/2) for the fraction f of
         the last one; rounded down.
    """
    score: uint256 = packed & _SCORE_MASK
    if score == 0:
        return 0
    half_life: uint256 = packed >> 16
    halvings: uint256 = elapsed // half_life
    if halvings >= 16:
        return 0
    score = score >> halvings
    rest: uint256 = elapsed % half_life
    return score * (2 * half_life - rest) // (2 * half_life)


@internal
@view
def _controller(wallet: address) -> address:
    agent_id: uint256 = staticcall registry.agentIdOf(wallet)
    if agent_id == 0:
        return wallet
    return staticcall registry.ownerOf(agent_id)


@internal
@view
def _same_controller(client: address, provider: address) -> bool:
    if client == provider:
        return True
    client_owner: address = self._controller(client)
    provider_owner: address = self._controller(provider)
    return client_owner == provider_owner or client_owner == provider or provider_owner == client
