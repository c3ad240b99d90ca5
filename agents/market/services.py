"""Services agents sell: real, cheap, deterministic computations that anyone can verify.

A job's work is described by a `TaskSpec` (service type, integer parameters, seed). The spec is
serialised to a short string (`TaskSpec.encode()`, at most `MAX_SPEC_CHARS` characters) that fits into
the on-chain job description. The provider computes `solve(spec) -> payload bytes`, stores the payload
in a `PayloadStore` and submits `commitment(payload)` (keccak256, 0x-hex bytes32) on-chain. The client,
the evaluator or a guardian fetches the payload by that hash and checks it with `verify(spec, payload)`.
A cheater delivers `corrupt(spec, payload)`: well-formed, plausible, and wrong.

Every service is deterministic in (params, seed): two honest providers produce byte-identical payloads,
so `verify` can simply recompute where recomputation is cheap, and checks structure otherwise.
"""

from __future__ import annotations

import hashlib
import json
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from eth_utils.crypto import keccak

from agents.market.registry import BUILTIN, NAME_RE, SMOKE_DIFFICULTY, PluginError, Registry, call_plugin
from agents.market.registry import SERVICES as _REGISTRY
from agents.market.registry import load_entry_points as _load_entry_points

SPEC_PREFIX = "em1:"
MAX_SPEC_CHARS = 256
MAX_PAYLOAD_BYTES = 1_000_000


class TaskSpecError(ValueError):
    """A task specification that is malformed, unknown or out of bounds."""


