"""L3/L4.5 identity: the five-component identity vector, IIS and the identity hash.

Components (each a health measure in [0, 1], so the reference identity is all ones):
persona consistency = cosine(declared purpose, actual activity allocation over services);
value alignment = 1 - TotalDrift / 2 (the L1 distance of the value vector from its baseline, halved);
capability confidence = 1 - MCE (calibrated self-knowledge; 1 before MCE is estimable);
emotional stability = 1 - min(1, 10 |dSEOF| running mean) (SEOF volatility);
goal persistence = 1 - R_osc.
"""

from __future__ import annotations

import hashlib
import struct

from agents.cognition import constants as K
from agents.cognition.mathutil import dist2, norm2

_REF_NORM = norm2(K.IIS_REF)


def identity_integrity(vector: tuple[float, ...], ref: tuple[float, ...] = K.IIS_REF) -> float:
    """IIS = 1 - ||I - I_ref||_2 / ||I_ref||_2."""
    n = _REF_NORM if ref is K.IIS_REF else norm2(ref)
    return 1.0 - dist2(vector, ref) / n


def identity_hash(vector: tuple[float, ...]) -> str:
    """SHA-256 of I(t) (each component rounded to 1e-9, packed as big-endian doubles)."""
    packed = struct.pack(">5d", *(round(x, 9) for x in vector))
    return hashlib.sha256(packed).hexdigest()
