"""Time to an event per arm: Kaplan–Meier estimates, their medians and the log-rank test.

Used for the time to durable platelet response (the publication: prednisolone "could accelerate
the time to achieve the complete remission of KMP"). The estimates come from lifelines; the
reference in the tests is R's ``survival`` package (``survfit(…, conf.type = "log-log")``, whose
confidence interval for the survival curve is lifelines' default "exponential Greenwood", and
``survdiff``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, CONFIDENCE_LEVEL
from khetrial.errors import AnalysisError


@dataclass(frozen=True)
class ArmCurve:
    """One arm's Kaplan–Meier curve of the proportion *without* the event.

    Attributes:
        n, events: patients and events.
        median, median_lower, median_upper: the median time to the event and its confidence
            interval (``None`` where the curve does not reach 0.5, or its limit is not reached).
        times, survival, lower, upper: the step function and its pointwise interval.
    """

    n: int
    events: int
    median: float | None
    median_lower: float | None
    median_upper: float | None
    times: tuple[float, ...]
    survival: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"n": self.n, "events": self.events, "median": self.median,
                "median_ci95": [self.median_lower, self.median_upper], "times": list(self.times),
                "survival": list(self.survival), "lower": list(self.lower), "upper": list(self.upper)}


@dataclass(frozen=True)
class TimeToEvent:
    """Kaplan–Meier curves per arm and the two-sided log-rank test between them."""

    curves: dict[str, ArmCurve]
    logrank_statistic: float | None
    p_value: float | None
    level: float

    def to_dict(self) -> dict:
        return {**{arm: curve.to_dict() for arm, curve in self.curves.items()},
                "logrank_chi2": self.logrank_statistic, "p_value": self.p_value, "level": self.level}


def _finite(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def kaplan_meier(times, events, level: float = CONFIDENCE_LEVEL) -> ArmCurve:
    """One Kaplan–Meier curve from times (days ≥ 0) and event flags (1 = event, 0 = censored)."""
    times = np.asarray(times, float)
    events = np.asarray(events, int)
    if len(times) != len(events) or len(times) == 0:
        raise AnalysisError(f"Kaplan–Meier: got {len(times)} times and {len(events)} event flags; "
                            "expected one of each per patient, at least one patient")
    if np.any(~np.isfinite(times)) or np.any(times < 0) or not set(np.unique(events)) <= {0, 1}:
        raise AnalysisError("Kaplan–Meier: times must be finite and ≥ 0, events 0 or 1")
    fitter = KaplanMeierFitter(alpha=1 - level).fit(times, events)
    table = fitter.survival_function_.iloc[:, 0]
    bounds = fitter.confidence_interval_survival_function_
    median = _finite(fitter.median_survival_time_)
    limits = median_survival_times(fitter.confidence_interval_).iloc[0]
    return ArmCurve(n=len(times), events=int(events.sum()), median=median,
                    median_lower=_finite(limits.iloc[0]), median_upper=_finite(limits.iloc[1]),
                    times=tuple(float(t) for t in table.index),
                    survival=tuple(float(s) for s in table.to_numpy()),
                    lower=tuple(float(s) for s in bounds.iloc[:, 0].to_numpy()),
                    upper=tuple(float(s) for s in bounds.iloc[:, 1].to_numpy()))


def time_to_event(frame, level: float = CONFIDENCE_LEVEL) -> TimeToEvent:
    """Curves per arm and the log-rank test from a table with ``arm``, ``time`` and ``event``."""
    missing = [c for c in ("arm", "time", "event") if c not in frame.columns]
    if missing:
        raise AnalysisError(f"time to event: the table lacks {', '.join(missing)}; expected one row "
                            "per patient with arm, time (days) and event (0/1)")
    curves = {}
    for arm in (ARM_EXPERIMENTAL, ARM_CONTROL):
        rows = frame[frame["arm"] == arm]
        if len(rows):
            curves[arm] = kaplan_meier(rows["time"], rows["event"], level)
    statistic = p_value = None
    if len(curves) == 2 and frame["event"].sum() > 0:
        sp, s = frame[frame["arm"] == ARM_EXPERIMENTAL], frame[frame["arm"] == ARM_CONTROL]
        test = logrank_test(sp["time"], s["time"], event_observed_A=sp["event"],
                            event_observed_B=s["event"])
        statistic, p_value = _finite(test.test_statistic), _finite(test.p_value)
    return TimeToEvent(curves=curves, logrank_statistic=statistic, p_value=p_value, level=level)
