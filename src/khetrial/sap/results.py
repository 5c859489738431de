"""The analysis plan's results as typed, frozen dataclasses, and their ``results.json`` form.

:class:`Results` is what :func:`khetrial.sap.analyse` returns and what the report reads.
``to_dict()`` gives exactly the object of ``docs/analysis-plan.md`` ("Machine-readable
results"): ``n``, ``binary``, ``transfusions_m12``, ``platelets_mixed_model_wk4``,
``adverse_events``, then the extras ``platelets_weekly``, ``lesion_categories_m12``,
``sequelae_assessed_m24``, ``censoring``, ``baseline``, the DMC's keys
(:mod:`khetrial.sap.monitoring_results`: ``sensitivity``, ``time_to_response``, ``by_site``,
``exposure``, ``missing_data``, ``multiplicity``, ``completeness``) and ``provenance``; the
per-protocol sensitivity analysis ``per_protocol`` (:class:`PerProtocol`) comes after ``baseline``. ``from_dict`` and
``from_json`` read it back. Descriptive results (the arms cannot be compared) carry the reason
in ``not_estimable`` and leave every comparison empty.

Proportions and differences are unrounded fractions; a value that cannot be computed is ``None``
(``null`` in JSON, which has no NaN).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from khetrial.constants import PRIMARY_WEEK
from khetrial.endpoints.adsl import PRIMARY_ENDPOINT
from khetrial.sap.monitoring_results import MONITORING_KEYS, Monitoring

MIXED_MODEL_KEY = f"platelets_mixed_model_wk{PRIMARY_WEEK}"
"""results.json key of the platelet mixed model (SAP "Machine-readable results")."""

NOT_ESTIMABLE_KEY = "not_estimable"
"""results.json key of the reason why the arms are not compared (descriptive results only)."""


def json_ready(value):
    """``value`` with numpy scalars as Python numbers and NaN/inf/NA as ``None``."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if value is None or value is pd.NA or isinstance(value, (bool, np.bool_)):
        return None if value is None or value is pd.NA else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def number(value) -> float | None:
    """A plain float, or ``None`` for a missing or non-finite value (JSON has no NaN)."""
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _pair(values) -> tuple[float | None, float | None] | None:
    return None if values is None else (number(values[0]), number(values[1]))


def _list(pair) -> list | None:
    return None if pair is None else list(pair)


@dataclass(frozen=True)
class ArmProportion:
    """One arm of a binary endpoint: ``events`` of ``n``; ``assessed`` only for sequelae
    (SAP: "also report the number assessed")."""

    events: int
    n: int
    proportion: float | None
    percent: float | None
    assessed: int | None = None

    def to_dict(self) -> dict:
        out = {"events": self.events, "n": self.n, "proportion": self.proportion, "percent": self.percent}
        if self.assessed is not None:
            out["assessed"] = self.assessed
        return out

    @classmethod
    def from_dict(cls, data: dict) -> ArmProportion:
        return cls(events=data["events"], n=data["n"], proportion=data["proportion"],
                   percent=data["percent"], assessed=data.get("assessed"))


@dataclass(frozen=True)
class BinaryResult:
    """A binary endpoint: each arm, the SP − S ``difference``, its Newcombe 95 % interval
    ``ci95`` and Fisher's ``p_value``."""

    arms: dict[str, ArmProportion]
    difference: float | None
    ci95: tuple[float | None, float | None] | None
    p_value: float | None

    def to_dict(self) -> dict:
        return {**{arm: value.to_dict() for arm, value in self.arms.items()},
                "difference": self.difference, "ci95": _list(self.ci95), "p_value": self.p_value}

    @classmethod
    def from_dict(cls, data: dict) -> BinaryResult:
        arms = {k: ArmProportion.from_dict(v) for k, v in data.items() if isinstance(v, dict)}
        return cls(arms=arms, difference=data["difference"], ci95=_pair(data["ci95"]), p_value=data["p_value"])


@dataclass(frozen=True)
class TransfusionArm:
    """Transfusions on days 0…365 in one arm: per-patient ``mean`` and ``median``, ``total``
    transfusions and ``patients`` with at least one."""

    mean: float | None
    median: float | None
    total: int
    patients: int

    def to_dict(self) -> dict:
        return {"mean": self.mean, "median": self.median, "total": self.total, "patients": self.patients}

    @classmethod
    def from_dict(cls, data: dict) -> TransfusionArm:
        return cls(**{k: data[k] for k in ("mean", "median", "total", "patients")})


