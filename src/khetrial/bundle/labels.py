"""Human labels of the bundle format: every file, column and code as clinicians write them.

The one label source of khetrial. :mod:`khetrial.bundle.format` names the data (``weight_kg``,
``tiw_bid``, ``mg_m2``); this module says how a person reads them ("Weight (kg)", "three times
a week, twice a day", "mg/m²"). The web forms, the tables of the pages, the audit trail and the
codebook of the bundle download all read it; none of them writes a label of its own.

The labels are plain English marked with :func:`khetrial.i18n.gettext_noop`, so that the
translation catalogue collects them; the EDC wing translates them where it shows them
(:mod:`khetrial.edc.web.labels`). A unit is never part of a label: it comes from the column's
``unit`` in the format (or ``LAB_RANGES`` for a laboratory value) and is written after the label
in parentheses, the same in every language.
"""

from __future__ import annotations

from types import MappingProxyType

from khetrial.bundle.format import LAB_RANGES, TABLE_SPECS
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, ARM_LABELS
from khetrial.i18n import gettext_noop
from khetrial.protocol.eligibility import PRIOR_KHE_THERAPIES
from khetrial.protocol.pedsql import FORMS

__all__ = ["TABLE_LABELS", "COLUMN_LABELS", "TABLE_COLUMN_LABELS", "CODE_LABELS",
           "YES_NO", "column_label", "column_unit", "code_label", "lab_unit", "codebook_rows",
           "all_labels"]

#: file -> label (a page's section title, the form's heading).
TABLE_LABELS = MappingProxyType({
    "patients": gettext_noop("Patients"),
    "labs": gettext_noop("Laboratory results"),
    "drug_levels": gettext_noop("Sirolimus trough levels"),
    "body_size": gettext_noop("Body size"),
    "medications": gettext_noop("Medication courses"),
    "mri": gettext_noop("MRI lesion volumes"),
    "qol": gettext_noop("PedsQL answers"),
    "adverse_events": gettext_noop("Adverse events"),
    "transfusions": gettext_noop("Transfusions"),
    "sequelae": gettext_noop("Sequelae"),
    "disposition": gettext_noop("End of study"),
    "screening": gettext_noop("Screening"),
})

#: column -> label, for every file where the column means the same thing.
COLUMN_LABELS = MappingProxyType({
    "patient_id": gettext_noop("Patient number"),
    "patient": gettext_noop("Patient number"),
    "site_id": gettext_noop("Site"),
    "site": gettext_noop("Site"),
    "sex": gettext_noop("Sex"),
    "birth_date": gettext_noop("Date of birth"),
    "randomization_date": gettext_noop("Date of randomization"),
    "arm": gettext_noop("Treatment arm"),
    "weight_kg": gettext_noop("Weight"),
    "height_cm": gettext_noop("Height"),
    "lesion_depth": gettext_noop("Lesion depth"),
    "lesion_site": gettext_noop("Lesion site"),
    "kmp_onset_date": gettext_noop("Onset of Kasabach-Merritt phenomenon"),
    "biopsy": gettext_noop("Biopsy performed"),
    "date": gettext_noop("Date"),
    "test": gettext_noop("Test"),
    "value": gettext_noop("Result"),
    "sirolimus_trough_ng_ml": gettext_noop("Sirolimus trough level"),
    "drug": gettext_noop("Drug"),
    "start_date": gettext_noop("Start date"),
    "end_date": gettext_noop("End date"),
    "dose": gettext_noop("Dose"),
    "dose_unit": gettext_noop("Dose unit"),
    "frequency": gettext_noop("Frequency"),
    "lesion_volume_ml": gettext_noop("Lesion volume"),
    "instrument": gettext_noop("Questionnaire"),
    "scale": gettext_noop("Scale"),
    "item": gettext_noop("Item"),
    "response": gettext_noop("Answer"),
    "term": gettext_noop("Adverse event"),
    "onset_date": gettext_noop("Onset date"),
    "grade": gettext_noop("CTCAE grade"),
    "serious": gettext_noop("Serious"),
    "related": gettext_noop("Related to the study drugs"),
    "action": gettext_noop("Action taken"),
    "product": gettext_noop("Blood product"),
    "sequela": gettext_noop("Sequela"),
    "present": gettext_noop("Present"),
    "status": gettext_noop("Status"),
    "reason": gettext_noop("Reason"),
    "screening_id": gettext_noop("Screening number"),
    "eligible": gettext_noop("Eligible"),
})

