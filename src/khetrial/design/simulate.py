"""Simulated operating characteristics of a whole trial design.

Each simulated trial of a :class:`~khetrial.design.scenario.Scenario` goes through the analysis
plan's endpoint derivation (:func:`~khetrial.design.derive.derive_batch_endpoints`, all trials
of a chunk in one array pass) and the plan's tests: the two-sided Fisher exact test (a lookup
in the table of p-values of every possible 2×2 table at the arms' sizes, computed once) and the
Newcombe hybrid score interval for the difference experimental − control (a lookup in the
table built from :func:`khetrial.stats.proportions.wilson_interval`).

Trials are simulated in chunks of :data:`CHUNK_TRIALS`; chunk ``i`` draws from the ``i``-th
child of ``numpy.random.SeedSequence(seed)``, so a seed gives the same trials whatever the
number of worker processes. For each binary endpoint the result gives the rejection rate
(power, or type I error when both arms have the same model) with its Monte Carlo standard
error √(p(1 − p)/trials), and for the primary endpoint the distribution of the difference.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np

from khetrial.design.derive import (
    PRIMARY_ENDPOINT,
    RESPONDER_HORIZON_DAYS,
    SIMULATED_ENDPOINTS,
    derive_batch_endpoints,
)
from khetrial.design.exact import compute_fisher_pvalue_table
from khetrial.design.scenario import Scenario
from khetrial.design.trajectories import simulate_trials
from khetrial.errors import ConfigurationError
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, CONFIDENCE_LEVEL
from khetrial.stats.proportions import wilson_interval

CHUNK_TRIALS = 250  # trials per array pass (≈ 18,000 patients for the publication's design)
DIFFERENCE_QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
MAX_TRIALS = 10_000_000


# --- tests for every possible table, computed once -----------------------------------------------
@lru_cache(maxsize=16)
def newcombe_table(n_experimental: int, n_control: int,
                   level: float = CONFIDENCE_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe (1998, method 10) limits for every table: ``(lower, upper)[x_e, x_c]``.

    Built from the two arms' Wilson intervals (:func:`khetrial.stats.proportions.
    wilson_interval`): lower = d − √((p_e − l_e)² + (u_c − p_c)²), upper = d + √((u_e − p_e)² +
    (p_c − l_c)²), within [−1, 1], as :func:`khetrial.stats.proportions.diff_proportions`.
    """
    def arm(n: int):
        w = [wilson_interval(x, n, level) for x in range(n + 1)]
        return (np.array([i.estimate for i in w]), np.array([i.lower for i in w]),
                np.array([i.upper for i in w]))

    p_e, l_e, u_e = (a[:, None] for a in arm(n_experimental))
    p_c, l_c, u_c = (a[None, :] for a in arm(n_control))
    d = p_e - p_c
    lower = np.maximum(-1.0, d - np.hypot(p_e - l_e, u_c - p_c))
    upper = np.minimum(1.0, d + np.hypot(u_e - p_e, p_c - l_c))
    lower.setflags(write=False)
    upper.setflags(write=False)
    return lower, upper


def fisher_table(n_experimental: int, n_control: int) -> np.ndarray:
    """Two-sided Fisher p-value of every table, indexed ``[x_e, x_c]``."""
    return compute_fisher_pvalue_table(n_control, n_experimental).T


# --- one chunk: simulate, derive, count -----------------------------------------------------------
def simulate_chunk_counts(scenario: Scenario, n_trials: int,
                          seed: np.random.SeedSequence) -> np.ndarray:
    """Events per trial, endpoint and arm: int array ``[trial, endpoint, arm]`` (arm 0 = SP)."""
    batch = simulate_trials(scenario, n_trials, np.random.default_rng(seed))
    endpoints = derive_batch_endpoints(batch, horizon=RESPONDER_HORIZON_DAYS)
    group = (np.repeat(np.arange(n_trials), batch.n_per_trial) * 2 + batch.arm).astype(np.int64)
    counts = np.empty((n_trials, len(SIMULATED_ENDPOINTS), 2), dtype=np.int32)
    for j, name in enumerate(SIMULATED_ENDPOINTS):
        counts[:, j, :] = np.bincount(group, weights=endpoints[name],
                                      minlength=2 * n_trials).reshape(n_trials, 2)
    return counts


