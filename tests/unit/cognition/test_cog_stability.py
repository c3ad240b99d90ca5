"""Phase 5 and §7.3: conditions, ASS and its bands, the rollback schedule, persistent vetoes."""

import math

import pytest

from agents.cognition import constants as K
from agents.cognition import rollback as rb
from agents.cognition.stability import StabilityInputs, ass, check, classify_ass, margins, violations

OK = StabilityInputs(rho=0.5, identity=0.95, drift=0.0, horizon=math.inf, cascade_depth=0)


@pytest.mark.parametrize(
    "change, cond",
    [
        ({"rho": 0.98}, "SPECTRAL_RADIUS"),
        ({"identity": 0.8799}, "IDENTITY"),
        ({"drift": 0.25}, "VALUE_DRIFT"),
        ({"horizon": 30.0}, "RESOURCE_SURVIVAL"),
        ({"cascade_depth": 3}, "CASCADE"),
    ],
)
def test_condition__at_limit__violated(change, cond):
    assert violations(OK.after(**change)) == (cond,)


@pytest.mark.parametrize(
    "change",
    [{"rho": 0.9799}, {"identity": 0.88}, {"drift": 0.2499}, {"horizon": 30.01}, {"cascade_depth": 2}],
)
def test_condition__just_inside__passes(change):
    assert violations(OK.after(**change)) == ()


def test_ass__product_of_margins_half_at_the_limit():
    assert ass(OK) == 1.0
    x = OK.after(rho=0.965, drift=0.175)  # half a band inside each limit: margins 0.75
    assert margins(x)[0] == pytest.approx(0.75) and margins(x)[2] == pytest.approx(0.75)
    assert ass(x) == pytest.approx(0.5625)
    assert ass(OK.after(cascade_depth=2)) == pytest.approx(2 / 3)
    assert ass(OK.after(horizon=115.0)) == pytest.approx(0.75)
    assert ass(OK.after(horizon=0.0)) == 0.0  # an exhausted resource: the floor is the band below it


def test_ass__condition_at_limit_halves__one_band_beyond_zeroes():
    assert ass(OK.after(rho=0.98)) == pytest.approx(0.5)
    assert ass(OK.after(identity=0.88)) == pytest.approx(0.5)
    assert ass(OK.after(rho=1.01)) == 0.0
    assert ass(OK.after(drift=0.40)) == 0.0


@pytest.mark.parametrize(
    "score, cls",
    [
        (0.5001, "healthy"),
        (0.50, "adequate"),
        (0.20, "adequate"),
        (0.1999, "marginal"),
        (0.05, "marginal"),
        (0.0499, "critical"),
    ],
)
def test_ass_bands__edges(score, cls):
    assert classify_ass(score) == cls


def test_check__violation_with_ass_below_005__freeze():
    v = check(OK.after(horizon=0.0))
    assert not v.passed and v.ass < K.ASS_FREEZE_THRESHOLD and v.action == "FREEZE_AND_REVERT_TO_L48"
    v = check(OK.after(rho=1.01))
    assert v.violations == ("SPECTRAL_RADIUS",) and v.action == "FREEZE_AND_REVERT_TO_L48"


def test_check__no_violation__never_freezes_even_on_every_limit():
    x = StabilityInputs(rho=0.9799, identity=0.88, drift=0.2499, horizon=30.01, cascade_depth=2)
    v = check(x)
    assert v.passed and v.ass < K.ASS_FREEZE_THRESHOLD and v.action == "ADVISORY_MODE"


def test_check__violation_with_margin_left__advisory():
    x = OK.after(cascade_depth=3)
    v = check(x)
    assert not v.passed and v.violations == ("CASCADE",) and v.ass == pytest.approx(0.5)
    assert v.action == "ADVISORY_MODE"


def test_check__iis_just_above_088__not_frozen():
    v = check(OK.after(identity=0.8805))
    assert v.passed and v.ass == pytest.approx(0.5125) and v.action == "CONTINUE"


@pytest.mark.parametrize("drift", [0.10, 0.15, 0.20, 0.2499])
def test_check__moderate_drift__stays_actionable(drift):
    v = check(OK.after(drift=drift))
    assert v.passed and v.action == "CONTINUE" and v.ass >= K.ASS_TARGET


def test_check__rho_excess_not_persistent__advisory_not_freeze():
    x = OK.after(rho=1.2)
    assert check(x, rho_persistent=False).action == "ADVISORY_MODE"
    assert check(x, rho_persistent=True).action == "FREEZE_AND_REVERT_TO_L48"
    # another violation still freezes on its own account
    assert check(x.after(horizon=0.0), rho_persistent=False).action == "FREEZE_AND_REVERT_TO_L48"


def test_check__healthy__continue():
    assert check(OK).action == "CONTINUE"
    assert check(OK.after(drift=0.19)).action == "CONTINUE"  # ASS 0.7


def test_rollback__schedule_0_200_400():
    s = rb.RollbackState()
    rb.freeze(s, 1000)
    assert s.phase == "MONITOR" and rb.authority(s, 1050) == 0.0 and s.rollbacks == 1
    rb.tick(s, 1099, 1.0)
    assert s.phase == "MONITOR"
    rb.tick(s, 1100, 1.0)
    assert s.phase == "REENABLE" and s.reenable_start == 1100
    assert rb.authority(s, 1100) == 0.0 and rb.authority(s, 1299) == 0.0
    assert rb.authority(s, 1300) == 0.5 and rb.authority(s, 1499) == 0.5
    assert rb.authority(s, 1500) == 1.0
    rb.tick(s, 1500, 1.0)
    assert s.phase == "NORMAL"


def test_rollback__monitoring_extends_while_ass_below_freeze():
    s = rb.RollbackState()
    rb.freeze(s, 0)
    rb.tick(s, 150, 0.01)
    assert s.phase == "MONITOR"
    rb.tick(s, 155, 0.3)
    assert s.phase == "REENABLE" and s.reenable_start == 155


def test_persistent_veto__more_than_three_in_1000_blocks_pattern():
    s = rb.RollbackState()
    for c in (0, 300, 600):
        assert not rb.record_veto(s, "CASCADE", "GAP_FILLING:confidence:hash", c)
    assert not rb.is_blocked(s, "GAP_FILLING:confidence:hash", 700)
    assert rb.record_veto(s, "CASCADE", "GAP_FILLING:confidence:hash", 999)
    assert rb.is_blocked(s, "GAP_FILLING:confidence:hash", 1998)
    assert not rb.is_blocked(s, "GAP_FILLING:confidence:hash", 1999)
    assert not rb.is_blocked(s, "EXPLORATORY:won:sort", 1000)


def test_persistent_veto__spread_beyond_window_not_blocked():
    s = rb.RollbackState()
    for c in (0, 400, 800, 1200):
        assert not rb.record_veto(s, "IDENTITY", "p", c)