#: (file, column) -> label where a file gives a column a more precise meaning.
TABLE_COLUMN_LABELS = MappingProxyType({
    ("labs", "date"): gettext_noop("Date of sampling"),
    ("drug_levels", "date"): gettext_noop("Date of sampling"),
    ("body_size", "date"): gettext_noop("Date measured"),
    ("mri", "date"): gettext_noop("Date of MRI"),
    ("qol", "date"): gettext_noop("Date answered"),
    ("adverse_events", "end_date"): gettext_noop("Date resolved"),
    ("sequelae", "date"): gettext_noop("Date of assessment"),
    ("disposition", "date"): gettext_noop("Date of end of study"),
    ("disposition", "reason"): gettext_noop("Reason for discontinuation"),
    ("screening", "date"): gettext_noop("Date of screening"),
    ("screening", "reason"): gettext_noop("Failed criteria"),
})

YES_NO = MappingProxyType({"1": gettext_noop("yes"), "0": gettext_noop("no")})

#: column -> {code -> label}: every code of every ``code`` column of the format, and the PedsQL
#: instruments and scales of the ``qol`` file.
CODE_LABELS = MappingProxyType({
    "sex": {
        "F": gettext_noop("Female"),
        "M": gettext_noop("Male"),
    },
    "arm": {
        ARM_EXPERIMENTAL: gettext_noop("Sirolimus + prednisolone"),
        ARM_CONTROL: gettext_noop("Sirolimus"),
    },
    "lesion_depth": {
        "superficial": gettext_noop("Superficial"),
        "mixed": gettext_noop("Mixed (superficial and deep)"),
        "deep": gettext_noop("Deep"),
    },
    "lesion_site": {
        "head_neck": gettext_noop("Head and neck"),
        "trunk": gettext_noop("Trunk"),
        "extremity": gettext_noop("Extremity"),
        "retroperitoneal": gettext_noop("Retroperitoneum"),
        "intrathoracic": gettext_noop("Thoracic cavity"),
        "other": gettext_noop("Other"),
    },
    "test": {
        "platelets": gettext_noop("Platelet count"),
        "fibrinogen": gettext_noop("Fibrinogen"),
        "d_dimer": gettext_noop("D-dimer"),
        "hemoglobin": gettext_noop("Hemoglobin"),
        "alt": gettext_noop("Alanine aminotransferase (ALT)"),
        "ast": gettext_noop("Aspartate aminotransferase (AST)"),
    },
    "drug": {
        "sirolimus": gettext_noop("Sirolimus"),
        "prednisolone": gettext_noop("Prednisolone"),
        "other_khe_therapy": gettext_noop("Other KHE therapy"),
        "tmp_smx": gettext_noop("Trimethoprim-sulfamethoxazole"),
    },
    "dose_unit": {
        "mg_m2": gettext_noop("mg/m²"),
        "mg_kg": gettext_noop("mg/kg"),
        "mg": gettext_noop("mg"),
    },
    "frequency": {
        "bid": gettext_noop("twice a day"),
        "qd": gettext_noop("once a day"),
        "tiw_bid": gettext_noop("three times a week, twice a day"),
    },
    "product": {
        "ffp": gettext_noop("Fresh frozen plasma"),
        "cryoprecipitate": gettext_noop("Cryoprecipitate"),
        "red_cells": gettext_noop("Red blood cells"),
        "platelets": gettext_noop("Platelets"),
    },
    "sequela": {
        "lymphedema": gettext_noop("Lymphedema"),
        "decreased_rom": gettext_noop("Decreased range of motion"),
        "chronic_pain": gettext_noop("Chronic pain"),
        "scoliosis": gettext_noop("Scoliosis"),
        "leg_length_discrepancy": gettext_noop("Leg length discrepancy"),
    },
    "status": {
        "completed": gettext_noop("Completed"),
        "discontinued": gettext_noop("Discontinued"),
    },
    "reason": {
        "lack_of_efficacy": gettext_noop("Lack of efficacy"),
        "progression": gettext_noop("Progression"),
        "parent_request": gettext_noop("Parents' request"),
        "toxicity": gettext_noop("Toxicity"),
        "lost_to_follow_up": gettext_noop("Lost to follow-up"),
        "other": gettext_noop("Other"),
    },
    "action": {
        "none": gettext_noop("None"),
        "dose_reduced": gettext_noop("Dose reduced"),
        "interrupted": gettext_noop("Interrupted"),
        "withdrawn": gettext_noop("Withdrawn"),
    },
    "instrument": {
        "infant_1_12": gettext_noop("PedsQL infant scales, 1–12 months"),
        "infant_13_24": gettext_noop("PedsQL infant scales, 13–24 months"),
        "generic_core_2_4": gettext_noop("PedsQL generic core scales, 2–4 years"),
    },
    "scale": {
        "physical_functioning": gettext_noop("Physical functioning"),
        "physical_symptoms": gettext_noop("Physical symptoms"),
        "emotional_functioning": gettext_noop("Emotional functioning"),
        "social_functioning": gettext_noop("Social functioning"),
        "cognitive_functioning": gettext_noop("Cognitive functioning"),
        "school_functioning": gettext_noop("School functioning"),
    },
})

