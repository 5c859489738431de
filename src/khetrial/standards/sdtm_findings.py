"""SDTM findings and events of a bundle: LB, PC, VS, QS, TR (findings), AE, PR, CE (events).

Each ``derive_<domain>(table, patients)`` keeps the bundle file's row order and numbers the
records per subject (``--SEQ``). Values are in the bundle format's units, which are the
standard units (SI for labs), so ``--ORRES`` and ``--STRESN`` hold the same number.
"""

from __future__ import annotations

import re

import pandas as pd

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

SIROLIMUS_TEST = ("SIROLIM", "Sirolimus")  # PCTESTCD, PCTEST (sponsor-defined, ≤ 8 characters)
LESION_VOLUME_TEST = ("VOLUME", "Volume")  # TRTESTCD, TRTEST (CDISC C96778 Tumor/lesion tests)
TARGET_LESION = "T01"
QS_NOT_DONE = "NOT DONE"


def number_text(values) -> pd.Series:
    """Numbers as the shortest text that reads back to the same float (``""`` when missing)."""
    return pd.Series(values).map(lambda x: "" if pd.isna(x) else repr(float(x)).removesuffix(".0"))


def _base(domain: str, table: pd.DataFrame, patients: pd.DataFrame, date_col: str = "date") -> dict:
    subjects = usubjid(table["patient_id"])
    return {"STUDYID": ct.STUDY_ID, "DOMAIN": domain, "USUBJID": subjects,
            f"{domain}SEQ": sequence(subjects),
            "_day": compute_sdtm_day(table[date_col],
                                     randomization_dates(patients, table["patient_id"]))}


def _numeric_result(prefix: str, values: pd.Series, unit) -> dict:
    text = number_text(values)
    return {f"{prefix}ORRES": text, f"{prefix}ORRESU": unit, f"{prefix}STRESC": text,
            f"{prefix}STRESN": values, f"{prefix}STRESU": unit}


