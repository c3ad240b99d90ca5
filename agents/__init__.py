"""Emergent: an on-chain economy for autonomous Level 4.9 agents."""

__version__ = "0.1.0"
