"""Typed results of what a DMC and a reviewer ask for, and their ``results.json`` form.

Keys added to results.json (after every key of the plan; the plan's keys and values unchanged):

- ``sensitivity``: the week-4 platelet change from three models, the plan's random-intercept
  model named ``primary``; per model ``difference``, ``ci95``, ``se``, ``df``, ``df_method``.
- ``time_to_response``: time to durable platelet response, Kaplan–Meier per arm (``n``,
  ``events``, ``median``, ``median_ci95``, the step function ``times``/``survival``), log-rank.
- ``by_site``: the primary per site (events/n per arm, Newcombe difference) and the
  site-stratified Mantel–Haenszel difference with the CMH test (``mantel_haenszel``).
- ``exposure``: per arm trough time in 10–15 ng/mL, dose intensity, prednisolone weeks
  (distributions) and patients with an AE that interrupted, reduced or withdrew the treatment.
- ``missing_data``: observed-case analysis and tipping points of the primary.
- ``multiplicity``: per secondary binary endpoint the unadjusted and Holm-adjusted p.
- ``completeness``: per binary endpoint and arm, patients evaluable / randomized at ``cutoff``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """``events`` of ``n`` patients."""

    events: int
    n: int

    def to_dict(self) -> dict:
        return {"events": self.events, "n": self.n}

    @classmethod
    def from_dict(cls, data: dict) -> Counts:
        return cls(events=data["events"], n=data["n"])


@dataclass(frozen=True)
class Spread:
    """``n``, median, quartiles and range of the non-missing values (``None`` when n is 0)."""

    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: float | None = None
    max: float | None = None

    def to_dict(self) -> dict:
        return {"n": self.n, "median": self.median, "q1": self.q1, "q3": self.q3, "min": self.min,
                "max": self.max}

    @classmethod
    def from_dict(cls, data: dict) -> Spread:
        return cls(**data)


def _pair(values):
    return None if values is None else (values[0], values[1])


def _list(pair):
    return None if pair is None else list(pair)


@dataclass(frozen=True)
class ModelEstimate:
    """SP − S difference in the week-4 platelet change from one model (``note``: why not)."""

    label: str
    difference: float | None
    ci95: tuple[float | None, float | None] | None
    se: float | None = None
    df: int | None = None
    df_method: str | None = None
    n_patients: int | None = None
    n_observations: int | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "difference": self.difference, "ci95": _list(self.ci95), "se": self.se,
                "df": self.df, "df_method": self.df_method, "n_patients": self.n_patients,
                "n_observations": self.n_observations, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict) -> ModelEstimate:
        return cls(**{**data, "ci95": _pair(data["ci95"])})


@dataclass(frozen=True)
class Sensitivity:
    """The models by name; ``primary`` names the plan's model."""

    primary: str
    models: dict[str, ModelEstimate]

    def to_dict(self) -> dict:
        return {"primary": self.primary, "models": {k: v.to_dict() for k, v in self.models.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Sensitivity:
        return cls(primary=data["primary"],
                   models={k: ModelEstimate.from_dict(v) for k, v in data["models"].items()})


@dataclass(frozen=True)
class SurvivalArm:
    """One arm's Kaplan–Meier curve of the proportion still *without* a durable response."""

    n: int
    events: int
    median: float | None
    median_ci95: tuple[float | None, float | None]
    times: tuple[float, ...]
    survival: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"n": self.n, "events": self.events, "median": self.median,
                "median_ci95": list(self.median_ci95), "times": list(self.times),
                "survival": list(self.survival)}

    @classmethod
    def from_dict(cls, data: dict) -> SurvivalArm:
        return cls(n=data["n"], events=data["events"], median=data["median"],
                   median_ci95=_pair(data["median_ci95"]), times=tuple(data["times"]),
                   survival=tuple(data["survival"]))


@dataclass(frozen=True)
class TimeToResponse:
    """Kaplan–Meier per arm (days from randomization) and the log-rank test."""

    arms: dict[str, SurvivalArm]
    logrank_chi2: float | None
    p_value: float | None

    def to_dict(self) -> dict:
        return {**{arm: v.to_dict() for arm, v in self.arms.items()}, "logrank_chi2": self.logrank_chi2,
                "p_value": self.p_value}

    @classmethod
    def from_dict(cls, data: dict) -> TimeToResponse:
        return cls(arms={k: SurvivalArm.from_dict(v) for k, v in data.items() if isinstance(v, dict)},
                   logrank_chi2=data["logrank_chi2"], p_value=data["p_value"])


@dataclass(frozen=True)
class SiteResult:
    """The primary endpoint in one site: each arm and the Newcombe difference (``None`` when an
    arm of the site has no patient)."""

    arms: dict[str, Counts]
    difference: float | None
    ci95: tuple[float | None, float | None] | None

    def to_dict(self) -> dict:
        return {**{arm: v.to_dict() for arm, v in self.arms.items()}, "difference": self.difference,
                "ci95": _list(self.ci95)}

    @classmethod
    def from_dict(cls, data: dict) -> SiteResult:
        return cls(arms={k: Counts.from_dict(v) for k, v in data.items() if isinstance(v, dict)},
                   difference=data["difference"], ci95=_pair(data["ci95"]))


@dataclass(frozen=True)
class BySite:
    """The primary per site, and the MH difference over sites (``mantel_haenszel``: the
    :class:`khetrial.stats.strata.StratifiedDifference` fields, ``None`` when not estimable)."""

    sites: dict[str, SiteResult]
    mantel_haenszel: dict | None

    def to_dict(self) -> dict:
        return {"sites": {k: v.to_dict() for k, v in self.sites.items()}, "mantel_haenszel": self.mantel_haenszel}

    @classmethod
    def from_dict(cls, data: dict) -> BySite:
        return cls(sites={k: SiteResult.from_dict(v) for k, v in data["sites"].items()},
                   mantel_haenszel=data["mantel_haenszel"])


EXPOSURE_MEASURES = ("trough_time_in_range", "dose_intensity", "prednisolone_weeks")
TREATMENT_CHANGE_COLUMNS = ("ae_interrupted", "ae_dose_reduced", "ae_withdrawn")


@dataclass(frozen=True)
class ExposureArm:
    """One arm's exposure: a distribution per :data:`EXPOSURE_MEASURES`, and patients with a
    treatment change per :data:`TREATMENT_CHANGE_COLUMNS`."""

    n: int
    measures: dict[str, Spread]
    changes: dict[str, int]

    def to_dict(self) -> dict:
        return {"n": self.n, **{k: v.to_dict() for k, v in self.measures.items()}, **self.changes}

    @classmethod
    def from_dict(cls, data: dict) -> ExposureArm:
        return cls(n=data["n"], measures={k: Spread.from_dict(data[k]) for k in EXPOSURE_MEASURES},
                   changes={k: data[k] for k in TREATMENT_CHANGE_COLUMNS})


@dataclass(frozen=True)
class MissingData:
    """Observed cases and tipping points of ``endpoint`` (:mod:`khetrial.stats.tipping`):
    ``imputed`` non-responders per arm (SP, S) whose outcome was not observed; ``tipping``:
    the ``(i, j)`` imputed responders that change the conclusion at ``alpha``."""

    endpoint: str
    observed: dict[str, dict[str, int]]
    observed_difference: float | None
    observed_p: float | None
    imputed: tuple[int, int]
    tipping: tuple[tuple[int, int], ...]
    alpha: float

    def to_dict(self) -> dict:
        return {"endpoint": self.endpoint, "observed": {k: dict(v) for k, v in self.observed.items()},
                "observed_difference": self.observed_difference, "observed_p": self.observed_p,
                "imputed": list(self.imputed), "tipping": [list(c) for c in self.tipping], "alpha": self.alpha}

    @classmethod
    def from_dict(cls, data: dict) -> MissingData:
        return cls(endpoint=data["endpoint"], observed={k: dict(v) for k, v in data["observed"].items()},
                   observed_difference=data["observed_difference"], observed_p=data["observed_p"],
                   imputed=tuple(data["imputed"]), tipping=tuple(tuple(c) for c in data["tipping"]),
                   alpha=data["alpha"])


@dataclass(frozen=True)
class Completeness:
    """Per binary endpoint and arm ``{"evaluable", "n"}`` at the data ``cutoff`` (ISO date)."""

    cutoff: str | None
    endpoints: dict[str, dict[str, dict[str, int]]]

    def to_dict(self) -> dict:
        return {"cutoff": self.cutoff, "endpoints": {e: {a: dict(c) for a, c in arms.items()}
                                                      for e, arms in self.endpoints.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Completeness:
        return cls(cutoff=data["cutoff"], endpoints={e: {a: dict(c) for a, c in arms.items()}
                                                     for e, arms in data["endpoints"].items()})


@dataclass(frozen=True)
class Monitoring:
    """Everything above; each part ``None`` when it cannot be computed (descriptive results)."""

    sensitivity: Sensitivity | None = None
    time_to_response: TimeToResponse | None = None
    by_site: BySite | None = None
    exposure: dict[str, ExposureArm] | None = None
    missing_data: MissingData | None = None
    multiplicity: dict[str, dict[str, float | None]] | None = None
    completeness: Completeness | None = None

    def to_dict(self) -> dict:
        out = {}
        for key in MONITORING_KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            if key == "exposure":
                out[key] = {arm: v.to_dict() for arm, v in value.items()}
            elif key == "multiplicity":
                out[key] = {e: dict(v) for e, v in value.items()}
            else:
                out[key] = value.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Monitoring:
        kinds = {"sensitivity": Sensitivity, "time_to_response": TimeToResponse, "by_site": BySite,
                 "missing_data": MissingData, "completeness": Completeness}
        parts = {key: kind.from_dict(data[key]) for key, kind in kinds.items() if data.get(key) is not None}
        if data.get("exposure") is not None:
            parts["exposure"] = {arm: ExposureArm.from_dict(v) for arm, v in data["exposure"].items()}
        if data.get("multiplicity") is not None:
            parts["multiplicity"] = {e: dict(v) for e, v in data["multiplicity"].items()}
        return cls(**parts)


MONITORING_KEYS = ("sensitivity", "time_to_response", "by_site", "exposure", "missing_data",
                   "multiplicity", "completeness")
"""The results.json keys of :class:`Monitoring`, in the order they are written."""
