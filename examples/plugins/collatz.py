"""A new service as a plugin file: `emergent simulate --plugin examples/plugins/collatz.py`."""

import json

from agents.market.services import Service, TaskSpec, seeded_rng


class CollatzService(Service):
    """Total Collatz steps to reach 1 over `count` seed-derived starting numbers below 10**6."""

    def _total(self, spec: TaskSpec) -> int:
        rng, total = seeded_rng(spec), 0
        for _ in range(spec.param("count")):
            n = rng.randrange(1, 10**6)
            while n != 1:
                n, total = (n // 2 if n % 2 == 0 else 3 * n + 1), total + 1
        return total

    def solve(self, spec: TaskSpec) -> bytes:
        return json.dumps({"steps": self._total(spec)}).encode()

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        try:
            return json.loads(payload) == {"steps": self._total(spec)}
        except ValueError:  # not JSON (or not UTF-8): never raise on garbage
            return False

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # The cheat: skip the last starting number's walk.
        return json.dumps({"steps": json.loads(payload)["steps"] - 1}).encode()

    def cost_units(self, spec: TaskSpec) -> int:
        return 10 * spec.param("count")  # ~130 steps per number, ~10 units of work each


SERVICES = [CollatzService("collatz", {"count": (1, 2_000)}, "Collatz steps of generated numbers")]
