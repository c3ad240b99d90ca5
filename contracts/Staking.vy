# pragma version 0.4.3
"""
@title Emergent Staking
@custom:contract-name Staking
@license MIT
@notice Agents stake AGENT here. Stake is the collateral behind the jobs an
        agent provides (the escrow locks part of it per funded job) and it is
        the voting power of governance.

        An account's stake is in one of three buckets:
        - bonded, free: can be locked as job collateral or queued to unbond;
        - bonded, locked: collateral of funded jobs, released at settlement;
        - queued: waiting out the unbonding period, then withdrawable.
        All three are slashable until the tokens leave the contract.

        Voting power (`getVotes`, `getPastVotes`) is the BONDED stake, free
        plus locked, of an account that has ACTIVATED voting; the total
        (`getPastTotalSupply`, the Governor's quorum base) is the sum over
        active accounts only. Activation (`activateVoting`, anyone may call
        it for any account) requires the account's reputation to reach the
        voting gate (the Governor's `minVotingReputation`, read from
        `votingGate`); `deactivateVoting` removes an account, by itself at
        any time or by anyone once its reputation fell below the gate
        (reputation decays without transactions, so this O(1) permissionless
        call keeps the total honest). Stake that may not vote therefore
        cannot raise the quorum (issue 10, finding 4). Job collateral keeps
        voting: it is still the agent's capital and still at risk, and a
        provider should not lose its voice because it is working. Queued
        stake does not vote from the moment it is queued (the Governor also
        caps a vote at the stake still bonded when it is cast). Lock and
        release leave the vote checkpoints untouched; stake, unstake
        requests, cancellations, slashes and (de)activation move them.
        The total lives under a trace id that is no address (2**160), so no
        per-account read returns it.

        Unbonding queue: one aggregate entry per account. A new request adds
        to the queued amount and restarts the unbonding period for the whole
        queue (O(1), no per-request list to iterate).

        Slashing (`slash`, `slashBps`): only by SLASHER_ROLE (the escrow's
        dispute path; governance may grant it to the Timelock). Capped
        at what the account holds, taken from free stake first, then from the
        unbonding queue, then from locked collateral. `slashBps` rounds the
        amount up (against the slashed agent). Proceeds go to the treasury,
        except `slashBeneficiaryShareBps` of them, which go to the wronged
        party named by the slasher (rounded down; the treasury gets the dust).
        Every slash also lowers the agent's reputation (when a Reputation
        contract is set).

        ERC-6372 clock: block numbers. Checkpoints: contracts/modules/checkpoints.vy.
@custom:security Tokens leave only through `withdraw` (to the staker) and
        `slash` (to the treasury and the beneficiary). The contract's token
        balance always equals totalBonded + totalQueued (locked stake is part
        of bonded).
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable as ow
initializes: ow

from snekmate.auth import access_control
initializes: access_control

from snekmate.utils import math

from .modules import checkpoints as ckpt
initializes: ckpt

from .interfaces import IVotingStake
implements: IVotingStake

from .interfaces import IReputationSource


# `renounce_ownership` is left out on purpose: a contract without an owner
# could never have its parameters tuned again. The slasher and locker
# allow-lists are access_control roles administered by DEFAULT_ADMIN_ROLE
# (held by the owner: the deployer, then the Timelock); `set_role_admin` is
# left out, so DEFAULT_ADMIN_ROLE stays the admin of every role.
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


interface IReputationPenalty:
    def recordPenalty(account: address, kind: uint8): nonpayable


interface IVotingGate:
    def minVotingReputation() -> uint256: view


BPS: constant(uint256) = 10_000
# @dev Roles (snekmate access_control): who may slash, who may lock and
# release job collateral (the escrow).
SLASHER_ROLE: public(constant(bytes32)) = keccak256("SLASHER_ROLE")
LOCKER_ROLE: public(constant(bytes32)) = keccak256("LOCKER_ROLE")
# @dev Bounds of the unbonding period, seconds.
MIN_UNBONDING_PERIOD: public(constant(uint256)) = 60
MAX_UNBONDING_PERIOD: public(constant(uint256)) = 90 * 86_400
# @dev At most half of slashed funds may go to the wronged party.
MAX_BENEFICIARY_SHARE_BPS: public(constant(uint256)) = 5_000
# @dev Reputation penalty kind for a slash (see Reputation.vy).
PENALTY_SLASH: constant(uint8) = 3
# @dev The checkpoint trace holding the total voting stake: an id no address has.
_TOTAL_TRACE: constant(uint256) = 1 << 160


# @dev The staked token (AGENT).
token: public(immutable(IERC20))

# @dev Receives slashed funds.
treasury: public(address)
# @dev Seconds between an unstake request and the withdrawal.
unbondingPeriod: public(uint256)
# @dev Share of slashed funds paid to the slasher-named beneficiary, bps.
slashBeneficiaryShareBps: public(uint256)
# @dev Reputation contract told about slashes (zero: none).
reputation: public(address)

# @dev Bonded stake (free + locked) per account; equals its current votes.
bondedOf: public(HashMap[address, uint256])
# @dev Part of the bonded stake locked as job collateral.
lockedOf: public(HashMap[address, uint256])
# @dev Stake waiting in the unbonding queue.
queuedOf: public(HashMap[address, uint256])
# @dev When the queued stake becomes withdrawable (timestamp).
unbondingEndsAt: public(HashMap[address, uint256])

# @dev Whether the account's bonded stake votes (and counts in the total).
votingActive: public(HashMap[address, bool])
# @dev Where the voting gate is read (`minVotingReputation()`: the Governor).
votingGate: public(address)

totalBonded: public(uint256)
# @dev Bonded stake of the accounts whose voting is active (= latest total checkpoint).
totalVotingStake: public(uint256)
totalLocked: public(uint256)
totalQueued: public(uint256)


event Staked:
    account: indexed(address)
    amount: uint256

event UnstakeRequested:
    account: indexed(address)
    amount: uint256
    queued: uint256
    unlocksAt: uint256

event UnstakeCancelled:
    account: indexed(address)
    amount: uint256

event Withdrawn:
    account: indexed(address)
    amount: uint256

event CollateralLocked:
    account: indexed(address)
    locker: indexed(address)
    amount: uint256

event CollateralReleased:
    account: indexed(address)
    locker: indexed(address)
    amount: uint256

event Slashed:
    account: indexed(address)
    slasher: indexed(address)
    beneficiary: indexed(address)
    amount: uint256
    toBeneficiary: uint256
    toTreasury: uint256

# @dev Every change of an account's bonded stake (free + locked), voting or not.
event BondedChanged:
    account: indexed(address)
    previous: uint256
    current: uint256

# @dev OpenZeppelin Votes' event name, so vote indexers recognise it. Emitted
#      for accounts whose voting is active (and on activation/deactivation).
event DelegateVotesChanged:
    delegate: indexed(address)
    previousVotes: uint256
    newVotes: uint256

event VotingActivated:
    account: indexed(address)
    caller: indexed(address)
    votes: uint256

event VotingDeactivated:
    account: indexed(address)
    caller: indexed(address)
    votes: uint256

event VotingGateUpdated:
    previous: indexed(address)
    current: indexed(address)

event TreasuryUpdated:
    previous: indexed(address)
    current: indexed(address)

event ReputationUpdated:
    previous: indexed(address)
    current: indexed(address)

event ParameterUpdated:
    name: String[32]
    previous: uint256
    current: uint256


@deploy
def __init__(token_: IERC20, treasury_: address, unbonding_period_: uint256, beneficiary_share_bps_: uint256):
    """
    @param token_ The AGENT token.
    @param treasury_ Receiver of slashed funds; not zero.
    @param unbonding_period_ Seconds, within [MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD].
    @param beneficiary_share_bps_ Share of slashes to the wronged party, <= MAX_BENEFICIARY_SHARE_BPS.
    @dev The two parameters are checked against the same bounds as `setParameter`.
    """
    assert token_.address != empty(address), "Staking: token is zero"
    assert treasury_ != empty(address), "Staking: treasury is zero"
    ow.__init__()
    access_control.__init__()
    ckpt.__init__()
    token = token_
    self.treasury = treasury_
    self._set_param("unbondingPeriod", unbonding_period_)
    self._set_param("slashBeneficiaryShareBps", beneficiary_share_bps_)


# ---------------------------------------------------------------- staking


@external
def stake(amount: uint256):
    """
    @notice Stakes `amount` AGENT from the caller (needs an allowance).
    @param amount Wei-units; not zero.
    """
    self._stake(msg.sender, msg.sender, amount)


@external
def stakeFor(account: address, amount: uint256):
    """
    @notice Stakes `amount` AGENT from the caller for `account` (needs an
            allowance). The stake is `account`'s: only it can unstake and
            withdraw it. Used by the deploy to bond founders' stake on
            networks where the founders do not sign during the deploy.
    @param account The staker credited; not zero.
    @param amount Wei-units; not zero.
    """
    assert account != empty(address), "Staking: zero address"
    self._stake(msg.sender, account, amount)


@external
def activateVoting(account: address):
    """
    @notice Makes `account`'s bonded stake vote and count in the quorum base.
            Anyone may call it for any account whose reputation reaches the
            voting gate (the Governor's `minVotingReputation`).
    @param account The account; not zero, not active yet.
    """
    assert account != empty(address), "Staking: zero address"
    assert not self.votingActive[account], "Staking: voting already active"
    assert staticcall IReputationSource(self._reputation_source()).reputationOf(account) >= self._gate(), "Staking: reputation below voting gate"
    self.votingActive[account] = True
    bonded: uint256 = self.bondedOf[account]
    self._move_votes(account, 0, bonded)
    log VotingActivated(account=account, caller=msg.sender, votes=bonded)


@external
def deactivateVoting(account: address):
    """
    @notice Stops `account`'s stake voting and counting in the quorum base.
            The account itself may call it at any time; anyone else once its
            reputation is below the voting gate.
    @param account An account whose voting is active.
    """
    assert self.votingActive[account], "Staking: voting not active"
    if msg.sender != account:
        assert staticcall IReputationSource(self._reputation_source()).reputationOf(account) < self._gate(), "Staking: reputation not below voting gate"
    self.votingActive[account] = False
    bonded: uint256 = self.bondedOf[account]
    self._move_votes(account, bonded, 0)
    log VotingDeactivated(account=account, caller=msg.sender, votes=bonded)


@external
def requestUnstake(amount: uint256):
    """
    @notice Moves `amount` of free stake into the unbonding queue. It stops
            voting at once, stays slashable, and can be withdrawn after
            `unbondingPeriod` seconds. Restarts the period for the whole queue.
    @param amount Wei-units; not zero, at most the free (unlocked) stake.
    """
    assert amount > 0, "Staking: zero amount"
    bonded: uint256 = self.bondedOf[msg.sender]
    assert amount <= bonded - self.lockedOf[msg.sender], "Staking: insufficient free stake"
    self._set_bonded(msg.sender, bonded - amount)
    self.totalBonded -= amount
    queued: uint256 = self.queuedOf[msg.sender] + amount
    self.queuedOf[msg.sender] = queued
    self.totalQueued += amount
    unlocks_at: uint256 = block.timestamp + self.unbondingPeriod
    self.unbondingEndsAt[msg.sender] = unlocks_at
    log UnstakeRequested(account=msg.sender, amount=amount, queued=queued, unlocksAt=unlocks_at)


@external
def cancelUnstake():
    """
    @notice Returns the whole unbonding queue to bonded stake (it votes again).
    """
    queued: uint256 = self.queuedOf[msg.sender]
    assert queued > 0, "Staking: nothing queued"
    self.queuedOf[msg.sender] = 0
    self.totalQueued -= queued
    self.unbondingEndsAt[msg.sender] = 0
    self._set_bonded(msg.sender, self.bondedOf[msg.sender] + queued)
    self.totalBonded += queued
    log UnstakeCancelled(account=msg.sender, amount=queued)


@external
def withdraw():
    """
    @notice Sends the caller its queued stake once the unbonding period is over.
    """
    queued: uint256 = self.queuedOf[msg.sender]
    assert queued > 0, "Staking: nothing queued"
    assert block.timestamp >= self.unbondingEndsAt[msg.sender], "Staking: still unbonding"
    self.queuedOf[msg.sender] = 0
    self.totalQueued -= queued
    self.unbondingEndsAt[msg.sender] = 0
    assert extcall token.transfer(msg.sender, queued, default_return_value=True), "Staking: transfer failed"
    log Withdrawn(account=msg.sender, amount=queued)


# ---------------------------------------------------------------- collateral


@external
def lockCollateral(account: address, amount: uint256):
    """
    @notice Locks `amount` of `account`'s free stake as job collateral.
    @dev LOCKER_ROLE only (the escrow). Votes are unchanged.
    @param account The provider.
    @param amount Wei-units; at most the free stake. Zero is a no-op.
    """
    access_control._check_role(LOCKER_ROLE, msg.sender)
    if amount == 0:
        return
    locked: uint256 = self.lockedOf[account]
    assert amount <= self.bondedOf[account] - locked, "Staking: insufficient free stake"
    self.lockedOf[account] = locked + amount
    self.totalLocked += amount
    log CollateralLocked(account=account, locker=msg.sender, amount=amount)


@external
def releaseCollateral(account: address, amount: uint256) -> uint256:
    """
    @notice Releases up to `amount` of `account`'s locked collateral.
    @dev LOCKER_ROLE only. Releases less if a slash already consumed locked stake,
         so settlement can never fail on it.
    @param account The provider.
    @param amount Wei-units the caller locked for the job.
    @return The amount actually released.
    """
    access_control._check_role(LOCKER_ROLE, msg.sender)
    released: uint256 = min(amount, self.lockedOf[account])
    if released == 0:
        return 0
    self.lockedOf[account] -= released
    self.totalLocked -= released
    log CollateralReleased(account=account, locker=msg.sender, amount=released)
    return released


# ---------------------------------------------------------------- slashing


@external
def slash(account: address, amount: uint256, beneficiary: address) -> uint256:
    """
    @notice Takes up to `amount` from `account`'s stake: free first, then
            queued, then locked. Pays `slashBeneficiaryShareBps` of it to
            `beneficiary` (if not zero) and the rest to the treasury.
    @dev SLASHER_ROLE only. Returns 0 and changes nothing if the account holds nothing.
    @param account The slashed agent.
    @param amount The requested amount, wei-units; not zero.
    @param beneficiary The wronged party, or the zero address.
    @return The amount actually slashed.
    """
    access_control._check_role(SLASHER_ROLE, msg.sender)
    assert amount > 0, "Staking: zero amount"
    return self._slash(account, amount, beneficiary)


@external
def slashBps(account: address, bps: uint256, beneficiary: address) -> uint256:
    """
    @notice Slashes `bps` basis points of everything `account` holds
            (free + locked + queued), rounded up against the agent.
    @dev SLASHER_ROLE only.
    @param account The slashed agent.
    @param bps In (0, 10_000].
    @param beneficiary The wronged party, or the zero address.
    @return The amount actually slashed.
    """
    access_control._check_role(SLASHER_ROLE, msg.sender)
    assert bps > 0 and bps <= BPS, "Staking: bps out of bounds"
    held: uint256 = self.bondedOf[account] + self.queuedOf[account]
    if held == 0:
        return 0
    return self._slash(account, math._mul_div(held, bps, BPS, True), beneficiary)


# ---------------------------------------------------------------- votes (IVotingStake)


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
@view
def getVotes(account: address) -> uint256:
    """
    @notice Current voting power: bonded stake (free + locked, not queued)
            if voting is active, else 0.
    """
    return ckpt._latest(account)


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Voting power of `account` at the end of block `timepoint` (0
            while its voting was not active). The zero address has none.
    @param timepoint A block number strictly before the current one.
    """
    assert timepoint < block.number, "Staking: future lookup"
    return ckpt._upper_lookup(account, timepoint)[1]


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice Total voting stake (bonded stake of active accounts) at the end
            of block `timepoint`: the Governor's quorum base.
    @param timepoint A block number strictly before the current one.
    """
    assert timepoint < block.number, "Staking: future lookup"
    return ckpt._upper_lookup_id(_TOTAL_TRACE, timepoint)[1]


@external
@view
def numCheckpoints(account: address) -> uint256:
    """
    @notice Number of vote checkpoints of `account`.
    """
    return ckpt._length(account)


@external
@view
def numTotalCheckpoints() -> uint256:
    """
    @notice Number of checkpoints of the total voting stake.
    """
    return ckpt._length_id(_TOTAL_TRACE)


@external
@view
def freeStakeOf(account: address) -> uint256:
    """
    @notice Bonded stake not locked as collateral (can be locked or unstaked).
    """
    return self.bondedOf[account] - self.lockedOf[account]


@external
@view
def slashableOf(account: address) -> uint256:
    """
    @notice Everything a slash can reach: free + locked + queued.
    """
    return self.bondedOf[account] + self.queuedOf[account]


# ---------------------------------------------------------------- owner


@external
def setTreasury(treasury_: address):
    """
    @notice Sets the receiver of slashed funds. Owner only.
    """
    ow._check_owner()
    assert treasury_ != empty(address), "Staking: treasury is zero"
    log TreasuryUpdated(previous=self.treasury, current=treasury_)
    self.treasury = treasury_


@external
def setReputation(reputation_: address):
    """
    @notice Sets the Reputation contract told about slashes (zero: none). Owner only.
    """
    ow._check_owner()
    log ReputationUpdated(previous=self.reputation, current=reputation_)
    self.reputation = reputation_


@external
def setVotingGate(gate: address):
    """
    @notice Sets where the voting gate is read (`minVotingReputation()`, the
            Governor). Owner only; zero disables activation.
    @param gate The contract.
    """
    ow._check_owner()
    log VotingGateUpdated(previous=self.votingGate, current=gate)
    self.votingGate = gate


@external
def setParameter(name: String[32], amount: uint256):
    """
    @notice Sets a tunable parameter within its bounds. Owner only. Requests
            already queued keep the unlock time computed when they were made.
    @param name unbondingPeriod (seconds, MIN_UNBONDING_PERIOD ..
           MAX_UNBONDING_PERIOD) or slashBeneficiaryShareBps (0 ..
           MAX_BENEFICIARY_SHARE_BPS).
    @param amount The new value.
    """
    ow._check_owner()
    self._set_param(name, amount)


# ---------------------------------------------------------------- internal


@internal
def _set_param(name: String[32], amount: uint256):
    h: bytes32 = keccak256(name)
    previous: uint256 = 0
    if h == keccak256("unbondingPeriod"):
        assert amount >= MIN_UNBONDING_PERIOD and amount <= MAX_UNBONDING_PERIOD, "Staking: unbonding period out of bounds"
        previous = self.unbondingPeriod
        self.unbondingPeriod = amount
    elif h == keccak256("slashBeneficiaryShareBps"):
        assert amount <= MAX_BENEFICIARY_SHARE_BPS, "Staking: share out of bounds"
        previous = self.slashBeneficiaryShareBps
        self.slashBeneficiaryShareBps = amount
    else:
        raise "Staking: unknown parameter"
    log ParameterUpdated(name=name, previous=previous, current=amount)


@internal
def _stake(payer: address, account: address, amount: uint256):
    assert amount > 0, "Staking: zero amount"
    self._set_bonded(account, self.bondedOf[account] + amount)
    self.totalBonded += amount
    assert extcall token.transferFrom(payer, self, amount, default_return_value=True), "Staking: transfer failed"
    log Staked(account=account, amount=amount)


@internal
def _set_bonded(account: address, bonded: uint256):
    previous: uint256 = self.bondedOf[account]
    self.bondedOf[account] = bonded
    log BondedChanged(account=account, previous=previous, current=bonded)
    if self.votingActive[account]:
        self._move_votes(account, previous, bonded)


@internal
def _move_votes(account: address, previous: uint256, votes: uint256):
    # The account's vote trace and the total move together.
    ckpt._push(account, block.number, votes)
    total: uint256 = self.totalVotingStake + votes - previous
    self.totalVotingStake = total
    ckpt._push_id(_TOTAL_TRACE, block.number, total)
    log DelegateVotesChanged(delegate=account, previousVotes=previous, newVotes=votes)


@internal
@view
def _reputation_source() -> address:
    rep: address = self.reputation
    assert rep != empty(address), "Staking: reputation not set"
    return rep


@internal
@view
def _gate() -> uint256:
    gate: address = self.votingGate
    assert gate != empty(address), "Staking: voting gate not set"
    return staticcall IVotingGate(gate).minVotingReputation()


@internal
def _slash(account: address, amount: uint256, beneficiary: address) -> uint256:
    bonded: uint256 = self.bondedOf[account]
    locked: uint256 = self.lockedOf[account]
    queued: uint256 = self.queuedOf[account]
    remaining: uint256 = amount
    from_free: uint256 = min(remaining, bonded - locked)
    remaining -= from_free
    from_queued: uint256 = min(remaining, queued)
    remaining -= from_queued
    from_locked: uint256 = min(remaining, locked)
    total: uint256 = from_free + from_queued + from_locked
    if total == 0:
        return 0
    if from_free + from_locked > 0:
        self._set_bonded(account, bonded - from_free - from_locked)
        self.totalBonded -= from_free + from_locked
    if from_locked > 0:
        self.lockedOf[account] = locked - from_locked
        self.totalLocked -= from_locked
    if from_queued > 0:
        self.queuedOf[account] = queued - from_queued
        self.totalQueued -= from_queued
    to_beneficiary: uint256 = 0
    if beneficiary != empty(address):
        to_beneficiary = math._mul_div(total, self.slashBeneficiaryShareBps, BPS, False)
    to_treasury: uint256 = total - to_beneficiary
    if to_beneficiary > 0:
        assert extcall token.transfer(beneficiary, to_beneficiary, default_return_value=True), "Staking: transfer failed"
    if to_treasury > 0:
        assert extcall token.transfer(self.treasury, to_treasury, default_return_value=True), "Staking: transfer failed"
    log Slashed(account=account, slasher=msg.sender, beneficiary=beneficiary, amount=total, toBeneficiary=to_beneficiary, toTreasury=to_treasury)
    rep: address = self.reputation
    if rep != empty(address):
        extcall IReputationPenalty(rep).recordPenalty(account, PENALTY_SLASH)
    return total