def chunk_plan(n_trials: int, seed: int | None,
               chunk: int = CHUNK_TRIALS) -> list[tuple[int, np.random.SeedSequence]]:
    """(trials, seed sequence) of each chunk; the same for any number of workers."""
    sizes = [chunk] * (n_trials // chunk) + ([n_trials % chunk] if n_trials % chunk else [])
    children = np.random.SeedSequence(seed).spawn(len(sizes))
    return list(zip(sizes, children))


def simulate_counts(scenario: Scenario, n_trials: int, seed: int | None = None,
                    workers: int = 1,
                    progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Events ``[trial, endpoint, arm]`` of ``n_trials`` trials, over ``workers`` processes."""
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or not 1 <= n_trials <= MAX_TRIALS:
        raise ConfigurationError(f"--trials: got {n_trials!r}; expected a whole number from 1 to "
                                 f"{MAX_TRIALS}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigurationError(f"--workers: got {workers!r}; expected a whole number ≥ 1")
    plan = chunk_plan(n_trials, seed)
    parts: list[np.ndarray | None] = [None] * len(plan)
    if workers == 1 or len(plan) == 1:
        for i, (size, child) in enumerate(plan):
            parts[i] = simulate_chunk_counts(scenario, size, child)
            if progress:
                progress(size)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(plan))) as pool:
            futures = {pool.submit(simulate_chunk_counts, scenario, size, child): (i, size)
                       for i, (size, child) in enumerate(plan)}
            for future in as_completed(futures):
                i, size = futures[future]
                parts[i] = future.result()
                if progress:
                    progress(size)
    return np.concatenate(parts, axis=0)


# --- results -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EndpointCharacteristics:
    """One binary endpoint over the simulated trials.

    ``rejection_rate`` is the share of trials with Fisher p ≤ α (power; type I error under a
    null scenario), ``mc_se`` its Monte Carlo standard error √(p(1 − p)/trials);
    ``ci_excludes_zero`` the share whose Newcombe 95 % interval excludes 0; ``mean_*`` the mean
    proportion of patients with the event per arm and their mean difference (SP − S).
    """

    endpoint: str
    rejection_rate: float
    mc_se: float
    ci_excludes_zero: float
    mean_experimental: float
    mean_control: float
    mean_difference: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SimulationResult:
    """Operating characteristics of a design: per endpoint, and the primary difference."""

    scenario: str
    trials: int
    seed: int | None
    workers: int
    alpha: float
    null: bool  #: both arms have the same model: rejection rates are type I errors
    n_experimental: int
    n_control: int
    endpoints: tuple[EndpointCharacteristics, ...]
    primary_endpoint: str
    primary_difference: dict  #: mean, sd and quantiles of the primary difference (SP − S)
    elapsed_seconds: float = 0.0

    @property
    def trials_per_second(self) -> float:
        return self.trials / self.elapsed_seconds if self.elapsed_seconds > 0 else math.inf

    def endpoint(self, name: str) -> EndpointCharacteristics:
        return next(e for e in self.endpoints if e.endpoint == name)

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("scenario", "trials", "seed", "workers", "alpha",
                                             "null", "n_experimental", "n_control",
                                             "primary_endpoint", "primary_difference",
                                             "elapsed_seconds")}
        out["measure"] = "type_i_error" if self.null else "power"
        out["trials_per_second"] = self.trials_per_second
        out["endpoints"] = {e.endpoint: e.to_dict() for e in self.endpoints}
        return out


def is_null_scenario(scenario: Scenario) -> bool:
    """Both arms follow the same model (sizes may differ): every rejection is a type I error."""
    e, c = scenario.arms[ARM_EXPERIMENTAL], scenario.arms[ARM_CONTROL]
    return replace(e, n=0) == replace(c, n=0)


def summarize_counts(scenario: Scenario, counts: np.ndarray, seed: int | None = None,
                     workers: int = 1, elapsed: float = 0.0) -> SimulationResult:
    """Apply the plan's tests to every simulated trial's counts and summarize."""
    n_e, n_c = scenario.n_experimental, scenario.n_control
    p_table = fisher_table(n_e, n_c)
    lower, upper = newcombe_table(n_e, n_c)
    trials = counts.shape[0]
    rows = []
    primary = None
    for j, name in enumerate(SIMULATED_ENDPOINTS):
        x_e, x_c = counts[:, j, 0], counts[:, j, 1]
        reject = p_table[x_e, x_c] <= scenario.alpha
        excludes = (lower[x_e, x_c] > 0) | (upper[x_e, x_c] < 0)
        rate = float(reject.mean())
        difference = x_e / n_e - x_c / n_c
        if name == PRIMARY_ENDPOINT:
            primary = difference
        rows.append(EndpointCharacteristics(
            endpoint=name, rejection_rate=rate, mc_se=math.sqrt(rate * (1 - rate) / trials),
            ci_excludes_zero=float(excludes.mean()), mean_experimental=float(x_e.mean() / n_e),
            mean_control=float(x_c.mean() / n_c), mean_difference=float(difference.mean())))
    quantiles = np.quantile(primary, DIFFERENCE_QUANTILES)
    primary_difference = {"mean": float(primary.mean()),
                          "sd": float(primary.std(ddof=1)) if trials > 1 else 0.0,
                          "quantiles": {f"{q:g}": float(v) for q, v in zip(DIFFERENCE_QUANTILES, quantiles)}}
    return SimulationResult(
        scenario=scenario.name, trials=trials, seed=seed, workers=workers, alpha=scenario.alpha,
        null=is_null_scenario(scenario), n_experimental=n_e, n_control=n_c,
        endpoints=tuple(rows), primary_endpoint=PRIMARY_ENDPOINT,
        primary_difference=primary_difference, elapsed_seconds=elapsed)


def simulate_design(scenario: Scenario, n_trials: int, seed: int | None = None,
                    workers: int = 1,
                    progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Simulate ``n_trials`` trials of ``scenario`` and return their operating characteristics."""
    start = time.perf_counter()
    counts = simulate_counts(scenario, n_trials, seed, workers, progress)
    return summarize_counts(scenario, counts, seed, workers, time.perf_counter() - start)
