# pragma version 0.4.3
"""
@title TEST DOUBLE: the unconsented-provider griefer (issue 10, finding 1)
@custom:contract-name ExpiryGriefer
@license MIT
@notice FOR TESTS ONLY. In ONE transaction creates up to 20 jobs naming a
        provider that never agreed to them, each with a 1-wei budget and an
        `expiredAt` one second ahead, and funds them; in the next block
        `claimAll` expires them, so that the escrow's expiry penalty falls on
        the provider 20 times for 20 wei. Proves that nothing can be locked
        from, and no penalty can fall on, a provider without its acceptance.
"""

from ethereum.ercs import IERC20


interface IEscrow:
    def createJob(provider: address, evaluator: address, expiredAt: uint256, description: String[256], hook: address) -> uint256: nonpayable
    def setBudget(jobId: uint256, amount: uint256, optParams: Bytes[1_024]): nonpayable
    def fund(jobId: uint256, expectedBudget: uint256, optParams: Bytes[1_024]): nonpayable
    def claimRefund(jobId: uint256): nonpayable


MAX_JOBS: constant(uint256) = 20

token: public(immutable(IERC20))
escrow: public(immutable(IEscrow))
firstJob: public(uint256)
lastCount: public(uint256)


@deploy
def __init__(token_: IERC20, escrow_: IEscrow):
    """
    @param token_ AGENT. @param escrow_ ServiceEscrow.
    """
    token = token_
    escrow = escrow_


@external
def grief(provider: address, count: uint256, budget: uint256, ttl: uint256):
    """
    @notice Creates, prices and funds `count` jobs naming `provider`, each
            expiring `ttl` seconds from now.
    """
    assert count <= MAX_JOBS, "ExpiryGriefer: too many"
    extcall token.approve(escrow.address, max_value(uint256))
    for i: uint256 in range(MAX_JOBS):
        if i >= count:
            break
        job: uint256 = extcall escrow.createJob(provider, self, block.timestamp + ttl, "grief", empty(address))
        if i == 0:
            self.firstJob = job
        extcall escrow.setBudget(job, budget, b"")
        extcall escrow.fund(job, budget, b"")
    self.lastCount = count


@external
def claimAll():
    """
    @notice Expires the jobs of the last `grief` call (permissionless claimRefund).
    """
    first: uint256 = self.firstJob
    for i: uint256 in range(MAX_JOBS):
        if i >= self.lastCount:
            break
        extcall escrow.claimRefund(first + i)
