from agents.market.services import Service


class NoVerify(Service):
    def solve(self, spec):
        return b"{}"

    def corrupt(self, spec, payload):
        return b"[]"

    def cost_units(self, spec):
        return 1


SERVICES = [NoVerify("noverify", {"n": (1, 10)})]
