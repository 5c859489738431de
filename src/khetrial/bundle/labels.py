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
from khetrial.i18n import gettext_noop as N_
from khetrial.protocol.eligibility import PRIOR_KHE_THERAPIES
from khetrial.protocol.pedsql import FORMS

__all__ = ["TABLE_LABELS", "COLUMN_LABELS", "TABLE_COLUMN_LABELS", "CODE_LABELS",
           "YES_NO", "column_label", "column_unit", "code_label", "lab_unit", "codebook_rows",
           "all_labels"]

#: file -> label (a page's section title, the form's heading).
TABLE_LABELS = MappingProxyType({
    "patients": N_("Patients"),
    "labs": N_("Laboratory results"),
    "drug_levels": N_("Sirolimus trough levels"),
    "medications": N_("Medication courses"),
    "mri": N_("MRI lesion volumes"),
    "qol": N_("PedsQL answers"),
    "adverse_events": N_("Adverse events"),
    "transfusions": N_("Transfusions"),
    "sequelae": N_("Sequelae"),
    "disposition": N_("End of study"),
    "screening": N_("Screening"),
})

#: column -> label, for every file where the column means the same thing.
COLUMN_LABELS = MappingProxyType({
    "patient_id": N_("Patient number"),
    "patient": N_("Patient number"),
    "site_id": N_("Site"),
    "site": N_("Site"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "randomization_date": N_("Date of randomization"),
    "arm": N_("Treatment arm"),
    "weight_kg": N_("Weight"),
    "height_cm": N_("Height"),
    "lesion_depth": N_("Lesion depth"),
    "lesion_site": N_("Lesion site"),
    "kmp_onset_date": N_("Onset of Kasabach-Merritt phenomenon"),
    "biopsy": N_("Biopsy performed"),
    "date": N_("Date"),
    "test": N_("Test"),
    "value": N_("Result"),
    "sirolimus_trough_ng_ml": N_("Sirolimus trough level"),
    "drug": N_("Drug"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "dose": N_("Dose"),
    "dose_unit": N_("Dose unit"),
    "frequency": N_("Frequency"),
    "lesion_volume_ml": N_("Lesion volume"),
    "instrument": N_("Questionnaire"),
    "scale": N_("Scale"),
    "item": N_("Item"),
    "response": N_("Answer"),
    "term": N_("Adverse event"),
    "onset_date": N_("Onset date"),
    "grade": N_("CTCAE grade"),
    "serious": N_("Serious"),
    "related": N_("Related to the study drugs"),
    "action": N_("Action taken"),
    "product": N_("Blood product"),
    "sequela": N_("Sequela"),
    "present": N_("Present"),
    "status": N_("Status"),
    "reason": N_("Reason"),
    "screening_id": N_("Screening number"),
    "eligible": N_("Eligible"),
})

#: (file, column) -> label where a file gives a column a more precise meaning.
TABLE_COLUMN_LABELS = MappingProxyType({
    ("labs", "date"): N_("Date of sampling"),
    ("drug_levels", "date"): N_("Date of sampling"),
    ("mri", "date"): N_("Date of MRI"),
    ("qol", "date"): N_("Date answered"),
    ("adverse_events", "end_date"): N_("Date resolved"),
    ("sequelae", "date"): N_("Date of assessment"),
    ("disposition", "date"): N_("Date of end of study"),
    ("disposition", "reason"): N_("Reason for discontinuation"),
    ("screening", "date"): N_("Date of screening"),
    ("screening", "reason"): N_("Failed criteria"),
})

YES_NO = MappingProxyType({"1": N_("yes"), "0": N_("no")})

#: column -> {code -> label}: every code of every ``code`` column of the format, and the PedsQL
#: instruments and scales of the ``qol`` file.
CODE_LABELS = MappingProxyType({
    "sex": {"F": N_("Female"), "M": N_("Male")},
    "arm": {ARM_EXPERIMENTAL: N_("Sirolimus + prednisolone"), ARM_CONTROL: N_("Sirolimus")},
    "lesion_depth": {"superficial": N_("Superficial"), "mixed": N_("Mixed (superficial and deep)"),
                     "deep": N_("Deep")},
    "lesion_site": {"head_neck": N_("Head and neck"), "trunk": N_("Trunk"),
                    "extremity": N_("Extremity"), "retroperitoneal": N_("Retroperitoneum"),
                    "intrathoracic": N_("Thoracic cavity"), "other": N_("Other")},
    "test": {"platelets": N_("Platelet count"), "fibrinogen": N_("Fibrinogen"),
             "d_dimer": N_("D-dimer"), "hemoglobin": N_("Hemoglobin"),
             "alt": N_("Alanine aminotransferase (ALT)"),
             "ast": N_("Aspartate aminotransferase (AST)")},
    "drug": {"sirolimus": N_("Sirolimus"), "prednisolone": N_("Prednisolone"),
             "other_khe_therapy": N_("Other KHE therapy"),
             "tmp_smx": N_("Trimethoprim-sulfamethoxazole")},
    "dose_unit": {"mg_m2": N_("mg/m²"), "mg_kg": N_("mg/kg"), "mg": N_("mg")},
    "frequency": {"bid": N_("twice a day"), "qd": N_("once a day"),
                  "tiw_bid": N_("three times a week, twice a day")},
    "product": {"ffp": N_("Fresh frozen plasma"), "cryoprecipitate": N_("Cryoprecipitate"),
                "red_cells": N_("Red blood cells"), "platelets": N_("Platelets")},
    "sequela": {"lymphedema": N_("Lymphedema"), "decreased_rom": N_("Decreased range of motion"),
                "chronic_pain": N_("Chronic pain"), "scoliosis": N_("Scoliosis"),
                "leg_length_discrepancy": N_("Leg length discrepancy")},
    "status": {"completed": N_("Completed"), "discontinued": N_("Discontinued")},
    "reason": {"lack_of_efficacy": N_("Lack of efficacy"), "progression": N_("Progression"),
               "parent_request": N_("Parents' request"), "toxicity": N_("Toxicity"),
               "lost_to_follow_up": N_("Lost to follow-up"), "other": N_("Other")},
    "action": {"none": N_("None"), "dose_reduced": N_("Dose reduced"),
               "interrupted": N_("Interrupted"), "withdrawn": N_("Withdrawn")},
    "instrument": {"infant_1_12": N_("PedsQL infant scales, 1–12 months"),
                   "infant_13_24": N_("PedsQL infant scales, 13–24 months"),
                   "generic_core_2_4": N_("PedsQL generic core scales, 2–4 years")},
    "scale": {"physical_functioning": N_("Physical functioning"),
              "physical_symptoms": N_("Physical symptoms"),
              "emotional_functioning": N_("Emotional functioning"),
              "social_functioning": N_("Social functioning"),
              "cognitive_functioning": N_("Cognitive functioning"),
              "school_functioning": N_("School functioning")},
})

#: The KHE therapies of the screening form's washout questions (protocol.eligibility).
THERAPY_LABELS = MappingProxyType({
    "embolization": N_("embolization"), "sclerotherapy": N_("sclerotherapy"),
    "corticosteroids": N_("corticosteroids"), "propranolol": N_("propranolol"),
    "chemotherapy": N_("chemotherapy")})

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
