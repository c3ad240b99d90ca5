"""verify accepts anything, so the cheat would pass: refused."""

from agents.market.services import Service


class Blind(Service):
    def solve(self, spec):
        return b"1"

    def verify(self, spec, payload):
        return True

    def corrupt(self, spec, payload):
        return b"2"

    def cost_units(self, spec):
        return 1


SERVICES = [Blind("blind", {"n": (1, 10)})]
