"""Each virtual child: who comes to screening, and the true daily course after randomization.

Pure functions; randomness only from the ``numpy.random.Generator`` passed in. A child
(:class:`Child`) is drawn before screening; once the allocation is known, its
:class:`TrueCourse` holds the platelet count and fibrinogen of every study day from day −14 to
day 790, the lesion volume of any day, the PedsQL answers a parent gives at baseline and month 12,
the sequelae at month 24, and the child's sirolimus exposure, so that a trough follows the dose
actually given (:func:`trough_ng_ml`). Rates per arm are the publication's
(:mod:`khetrial.virtual.parameters`); the shapes of the curves are chosen there.

A child's response speed is one latent number (``Child.latent``) drawn before randomization:
the same child responds earlier in the combination arm than in the monotherapy arm, as the
publication's cumulative responder counts say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from khetrial.bundle.format import LAB_RANGES
from khetrial.constants import ARMS, DAYS_PER_WEEK, MONTH12_TARGET_DAY
from khetrial.errors import ProtocolError
from khetrial.protocol.pedsql import form_for_age
from khetrial.simulate.pedsql import answers_for_total
from khetrial.virtual import parameters as V

DAYS_PER_MONTH = 365.25 / 12
SEQUELA_CODES = tuple(V.SEQUELA_WEIGHTS)


@dataclass(frozen=True)
class Child:
    """A child at screening (ages in days before randomization; sizes at randomization)."""

    index: int
    sex: str
    age_days: int
    weight_kg: float
    height_cm: float
    lesion_depth: str
    lesion_site: str
    kmp_days: int
    biopsy: bool
    eligible: bool
    latent: float
    platelets: int
    fibrinogen: float
    d_dimer: float


@dataclass(frozen=True)
class TrueCourse:
    """The true course of one randomized child, by study day (day 0 = randomization).

    ``platelets[d - FIRST_DAY]`` and ``fibrinogen[...]`` are the values of study day ``d``;
    ``response_day`` is the first day ≥ 100 ×10⁹/L (``None``: no response before the late
    recovery at ``recovery_day``); ``exposure`` is the trough (ng/mL) per mg given twice daily
    at day 0; ``qol`` maps a study day to the (form, answers) a parent gives then.
    """

    arm: str
    platelets: np.ndarray
    fibrinogen: np.ndarray
    response_day: int | None
    recovery_day: int
    fibrinogen_day: int
    rebound: tuple[int, int] | None
    exposure: float
    lesion_baseline_ml: float
    lesion_change_m12: float
    qol: dict = field(default_factory=dict)
    sequelae: tuple[str, ...] = ()

    def platelets_on(self, day: int) -> int:
        return int(self.platelets[_index(day)])

    def fibrinogen_on(self, day: int) -> float:
        return float(self.fibrinogen[_index(day)])


def _index(day: int) -> int:
    if not V.FIRST_DAY <= day <= V.LAST_DAY:
        raise ProtocolError(f"study day: got {day}; the virtual course covers days "
                            f"{V.FIRST_DAY}…{V.LAST_DAY}")
    return day - V.FIRST_DAY


def _choice(weights: dict, rng: np.random.Generator) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return str(names[int(rng.choice(len(names), p=p / p.sum()))])


def body_size(age_months: float) -> tuple[float, float]:
    """Median weight (kg) and length (cm) at an age, a coarse infant growth curve (chosen:
    3.4 kg / 50 cm at birth, +0.65 kg and +2.7 cm a month to 6 months, then +0.25 kg and
    +1.1 cm a month)."""
    if age_months <= 6:
        return 3.4 + 0.65 * age_months, 50 + 2.7 * age_months
    return 7.3 + 0.25 * (age_months - 6), 66.2 + 1.1 * (age_months - 6)


def growth_on(child: Child, day: int) -> tuple[float, float]:
    """The child's weight (kg) and length (cm) on study ``day``: the growth curve of
    :func:`body_size` at its age then, scaled by how far the child stood from the curve at
    randomization (chosen: a child keeps its centile), rounded as a scale and a board read."""
    at_randomization = body_size(child.age_days / DAYS_PER_MONTH)
    now = body_size((child.age_days + day) / DAYS_PER_MONTH)
    return (round(now[0] * child.weight_kg / at_randomization[0], 1),
            round(now[1] * child.height_cm / at_randomization[1], 1))


def draw_child(index: int, rng: np.random.Generator) -> Child:
    """A child referred for screening: baseline characteristics as the publication describes
    the 73 enrolled (age, sex, KMP duration, biopsies), and whether screening fails."""
    age_m = float(np.clip(np.exp(rng.normal(V.AGE_MONTHS_LOG_MEAN, V.AGE_MONTHS_LOG_SD)),
                          *V.AGE_RANGE_MONTHS))
    weight, height = body_size(age_m)
    weight *= float(np.exp(rng.normal(0, V.BODY_SIZE_NOISE_SD)))
    height *= float(np.exp(rng.normal(0, V.BODY_SIZE_NOISE_SD / 2)))
    age_days = int(round(age_m * DAYS_PER_MONTH))
    kmp_days = int(min(rng.exponential(V.KMP_DURATION_MEAN_MONTHS * DAYS_PER_MONTH), age_days))
    platelets = int(np.clip(round(np.exp(rng.normal(V.BASELINE_PLATELETS_LOG_MEAN,
                                                    V.BASELINE_PLATELETS_LOG_SD))),
                            *V.BASELINE_PLATELETS_RANGE))
    return Child(index=index, sex="F" if rng.random() < V.FEMALE else "M", age_days=age_days,
                 weight_kg=round(weight, 1), height_cm=round(height, 1),
                 lesion_depth=_choice(V.LESION_DEPTH_WEIGHTS, rng),
                 lesion_site=_choice(V.LESION_SITE_WEIGHTS, rng), kmp_days=kmp_days,
                 biopsy=bool(rng.random() < V.BIOPSY),
                 eligible=bool(rng.random() >= V.SCREEN_FAILURE), latent=float(rng.random()),
                 platelets=platelets,
                 fibrinogen=round(float(rng.uniform(*V.FIBRINOGEN_BASELINE)), 2),
                 d_dimer=round(float(min(rng.lognormal(np.log(12), 0.6),
                                         LAB_RANGES["d_dimer"].high)), 1))


def response_day(arm: str, latent: float, rng: np.random.Generator) -> int | None:
    """The first study day with platelets ≥ 100 ×10⁹/L: week k (days 7k−6…7k) with the
    publication's cumulative probability per arm (``latent`` is the child's rank in speed),
    later (``LATE_RESPONSE_DAYS``) or never."""
    if arm not in ARMS:
        raise ProtocolError(f"arm: got {arm!r}; expected one of {', '.join(ARMS)}")
    for week, cumulative in enumerate(V.CUMULATIVE_RESPONSE[arm], start=1):
        if latent < cumulative:
            return int(rng.integers(DAYS_PER_WEEK * (week - 1) + 1, DAYS_PER_WEEK * week + 1))
    if latent < V.EVER_RESPONSE[arm]:
        return int(rng.integers(V.LATE_RESPONSE_DAYS[0], V.LATE_RESPONSE_DAYS[1] + 1))
    return None


def platelet_course(baseline: int, first_high: int, rebound: tuple[int, int] | None,
                    rng: np.random.Generator) -> np.ndarray:
    """Daily counts from day −14 to 790: about ``baseline`` up to day 0, rising on the log scale
    to below 90 the day before ``first_high``, from 110 on that day to a plateau a month later;
    ``rebound`` (first day, last day) dips below 100. Integers, as counts are reported."""
    days = np.arange(V.FIRST_DAY, V.LAST_DAY + 1)
    pre = rng.uniform(*V.PRE_RESPONSE_LEVEL)
    high = rng.uniform(*V.RESPONSE_LEVEL)
    plateau = rng.uniform(*V.PLATELET_PLATEAU)
    log_b, log_pre, log_hi, log_pl = np.log([max(baseline, 2), max(pre, baseline), high, plateau])
    before = np.interp(days, [0, max(first_high - 1, 0)], [log_b, log_pre])
    after = np.interp(days, [first_high, first_high + V.PLATEAU_AFTER_DAYS], [log_hi, log_pl])
    values = np.exp(np.where(days < first_high, before, after)
                    + rng.normal(0, V.PLATELET_DAILY_NOISE_SD, days.size))
    values = np.where(days < first_high, np.minimum(values, V.BELOW_RESPONSE_MAX),
                      np.maximum(values, V.ABOVE_RESPONSE_MIN))
    if rebound is not None:
        dip = (days >= rebound[0]) & (days <= rebound[1])
        values = np.where(dip, rng.uniform(*V.REBOUND_NADIR, days.size), values)
    return np.maximum(np.round(values), 1).astype(int)


def fibrinogen_course(stable_from: int, rebound: tuple[int, int] | None,
                      rng: np.random.Generator) -> np.ndarray:
    """Daily fibrinogen (g/L, 2 decimals): low (≤ 1.45) up to ``stable_from``, then ≥ 1.8
    rising to a normal value over 20 days; dips during a platelet rebound."""
    days = np.arange(V.FIRST_DAY, V.LAST_DAY + 1)
    base = rng.uniform(*V.FIBRINOGEN_BASELINE)
    target = rng.uniform(*V.FIBRINOGEN_TARGET)
    low = np.minimum(base + np.clip(days, 0, None) / max(stable_from, 1)
                     * (V.FIBRINOGEN_LOW_CEILING - base), V.FIBRINOGEN_LOW_CEILING)
    rise = np.clip((days - stable_from) / 20, 0, 1)
    high = V.FIBRINOGEN_STABLE_FLOOR + rise * (target - V.FIBRINOGEN_STABLE_FLOOR)
    values = np.where(days < stable_from, low, high) * np.exp(rng.normal(0, 0.04, days.size))
    values = np.where(days < stable_from, np.minimum(values, V.FIBRINOGEN_LOW_CEILING),
                      np.maximum(values, V.FIBRINOGEN_STABLE_FLOOR))
    if rebound is not None:
        dip = (days >= rebound[0]) & (days <= rebound[1])
        values = np.where(dip, rng.uniform(0.9, 1.4, days.size), values)
    return np.round(values, 2)


def draw_course(child: Child, arm: str, start_dose_mg: float, rng: np.random.Generator) -> TrueCourse:
    """The true course of ``child`` randomized to ``arm``, started on ``start_dose_mg`` of
    sirolimus twice daily (the exposure is scaled to it, see ``parameters``)."""
    first = response_day(arm, child.latent, rng)
    recovery = first if first is not None else int(rng.integers(*V.NEVER_RECOVERY_DAYS))
    rebound = None
    if first is not None and rng.random() < V.REBOUND[arm]:
        start = int(rng.integers(max(V.REBOUND_DAYS[0], first + 42), V.REBOUND_DAYS[1] + 1))
        rebound = (start, start + int(rng.integers(*V.REBOUND_LENGTH_DAYS)))
    if rng.random() < V.FIBRINOGEN_STABILIZED[arm]:
        fib_day = int(rng.integers(V.FIBRINOGEN_STABLE_FROM_DAYS[0], V.FIBRINOGEN_STABLE_FROM_DAYS[1] + 1))
    else:
        fib_day = max(int(rng.integers(*V.FIBRINOGEN_LATE_FROM_DAYS)), recovery + 4)
    category = _choice(V.LESION_CATEGORY_COUNTS[arm], rng)
    change = float(rng.uniform(*V.LESION_CHANGE_PCT[category])) / 100
    exposure = V.TROUGH_AT_START_DOSE_MEDIAN / start_dose_mg * float(
        np.exp(rng.normal(0, V.TROUGH_EXPOSURE_LOG_SD)))
    return TrueCourse(
        arm=arm, platelets=platelet_course(child.platelets, recovery, rebound, rng),
        fibrinogen=fibrinogen_course(fib_day, rebound, rng), response_day=first,
        recovery_day=recovery, fibrinogen_day=fib_day, rebound=rebound, exposure=exposure,
        lesion_baseline_ml=round(float(np.exp(rng.uniform(*np.log(V.LESION_BASELINE_ML)))), 1),
        lesion_change_m12=change, qol=_questionnaires(child, arm, rng),
        sequelae=_sequelae(arm, rng))


def _questionnaires(child: Child, arm: str, rng: np.random.Generator) -> dict:
    base = float(rng.uniform(*V.QOL_BASELINE_TOTAL))
    gain = V.QOL_GAIN_IMPROVED if rng.random() < V.QOL_IMPROVED[arm] else V.QOL_GAIN_NOT_IMPROVED
    out = {}
    for day, total in ((0, base), (MONTH12_TARGET_DAY, base + float(rng.uniform(*gain)))):
        form = form_for_age((child.age_days + day) / DAYS_PER_MONTH)
        out[day] = (form, tuple(answers_for_total(form, min(total, 100.0), rng)))
    return out


def _sequelae(arm: str, rng: np.random.Generator) -> tuple[str, ...]:
    if rng.random() >= V.SEQUELAE[arm]:
        return ()
    return (_choice(V.SEQUELA_WEIGHTS, rng),)


def lesion_volume_ml(course: TrueCourse, day: int) -> float:
    """The lesion volume on study ``day`` (mL, 0.1 mL as reported): the baseline volume up to
    day 0, then changing linearly to the month-12 change on day 365, constant after (chosen)."""
    fraction = min(max(day, 0), MONTH12_TARGET_DAY) / MONTH12_TARGET_DAY
    return round(course.lesion_baseline_ml * (1 + course.lesion_change_m12 * fraction), 1)


def trough_ng_ml(course: TrueCourse, dose_mg: float, day: int, rng: np.random.Generator,
                 held_days: int = 0) -> float:
    """The sirolimus trough measured on study ``day`` under ``dose_mg`` twice daily (ng/mL,
    0.1 as reported): exposure × dose, exposure falling as clearance matures, assay noise;
    ``held_days`` after the doses were held, the level of ``dose_mg`` halves every
    ``TROUGH_HALF_LIFE_DAYS``."""
    if dose_mg < 0 or held_days < 0:
        raise ProtocolError(f"sirolimus dose: got {dose_mg} mg held {held_days} days; expected 0 "
                            "or more of both")
    exposure = course.exposure / (1 + V.TROUGH_MATURATION_PER_YEAR * max(day, 0) / 365)
    decay = 0.5 ** (held_days / V.TROUGH_HALF_LIFE_DAYS)
    value = exposure * dose_mg * decay * float(np.exp(rng.normal(0, V.TROUGH_ASSAY_LOG_SD)))
    return round(min(value, 200.0), 1)
