"""Personas: who an agent is in the market. A value-vector preset plus behaviour parameters.

The value vector (7 dimensions of seed 001 §1.7, on the simplex, each weight in [0.02, 0.60]) is the
initial ValueVector the cognition library starts from; it shapes the agent's goal generation and
value evolution. The behaviour parameters say what the persona does at the few points where the
market offers a choice to misbehave. Decision helpers here are pure: the caller passes a seeded
`random.Random` and the facts (e.g. whether a payload verifies), and gets back a decision.

Precise definitions (also in docs/market.md):

- honest: delivers correct work, prices near the market, completes good work and rejects bad work
  as a client, disputes a rejection only if its own payload verifies (a wrongful rejection).
- undercutter: honest work, aims its ask 25 % under the competitors' median (pricing aggressiveness),
  accepts thin margins.
- cheater: takes jobs and, with probability `cheat_prob` (0.6), delivers `corrupt(spec, payload)`:
  plausible, well-formed, wrong. Disputes the resulting rejections half of the time, hoping guardians
  do not check.
- no_show: accepts jobs (gets funded, locks collateral) and with probability `no_show_prob` (0.7)
  never submits, so the job expires and the client reclaims the budget.
- frivolous_disputer: careless provider (delivers corrupt work with probability 0.4) that disputes
  every rejection regardless of merit; as a client it rejects correct work with probability
  `false_reject_prob` (0.25) to claw back its payment. Its disputes are the ones guardians reject
  (bond forfeited) and its wrongful rejections are the ones honest providers win on dispute.
- guardian: stakes heavily, joins the guardian committee, rules on disputes by fetching the payload
  and running `verify`; also an honest provider/client; votes in governance whenever it can.
- sybil: one owner's fresh wallets (a ring: every sybil agent of a run). It hires and rates only the
  other wallets of its ring (wash trades, correct work, feedback 100), every cycle it can, and proposes
  whenever the chain would take a proposal from it: the reputation-for-sale attack (finding 2 of the
  incentive-safety issue). Feedback counts as much as the rater's own standing, so the ring's scores
  stay at 0 and the gates stay shut (docs/reputation.md).
- griefer: names the most reputable providers in jobs of 1 wei that expire before any working window
  could fit (45 s) or in ten years, and tries to fund them at once, then claims the refund: the
  unconsented-provider attack
  (finding 1). Without the provider's acceptance nothing is funded, locked or penalised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# The value vector's dimensions and bounds are the cognition library's (seed 001
# §1.7), imported so there is one place for each constant.
from agents.cognition.constants import (
    VALUE_DIMENSIONS,
)
from agents.cognition.constants import (
    VALUE_WEIGHT_MAX as VALUE_MAX,
)
from agents.cognition.constants import (
    VALUE_WEIGHT_MIN as VALUE_MIN,
)
from agents.market.pricing import PricingParams
from agents.market.registry import BUILTIN, NAME_RE, PluginError, Registry
from agents.market.registry import PERSONAS as _REGISTRY
from agents.market.registry import load_entry_points as _load_entry_points
from agents.market.services import TaskSpec, corrupt, solve, verify


def _values(*weights: float) -> tuple[float, ...]:
    if len(weights) != len(VALUE_DIMENSIONS):
        raise ValueError(f"a value vector has {len(VALUE_DIMENSIONS)} weights")
    if abs(sum(weights) - 1.0) > 1e-9:
        raise ValueError(f"value weights must sum to 1, got {sum(weights)}")
    if not all(VALUE_MIN <= w <= VALUE_MAX for w in weights):
        raise ValueError(f"value weights must be in [{VALUE_MIN}, {VALUE_MAX}]")
    return tuple(weights)


@dataclass(frozen=True)
class Behaviour:
    """Probabilities and knobs of a persona. All probabilities are in [0, 1]."""

    cheat_prob: float = 0.0  # provider delivers corrupt(...) instead of the solution
    no_show_prob: float = 0.0  # provider accepts a job and never submits
    false_reject_prob: float = 0.0  # client rejects a correct deliverable
    dispute_wrongful_prob: float = 1.0  # provider disputes a rejection of a payload that verifies
    dispute_rightful_prob: float = 0.0  # provider disputes a rejection of a payload that does not verify
    undercut: float = 0.0  # pricing aggressiveness: target this fraction below the competitors' median
    markup: float = 0.5  # initial ask = cost * (1 + markup)
    stake_fraction: float = 0.2  # share of token balance the agent keeps staked
    is_guardian: bool = False  # seeks a guardian committee seat and rules on disputes
    vote_participation: float = 0.8  # probability of voting on an open proposal it may vote on
    propose_prob: float = 0.02  # per L4.9 cycle, probability of proposing a parameter change
    hire_rate: float = 0.5  # per cycle, probability of hiring when it has budget
    ring_only: bool = False  # hires only the other wallets of its ring (PolicyConfig.ring): wash trades
    grief_jobs: int = 0  # per cycle, unconsented 1-wei jobs naming reputable providers (griefing)

    def __post_init__(self) -> None:
        for name in (
            "cheat_prob",
            "no_show_prob",
            "false_reject_prob",
            "dispute_wrongful_prob",
            "dispute_rightful_prob",
            "stake_fraction",
            "vote_participation",
            "propose_prob",
            "hire_rate",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if not 0.0 <= self.undercut < 1.0 or self.markup < 0:
            raise ValueError("undercut in [0, 1) and markup >= 0")
        if not 0 <= self.grief_jobs <= 5:
            raise ValueError("grief_jobs must be in [0, 5]")


@dataclass(frozen=True)
class Delivery:
    """What a provider does with a funded job: `payload` None means it does not submit."""

    payload: bytes | None
    honest: bool  # True if the payload is the correct solution


@dataclass(frozen=True)
class Persona:
    name: str
    values: tuple[float, ...]
    behaviour: Behaviour
    description: str = ""
    pricing: PricingParams = field(default_factory=PricingParams)

    def value_dict(self) -> dict[str, float]:
        return dict(zip(VALUE_DIMENSIONS, self.values, strict=True))

    # Strategy hooks: the decision points where a persona may misbehave. The defaults follow the
    # `Behaviour` probabilities; a plugin persona (a subclass) overrides any of them to play another
    # strategy (docs/plugins.md). They stay pure: facts and a seeded rng in, a decision out.
    def deliver(self, spec: TaskSpec, rng: random.Random) -> Delivery:
        """Provider behaviour on a funded job: no-show, cheat, or solve."""
        b = self.behaviour
        if rng.random() < b.no_show_prob:
            return Delivery(None, honest=False)
        payload = solve(spec)
        if rng.random() < b.cheat_prob:
            return Delivery(corrupt(spec, payload), honest=False)
        return Delivery(payload, honest=True)

    def evaluate(self, spec: TaskSpec, payload: bytes | None, rng: random.Random) -> bool:
        """Client/evaluator verdict: True = complete (pay), False = reject."""
        if payload is None or not verify(spec, payload):
            return False
        return not rng.random() < self.behaviour.false_reject_prob

    def should_dispute(self, own_payload_valid: bool, rng: random.Random) -> bool:
        """Provider whose delivery was rejected: open a dispute (posting a bond)?"""
        b = self.behaviour
        p = b.dispute_wrongful_prob if own_payload_valid else b.dispute_rightful_prob
        return rng.random() < p


_BUILTIN: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona(
            "honest",
            _values(0.20, 0.15, 0.20, 0.10, 0.10, 0.15, 0.10),
            Behaviour(),
            "correct work at market prices; disputes only wrongful rejections",
        ),
        Persona(
            "undercutter",
            _values(0.10, 0.25, 0.15, 0.25, 0.10, 0.10, 0.05),
            Behaviour(undercut=0.25, markup=0.15, hire_rate=0.4),
            "correct work, prices 25 % under the competitors' median",
            PricingParams(undercut=0.25, competition_weight=0.5, min_margin=0.05),
        ),
        Persona(
            "cheater",
            _values(0.05, 0.30, 0.05, 0.30, 0.20, 0.05, 0.05),
            Behaviour(
                cheat_prob=0.6, dispute_rightful_prob=0.5, undercut=0.10, markup=0.3, vote_participation=0.5
            ),
            "delivers plausible but wrong results 60 % of the time",
            PricingParams(undercut=0.10),
        ),
        Persona(
            "no_show",
            _values(0.10, 0.20, 0.05, 0.30, 0.20, 0.05, 0.10),
            Behaviour(no_show_prob=0.7, undercut=0.15, markup=0.2, vote_participation=0.3),
            "accepts jobs and lets 70 % of them expire",
            PricingParams(undercut=0.15),
        ),
        Persona(
            "frivolous_disputer",
            _values(0.10, 0.20, 0.10, 0.20, 0.25, 0.05, 0.10),
            Behaviour(
                cheat_prob=0.4,
                false_reject_prob=0.25,
                dispute_rightful_prob=1.0,
                vote_participation=0.6,
                propose_prob=0.05,
            ),
            "careless work, disputes every rejection, rejects 25 % of good work as a client",
        ),
        Persona(
            "guardian",
            _values(0.20, 0.05, 0.25, 0.10, 0.05, 0.25, 0.10),
            Behaviour(
                stake_fraction=0.6, is_guardian=True, vote_participation=1.0, propose_prob=0.05, hire_rate=0.3
            ),
            "stakes heavily, sits on the guardian committee, rules by verifying payloads",
        ),
        Persona(
            "sybil",
            _values(0.05, 0.35, 0.05, 0.20, 0.20, 0.05, 0.10),
            Behaviour(ring_only=True, hire_rate=1.0, propose_prob=1.0, vote_participation=1.0, markup=0.2),
            "fresh wallets of one owner wash-trading among themselves to buy the governance gates",
        ),
        Persona(
            "griefer",
            _values(0.05, 0.30, 0.05, 0.25, 0.25, 0.05, 0.05),
            Behaviour(grief_jobs=2, hire_rate=0.0, vote_participation=0.3),
            "names reputable providers in 1-wei jobs that expire at once, hoping to drain them by penalties",
        ),
    )
}
BUILTIN_PERSONAS: tuple[Persona, ...] = tuple(_BUILTIN.values())


def register_persona(persona: Any, source: str = BUILTIN) -> Any:
    """Validate `persona` (a `personas.Persona`, possibly a subclass with its own strategy) and add it."""
    if not isinstance(persona, Persona):
        raise PluginError(
            f"{source}: expected a Persona instance (agents.market.personas.Persona), "
            f"got {type(persona).__name__}"
        )
    name = persona.name
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"{source}: persona name {name!r} must match {NAME_RE.pattern}")
    where = f"{source}: persona {name!r}"
    v = persona.values
    n = len(VALUE_DIMENSIONS)
    if not isinstance(v, tuple) or len(v) != n or not all(isinstance(w, (int, float)) for w in v):
        raise PluginError(f"{where}: values must be a tuple of {n} numbers ({', '.join(VALUE_DIMENSIONS)})")
    if abs(sum(v) - 1.0) > 1e-9:
        raise PluginError(f"{where}: values must sum to 1, got {sum(v):.6g}")
    if not all(VALUE_MIN <= w <= VALUE_MAX for w in v):
        raise PluginError(f"{where}: every value weight must be in [{VALUE_MIN}, {VALUE_MAX}]")
    if not isinstance(persona.behaviour, Behaviour):
        raise PluginError(f"{where}: behaviour must be a Behaviour, got {type(persona.behaviour).__name__}")
    if not isinstance(persona.pricing, PricingParams):
        raise PluginError(f"{where}: pricing must be PricingParams, got {type(persona.pricing).__name__}")
    for hook in ("deliver", "evaluate", "should_dispute"):
        if not callable(getattr(persona, hook, None)):
            raise PluginError(f"{where}: {hook} must be a method")
    PERSONAS.add(name, persona, source)
    return persona


# The registry (agents/market/registry.py): built-ins go through the same validation as plugins.
PERSONAS: Registry = _REGISTRY
PERSONAS.validate = register_persona
for _p in BUILTIN_PERSONAS:
    register_persona(_p, BUILTIN)
PERSONA_NAMES: tuple[str, ...] = tuple(p.name for p in BUILTIN_PERSONAS)  # the built-in ones


def persona_names() -> tuple[str, ...]:
    """Every registered persona: built-ins, then plugins in registration order."""
    return tuple(PERSONAS)


def get_persona(name: str) -> Persona:
    persona: Persona  # the registry holds what register_persona validated
    try:
        persona = PERSONAS[name]
        return persona
    except KeyError:
        pass
    if _load_entry_points() and name in PERSONAS:  # first miss: installed plugins may define it
        persona = PERSONAS[name]
        return persona
    raise ValueError(f"unknown persona {name!r} (known: {', '.join(PERSONAS)})")


# ----------------------------------------------------------------------------- decision helpers
def deliver(persona: Persona, spec: TaskSpec, rng: random.Random) -> Delivery:
    """Provider behaviour on a funded job: no-show, cheat, or solve (the persona's strategy)."""
    return persona.deliver(spec, rng)


def evaluate(persona: Persona, spec: TaskSpec, payload: bytes | None, rng: random.Random) -> bool:
    """Client/evaluator verdict: True = complete (pay), False = reject.

    Bad or missing work is always rejected (by the built-in personas); correct work is rejected only
    with `false_reject_prob`.
    """
    return persona.evaluate(spec, payload, rng)


def should_dispute(persona: Persona, own_payload_valid: bool, rng: random.Random) -> bool:
    """Provider whose delivery was rejected: open a dispute (posting a bond)?"""
    return persona.should_dispute(own_payload_valid, rng)


def guardian_ruling(spec: TaskSpec, payload: bytes | None) -> bool:
    """A guardian's vote on a dispute: True = provider in the right (payload verifies)."""
    return payload is not None and verify(spec, payload)


def should_vote(persona: Persona, rng: random.Random) -> bool:
    return rng.random() < persona.behaviour.vote_participation


def assign_personas(n: int, mix: dict[str, float] | None = None, seed: int = 0) -> list[str]:
    """Deterministic persona assignment for `n` agents by share (default: a mix with every persona).

    Largest-remainder rounding, so shares sum to n exactly; then a seeded shuffle.
    """
    mix = mix or {
        "honest": 0.30,
        "undercutter": 0.15,
        "cheater": 0.15,
        "no_show": 0.10,
        "frivolous_disputer": 0.10,
        "guardian": 0.20,
    }
    for name in mix:
        get_persona(name)
    total = sum(mix.values())
    if n < 0 or total <= 0:
        raise ValueError("n >= 0 and a positive mix")
    quotas = {k: n * v / total for k, v in mix.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    rest = n - sum(counts.values())
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - counts[k]), k))[:rest]:
        counts[k] += 1
    names = [k for k, c in counts.items() for _ in range(c)]
    random.Random(seed).shuffle(names)
    return names
