"""A simulated patient's *profile*: what happens to them, decided before any data are drawn.

The data generators (cohort, trajectories, treatment, outcomes, adverse events) only turn a
profile into rows. :func:`random_profiles` draws profiles with the probabilities the publication's
counts imply; :mod:`khetrial.simulate.publication` assigns them so that the counts are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.simulate import parameters as P

#: Response classes, fastest first: durable response starting in week 1..4, after week 4, never.
RESPONSE_CLASSES = ("w1", "w2", "w3", "w4", "late", "never")


@dataclass(frozen=True)
class Profile:
    """What the simulator makes happen to one patient (days are study days)."""

    index: int
    arm: str
    response_class: str  # one of RESPONSE_CLASSES
    response_day: int | None = None  # first day of the durable platelet run
    stop_reason: str | None = None  # "lack_of_efficacy" / "parent_request" (disposition)
    stop_day: int | None = None
    rescue_steroid_day: int | None = None  # prednisolone started after day 0 in arm S
    fibrinogen_stable: bool = False  # fibrinogen > 1.6 g/L durably from a day ≤ 28
    lesion_category: str = "partial"  # category the month-12 MRI shows
    qol_improved: bool = True
    rebound: bool = False
    assessed_m24: bool = True
    sequelae: tuple[str, ...] = ()
    completed_day: int | None = None  # sirolimus stopped as planned (disposition "completed")
    transfusions: int = 0
    ae_events: int = 0
    latent: float = field(default=0.5)  # 0..1, orders patients within a response class

    @property
    def responds_by_week4(self) -> bool:
        return self.response_class in ("w1", "w2", "w3", "w4")

    @property
    def responds(self) -> bool:
        return self.response_class != "never"

    @property
    def censored_before_m12(self) -> bool:
        return self.stop_day is not None or self.rescue_steroid_day is not None

    def with_(self, **changes) -> Profile:
        return replace(self, **changes)


def class_counts(arm: str) -> dict[str, int]:
    """Number of patients per response class in the published arm."""
    cumulative = P.CUMULATIVE_RESPONDERS[arm]
    counts = {"w1": cumulative[0]}
    for k in range(1, 4):
        counts[f"w{k + 1}"] = cumulative[k] - cumulative[k - 1]
    counts["late"] = P.LATE_RESPONDERS[arm]
    counts["never"] = P.N_PER_ARM[arm] - cumulative[3] - P.LATE_RESPONDERS[arm]
    return counts


def draw_response_day(response_class: str, rng: np.random.Generator) -> int | None:
    """First day of the durable run for a class (even days: counts are taken every 2 days)."""
    if response_class == "never":
        return None
    if response_class == "late":
        lo, hi = P.LATE_RESPONSE_DAYS
        return int(rng.integers(lo, hi + 1))
    lo, hi = P.RESPONSE_DAYS[int(response_class[1])]
    return int(rng.choice(np.arange(lo, hi + 1, 2)))


def permuted_block_arms(n: int, rng: np.random.Generator) -> list[str]:
    """1:1 allocation in permuted blocks of 4, cut to ``n`` patients."""
    arms: list[str] = []
    while len(arms) < n:
        block = [SP, SP, S, S]
        rng.shuffle(block)
        arms.extend(block)
    return arms[:n]


def _p(count: int, total: int) -> float:
    return count / total if total else 0.0


def random_profiles(n: int, rng: np.random.Generator) -> list[Profile]:
    """Draw ``n`` independent profiles with the published proportions as probabilities."""
    profiles = []
    for index, arm in enumerate(permuted_block_arms(n, rng)):
        profiles.append(_random_profile(index, arm, rng))
    return profiles


def _random_profile(index: int, arm: str, rng: np.random.Generator) -> Profile:
    n_arm = P.N_PER_ARM[arm]
    counts = class_counts(arm)
    classes = list(counts)
    response_class = str(rng.choice(classes, p=[counts[c] / n_arm for c in classes]))
    profile = Profile(index=index, arm=arm, response_class=response_class,
                      response_day=draw_response_day(response_class, rng), latent=float(rng.random()))
    if response_class == "never":
        lo, hi = P.LACK_OF_EFFICACY_STOP_DAYS
        profile = profile.with_(stop_reason="lack_of_efficacy", stop_day=int(rng.integers(lo, hi + 1)))
    elif response_class == "late" and rng.random() < _p(P.RESCUE_STEROIDS[arm], counts["late"]):
        lo, hi = P.RESCUE_STEROID_DAYS
        profile = profile.with_(rescue_steroid_day=int(rng.integers(lo, hi + 1)))
    elif rng.random() < _p(P.PARENT_REQUEST[arm], n_arm):
        lo, hi = P.PARENT_REQUEST_STOP_DAYS
        profile = profile.with_(stop_reason="parent_request", stop_day=int(rng.integers(lo, hi + 1)))
    n_wk4 = P.CUMULATIVE_RESPONDERS[arm][3]
    fib = profile.responds_by_week4 and rng.random() < _p(P.FIBRINOGEN_STABILIZED[arm], n_wk4)
    lesion_counts = P.LESION_CATEGORIES[arm]
    names = list(lesion_counts)
    total = sum(lesion_counts.values())
    lesion = str(rng.choice(names, p=[lesion_counts[c] / total for c in names]))
    evaluable = n_arm - counts["never"] - P.RESCUE_STEROIDS[arm] - P.PARENT_REQUEST[arm]
    qol = rng.random() < _p(P.QOL_IMPROVED[arm], evaluable)
    responders = n_arm - counts["never"] - P.RESCUE_STEROIDS[arm] - P.PARENT_REQUEST[arm]
    rebound = profile.responds and not profile.censored_before_m12 and rng.random() < _p(P.REBOUND[arm], responders)
    assessed = rng.random() < _p(P.ASSESSED_M24[arm], n_arm)
    sequelae: tuple[str, ...] = ()
    if assessed and rng.random() < _p(P.SEQUELAE[arm], P.ASSESSED_M24[arm]):
        sequelae = draw_sequelae(rng)
    completed = None
    if profile.stop_day is None and rng.random() < _p(P.COMPLETED_TREATMENT[arm], n_arm - counts["never"]):
        completed = int(rng.integers(P.COMPLETION_DAYS[0], P.COMPLETION_DAYS[1] + 1))
    mean_tx = sum(k * v for k, v in P.TRANSFUSION_COUNTS[arm].items()) / n_arm
    # slower responders need more transfusions; the weights average to 1 over the arm's classes
    weight = {c: 0.5 + RESPONSE_CLASSES.index(c) / (len(RESPONSE_CLASSES) - 1) for c in classes}
    norm = sum(counts[c] * weight[c] for c in classes) / n_arm
    transfusions = int(rng.poisson(mean_tx * weight[response_class] / norm))
    mean_ae = P.AE_EVENTS[arm] / n_arm
    return profile.with_(fibrinogen_stable=bool(fib), lesion_category=lesion, qol_improved=bool(qol),
                         rebound=bool(rebound), assessed_m24=bool(assessed), sequelae=sequelae,
                         completed_day=completed, transfusions=transfusions,
                         ae_events=int(rng.poisson(mean_ae)))


def draw_sequelae(rng: np.random.Generator) -> tuple[str, ...]:
    """One sequela, sometimes two (20 sequelae in 16 patients), with the published frequencies."""
    names = list(P.SEQUELA_COUNTS)
    weights = np.array([P.SEQUELA_COUNTS[n] for n in names], dtype=float)
    k = 2 if rng.random() < 4 / 16 else 1
    chosen = rng.choice(names, size=k, replace=False, p=weights / weights.sum())
    return tuple(sorted(str(c) for c in chosen))
