"""What it costs to reach each governance gate through feedback (the table in docs/reputation.md).

`feedback` is the Python model of `Reputation.giveFeedback` (tests/attacks/test_reputation_attacks.py
checks it against the contract transaction by transaction). `cost_table` drives the model job by job for
three buyers of reputation and prints, per gate, how many jobs and how much paid work it takes:

- a **Sybil ring**: fresh wallets (score 0) hiring and rating each other, any number of jobs;
- an **honest newcomer** paid by the founders (rated 100 by each founder in turn);
- a **bought lift**: one reputable insider (a founder) rating a fresh wallet of its own, job after job:
  the residual risk (an agent that earned standing can vouch for another; it pays the fee on every job).

Reading parameters: params/ethereum-local.yaml (referenceValue, raterCapBps, feeBps, the three gates,
the founders' seeded score). Decay is ignored (every job is assumed in the same block): it only makes
the gates costlier, since scores decay between jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_SCORE = 10_000
BPS = 10_000
WEI = 10**18
MAX_JOBS = 100_000  # safety bound of the search; every route in the table ends well before it


def feedback(
    previous: int, rating: int, paid: int, reference: int, rater: int, paid_before: int, rater_cap_bps: int
) -> int:
    """The provider's score after one feedback (integer arithmetic exactly as the contract)."""
    target = rating * (MAX_SCORE // 100)
    num = paid * rater
    den = (paid + reference + paid_before) * MAX_SCORE
    if target >= previous:
        bound = min(target, rater * rater_cap_bps // BPS)
        if bound > previous:
            return previous + (bound - previous) * num // den
        return previous
    if num == 0:
        return previous
    return previous - ((previous - target) * num + den - 1) // den


@dataclass(frozen=True)
class Route:
    name: str
    raters: tuple[int, ...]  # the raters' scores, rating in turn


def jobs_to_reach(
    gate: int, budget: int, route: Route, reference: int, cap_bps: int
) -> tuple[int | None, int]:
    """Jobs of `budget` (wei) rated 100 in turn by `route.raters` until the score reaches `gate`, and the
    score then; (None, score) if it never does: a full round of raters leaves the score unchanged (the
    rise of every rater rounds to zero or hits its cap), so no further job can move it."""
    score = 0
    paid = [0] * len(route.raters)
    round_start = 0
    for n in range(1, MAX_JOBS + 1):
        i = (n - 1) % len(route.raters)
        score = feedback(score, 100, budget, reference, route.raters[i], paid[i], cap_bps)
        paid[i] += budget
        if score >= gate:
            return n, score
        if i == len(route.raters) - 1:
            if score == round_start:
                return None, score  # a whole round moved nothing, and paid only grows: never
            round_start = score
    return None, score


def load_parameters(path: Path | None = None) -> dict[str, Any]:
    from agents.chain.deployment import load_params
    from agents.paths import PARAMS_DIR

    p = load_params(path or PARAMS_DIR / "ethereum-local.yaml")
    m, g = p["market"], p["governance"]
    founders = [f.get("reputation", 0) for f in m.get("founders", [])] or [6_000]
    return {
        "reference": int(m["reputation"]["reference_value"]) * WEI,
        "cap_bps": int(m["reputation"].get("rater_cap_bps", 9_000)),
        "fee_bps": int(m["escrow"]["fee_bps"]),
        "gates": {
            "minVotingReputation": int(g["min_voting_reputation"]),
            "guardianMinReputation": int(m["escrow"]["guardian_min_reputation"]),
            "proposal floor": int(g["proposal_reputation"]),
        },
        "founders": tuple(founders),
    }


BUDGETS_AGENT = (100, 1_000, 5_000)


def cost_table(params: dict[str, Any] | None = None) -> str:
    """The markdown table of docs/reputation.md (deterministic: the docs test compares it)."""
    p = params or load_parameters()
    founders = p["founders"]
    routes = (
        Route("Sybil ring (fresh wallets rating each other)", (0, 0, 0)),
        Route(f"honest newcomer, paid and rated by the {len(founders)} founders in turn", founders),
        Route("bought lift: one founder rates its own fresh wallet", founders[:1]),
    )
    gates = p["gates"]
    head = "| route | job budget | " + " | ".join(f"{k} ({v})" for k, v in gates.items()) + " |"
    lines = [head, "|" + " --- |" * (2 + len(gates))]
    for route in routes:
        for b in BUDGETS_AGENT:
            cells = []
            for gate in gates.values():
                n, score = jobs_to_reach(gate, b * WEI, route, p["reference"], p["cap_bps"])
                if n is None:
                    cells.append(f"never (stalls at {score})")
                else:
                    paid = n * b
                    fee = paid * p["fee_bps"] / BPS
                    cells.append(f"{n} job{'s' if n > 1 else ''}, {paid:,} AGENT paid ({fee:,.0f} fee)")
            lines.append(f"| {route.name} | {b:,} AGENT | " + " | ".join(cells) + " |")
            if route.raters and max(route.raters) == 0:
                break  # the ring: same answer for every budget
    return "\n".join(lines)


def main() -> None:
    print(cost_table())


if __name__ == "__main__":
    main()
