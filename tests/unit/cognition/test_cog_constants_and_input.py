"""The seed's numbers, and the observation boundary (bad input is refused with a clear error)."""

import math

import pytest
from pydantic import ValidationError

from agents.cognition import AgentState, CognitionInputError, Observation, step
from agents.cognition import constants as K
from agents.cognition.synthetic import Market


@pytest.mark.parametrize(
    "name, value",
    [
        ("ASS_FREEZE_THRESHOLD", 0.05),
        ("ASS_TARGET", 0.20),
        ("ASS_HEALTHY", 0.50),
        ("VALUE_WEIGHT_MIN", 0.02),
        ("VALUE_WEIGHT_MAX", 0.60),
        ("GOAL_APPROVAL_RATE_TARGET", 0.30),
        ("MIN_NOVELTY", 0.30),
        ("COHERENCE_TARGET", 0.80),
        ("TOTAL_DRIFT_LIMIT", 0.25),
        ("PURPOSE_ALIGNMENT_PASS", 0.60),
        ("PURPOSE_ALIGNMENT_FAIL", 0.50),
        ("VALUE_ALIGNMENT_PASS", 0.70),
        ("VALUE_ALIGNMENT_FAIL", 0.60),
        ("FEASIBILITY_PASS", 0.15),
        ("FEASIBILITY_FAIL", 0.05),
        ("RESOURCE_VIABILITY_PASS", 1.5),
        ("RESOURCE_VIABILITY_FAIL", 1.0),
        ("OPPORTUNITY_THRESHOLD", 0.05),
        ("OPPORTUNISTIC_MIN_PROBABILITY", 0.30),
        ("CAPABILITY_GAP_MAGNITUDE", 0.25),
        ("CAPABILITY_GAP_TIME_TO_NEED", 200),
        ("PURPOSE_ALIGNMENT_SCORE_THRESHOLD", 0.80),
        ("MAX_GOALS_PER_WINDOW", 5),
        ("GOAL_RATE_WINDOW", 100),
        ("REJECTION_COOLDOWN", 20),
        ("MAX_SANDBOXED_GOALS", 3),
        ("CONFLICT_HISTORY_CAPACITY", 500),
        ("DRIFT_MODERATE", 0.10),
        ("DRIFT_ELEVATED", 0.25),
        ("DRIFT_CRITICAL", 0.40),
        ("MAX_SINGLE_MUTATION", 0.05),
        ("MAX_CUMULATIVE_DRIFT_PER_DIM", 0.15),
        ("MAX_MUTATIONS_PER_WINDOW", 3),
        ("MUTATION_RATE_WINDOW", 200),
        ("MUTATION_SANDBOX_CYCLES", 200),
        ("MUTATION_SANDBOX_TIMEOUT", 250),
        ("MUTATION_ROLLBACK_WINDOW", 500),
        ("MAX_PENDING_MUTATIONS", 2),
        ("SANDBOX_MIN_DELTA_SEOF", -0.03),
        ("MAX_CASCADE_DEPTH", 2),
        ("SURVIVAL_ABUNDANT", 500),
        ("SURVIVAL_ADEQUATE", 200),
        ("SURVIVAL_CONSTRAINED", 100),
        ("SURVIVAL_WARNING", 50),
        ("SCENARIO_ADVERSE", 1.30),
        ("SCENARIO_OPTIMIST", 0.80),
        ("SCENARIO_CRISIS", 2.00),
        ("MAX_MODELED_AGENTS", 5),
        ("TRUST_ETA_UP", 0.03),
        ("TRUST_ETA_DOWN", 0.08),
        ("TRUST_MIN", 0.05),
        ("TRUST_MAX", 0.95),
        ("RHO_LIMIT", 0.98),
        ("IDENTITY_LIMIT", 0.88),
        ("SURVIVAL_FLOOR", 30),
        ("ROLLBACK_MONITOR_CYCLES", 100),
        ("REENABLE_ADVISORY_END", 200),
        ("REENABLE_PARTIAL_END", 400),
        ("PERSISTENT_VETO_COUNT", 3),
        ("PERSISTENT_VETO_WINDOW", 1000),
        ("SMS_THRESHOLD", 0.85),
        ("MCE_LIMIT", 0.08),
        ("EU_LIMIT", 0.20),
        ("SHADOW_CYCLES", 500),
        ("PRE_ACTIVATION_CYCLES", 100),
        ("AUDIT_PERIOD", 3000),
        ("AMS_THRESHOLD", 0.80),
        ("L49_CYCLE_INTERVAL", 5),
        ("VALUE_DRIFT_MONITOR_INTERVAL", 50),
    ],
)
def test_constant__matches_seed(name, value):
    assert getattr(K, name) == value


