"""SDTM domains of a bundle: subject-level and trial-design domains (DM, SUPPDM, DS, EX, CM,
SV, TS); findings and events are in :mod:`khetrial.standards.sdtm_findings`.

:func:`derive_sdtm` returns every domain of :data:`~khetrial.standards.metadata.SDTM_DATASETS`
as a DataFrame with exactly its variables. Documented choices:

- EX holds the study treatments (sirolimus, prednisolone) as ``medications.csv`` records them,
  route ``ORAL`` (Pub.: oral solution); CM holds other KHE therapies (incl. surgery or
  embolization) and TMP-SMX prophylaxis, ``CMSTRF`` = ``BEFORE`` (prior) or ``DURING``.
- Transfusions are procedures (PR, ``PRCAT = TRANSFUSION``).
- MRI lesion volumes are TR results of one target lesion (``TRLNKID = T01``); the month-12
  responses are *derived* (SAP), not collected, so they are in ADaM ADRS, not SDTM RS.
- Sequelae are pre-specified clinical events (CE with ``CEPRESP``/``CEOCCUR``).
- SV: a visit of the protocol's schedule happened when any assessment falls in its window.
- Lesion depth and site, biopsy, KMP onset and baseline weight and height go to SUPPDM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.constants import (
    DESIGN_N_PER_ARM,
    ELIGIBLE_AGE_MAX_YEARS,
    ELIGIBLE_AGE_MIN_YEARS,
    FOLLOW_UP_YEARS,
)
from khetrial.endpoints.baseline import DAYS_PER_MONTH
from khetrial.protocol.schedule import visit_definitions
from khetrial.standards import metadata as md
from khetrial.standards import terminology as ct
from khetrial.standards._common import (
    compute_sdtm_day,
    decode,
    frame,
    iso_dates,
    randomization_dates,
    sequence,
    usubjid,
)
from khetrial.standards.sdtm_findings import (
    derive_ae,
    derive_ce,
    derive_lb,
    derive_pc,
    derive_pr,
    derive_qs,
    derive_tr,
    derive_vs,
)

STUDY_TREATMENTS = ("sirolimus", "prednisolone")  # Pub. "Study intervention"
STUDY_TITLE = ("Sirolimus plus prednisolone vs sirolimus monotherapy for kaposiform "
               "hemangioendothelioma with Kasabach-Merritt phenomenon")  # Pub.: title


def derive_dm(patients: pd.DataFrame, medications: pd.DataFrame) -> pd.DataFrame:
    """DM: one record per patient, in patients.csv order."""
    ids = patients["patient_id"].astype(str).reset_index(drop=True)
    age_days = (patients["randomization_date"] - patients["birth_date"]).dt.days
    sirolimus = medications[medications["drug"] == "sirolimus"]
    last_end = sirolimus.groupby(sirolimus["patient_id"].astype(str))["end_date"].agg(
        lambda ends: ends.max() if ends.notna().all() else pd.NaT)  # ongoing: no end yet
    arm = patients["arm"].reset_index(drop=True)
    return frame(md.DM, {
        "STUDYID": ct.STUDY_ID, "DOMAIN": "DM", "USUBJID": usubjid(ids), "SUBJID": ids,
        "RFSTDTC": iso_dates(patients["randomization_date"]),
        "RFENDTC": iso_dates(ids.map(last_end)), "SITEID": patients["site_id"],
        "BRTHDTC": iso_dates(patients["birth_date"]),
        "AGE": np.floor(age_days / DAYS_PER_MONTH),  # whole months, as the baseline table counts
        "AGEU": "MONTHS", "SEX": decode(ct.SEX, patients["sex"]),
        "ARMCD": decode(ct.ARMCD, arm), "ARM": decode(ct.ARM, arm),
        "ACTARMCD": decode(ct.ARMCD, arm), "ACTARM": decode(ct.ARM, arm), "COUNTRY": ct.COUNTRY})


_SUPP = (  # QNAM, QLABEL, bundle column, how the value is written
    ("LESDEPTH", "Lesion Depth", "lesion_depth", lambda s: decode(ct.DEPTH, s)),
    ("LESSITE", "Lesion Site", "lesion_site", lambda s: decode(ct.LESION_SITE, s)),
    ("BIOPSY", "Histology Available", "biopsy", lambda s: decode(ct.NY, s.astype("string"))),
    ("KMPDTC", "Onset Date of Kasabach-Merritt Phenomenon", "kmp_onset_date", iso_dates),
    ("WEIGHT", "Baseline Weight (kg)", "weight_kg", lambda s: s.map(lambda x: f"{x:g}")),
    ("HEIGHT", "Baseline Height (cm)", "height_cm", lambda s: s.map(lambda x: f"{x:g}")),
)


def derive_suppdm(patients: pd.DataFrame) -> pd.DataFrame:
    """SUPPDM: the patients.csv columns DM has no variable for, one record per non-empty value."""
    parts = []
    for qnam, qlabel, column, write in _SUPP:
        present = patients[patients[column].notna()]
        parts.append(pd.DataFrame({"patient_id": present["patient_id"].astype(str).to_numpy(),
                                   "QNAM": qnam, "QLABEL": qlabel,
                                   "QVAL": write(present[column].reset_index(drop=True)).to_numpy()}))
    rows = pd.concat(parts, ignore_index=True)
    order = {pid: i for i, pid in enumerate(patients["patient_id"].astype(str))}
    rows = rows.iloc[rows["patient_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
    return frame(md.SUPPDM, {"STUDYID": ct.STUDY_ID, "RDOMAIN": "DM",
                             "USUBJID": usubjid(rows["patient_id"]), "IDVAR": "", "IDVARVAL": "",
                             "QNAM": rows["QNAM"], "QLABEL": rows["QLABEL"], "QVAL": rows["QVAL"],
                             "QORIG": "CRF"})


def derive_ds(patients: pd.DataFrame, disposition: pd.DataFrame) -> pd.DataFrame:
    """DS: the randomization milestone of every patient, then disposition.csv's records."""
    randomized = pd.DataFrame({"patient_id": patients["patient_id"].astype(str),
                               "date": patients["randomization_date"], "term": "RANDOMIZED",
                               "code": "randomized", "cat": "PROTOCOL MILESTONE"})
    reasons = disposition["reason"].astype(object).where(disposition["reason"].notna(),
                                                         disposition["status"].astype(object))
    status = pd.DataFrame({"patient_id": disposition["patient_id"].astype(str),
                           "date": disposition["date"],
                           "term": reasons.astype(str).str.replace("_", " ").str.upper(),
                           "code": reasons, "cat": "DISPOSITION EVENT"})
    rows = pd.concat([randomized, status], ignore_index=True)
    order = {pid: i for i, pid in enumerate(patients["patient_id"].astype(str))}
    rows = rows.iloc[rows["patient_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
    subjects = usubjid(rows["patient_id"])
    return frame(md.DS, {
        "STUDYID": ct.STUDY_ID, "DOMAIN": "DS", "USUBJID": subjects, "DSSEQ": sequence(subjects),
        "DSTERM": rows["term"], "DSDECOD": decode(ct.DSDECOD, rows["code"]), "DSCAT": rows["cat"],
        "DSSTDTC": iso_dates(rows["date"]),
        "DSSTDY": compute_sdtm_day(rows["date"], randomization_dates(patients, rows["patient_id"]))})


def _treatments(dataset: md.Dataset, prefix: str, courses: pd.DataFrame,
                patients: pd.DataFrame, extra: dict) -> pd.DataFrame:
    courses = courses.reset_index(drop=True)
    subjects = usubjid(courses["patient_id"])
    day0 = randomization_dates(patients, courses["patient_id"])
    return frame(dataset, {
        "STUDYID": ct.STUDY_ID, "DOMAIN": prefix, "USUBJID": subjects,
        f"{prefix}SEQ": sequence(subjects), f"{prefix}TRT": decode(ct.TREATMENT, courses["drug"]),
        f"{prefix}DOSE": courses["dose"], f"{prefix}DOSU": decode(ct.EXDOSU, courses["dose_unit"]),
        f"{prefix}DOSFRQ": decode(ct.FREQ, courses["frequency"]),
        f"{prefix}STDTC": iso_dates(courses["start_date"]),
        f"{prefix}ENDTC": iso_dates(courses["end_date"]),
        f"{prefix}STDY": compute_sdtm_day(courses["start_date"], day0),
        f"{prefix}ENDY": compute_sdtm_day(courses["end_date"], day0), **extra(courses, day0)})


def derive_ex(medications: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """EX: the sirolimus and prednisolone courses of medications.csv, in file order."""
    courses = medications[medications["drug"].isin(STUDY_TREATMENTS)]
    return _treatments(md.EX, "EX", courses, patients, lambda c, d: {"EXROUTE": "ORAL"})


def derive_cm(medications: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """CM: other KHE therapies and TMP-SMX of medications.csv; ``CMTRT`` names the agent when
    the bundle has an ``agent`` column (an extra column), else the CDISC-style drug name."""
    courses = medications[~medications["drug"].isin(STUDY_TREATMENTS)]

    def extra(c: pd.DataFrame, day0: pd.Series) -> dict:
        names = decode(ct.TREATMENT, c["drug"])
        if "agent" in c.columns:
            agent = c["agent"].astype("string").str.strip().str.upper()
            names = agent.where(agent.notna() & (agent != ""), names).astype(object)
        before = (c["start_date"].reset_index(drop=True) < day0)
        return {"CMTRT": names, "CMCAT": decode(ct.TREATMENT_CATEGORY, c["drug"]),
                "CMSTRF": before.map({True: "BEFORE", False: "DURING"})}

    return _treatments(md.CM, "CM", courses, patients, extra)


def _assessment_dates(bundle) -> pd.DataFrame:
    parts = [getattr(bundle, name)[["patient_id", "date"]]
             for name in ("labs", "drug_levels", "mri", "qol", "sequelae")]
    dates = pd.concat(parts, ignore_index=True).dropna()
    dates["patient_id"] = dates["patient_id"].astype(str)
    return dates.drop_duplicates()


def derive_sv(bundle) -> pd.DataFrame:
    """SV: per patient, each scheduled visit (protocol schedule) with an assessment in its window:
    its first and last assessment dates there."""
    dates = _assessment_dates(bundle)
    day0 = randomization_dates(bundle.patients, dates["patient_id"])
    dates = dates.assign(day=(dates["date"].reset_index(drop=True) - day0).dt.days.to_numpy())
    rows = []
    for number, visit in enumerate(visit_definitions(), start=1):
        inside = dates[dates["day"].between(visit.window_start_day, visit.window_end_day)]
        span = inside.groupby("patient_id")["date"].agg(["min", "max"]).reset_index()
        rows.append(span.assign(VISITNUM=number, VISIT=visit.name))
    rows = pd.concat(rows, ignore_index=True)
    order = {pid: i for i, pid in enumerate(bundle.patients["patient_id"].astype(str))}
    rows = rows.assign(_o=rows["patient_id"].map(order)).sort_values(["_o", "VISITNUM"], kind="stable")
    rows = rows.reset_index(drop=True)
    return frame(md.SV, {
        "STUDYID": ct.STUDY_ID, "DOMAIN": "SV", "USUBJID": usubjid(rows["patient_id"]),
        "VISITNUM": rows["VISITNUM"], "VISIT": rows["VISIT"], "SVSTDTC": iso_dates(rows["min"]),
        "SVENDTC": iso_dates(rows["max"]),
        "SVSTDY": compute_sdtm_day(rows["min"], randomization_dates(bundle.patients, rows["patient_id"]))})


def trial_summary() -> tuple[tuple[str, str, str], ...]:
    """TS parameters (code, name, value) from the publication's constants."""
    return (
        ("TITLE", "Trial Title", STUDY_TITLE),
        ("REGID", "Registry Identifier", ct.STUDY_ID),
        ("STYPE", "Study Type", "INTERVENTIONAL"),
        ("RANDOM", "Trial is Randomized", "Y"),
        ("TCNTRL", "Control Type", "ACTIVE"),
        ("NARMS", "Planned Number of Arms", str(len(ct.ARM_LABELS))),
        ("PLANSUB", "Planned Number of Subjects", str(2 * DESIGN_N_PER_ARM)),
        ("AGEMIN", "Planned Minimum Age of Subjects", f"P{ELIGIBLE_AGE_MIN_YEARS}Y"),
        ("AGEMAX", "Planned Maximum Age of Subjects", f"P{ELIGIBLE_AGE_MAX_YEARS}Y"),
        ("SEXPOP", "Sex of Participants", "BOTH"),
        ("INDIC", "Trial Disease/Condition Indication",
         "KAPOSIFORM HEMANGIOENDOTHELIOMA WITH KASABACH-MERRITT PHENOMENON"),
        ("TRT", "Investigational Therapy or Treatment", "SIROLIMUS; PREDNISOLONE"),
        ("ROUTE", "Route of Administration", "ORAL"),
        ("LENGTH", "Trial Length", f"P{FOLLOW_UP_YEARS}Y"),
        ("CTCAEVER", "CTCAE Version", "4.0"),
    )


def derive_ts() -> pd.DataFrame:
    """TS: the trial summary parameters of :func:`trial_summary`."""
    rows = trial_summary()
    return frame(md.TS, {"STUDYID": ct.STUDY_ID, "DOMAIN": "TS", "TSSEQ": [1] * len(rows),
                         "TSPARMCD": [r[0] for r in rows], "TSPARM": [r[1] for r in rows],
                         "TSVAL": [r[2] for r in rows]})


def derive_sdtm(bundle) -> dict[str, pd.DataFrame]:
    """Every SDTM domain of ``bundle`` by dataset name (:data:`metadata.SDTM_DATASETS` order)."""
    p, m = bundle.patients, bundle.medications
    domains = {
        "DM": derive_dm(p, m), "SUPPDM": derive_suppdm(p), "DS": derive_ds(p, bundle.disposition),
        "EX": derive_ex(m, p), "CM": derive_cm(m, p), "LB": derive_lb(bundle.labs, p),
        "PC": derive_pc(bundle.drug_levels, p), "VS": derive_vs(bundle.body_size, p), "AE": derive_ae(bundle.adverse_events, p),
        "PR": derive_pr(bundle.transfusions, p), "QS": derive_qs(bundle.qol, p),
        "TR": derive_tr(bundle.mri, p), "CE": derive_ce(bundle.sequelae, p),
        "SV": derive_sv(bundle), "TS": derive_ts(),
    }
    return {d.name: domains[d.name] for d in md.SDTM_DATASETS}
