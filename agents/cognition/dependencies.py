"""Module 9 (§5.1, Def. 13): ResourceDependencyTracker - cascades between resource dimensions.

A resource below its warning level has a shortfall (warning - level, as a share of its capacity).
Along each dependency i -> j the downstream projected level falls by alpha_ij (1 - sigma_ij) times the
upstream shortfall (Def. 13, after tau_ij cycles). A downstream pushed below its own warning level
becomes depleted in turn. Projections stop after MAX_CASCADE_DEPTH = 2 hops (§5.1); the untruncated
chain length is what the stability check's condition 5 measures ("would this cascade go further?").

Note: §9.4 writes downstream_impact = -strength (1 - sub) (warning - current) and then
projected_level -= downstream_impact, which would raise the level; the sign is taken as intended.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.cognition import constants as K

_MAX_WALK = 4  # longest chain in the §5.1 graph is 3 edges


@dataclass(slots=True, frozen=True)
class CascadeResult:
    projected: dict[str, float]  # projected level as a share of capacity (truncated at depth 2)
    depth: int  # untruncated cascade depth (0 = no propagation)
    chains: tuple[tuple[str, ...], ...]


def cascade(
    fractions: dict[str, float],
    warning_fraction: float = K.RESOURCE_WARNING_FRACTION,
    substitution: float = K.CASCADE_SUBSTITUTION,
) -> CascadeResult:
    projected = dict(fractions)
    depth = 0
    chains: list[tuple[str, ...]] = []
    # frontier entries: (resource, shortfall, path)
    frontier: list[tuple[str, float, tuple[str, ...]]] = [
        (r, warning_fraction - f, (r,)) for r, f in fractions.items() if f < warning_fraction
    ]
    hop = 0
    while frontier and hop < _MAX_WALK:
        hop += 1
        nxt = []
        for up, shortfall, path in frontier:
            for a, b, strength in K.RESOURCE_DEPENDENCIES:
                if a != up or b in path:
                    continue
                impact = strength * (1.0 - substitution) * shortfall
                level = fractions[b] - impact
                if hop <= K.MAX_CASCADE_DEPTH:
                    projected[b] = min(projected[b], level)
                if level < warning_fraction and fractions[b] >= warning_fraction:
                    depth = max(depth, hop)
                    chains.append((*path, b))
                    nxt.append((b, warning_fraction - level, (*path, b)))
                elif level < warning_fraction:
                    depth = max(depth, hop)
                    chains.append((*path, b))
        frontier = nxt
    return CascadeResult(projected, depth, tuple(chains))