#: The KHE therapies of the screening form's washout questions (protocol.eligibility).
THERAPY_LABELS = MappingProxyType({
    "embolization": gettext_noop("embolization"), "sclerotherapy": gettext_noop("sclerotherapy"),
    "corticosteroids": gettext_noop("corticosteroids"), "propranolol": gettext_noop("propranolol"),
    "chemotherapy": gettext_noop("chemotherapy")})

# Every code of the format has its label: a new code without one fails at import (and in
# tests/bundle/test_labels.py), never on a page.
_MISSING = [(t.name, c.name, code) for t in TABLE_SPECS.values() for c in t.columns
            for code in c.codes if code not in CODE_LABELS.get(c.name, {})]
_MISSING += [("qol", "instrument", f) for f in FORMS if f not in CODE_LABELS["instrument"]]
_MISSING += [("screening", "therapy", t) for t in PRIOR_KHE_THERAPIES if t not in THERAPY_LABELS]
_MISSING += [("patients", "arm", code) for code, label in ARM_LABELS.items()
             if CODE_LABELS["arm"].get(code) != label]
if _MISSING:
    raise ImportError(f"bundle/labels.py: codes without a label: {_MISSING}")


def column_label(table: str, column: str) -> str:
    """The label of ``column`` of ``table`` (English, without its unit); the column's name with
    spaces when it has none (a column the format does not know, e.g. ``id``)."""
    return TABLE_COLUMN_LABELS.get((table, column)) or COLUMN_LABELS.get(
        column, column.replace("_", " "))


def column_unit(table: str, column: str) -> str:
    """The unit of ``column`` of ``table`` as clinicians write it ("" when it has none)."""
    spec = TABLE_SPECS.get(table)
    if spec is None or column not in spec.column_names:
        return ""
    return spec.column(column).unit


def lab_unit(test: str) -> str:
    """The unit of a laboratory test's value (``×10⁹/L`` for platelets)."""
    rng = LAB_RANGES.get(test)
    return rng.unit if rng else ""


def code_label(column: str, code: str) -> str:
    """The label of one code of ``column`` (the code itself when it has none)."""
    return CODE_LABELS.get(column, {}).get(code, code)


def codebook_rows() -> list[dict[str, str]]:
    """The bundle's codebook: one row per column (and per code of a coded column), English.

    The columns: ``file``, ``column``, ``label``, ``unit``, ``code``, ``code_label``."""
    rows = []
    for table in TABLE_SPECS.values():
        for col in table.columns:
            base = {"file": table.file, "column": col.name,
                    "label": column_label(table.name, col.name), "unit": col.unit}
            rows.append({**base, "code": "", "code_label": ""})
            codes = col.codes or (tuple(CODE_LABELS[col.name]) if col.name in ("instrument",
                                                                                "scale") else ())
            rows.extend({**base, "code": code, "code_label": code_label(col.name, code)}
                        for code in codes)
            if col.name == "test":
                rows.extend({**base, "column": "value", "code": code,
                             "code_label": code_label("test", code), "unit": lab_unit(code)}
                            for code in col.codes)
    return rows


def all_labels() -> set[str]:
    """Every label this module defines (the catalogue test checks each is translated)."""
    labels = {*TABLE_LABELS.values(), *COLUMN_LABELS.values(), *TABLE_COLUMN_LABELS.values(),
              *YES_NO.values(), *THERAPY_LABELS.values()}
    for codes in CODE_LABELS.values():
        labels.update(codes.values())
    return labels
