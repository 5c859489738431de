"""Adverse events (adverse_events.csv) with CTCAE v4.0 terms, grades and actions.

In the publication-matched cohort the totals are the published ones: 133 vs 122 events
(3.6 vs 3.4 per patient), 21 events of grade 3-4 (7 upper respiratory infections and 5 pneumonias
among them), transaminase increases in 4 vs 2 patients, temporary interruption in 15 and dose
reduction in 7 patients, no withdrawal for toxicity.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from khetrial.constants import ARM_EXPERIMENTAL, ARMS
from khetrial.simulate import parameters as P
from khetrial.simulate.profiles import Profile
from khetrial.simulate.treatment import sirolimus_last_day

AE_COLUMNS = ["patient_id", "term", "onset_date", "end_date", "grade", "serious", "related", "action"]
TRANSAMINASE_TERM = "alanine_aminotransferase_increased"
LIVER_VISIT_DAYS = (28, 56, 84, 168, 252)


def _terms(arm: str) -> tuple[list[str], np.ndarray]:
    weights = dict(P.AE_TERM_WEIGHTS)
    if arm == ARM_EXPERIMENTAL:
        weights.update(P.AE_STEROID_TERMS)
    names = list(weights)
    w = np.array([weights[n] for n in names], dtype=float)
    return names, w / w.sum()


def _quota_terms(arm: str, k: int, rng: np.random.Generator) -> list[str]:
    """``k`` terms in proportion to the weights (largest remainder), shuffled: both arms get the
    same mix (Pub.: "no significant difference overall or according to individual events")."""
    names, weights = _terms(arm)
    exact = weights * k
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[:k - counts.sum()]:
        counts[i] += 1
    terms = [name for name, c in zip(names, counts) for _ in range(c)]
    rng.shuffle(terms)
    return terms


def _split(total: int, arms_n: dict[str, int]) -> dict[str, int]:
    """Split a two-arm total in proportion to arm size, the larger share to the experimental arm."""
    n = sum(arms_n.values())
    sp = int(np.ceil(total * arms_n.get(ARM_EXPERIMENTAL, 0) / n)) if n else 0
    return {ARM_EXPERIMENTAL: sp, **{a: total - sp for a in arms_n if a != ARM_EXPERIMENTAL}}


def draw_adverse_events(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator,
                          exact: bool) -> tuple[pd.DataFrame, dict[str, int]]:
    """The events table and, per patient with a transaminase increase, the day of the peak."""
    events = []  # dicts with patient index etc.
    pids = dict(zip((p.index for p in profiles), patients["patient_id"]))
    day0s = dict(zip((p.index for p in profiles), (date.fromisoformat(d) for d in patients["randomization_date"])))
    quotas = {arm: _quota_terms(arm, sum(p.ae_events for p in profiles if p.arm == arm), rng)
              for arm in ARMS} if exact else {}
    for profile in profiles:
        last = sirolimus_last_day(profile) or 700
        names, weights = _terms(profile.arm)
        onsets = sorted(int(d) for d in rng.integers(1, max(last - 5, 2), size=profile.ae_events))
        for d in onsets:
            term = quotas[profile.arm].pop() if exact else str(rng.choice(names, p=weights))
            events.append({"index": profile.index, "arm": profile.arm, "term": term,
                           "onset": d, "grade": int(rng.choice([1, 2], p=[0.7, 0.3])), "action": "none"})
    arms_n = {a: sum(p.arm == a for p in profiles) for a in ARMS if any(p.arm == a for p in profiles)}
    g3_terms = list(P.AE_GRADE3_TERMS)
    rng.shuffle(g3_terms)
    if exact:
        g3 = dict(P.AE_GRADE3_EVENTS)
        interrupted = _split(P.AE_INTERRUPTED_PATIENTS, arms_n)
        reduced = _split(P.AE_DOSE_REDUCED_PATIENTS, arms_n)
        alt_patients = dict(P.TRANSAMINASE_PATIENTS)
    else:
        rate = sum(P.AE_GRADE3_EVENTS.values()) / sum(P.AE_EVENTS.values())
        g3 = {a: int(rng.binomial(sum(e["arm"] == a for e in events), rate)) for a in arms_n}
        interrupted = {a: int(rng.binomial(n, P.AE_INTERRUPTED_PATIENTS / 73)) for a, n in arms_n.items()}
        reduced = {a: int(rng.binomial(n, P.AE_DOSE_REDUCED_PATIENTS / 73)) for a, n in arms_n.items()}
        alt_patients = {a: int(rng.binomial(n, 6 / 73)) for a, n in arms_n.items()}
    alt_peaks: dict[str, int] = {}
    for arm in arms_n:
        mine = [i for i, e in enumerate(events) if e["arm"] == arm]
        patients_with = sorted({events[i]["index"] for i in mine})
        chosen = [int(x) for x in rng.permutation(patients_with)]
        n_int = min(interrupted.get(arm, 0), len(chosen))
        int_patients, rest = chosen[:n_int], chosen[n_int:]
        red_patients = rest[:min(reduced.get(arm, 0), len(rest))]
        rest = rest[len(red_patients):]
        # grade >= 3: first one event of each interrupted patient, then any other events
        first_of = {}
        for i in mine:
            first_of.setdefault(events[i]["index"], i)
        g3_events = [first_of[p] for p in int_patients]
        others = [i for i in mine if i not in set(g3_events)]
        k = min(g3.get(arm, 0), len(mine))
        g3_events = (g3_events + [int(x) for x in rng.permutation(others)])[:k] if k else []
        for i in g3_events:
            events[i].update(grade=int(rng.choice([3, 4], p=[0.85, 0.15])),
                             term=g3_terms.pop() if g3_terms else "upper_respiratory_infection")
        for p in int_patients:
            events[first_of[p]]["action"] = "interrupted"
        for p in red_patients:
            events[first_of[p]]["action"] = "dose_reduced"
        # transaminase increases: one event of patients not yet carrying a grade >= 3 event
        g3_patients = {events[i]["index"] for i in g3_events}
        candidates = [p for p in rest + red_patients if p not in g3_patients] or rest + red_patients
        for p in candidates[:alt_patients.get(arm, 0)]:
            i = [j for j in mine if events[j]["index"] == p][-1]
            profile = profiles[p]
            last = sirolimus_last_day(profile) or 700
            day = int(rng.choice([d for d in LIVER_VISIT_DAYS if d < last] or [28]))
            events[i].update(term=TRANSAMINASE_TERM, onset=day, grade=int(rng.choice([1, 2])))
            alt_peaks[pids[p]] = day
    rows = []
    for e in sorted(events, key=lambda e: (e["index"], e["onset"], e["term"])):
        day0 = day0s[e["index"]]
        grade = e["grade"]
        duration = int(rng.integers(3, 29)) if e["action"] == "interrupted" else int(rng.integers(2, 15))
        rows.append({"patient_id": pids[e["index"]], "term": e["term"],
                     "onset_date": (day0 + timedelta(days=e["onset"])).isoformat(),
                     "end_date": (day0 + timedelta(days=e["onset"] + duration)).isoformat(),
                     "grade": grade, "serious": int(grade >= 3), "related": int(rng.random() < 0.45),
                     "action": e["action"]})
    return pd.DataFrame(rows, columns=AE_COLUMNS), alt_peaks