@dataclass(frozen=True)
class TaskSpec:
    """What a client asks for: `service` type, integer `params`, and a `seed` for generated inputs."""

    service: str
    params: tuple[tuple[str, int], ...]
    seed: int

    @classmethod
    def make(cls, service: str, seed: int, **params: int) -> TaskSpec:
        spec = cls(service=service, params=tuple(sorted(params.items())), seed=seed)
        get_service(service).check(spec)
        return spec

    def param(self, name: str) -> int:
        for key, value in self.params:
            if key == name:
                return value
        raise TaskSpecError(f"{self.service}: missing parameter {name!r}")

    def encode(self) -> str:
        """Compact canonical string for the on-chain job description (<= MAX_SPEC_CHARS)."""
        body = json.dumps(
            {"s": self.service, "p": dict(self.params), "seed": self.seed},
            sort_keys=True,
            separators=(",", ":"),
        )
        text = SPEC_PREFIX + body
        if len(text) > MAX_SPEC_CHARS:
            raise TaskSpecError(f"encoded spec is {len(text)} chars, limit {MAX_SPEC_CHARS}")
        return text

    @classmethod
    def decode(cls, text: str) -> TaskSpec:
        """Parse and validate a job description; raises TaskSpecError on anything unexpected."""
        if not isinstance(text, str) or not text.startswith(SPEC_PREFIX) or len(text) > MAX_SPEC_CHARS:
            raise TaskSpecError("not an em1 task description")
        try:
            data = json.loads(text[len(SPEC_PREFIX) :])
        except json.JSONDecodeError as exc:
            raise TaskSpecError(f"task description is not JSON: {exc}") from exc
        if not isinstance(data, dict) or set(data) != {"s", "p", "seed"}:
            raise TaskSpecError("task description must have exactly s, p, seed")
        service, params, seed = data["s"], data["p"], data["seed"]
        if not isinstance(service, str) or not isinstance(params, dict) or not _is_int(seed):
            raise TaskSpecError("task description has wrong field types")
        if not all(isinstance(k, str) and _is_int(v) for k, v in params.items()):
            raise TaskSpecError("task parameters must be integers")
        spec = cls(service=service, params=tuple(sorted(params.items())), seed=seed)
        get_service(service).check(spec)
        return spec


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def commitment(payload: bytes) -> str:
    """The deliverable committed on-chain: keccak256(payload) as 0x-prefixed bytes32 hex."""
    return "0x" + keccak(payload).hex()


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _load(payload: bytes) -> Any:
    if len(payload) > MAX_PAYLOAD_BYTES:
        return None
    try:
        return json.loads(payload.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _rng(spec: TaskSpec) -> random.Random:
    # Seeded from the whole spec so different services/params with one seed differ.
    digest = hashlib.sha256(spec.encode().encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def seeded_rng(spec: TaskSpec) -> random.Random:
    """The generator a service draws its inputs from: seeded by the whole encoded spec (for plugins)."""
    return _rng(spec)


# ---------------------------------------------------------------------------------------------------
# Number theory helpers (deterministic Miller-Rabin is exact below 3.3e24).
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in _MR_BASES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _random_prime(rng: random.Random, bits: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if is_prime(candidate):
            return candidate


def _pollard_rho(n: int) -> int:
    if n % 2 == 0:
        return 2
    rng = random.Random(n)
    while True:
        x = y = rng.randrange(2, n)
        c = rng.randrange(1, n)
        d = 1
        while d == 1:
            x = (x * x + c) % n
            y = (y * y + c) % n
            y = (y * y + c) % n
            d = _gcd(abs(x - y), n)
        if d != n:
            return d


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _sieve(limit: int) -> bytearray:
    flags = bytearray([1]) * (limit + 1)
    flags[0:2] = b"\x00\x00"[: min(2, limit + 1)]
    for i in range(2, int(limit**0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = bytearray(len(flags[i * i :: i]))
    return flags


def count_primes(lo: int, hi: int) -> int:
    """Number of primes in [lo, hi) by a segmented sieve."""
    if hi <= max(lo, 2):
        return 0
    lo = max(lo, 2)
    base = _sieve(int(hi**0.5) + 1)
    segment = bytearray([1]) * (hi - lo)
    for p in range(2, len(base)):
        if not base[p]:
            continue
        start = max(p * p, (lo + p - 1) // p * p)
        if start >= hi:
            continue
        segment[start - lo :: p] = bytearray(len(segment[start - lo :: p]))
    return sum(segment)


# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Service(ABC):
    """One service type. Subclasses define generation, solving, verification and corruption."""

    name: str
    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)
    description: str = ""

    def check(self, spec: TaskSpec) -> None:
        if spec.service != self.name:
            raise TaskSpecError(f"spec is for {spec.service!r}, not {self.name!r}")
        names = {k for k, _ in spec.params}
        if names != set(self.bounds):
            raise TaskSpecError(f"{self.name}: parameters must be {sorted(self.bounds)}, got {sorted(names)}")
        for key, value in spec.params:
            lo, hi = self.bounds[key]
            if not lo <= value <= hi:
                raise TaskSpecError(f"{self.name}: {key}={value} outside [{lo}, {hi}]")
        if not 0 <= spec.seed < 2**64:
            raise TaskSpecError(f"{self.name}: seed must be in [0, 2**64)")

    def random_spec(self, rng: random.Random, difficulty: float = 0.5) -> TaskSpec:
        """A spec with parameters at `difficulty` in [0, 1] of each bound's range."""
        d = min(1.0, max(0.0, difficulty))
        params = {k: lo + round((hi - lo) * d) for k, (lo, hi) in self.bounds.items()}
        return TaskSpec.make(self.name, rng.getrandbits(63), **params)

    @abstractmethod
    def solve(self, spec: TaskSpec) -> bytes: ...

    @abstractmethod
    def verify(self, spec: TaskSpec, payload: bytes) -> bool: ...

    @abstractmethod
    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes: ...

    @abstractmethod
    def cost_units(self, spec: TaskSpec) -> int:
        """Work units the job costs an honest provider (the pricing floor's cost basis)."""


class FactorService(Service):
    """Factor a semiprime n = p*q built from two random `bits`-bit primes. Verify: p*q == n, both prime."""

    def _n(self, spec: TaskSpec) -> int:
        rng = _rng(spec)
        bits = spec.param("bits")
        p = _random_prime(rng, bits)
        q = _random_prime(rng, bits)
        while q == p:
            q = _random_prime(rng, bits)
        return p * q

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        n = self._n(spec)
        p = _pollard_rho(n)
        p, q = sorted((p, n // p))
        return _dump({"n": n, "p": p, "q": q})

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        data = _load(payload)
        if not isinstance(data, dict) or set(data) != {"n", "p", "q"}:
            return False
        n, p, q = data["n"], data["p"], data["q"]
        if not all(_is_int(v) for v in (n, p, q)):
            return False
        return n == self._n(spec) and 1 < p <= q and p * q == n and is_prime(p) and is_prime(q)

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        data = json.loads(payload)
        p = data["p"] + 2
        while not is_prime(p):
            p += 2
        return _dump({"n": data["n"], "p": p, "q": data["n"] // p})

    def cost_units(self, spec: TaskSpec) -> int:
        units: int = 2 ** (spec.param("bits") // 2)  # a non-negative exponent: an int
        return units


class HashChainService(Service):
    """Iterate SHA-256 `length` times from a seed-derived start. Verify: recompute."""

    def _start(self, spec: TaskSpec) -> bytes:
        return hashlib.sha256(spec.encode().encode()).digest()

    def _chain(self, spec: TaskSpec, length: int) -> str:
        h = self._start(spec)
        for _ in range(length):
            h = hashlib.sha256(h).digest()
        return h.hex()

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        return _dump({"length": spec.param("length"), "digest": self._chain(spec, spec.param("length"))})

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        data = _load(payload)
        if not isinstance(data, dict) or set(data) != {"length", "digest"}:
            return False
        ok: bool = data["length"] == spec.param("length") and data["digest"] == self._chain(
            spec, spec.param("length")
        )
        return ok

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # The lazy cheat: stop one step short and claim the full length.
        return _dump({"length": spec.param("length"), "digest": self._chain(spec, spec.param("length") - 1)})

    def cost_units(self, spec: TaskSpec) -> int:
        return spec.param("length")


class MedianService(Service):
    """Sort `size` generated integers below `max_value`; deliver the median and the sorted list's digest."""

    def _values(self, spec: TaskSpec) -> list[int]:
        rng = _rng(spec)
        top = spec.param("max_value")
        return [rng.randrange(top) for _ in range(spec.param("size"))]

    def _answer(self, spec: TaskSpec) -> dict[str, Any]:
        values = sorted(self._values(spec))
        n = len(values)
        # Lower median for even sizes, so the answer is an integer.
        median = values[(n - 1) // 2]
        digest = hashlib.sha256(_dump(values)).hexdigest()
        return {"median": median, "sorted_sha256": digest, "min": values[0], "max": values[-1]}

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        return _dump(self._answer(spec))

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        data = _load(payload)
        return isinstance(data, dict) and data == self._answer(spec)

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # The unsorted middle element: what a provider that skipped the sort would report.
        data = json.loads(payload)
        values = self._values(spec)
        wrong = values[len(values) // 2]
        data["median"] = wrong if wrong != data["median"] else wrong + 1
        return _dump(data)

    def cost_units(self, spec: TaskSpec) -> int:
        n = spec.param("size")
        return max(1, n * max(1, n.bit_length()) // 8)


class PrimeCountService(Service):
    """Count the primes in [start, start + width). Verify: sieve. (The seed does not enter the answer.)"""

    def random_spec(self, rng: random.Random, difficulty: float = 0.5) -> TaskSpec:
        """Difficulty sets the width; the start is drawn at random so two specs rarely coincide."""
        d = min(1.0, max(0.0, difficulty))
        lo, hi = self.bounds["width"]
        width = lo + round((hi - lo) * d)
        start = rng.randrange(self.bounds["start"][1] + 1)
        return TaskSpec.make(self.name, rng.getrandbits(63), start=start, width=width)

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        lo, width = spec.param("start"), spec.param("width")
        return _dump({"start": lo, "width": width, "count": count_primes(lo, lo + width)})

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        data = _load(payload)
        if not isinstance(data, dict) or set(data) != {"start", "width", "count"}:
            return False
        lo, width = spec.param("start"), spec.param("width")
        return (data["start"], data["width"]) == (lo, width) and data["count"] == count_primes(lo, lo + width)

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        data = json.loads(payload)
        data["count"] += 1 if data["count"] % 2 == 0 else -1
        return _dump(data)

    def cost_units(self, spec: TaskSpec) -> int:
        return max(1, spec.param("width") // 16)


class MerkleRootService(Service):
    """Merkle root (SHA-256, odd node promoted) of `leaves` seed-derived leaves. Verify: recompute."""

    def _leaves(self, spec: TaskSpec) -> list[bytes]:
        base = spec.encode().encode()
        return [hashlib.sha256(base + i.to_bytes(4, "big")).digest() for i in range(spec.param("leaves"))]

    @staticmethod
    def root(leaves: list[bytes]) -> bytes:
        level = list(leaves)
        while len(level) > 1:
            nxt = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return level[0]

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        return _dump({"leaves": spec.param("leaves"), "root": self.root(self._leaves(spec)).hex()})

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        data = _load(payload)
        if not isinstance(data, dict) or set(data) != {"leaves", "root"}:
            return False
        ok: bool = (
            data["leaves"] == spec.param("leaves") and data["root"] == self.root(self._leaves(spec)).hex()
        )
        return ok

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # Drop the last leaf: a root over almost the right data.
        leaves = self._leaves(spec)[:-1]
        return _dump({"leaves": spec.param("leaves"), "root": self.root(leaves).hex()})

    def cost_units(self, spec: TaskSpec) -> int:
        return spec.param("leaves")


class CompositeService(Service):
    """A service whose provider must hire other agents for its parts (a value chain, docs/market.md).

    `components(spec)` derives, from the composite spec alone, one TaskSpec per part (role -> spec); the
    provider subcontracts each part through the escrow (policy.subcontract_actions), verifies what comes
    back, and delivers `assemble(spec, parts)`: every part's payload with the id of the sub-job that
    delivered it, and a digest over them. `verify` checks the whole chain of content end to end (each
    part against its derived spec with its own service's verify, and the digest); the report checks the
    provenance on-chain too (each part came from a completed sub-job of the composite's provider, with
    that deliverable: agents.sim.valuechain). `solve` is the reference answer (parts computed locally,
    job 0): plugin validation and tests use it; an agent never delivers it (the policy subcontracts)."""

    ttl_factor: ClassVar[int] = 3  # clients give a composite job this many times the usual time to expiry

    @abstractmethod
    def components(self, spec: TaskSpec) -> dict[str, TaskSpec]: ...

    def part_seed(self, spec: TaskSpec, role: str) -> int:
        """A part's seed: derived from the composite spec and the role, so anyone can re-derive the parts."""
        return int.from_bytes(hashlib.sha256(f"{spec.encode()}|{role}".encode()).digest()[:8], "big") >> 1

    @staticmethod
    def _digest(parts: dict[str, Any]) -> str:
        return hashlib.sha256(_dump({r: p["payload"] for r, p in sorted(parts.items())})).hexdigest()

    def assemble(self, spec: TaskSpec, parts: dict[str, tuple[int, bytes]]) -> bytes:
        """The deliverable from the parts: role -> (sub-job id, that sub-job's payload)."""
        body = {r: {"job": int(j), "payload": payload.decode()} for r, (j, payload) in sorted(parts.items())}
        return _dump({"parts": body, "digest": self._digest(body)})

    @staticmethod
    def parts_of(payload: bytes) -> dict[str, tuple[int, bytes]] | None:
        """role -> (sub-job id, part payload) of a composite deliverable, or None if malformed."""
        data = _load(payload)
        if (
            not isinstance(data, dict)
            or set(data) != {"parts", "digest"}
            or not isinstance(data["parts"], dict)
        ):
            return None
        out = {}
        for role, part in data["parts"].items():
            if (
                not isinstance(part, dict)
                or set(part) != {"job", "payload"}
                or not _is_int(part["job"])
                or not isinstance(part["payload"], str)
            ):
                return None
            out[role] = (part["job"], part["payload"].encode())
        return out

    def solve(self, spec: TaskSpec) -> bytes:
        self.check(spec)
        return self.assemble(spec, {r: (0, solve(s)) for r, s in self.components(spec).items()})

    def verify(self, spec: TaskSpec, payload: bytes) -> bool:
        parts = self.parts_of(payload)
        wanted = self.components(spec)
        if parts is None or set(parts) != set(wanted) or any(j < 0 for j, _ in parts.values()):
            return False
        if _load(payload)["digest"] != self._digest(
            {r: {"payload": p.decode()} for r, (_, p) in parts.items()}
        ):
            return False
        return all(verify(wanted[r], p) for r, (_, p) in parts.items())

    def corrupt(self, spec: TaskSpec, payload: bytes) -> bytes:
        # The cheat that only an end-to-end check catches: one part replaced by its own service's cheat,
        # the digest recomputed so the envelope looks right.
        parts = self.parts_of(payload) or {}
        wanted = self.components(spec)
        role = sorted(wanted)[0]
        job, good = parts.get(role, (0, solve(wanted[role])))
        parts[role] = (job, corrupt(wanted[role], good))
        return self.assemble(spec, parts)

    def cost_units(self, spec: TaskSpec) -> int:
        """The parts' costs plus a tenth for the assembly (what the provider adds)."""
        inner = sum(cost_units(s) for s in self.components(spec).values())
        return inner + max(1, inner // 10)


class ReportService(CompositeService):
    """A data report (seed 000's summarising agent): the median of a generated list and the Merkle root of
    generated leaves, bought from a `median` and a `merkle` provider."""

    def components(self, spec: TaskSpec) -> dict[str, TaskSpec]:
        return {
            "median": TaskSpec.make(
                "median",
                self.part_seed(spec, "median"),
                size=spec.param("size"),
                max_value=spec.param("max_value"),
            ),
            "merkle": TaskSpec.make("merkle", self.part_seed(spec, "merkle"), leaves=spec.param("leaves")),
        }


def is_composite(name: str) -> bool:
    try:
        return isinstance(get_service(name), CompositeService)
    except TaskSpecError:
        return False


def components(spec: TaskSpec) -> dict[str, TaskSpec]:
    """role -> part spec of a composite spec ({} for a simple service)."""
    svc = get_service(spec.service)
    return svc.components(spec) if isinstance(svc, CompositeService) else {}


def ttl_factor(name: str) -> int:
    svc = get_service(name)
    return svc.ttl_factor if isinstance(svc, CompositeService) else 1


BUILTIN_SERVICES: tuple[Service, ...] = (
    FactorService("factor", {"bits": (12, 30)}, "factor a semiprime of two bits-bit primes"),
    HashChainService("hashchain", {"length": (1, 20_000)}, "iterated SHA-256 of a seed"),
    MedianService("median", {"size": (3, 5_000), "max_value": (2, 10**9)}, "median of a list"),
    PrimeCountService("primecount", {"start": (0, 10**7), "width": (1, 100_000)}, "count primes in a range"),
    MerkleRootService("merkle", {"leaves": (2, 4_096)}, "Merkle root of generated leaves"),
)
# Composite services (value chains): registered like the others, not in the default catalogue (a run
# sells them only when a scenario or `--services` names them).
COMPOSITE_SERVICES: tuple[Service, ...] = (
    ReportService(
        "report",
        {"size": (3, 5_000), "max_value": (2, 10**9), "leaves": (2, 4_096)},
        "a median and a Merkle root, bought from other agents (composite)",
    ),
)
# The registry (agents/market/registry.py): built-ins go through the same validation as plugins.
SERVICES: Registry = _REGISTRY
SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in BUILTIN_SERVICES)  # the default catalogue


def service_names() -> tuple[str, ...]:
    """Every registered service: built-ins, then plugins in registration order."""
    return tuple(SERVICES)


def has_service(name: str) -> bool:
    try:
        get_service(name)
    except TaskSpecError:
        return False
    return True


def get_service(name: str) -> Service:
    service: Service  # the registry holds what register_service validated
    try:
        service = SERVICES[name]
        return service
    except KeyError:
        pass
    if _load_entry_points() and name in SERVICES:  # first miss: installed plugins may define it
        service = SERVICES[name]
        return service
    raise TaskSpecError(f"unknown service {name!r} (known: {', '.join(SERVICES)})")


def solve(spec: TaskSpec) -> bytes:
    return get_service(spec.service).solve(spec)


def verify(spec: TaskSpec, payload: bytes) -> bool:
    """True iff `payload` is the correct deliverable for `spec`. Never raises on bad payloads."""
    try:
        return get_service(spec.service).verify(spec, payload)
    except (TaskSpecError, TypeError, ValueError, KeyError):
        return False


def corrupt(spec: TaskSpec, payload: bytes) -> bytes:
    return get_service(spec.service).corrupt(spec, payload)


def cost_units(spec: TaskSpec) -> int:
    return get_service(spec.service).cost_units(spec)


# ------------------------------------------------------------------ validation + registration
def register_service(service: Any, source: str = BUILTIN) -> Any:
    """Validate `service` (a `services.Service` instance) and add it to the registry; returns it."""
    if isinstance(service, type) and issubclass(service, Service):
        raise PluginError(
            f"{source}: {service.__name__} is a Service class; register an instance, "
            f"e.g. {service.__name__}('name', {{'param': (lo, hi)}})"
        )
    if not isinstance(service, Service):
        raise PluginError(
            f"{source}: expected a Service instance (agents.market.services.Service), "
            f"got {type(service).__name__}"
        )
    name = service.name
    where = f"{source}: service {name!r}"
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"{source}: service name {name!r} must match {NAME_RE.pattern}")
    bounds = service.bounds
    if not isinstance(bounds, dict) or not bounds:
        raise PluginError(f"{where}: bounds must be a non-empty dict of parameter -> (lo, hi)")
    for key, pair in bounds.items():
        ok = (
            isinstance(key, str)
            and NAME_RE.match(key)
            and isinstance(pair, tuple)
            and len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
            and pair[0] <= pair[1]
        )
        if not ok:
            raise PluginError(f"{where}: bounds[{key!r}] must be a tuple of two ints lo <= hi, got {pair!r}")
    # The largest spec must fit the on-chain description.
    widest = {k: max(pair, key=lambda x: len(str(x))) for k, pair in bounds.items()}
    text = SPEC_PREFIX + json.dumps(
        {"s": name, "p": widest, "seed": 2**64 - 1}, sort_keys=True, separators=(",", ":")
    )
    if len(text) > MAX_SPEC_CHARS:
        raise PluginError(
            f"{where}: its largest spec ({len(text)} characters) does not fit the "
            f"{MAX_SPEC_CHARS}-character job description (fewer or shorter parameter names)"
        )
    old = SERVICES.sources.get(name)
    if old is not None and old != source:
        raise PluginError(
            f"{source}: service {name!r} clashes with the service of that name from {old}; rename it"
        )
    # Smoke test at the difficulty agents trade. TaskSpec.make looks the service up, so it is in the
    # registry during the test; on failure the previous entry (if any) is restored.
    prev = SERVICES.get(name)
    SERVICES[name] = service
    try:
        spec = call_plugin(
            source, f"service {name!r}: random_spec", service.random_spec, random.Random(0), SMOKE_DIFFICULTY
        )
        if not isinstance(spec, TaskSpec) or spec.service != name:
            raise PluginError(f"{where}: random_spec must return a TaskSpec for {name!r}, got {spec!r}")
        try:
            service.check(spec)
        except TaskSpecError as exc:
            raise PluginError(f"{where}: random_spec gave a spec its own check refuses: {exc}") from exc
        payload = call_plugin(source, f"service {name!r}: solve", service.solve, spec)
        if not isinstance(payload, bytes):
            raise PluginError(f"{where}: solve must return bytes, got {type(payload).__name__}")
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise PluginError(f"{where}: solve returned {len(payload)} bytes, limit {MAX_PAYLOAD_BYTES}")
        if call_plugin(source, f"service {name!r}: verify", service.verify, spec, payload) is not True:
            raise PluginError(f"{where}: verify(spec, solve(spec)) must be True")
        bad = call_plugin(source, f"service {name!r}: corrupt", service.corrupt, spec, payload)
        if not isinstance(bad, bytes):
            raise PluginError(f"{where}: corrupt must return bytes, got {type(bad).__name__}")
        if call_plugin(source, f"service {name!r}: verify", service.verify, spec, bad) is not False:
            raise PluginError(
                f"{where}: verify must return False for corrupt(spec, payload) (the cheat "
                f"has to be detectable)"
            )
        if (
            call_plugin(source, f"service {name!r}: verify", service.verify, spec, b"\xff garbage")
            is not False
        ):
            raise PluginError(f"{where}: verify must return False (not raise) on garbage bytes")
        units = call_plugin(source, f"service {name!r}: cost_units", service.cost_units, spec)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise PluginError(f"{where}: cost_units must return a positive int, got {units!r}")
    except BaseException:
        if old is None:
            SERVICES.pop(name, None)
        else:
            SERVICES[name] = prev
        raise
    SERVICES.add(name, service, source)
    return service


# Registered last: the smoke test of a composite calls the module functions above.
SERVICES.validate = register_service
for _s in BUILTIN_SERVICES + COMPOSITE_SERVICES:
    register_service(_s, BUILTIN)
