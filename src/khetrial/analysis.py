"""The statistical analysis plan as code: a bundle in, the ``results.json`` object out.

:func:`analyse` derives every endpoint (:mod:`khetrial.endpoints`) and reports them exactly as
``shared/spec/analysis-plan.md`` says ("Machine-readable results"): ``n``, ``binary`` (events
and N per arm, the experimental − control difference with its Newcombe 95 % interval and
Fisher's p), ``transfusions_m12``, ``platelets_mixed_model_wk4``, ``adverse_events``; plus
extras (weekly platelet quartiles, baseline table, lesion categories, sequelae assessed,
censoring) and ``provenance``. Proportions and differences are unrounded fractions.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from khetrial.analysis_tables import compare_continuous, summarise_baseline, summarise_platelet_weeks
from khetrial.endpoints.adsl import BINARY_ENDPOINTS, AnalysisTables, derive_analysis_tables
from khetrial.endpoints.baseline import derive_baseline_characteristics
from khetrial.endpoints.censoring import REASONS
from khetrial.endpoints.lesion import LESION_CATEGORIES
from khetrial.errors import AnalysisError, KhetrialError
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, ARMS, PRIMARY_WEEK, RESPONSE_WEEKS

BUNDLE_TABLES = ("patients", "labs", "drug_levels", "medications", "mri", "qol", "adverse_events",
                 "transfusions", "sequelae", "disposition", "screening")
"""The bundle's files (without ``.csv``), as in ``bundle-format.md``."""


def analyse(bundle, run_at: datetime | None = None) -> dict:
    """The results object of the analysis plan for ``bundle`` (see the module docstring).

    ``run_at`` is the time recorded in ``provenance`` (default: now, UTC).

    Raises:
        AnalysisError: an arm without patients, or tables that lack the plan's columns.
    """
    tables = derive_analysis_tables(bundle)
    adsl = tables.adsl
    n = {arm: int((adsl["arm"] == arm).sum()) for arm in ARMS}
    empty = [arm for arm in ARMS if n[arm] == 0]
    if empty:
        got = ", ".join(sorted(set(adsl["arm"].dropna().astype(str)))) or "none"
        raise AnalysisError(f"patients.csv: no patient in arm {' and '.join(empty)} (arms found: "
                            f"{got}); expected both arms {ARM_EXPERIMENTAL} and {ARM_CONTROL}")
    characteristics = derive_baseline_characteristics(bundle.patients, bundle.labs,
                                                      getattr(bundle, "medications", None))
    return {
        "n": n,
        "binary": {endpoint: binary_result(adsl, endpoint, n) for endpoint in BINARY_ENDPOINTS},
        "transfusions_m12": transfusion_result(adsl),
        f"platelets_mixed_model_wk{PRIMARY_WEEK}": mixed_model_result(tables),
        "adverse_events": adverse_event_result(tables, n),
        "platelets_weekly": summarise_platelet_weeks(tables.platelet_weeks),
        "lesion_categories_m12": {arm: {c: int(((adsl["arm"] == arm) & (adsl["lesion_category_m12"] == c)).sum())
                                        for c in LESION_CATEGORIES} for arm in ARMS},
        "sequelae_assessed_m24": {arm: int(adsl.loc[adsl["arm"] == arm, "sequelae_assessed_m24"].sum())
                                  for arm in ARMS},
        "censoring": {arm: {r: int(((adsl["arm"] == arm) & (adsl["censoring_reason"] == r)).fillna(False).sum())
                            for r in REASONS} for arm in ARMS},
        "baseline": summarise_baseline(characteristics),
        "provenance": provenance(bundle, run_at),
    }


def binary_result(adsl: pd.DataFrame, endpoint: str, n: dict) -> dict:
    """One binary endpoint: events, N, proportion and percentage per arm (sequelae: also the
    number assessed), difference (SP − S), Newcombe 95 % interval, Fisher's p."""
    from khetrial.stats import diff_proportions

    events = {arm: int(adsl.loc[adsl["arm"] == arm, endpoint].sum()) for arm in ARMS}
    result = diff_proportions(events[ARM_EXPERIMENTAL], n[ARM_EXPERIMENTAL],
                              events[ARM_CONTROL], n[ARM_CONTROL], method="newcombe")
    out = {arm: {"events": events[arm], "n": n[arm], "proportion": events[arm] / n[arm],
                 "percent": 100 * events[arm] / n[arm]} for arm in ARMS}
    if endpoint == "sequelae_m24":  # SAP: "also report the number assessed"
        for arm in ARMS:
            out[arm]["assessed"] = int(adsl.loc[adsl["arm"] == arm, "sequelae_assessed_m24"].sum())
    out.update(difference=result.difference, ci95=[result.lower, result.upper], p_value=result.p_value)
    return out


def transfusion_result(adsl: pd.DataFrame) -> dict:
    """Transfusions on days 0…365: mean and median per arm, Mann-Whitney p."""
    counts = {arm: adsl.loc[adsl["arm"] == arm, "transfusions_m12"].astype("float64") for arm in ARMS}
    out = {arm: {"mean": float(counts[arm].mean()), "median": float(counts[arm].median()),
                 "total": int(counts[arm].sum()), "patients": int((counts[arm] > 0).sum())} for arm in ARMS}
    out["p_value"] = compare_continuous(counts[ARM_EXPERIMENTAL], counts[ARM_CONTROL])
    return out


