"""`emergent bench cognition`: throughput of the cognitive cycle on one core, memory per agent state.

Figures:
- full_cycles_per_s: step() with the L4.9 phases forced on every call (substrate + all five phases +
  stability check + state copy), i.e. the most expensive cycle;
- cadence_cycles_per_s: step() as the seed runs it (L4.9 on every 5th cycle, drift monitor every 50th);
- substrate_cycles_per_s: the L4.8 substrate alone;
- sandbox_steps_per_s / sandbox_simulations_per_s: one shadow-evaluation step of the value-mutation
  sandbox, and a complete 200-cycle sandbox evaluation;
- state_bytes_json / state_bytes_pickle: size of one warmed-up agent state serialised (JSON as
  persisted via to_dict, and pickle); state_bytes_tracemalloc: memory allocated to hold one state copy.
Rates are per second of CPU time of this process (one core; other load on the machine does not
count). Observations are validated and built before timing (validation happens once per observation in the
runtime, outside the cycle).
"""

from __future__ import annotations

import json
import pickle
import time
import tracemalloc
from collections.abc import Callable

from agents.cognition import constants as K
from agents.cognition.mutation_sandbox import PendingMutation, propose_step, sandbox_step
from agents.cognition.orchestrator import _Options, _run, step
from agents.cognition.state import AgentState
from agents.cognition.substrate import update_substrate
from agents.cognition.synthetic import Market


def _warm(n: int = 300, seed: int = 1) -> tuple[AgentState, Market]:
    st = AgentState.new({"hash": 0.6, "sort": 0.4}, start_phase="FULL")
    m = Market(seed=seed)
    for c in range(n):
        st = step(st, m.observe(c)).state
    return st, m


def _timed(fn: Callable[[int], object], seconds: float) -> float:
    """Calls per second of this process's CPU time (time.process_time), so other processes competing
    for the machine's cores do not count against the figure; the loop runs for `seconds` of CPU."""
    n, t0 = 0, time.process_time()
    end = t0 + seconds
    while True:
        fn(n)
        n += 1
        if n % 20 == 0 and time.process_time() >= end:
            break
    return n / (time.process_time() - t0)


def run(seconds: float = 5.0, agents: int = 1) -> dict[str, float | int | bool]:
    """Measure and return the figures (seconds split over the four timings)."""
    share = max(seconds, 0.4) / 4
    pool = [_warm(seed=i + 1) for i in range(max(1, agents))]
    stream = []
    for st, m in pool:
        stream.append([m.observe(st.cycle + k) for k in range(4000)])
    states = [st for st, _ in pool]
    cursor = [0] * len(pool)

    def cycle(force: bool) -> Callable[[int], None]:
        def go(i: int) -> None:
            a = i % len(states)
            s = states[a].clone()
            obs = stream[a][cursor[a] % len(stream[a])]
            obs = obs.model_copy(update={"cycle": s.cycle})
            states[a] = _run(s, obs, _Options(force_l49=force)).state
            cursor[a] += 1

        return go

    full = _timed(cycle(True), share)
    cadence = _timed(cycle(False), share)
    st0 = states[0]
    obs0 = stream[0][0]

    def substrate_only(i: int) -> None:
        s = st0.clone()
        update_substrate(
            s.substrate,
            obs0.model_copy(update={"cycle": s.cycle}),
            s.values.weights,
            s.values.baseline,
            1.0,
            s.cycle,
        )

    sub = _timed(substrate_only, share)
    from agents.cognition.substrate import update_substrate as _us

    s = st0.clone()
    out = _us(
        s.substrate,
        obs0.model_copy(update={"cycle": s.cycle}),
        s.values.weights,
        s.values.baseline,
        1.0,
        s.cycle,
    )
    goals = [(K.ORIGIN_VALUE_PROFILES["SURVIVAL_DRIVEN"], 0.5), (K.ORIGIN_VALUE_PROFILES["EXPLORATORY"], 0.2)]
    shadow = list(propose_step(st0.values.weights, 1, K.PROPOSED_MUTATION_STEP))
    pm = PendingMutation(1, [a - b for a, b in zip(shadow, st0.values.weights, strict=True)], 0, "bench")

    def sandbox(i: int) -> None:
        sandbox_step(pm, st0.values.weights, st0.values.baseline, out.seof_inputs, out.identity_vector, goals)

    sb = _timed(sandbox, share)
    blob = st0.to_dict()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = st0.clone()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    return {
        "agents": len(states),
        "full_cycles_per_s": round(full, 1),
        "cadence_cycles_per_s": round(cadence, 1),
        "substrate_cycles_per_s": round(sub, 1),
        "sandbox_steps_per_s": round(sb, 1),
        "sandbox_simulations_per_s": round(sb / K.MUTATION_SANDBOX_CYCLES, 1),
        "state_bytes_json": len(json.dumps(blob)),
        "state_bytes_pickle": len(pickle.dumps(st0, protocol=pickle.HIGHEST_PROTOCOL)),
        "state_bytes_tracemalloc": after - before,
        "target_full_cycles_per_s": 1000,
        "meets_target": full >= 1000,
    }


def main(seconds: float = 5.0) -> None:
    r = run(seconds=seconds)
    print("cognition benchmark (one core, pure Python)")
    print(
        f"  full L4.9 cycles/s (L4.9 forced every cycle): {r['full_cycles_per_s']:>10.1f}  (target >= 1000)"
    )
    print(f"  cycles/s at the seed's cadence (L4.9 every 5): {r['cadence_cycles_per_s']:>10.1f}")
    print(f"  substrate-only (L4.8) cycles/s:               {r['substrate_cycles_per_s']:>10.1f}")
    print(f"  sandbox shadow-evaluation steps/s:            {r['sandbox_steps_per_s']:>10.1f}")
    print(f"  sandbox simulations/s (200 steps each):       {r['sandbox_simulations_per_s']:>10.1f}")
    print(
        f"  state per agent: {r['state_bytes_json']} B JSON, {r['state_bytes_pickle']} B pickle, "
        f"{r['state_bytes_tracemalloc']} B in memory (tracemalloc)"
    )


if __name__ == "__main__":
    main()
