"""solve returns a str where bytes are required."""

from agents.market.services import Service


class Stringly(Service):
    def solve(self, spec):
        return "42"

    def verify(self, spec, payload):
        return payload == b"42"

    def corrupt(self, spec, payload):
        return b"41"

    def cost_units(self, spec):
        return 1


SERVICES = [Stringly("stringly", {"n": (1, 10)})]