@dataclass(frozen=True)
class TransfusionResult:
    """Transfusions per arm and the Mann-Whitney ``p_value``."""

    arms: dict[str, TransfusionArm]
    p_value: float | None

    def to_dict(self) -> dict:
        return {**{arm: value.to_dict() for arm, value in self.arms.items()}, "p_value": self.p_value}

    @classmethod
    def from_dict(cls, data: dict) -> TransfusionResult:
        return cls(arms={k: TransfusionArm.from_dict(v) for k, v in data.items() if isinstance(v, dict)},
                   p_value=data["p_value"])


@dataclass(frozen=True)
class MixedModelEstimate:
    """SP − S difference in platelet change at week 4 from the mixed model with its Wald 95 %
    interval; when the model cannot be fitted, ``difference`` and ``ci95`` are ``None`` and
    ``note`` says why."""

    difference: float | None
    ci95: tuple[float | None, float | None] | None
    se: float | None = None
    week: int | None = None
    n_patients: int | None = None
    n_observations: int | None = None
    converged: bool | None = None
    note: str | None = None

    @property
    def estimable(self) -> bool:
        return self.note is None and self.difference is not None

    def to_dict(self) -> dict:
        if self.note is not None:
            return {"difference": self.difference, "ci95": _list(self.ci95), "note": self.note}
        return {"difference": self.difference, "ci95": _list(self.ci95), "se": self.se, "week": self.week,
                "n_patients": self.n_patients, "n_observations": self.n_observations,
                "converged": self.converged}

    @classmethod
    def from_dict(cls, data: dict) -> MixedModelEstimate:
        return cls(difference=data["difference"], ci95=_pair(data["ci95"]), se=data.get("se"),
                   week=data.get("week"), n_patients=data.get("n_patients"),
                   n_observations=data.get("n_observations"), converged=data.get("converged"),
                   note=data.get("note"))


@dataclass(frozen=True)
class AdverseEventArm:
    """Adverse events in one arm: events, events per patient, patients with ≥ 1 event, and the
    same for grade ≥ 3."""

    events: int
    per_patient: float | None
    patients: int
    grade3plus_events: int
    grade3plus_patients: int

    def to_dict(self) -> dict:
        return {"events": self.events, "per_patient": self.per_patient, "patients": self.patients,
                "grade3plus_events": self.grade3plus_events, "grade3plus_patients": self.grade3plus_patients}

    @classmethod
    def from_dict(cls, data: dict) -> AdverseEventArm:
        return cls(**{k: data[k] for k in ("events", "per_patient", "patients", "grade3plus_events",
                                            "grade3plus_patients")})


@dataclass(frozen=True)
class TermArm:
    """Patients of one arm with a CTCAE term, any grade and grade ≥ 3."""

    patients: int
    grade3plus_patients: int

    def to_dict(self) -> dict:
        return {"patients": self.patients, "grade3plus_patients": self.grade3plus_patients}

    @classmethod
    def from_dict(cls, data: dict) -> TermArm:
        return cls(patients=data["patients"], grade3plus_patients=data["grade3plus_patients"])


@dataclass(frozen=True)
class AdverseEventTerm:
    """One CTCAE term: patients per arm and Fisher's p (any grade, grade ≥ 3)."""

    arms: dict[str, TermArm]
    p_value: float | None
    grade3plus_p_value: float | None

    def to_dict(self) -> dict:
        return {**{arm: value.to_dict() for arm, value in self.arms.items()}, "p_value": self.p_value,
                "grade3plus_p_value": self.grade3plus_p_value}

    @classmethod
    def from_dict(cls, data: dict) -> AdverseEventTerm:
        return cls(arms={k: TermArm.from_dict(v) for k, v in data.items() if isinstance(v, dict)},
                   p_value=data["p_value"], grade3plus_p_value=data["grade3plus_p_value"])


