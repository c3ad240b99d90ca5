"""Deterministic synthetic observation streams for tests and the benchmark (no I/O, seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from agents.cognition.observation import (
    Balances,
    CounterpartyOutcome,
    Governance,
    Observation,
    ServiceActivity,
)

SERVICES = ("hash", "sort", "verify")
PEERS = tuple(f"0x{i:040x}" for i in range(1, 8))


@dataclass
class Market:
    """A small market an agent lives in. income/gas per cycle drive its resources."""

    seed: int = 1
    eth: float = 1.0
    token: float = 1000.0
    stake: float = 100.0
    gas_per_cycle: float = 0.001
    eth_topup: float = 0.001  # ETH received per cycle
    income: float = 10.0  # tokens earned per cycle
    spend: float = 10.0  # tokens spent per cycle
    success: float = 0.9
    peer_reliability: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PEERS[:5], 0.9))
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def observe(self, cycle: int) -> Observation:
        r = self.rng
        self.eth = max(0.0, self.eth - self.gas_per_cycle + self.eth_topup)
        self.token = max(0.0, self.token + self.income - self.spend)
        services = []
        for i, svc in enumerate(SERVICES[:2]):
            offered = 3 + (cycle + i) % 2
            won = 2
            done = sum(1 for _ in range(won) if r.random() < self.success)
            services.append(
                ServiceActivity(service=svc, offered=offered, won=won, completed=done, failed=won - done)
            )
        inter = []
        for p, rel in self.peer_reliability.items():
            if r.random() < 0.5:
                ok = r.random() < rel
                inter.append(
                    CounterpartyOutcome(
                        counterparty=p,
                        role="provider" if r.random() < 0.5 else "client",
                        delivered_on_time=ok,
                        paid=ok,
                        disputed=not ok,
                        cooperative=ok,
                    )
                )
        return Observation(
            cycle=cycle,
            balances=Balances(eth=self.eth, token=self.token, stake=self.stake),
            gas_spent_eth=self.gas_per_cycle,
            eth_received=self.eth_topup,
            tokens_spent=self.spend,
            tokens_earned=self.income,
            services=tuple(services),
            interactions=tuple(inter),
            prices={
                "hash": 10.0 + r.gauss(0, 0.3),
                "sort": 12.0 + r.gauss(0, 0.3),
                "verify": 8.0 + r.gauss(0, 0.3),
            },
            job_arrival_rate=20.0 + r.gauss(0, 1.0),
            gas_price_gwei=1.0 + abs(r.gauss(0, 0.05)),
            governance=Governance(proposals_active=1, votes_cast=r.randint(0, 2)),
            blocks_ingested=10,
            blocks_expected=10,
        )
