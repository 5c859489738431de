"""Who the simulated patients are: demographics, lesions, previous therapy and screening.

Produces ``patients.csv`` and ``screening.csv``. With ``exact=True`` (the publication-matched
cohort) the published totals hold exactly: 35 girls, mean age 4.1 months (range 0.3-25.0), mean
KMP duration 2.1 months (range 0.0-17.5), 5 retroperitoneal/intrathoracic lesions, 39 biopsies,
24 previously treated patients, 78 screened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from khetrial.simulate import parameters as P
from khetrial.simulate.profiles import Profile

PREVIOUS_AGENTS = ("corticosteroids", "vincristine", "propranolol", "embolization", "interferon")
PREVIOUS_AGENT_WEIGHTS = (0.55, 0.25, 0.10, 0.06, 0.04)  # chosen; Pub.: "The most common previous therapy ... was corticosteroids"


@dataclass(frozen=True)
class Cohort:
    """The patients table and, per patient, the previous KHE therapies (agent names)."""

    patients: pd.DataFrame
    previous_therapy: dict[str, tuple[str, ...]]
    screening: pd.DataFrame


def patient_id(index: int) -> str:
    return f"KHE-{index + 1:03d}"


def _exact_subset(rng, n: int, k: int, eligible: np.ndarray | None = None) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    pool = np.arange(n) if eligible is None else np.flatnonzero(eligible)
    flags[rng.choice(pool, size=min(k, len(pool)), replace=False)] = True
    return flags


def _exact_subset_by_arm(rng, arms: list[str], k: int, eligible: np.ndarray | None = None) -> np.ndarray:
    """``k`` flags split between the arms in proportion to their size (baseline balance, Pub.:
    "Baseline demographics and disease activity were similar among groups")."""
    arms_arr = np.array(arms)
    flags = np.zeros(len(arms), dtype=bool)
    names = sorted(set(arms))
    left = k
    for j, arm in enumerate(names):
        in_arm = arms_arr == arm
        share = left if j == len(names) - 1 else int(round(k * in_arm.sum() / len(arms)))
        mask = in_arm if eligible is None else in_arm & eligible
        flags |= _exact_subset(rng, len(arms), share, mask)
        left -= share
    return flags


def _months_to_days(months: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(months) * P.DAYS_PER_MONTH).astype(int)


def _fix_total(days: np.ndarray, target_total: int, keep: set[int], lo: int, hi: int) -> np.ndarray:
    """Spread ``target_total - sum`` over the free entries, one day at a time, within [lo, hi]."""
    days = days.copy()
    free = [i for i in range(len(days)) if i not in keep]
    diff = target_total - int(days.sum())
    step = 1 if diff > 0 else -1
    k = 0
    while diff != 0 and free:
        i = free[k % len(free)]
        if lo <= days[i] + step <= hi:
            days[i] += step
            diff -= step
        k += 1
        if k > 100000:
            break
    return days


def draw_ages(n: int, rng: np.random.Generator, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """(age at randomization, KMP duration) in days; KMP onset = age − duration ≥ 0."""
    onset = np.where(rng.random(n) < 0.4, rng.uniform(0, 0.5, n), rng.lognormal(np.log(1.6), 0.7, n))
    onset = np.clip(onset, 0, P.KMP_ONSET_AGE_MAX_MONTHS)
    duration = np.clip(rng.lognormal(np.log(1.1), 0.9, n), 0.05, 9.0)
    if not exact or n < 4:
        age = np.clip(onset + duration, P.AGE_RANGE_MONTHS[0], P.AGE_RANGE_MONTHS[1])
        age_d, dur_d = _months_to_days(age), _months_to_days(duration)
        return age_d, np.minimum(dur_d, age_d)
    # Extremes from the publication: the oldest child (KMP from 22.0 months, 3.0 months long),
    # the youngest (0.3 months, KMP from the first day of life), the longest and shortest KMP.
    onset[0], duration[0] = P.KMP_ONSET_AGE_MAX_MONTHS, P.AGE_RANGE_MONTHS[1] - P.KMP_ONSET_AGE_MAX_MONTHS
    onset[1], duration[1] = 0.0, P.AGE_RANGE_MONTHS[0]
    onset[2], duration[2] = 0.5, P.KMP_DURATION_RANGE_MONTHS[1]
    onset[3], duration[3] = 1.2, P.KMP_DURATION_RANGE_MONTHS[0]
    dur_d = np.maximum(_months_to_days(duration), 2)
    onset_d = _months_to_days(onset)
    dur_d[3] = 0
    keep = {0, 1, 2, 3}
    dur_total = round(P.MEAN_KMP_DURATION_MONTHS * P.DAYS_PER_MONTH * n)
    dur_d = _fix_total(dur_d, dur_total, keep, 2, int(8 * P.DAYS_PER_MONTH))
    age_total = round(P.MEAN_AGE_MONTHS * P.DAYS_PER_MONTH * n)
    onset_d[4:] = np.maximum(onset_d[4:], 8)  # every other child is at least 10 days old
    onset_d = _fix_total(onset_d, age_total - dur_total, keep, 8, int(12 * P.DAYS_PER_MONTH))
    age_d = onset_d + dur_d
    perm = rng.permutation(n)
    return age_d[perm], dur_d[perm]


def growth_median(age_months: float) -> tuple[float, float]:
    """Median weight (kg) and length (cm) of an infant of this age (WHO-like, chosen)."""
    if age_months <= 6:
        return 3.4 + 0.65 * age_months, 50.0 + 2.9 * age_months
    return 7.3 + 0.22 * (age_months - 6), 67.4 + 1.2 * (age_months - 6)


def _growth(age_months: float, rng: np.random.Generator) -> tuple[float, float]:
    """Weight (kg) and length (cm) of an infant of this age (the medians, with spread)."""
    weight, height = growth_median(age_months)
    return (round(float(weight * rng.normal(1, 0.08)), 1), round(float(height * rng.normal(1, 0.03)), 1))


def randomization_dates(n: int, rng: np.random.Generator) -> list[date]:
    span = (P.ENROLMENT_END - P.ENROLMENT_START).days - 20
    offsets = np.sort(rng.choice(np.arange(5, span), size=n, replace=n > span - 5))
    return [P.ENROLMENT_START + timedelta(days=int(d)) for d in offsets]


def draw_cohort(profiles: list[Profile], rng: np.random.Generator, exact: bool) -> Cohort:
    """Draw every patient's baseline characteristics (``exact`` = publication totals)."""
    n = len(profiles)
    rand_dates = randomization_dates(n, rng)
    age_d, dur_d = draw_ages(n, rng, exact)
    arms = [p.arm for p in profiles]
    female = _exact_subset_by_arm(rng, arms, P.N_FEMALE) if exact else rng.random(n) < P.N_FEMALE / sum(P.N_PER_ARM.values())
    biopsy = _exact_subset(rng, n, P.N_BIOPSY) if exact else rng.random(n) < P.N_BIOPSY / 73
    deep_site = _exact_subset(rng, n, P.N_RETROPERITONEAL_OR_INTRATHORACIC) if exact else rng.random(n) < 5 / 73
    # Previous therapy needs time: only children at least 30 days old (it ended ≥ 8 days before
    # enrolment; Pub.: "previously treated ... within 1 week before enrollment" were excluded).
    old_enough = age_d >= 30
    previous = (_exact_subset_by_arm(rng, arms, P.N_PREVIOUS_THERAPY, old_enough) if exact
                else (rng.random(n) < P.N_PREVIOUS_THERAPY / 73) & old_enough)
    sites = list(P.LESION_SITE_WEIGHTS)
    site_w = np.array(list(P.LESION_SITE_WEIGHTS.values()))
    depths = list(P.LESION_DEPTH_WEIGHTS)
    depth_w = np.array(list(P.LESION_DEPTH_WEIGHTS.values()))
    rows, prev = [], {}
    for i, profile in enumerate(profiles):
        pid = patient_id(profile.index)
        rdate = rand_dates[i]
        age_m = age_d[i] / P.DAYS_PER_MONTH
        weight, height = _growth(age_m, rng)
        if deep_site[i]:
            lesion_site = "retroperitoneal" if rng.random() < 0.6 else "intrathoracic"
            depth = "deep"
        else:
            lesion_site = str(rng.choice(sites, p=site_w))
            depth = str(rng.choice(depths, p=depth_w))
        rows.append({
            "patient_id": pid,
            "site_id": str(rng.choice(P.SITES, p=P.SITE_WEIGHTS)),
            "sex": "F" if female[i] else "M",
            "birth_date": (rdate - timedelta(days=int(age_d[i]))).isoformat(),
            "randomization_date": rdate.isoformat(),
            "arm": profile.arm,
            "weight_kg": max(weight, 1.5),
            "height_cm": max(height, 40.0),
            "lesion_depth": depth,
            "lesion_site": lesion_site,
            "kmp_onset_date": (rdate - timedelta(days=int(dur_d[i]))).isoformat(),
            "biopsy": int(biopsy[i]),
        })
        if previous[i]:
            k = 2 if rng.random() < 0.25 else 1
            agents = rng.choice(PREVIOUS_AGENTS, size=k, replace=False, p=PREVIOUS_AGENT_WEIGHTS)
            # An infant just born with KMP has had no time for earlier treatment: keep it plausible.
            prev[pid] = tuple(sorted(str(a) for a in agents))
    patients = pd.DataFrame(rows)
    return Cohort(patients=patients, previous_therapy=prev,
                  screening=draw_screening(patients, rng, exact))


