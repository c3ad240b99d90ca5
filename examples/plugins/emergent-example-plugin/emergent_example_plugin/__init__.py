"""Example Emergent plugin package: a service (`modchain`) and a persona with its own strategy
(`opportunist`), registered through the `emergent.services` / `emergent.personas` entry points."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from agents.market.personas import Behaviour, Delivery, Persona
from agents.market.services import Service, TaskSpec, corrupt, cost_units, seeded_rng, solve

P61 = 2**61 - 1  # a Mersenne prime modulus


class ModChainService(Service):
    """Iterate x -> x*x + c (mod 2**61 - 1) `steps` times from seed-derived x0 and c. Verify: recompute."""

    def _run(self, spec: TaskSpec, steps: int) -> int:
        rng = seeded_rng(spec)
        x, c = rng.randrange(P61), rng.randrange(1, P61)
        for _ in range(steps):
            x = (x * x + c) % P61
        return x

    def solve(self, spec: TaskSpec) -> bytes:
        return json.dumps({"steps": spec.param("steps"), "x": self._run(spec, spec.param("steps"))}).encode()

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        try:
            data = json.loads(payload)
        except ValueError:
            return False
        return data == {"steps": spec.param("steps"), "x": self._run(spec, spec.param("steps"))}

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # Stop one step short and claim the full count.
        return json.dumps(
            {"steps": spec.param("steps"), "x": self._run(spec, spec.param("steps") - 1)}
        ).encode()

    def cost_units(self, spec: TaskSpec) -> int:
        return max(1, spec.param("steps") // 50)


@dataclass(frozen=True)
class Opportunist(Persona):
    """Honest on cheap jobs; on jobs costing more than `cheat_above_units` it delivers the cheat."""

    cheat_above_units: int = 2_000

    def deliver(self, spec: TaskSpec, rng: random.Random) -> Delivery:
        payload = solve(spec)
        if cost_units(spec) > self.cheat_above_units:
            return Delivery(corrupt(spec, payload), honest=False)
        return Delivery(payload, honest=True)


MODCHAIN = ModChainService("modchain", {"steps": (2, 200_000)}, "iterated squaring modulo 2**61 - 1")
OPPORTUNIST = Opportunist(
    "opportunist",
    (0.10, 0.25, 0.10, 0.25, 0.10, 0.10, 0.10),
    Behaviour(markup=0.3),
    "honest on cheap jobs, cheats on expensive ones",
)