@dataclass(frozen=True)
class AdverseEvents:
    """Adverse events per arm, the Mann-Whitney p of events per patient, and every term."""

    arms: dict[str, AdverseEventArm]
    p_value: float | None
    terms: dict[str, AdverseEventTerm] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {**{arm: value.to_dict() for arm, value in self.arms.items()}, "p_value": self.p_value,
                "terms": {term: value.to_dict() for term, value in self.terms.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> AdverseEvents:
        arms = {k: AdverseEventArm.from_dict(v) for k, v in data.items() if k != "terms" and isinstance(v, dict)}
        return cls(arms=arms, p_value=data["p_value"],
                   terms={k: AdverseEventTerm.from_dict(v) for k, v in data["terms"].items()})


@dataclass(frozen=True)
class WeekSummary:
    """Platelet counts of one arm in one week: ``n``, median and quartiles."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None

    def to_dict(self) -> dict:
        return {"n": self.n, "median": self.median, "q1": self.q1, "q3": self.q3}

    @classmethod
    def from_dict(cls, data: dict) -> WeekSummary:
        return cls(n=data["n"], median=data["median"], q1=data["q1"], q3=data["q3"])


@dataclass(frozen=True)
class Distribution:
    """``n, mean, min, max, median, q1, q3`` of the non-missing values (``None`` when ``n`` is 0)."""

    n: int
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None

    def to_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "min": self.min, "max": self.max, "median": self.median,
                "q1": self.q1, "q3": self.q3}

    @classmethod
    def from_dict(cls, data: dict) -> Distribution:
        return cls(**{k: data[k] for k in ("n", "mean", "min", "max", "median", "q1", "q3")})


@dataclass(frozen=True)
class ContinuousRow:
    """A continuous baseline characteristic: each arm's distribution and the Mann-Whitney p."""

    arms: dict[str, Distribution]
    p_value: float | None

    def to_dict(self) -> dict:
        return {**{arm: value.to_dict() for arm, value in self.arms.items()}, "p_value": self.p_value}

    @classmethod
    def from_dict(cls, data: dict) -> ContinuousRow:
        return cls(arms={k: Distribution.from_dict(v) for k, v in data.items() if isinstance(v, dict)},
                   p_value=data["p_value"])


@dataclass(frozen=True)
class CategoricalRow:
    """A categorical baseline characteristic: per arm the count of each level, the p value and
    its ``test`` ("fisher" or "chi-square"; ``None`` when nobody has a value)."""

    counts: dict[str, dict[str, int]]
    p_value: float | None
    test: str | None

    def to_dict(self) -> dict:
        return {**{arm: dict(levels) for arm, levels in self.counts.items()}, "p_value": self.p_value,
                "test": self.test}

    @classmethod
    def from_dict(cls, data: dict) -> CategoricalRow:
        return cls(counts={k: dict(v) for k, v in data.items() if isinstance(v, dict)},
                   p_value=data["p_value"], test=data["test"])


@dataclass(frozen=True)
class Baseline:
    """The SAP's baseline table: continuous and categorical rows by characteristic."""

    continuous: dict[str, ContinuousRow]
    categorical: dict[str, CategoricalRow]

    def to_dict(self) -> dict:
        return {"continuous": {k: v.to_dict() for k, v in self.continuous.items()},
                "categorical": {k: v.to_dict() for k, v in self.categorical.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Baseline:
        return cls(continuous={k: ContinuousRow.from_dict(v) for k, v in data["continuous"].items()},
                   categorical={k: CategoricalRow.from_dict(v) for k, v in data["categorical"].items()})


@dataclass(frozen=True)
class Provenance:
    """khetrial's version, the SHA-256 of each bundle file, the UTC time of the run."""

    khetrial_version: str
    bundle_sha256: dict[str, str]
    run_at_utc: str

    def to_dict(self) -> dict:
        return {"khetrial_version": self.khetrial_version, "bundle_sha256": dict(self.bundle_sha256),
                "run_at_utc": self.run_at_utc}

    @classmethod
    def from_dict(cls, data: dict) -> Provenance:
        return cls(khetrial_version=data["khetrial_version"], bundle_sha256=dict(data["bundle_sha256"]),
                   run_at_utc=data["run_at_utc"])


@dataclass(frozen=True)
class PerProtocol:
    """The per-protocol sensitivity analysis (:mod:`khetrial.endpoints.populations`): ``n`` per
    arm in the set, ``excluded`` per arm and reason (each child under its first reason), and
    the durable platelet response at weeks 1…4 on the set (``binary``; empty and ``note`` set
    when an arm of the set is empty)."""

    n: dict[str, int]
    excluded: dict[str, dict[str, int]]
    binary: dict[str, BinaryResult] = field(default_factory=dict)
    note: str | None = None

    def to_dict(self) -> dict:
        return {"n": dict(self.n), "excluded": {arm: dict(c) for arm, c in self.excluded.items()},
                "binary": {k: v.to_dict() for k, v in self.binary.items()}, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict) -> PerProtocol:
        return cls(n=dict(data["n"]), excluded={arm: dict(c) for arm, c in data["excluded"].items()},
                   binary={k: BinaryResult.from_dict(v) for k, v in data["binary"].items()},
                   note=data.get("note"))


PER_PROTOCOL_KEY = "per_protocol"
"""results.json key of the per-protocol sensitivity analysis (after ``baseline``)."""


def _part(value) -> dict:
    return {} if value is None else value.to_dict()


@dataclass(frozen=True)
class Results:
    """The results object of the analysis plan (see the module docstring).

    The comparisons (``binary`` ... ``censoring``) are empty or ``None`` in descriptive results,
    whose ``not_estimable`` says why; ``platelets_weekly`` maps week 0…4 to each arm's summary.
    Fields and results.json keys: ``transfusions`` is ``transfusions_m12``, ``mixed_model``
    :data:`MIXED_MODEL_KEY`, ``lesion_categories`` ``lesion_categories_m12`` and
    ``sequelae_assessed`` ``sequelae_assessed_m24``; the others have their key's name.
    """

    n: dict[str, int]
    provenance: Provenance
    binary: dict[str, BinaryResult] = field(default_factory=dict)
    transfusions: TransfusionResult | None = None
    mixed_model: MixedModelEstimate | None = None
    adverse_events: AdverseEvents | None = None
    platelets_weekly: dict[int, dict[str, WeekSummary]] = field(default_factory=dict)
    lesion_categories: dict[str, dict[str, int]] | None = None
    sequelae_assessed: dict[str, int] | None = None
    censoring: dict[str, dict[str, int]] | None = None
    baseline: Baseline | None = None
    not_estimable: str | None = None
    monitoring: Monitoring | None = None
    per_protocol: PerProtocol | None = None

    @property
    def primary(self) -> BinaryResult | None:
        """The primary endpoint's result (``None`` in descriptive results)."""
        return self.binary.get(PRIMARY_ENDPOINT)

    def to_dict(self) -> dict:
        """The results.json object (JSON-ready: plain numbers, ``None`` for missing values)."""
        out = {"n": dict(self.n), "binary": {k: v.to_dict() for k, v in self.binary.items()},
               "transfusions_m12": _part(self.transfusions), MIXED_MODEL_KEY: _part(self.mixed_model),
               "adverse_events": _part(self.adverse_events),
               "platelets_weekly": {str(week): {arm: cell.to_dict() for arm, cell in arms.items()}
                                    for week, arms in self.platelets_weekly.items()},
               "lesion_categories_m12": {arm: dict(c) for arm, c in (self.lesion_categories or {}).items()}}
        if self.sequelae_assessed is not None:
            out["sequelae_assessed_m24"] = dict(self.sequelae_assessed)
        if self.censoring is not None:
            out["censoring"] = {arm: dict(c) for arm, c in self.censoring.items()}
        out["baseline"] = _part(self.baseline)
        if self.per_protocol is not None:
            out[PER_PROTOCOL_KEY] = self.per_protocol.to_dict()
        if self.not_estimable is not None:
            out[NOT_ESTIMABLE_KEY] = self.not_estimable
        if self.monitoring is not None:
            out.update(self.monitoring.to_dict())
        out["provenance"] = self.provenance.to_dict()
        return json_ready(out)

    def to_json(self) -> str:
        """The results object as JSON text (strict: no NaN), indented for reading."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict) -> Results:
        """The results of a results.json object (as :meth:`to_dict` writes it)."""
        def part(key, kind):
            value = data.get(key)
            return kind.from_dict(value) if value else None

        return cls(
            n=dict(data["n"]), provenance=Provenance.from_dict(data["provenance"]),
            binary={k: BinaryResult.from_dict(v) for k, v in data["binary"].items()},
            transfusions=part("transfusions_m12", TransfusionResult),
            mixed_model=part(MIXED_MODEL_KEY, MixedModelEstimate),
            adverse_events=part("adverse_events", AdverseEvents),
            platelets_weekly={int(week): {arm: WeekSummary.from_dict(cell) for arm, cell in arms.items()}
                              for week, arms in data["platelets_weekly"].items()},
            lesion_categories={arm: dict(c) for arm, c in data["lesion_categories_m12"].items()} or None,
            sequelae_assessed=data.get("sequelae_assessed_m24"),
            censoring=data.get("censoring"),
            baseline=part("baseline", Baseline),
            not_estimable=data.get(NOT_ESTIMABLE_KEY),
            monitoring=Monitoring.from_dict(data) if any(k in data for k in MONITORING_KEYS) else None,
            per_protocol=part(PER_PROTOCOL_KEY, PerProtocol))

    @classmethod
    def from_json(cls, text: str) -> Results:
        """The results of results.json text."""
        return cls.from_dict(json.loads(text))


__all__ = ["Results", "BinaryResult", "ArmProportion", "TransfusionResult", "TransfusionArm",
           "MixedModelEstimate", "AdverseEvents", "AdverseEventArm", "AdverseEventTerm", "TermArm",
           "WeekSummary", "Distribution", "ContinuousRow", "CategoricalRow", "Baseline", "Provenance", "PerProtocol",
           "PER_PROTOCOL_KEY",
           "MIXED_MODEL_KEY", "PRIMARY_ENDPOINT", "NOT_ESTIMABLE_KEY", "json_ready", "number"]
