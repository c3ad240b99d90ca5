# pragma version 0.4.3
"""
@title Emergent Service Escrow (ERC-8183 Agentic Commerce)
@custom:contract-name ServiceEscrow
@license MIT
@notice Agents hire each other here. The core is ERC-8183 "Agentic Commerce"
        exactly: `createJob`, `setProvider`, `setBudget`,
        `fund(jobId, expectedBudget)`, `submit`, `complete`, `reject`,
        `claimRefund`; states Open 0, Funded 1, Submitted 2, Completed 3,
        Rejected 4, Expired 5; the ERC's ten events; a platform fee in basis
        points charged only on completion. Hooks are not supported (a
        non-zero `hook` is refused); `optParams` are accepted and ignored.

        Extensions (docs/escrow.md has the full state machine and timers):
        0. Consent. `fund` needs the provider's acceptance of the job at its
           current budget: the provider's own `setBudget`, or `acceptJob(jobId,
           budget)`; a client's later `setBudget` to another amount leaves the
           acceptance unmatched. `fund` also leaves the provider at least
           `minWorkingWindow` seconds before `expiredAt` and refuses an
           `expiredAt` more than `maxJobDuration` ahead. Nothing is locked
           from, and no expiry penalty falls on, a provider that did not
           accept.
        1. Collateral. Funding needs a provider with at least
           `minProviderStake` bonded in Staking and locks
           ceil(budget * collateralRatioBps / 10_000) of its free stake until
           the job settles. If Staking refuses the release (the escrow lost
           its locker role), the record is kept and the permissionless
           `releaseCollateral(jobId)` releases it later.
        2. Silent evaluator. Submitting is only possible before `expiredAt`;
           it starts a review window. A Submitted job is never refunded by
           expiry; once the window has passed without a decision, anyone may
           call `claimPayment` and the provider is paid. A provider who
           submitted in time therefore always ends paid or explicitly rejected.
        3. Disputes. When the evaluator rejects SUBMITTED work, the budget
           stays in escrow for `disputeWindow`; the provider may `dispute` by
           posting `disputeBond` (state Disputed = 6). The guardian committee
           votes with `rule`; a majority of the seats that may vote on the
           job at opening (guardians that are not a party and meet the
           floors) decides. Provider wins: paid as on completion, bond returned.
           Provider loses: client refunded, the job's collateral slashed (a
           share to the client, see Staking), reputation penalty, bond to the
           treasury. No majority by the ruling deadline (default): the
           rejection stands without penalty - client refunded, bond returned,
           collateral released. If nobody disputes, `claimRefund` refunds the
           client after the window (ERC-8183 allows claimRefund on Rejected
           jobs). Deviation from the ERC core: the refund of a rejected
           submission happens after the dispute window, not in `reject`.
        4. Liveness. Every live job ends through a permissionless call once
           its timers run out: Open or Funded after `expiredAt` ->
           `claimRefund` (Expired); Submitted after the review window ->
           `claimPayment` (Completed); Rejected with escrow after the dispute
           window -> `claimRefund`; Disputed after the ruling deadline ->
           `claimRefund` (default ruling).
        `claimRefund` calls nothing that can block it: the token (AGENT, no
        receiver hooks), and Staking/Reputation through non-reverting,
        gas-capped calls.
@custom:security Nonreentrant on every function that moves tokens. The token
        balance of the escrow equals the sum of `held` budgets plus open bonds.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable as ow
initializes: ow

from snekmate.utils import math

# `renounce_ownership` is left out: parameters must stay governable.
exports: (ow.owner, ow.transfer_ownership)


interface IStaking:
    def bondedOf(account: address) -> uint256: view
    def freeStakeOf(account: address) -> uint256: view
    def lockCollateral(account: address, amount: uint256): nonpayable
    def releaseCollateral(account: address, amount: uint256) -> uint256: nonpayable
    def slash(account: address, amount: uint256, beneficiary: address) -> uint256: nonpayable

interface IReputation:
    def reputationOf(account: address) -> uint256: view
    def recordPenalty(account: address, kind: uint8): nonpayable


# ERC-8183 states, then the extension's.
OPEN: constant(uint8) = 0
FUNDED: constant(uint8) = 1
SUBMITTED: constant(uint8) = 2
COMPLETED: constant(uint8) = 3
REJECTED: constant(uint8) = 4
EXPIRED: constant(uint8) = 5
DISPUTED: constant(uint8) = 6

# Dispute outcomes.
OUTCOME_PROVIDER: constant(uint8) = 1
OUTCOME_CLIENT: constant(uint8) = 2
OUTCOME_DEFAULT: constant(uint8) = 3

# Reputation penalty kinds (see Reputation.vy).
_PENALTY_EXPIRY: constant(uint8) = 1
_PENALTY_DISPUTE_LOST: constant(uint8) = 2

# `reason` of JobCompleted when no evaluator completed the job.
REASON_REVIEW_LAPSED: public(constant(bytes32)) = keccak256("emergent:review-window-lapsed")
REASON_DISPUTE_UPHELD: public(constant(bytes32)) = keccak256("emergent:dispute-upheld")

BPS: constant(uint256) = 10_000
MAX_DESCRIPTION: constant(uint256) = 256
MAX_OPT_PARAMS: constant(uint256) = 1_024
MAX_GUARDIANS: public(constant(uint256)) = 15
# Gas given to the non-reverting calls made by claimRefund.
_SAFE_CALL_GAS: constant(uint256) = 120_000

# Parameter bounds.
MAX_FEE_BPS: public(constant(uint256)) = 1_000
MAX_COLLATERAL_RATIO_BPS: public(constant(uint256)) = 30_000
MIN_WINDOW: public(constant(uint256)) = 60
MAX_WINDOW: public(constant(uint256)) = 30 * 86_400
MAX_AMOUNT: public(constant(uint256)) = 10**27
MIN_JOB_DURATION: public(constant(uint256)) = 3_600
MAX_JOB_DURATION: public(constant(uint256)) = 365 * 86_400


struct Job:
    client: address
    provider: address
    evaluator: address
    status: uint8
    budget: uint256
    expiredAt: uint256
    # Budget currently held in escrow for this job.
    held: uint256
    # Provider stake locked for this job.
    collateral: uint256
    # Review deadline (Submitted), dispute-window end (Rejected with escrow),
    # ruling deadline (Disputed); 0 otherwise.
    deadline: uint256
    deliverable: bytes32

struct Dispute:
    bond: uint256
    quorum: uint256
    votesForProvider: uint256
    votesForClient: uint256


token: public(immutable(IERC20))
staking: public(immutable(IStaking))
reputation: public(immutable(IReputation))

treasury: public(address)
feeBps: public(uint256)
collateralRatioBps: public(uint256)
minProviderStake: public(uint256)
reviewWindow: public(uint256)
disputeWindow: public(uint256)
rulingPeriod: public(uint256)
disputeBond: public(uint256)
guardianMinStake: public(uint256)
guardianMinReputation: public(uint256)

isGuardian: public(HashMap[address, bool])
# @dev The committee (bounded by MAX_GUARDIANS), for counting eligible seats.
_guardians: DynArray[address, MAX_GUARDIANS]
# @dev Seconds a funded job leaves the provider before `expiredAt`, at least.
minWorkingWindow: public(uint256)
# @dev `expiredAt` may be at most this many seconds after funding.
maxJobDuration: public(uint256)
# @dev The budget the provider accepted (0: none). `fund` needs it equal to the budget.
acceptedBudget: public(HashMap[uint256, uint256])

jobCounter: public(uint256)
_jobs: HashMap[uint256, Job]
descriptionOf: public(HashMap[uint256, String[MAX_DESCRIPTION]])
_disputes: HashMap[uint256, Dispute]
hasRuled: public(HashMap[uint256, HashMap[address, bool]])

# @dev Sum of `held` over all jobs plus open dispute bonds (= token balance).
totalEscrowed: public(uint256)


# ERC-8183 events.
event JobCreated:
    jobId: indexed(uint256)
    client: indexed(address)
    provider: indexed(address)
    evaluator: address
    expiredAt: uint256

event ProviderSet:
    jobId: indexed(uint256)
    provider: indexed(address)

event BudgetSet:
    jobId: indexed(uint256)
    amount: uint256

event JobFunded:
    jobId: indexed(uint256)
    client: indexed(address)
    amount: uint256

event JobSubmitted:
    jobId: indexed(uint256)
    provider: indexed(address)
    deliverable: bytes32

event JobCompleted:
    jobId: indexed(uint256)
    evaluator: indexed(address)
    reason: bytes32

event JobRejected:
    jobId: indexed(uint256)
    rejector: indexed(address)
    reason: bytes32

event JobExpired:
    jobId: indexed(uint256)

event PaymentReleased:
    jobId: indexed(uint256)
    provider: indexed(address)
    amount: uint256

event Refunded:
    jobId: indexed(uint256)
    client: indexed(address)
    amount: uint256

# Extension events.
event FeeCollected:
    jobId: indexed(uint256)
    treasury: indexed(address)
    amount: uint256

event DisputeOpened:
    jobId: indexed(uint256)
    provider: indexed(address)
    bond: uint256
    rulingDeadline: uint256
    quorum: uint256

event DisputeRuled:
    jobId: indexed(uint256)
    guardian: indexed(address)
    forProvider: bool

event DisputeResolved:
    jobId: indexed(uint256)
    outcome: uint8
    votesForProvider: uint256
    votesForClient: uint256
    slashed: uint256

event JobAccepted:
    jobId: indexed(uint256)
    provider: indexed(address)
    budget: uint256

event CollateralReleaseFailed:
    jobId: indexed(uint256)
    provider: indexed(address)
    amount: uint256

event CollateralReleased:
    jobId: indexed(uint256)
    provider: indexed(address)
    amount: uint256

event GuardianSet:
    account: indexed(address)
    enabled: bool

event TreasuryUpdated:
    previous: indexed(address)
    current: indexed(address)

event ParameterUpdated:
    name: String[32]
    previous: uint256
    current: uint256


@deploy
def __init__(token_: IERC20, staking_: IStaking, reputation_: IReputation, treasury_: address, fee_bps_: uint256, collateral_ratio_bps_: uint256, min_provider_stake_: uint256, review_window_: uint256, dispute_window_: uint256, ruling_period_: uint256, dispute_bond_: uint256, guardian_min_stake_: uint256, guardian_min_reputation_: uint256, min_working_window_: uint256, max_job_duration_: uint256):
    """
    @dev Parameters are checked against the same bounds as `setParameter`.
    """
    assert token_.address != empty(address), "ServiceEscrow: zero address"
    assert staking_.address != empty(address), "ServiceEscrow: zero address"
    assert reputation_.address != empty(address), "ServiceEscrow: zero address"
    assert treasury_ != empty(address), "ServiceEscrow: zero address"
    ow.__init__()
    token = token_
    staking = staking_
    reputation = reputation_
    self.treasury = treasury_
    self._set_param("feeBps", fee_bps_)
    self._set_param("collateralRatioBps", collateral_ratio_bps_)
    self._set_param("minProviderStake", min_provider_stake_)
    self._set_param("reviewWindow", review_window_)
    self._set_param("disputeWindow", dispute_window_)
    self._set_param("rulingPeriod", ruling_period_)
    self._set_param("disputeBond", dispute_bond_)
    self._set_param("guardianMinStake", guardian_min_stake_)
    self._set_param("guardianMinReputation", guardian_min_reputation_)
    self._set_param("maxJobDuration", max_job_duration_)
    self._set_param("minWorkingWindow", min_working_window_)


# ---------------------------------------------------------------- ERC-8183 core


@external
def createJob(provider: address, evaluator: address, expiredAt: uint256, description: String[MAX_DESCRIPTION], hook: address = empty(address)) -> uint256:
    """
    @notice Creates a job in Open with the caller as client.
    @param provider May be zero (set later with `setProvider`).
    @param evaluator The only address that may complete; not zero (may be the client).
    @param expiredAt Timestamp after which an unfinished funded job is refundable; in the future.
    @param description The job brief.
    @param hook Must be zero: hooks are not supported.
    @return The new job id (1, 2, ...).
    """
    assert hook == empty(address), "ServiceEscrow: hooks not supported"
    assert evaluator != empty(address), "ServiceEscrow: evaluator is zero"
    assert expiredAt > block.timestamp, "ServiceEscrow: expiry not in future"
    job_id: uint256 = self.jobCounter + 1
    self.jobCounter = job_id
    self._jobs[job_id] = Job(client=msg.sender, provider=provider, evaluator=evaluator, status=OPEN, budget=0, expiredAt=expiredAt, held=0, collateral=0, deadline=0, deliverable=empty(bytes32))
    self.descriptionOf[job_id] = description
    log JobCreated(jobId=job_id, client=msg.sender, provider=provider, evaluator=evaluator, expiredAt=expiredAt)
    return job_id


@external
def setProvider(jobId: uint256, provider: address, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Sets the provider of a job created without one. Client only, Open only.
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == OPEN, "ServiceEscrow: job not open"
    assert msg.sender == self._jobs[jobId].client, "ServiceEscrow: caller is not the client"
    assert self._jobs[jobId].provider == empty(address), "ServiceEscrow: provider already set"
    assert provider != empty(address), "ServiceEscrow: provider is zero"
    self._jobs[jobId].provider = provider
    log ProviderSet(jobId=jobId, provider=provider)


@external
def setBudget(jobId: uint256, amount: uint256, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Proposes or agrees the price. Client or provider, Open only.
            A provider's own price is its acceptance of the job at that
            budget (extension, `JobAccepted`); a client's new price needs
            the provider's acceptance again before `fund`.
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == OPEN, "ServiceEscrow: job not open"
    provider: address = self._jobs[jobId].provider
    assert msg.sender == self._jobs[jobId].client or msg.sender == provider, "ServiceEscrow: caller is not client or provider"
    self._jobs[jobId].budget = amount
    log BudgetSet(jobId=jobId, amount=amount)
    if msg.sender == provider and amount > 0:
        self.acceptedBudget[jobId] = amount
        log JobAccepted(jobId=jobId, provider=provider, budget=amount)


@external
def acceptJob(jobId: uint256, budget: uint256):
    """
    @notice Extension: the provider agrees to do the job for its current
            budget (and its `expiredAt`). Without this (or the provider's own
            `setBudget`) the job cannot be funded, so nothing is locked from,
            and no expiry penalty falls on, a provider that did not agree.
    @param budget Must equal the current budget (front-running protection:
           a client cannot swap the price under the acceptance).
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == OPEN, "ServiceEscrow: job not open"
    assert msg.sender == self._jobs[jobId].provider, "ServiceEscrow: caller is not the provider"
    assert block.timestamp < self._jobs[jobId].expiredAt, "ServiceEscrow: job expired"
    assert budget > 0, "ServiceEscrow: budget is zero"
    assert budget == self._jobs[jobId].budget, "ServiceEscrow: budget mismatch"
    self.acceptedBudget[jobId] = budget
    log JobAccepted(jobId=jobId, provider=msg.sender, budget=budget)


