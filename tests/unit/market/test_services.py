"""Verifiable services: honest payloads verify, corrupt ones do not, specs round-trip and fit on-chain."""

import random

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.market.services import (
    MAX_SPEC_CHARS,
    SERVICE_NAMES,
    SERVICES,
    TaskSpec,
    TaskSpecError,
    commitment,
    corrupt,
    cost_units,
    count_primes,
    get_service,
    is_prime,
    solve,
    verify,
)

SERVICE = st.sampled_from(SERVICE_NAMES)


def test_registry__has_at_least_four_services():
    assert len(SERVICES) >= 4


@settings(max_examples=60, deadline=None)
@given(name=SERVICE, seed=st.integers(0, 2**63), difficulty=st.floats(0, 0.3))
def test_solve__output_verifies_and_corruption_does_not(name, seed, difficulty):
    spec = get_service(name).random_spec(random.Random(seed), difficulty)
    payload = solve(spec)
    assert verify(spec, payload)
    bad = corrupt(spec, payload)
    assert bad != payload
    assert not verify(spec, bad)


@settings(max_examples=60, deadline=None)
@given(name=SERVICE, seed=st.integers(0, 2**63), difficulty=st.floats(0, 1))
def test_spec__encode_decode_roundtrip_within_limit(name, seed, difficulty):
    spec = get_service(name).random_spec(random.Random(seed), difficulty)
    text = spec.encode()
    assert len(text) <= MAX_SPEC_CHARS
    assert TaskSpec.decode(text) == spec


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_solve__deterministic_across_calls(name):
    spec = get_service(name).random_spec(random.Random(7), 0.5)
    assert solve(spec) == solve(spec)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_verify__payload_for_other_seed__rejected(name):
    svc = get_service(name)
    a = svc.random_spec(random.Random(1), 0.2)
    b = svc.random_spec(random.Random(2), 0.2)
    assert solve(a) != solve(b)
    assert not verify(a, solve(b))


@pytest.mark.parametrize("name", SERVICE_NAMES)
@pytest.mark.parametrize("garbage", [b"", b"not json", b"[]", b"{}", b'{"x":1}', b"\xff\xfe"])
def test_verify__garbage_payload__false_not_exception(name, garbage):
    spec = get_service(name).random_spec(random.Random(3), 0.1)
    assert verify(spec, garbage) is False


def test_commitment__is_keccak_bytes32_hex():
    assert commitment(b"abc") == "0x" + keccak(b"abc").hex()
    assert len(commitment(b"")) == 66


@pytest.mark.parametrize(
    "text",
    [
        "",
        "factor",
        'em1:{"s":"factor","p":{"bits":16}}',
        'em1:{"s":"nope","p":{},"seed":1}',
        'em1:{"s":"factor","p":{"bits":99},"seed":1}',
        'em1:{"s":"factor","p":{"bits":16,"x":1},"seed":1}',
        'em1:{"s":"factor","p":{"bits":"16"},"seed":1}',
        'em1:{"s":"factor","p":{"bits":true},"seed":1}',
        'em1:{"s":"factor","p":{"bits":16},"seed":-1}',
        "em1:{" + "x" * 300,
    ],
)
def test_decode__malformed_or_out_of_bounds__raises(text):
    with pytest.raises(TaskSpecError):
        TaskSpec.decode(text)


def test_make__unknown_service__raises():
    with pytest.raises(TaskSpecError, match="unknown service"):
        TaskSpec.make("teleport", 1)


def test_factor__payload_factors_are_prime_and_multiply_to_n():
    import json

    spec = TaskSpec.make("factor", 42, bits=24)
    data = json.loads(solve(spec))
    assert data["p"] * data["q"] == data["n"]
    assert is_prime(data["p"]) and is_prime(data["q"])
    assert data["p"].bit_length() == 24


def test_factor__trivial_factorisation__rejected():
    import json

    spec = TaskSpec.make("factor", 42, bits=24)
    n = json.loads(solve(spec))["n"]
    assert not verify(spec, json.dumps({"n": n, "p": 1, "q": n}, separators=(",", ":")).encode())


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 97, 561, 7919, 1_000_003, 2**61 - 1, 2**61 + 1])
def test_is_prime__matches_trial_division(n):
    def slow(k):
        return k >= 2 and all(k % d for d in range(2, int(k**0.5) + 1))

    if n < 10**7:
        assert is_prime(n) == slow(n)
    else:
        assert is_prime(n) == (n == 2**61 - 1)


@settings(max_examples=40, deadline=None)
@given(lo=st.integers(0, 5000), width=st.integers(0, 3000))
def test_count_primes__matches_naive(lo, width):
    assert count_primes(lo, lo + width) == sum(1 for k in range(lo, lo + width) if is_prime(k))


def test_cost_units__grow_with_difficulty():
    for name in SERVICE_NAMES:
        svc = get_service(name)
        easy = svc.random_spec(random.Random(1), 0.1)
        hard = svc.random_spec(random.Random(1), 0.9)
        assert 0 < cost_units(easy) < cost_units(hard), name
