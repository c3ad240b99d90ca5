"""Personas: valid value vectors, and behaviour that matches each definition."""

import random

import pytest

from agents.market.personas import (
    PERSONA_NAMES,
    PERSONAS,
    VALUE_DIMENSIONS,
    VALUE_MAX,
    VALUE_MIN,
    Behaviour,
    assign_personas,
    deliver,
    evaluate,
    get_persona,
    guardian_ruling,
    should_dispute,
)
from agents.market.services import TaskSpec, solve, verify

SPEC = TaskSpec.make("hashchain", 11, length=50)
REQUIRED = {"honest", "undercutter", "cheater", "no_show", "frivolous_disputer", "guardian"}


def test_all_required_personas_exist():
    assert set(PERSONA_NAMES) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_value_vector__on_simplex_within_bounds(name):
    values = PERSONAS[name].values
    assert len(values) == len(VALUE_DIMENSIONS) == 7
    assert sum(values) == pytest.approx(1.0)
    assert all(VALUE_MIN <= v <= VALUE_MAX for v in values)
    assert set(PERSONAS[name].value_dict()) == set(VALUE_DIMENSIONS)


def _rates(name, trials=2000):
    rng = random.Random(5)
    persona = get_persona(name)
    out = [deliver(persona, SPEC, rng) for _ in range(trials)]
    no_show = sum(d.payload is None for d in out) / trials
    wrong = sum(d.payload is not None and not verify(SPEC, d.payload) for d in out) / trials
    return no_show, wrong, out


def test_honest__always_delivers_verifying_work():
    no_show, wrong, out = _rates("honest")
    assert no_show == 0 and wrong == 0
    assert all(d.honest and d.payload == solve(SPEC) for d in out)


def test_cheater__delivers_wrong_work_at_its_rate():
    no_show, wrong, out = _rates("cheater")
    assert no_show == 0
    assert wrong == pytest.approx(PERSONAS["cheater"].behaviour.cheat_prob, abs=0.04)
    assert all(d.honest == verify(SPEC, d.payload) for d in out)


def test_no_show__skips_at_its_rate():
    no_show, wrong, _ = _rates("no_show")
    assert no_show == pytest.approx(PERSONAS["no_show"].behaviour.no_show_prob, abs=0.04)
    assert wrong == 0


def test_evaluate__bad_or_missing_work_always_rejected():
    rng = random.Random(1)
    bad = b'{"digest":"00","length":50}'
    for name in PERSONA_NAMES:
        assert evaluate(get_persona(name), SPEC, None, rng) is False
        assert evaluate(get_persona(name), SPEC, bad, rng) is False


def test_evaluate__honest_client_completes_good_work_frivolous_sometimes_rejects():
    rng = random.Random(2)
    good = solve(SPEC)
    assert all(evaluate(get_persona("honest"), SPEC, good, rng) for _ in range(500))
    rejected = (
        sum(not evaluate(get_persona("frivolous_disputer"), SPEC, good, rng) for _ in range(2000)) / 2000
    )
    assert rejected == pytest.approx(PERSONAS["frivolous_disputer"].behaviour.false_reject_prob, abs=0.04)


def test_should_dispute__honest_only_wrongful_frivolous_always():
    rng = random.Random(3)
    honest, friv = get_persona("honest"), get_persona("frivolous_disputer")
    assert all(should_dispute(honest, True, rng) for _ in range(100))
    assert not any(should_dispute(honest, False, rng) for _ in range(100))
    assert all(should_dispute(friv, False, rng) for _ in range(100))
    assert all(should_dispute(friv, True, rng) for _ in range(100))


def test_guardian_ruling__follows_verification():
    good = solve(SPEC)
    assert guardian_ruling(SPEC, good) is True
    assert guardian_ruling(SPEC, b"{}") is False
    assert guardian_ruling(SPEC, None) is False
    assert PERSONAS["guardian"].behaviour.is_guardian


@pytest.mark.parametrize("n", [0, 1, 6, 7, 10, 50, 100])
def test_assign_personas__exact_count_deterministic(n):
    a = assign_personas(n, seed=9)
    assert len(a) == n
    assert a == assign_personas(n, seed=9)
    if n >= 10:
        assert set(a) == REQUIRED


def test_behaviour__probability_out_of_range__value_error():
    with pytest.raises(ValueError):
        Behaviour(cheat_prob=1.5)
    with pytest.raises(ValueError):
        get_persona("villain")
