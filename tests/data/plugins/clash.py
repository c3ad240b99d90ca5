"""A plugin that tries to replace the built-in `median`."""

from agents.market.services import MedianService

SERVICES = [MedianService("median", {"size": (3, 10), "max_value": (2, 100)})]