def derive_lb(labs: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """LB: labs.csv, one record per row; ``LBTESTCD`` CDISC CT, units CDISC UNIT terms."""
    labs = labs.reset_index(drop=True)
    codes = decode(ct.LBTESTCD, labs["test"])
    units = labs["test"].astype(object).map(ct.lab_unit)
    base = _base("LB", labs, patients)
    return frame(md.LB, {**base, "LBTESTCD": codes, "LBTEST": codes.map(ct.LBTESTCD.decodes),
                         **_numeric_result("LB", labs["value"], units),
                         "LBDTC": iso_dates(labs["date"]), "LBDY": base["_day"]})


def derive_pc(drug_levels: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """PC: sirolimus whole-blood trough concentrations (drug_levels.csv)."""
    levels = drug_levels.reset_index(drop=True)
    base = _base("PC", levels, patients)
    unit = ct.UNIT.terms["ng/mL"]
    return frame(md.PC, {**base, "PCTESTCD": SIROLIMUS_TEST[0], "PCTEST": SIROLIMUS_TEST[1],
                         **_numeric_result("PC", levels["sirolimus_trough_ng_ml"], unit),
                         "PCSPEC": "WHOLE BLOOD", "PCTPT": "TROUGH",
                         "PCDTC": iso_dates(levels["date"]), "PCDY": base["_day"]})


VS_UNITS = {"weight_kg": ct.UNIT.terms["kg"], "height_cm": ct.UNIT.terms["cm"]}


def derive_vs(body_size: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """VS: weight and height per subject, the baseline of patients.csv (dated on the
    randomization date, where the randomization form records it) first, then the rows of
    body_size.csv in file order; WEIGHT before HEIGHT in each measurement."""
    columns = ["patient_id", "date", *VS_UNITS]
    baseline = patients.rename(columns={"randomization_date": "date"})[columns]
    rows = pd.concat([baseline.assign(_later=0), body_size[columns].assign(_later=1)], ignore_index=True)
    order = {pid: i for i, pid in enumerate(patients["patient_id"].astype(str))}
    rows = rows.assign(_subject=rows["patient_id"].astype(str).map(order), _row=range(len(rows)))
    long = rows.melt(id_vars=["patient_id", "date", "_subject", "_later", "_row"],
                     value_vars=list(VS_UNITS), var_name="test", value_name="value")
    long = long.assign(_test=long["test"].map({name: i for i, name in enumerate(VS_UNITS)}))
    long = long[long["value"].notna()].sort_values(["_subject", "_later", "_row", "_test"], kind="stable")
    long = long.reset_index(drop=True)
    base = _base("VS", long, patients)
    codes = decode(ct.VSTESTCD, long["test"])
    return frame(md.VS, {**base, "VSTESTCD": codes, "VSTEST": codes.map(ct.VSTESTCD.decodes),
                         **_numeric_result("VS", long["value"].astype("float64"), long["test"].map(VS_UNITS)),
                         "VSDTC": iso_dates(long["date"]), "VSDY": base["_day"]})


def compute_qs_testcd(items) -> pd.Series:
    """A question short name (≤ 8 characters, letters and digits, not starting with a digit)
    from the bundle's item id: ``pf_01`` → ``PF01``.

    >>> compute_qs_testcd(["pf_01", "3x"]).tolist()
    ['PF01', 'Q3X']
    """
    def short(item: str) -> str:
        code = re.sub(r"[^A-Z0-9]", "", str(item).upper())
        return (code if code[:1].isalpha() else "Q" + code)[:md.MAX_NAME]

    return pd.Series(items).map(short)


def derive_qs(qol: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """QS: PedsQL item answers (qol.csv), ``QSSTAT = NOT DONE`` for an unanswered item."""
    qol = qol.reset_index(drop=True)
    base = _base("QS", qol, patients)
    answered = qol["response"].notna()
    text = qol["response"].astype("string").fillna("")
    return frame(md.QS, {**base, "QSTESTCD": compute_qs_testcd(qol["item"]),
                         "QSTEST": qol["item"].astype(str),
                         "QSCAT": qol["instrument"].astype(str).str.upper(),
                         "QSSCAT": qol["scale"].astype(str).str.upper(),
                         "QSORRES": text, "QSSTRESC": text,
                         "QSSTRESN": qol["response"].astype("float64"),
                         "QSSTAT": answered.map({True: "", False: QS_NOT_DONE}),
                         "QSDTC": iso_dates(qol["date"]), "QSDY": base["_day"]})


def derive_tr(mri: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """TR: volumetric MRI of the target lesion (mri.csv)."""
    mri = mri.reset_index(drop=True)
    base = _base("TR", mri, patients)
    unit = ct.UNIT.terms["mL"]
    return frame(md.TR, {**base, "TRLNKID": TARGET_LESION, "TRTESTCD": LESION_VOLUME_TEST[0],
                         "TRTEST": LESION_VOLUME_TEST[1],
                         **_numeric_result("TR", mri["lesion_volume_ml"], unit),
                         "TRMETHOD": "MRI", "TRDTC": iso_dates(mri["date"]), "TRDY": base["_day"]})


def ae_term_text(terms) -> pd.Series:
    """A CTCAE term in snake case as CTCAE writes it: ``mucositis_oral`` → ``MUCOSITIS ORAL``."""
    return pd.Series(terms).astype(str).str.replace("_", " ").str.upper()


def derive_ae(adverse_events: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """AE: adverse_events.csv with the CTCAE v4.0 grade (``AETOXGR``)."""
    events = adverse_events.reset_index(drop=True)
    base = _base("AE", events, patients, "onset_date")
    day0 = randomization_dates(patients, events["patient_id"])
    terms = ae_term_text(events["term"])
    return frame(md.AE, {**base, "AETERM": terms, "AEDECOD": terms,
                         "AETOXGR": decode(ct.TOXGR, events["grade"].astype("string")),
                         "AESER": decode(ct.NY, events["serious"].astype("string")),
                         "AEREL": decode(ct.NY, events["related"].astype("string")),
                         "AEACN": decode(ct.ACN, events["action"]),
                         "AESTDTC": iso_dates(events["onset_date"]),
                         "AEENDTC": iso_dates(events["end_date"]), "AESTDY": base["_day"],
                         "AEENDY": compute_sdtm_day(events["end_date"], day0)})


def derive_pr(transfusions: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """PR: transfusions (transfusions.csv) as procedures of category TRANSFUSION."""
    rows = transfusions.reset_index(drop=True)
    base = _base("PR", rows, patients)
    return frame(md.PR, {**base, "PRTRT": decode(ct.PRODUCT, rows["product"]),
                         "PRCAT": "TRANSFUSION", "PRSTDTC": iso_dates(rows["date"]),
                         "PRSTDY": base["_day"]})


def derive_ce(sequelae: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """CE: the pre-specified sequelae (sequelae.csv), ``CEOCCUR`` from ``present``."""
    rows = sequelae.reset_index(drop=True)
    base = _base("CE", rows, patients)
    return frame(md.CE, {**base, "CETERM": decode(ct.SEQUELA, rows["sequela"]), "CEPRESP": "Y",
                         "CEOCCUR": decode(ct.NY, rows["present"].astype("string")),
                         "CEDTC": iso_dates(rows["date"]), "CEDY": base["_day"]})
