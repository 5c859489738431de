"""The publication-matched cohort: 73 profiles whose endpoint counts are exactly the published ones.

Each patient gets a target profile by arm (responder from week 1/2/3/4, later or never; fibrinogen
stabilizer; lesion category; QOL improver; rebound; sequelae; discontinuation), chosen so that the
analysis plan's rules give the publication's counts. The rules' consequences are built in:

* patients who stop for lack of efficacy never respond, so they are no week-k responders;
* patients censored before month 12 (stops, rescue steroids) are lesion and QOL non-responders,
  so the published lesion and QOL counts are reached among the uncensored patients;
* rebound patients are responders that stay uncensored; sequelae only in assessed patients.

The seed changes which patient gets which profile and every measured value, never a count.
"""

from __future__ import annotations

import numpy as np

from khetrial.constants import ARMS
from khetrial.simulate import parameters as P
from khetrial.simulate.profiles import Profile, class_counts, draw_response_day


def published_profiles(rng: np.random.Generator) -> list[Profile]:
    """The 73 profiles of the publication-matched cohort, in randomization order."""
    arms = [arm for arm in ARMS for _ in range(P.N_PER_ARM[arm])]
    order = rng.permutation(len(arms))
    by_arm: dict[str, list[Profile]] = {}
    for arm in ARMS:
        by_arm[arm] = _arm_profiles(arm, rng)
    counters = {arm: 0 for arm in ARMS}
    profiles = []
    for index, slot in enumerate(order):
        arm = arms[slot]
        profiles.append(by_arm[arm][counters[arm]].with_(index=index))
        counters[arm] += 1
    return _assign_sequelae(profiles, rng)


def _pick(rng: np.random.Generator, candidates: list[int], k: int, what: str) -> list[int]:
    if k > len(candidates):
        raise ValueError(f"publication cohort: {what} needs {k} patients, only {len(candidates)} eligible")
    return [int(i) for i in rng.choice(candidates, size=k, replace=False)] if k else []