def mixed_model_data(platelet_weeks: pd.DataFrame) -> pd.DataFrame:
    """Long ``patient_id, arm, week, change, baseline`` for weeks 1…4: the non-missing week
    values of the patients with a baseline value (SAP "Platelet counts over weeks 0–4")."""
    baseline = platelet_weeks[platelet_weeks["week"] == 0].set_index("patient_id")["value"]
    later = platelet_weeks[platelet_weeks["week"].isin(RESPONSE_WEEKS) & platelet_weeks["value"].notna()]
    later = later[later["patient_id"].isin(baseline.index)]
    base = later["patient_id"].map(baseline).to_numpy(dtype="float64")
    return pd.DataFrame({"patient_id": later["patient_id"].to_numpy(), "arm": later["arm"].to_numpy(),
                         "week": later["week"].to_numpy(dtype="int64"),
                         "change": later["value"].to_numpy(dtype="float64") - base, "baseline": base})


def mixed_model_result(tables: AnalysisTables) -> dict:
    """SP − S difference in platelet change at week 4 from the mixed model, with its Wald 95 %
    interval; ``None`` values and a ``note`` when the model cannot be fitted on these data."""
    from khetrial.stats import platelet_mixed_model

    data = mixed_model_data(tables.platelet_weeks)
    try:
        return platelet_mixed_model(data).to_dict()
    except KhetrialError as error:
        return {"difference": None, "ci95": None, "note": str(error)}


def adverse_event_result(tables: AnalysisTables, n: dict) -> dict:
    """Per arm: events, events per patient, patients with ≥ 1 event, grade ≥ 3 events and
    patients; events per patient compared by Mann-Whitney; per CTCAE term, patients with the
    event (any grade, grade ≥ 3) and Fisher's p."""
    from khetrial.stats import fisher_exact

    adsl = tables.adsl
    out: dict = {}
    per_patient = {}
    for arm in ARMS:
        rows = adsl[adsl["arm"] == arm]
        per_patient[arm] = rows["ae_events"].astype("float64")
        out[arm] = {"events": int(rows["ae_events"].sum()),
                    "per_patient": float(rows["ae_events"].sum()) / n[arm],
                    "patients": int((rows["ae_events"] > 0).sum()),
                    "grade3plus_events": int(rows["ae_grade3plus_events"].sum()),
                    "grade3plus_patients": int((rows["ae_grade3plus_events"] > 0).sum())}
    out["p_value"] = compare_continuous(per_patient[ARM_EXPERIMENTAL], per_patient[ARM_CONTROL])
    arms = adsl.set_index("patient_id")["arm"]
    terms = tables.ae_terms.assign(arm=tables.ae_terms["patient_id"].map(arms))
    out["terms"] = {}
    for term, rows in terms.groupby("term", sort=True):
        entry = {arm: {"patients": int((rows["arm"] == arm).sum()),
                       "grade3plus_patients": int(((rows["arm"] == arm) & (rows["grade3plus"] == 1)).sum())}
                 for arm in ARMS}
        for key, p_key in (("patients", "p_value"), ("grade3plus_patients", "grade3plus_p_value")):
            entry[p_key] = fisher_exact(entry[ARM_EXPERIMENTAL][key], n[ARM_EXPERIMENTAL],
                                        entry[ARM_CONTROL][key], n[ARM_CONTROL])
        out["terms"][str(term)] = entry
    return out


def bundle_checksums(bundle) -> dict[str, str]:
    """SHA-256 of each bundle file: of the files in the bundle's source folder when it has
    one, otherwise of the files :func:`khetrial.bundle.write_bundle` exports (a bundle loaded
    from a database)."""
    folder = _source_folder(bundle)
    if folder is not None:
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(folder.glob("*.csv"))}
    import tempfile

    from khetrial.bundle import Bundle, write_bundle

    if not isinstance(bundle, Bundle):
        bundle = Bundle.from_tables(**{name: getattr(bundle, name, None) for name in BUNDLE_TABLES})
    with tempfile.TemporaryDirectory(prefix="khetrial-export-") as folder:
        write_bundle(bundle, folder)
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(Path(folder).glob("*.csv"))}


def _source_folder(bundle) -> Path | None:
    for attribute in ("source", "path", "folder", "root"):
        value = getattr(bundle, attribute, None)
        if isinstance(value, (str, Path)) and Path(value).is_dir():
            return Path(value)
    return None


def provenance(bundle, run_at: datetime | None = None) -> dict:
    """khetrial's version, each bundle file's SHA-256 and the UTC time of the run."""
    from khetrial import __version__

    when = (run_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {"khetrial_version": __version__, "bundle_sha256": bundle_checksums(bundle),
            "run_at_utc": when.isoformat(timespec="seconds").replace("+00:00", "Z")}


def adsl_for_csv(adsl: pd.DataFrame) -> pd.DataFrame:
    """The ADSL as written to ``adsl.csv``: empty cells for missing values, 0/1 integers."""
    out = adsl.copy()
    out["lesion_category_m12"] = out["lesion_category_m12"].astype("string")
    return out.replace({np.nan: None})


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


def results_json(results: dict) -> str:
    """The results object as JSON text (strict: no NaN), indented for reading."""
    import json

    return json.dumps(json_ready(results), indent=2, allow_nan=False)