def draw_screening(patients: pd.DataFrame, rng: np.random.Generator, exact: bool) -> pd.DataFrame:
    """Everyone screened: the randomized patients plus the screen failures (reasons chosen)."""
    n = len(patients)
    n_fail = P.N_SCREENED - n if exact else int(rng.binomial(max(n, 1), (P.N_SCREENED - 73) / 73))
    rows = []
    for _, p in patients.iterrows():
        rdate = date.fromisoformat(p["randomization_date"])
        rows.append({"date": (rdate - timedelta(days=int(rng.integers(1, 6)))).isoformat(),
                     "site_id": p["site_id"], "eligible": 1, "reason": None, "patient_id": p["patient_id"]})
    span = (P.ENROLMENT_END - P.ENROLMENT_START).days
    for k in range(max(n_fail, 0)):
        reason = P.SCREEN_FAILURE_REASONS[k % len(P.SCREEN_FAILURE_REASONS)]
        day = P.ENROLMENT_START + timedelta(days=int(rng.integers(0, span)))
        rows.append({"date": day.isoformat(), "site_id": str(rng.choice(P.SITES, p=P.SITE_WEIGHTS)),
                     "eligible": 0, "reason": reason, "patient_id": None})
    screening = pd.DataFrame(rows).sort_values(["date", "site_id"], kind="stable").reset_index(drop=True)
    screening.insert(0, "screening_id", [f"SCR-{i + 1:03d}" for i in range(len(screening))])
    return screening[["screening_id", "site_id", "date", "eligible", "reason", "patient_id"]]
