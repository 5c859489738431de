"""ADaM datasets of a bundle, from khetrial's own endpoint derivations (never recomputed here).

:func:`derive_adam` returns ADSL, ADLB, ADAE, ADTTE and ADRS (:mod:`adam_metadata`). ADSL and
ADRS carry the analysis plan's per-patient endpoints exactly as :func:`plan.derive_analysis_tables`
gives them, so their counts per arm are the counts of results.json. Choices:

- ADLB: every labs.csv measurement (the last of its date, as the plan uses them); ``BASE`` is
  the plan's baseline (last on days −14…0, uncensored), ``ANL01FL`` marks the records the plan
  takes as the week 0…4 values (before censoring), with their ``AVISIT``.
- ADTTE ``TTDPR``/``TTFIB``: the first day of the first durable run (event); otherwise censored
  on the last measurement day the endpoint used (before the censoring day), or day 0 when none.
- ADAE: every adverse event, ``TRTEMFL`` from the plan's treatment-emergent window.
"""

from __future__ import annotations

import pandas as pd

from khetrial.constants import RESPONSE_WEEKS
from khetrial.endpoints.censoring import derive_censoring
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.windows import derive_before_censoring, derive_week_values
from khetrial.standards import adam_metadata as am
from khetrial.standards import terminology as ct
from khetrial.standards._common import decode, frame, iso_dates, usubjid
from khetrial.standards.plan import AnalysisTables, derive_analysis_tables
from khetrial.standards.sdtm import derive_dm
from khetrial.standards.sdtm_findings import ae_term_text

YES_NO = {1: "Y", 0: "N"}


def _flags(values) -> pd.Series:
    return pd.Series(values).map(lambda v: "" if pd.isna(v) else YES_NO[int(v)])


def _treatment(patient_ids, patients: pd.DataFrame) -> dict:
    arms = patients.set_index(patients["patient_id"].astype(str))["arm"].astype(str)
    codes = pd.Series(patient_ids).astype(str).map(arms).reset_index(drop=True)
    return {"STUDYID": ct.STUDY_ID, "USUBJID": usubjid(pd.Series(patient_ids).astype(str)),
            "TRTP": decode(ct.ARM, codes), "TRTPCD": codes}


def derive_adsl(tables: AnalysisTables, patients: pd.DataFrame, medications: pd.DataFrame) -> pd.DataFrame:
    """ADSL: DM's subject variables, then every khetrial ADSL column under its ADaM name."""
    dm = derive_dm(patients, medications)
    adsl = tables.adsl.reset_index(drop=True)
    columns = {name: dm[name] for name in ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE",
                                           "AGEU", "SEX", "RFSTDTC", "ARM")}
    columns.update(TRT01P=dm["ARM"], TRT01A=dm["ACTARM"], ITTFL="Y")
    for column, (name, _label, kind) in am.ADSL_NAMES.items():
        values = adsl[column]
        if kind == am.FLAG:
            values = _flags(values)
        elif column == "lesion_category_m12":
            values = decode(am.LESION_CATEGORY, values.astype(object))
        columns[name] = values
    return frame(am.ADSL, columns)


def derive_adlb(labs: pd.DataFrame, patients: pd.DataFrame, censoring: pd.DataFrame) -> pd.DataFrame:
    """ADLB: one record per lab test per date; baselines, changes and the plan's week values."""
    parts = []
    for test, code in ct.LBTESTCD.terms.items():
        rows = derive_lab_measurements(labs, patients, test)
        if rows.empty:
            continue
        rows = rows.assign(patient_id=rows["patient_id"].astype(str))
        baseline = derive_week_values(rows, weeks=())  # week 0: the plan's baseline (uncensored)
        chosen = derive_week_values(derive_before_censoring(rows, censoring), RESPONSE_WEEKS)
        chosen = chosen[chosen["week"] > 0]
        base = baseline.set_index("patient_id")["value"]
        rows = rows.merge(chosen[["patient_id", "day", "week"]], on=["patient_id", "day"], how="left")
        is_base = rows.set_index(["patient_id", "day"]).index.isin(
            baseline.set_index(["patient_id", "day"]).index)
        rows["week"] = rows["week"].where(~is_base, 0)
        rows["BASE"] = rows["patient_id"].map(base)
        rows["PARAMCD"], rows["unit"] = code, ct.lab_unit(test)
        parts.append(rows)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["patient_id", "date", "day", "value", "week", "BASE", "PARAMCD", "unit"])
    order = {pid: i for i, pid in enumerate(patients["patient_id"].astype(str))}
    rows = rows.assign(_o=rows["patient_id"].map(order)).sort_values(
        ["_o", "PARAMCD", "day"], kind="stable").reset_index(drop=True)
    chosen_week = rows["week"].notna()
    return frame(am.ADLB, {
        **_treatment(rows["patient_id"], patients), "PARAMCD": rows["PARAMCD"],
        "PARAM": rows["PARAMCD"].map(ct.LBTESTCD.decodes) + " (" + rows["unit"] + ")",
        "ADT": iso_dates(rows["date"]), "ADY": rows["day"],
        "AVISIT": rows["week"].map(lambda w: "" if pd.isna(w) else ("Baseline" if w == 0 else f"Week {int(w)}")),
        "AVISITN": rows["week"], "AVAL": rows["value"], "BASE": rows["BASE"],
        "CHG": rows["value"] - rows["BASE"],
        "ABLFL": (rows["week"] == 0).map({True: "Y", False: ""}),
        "ANL01FL": chosen_week.map({True: "Y", False: ""})})


