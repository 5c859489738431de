"""CDISC controlled terminology for the bundle's code lists, keyed by the bundle's own codes.

The code lists themselves live once, in :mod:`khetrial.bundle.format` (``SEXES``, ``LAB_TESTS``,
``DRUGS`` ...); this module only says which CDISC submission value each bundle code becomes.
Every mapping is checked against its bundle code list (:func:`check_complete`, run by the
tests), so a code added to the bundle format without a CDISC term fails loudly.

Sources: CDISC SDTM Controlled Terminology (NCI EVS), code lists named by their NCI code
(``C66731`` SEX ...). Where CDISC has no term, the value is a *sponsor extension* of an
extensible code list, marked "project choice".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from khetrial.bundle.format import (
    AE_ACTIONS,
    DISCONTINUATION_REASONS,
    DOSE_UNITS,
    DRUGS,
    FREQUENCIES,
    LAB_RANGES,
    LAB_TESTS,
    LESION_DEPTHS,
    LESION_SITES,
    PRODUCTS,
    SEQUELAE,
    SEXES,
)
from khetrial.constants import ARM_LABELS
from khetrial.errors import KhetrialError

STUDY_ID = "NCT03188068"  # Pub.: "registered at www.clinicaltrials.gov as #NCT03188068"
COUNTRY = "CHN"  # Pub.: "principal investigation site at the West China Hospital"; ISO 3166 alpha-3


@dataclass(frozen=True)
class CodeList:
    """A code list as Define-XML and ODM describe it.

    ``terms`` maps each bundle code to its submission value (what the dataset holds) and
    ``decodes`` maps each submission value to its decoded text (empty when the term is its own
    decode). ``nci`` is the NCI code of the CDISC code list, empty for a sponsor-defined one.
    """

    oid: str
    name: str
    data_type: str
    terms: MappingProxyType
    nci: str = ""
    extensible: bool = True
    decodes: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def values(self) -> tuple[str, ...]:
        """The submission values, without duplicates, in bundle order."""
        return tuple(dict.fromkeys(self.terms.values()))


def make_code_list(oid: str, name: str, terms: dict, nci: str = "", decodes: dict | None = None,
               data_type: str = "text") -> CodeList:
    return CodeList(oid=f"CL.{oid}", name=name, data_type=data_type, terms=MappingProxyType(terms),
                    nci=nci, decodes=MappingProxyType(decodes or {}))


NY = make_code_list("NY", "No Yes Response", {"0": "N", "1": "Y"}, "C66742",
                {"N": "No", "Y": "Yes"})
SEX = make_code_list("SEX", "Sex", {code: code for code in SEXES}, "C66731",
                 {"F": "Female", "M": "Male"})
ARMCD = make_code_list("ARMCD", "Planned Arm Code", {code: code for code in ARM_LABELS},
                   decodes=dict(ARM_LABELS))
ARM = make_code_list("ARM", "Description of Planned Arm", dict(ARM_LABELS))
LBTESTCD = make_code_list("LBTESTCD", "Laboratory Test Code", {
    "platelets": "PLAT", "fibrinogen": "FIBRINO", "d_dimer": "DDIMER", "hemoglobin": "HGB",
    "alt": "ALT", "ast": "AST"}, "C65047", {
    "PLAT": "Platelets", "FIBRINO": "Fibrinogen", "DDIMER": "D-Dimer", "HGB": "Hemoglobin",
    "ALT": "Alanine Aminotransferase", "AST": "Aspartate Aminotransferase"})
UNIT = make_code_list("UNIT", "Unit", {  # the bundle's units (LAB_RANGES) as CDISC UNIT terms
    "×10⁹/L": "10^9/L", "g/L": "g/L", "µg/mL": "ug/mL", "U/L": "U/L", "ng/mL": "ng/mL",
    "mL": "mL", "kg": "kg", "cm": "cm"}, "C71620")
EXDOSU = make_code_list("EXDOSU", "Unit (dose)", {"mg_m2": "mg/m2", "mg_kg": "mg/kg", "mg": "mg"},
                    "C71620")
FREQ = make_code_list("FREQ", "Frequency", {
    "bid": "BID", "qd": "QD",
    "tiw_bid": "BID 3 TIMES PER WEEK",  # project choice: no CDISC term for "bid, 3 days a week"
}, "C71113")
TREATMENT = make_code_list("TRT", "Treatment name", {
    "sirolimus": "SIROLIMUS", "prednisolone": "PREDNISOLONE",
    "other_khe_therapy": "OTHER KHE THERAPY",  # project choice: the bundle has no agent name
    "tmp_smx": "SULFAMETHOXAZOLE/TRIMETHOPRIM"})
TREATMENT_CATEGORY = make_code_list("CMCAT", "Medication category", {
    "sirolimus": "STUDY TREATMENT", "prednisolone": "STUDY TREATMENT",
    "other_khe_therapy": "KHE THERAPY", "tmp_smx": "PROPHYLAXIS"})
DSDECOD = make_code_list("NCOMPLT", "Completion/Reason for Non-Completion", {
    "completed": "COMPLETED", "lack_of_efficacy": "LACK OF EFFICACY",
    "progression": "PROGRESSIVE DISEASE", "parent_request": "WITHDRAWAL BY PARENT/GUARDIAN",
    "toxicity": "ADVERSE EVENT", "lost_to_follow_up": "LOST TO FOLLOW-UP", "other": "OTHER",
    "randomized": "RANDOMIZED",  # C114118 protocol milestone
}, "C66727")
ACN = make_code_list("ACN", "Action Taken with Study Treatment", {
    "none": "DOSE NOT CHANGED", "dose_reduced": "DOSE REDUCED", "interrupted": "DRUG INTERRUPTED",
    "withdrawn": "DRUG WITHDRAWN"}, "C66767")
TOXGR = make_code_list("TOXGR", "CTCAE v4.0 grade", {str(g): str(g) for g in range(1, 6)}, "C87162",
                   {"1": "Mild", "2": "Moderate", "3": "Severe", "4": "Life-threatening",
                    "5": "Death"})
PRODUCT = make_code_list("PRTRT", "Transfused blood product", {
    "ffp": "FRESH FROZEN PLASMA", "cryoprecipitate": "CRYOPRECIPITATE",
    "red_cells": "RED BLOOD CELLS", "platelets": "PLATELETS"})
SEQUELA = make_code_list("CETERM", "Sequela of KHE", {
    "lymphedema": "LYMPHEDEMA", "decreased_rom": "DECREASED RANGE OF MOTION",
    "chronic_pain": "CHRONIC PAIN", "scoliosis": "SCOLIOSIS",
    "leg_length_discrepancy": "LEG LENGTH DISCREPANCY"})
#: Body size as vital signs: the baseline of patients.csv and the rows of body_size.csv.
VSTESTCD = make_code_list("VSTESTCD", "Vital Signs Test Code", {
    "weight_kg": "WEIGHT", "height_cm": "HEIGHT"}, "C66741", {"WEIGHT": "Weight", "HEIGHT": "Height"})
DEPTH = make_code_list("DEPTH", "Lesion depth", {code: code.upper() for code in LESION_DEPTHS})
LESION_SITE = make_code_list("LESSITE", "Lesion site", {
    code: code.upper().replace("_", " ") for code in LESION_SITES})

#: (code list, the bundle code list it translates) for :func:`check_complete`.
BUNDLE_CODE_LISTS = (
    (SEX, SEXES), (LBTESTCD, LAB_TESTS), (EXDOSU, DOSE_UNITS), (FREQ, FREQUENCIES),
    (TREATMENT, DRUGS), (TREATMENT_CATEGORY, DRUGS), (ACN, AE_ACTIONS), (PRODUCT, PRODUCTS),
    (SEQUELA, SEQUELAE), (DEPTH, LESION_DEPTHS), (LESION_SITE, LESION_SITES),
    (DSDECOD, ("completed", *DISCONTINUATION_REASONS)),
    (UNIT, tuple(r.unit for r in LAB_RANGES.values())),
)


def check_complete() -> None:
    """Raise :class:`KhetrialError` naming every bundle code that has no CDISC term."""
    missing = [f"{cl.name} ({cl.oid}): {code!r}" for cl, codes in BUNDLE_CODE_LISTS
               for code in codes if code not in cl.terms]
    if missing:
        raise KhetrialError("bundle codes without a CDISC term: " + "; ".join(missing)
                            + ". Add them to khetrial/standards/terminology.py")


def lab_unit(test: str) -> str:
    """The CDISC unit of a bundle lab test (``"platelets"`` → ``"10^9/L"``)."""
    return UNIT.terms[LAB_RANGES[test].unit]


def term(code_list: CodeList, code) -> str:
    """The submission value of a bundle code; ``""`` for a missing code."""
    if code is None or pd.isna(code):
        return ""
    return code_list.terms[str(code)]