def test_value_defaults__section_1_7_table_on_the_simplex():
    assert K.DEFAULT_VALUE_WEIGHTS == (0.20, 0.15, 0.20, 0.10, 0.10, 0.15, 0.10)
    assert math.isclose(sum(K.DEFAULT_VALUE_WEIGHTS), 1.0)


def test_resource_dependencies__seed_strengths():
    assert K.RESOURCE_DEPENDENCIES == (
        ("compute", "observation", 0.60),
        ("compute", "mutation", 0.80),
        ("memory", "compute", 0.40),
        ("observation", "stability", 0.30),
    )


def test_ams_weights__definition_11():
    assert K.AMS_WEIGHTS == {"AG": 0.25, "VR": 0.20, "RA": 0.20, "MA": 0.15, "AS": 0.20}


def _obs(**over):
    base = dict(cycle=0, balances={"eth": 1.0, "token": 10.0}, blocks_ingested=10, blocks_expected=10)
    base.update(over)
    return base


@pytest.mark.parametrize(
    "over, field",
    [
        ({"balances": {"eth": float("nan"), "token": 1.0}}, "eth"),
        ({"balances": {"eth": -1.0, "token": 1.0}}, "eth"),
        ({"balances": {"eth": 1.0, "token": float("inf")}}, "token"),
        ({"gas_spent_eth": -0.1}, "gas_spent_eth"),
        ({"job_arrival_rate": float("nan")}, "job_arrival_rate"),
        ({"prices": {"hash": -2.0}}, "prices"),
        ({"blocks_ingested": 11}, "blocks_ingested exceeds"),
        ({"blocks_expected": 0}, "blocks_expected"),
        ({"services": [{"service": "a", "offered": -1}]}, "offered"),
        ({"services": [{"service": "a"}, {"service": "a"}]}, "duplicate service"),
        ({"services": [{"service": "a", "offered": 1, "won": 2}]}, "won exceeds offered"),
        ({"interactions": [{"counterparty": "0x12", "role": "client"}]}, "counterparty"),
        ({"interactions": [{"counterparty": "0x" + "a" * 40, "role": "thief"}]}, "role"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_observation__invalid_value__refused_with_field_named(over, field):
    with pytest.raises(ValidationError) as exc:
        Observation.model_validate(_obs(**over))
    assert field in str(exc.value)


def test_step__invalid_observation__state_untouched():
    st = AgentState.new({"hash": 1.0})
    before = st.to_dict()
    with pytest.raises(ValidationError):
        step(st, _obs(balances={"eth": float("nan"), "token": 1.0}))
    assert st.to_dict() == before


def test_step__out_of_sequence_cycle__refused():
    st = AgentState.new({"hash": 1.0})
    with pytest.raises(CognitionInputError, match="expects cycle 0"):
        step(st, _obs(cycle=3))


def test_agent_state_new__bad_persona__refused():
    with pytest.raises(ValueError):
        AgentState.new({})
    with pytest.raises(ValueError):
        AgentState.new({"hash": float("nan")})
    with pytest.raises(ValueError):
        AgentState.new({"hash": 1.0}, values=(0.5,) * 6)
    with pytest.raises(ValueError):
        AgentState.new({"hash": 1.0}, start_phase="YOLO")


def test_observation__valid__accepted_and_shares_computed():
    o = Market().observe(0)
    assert o.ingestion_share == 1.0
