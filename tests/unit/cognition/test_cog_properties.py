"""Hypothesis properties: the value vector stays on the bounded simplex; trust stays in bounds."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.cognition import constants as K
from agents.cognition.mathutil import project_bounded_simplex
from agents.cognition.mutation_sandbox import precheck, propose_step
from agents.cognition.trust import update_trust
from agents.cognition.values import is_valid_value_vector, make_value_vector

weights = st.lists(st.floats(min_value=0.0, max_value=10.0, allow_nan=False), min_size=7, max_size=7).filter(
    lambda w: sum(w) > 1e-6
)
proposals = st.lists(
    st.tuples(st.integers(0, 6), st.floats(min_value=-0.2, max_value=0.2, allow_nan=False)), max_size=60
)


@settings(max_examples=200, deadline=None)
@given(preset=weights, seq=proposals, gate=st.booleans())
def test_value_vector__any_mutation_sequence__stays_on_bounded_simplex(preset, seq, gate):
    base = list(make_value_vector(preset))
    w = list(base)
    ones = [1.0] * 7
    for dim, delta in seq:
        proposed = propose_step(w, dim, delta)
        assert is_valid_value_vector(proposed)
        if not gate or not precheck(w, proposed, base, ones, 0, 0, False):
            w = list(proposed)
        assert math.isclose(sum(w), 1.0, abs_tol=1e-9)
        assert all(K.VALUE_WEIGHT_MIN - 1e-12 <= x <= K.VALUE_WEIGHT_MAX + 1e-12 for x in w)
        if gate:
            assert all(
                abs(a - b) <= K.MAX_CUMULATIVE_DRIFT_PER_DIM + 1e-9 for a, b in zip(w, base, strict=True)
            )


@settings(max_examples=200, deadline=None)
@given(w=st.lists(st.floats(min_value=-5, max_value=5, allow_nan=False), min_size=7, max_size=7))
def test_projection__lands_on_bounded_simplex_and_is_idempotent(w):
    p = project_bounded_simplex(w)
    assert is_valid_value_vector(p)
    assert project_bounded_simplex(p) == p


@settings(max_examples=300, deadline=None)
@given(
    t0=st.floats(min_value=K.TRUST_MIN, max_value=K.TRUST_MAX),
    obs=st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), max_size=200),
)
def test_trust__any_observations__stays_in_bounds(t0, obs):
    t = t0
    for r in obs:
        nxt = update_trust(t, r)
        assert K.TRUST_MIN <= nxt <= K.TRUST_MAX
        assert abs(nxt - t) <= max(K.TRUST_ETA_UP, K.TRUST_ETA_DOWN) * abs(r - t) + 1e-12
        t = nxt