def derive_adae(adverse_events: pd.DataFrame, patients: pd.DataFrame, tables: AnalysisTables) -> pd.DataFrame:
    """ADAE: every adverse event, flagged treatment-emergent as the plan counts them."""
    events = adverse_events.reset_index(drop=True)
    emergent = events.index.isin(tables.adverse_events.index)
    day0 = patients.set_index(patients["patient_id"].astype(str))["randomization_date"]
    days = (events["onset_date"] - events["patient_id"].astype(str).map(day0)).dt.days
    subjects = usubjid(events["patient_id"].astype(str))
    grades = events["grade"].astype("Int64")
    return frame(am.ADAE, {
        **_treatment(events["patient_id"], patients),
        "AESEQ": subjects.groupby(subjects, sort=False).cumcount() + 1,
        "AETERM": ae_term_text(events["term"]), "AEDECOD": ae_term_text(events["term"]),
        "AETOXGR": grades.astype("string").fillna(""), "ATOXGRN": grades,
        "AESER": _flags(events["serious"]), "ASTDY": days,
        "TRTEMFL": pd.Series(emergent).map({True: "Y", False: "N"}),
        "AESEVFL": _flags((grades >= 3).astype("Int64"))})


_TTE = (("TTDPR", "Time to Durable Platelet Response (Days)", "platelets",
         "platelet_durable_start_day", "DURABLE PLATELET RESPONSE"),
        ("TTFIB", "Time to Fibrinogen Stabilization (Days)", "fibrinogen",
         "fibrinogen_stable_start_day", "FIBRINOGEN STABILIZATION"))


def derive_adtte(tables: AnalysisTables, labs: pd.DataFrame, patients: pd.DataFrame,
                 censoring: pd.DataFrame) -> pd.DataFrame:
    """ADTTE: time to the first day of the first durable run, censored otherwise."""
    adsl = tables.adsl.reset_index(drop=True)
    ids = adsl["patient_id"].astype(str)
    parts = []
    for paramcd, param, test, start_column, event in _TTE:
        used = derive_before_censoring(derive_lab_measurements(labs, patients, test), censoring)
        used = used[used["day"] >= 0]
        last = used.groupby(used["patient_id"].astype(str))["day"].max()
        start = adsl[start_column].astype("float64")
        censored = start.isna()
        parts.append(pd.DataFrame({
            "patient_id": ids, "PARAMCD": paramcd, "PARAM": param,
            "AVAL": start.where(~censored, ids.map(last).fillna(0).astype("float64")),
            "CNSR": censored.astype("int64"),
            "EVNTDESC": censored.map({True: "CENSORED: NO DURABLE RUN", False: event})}))
    rows = pd.concat(parts, ignore_index=True)
    return frame(am.ADTTE, {**_treatment(rows["patient_id"], patients),
                            **{k: rows[k] for k in ("PARAMCD", "PARAM", "AVAL", "CNSR", "EVNTDESC")}})


def derive_adrs(tables: AnalysisTables, patients: pd.DataFrame) -> pd.DataFrame:
    """ADRS: each binary endpoint of the plan as a response record per patient and visit,
    then the month-12 lesion category."""
    adsl = tables.adsl.reset_index(drop=True)
    parts = []
    for endpoint, (paramcd, param, visit, visitn) in am.RESPONSE_PARAMETERS.items():
        parts.append(pd.DataFrame({"patient_id": adsl["patient_id"].astype(str), "PARAMCD": paramcd,
                                   "PARAM": param, "AVISIT": visit, "AVISITN": visitn,
                                   "AVALC": _flags(adsl[endpoint]),
                                   "AVAL": adsl[endpoint].astype("float64")}))
    paramcd, param, visit, visitn = am.LESION_CATEGORY_PARAMETER
    parts.append(pd.DataFrame({"patient_id": adsl["patient_id"].astype(str), "PARAMCD": paramcd,
                               "PARAM": param, "AVISIT": visit, "AVISITN": visitn,
                               "AVALC": decode(am.LESION_CATEGORY, adsl["lesion_category_m12"].astype(object)),
                               "AVAL": float("nan")}))
    rows = pd.concat(parts, ignore_index=True)
    order = {pid: i for i, pid in enumerate(adsl["patient_id"].astype(str))}
    rows = rows.assign(_o=rows["patient_id"].map(order)).sort_values("_o", kind="stable")
    rows = rows.reset_index(drop=True)
    return frame(am.ADRS, {**_treatment(rows["patient_id"], patients),
                           **{k: rows[k] for k in ("PARAMCD", "PARAM", "AVISIT", "AVISITN", "AVALC", "AVAL")}})


def derive_adam(bundle) -> dict[str, pd.DataFrame]:
    """Every ADaM dataset of ``bundle`` by name (:data:`adam_metadata.ADAM_DATASETS` order)."""
    tables = derive_analysis_tables(bundle)
    p = bundle.patients
    censoring = derive_censoring(p, bundle.medications, bundle.disposition)
    return {"ADSL": derive_adsl(tables, p, bundle.medications),
            "ADLB": derive_adlb(bundle.labs, p, censoring),
            "ADAE": derive_adae(bundle.adverse_events, p, tables),
            "ADTTE": derive_adtte(tables, bundle.labs, p, censoring),
            "ADRS": derive_adrs(tables, p)}
