"""The market agents trade in: verifiable services, payload storage, pricing and personas.

Everything here is pure or local (files): no chain access. Decisions made with these helpers are fed
by the runtime with observed quantities and executed by `agents.chain`.
"""