@external
@nonreentrant
def fund(jobId: uint256, expectedBudget: uint256, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Escrows the budget (client only, Open only) and locks the
            provider's collateral. Reverts if the budget is not
            `expectedBudget` (front-running protection), if the provider has
            not accepted this budget, if less than `minWorkingWindow` is left
            before `expiredAt`, or if `expiredAt` is more than
            `maxJobDuration` away.
    """
    self._check_job(jobId)
    job: Job = self._jobs[jobId]
    assert job.status == OPEN, "ServiceEscrow: job not open"
    assert msg.sender == job.client, "ServiceEscrow: caller is not the client"
    assert job.provider != empty(address), "ServiceEscrow: provider not set"
    assert job.budget > 0, "ServiceEscrow: budget is zero"
    assert job.budget == expectedBudget, "ServiceEscrow: budget mismatch"
    assert self.acceptedBudget[jobId] == job.budget, "ServiceEscrow: provider has not accepted"
    assert block.timestamp < job.expiredAt, "ServiceEscrow: job expired"
    assert job.expiredAt >= block.timestamp + self.minWorkingWindow, "ServiceEscrow: working window too short"
    assert job.expiredAt <= block.timestamp + self.maxJobDuration, "ServiceEscrow: job too long"
    assert staticcall staking.bondedOf(job.provider) >= self.minProviderStake, "ServiceEscrow: provider stake below minimum"
    collateral: uint256 = math._mul_div(job.budget, self.collateralRatioBps, BPS, True)
    assert staticcall staking.freeStakeOf(job.provider) >= collateral, "ServiceEscrow: provider collateral insufficient"
    self._jobs[jobId].status = FUNDED
    self._jobs[jobId].held = job.budget
    self._jobs[jobId].collateral = collateral
    self.totalEscrowed += job.budget
    extcall staking.lockCollateral(job.provider, collateral)
    assert extcall token.transferFrom(msg.sender, self, job.budget, default_return_value=True), "ServiceEscrow: transfer failed"
    log JobFunded(jobId=jobId, client=msg.sender, amount=job.budget)


@external
def submit(jobId: uint256, deliverable: bytes32, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Provider delivers: Funded -> Submitted, before `expiredAt`.
            Starts the review window.
    @param deliverable A reference to the work (hash, CID, ...).
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == FUNDED, "ServiceEscrow: job not funded"
    assert msg.sender == self._jobs[jobId].provider, "ServiceEscrow: caller is not the provider"
    assert block.timestamp < self._jobs[jobId].expiredAt, "ServiceEscrow: job expired"
    self._jobs[jobId].status = SUBMITTED
    self._jobs[jobId].deliverable = deliverable
    self._jobs[jobId].deadline = block.timestamp + self.reviewWindow
    log JobSubmitted(jobId=jobId, provider=msg.sender, deliverable=deliverable)


@external
@nonreentrant
def complete(jobId: uint256, reason: bytes32, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Evaluator accepts the work: Submitted -> Completed; the provider
            is paid the budget minus the fee.
    @param reason Optional attestation (e.g. a hash).
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == SUBMITTED, "ServiceEscrow: job not submitted"
    assert msg.sender == self._jobs[jobId].evaluator, "ServiceEscrow: caller is not the evaluator"
    self._pay_provider(jobId)
    log JobCompleted(jobId=jobId, evaluator=msg.sender, reason=reason)


@external
@nonreentrant
def reject(jobId: uint256, reason: bytes32, optParams: Bytes[MAX_OPT_PARAMS] = b""):
    """
    @notice Client rejects an Open job; evaluator rejects a Funded or
            Submitted one. Funded: the client is refunded at once.
            Submitted: the refund waits for the dispute window (extension).
    @param reason Optional attestation.
    """
    self._check_job(jobId)
    status: uint8 = self._jobs[jobId].status
    if status == OPEN:
        assert msg.sender == self._jobs[jobId].client, "ServiceEscrow: caller is not the client"
        self._jobs[jobId].status = REJECTED
    elif status == FUNDED or status == SUBMITTED:
        assert msg.sender == self._jobs[jobId].evaluator, "ServiceEscrow: caller is not the evaluator"
        self._jobs[jobId].status = REJECTED
        if status == FUNDED:
            self._refund_client(jobId)
            self._release_collateral_safe(jobId)
        else:
            self._jobs[jobId].deadline = block.timestamp + self.disputeWindow
    else:
        raise "ServiceEscrow: job not rejectable"
    log JobRejected(jobId=jobId, rejector=msg.sender, reason=reason)


@external
@nonreentrant
def claimRefund(jobId: uint256):
    """
    @notice Permissionless. Open or Funded after `expiredAt`: Expired, the
            client is refunded (a Funded provider gets an expiry penalty).
            Rejected submission after the dispute window: the client is
            refunded. Disputed after the ruling deadline: default ruling.
            Submitted jobs are never refunded (see `claimPayment`).
    """
    self._check_job(jobId)
    status: uint8 = self._jobs[jobId].status
    if status == OPEN or status == FUNDED:
        assert block.timestamp >= self._jobs[jobId].expiredAt, "ServiceEscrow: job not expired"
        self._jobs[jobId].status = EXPIRED
        if status == FUNDED:
            self._refund_client(jobId)
            self._release_collateral_safe(jobId)
            self._penalise_safe(self._jobs[jobId].provider, _PENALTY_EXPIRY)
        log JobExpired(jobId=jobId)
    elif status == SUBMITTED:
        raise "ServiceEscrow: submitted work awaits review"
    elif status == REJECTED:
        assert self._jobs[jobId].held > 0, "ServiceEscrow: nothing to refund"
        assert block.timestamp >= self._jobs[jobId].deadline, "ServiceEscrow: dispute window open"
        self._jobs[jobId].deadline = 0
        self._refund_client(jobId)
        self._release_collateral_safe(jobId)
    elif status == DISPUTED:
        assert block.timestamp >= self._jobs[jobId].deadline, "ServiceEscrow: ruling period open"
        self._resolve_default(jobId)
    else:
        raise "ServiceEscrow: nothing to refund"


# ---------------------------------------------------------------- extensions


@external
@nonreentrant
def claimPayment(jobId: uint256):
    """
    @notice Permissionless (extension). Pays the provider of a Submitted job
            whose evaluator stayed silent through the review window.
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == SUBMITTED, "ServiceEscrow: job not submitted"
    assert block.timestamp >= self._jobs[jobId].deadline, "ServiceEscrow: review window open"
    self._pay_provider(jobId)
    log JobCompleted(jobId=jobId, evaluator=empty(address), reason=REASON_REVIEW_LAPSED)


@external
@nonreentrant
def dispute(jobId: uint256):
    """
    @notice The provider contests the rejection of its submitted work within
            the dispute window, posting `disputeBond` (needs an allowance).
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == REJECTED and self._jobs[jobId].held > 0, "ServiceEscrow: job not disputable"
    provider: address = self._jobs[jobId].provider
    assert msg.sender == provider, "ServiceEscrow: caller is not the provider"
    assert block.timestamp < self._jobs[jobId].deadline, "ServiceEscrow: dispute window closed"
    assert len(self._guardians) > 0, "ServiceEscrow: no guardians"
    eligible: uint256 = self._eligible_seats(self._jobs[jobId].client, provider, self._jobs[jobId].evaluator)
    assert eligible > 0, "ServiceEscrow: no eligible guardians"
    bond: uint256 = self.disputeBond
    quorum: uint256 = eligible // 2 + 1
    deadline: uint256 = block.timestamp + self.rulingPeriod
    self._jobs[jobId].status = DISPUTED
    self._jobs[jobId].deadline = deadline
    self._disputes[jobId] = Dispute(bond=bond, quorum=quorum, votesForProvider=0, votesForClient=0)
    self.totalEscrowed += bond
    if bond > 0:
        assert extcall token.transferFrom(provider, self, bond, default_return_value=True), "ServiceEscrow: transfer failed"
    log DisputeOpened(jobId=jobId, provider=provider, bond=bond, rulingDeadline=deadline, quorum=quorum)


@external
@nonreentrant
def rule(jobId: uint256, forProvider: bool):
    """
    @notice A guardian votes on a dispute before its deadline. The first side
            to reach the quorum (a majority of the seats eligible on this job
            at opening) wins and the job settles in the same transaction.
    @param forProvider True: the work was acceptable; False: the rejection stands.
    """
    self._check_job(jobId)
    assert self._jobs[jobId].status == DISPUTED, "ServiceEscrow: job not disputed"
    assert self.isGuardian[msg.sender], "ServiceEscrow: caller is not a guardian"
    assert block.timestamp < self._jobs[jobId].deadline, "ServiceEscrow: ruling period over"
    assert not self.hasRuled[jobId][msg.sender], "ServiceEscrow: already ruled"
    assert msg.sender != self._jobs[jobId].client and msg.sender != self._jobs[jobId].provider and msg.sender != self._jobs[jobId].evaluator, "ServiceEscrow: guardian is a party"
    self._check_floors(msg.sender)
    self.hasRuled[jobId][msg.sender] = True
    d: Dispute = self._disputes[jobId]
    if forProvider:
        d.votesForProvider += 1
    else:
        d.votesForClient += 1
    self._disputes[jobId] = d
    log DisputeRuled(jobId=jobId, guardian=msg.sender, forProvider=forProvider)
    if d.votesForProvider >= d.quorum:
        self._resolve_for_provider(jobId, d)
    elif d.votesForClient >= d.quorum:
        self._resolve_for_client(jobId, d)


@external
@nonreentrant
def releaseCollateral(jobId: uint256):
    """
    @notice Permissionless (extension). Releases the collateral of a settled
            job that Staking refused to release at settlement (e.g. while the
            escrow had lost its locker role). Reverts with Staking's reason
            if Staking still refuses; the record is kept until it succeeds.
    """
    self._check_job(jobId)
    amount: uint256 = self._jobs[jobId].collateral
    assert amount > 0, "ServiceEscrow: no collateral held"
    status: uint8 = self._jobs[jobId].status
    assert status == COMPLETED or status == EXPIRED or (status == REJECTED and self._jobs[jobId].held == 0), "ServiceEscrow: job not settled"
    provider: address = self._jobs[jobId].provider
    self._jobs[jobId].collateral = 0
    released: uint256 = extcall staking.releaseCollateral(provider, amount)
    log CollateralReleased(jobId=jobId, provider=provider, amount=released)


# ---------------------------------------------------------------- views


@external
@view
def guardianCount() -> uint256:
    """
    @notice Number of seated guardians.
    """
    return len(self._guardians)


@external
@view
def getGuardians() -> DynArray[address, MAX_GUARDIANS]:
    """
    @notice The seated guardians (unordered).
    """
    return self._guardians


@external
@view
def eligibleSeats(jobId: uint256) -> uint256:
    """
    @notice Guardians that may rule on `jobId` now: not a party, meeting the floors.
    """
    return self._eligible_seats(self._jobs[jobId].client, self._jobs[jobId].provider, self._jobs[jobId].evaluator)


@external
@view
def getJob(jobId: uint256) -> Job:
    """
    @notice The job record (all zero for an unknown id).
    """
    return self._jobs[jobId]


@external
@view
def getDispute(jobId: uint256) -> Dispute:
    """
    @notice The dispute record of a job (all zero if never disputed).
    """
    return self._disputes[jobId]


@external
@view
def feedbackInfo(jobId: uint256) -> (address, address, uint8, uint256):
    """
    @notice What Reputation needs to accept feedback: client, provider,
            status and the budget the client paid.
    """
    return (self._jobs[jobId].client, self._jobs[jobId].provider, self._jobs[jobId].status, self._jobs[jobId].budget)


@external
@view
def collateralFor(budget: uint256) -> uint256:
    """
    @notice Collateral a provider needs free to take a job of `budget` (rounded up).
    """
    return math._mul_div(budget, self.collateralRatioBps, BPS, True)


# ---------------------------------------------------------------- owner


@external
def setGuardian(account: address, enabled: bool):
    """
    @notice Adds or removes a committee member. Owner only. A new member must
            meet the stake and reputation floors (checked again at each vote).
    """
    ow._check_owner()
    assert account != empty(address), "ServiceEscrow: zero address"
    if enabled:
        assert not self.isGuardian[account], "ServiceEscrow: already a guardian"
        assert len(self._guardians) < MAX_GUARDIANS, "ServiceEscrow: committee full"
        self._check_floors(account)
        self._guardians.append(account)
    else:
        assert self.isGuardian[account], "ServiceEscrow: not a guardian"
        last: address = self._guardians.pop()
        if last != account:
            for i: uint256 in range(MAX_GUARDIANS):
                if self._guardians[i] == account:
                    self._guardians[i] = last
                    break
    self.isGuardian[account] = enabled
    log GuardianSet(account=account, enabled=enabled)


@external
def setTreasury(treasury_: address):
    """
    @notice Sets the receiver of fees and forfeited bonds. Owner only.
    """
    ow._check_owner()
    assert treasury_ != empty(address), "ServiceEscrow: zero address"
    log TreasuryUpdated(previous=self.treasury, current=treasury_)
    self.treasury = treasury_


@external
def setParameter(name: String[32], amount: uint256):
    """
    @notice Sets a tunable parameter within its bounds. Owner only. Timers
            already running keep the deadline computed when they started.
    @param name feeBps, collateralRatioBps, minProviderStake, reviewWindow,
           disputeWindow, rulingPeriod, disputeBond, guardianMinStake,
           guardianMinReputation, minWorkingWindow (MIN_WINDOW .. MAX_WINDOW,
           at most maxJobDuration) or maxJobDuration (MIN_JOB_DURATION ..
           MAX_JOB_DURATION, at least minWorkingWindow).
    """
    ow._check_owner()
    self._set_param(name, amount)


# ---------------------------------------------------------------- internal


@internal
@view
def _check_job(job_id: uint256):
    assert job_id > 0 and job_id <= self.jobCounter, "ServiceEscrow: unknown job"


@internal
@view
def _check_floors(account: address):
    assert staticcall staking.bondedOf(account) >= self.guardianMinStake, "ServiceEscrow: guardian stake below floor"
    assert staticcall reputation.reputationOf(account) >= self.guardianMinReputation, "ServiceEscrow: guardian reputation below floor"


@internal
@view
def _eligible_seats(client: address, provider: address, evaluator: address) -> uint256:
    """
    @dev Seats that may vote on a job: guardians that are not a party and
         meet the floors now. Bounded by MAX_GUARDIANS.
    """
    n: uint256 = 0
    min_stake: uint256 = self.guardianMinStake
    min_rep: uint256 = self.guardianMinReputation
    for g: address in self._guardians:
        if g == client or g == provider or g == evaluator:
            continue
        if staticcall staking.bondedOf(g) < min_stake:
            continue
        if staticcall reputation.reputationOf(g) < min_rep:
            continue
        n += 1
    return n


@internal
def _pay_provider(job_id: uint256):
    provider: address = self._jobs[job_id].provider
    amount: uint256 = self._jobs[job_id].held
    self._jobs[job_id].status = COMPLETED
    self._jobs[job_id].held = 0
    self._jobs[job_id].deadline = 0
    self.totalEscrowed -= amount
    fee: uint256 = math._mul_div(amount, self.feeBps, BPS, False)
    net: uint256 = amount - fee
    self._release_collateral_safe(job_id)
    if fee > 0:
        treasury: address = self.treasury
        assert extcall token.transfer(treasury, fee, default_return_value=True), "ServiceEscrow: transfer failed"
        log FeeCollected(jobId=job_id, treasury=treasury, amount=fee)
    if net > 0:
        assert extcall token.transfer(provider, net, default_return_value=True), "ServiceEscrow: transfer failed"
    log PaymentReleased(jobId=job_id, provider=provider, amount=net)


@internal
def _refund_client(job_id: uint256):
    client: address = self._jobs[job_id].client
    amount: uint256 = self._jobs[job_id].held
    self._jobs[job_id].held = 0
    self.totalEscrowed -= amount
    assert extcall token.transfer(client, amount, default_return_value=True), "ServiceEscrow: transfer failed"
    log Refunded(jobId=job_id, client=client, amount=amount)


@internal
def _release_collateral_safe(job_id: uint256):
    """
    @dev Releases the job's collateral without letting a failure in Staking
         block settlement (e.g. if governance revoked the escrow's locker
         role). On failure the record is restored (event
         CollateralReleaseFailed) so `releaseCollateral(jobId)` can retry.
    """
    amount: uint256 = self._jobs[job_id].collateral
    if amount == 0:
        return
    self._jobs[job_id].collateral = 0
    assert msg.gas > _SAFE_CALL_GAS * 64 // 63 + 10_000, "ServiceEscrow: not enough gas"
    success: bool = False
    response: Bytes[32] = b""
    provider: address = self._jobs[job_id].provider
    success, response = raw_call(staking.address, abi_encode(provider, amount, method_id=method_id("releaseCollateral(address,uint256)")), max_outsize=32, gas=_SAFE_CALL_GAS, revert_on_failure=False)
    if not success:
        self._jobs[job_id].collateral = amount
        log CollateralReleaseFailed(jobId=job_id, provider=provider, amount=amount)


@internal
def _penalise_safe(account: address, kind: uint8):
    """
    @dev Records a reputation penalty without letting Reputation block the
         caller; the gas check stops a caller from starving the call on purpose.
    """
    assert msg.gas > _SAFE_CALL_GAS * 64 // 63 + 10_000, "ServiceEscrow: not enough gas"
    success: bool = raw_call(reputation.address, abi_encode(account, kind, method_id=method_id("recordPenalty(address,uint8)")), gas=_SAFE_CALL_GAS, revert_on_failure=False)


@internal
def _return_bond(job_id: uint256, d: Dispute, to: address):
    if d.bond == 0:
        return
    self.totalEscrowed -= d.bond
    assert extcall token.transfer(to, d.bond, default_return_value=True), "ServiceEscrow: transfer failed"


@internal
def _resolve_for_provider(job_id: uint256, d: Dispute):
    self._return_bond(job_id, d, self._jobs[job_id].provider)
    self._pay_provider(job_id)
    log DisputeResolved(jobId=job_id, outcome=OUTCOME_PROVIDER, votesForProvider=d.votesForProvider, votesForClient=d.votesForClient, slashed=0)
    log JobCompleted(jobId=job_id, evaluator=empty(address), reason=REASON_DISPUTE_UPHELD)


@internal
def _resolve_for_client(job_id: uint256, d: Dispute):
    provider: address = self._jobs[job_id].provider
    client: address = self._jobs[job_id].client
    self._jobs[job_id].status = REJECTED
    self._jobs[job_id].deadline = 0
    self._return_bond(job_id, d, self.treasury)
    self._refund_client(job_id)
    collateral: uint256 = self._jobs[job_id].collateral
    self._jobs[job_id].collateral = 0
    slashed: uint256 = 0
    if collateral > 0:
        released: uint256 = extcall staking.releaseCollateral(provider, collateral)
        if released > 0:
            slashed = extcall staking.slash(provider, released, client)
    extcall reputation.recordPenalty(provider, _PENALTY_DISPUTE_LOST)
    log DisputeResolved(jobId=job_id, outcome=OUTCOME_CLIENT, votesForProvider=d.votesForProvider, votesForClient=d.votesForClient, slashed=slashed)


@internal
def _resolve_default(job_id: uint256):
    d: Dispute = self._disputes[job_id]
    self._jobs[job_id].status = REJECTED
    self._jobs[job_id].deadline = 0
    self._return_bond(job_id, d, self._jobs[job_id].provider)
    self._refund_client(job_id)
    self._release_collateral_safe(job_id)
    log DisputeResolved(jobId=job_id, outcome=OUTCOME_DEFAULT, votesForProvider=d.votesForProvider, votesForClient=d.votesForClient, slashed=0)


@internal
def _set_param(name: String[32], amount: uint256):
    h: bytes32 = keccak256(name)
    previous: uint256 = 0
    if h == keccak256("feeBps"):
        assert amount <= MAX_FEE_BPS, "ServiceEscrow: fee out of bounds"
        previous = self.feeBps
        self.feeBps = amount
    elif h == keccak256("collateralRatioBps"):
        assert amount <= MAX_COLLATERAL_RATIO_BPS, "ServiceEscrow: collateral ratio out of bounds"
        previous = self.collateralRatioBps
        self.collateralRatioBps = amount
    elif h == keccak256("minProviderStake"):
        assert amount <= MAX_AMOUNT, "ServiceEscrow: amount out of bounds"
        previous = self.minProviderStake
        self.minProviderStake = amount
    elif h == keccak256("reviewWindow"):
        assert amount >= MIN_WINDOW and amount <= MAX_WINDOW, "ServiceEscrow: window out of bounds"
        previous = self.reviewWindow
        self.reviewWindow = amount
    elif h == keccak256("disputeWindow"):
        assert amount >= MIN_WINDOW and amount <= MAX_WINDOW, "ServiceEscrow: window out of bounds"
        previous = self.disputeWindow
        self.disputeWindow = amount
    elif h == keccak256("rulingPeriod"):
        assert amount >= MIN_WINDOW and amount <= MAX_WINDOW, "ServiceEscrow: window out of bounds"
        previous = self.rulingPeriod
        self.rulingPeriod = amount
    elif h == keccak256("disputeBond"):
        assert amount <= MAX_AMOUNT, "ServiceEscrow: amount out of bounds"
        previous = self.disputeBond
        self.disputeBond = amount
    elif h == keccak256("guardianMinStake"):
        assert amount <= MAX_AMOUNT, "ServiceEscrow: amount out of bounds"
        previous = self.guardianMinStake
        self.guardianMinStake = amount
    elif h == keccak256("guardianMinReputation"):
        assert amount <= 10_000, "ServiceEscrow: reputation out of bounds"
        previous = self.guardianMinReputation
        self.guardianMinReputation = amount
    elif h == keccak256("minWorkingWindow"):
        assert amount >= MIN_WINDOW and amount <= MAX_WINDOW, "ServiceEscrow: window out of bounds"
        assert amount <= self.maxJobDuration, "ServiceEscrow: window above max duration"
        previous = self.minWorkingWindow
        self.minWorkingWindow = amount
    elif h == keccak256("maxJobDuration"):
        assert amount >= MIN_JOB_DURATION and amount <= MAX_JOB_DURATION, "ServiceEscrow: duration out of bounds"
        assert amount >= self.minWorkingWindow, "ServiceEscrow: window above max duration"
        previous = self.maxJobDuration
        self.maxJobDuration = amount
    else:
        raise "ServiceEscrow: unknown parameter"
    log ParameterUpdated(name=name, previous=previous, current=amount)