def _arm_profiles(arm: str, rng: np.random.Generator) -> list[Profile]:
    counts = class_counts(arm)
    classes = [c for c, k in counts.items() for _ in range(k)]
    rng.shuffle(classes)
    ps = [Profile(index=i, arm=arm, response_class=c, response_day=draw_response_day(c, rng),
                  latent=float(rng.random())) for i, c in enumerate(classes)]
    idx = range(len(ps))

    def update(indices, **changes):
        for i in indices:
            ps[i] = ps[i].with_(**changes)

    never = [i for i in idx if ps[i].response_class == "never"]
    if len(never) != P.LACK_OF_EFFICACY[arm]:
        raise ValueError(f"publication cohort: {len(never)} non-responders but {P.LACK_OF_EFFICACY[arm]} stops for lack of efficacy")
    for i in never:
        ps[i] = ps[i].with_(stop_reason="lack_of_efficacy",
                            stop_day=int(rng.integers(P.LACK_OF_EFFICACY_STOP_DAYS[0], P.LACK_OF_EFFICACY_STOP_DAYS[1] + 1)))
    late = [i for i in idx if ps[i].response_class == "late"]
    for i in _pick(rng, late, P.RESCUE_STEROIDS[arm], "rescue steroids"):
        ps[i] = ps[i].with_(rescue_steroid_day=int(rng.integers(P.RESCUE_STEROID_DAYS[0], P.RESCUE_STEROID_DAYS[1] + 1)))
    wk4 = [i for i in idx if ps[i].responds_by_week4]
    for i in _pick(rng, wk4, P.PARENT_REQUEST[arm], "parent request"):
        ps[i] = ps[i].with_(stop_reason="parent_request",
                            stop_day=int(rng.integers(P.PARENT_REQUEST_STOP_DAYS[0], P.PARENT_REQUEST_STOP_DAYS[1] + 1)))
    # Fibrinogen stabilizers: week-4 platelet responders, earlier responders first (with noise).
    wk4_sorted = sorted(wk4, key=lambda i: ps[i].response_day + rng.normal(0, 6))
    update(wk4_sorted[:P.FIBRINOGEN_STABILIZED[arm]], fibrinogen_stable=True)
    # Lesion categories and QOL among the uncensored; censored patients' data are never used.
    evaluable = [i for i in idx if not ps[i].censored_before_m12]
    cats = [c for c, k in P.LESION_CATEGORIES[arm].items() for _ in range(k)]
    if len(cats) != len(evaluable):
        raise ValueError(f"publication cohort: {len(cats)} lesion categories for {len(evaluable)} evaluable patients")
    rng.shuffle(cats)
    for i, c in zip(evaluable, cats):
        ps[i] = ps[i].with_(lesion_category=c)
    censored = [i for i in idx if ps[i].censored_before_m12]
    update(censored, lesion_category="no_change", qol_improved=False)
    not_improved = len(evaluable) - P.QOL_IMPROVED[arm]
    update(_pick(rng, evaluable, not_improved, "QOL non-improvers"), qol_improved=False)
    rebound_pool = [i for i in idx if ps[i].responds and not ps[i].censored_before_m12]
    update(_pick(rng, rebound_pool, P.REBOUND[arm], "rebound"), rebound=True)
    # Not assessed at month 24: the censored patients first, then others.
    missing = P.N_PER_ARM[arm] - P.ASSESSED_M24[arm]
    stops = [i for i in idx if ps[i].stop_day is not None]
    first = _pick(rng, stops, min(missing, len(stops)), "not assessed")
    rest = _pick(rng, [i for i in idx if i not in first], missing - len(first), "not assessed")
    update(first + rest, assessed_m24=False)
    on_treatment = [i for i in idx if ps[i].stop_day is None]
    for i in _pick(rng, on_treatment, P.COMPLETED_TREATMENT[arm], "completed treatment"):
        ps[i] = ps[i].with_(completed_day=int(rng.integers(P.COMPLETION_DAYS[0], P.COMPLETION_DAYS[1] + 1)))
    # Transfusions: slower responders need more (rank-matched with noise).
    speed = sorted(idx, key=lambda i: _speed(ps[i]) + rng.normal(0, 1.5))
    tx = sorted(k for k, n in P.TRANSFUSION_COUNTS[arm].items() for _ in range(n))
    for i, k in zip(speed, tx):
        ps[i] = ps[i].with_(transfusions=int(k))
    ae = [k for k, n in P.AE_COUNTS[arm].items() for _ in range(n)]
    rng.shuffle(ae)
    for i, k in zip(idx, ae):
        ps[i] = ps[i].with_(ae_events=int(k))
    return ps


def _speed(p: Profile) -> float:
    day = p.response_day if p.response_day is not None else 120
    return float(day) + (40 if p.rescue_steroid_day else 0)


def _assign_sequelae(profiles: list[Profile], rng: np.random.Generator) -> list[Profile]:
    """16 patients with sequelae (4 vs 12), the published 20 sequelae spread over them."""
    chosen: list[int] = []
    for arm in ARMS:
        assessed = [p.index for p in profiles if p.arm == arm and p.assessed_m24]
        chosen += _pick(rng, assessed, P.SEQUELAE[arm], "sequelae")
    tokens = [name for name, k in P.SEQUELA_COUNTS.items() for _ in range(k)]
    rng.shuffle(tokens)
    slots: dict[int, set[str]] = {i: set() for i in chosen}
    # one sequela each, then the rest to patients that do not have it yet
    order = list(chosen)
    pending = []
    for token in tokens:
        target = next((i for i in order if not slots[i]), None)
        if target is not None:
            slots[target].add(token)
        else:
            pending.append(token)
    for token in pending:
        candidates = [i for i in chosen if token not in slots[i] and len(slots[i]) < 2]
        slots[int(rng.choice(candidates))].add(token)
    out = list(profiles)
    for i, names in slots.items():
        out[i] = out[i].with_(sequelae=tuple(sorted(names)))
    return out
