"""How each L4.9 output changes what the agent does: the levers the policy pulls. Pure functions.

The L4.8 baseline (policy.py) prices, hires on the agent's own trust, evaluates and settles whatever
L4.9's status. L4.9's authority `A` (Guidance.authority: 1 ACTIVE, 0.5 PARTIAL, 0 otherwise) scales
only L4.9's own adjustments below. Protective outputs (the operating mode and its stability share, the
survival floor) act whatever the authority, as §5.3 allows protective action in every mode.

| output | lever |
|---|---|
| SURVIVAL_DRIVEN goal | spend less: hire probability x (1 - 0.5 A) |
| SURVIVAL_DRIVEN goal, or survival constrained or worse | price floor: cost x 1.25 (protective, any A) |
| GAP_FILLING goal (confidence:<s>) | take work that trains the weak skill: ask on s x (1 - 0.03 A) |
| PURPOSE_DERIVED goal (share:<s>) | win more of the declared service: ask on s x (1 - 0.03 A) |
| OPPORTUNITY_DRIVEN goal (won:<s>) | raise the ask on s x (1 + 0.03 A), or enter s if not offered |
| EXPLORATORY goal (won:<s>) | offer the new service s at its initial ask |
| interaction AVOID | the provider is not hired; a rejection by an avoided client is disputed |
| interaction COOPERATE / VERIFY | hiring score +0.10 A / -0.10 A |
| cognition trust | hiring score = (1 - 0.5 A) x L4.8 score + 0.5 A x trust |
| stability_share | that share of the token balance is held in reserve: the hiring budget excludes it |
| goal closed | its focus ends (Guidance keeps only goals still open in the cognition state) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.chain.units import BPS, bps, mul_bps, mul_bps_up

if TYPE_CHECKING:  # policy imports this module at run time
    from agents.runtime.policy import Guidance

LEAN = 0.03  # ask step toward winning more of a service (x A)
RAISE = 0.03  # ask step on an opportunity (x A)
SURVIVAL_FLOOR_MARGIN = (
    0.25  # a survival goal keeps the ask >= cost x 1.25 (protective; the L4.8 floor is 1.10)
)
SURVIVAL_SPEND_CUT = 0.5  # a survival goal cuts the hire probability by up to half (x A)
STRATEGY_BONUS = 0.10  # COOPERATE +, VERIFY - on the hiring score (x A)
TRUST_BLEND = 0.5  # weight of cognition's trust in the hiring score (x A)
LEAN_ORIGINS = ("GAP_FILLING", "PURPOSE_DERIVED")


def goal_services(g: Guidance, origin: str) -> set[str]:
    """Services named by the open goals of one origin (metric `<kind>:<service>`)."""
    out = set()
    for gid, o in g.origins.items():
        if o != origin:
            continue
        metric = g.goals.get(gid, "")
        if ":" in metric:
            out.add(metric.split(":", 1)[1])
    return out


def has_goal(g: Guidance, origin: str) -> bool:
    return any(o == origin and gid in g.goals for gid, o in g.origins.items())


def extra_services(g: Guidance, offered: tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    """Services to enter: exploratory goals (at any authority > 0) and opportunities outside the offer."""
    if g.authority <= 0:
        return ()
    want = goal_services(g, "EXPLORATORY") | goal_services(g, "OPPORTUNITY_DRIVEN")
    return tuple(sorted(s for s in want if s not in offered and s in known))


def adjust_ask(service: str, ask: int, cost: int, g: Guidance) -> int:
    """The L4.8 ask for `service` after L4.9's goal levers; the survival floor is protective."""
    a = max(0.0, min(1.0, g.authority))
    out = int(ask)
    if a > 0:  # the authority-scaled step becomes basis points once (agents.chain.units: nearest bp)
        if service in goal_services(g, "OPPORTUNITY_DRIVEN"):
            out = mul_bps(out, BPS + bps(RAISE * a))
        elif service in g.focus or any(service in goal_services(g, o) for o in LEAN_ORIGINS):
            out = mul_bps(out, BPS - bps(LEAN * a))
    if has_goal(g, "SURVIVAL_DRIVEN") or g.survival in ("constrained", "warning", "critical"):
        out = max(out, mul_bps_up(cost, BPS + bps(SURVIVAL_FLOOR_MARGIN)))
    return max(1, out)


def spend_factor(g: Guidance) -> float:
    """Hire-probability factor: a survival goal makes the agent spend less."""
    if has_goal(g, "SURVIVAL_DRIVEN"):
        return 1.0 - SURVIVAL_SPEND_CUT * max(0.0, min(1.0, g.authority))
    return 1.0


def reserve(g: Guidance, token: int) -> int:
    """Token wei held back from hiring: the operating mode's stability share (protective)."""
    return mul_bps(token, bps(max(0.0, min(1.0, g.stability_share))))


def avoided(g: Guidance) -> set[str]:
    return {x.lower() for x in g.avoid} if g.authority > 0 else set()


def hire_score(base: float, provider: str, g: Guidance) -> float:
    """Blend the L4.8 score (on-chain reputation and own Beta trust) with cognition's model."""
    a = max(0.0, min(1.0, g.authority))
    peer = g.peers.get(provider.lower())
    if a <= 0 or not peer:
        return base
    score = (1.0 - TRUST_BLEND * a) * base + TRUST_BLEND * a * float(peer.get("trust", base))
    action = peer.get("action")
    if action == "COOPERATE":
        score += STRATEGY_BONUS * a
    elif action == "VERIFY":
        score -= STRATEGY_BONUS * a
    return max(0.0, min(1.0, score))


def dispute_anyway(g: Guidance, client: str, own_valid: bool) -> bool:
    """A valid delivery rejected by a client cognition tells us to AVOID is disputed."""
    return own_valid and client.lower() in avoided(g)
