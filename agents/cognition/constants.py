"""Every constant of the Level 4.9 design (seed 001) and of the L4.8 substrate it consumes, in one place.

Names follow the seed; the comment gives the section. Constants the seed borrows from earlier MSCP
levels are marked "(Lx.y)" and come from shared/docs/L49-notes.md. Constants the seed does not give and
that this implementation had to choose are marked "CHOICE" and explained in docs/cognition.md.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------------
# §1.5 / DESIGN: cycle cadence (one L4.8 cycle = a fixed window of blocks)
# ---------------------------------------------------------------------------------------------------
L49_CYCLE_INTERVAL = 5  # §1.5 (DESIGN): L4.9 runs every 5 L4.8 cycles
VALUE_DRIFT_MONITOR_INTERVAL = 50  # §9.3: value_drift_monitor "Runs every 50 cycles"

# ---------------------------------------------------------------------------------------------------
# §1.6 / §7.2: Autonomy Stability Score bands
# ---------------------------------------------------------------------------------------------------
ASS_FREEZE_THRESHOLD = 0.05  # §1.6: ASS < 0.05 -> L4.9 skipped entirely, fall back to L4.8
ASS_TARGET = 0.20  # §1.6, §2.1 Def. 7: ASS >= 0.20
ASS_HEALTHY = 0.50  # §7.2: > 0.50 healthy; [0.20, 0.50] adequate; [0.05, 0.20) marginal

# ---------------------------------------------------------------------------------------------------
# §1.7: explicit value dimensions (n = 7) and the value-vector invariant (Level 4, Def. 6.1)
# ---------------------------------------------------------------------------------------------------
VALUE_DIMENSIONS = (
    "stability",
    "growth",
    "purpose_fidelity",
    "efficiency",
    "exploration",
    "safety",
    "agent_cooperation",
)
N_VALUE_DIMENSIONS = 7  # §1.7
# §1.7 table "기본 가중치". The §4.1 diagram gives 0.20/0.20/0.20/0.15/0.10/0.10/0.05; CHOICE: the table.
DEFAULT_VALUE_WEIGHTS = (0.20, 0.15, 0.20, 0.10, 0.10, 0.15, 0.10)
VALUE_WEIGHT_MIN = 0.02  # §1.7: w_d in [0.02, 0.60]
VALUE_WEIGHT_MAX = 0.60  # §1.7
VALUE_SUM = 1.0  # §1.7: sum_d w_d = 1.0

# ---------------------------------------------------------------------------------------------------
# §2.1 / §2.2: metric targets
# ---------------------------------------------------------------------------------------------------
GOAL_APPROVAL_RATE_TARGET = 0.30  # §2.1 Def. 2
GOAL_COMPLETION_RATE_TARGET = 0.50  # §2.2 phase 1: completion >= 0.50
MIN_NOVELTY = 0.30  # §2.1 Def. 3, §3.5
COHERENCE_TARGET = 0.80  # §2.1 Def. 4, §4.5
TOTAL_DRIFT_LIMIT = 0.25  # §1 essence, §2.1 Def. 5, §7.1 condition 3
MUTATION_STABILITY_TARGET = 0.95  # §2.2 phase 2: mutations >= 95 %, §12.1 VR-4
SURVIVAL_PREDICTION_ERROR_LIMIT = 0.20  # §2.2 phase 3: survival < 20 % error, §12.1 RA-2
CASCADE_TARGET = 0.70  # §2.2 phase 3: cascade >= 0.70: accuracy of the cascade predictions made tau cycles
# ahead (below this, with CASCADE_ACCURACY_MIN_SAMPLES, the stability check uses the crisis horizon)
CASCADE_ACCURACY_WINDOW = 100  # CHOICE: the last 100 matured cascade predictions
CASCADE_ACCURACY_MIN_SAMPLES = 10  # CHOICE: fewer matured predictions -> not yet measured
GOAL_COMPLETION_WINDOW = 10  # CHOICE: completion rate over the last 10 closed autonomous goals
GOAL_COMPLETION_MIN_SAMPLES = 4  # CHOICE: fewer closed goals -> not yet measured
AGENT_PREDICTION_TARGET = 0.60  # §2.2 phase 4, §12.1 MA-1
TRUST_CALIBRATION_ERROR_LIMIT = 0.15  # §2.2 phase 4, §12.1 MA-2
VETO_RATE_LIMIT = 0.15  # §2.2 phase 5, §12.1 AS-3
EPSILON = 1e-9  # §9.4

# ---------------------------------------------------------------------------------------------------
# §3: autonomous goal generation
# ---------------------------------------------------------------------------------------------------
GOAL_ORIGIN_TYPES = (  # §3.1
    "PURPOSE_DERIVED",
    "OPPORTUNITY_DRIVEN",
    "GAP_FILLING",
    "VALUE_ALIGNED",
    "EXPLORATORY",
    "SURVIVAL_DRIVEN",
)
# §3.3 validation decision matrix: pass / marginal / fail bands
PURPOSE_ALIGNMENT_PASS = 0.60  # §3.3: >= 0.60 pass
PURPOSE_ALIGNMENT_FAIL = 0.50  # §3.3: [0.50, 0.60) sandbox, < 0.50 reject
VALUE_ALIGNMENT_PASS = 0.70  # §3.3
VALUE_ALIGNMENT_FAIL = 0.60  # §3.3
FEASIBILITY_PASS = 0.15  # §3.3: >= 0.15 pass
FEASIBILITY_FAIL = 0.05  # §3.3: [0.05, 0.15) aspirational, < 0.05 reject
RESOURCE_VIABILITY_PASS = 1.5  # §3.3: >= 1.5x
RESOURCE_VIABILITY_FAIL = 1.0  # §3.3: [1.0, 1.5) reduce scope, < 1.0 reject
STABILITY_SIM_MARGINAL_RHO = 0.95  # §3.3, §9.2: rho(J) in [0.95, 1.0) -> sandbox
STABILITY_SIM_FAIL_RHO = 1.0  # §3.3: violation -> reject
STABILITY_SIM_CYCLES = 100  # §9.2: simulate(shadow, cycles=100)
GOAL_SANDBOX_CYCLES = 200  # §3.2: sandboxed goals evaluated for 200 cycles
# §9.1 opportunity detection
OPPORTUNITY_THRESHOLD = 0.05  # §9.1: projected SEOF gain - baseline > 0.05
OPPORTUNISTIC_MIN_PROBABILITY = 0.30  # §9.1: scenario.probability > 0.30
CAPABILITY_GAP_MAGNITUDE = 0.25  # §9.1: gap.magnitude > 0.25
CAPABILITY_GAP_TIME_TO_NEED = 200  # §9.1: gap.time_to_need < 200
PURPOSE_ALIGNMENT_SCORE_THRESHOLD = 0.80  # §9.1: purpose_reflector.alignment_score < 0.80
# §3.4 Def. 8 goal similarity
SIMILARITY_SKILL_WEIGHT = 0.50  # §3.4
SIMILARITY_HORIZON_WEIGHT = 0.25  # §3.4
SIMILARITY_ORIGIN_WEIGHT = 0.25  # §3.4
HORIZON_MATCH_SAME = 1.0  # §3.4
HORIZON_MATCH_ADJACENT = 0.5  # §3.4
HORIZON_MATCH_OTHER = 0.0  # §3.4
# §3.5 rate control
MAX_GOALS_PER_WINDOW = 5  # §3.5: at most 5 goals per 100 cycles
GOAL_RATE_WINDOW = 100  # §3.5
REJECTION_COOLDOWN = 20  # §3.5: 20 cycles after a rejection
MAX_SANDBOXED_GOALS = 3  # §3.5
# §3.6 conflict resolution
CONFLICT_SYNTHESIS_MIN_OVERLAP = 0.30  # §3.6: >= 30 % skill overlap -> merge
CONFLICT_HISTORY_CAPACITY = 500  # §3.6
CONFLICT_REPEAT_COUNT = 3  # §3.6: same type pair >= 3 times ...
CONFLICT_REPEAT_WINDOW = 200  # §3.6: ... within 200 cycles -> adjust generation

# ---------------------------------------------------------------------------------------------------
# §4: value evolution
# ---------------------------------------------------------------------------------------------------
COMPETING_VALUE_PAIRS = (  # §4.1
    ("stability", "exploration"),
    ("efficiency", "exploration"),
    ("growth", "safety"),
)
DRIFT_MODERATE = 0.10  # §4.2: TotalDrift >= 0.10 moderate (active monitoring)
DRIFT_ELEVATED = 0.25  # §4.2: >= 0.25 elevated (freeze mutations)
DRIFT_CRITICAL = 0.40  # §4.2: >= 0.40 critical (revert to checkpoint)
DRIFT_VELOCITY_WINDOW = 100  # §9.3: velocity = (w - w_100_ago) / 100
SUSTAINED_DRIFT_VELOCITY = 0.001  # §9.3
SUSTAINED_DRIFT_CYCLES = 200  # §9.3
SUSTAINED_DRIFT_RATE_FACTOR = 0.5  # §9.3: reduce_mutation_rate(dim, factor=0.5)
# §4.4 mutation constraints
MAX_SINGLE_MUTATION = 0.05  # §4.4: max |dw| per mutation
MAX_CUMULATIVE_DRIFT_PER_DIM = 0.15  # §4.4 (and §11.2 "max single drift 0.15")
MAX_MUTATIONS_PER_WINDOW = 3  # §4.4: at most 3 mutations ...
MUTATION_RATE_WINDOW = 200  # §4.4: ... per 200 cycles
MUTATION_SANDBOX_CYCLES = 200  # §4.4
MUTATION_SANDBOX_TIMEOUT = 250  # English original: sandbox TIMEOUT after 250 cycles
MUTATION_ROLLBACK_WINDOW = 500  # §4.4
MAX_PENDING_MUTATIONS = 2  # §4.4
SANDBOX_MIN_DELTA_SEOF = -0.03  # §4.3: SEOF >= -0.03
SANDBOX_MIN_GOAL_ATTAINMENT_CHANGE = -0.10  # §4.3: goal attainment >= -10 %
PROPOSED_MUTATION_STEP = 0.03  # §4.3 example proposal: 0.20 -> 0.23 (CHOICE: default step size)

# ---------------------------------------------------------------------------------------------------
# §5: resource survival
# ---------------------------------------------------------------------------------------------------
RESOURCE_DIMENSIONS = ("compute", "memory", "observation", "mutation", "stability")  # §5.1
# §5.1 dependencies: (upstream, downstream, strength alpha)
RESOURCE_DEPENDENCIES = (
    ("compute", "observation", 0.60),
    ("compute", "mutation", 0.80),
    ("memory", "compute", 0.40),
    ("observation", "stability", 0.30),
)
CASCADE_SUBSTITUTION = 0.0  # Def. 13 sigma_ij: not given. CHOICE: 0 (no substitute), conservative
CASCADE_DELAY = 1  # Def. 13 tau_ij: not given. CHOICE: one cycle
MAX_CASCADE_DEPTH = 2  # §5.1 Def. 13, §7.1 condition 5
# §5.2 survival classes (cycles)
SURVIVAL_ABUNDANT = 500  # > 500
SURVIVAL_ADEQUATE = 200  # [200, 500]
SURVIVAL_CONSTRAINED = 100  # [100, 200)
SURVIVAL_WARNING = 50  # [50, 100); < 50 critical
# §5.2 / §5.3 operating-mode adjustments
CONSTRAINED_EXPLORATION_FACTOR = 0.70  # §5.2: exploration -30 %
WARNING_EXPLORATION_FACTOR = 0.50  # §5.2: -50 %
CRITICAL_STABILITY_SHARE = 0.80  # §5.2: survival mode, 80 % to stability
# §5.4 scenarios (multipliers on consumption)
SCENARIO_BASELINE = 1.00  # §5.4 / §9.4
SCENARIO_ADVERSE = 1.30  # §5.4: consumption +30 %
SCENARIO_OPTIMIST = 0.80  # §5.4: consumption -20 %
SCENARIO_CRISIS = 2.00  # §5.4: consumption x2
RESOURCE_CRITICAL_FRACTION = 0.05  # R_d^critical: not given. CHOICE: 5 % of the dimension's capacity
RESOURCE_WARNING_FRACTION = 0.25  # upstream.warning (§9.4): not given. CHOICE: 25 % of capacity
RENEWABLE_RESOURCES = ("mutation",)  # CHOICE: regenerates by schedule, excluded from min_survival
RESOURCE_RATE_ALPHA = (
    0.05  # consumption/replenishment EMA (CHOICE: ~20 cycles; 0.2 read one purchase of 10 % of
)
# the balance as a 50-cycle horizon, "critical", in a sparse market where payments arrive in lumps)

# ---------------------------------------------------------------------------------------------------
# §6: bounded multi-agent modelling
# ---------------------------------------------------------------------------------------------------
MAX_MODELED_AGENTS = 5  # §6.1
COOPERATIVE_POSITIVE_RATIO = 0.70  # §6.2: > 0.70 and alignment > 0.30
COOPERATIVE_ALIGNMENT = 0.30  # §6.2
NEUTRAL_POSITIVE_RATIO = 0.50  # §6.2: > 0.50 and alignment in [-0.30, 0.30]
NEUTRAL_ALIGNMENT_BAND = 0.30  # §6.2
COMPETITIVE_POSITIVE_RATIO = 0.30  # §6.2: < 0.30 and alignment < -0.30
COMPETITIVE_ALIGNMENT = -0.30  # §6.2
MIN_INTERACTIONS_FOR_CLASSIFICATION = 5  # §6.2 "insufficient data": CHOICE 5
TRUST_ETA_UP = 0.03  # §6.4 Def. 10
TRUST_ETA_DOWN = 0.08  # §6.4 Def. 10
TRUST_MIN = 0.05  # §6.4
TRUST_MAX = 0.95  # §6.4
TRUST_INITIAL = 0.50  # not given. CHOICE: the midpoint (moderate band)
TRUST_HIGH = 0.75  # §6.5: >= 0.75 high
TRUST_MODERATE = 0.40  # §6.5: [0.40, 0.75)
TRUST_LOW = 0.20  # §6.5: [0.20, 0.40); < 0.20 minimal
CANDIDATE_TABLE_MAX = 32  # counterparties counted for "most interactions" (CHOICE: bounded memory)

# ---------------------------------------------------------------------------------------------------
# §7: autonomy stability
# ---------------------------------------------------------------------------------------------------
RHO_LIMIT = 0.98  # §7.1 condition 1: rho(J) < 0.98
IDENTITY_LIMIT = 0.88  # §7.1 condition 2: I(t) >= 0.88
SURVIVAL_FLOOR = 30  # §7.1 condition 4: min_survival > 30 cycles
CASCADE_DEPTH_LIMIT = 2  # §7.1 condition 5: depth <= 2
# ASS margins (gap 1, CHOICE; docs/cognition.md choice 2): margin_c / threshold_c =
# clamp(0.5 + 0.5 * signed distance inside the limit / comfort band). A condition exactly at its limit
# scores 0.5 and one band beyond it 0, so a single violation with margin left elsewhere gives ASS >= 0.05
# (ADVISORY, §9.5) and a condition just inside its limit (IIS 0.8805) does not collapse the product.
ASS_RHO_BAND = 0.03
ASS_IDENTITY_BAND = 0.02
ASS_DRIFT_BAND = 0.15
ASS_SURVIVAL_BAND = 170.0
ASS_CASCADE_BAND = 3.0  # cascade: distance = (limit + 1) - depth, so depth 0 -> 1, depth 3 -> 0.5
ASS_MARGIN_AT_LIMIT = 0.5  # CHOICE: a condition at its limit keeps half its factor
# §9.5 / L4.5: rho(J) comes from a 20-cycle least-squares window and is noisy; an excess freezes only
# after it persisted over this many consecutive L4.9 estimates (CHOICE; one-off excesses give ADVISORY)
RHO_EXCESS_PERSISTENCE = 3
# the same persistence per L4.8 cycle (L4.8's rho < 1.0 and the instability events of §10.1): the
# excess must last as long as 3 L4.9 estimates (15 cycles); consecutive cycles' 20-cycle windows share
# 19 transitions, so 3 consecutive cycles are one estimate, not three
RHO_EXCESS_PERSISTENCE_CYCLES = 15
# §7.3 rollback protocol
ROLLBACK_MONITOR_CYCLES = 100  # §7.3 step 3: 100 cycles L4.8 only
REENABLE_ADVISORY_END = 200  # §7.3 step 4: 0-200c advisory
REENABLE_PARTIAL_END = 400  # §7.3 step 4: 200-400c 50 % authority, 400c+ full
PARTIAL_AUTHORITY = 0.50  # §7.3, §10.2: 50 % authority
PERSISTENT_VETO_COUNT = 3  # §7.3: same condition vetoed > 3 times ...
PERSISTENT_VETO_WINDOW = 1000  # §7.3: ... within 1000 cycles

# ---------------------------------------------------------------------------------------------------
# §10: transition (activation) criteria
# ---------------------------------------------------------------------------------------------------
SMS_THRESHOLD = 0.85  # §10.1 #2
STABLE_GOALSTACK_CYCLES = 500  # §10.1 #3
MCE_LIMIT = 0.08  # §10.1 #4 (L4.8's 0.10 stricter)
L48_MCE_LIMIT = 0.10  # §10.1 #4 (L4.8)
EU_LIMIT = 0.20  # §10.1 #5
EU_CYCLES = 500  # §10.1 #5
NO_INSTABILITY_CYCLES = 1000  # §10.1 #6
PRE_ACTIVATION_CYCLES = 100  # §10.2: all six for 100 consecutive L4.8 cycles
SHADOW_CYCLES = 500  # §10.2: shadow mode 500 cycles
ADVISORY_STAGE_CYCLES = 500  # §10.2 advisory "stable": duration not given. CHOICE: 500
PARTIAL_STAGE_CYCLES = 500  # §10.2 50 % "stable": duration not given. CHOICE: 500
L48_RHO_LIMIT = 1.0  # §1.2: L4.8 requires rho(J) < 1.0
L48_IDENTITY_LIMIT = 0.85  # §7.1: L4.8's 0.85
INSTABILITY_CLUSTER_EVENTS = 3  # "instability cluster": CHOICE >= 3 events ...
INSTABILITY_CLUSTER_WINDOW = 10  # ... within 10 cycles

# ---------------------------------------------------------------------------------------------------
# §12: qualification audit
# ---------------------------------------------------------------------------------------------------
AUDIT_PERIOD = 3000  # §12.1
AG1_MIN_NOVEL_GOALS = 5  # §12.1 AG-1
AG2_MIN_APPROVAL_RATE = 0.30  # §12.1 AG-2
AG3_MIN_COMPLETED = 1  # §12.1 AG-3
AG4_MIN_VALUE_ALIGNMENT = 0.70  # §12.1 AG-4
VR2_MAX_DRIFT = 0.25  # §12.1 VR-2
VR3_SANDBOXED_SHARE = 1.0  # §12.1 VR-3
VR4_MIN_STABILITY_PRESERVED = 0.95  # §12.1 VR-4
RA2_MAX_ERROR = 0.20  # §12.1 RA-2
RA3_MIN_ADAPTATIONS = 1  # §12.1 RA-3
RA4_MAX_UNPLANNED_DEPLETIONS = 0  # §12.1 RA-4
MA1_MIN_PREDICTION_ACCURACY = 0.60  # §12.1 MA-1
MA2_MAX_TRUST_ERROR = 0.15  # §12.1 MA-2
MA3_MIN_RECOMMENDATIONS = 3  # §12.1 MA-3
AS1_MAX_RHO = 0.98  # §12.1 AS-1
AS2_MIN_IDENTITY = 0.88  # §12.1 AS-2
AS3_MAX_VETO_RATE = 0.15  # §12.1 AS-3
AS4_MAX_ROLLBACKS = 5  # §12.1 AS-4
AMS_WEIGHTS = {"AG": 0.25, "VR": 0.20, "RA": 0.20, "MA": 0.15, "AS": 0.20}  # §12.2 Def. 11
AMS_THRESHOLD = 0.80  # §12.2
RA2_LOOKAHEAD = 20  # survival-accuracy check horizon in cycles (CHOICE)

# ---------------------------------------------------------------------------------------------------
# L4.8 / L4.5 / L2 substrate constants (from earlier MSCP levels, via shared/docs/L49-notes.md)
# ---------------------------------------------------------------------------------------------------
SEOF_W_DP = 0.25  # (L4.5) SEOF = 0.25 dP/dt
SEOF_W_DC = 0.25  # (L4.5)       + 0.25 (1 - dC/dt)
SEOF_W_CDI = 0.20  # (L4.5)      + 0.20 CDI
SEOF_W_IIS = 0.20  # (L4.5)      + 0.20 IIS
SEOF_W_OSC = 0.10  # (L4.5)      - 0.10 R_osc
PRIORITY_W_BASE = 0.5  # (L2 Def. 5) p = 0.5 p_base + 0.3 urgency + 0.2 xi
PRIORITY_W_URGENCY = 0.3  # (L2)
PRIORITY_W_XI = 0.2  # (L2)
URGENCY_OVERDUE = 1.0  # (L2)
URGENCY_UNDER_1H = 0.9  # (L2) < 1 h left
URGENCY_UNDER_24H = 0.7  # (L2) < 24 h left
URGENCY_DEFAULT = 0.5  # (L2)
CYCLES_PER_HOUR = 1  # one cycle = a block window; CHOICE: 1 h ~ 1 cycle, 24 h ~ 24 cycles
GOAL_STATUSES = ("PENDING", "ACTIVE", "COMPLETED", "FAILED", "BLOCKED", "DEFERRED")  # (L2)
GOAL_TIERS = ("TACTICAL", "OPERATIONAL", "STRATEGIC")  # (L4.8), ordered short -> long horizon
TIER_CAPACITY = {"STRATEGIC": 3, "OPERATIONAL": 7, "TACTICAL": 15}  # (L4.8)
STALE_GOAL_CYCLES = 100  # (L4.8) "no progress in a window": CHOICE 100 cycles
IDENTITY_COMPONENTS = (  # (L3/L4.5)
    "persona_consistency",
    "value_alignment",
    "capability_confidence",
    "emotional_stability",
    "goal_persistence",
)
RHO_WINDOW = 20  # (L4.5) 20-cycle sliding window
RHO_RIDGE = 0.1  # least-squares ridge on standardised coordinates (CHOICE)
RHO_MEDIAN_OF = 5  # CHOICE: rho reported = median of the last 5 window estimates (spike-robust)
RHO_MIN_STD = 1e-3  # a state component varying less than this is treated as constant (CHOICE)
RHO_MIN_MOVES = 5  # CHOICE: ... or moving in fewer than 5 of the window's 19 transitions (too few to fit)
LYAPUNOV_W_S = 0.357  # (L4.5) V = 0.357 (1-S)^2
LYAPUNOV_W_U = 0.286  # (L4.5)     + 0.286 U^2
LYAPUNOV_W_I = 0.214  # (L4.5)     + 0.214 I_drift^2
LYAPUNOV_W_E = 0.143  # (L4.5)     + 0.143 (E - E*)^2
LYAPUNOV_E_STAR = 0.5  # E*: not given. CHOICE: mid expansion (CDI 0.5)
LYAPUNOV_DECREASE_SHARE = 0.95  # (L4.8) V(t+1) <= V(t) in >= 95 % of cycles
LYAPUNOV_TOLERANCE = 0.005  # CHOICE: V(t+1) <= V(t) + 0.005 counts as non-increasing (noise)
LYAPUNOV_WINDOW = 100  # CHOICE: window over which the 95 % is measured
# CHOICE (§10 measurement window): V is evaluated on the EMA (alpha 0.1, ~10 cycles) of its four inputs.
# A sparse market's per-cycle figures jump from job to job; on the raw values V rose in ~18 % of cycles
# for steady agents and the 95 % criterion was unreachable.
LYAPUNOV_SMOOTHING_ALPHA = 0.1
SCENARIO_PRIORS = {  # (L4.8) WorldModel default scenario probabilities
    "BASELINE": 0.50,
    "OPTIMISTIC": 0.15,
    "PESSIMISTIC": 0.20,
    "DISRUPTION": 0.10,
    "ALTERNATIVE": 0.05,
}
OPPORTUNISTIC_SCENARIOS = ("OPTIMISTIC", "ALTERNATIVE")  # gap 3, CHOICE: the two upside regimes
SCENARIO_HEALTH_SHIFT = {  # CHOICE: expected market-health change (in s.d.) under each regime
    "BASELINE": 0.0,
    "OPTIMISTIC": 1.0,
    "PESSIMISTIC": -1.0,
    "DISRUPTION": -2.5,
    "ALTERNATIVE": 0.5,
}
SCENARIO_DEMAND_FACTOR = {  # CHOICE: revenue multiplier under each regime (for projected SEOF)
    "BASELINE": 1.0,
    "OPTIMISTIC": 1.5,
    "PESSIMISTIC": 0.8,
    "DISRUPTION": 0.4,
    "ALTERNATIVE": 1.3,
}
SCENARIO_FORGETTING = 0.05  # CHOICE: scenario posterior relaxes 5 %/cycle toward the prior
WORLD_DIMENSIONS = ("gas_price", "job_arrival_rate", "median_price", "default_rate", "governance")
WORLD_EMA_ALPHA = 0.2  # CHOICE: world-model posterior update rate
IIS_REF = (1.0, 1.0, 1.0, 1.0, 1.0)  # CHOICE: components are health measures, reference = all healthy
CAPABILITY_PRIOR = 0.5  # CHOICE: confidence before evidence
CAPABILITY_EMA_ALPHA = 0.1  # CHOICE: confidence forecaster rate
CAPABILITY_MIN_SAMPLES = 10  # (L4.8) calibration error needs >= 10 samples
CAPABILITY_WINDOW = 50  # CHOICE: calibration window (cycles)
CAPABILITY_TARGET = 1.0  # gap 6: magnitude = 1 - confidence (needs > 0.25 -> confidence < 0.75)
ACTIVITY_EMA_ALPHA = 0.02  # CHOICE: activity allocation EMA, ~50 cycles (0.2 let one cycle's demand in
# one service swing persona consistency to 0.65 in a sparse market: IIS < 0.88 from noise)
STATE_EMA_ALPHA = 0.2  # CHOICE: smoothing of P, C and the dynamic state X
OSC_WINDOW = 20  # CHOICE: R_osc over the last 20 cycles
SKILL_BIDDING = "bidding"  # CapabilityMatrix non-service skills (L49-notes)
SKILL_SETTLEMENT = "settlement"

# ---------------------------------------------------------------------------------------------------
# Goal synthesis choices (gap 2 and §3 silences; docs/cognition.md "Goal synthesis")
# ---------------------------------------------------------------------------------------------------
# Value profile of each origin type over VALUE_DIMENSIONS: the direction in value space a goal of that
# origin pulls toward (used for purpose alignment, value alignment and v_post).
ORIGIN_VALUE_PROFILES = {
    "PURPOSE_DERIVED": (0.15, 0.10, 0.45, 0.10, 0.05, 0.10, 0.05),
    "OPPORTUNITY_DRIVEN": (0.05, 0.35, 0.15, 0.20, 0.15, 0.05, 0.05),
    "GAP_FILLING": (0.10, 0.35, 0.20, 0.15, 0.10, 0.05, 0.05),
    "VALUE_ALIGNED": (1 / 7,) * 7,  # replaced by the mutated vector's direction at synthesis
    "EXPLORATORY": (0.05, 0.20, 0.10, 0.05, 0.45, 0.05, 0.10),
    "SURVIVAL_DRIVEN": (0.40, 0.05, 0.15, 0.15, 0.02, 0.20, 0.03),
}
GOAL_VALUE_PULL = 0.25  # lambda in v_post = proj((1 - lambda) v + lambda profile) (CHOICE)
GOAL_COMMIT = {  # share of the goal's resource committed (CHOICE)
    "PURPOSE_DERIVED": 0.05,
    "OPPORTUNITY_DRIVEN": 0.10,
    "GAP_FILLING": 0.05,
    "VALUE_ALIGNED": 0.05,
    "EXPLORATORY": 0.05,
    "SURVIVAL_DRIVEN": 0.0,
}
TIER_DURATION = {"TACTICAL": 50, "OPERATIONAL": 100, "STRATEGIC": 300}  # estimated cycles (CHOICE)
OPPORTUNITY_SHIFT = 0.20  # share of activity moved toward an opportunity when projecting SEOF (CHOICE)
OPPORTUNITY_WON_TARGET = 5  # jobs to win in the service for an opportunity goal (CHOICE)
PURPOSE_SHARE_TARGET = 0.8  # purpose goal: reach 80 % of the service's declared weight (CHOICE)
GAP_CONFIDENCE_TARGET = 0.75  # gap goal: raise confidence past the 0.25-magnitude line (CHOICE)
EXPLORATION_MIN_WEIGHT = 0.12  # curiosity stream fires when exploration weight >= this (CHOICE)
MUTATION_EVIDENCE_THRESHOLD = 0.5  # value-evolution signal strength needed to propose (CHOICE)

# ---------------------------------------------------------------------------------------------------
# Further implementation choices (docs/cognition.md "Choices")
# ---------------------------------------------------------------------------------------------------
VERIFY_COST = 0.1  # interaction matrix: cost of verified (escrow + check) trade, in job values
DEFECT_LOSS = 0.5  # loss when trusting a defector (half recovered through the escrow)
DEFECTOR_SLASH = 0.2  # a verified defector's loss (dispute lost, stake slashed)
JOB_GAS_COST_FACTOR = 0.2  # gas cost per job = 0.2 x cost ratio C
WORLD_LONG_ALPHA = 0.02  # long-run mean used to normalise market dimensions
PRICE_LONG_ALPHA = 0.05  # long-run price level per service
PRICE_HOT_MARGIN = 1.05  # a service is "hot" when its price exceeds 1.05 x its long-run level
PRICE_HOT_WINDOW = 20  # DEMAND_UP probability = share of hot cycles among the last 20
HEALTH_DEV_ALPHA = 0.1  # scale of market-health changes for the scenario likelihood
ACTIVE_SHARE_MIN = 0.05  # a service counts as active above this activity share
GOAL_OPPOSITION_COSINE = -0.5  # two goals pull values in opposite directions below this cosine
BELIEF_ALIGNMENT_ALPHA = 0.2  # EMA rate of a counterparty's goal alignment
EMOTIONAL_VOLATILITY_SCALE = 10.0  # emotional stability = 1 - min(1, 10 x EMA |dSEOF|)
