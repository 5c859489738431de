"""Laboratory trajectories: platelets, fibrinogen, D-dimer, hemoglobin, ALT and AST (labs.csv).

Platelets are counted every 2 days for the first 6 weeks (Pub.: "blood counts every 2 days until
the stabilization of platelet counts"), weekly to week 12, then at the protocol visits. Each
patient's weekly values (weeks 0-4) come from per-arm quantile curves ranked by response speed,
so the arm medians are the published ones; every value then obeys the patient's profile with a
clear margin around the 100 ×10⁹/L and 1.6 g/L thresholds.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from khetrial.constants import ARMS, VISIT_WEEKS
from khetrial.simulate import parameters as P
from khetrial.simulate.profiles import RESPONSE_CLASSES, Profile

#: Study days whose count is the week 0..4 value under the plan's "closest, ties to the earlier
#: date" rule when counts are taken every 2 days: 0, 6 (6 and 8 tie for day 7), 14, 20, 28.
WEEK_VALUE_DAYS = (0, 6, 14, 20, 28)
EARLY_DAYS = tuple(range(0, 43, 2))
WEEKLY_DAYS = tuple(range(49, 85, 7))
VISIT_DAYS = tuple(7 * w for w in VISIT_WEEKS if w > 12)
LAST_VISIT_DAY = VISIT_DAYS[-1]
LIVER_DAYS = (-3, 0, 7, 14, 28, 56, 84) + VISIT_DAYS


def platelet_days(profile: Profile) -> list[int]:
    """Measurement days: every 2 days until the count is stable (≥ 30 days after the response
    starts, at least to day 42), weekly to week 12, then the protocol visits."""
    stable = max(EARLY_DAYS[-1], (profile.response_day or 0) + 30)
    days = [-3, *range(0, stable + 1, 2), *(d for d in WEEKLY_DAYS if d > stable), *VISIT_DAYS]
    if profile.stop_day is not None and profile.stop_reason == "lack_of_efficacy":
        # after the switch to another therapy: weekly counts for 3 months
        days += list(range(profile.stop_day + 7, profile.stop_day + 92, 7))
    if not profile.assessed_m24:
        days = [d for d in days if d < 500]
    return sorted(set(days))


def _quantile_curve(q: tuple[float, ...], p: np.ndarray) -> np.ndarray:
    return np.interp(p, [0.0, 0.25, 0.5, 0.75, 1.0], q)


def draw_platelet_anchors(profiles: list[Profile], rng: np.random.Generator,
                            exact: bool) -> dict[int, np.ndarray]:
    """Week 0..4 platelet values per patient (index -> array of 5), per-arm medians exact."""
    anchors: dict[int, np.ndarray] = {p.index: np.zeros(5) for p in profiles}
    for arm in [a for a in ARMS if any(p.arm == a for p in profiles)]:  # fixed order: same seed, same rows
        group = [p for p in profiles if p.arm == arm]
        n = len(group)
        ps = (np.arange(n) + 0.5) / n
        for week in range(5):
            if week == 0:
                order = list(rng.permutation(n))
            else:  # slowest first: ascending rank = ascending value
                order = sorted(range(n), key=lambda i: (-RESPONSE_CLASSES.index(group[i].response_class),
                                                        group[i].latent))
            values = _quantile_curve(P.PLATELET_QUANTILES[arm][week], ps)
            values = np.array([_clip_for_week(group[i], week, v) for i, v in zip(order, values)])
            if exact and n >= 2:
                values = _exact_median(values, P.PLATELET_QUANTILES[arm][week][2])
            for i, v in zip(order, values):
                anchors[group[i].index][week] = v
    return anchors


def _clip_for_week(profile: Profile, week: int, value: float) -> float:
    day = WEEK_VALUE_DAYS[week]
    if profile.response_day is not None and day >= profile.response_day:
        return max(value, P.RESPONSE_FLOOR + 3)
    return min(value, P.NON_RESPONSE_CEILING - 3)


def _exact_median(sorted_values: np.ndarray, target: float) -> np.ndarray:
    """Shift the middle value(s) so that numpy's median is exactly ``target``."""
    v = sorted_values.astype(float).copy()
    n = len(v)
    if n % 2:
        v[n // 2] = target
    else:
        half = (v[n // 2] - v[n // 2 - 1]) / 2
        v[n // 2 - 1], v[n // 2] = target - half, target + half
    return v


def platelet_series(profile: Profile, anchors: np.ndarray,
                    rng: np.random.Generator) -> tuple[dict[int, int], int | None]:
    """The patient's platelet count on each measurement day, and the rebound day (if any)."""
    days = platelet_days(profile)
    plateau = rng.uniform(*P.PLATELET_PLATEAU)
    s = profile.response_day
    knot_days = list(WEEK_VALUE_DAYS)
    knot_vals = list(np.log(np.maximum(anchors, 2)))
    if s is not None and s > 28:  # late responder: low until s, then up
        knot_days += [s - 2, s, s + 30]
        knot_vals += [np.log(rng.uniform(50, P.NON_RESPONSE_CEILING - 5)), np.log(rng.uniform(120, 170)), np.log(plateau)]
    elif s is None:  # never responds on study treatment
        recover = (profile.stop_day or 60) + 21
        knot_days += [recover - 2, recover, recover + 30]
        knot_vals += [np.log(rng.uniform(20, 70)), np.log(rng.uniform(120, 170)), np.log(plateau)]
    else:
        knot_days += [70]
        knot_vals += [np.log(plateau)]
    knot_days.append(LAST_VISIT_DAY + 30)
    knot_vals.append(np.log(plateau * rng.uniform(0.8, 1.1)))
    start = s if s is not None else (profile.stop_day or 60) + 21
    rebound_day = _rebound_day(profile, days, rng) if profile.rebound else None
    out = {}
    for d in days:
        v = float(np.exp(np.interp(d, knot_days, knot_vals)))
        if d not in WEEK_VALUE_DAYS:
            v *= rng.normal(1, 0.06)
        if d < start:
            v = min(v, P.NON_RESPONSE_CEILING)
        else:
            v = max(v, P.RESPONSE_FLOOR)
        if d == -3:
            v = min(anchors[0] * rng.uniform(0.8, 1.2), P.NON_RESPONSE_CEILING)
        if rebound_day is not None and d == rebound_day:
            v = rng.uniform(*P.REBOUND_NADIR)
        out[d] = max(int(round(v)), 2)
    return out, rebound_day


def _rebound_day(profile: Profile, days: list[int], rng: np.random.Generator) -> int | None:
    lo, hi = P.REBOUND_DAYS
    start = profile.response_day if profile.response_day is not None else 60
    options = [d for d in days if lo <= d <= hi and d >= start + 42]
    return int(rng.choice(options)) if options else None


def fibrinogen_series(profile: Profile, days: list[int], rebound_day: int | None,
                      rng: np.random.Generator) -> dict[int, float]:
    base = rng.uniform(*P.FIBRINOGEN_BASELINE)
    if profile.fibrinogen_stable:
        lo, hi = P.FIBRINOGEN_STABLE_FROM_DAYS
        start = int(rng.choice(np.arange(lo, hi + 1, 2)))
    elif profile.response_day is not None:
        start = int(rng.integers(P.FIBRINOGEN_LATE_FROM_DAYS[0], P.FIBRINOGEN_LATE_FROM_DAYS[1] + 1))
        start = max(start, profile.response_day + 4)
    else:
        start = (profile.stop_day or 60) + 24
    target = rng.uniform(2.0, 3.4)
    out = {}
    for d in days:
        if d < start:
            frac = max(d, 0) / max(start, 1)
            v = min(base + frac * (P.FIBRINOGEN_LOW_CEILING - base) * rng.uniform(0.5, 1.0), P.FIBRINOGEN_LOW_CEILING)
        else:
            rise = min((d - start) / 20, 1)
            v = max(P.FIBRINOGEN_STABLE_FLOOR + rise * (target - P.FIBRINOGEN_STABLE_FLOOR) * rng.uniform(0.85, 1.15),
                    P.FIBRINOGEN_STABLE_FLOOR)
        if rebound_day is not None and d == rebound_day:
            v = rng.uniform(0.9, 1.4)
        out[d] = round(float(v), 2)
    return out


def d_dimer_series(profile: Profile, days: list[int], rng: np.random.Generator) -> dict[int, float]:
    base = rng.lognormal(np.log(12), 0.6)
    start = profile.response_day if profile.response_day is not None else (profile.stop_day or 60) + 21
    return {d: round(float(min(base * rng.uniform(0.9, 1.1) if d < start else
                                max(base * np.exp(-(d - start) / 12), rng.uniform(0.2, 0.5)), 99.0)), 2)
            for d in days}


def hemoglobin_series(profile: Profile, days: list[int], rng: np.random.Generator) -> dict[int, int]:
    base = rng.uniform(55, 112)
    start = profile.response_day if profile.response_day is not None else (profile.stop_day or 60) + 21
    normal = rng.uniform(108, 128)
    out = {}
    for d in days:
        frac = 0 if d < start else min((d - start) / 40, 1)
        out[d] = int(round(base + frac * (normal - base) + rng.normal(0, 3)))
    return out


def liver_series(days: list[int], peak_day: int | None, rng: np.random.Generator) -> tuple[dict, dict]:
    alt, ast = {}, {}
    base_alt, base_ast = rng.uniform(12, 35), rng.uniform(20, 45)
    for d in days:
        a, b = base_alt * rng.uniform(0.8, 1.25), base_ast * rng.uniform(0.8, 1.25)
        if peak_day is not None and d == peak_day:
            a, b = P.ALT_UPPER_LIMIT * rng.uniform(2.3, 3.8), P.ALT_UPPER_LIMIT * rng.uniform(1.8, 3.0)
        alt[d], ast[d] = int(round(a)), int(round(b))
    return alt, ast


def draw_labs(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator,
                exact: bool, alt_peaks: dict[str, int]) -> pd.DataFrame:
    """labs.csv: one row per measurement, patients in order, then by date and test."""
    anchors = draw_platelet_anchors(profiles, rng, exact)
    rows = []
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        pid = patient["patient_id"]
        day0 = date.fromisoformat(patient["randomization_date"])
        platelets, rebound_day = platelet_series(profile, anchors[profile.index], rng)
        days = sorted(platelets)
        fib = fibrinogen_series(profile, days, rebound_day, rng)
        coag_days = [d for d in days if d <= 0 or d % 7 == 0 or d > 42]
        dd = d_dimer_series(profile, coag_days, rng)
        hb = hemoglobin_series(profile, coag_days, rng)
        liver_days = [d for d in LIVER_DAYS if d in set(days) or d <= 0]
        alt, ast = liver_series(liver_days, alt_peaks.get(pid), rng)
        series = {"platelets": platelets, "fibrinogen": fib, "d_dimer": dd, "hemoglobin": hb,
                  "alt": alt, "ast": ast}
        for d in days:
            when = (day0 + timedelta(days=d)).isoformat()
            for test, values in series.items():
                if d in values:
                    rows.append((pid, when, test, values[d]))
    return pd.DataFrame(rows, columns=["patient_id", "date", "test", "value"])
