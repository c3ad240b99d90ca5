"""Gas rows of the marketplace for the committed gas snapshot (`agents/bench/gas.py` runs this).

`measure(c, accounts)` drives a fresh deployment (made by the deploy stages with
params/ethereum-local.yaml) through every step of the job lifecycle and returns
(contract, operation, gas_used) rows, including the totals for create -> fund -> submit -> complete
and for the dispute path (create -> fund -> submit -> reject -> dispute -> two guardian rulings).
The provider consents to each job before `fund` (issue 10): by pricing it itself (`setBudget` from the
provider, the cheapest path, used in the totals) or by `acceptJob` after the client priced it (measured
separately).
It uses no owner power: agents are accounts[1..4], which already hold AGENT; the guardians are the
founders the deploy stage seated.
"""

from __future__ import annotations

from typing import Any

WEI = 10**18
BUDGET = 1_000 * WEI
STAKE = 2_000 * WEI
MAX_UINT = 2**256 - 1


def _gas(tx: Any) -> int:
    return int(tx.gas_used)


def measure(c: dict[str, Any], accounts: list[Any]) -> list[tuple[str, str, int]]:
    from ape import chain

    token, registry, staking = c["AgentToken"], c["AgentRegistry"], c["Staking"]
    escrow, reputation = c["ServiceEscrow"], c["Reputation"]
    client, provider, evaluator = accounts[1], accounts[2], accounts[3]
    guardians = [a for a in accounts if escrow.isGuardian(a)]
    if len(guardians) < 2:
        raise RuntimeError("gas_market needs the founders seated as guardians by the deploy stage")
    rows: list[tuple[str, str, int]] = []

    def row(contract: str, op: str, tx: Any) -> int:
        gas = _gas(tx)
        rows.append((contract, op, gas))
        return gas

    for who in (client, provider, evaluator):
        token.approve(staking.address, MAX_UINT, sender=who)
        token.approve(escrow.address, MAX_UINT, sender=who)

    row(
        "AgentRegistry",
        "register (1 service)",
        registry.register(
            provider.address, "ipfs://provider-card", [("summarise", 10 * WEI)], sender=provider
        ),
    )
    row("Staking", "stake (first)", staking.stake(STAKE, sender=provider))
    row("Staking", "stake (again)", staking.stake(STAKE, sender=provider))
    row("Staking", "requestUnstake", staking.requestUnstake(WEI, sender=provider))
    row("Staking", "cancelUnstake", staking.cancelUnstake(sender=provider))

    def new_job(label: str | None) -> tuple[int, int]:
        expires = chain.pending_timestamp + 3_600
        tx = escrow.createJob(
            provider.address, evaluator.address, expires, "summarise https://example.org", sender=client
        )
        job_id = tx.decode_logs(escrow.JobCreated)[0].jobId
        total = _gas(tx)
        tx_budget = escrow.setBudget(job_id, BUDGET, sender=provider)
        tx_fund = escrow.fund(job_id, BUDGET, sender=client)
        tx_submit = escrow.submit(job_id, b"\x11" * 32, sender=provider)
        if label:
            row("ServiceEscrow", "createJob", tx)
            row("ServiceEscrow", "setBudget (provider: also its acceptance)", tx_budget)
            row("ServiceEscrow", "fund (locks collateral)", tx_fund)
            row("ServiceEscrow", "submit", tx_submit)
        return job_id, total + _gas(tx_budget) + _gas(tx_fund) + _gas(tx_submit)

    # Happy path: create -> setBudget -> fund -> submit -> complete.
    job_id, subtotal = new_job("happy")
    complete = row(
        "ServiceEscrow",
        "complete (pays, fee, releases)",
        escrow.complete(job_id, b"\x22" * 32, sender=evaluator),
    )
    rows.append(("ServiceEscrow", "TOTAL create -> fund -> submit -> complete", subtotal + complete))
    row("Reputation", "giveFeedback", reputation.giveFeedback(job_id, 90, sender=client))

    # Dispute path: ... -> reject -> dispute -> rule -> rule (decisive, provider loses: refund + slash).
    job_id, subtotal = new_job(None)
    reject = row(
        "ServiceEscrow",
        "reject (submitted: escrow held)",
        escrow.reject(job_id, b"\x33" * 32, sender=evaluator),
    )
    dispute = row("ServiceEscrow", "dispute (bond)", escrow.dispute(job_id, sender=provider))
    vote1 = row("ServiceEscrow", "rule (first vote)", escrow.rule(job_id, False, sender=guardians[0]))
    vote2 = row(
        "ServiceEscrow",
        "rule (decisive: refund, slash, penalty)",
        escrow.rule(job_id, False, sender=guardians[1]),
    )
    rows.append(
        (
            "ServiceEscrow",
            "TOTAL create -> fund -> submit -> reject -> dispute -> ruling",
            subtotal + reject + dispute + vote1 + vote2,
        )
    )

    # The other consent path: the client prices the job, the provider accepts that budget.
    expires = chain.pending_timestamp + 3_600
    tx = escrow.createJob(
        provider.address, evaluator.address, expires, "summarise https://example.org", sender=client
    )
    job_id = tx.decode_logs(escrow.JobCreated)[0].jobId
    row("ServiceEscrow", "setBudget (client)", escrow.setBudget(job_id, BUDGET, sender=client))
    row("ServiceEscrow", "acceptJob", escrow.acceptJob(job_id, BUDGET, sender=provider))
    escrow.fund(job_id, BUDGET, sender=client)

    # Permissionless timer paths.
    job_id, _ = new_job(None)
    chain.pending_timestamp += escrow.reviewWindow()
    row("ServiceEscrow", "claimPayment (silent evaluator)", escrow.claimPayment(job_id, sender=client))
    expires = chain.pending_timestamp + 120
    tx = escrow.createJob(provider.address, evaluator.address, expires, "expiring", sender=client)
    job_id = tx.decode_logs(escrow.JobCreated)[0].jobId
    escrow.setBudget(job_id, BUDGET, sender=provider)
    escrow.fund(job_id, BUDGET, sender=client)
    chain.pending_timestamp += 200
    row("ServiceEscrow", "claimRefund (expired, penalty)", escrow.claimRefund(job_id, sender=evaluator))

    row("Staking", "requestUnstake (to withdraw)", staking.requestUnstake(WEI, sender=provider))
    chain.pending_timestamp += staking.unbondingPeriod()
    row("Staking", "withdraw", staking.withdraw(sender=provider))
    return rows
