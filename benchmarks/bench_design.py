"""Simulated trials per second for the publication's design, vectorized vs the per-trial path.

    .venv/bin/python benchmarks/bench_design.py [--trials 10000] [--loop-trials 20] [--workers 2]

Prints, for ``examples/scenarios/publication.toml`` (37 + 36 patients):

* the vectorized simulator (``khetrial.design.simulate.simulate_design``: all trials of a chunk
  in one array pass through the endpoint kernels, Fisher/Newcombe by table lookup), with one
  worker process and with ``--workers``;
* the looped per-trial path in the same run: for each of ``--loop-trials`` trials, draw the
  trial, derive its endpoints with the analysis plan's full derivation
  (``khetrial.endpoints.adsl.derive_analysis_tables`` on its bundle tables) and test every
  endpoint with ``khetrial.stats.proportions.diff_proportions`` (Newcombe + Fisher);
* the ratio of the rates. Targets: 10,000 trials in under 10 s on 2 cores; ≥ 50× the loop.
No figure is asserted: this prints, a person reads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "examples" / "scenarios" / "publication.toml"


def looped_rate(scenario, n_trials: int, seed: int) -> float:
    """Trials per second of the per-trial path (draw one trial, derive, test, repeat)."""
    from khetrial.design.derive import SIMULATED_ENDPOINTS, derive_trial_endpoints
    from khetrial.design.trajectories import simulate_trials
    from khetrial.stats.proportions import diff_proportions

    n_e, n_c = scenario.n_experimental, scenario.n_control
    children = np.random.SeedSequence(seed).spawn(n_trials)
    derive_trial_endpoints(simulate_trials(scenario, 1, np.random.default_rng(0)), 0)  # warm up
    start = time.perf_counter()
    for child in children:
        batch = simulate_trials(scenario, 1, np.random.default_rng(child))
        table = derive_trial_endpoints(batch, 0)
        sp = table["arm"] == 0
        for name in SIMULATED_ENDPOINTS:
            diff_proportions(int(table.loc[sp, name].sum()), n_e,
                             int(table.loc[~sp, name].sum()), n_c)
    return n_trials / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    from khetrial.design.scenario import load_scenario
    from khetrial.design.simulate import simulate_design

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--loop-trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    scenario = load_scenario(SCENARIO)
    print(f"scenario {SCENARIO.relative_to(ROOT)}: {scenario.n_experimental} + "
          f"{scenario.n_control} patients; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.2f}")
    simulate_design(scenario, 250, seed=0)  # warm up (imports, lookup tables)

    rates = {}
    for workers in sorted({1, args.workers}):
        result = simulate_design(scenario, args.trials, seed=args.seed, workers=workers)
        rates[workers] = result.trials_per_second
        primary = result.endpoint(result.primary_endpoint)
        print(f"vectorized, {workers} worker(s): {args.trials:,} trials in "
              f"{result.elapsed_seconds:.2f} s = {result.trials_per_second:,.0f} trials/s "
              f"(primary power {primary.rejection_rate:.4f} ± {primary.mc_se:.4f})")
    loop = looped_rate(scenario, args.loop_trials, args.seed)
    print(f"looped per-trial path: {args.loop_trials} trials, {loop:.2f} trials/s "
          f"(10,000 trials would take {10_000 / loop:,.0f} s)")
    for workers, rate in rates.items():
        print(f"ratio vectorized / looped with {workers} worker(s): {rate / loop:,.0f}x "
              "(target >= 50x)")
    best = max(rates.values())
    print(f"10,000 trials at the best rate: {10_000 / best:.1f} s (target < 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
