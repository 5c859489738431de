"""ADaM datasets: ADSL, ADLB, ADAE, ADTTE, ADRS — their variables, from khetrial's endpoints.

ADSL's analysis variables are khetrial's ADSL columns (:data:`plan.ADSL_COLUMNS` and
:data:`plan.ADSL_EXTRA_COLUMNS`), each given a ≤ 8-character ADaM name and a label in
:data:`ADSL_NAMES`; the binary endpoints (:data:`plan.BINARY_ENDPOINTS`) are ``Y``/``N``
flags there and parameters of ADRS (:data:`RESPONSE_PARAMETERS`). Analysis days are
khetrial's study days (day 0 = randomization, as the analysis plan counts them).
"""

from __future__ import annotations

from types import MappingProxyType

from khetrial.constants import PRIMARY_WEEK, RESPONSE_WEEKS
from khetrial.endpoints.lesion import LESION_CATEGORIES
from khetrial.standards import terminology as ct
from khetrial.standards.metadata import FLOAT, INTEGER, TEXT, Dataset, Variable
from khetrial.standards.plan import ADSL_COLUMNS, ADSL_EXTRA_COLUMNS, BINARY_ENDPOINTS

FLAG = "flag"  # a 0/1 khetrial column written as an ADaM Y/N flag

LESION_CATEGORY = ct.make_code_list("LESCAT", "Month-12 lesion category",
                                {c: c.upper() for c in LESION_CATEGORIES})

# khetrial ADSL column: (ADaM name, label, kind). Labels ≤ 40 characters.
ADSL_NAMES = MappingProxyType({
    "censoring_day": ("CNSDY", "Censoring Day (Day 0 = Randomization)", INTEGER),
    **{f"durable_platelet_response_wk{k}": (f"DPR{k}FL", f"Durable Platelet Response by Week {k}", FLAG)
       for k in RESPONSE_WEEKS},
    f"fibrinogen_stabilization_wk{PRIMARY_WEEK}": (
        f"FIB{PRIMARY_WEEK}FL", f"Fibrinogen Stabilization by Week {PRIMARY_WEEK}", FLAG),
    "lesion_overall_response_m12": ("LORM12FL", "Lesion Overall Response at Month 12", FLAG),
    "lesion_good_response_m12": ("LGRM12FL", "Lesion Good Response at Month 12", FLAG),
    "qol_improvement_m12": ("QOLM12FL", "PedsQL Improvement at Month 12", FLAG),
    "kmp_rebound": ("KMPRBFL", "KMP Rebound", FLAG),
    "sequelae_m24": ("SEQM24FL", "Any Sequela at Month 24", FLAG),
    "discontinued_lack_of_efficacy": ("DCLOEFL", "Discontinued for Lack of Efficacy", FLAG),
    "lesion_category_m12": ("LESCAT12", "Lesion Category at Month 12", TEXT),
    "qol_total_baseline": ("QOLBL", "PedsQL Total Score at Baseline", FLOAT),
    "qol_total_m12": ("QOLM12", "PedsQL Total Score at Month 12", FLOAT),
    "transfusions_m12": ("TRFM12", "Transfusions on Days 0-365", INTEGER),
    "censoring_reason": ("CNSRSN", "Censoring Reason", TEXT),
    "platelet_durable_start_day": ("PLTDRSDY", "First Day of Durable Platelet Response", INTEGER),
    "fibrinogen_stable_start_day": ("FIBSTBDY", "First Day of Stable Fibrinogen", INTEGER),
    **{f"platelets_wk{k}": (f"PLATWK{k}", f"Platelets Week {k} (10^9/L)" if k else
                            "Platelets Baseline (10^9/L)", FLOAT) for k in (0, *RESPONSE_WEEKS)},
    "lesion_volume_baseline": ("LESVOLBL", "Lesion Volume at Baseline (mL)", FLOAT),
    "lesion_volume_m12": ("LESVOL12", "Lesion Volume at Month 12 (mL)", FLOAT),
    "lesion_change_pct": ("LESPCHG", "Lesion Volume Change at Month 12 (%)", FLOAT),
    "qol_change": ("QOLCHG", "PedsQL Total Change at Month 12", FLOAT),
    "sequelae_assessed_m24": ("SEQASSFL", "Sequelae Assessed at Month 24", FLAG),
    "discontinued": ("DISCFL", "Discontinued Study Treatment", FLAG),
    "last_treatment_day": ("LSTTRTDY", "Last Day of Sirolimus", INTEGER),
    "ae_events": ("AENUM", "Treatment-Emergent Adverse Events", INTEGER),
    "ae_grade3plus_events": ("AEG3NUM", "Treatment-Emergent AEs of Grade >= 3", INTEGER),
})

# binary endpoint: (PARAMCD, PARAM, AVISIT, AVISITN in days) of its ADRS record
RESPONSE_PARAMETERS = MappingProxyType({
    **{f"durable_platelet_response_wk{k}": ("DPR", "Durable Platelet Response", f"Week {k}", 7 * k)
       for k in RESPONSE_WEEKS},
    f"fibrinogen_stabilization_wk{PRIMARY_WEEK}": ("FIBSTAB", "Fibrinogen Stabilization",
                                                   f"Week {PRIMARY_WEEK}", 7 * PRIMARY_WEEK),
    "lesion_overall_response_m12": ("LESOVR", "Lesion Overall Response", "Month 12", 365),
    "lesion_good_response_m12": ("LESGOOD", "Lesion Good Response", "Month 12", 365),
    "qol_improvement_m12": ("QOLIMP", "PedsQL Improvement >= 4.5 Points", "Month 12", 365),
    "kmp_rebound": ("KMPRB", "KMP Rebound", "Days 0-730", 730),
    "sequelae_m24": ("SEQ", "Any Sequela", "Month 24", 730),
    "discontinued_lack_of_efficacy": ("DCLOE", "Discontinued for Lack of Efficacy", "Any", 0),
})
LESION_CATEGORY_PARAMETER = ("LESCAT", "Lesion Category", "Month 12", 365)


def _v(name, label, kind=TEXT, codelist=None, origin="Derived", source=""):
    return Variable(name, label, kind, codelist, origin, source)


def _adsl_variable(column: str) -> Variable:
    name, label, kind = ADSL_NAMES[column]
    if kind == FLAG:
        return _v(name, label, TEXT, ct.NY, source=f"khetrial ADSL {column}")
    codelist = LESION_CATEGORY if column == "lesion_category_m12" else None
    return _v(name, label, kind, codelist, source=f"khetrial ADSL {column}")


_SUBJECT = (_v("STUDYID", "Study Identifier", origin="Predecessor", source="DM.STUDYID"),
            _v("USUBJID", "Unique Subject Identifier", origin="Predecessor", source="DM.USUBJID"))
_TREATMENT = (_v("TRTP", "Planned Treatment", codelist=ct.ARM, origin="Predecessor", source="DM.ARM"),
              _v("TRTPCD", "Planned Treatment Code", codelist=ct.ARMCD, origin="Predecessor",
                 source="DM.ARMCD"))

ADSL = Dataset("ADSL", "Subject-Level Analysis Dataset", "SUBJECT LEVEL ANALYSIS DATASET",
               "One record per subject", ("STUDYID", "USUBJID"), (
    *_SUBJECT,
    _v("SUBJID", "Subject Identifier for the Study", origin="Predecessor", source="DM.SUBJID"),
    _v("SITEID", "Study Site Identifier", origin="Predecessor", source="DM.SITEID"),
    _v("AGE", "Age", INTEGER, origin="Predecessor", source="DM.AGE"),
    _v("AGEU", "Age Units", origin="Predecessor", source="DM.AGEU"),
    _v("SEX", "Sex", codelist=ct.SEX, origin="Predecessor", source="DM.SEX"),
    _v("RFSTDTC", "Subject Reference Start Date/Time", origin="Predecessor", source="DM.RFSTDTC"),
    _v("ARM", "Description of Planned Arm", codelist=ct.ARM, origin="Predecessor", source="DM.ARM"),
    _v("TRT01P", "Planned Treatment for Period 01", codelist=ct.ARM, source="DM.ARM"),
    _v("TRT01A", "Actual Treatment for Period 01", codelist=ct.ARM, source="DM.ACTARM"),
    _v("ITTFL", "Intent-To-Treat Population Flag", codelist=ct.NY,
       source="every randomized patient (SAP: intention to treat)"),
    *(_adsl_variable(c) for c in (*ADSL_COLUMNS[2:], *ADSL_EXTRA_COLUMNS)),
), standard="ADaM")

ADLB = Dataset("ADLB", "Laboratory Analysis Dataset", "BASIC DATA STRUCTURE",
               "One record per subject per parameter per analysis date",
               ("STUDYID", "USUBJID", "PARAMCD", "ADY"), (
    *_SUBJECT, *_TREATMENT,
    _v("PARAMCD", "Parameter Code", codelist=ct.LBTESTCD, source="LB.LBTESTCD"),
    _v("PARAM", "Parameter", source="LB.LBTEST and LB.LBSTRESU"),
    _v("ADT", "Analysis Date", source="LB.LBDTC"),
    _v("ADY", "Analysis Day (Day 0 = Randomization)", INTEGER, source="ADT - RFSTDTC"),
    _v("AVISIT", "Analysis Visit", source="SAP windows: baseline days -14..0, week k 7k +/- 3"),
    _v("AVISITN", "Analysis Visit (N)", INTEGER, source="week number"),
    _v("AVAL", "Analysis Value", FLOAT, source="LB.LBSTRESN, last of its date"),
    _v("BASE", "Baseline Value", FLOAT, source="AVAL of the baseline record"),
    _v("CHG", "Change from Baseline", FLOAT, source="AVAL - BASE"),
    _v("ABLFL", "Baseline Record Flag", codelist=ct.NY, source="last on days -14..0"),
    _v("ANL01FL", "Analysis Flag 01: Week Value (SAP)", codelist=ct.NY,
       source="khetrial.endpoints.windows.derive_week_values before censoring"),
), standard="ADaM")

ADAE = Dataset("ADAE", "Adverse Events Analysis Dataset", "OCCURRENCE DATA STRUCTURE",
               "One record per adverse event per subject", ("STUDYID", "USUBJID", "AESEQ"), (
    *_SUBJECT, *_TREATMENT,
    _v("AESEQ", "Sequence Number", INTEGER, origin="Predecessor", source="AE.AESEQ"),
    _v("AETERM", "Reported Term for the Adverse Event", origin="Predecessor", source="AE.AETERM"),
    _v("AEDECOD", "Dictionary-Derived Term", origin="Predecessor", source="AE.AEDECOD"),
    _v("AETOXGR", "Standard Toxicity Grade", codelist=ct.TOXGR, origin="Predecessor",
       source="AE.AETOXGR"),
    _v("ATOXGRN", "Analysis Toxicity Grade (N)", INTEGER, source="AE.AETOXGR"),
    _v("AESER", "Serious Event", codelist=ct.NY, origin="Predecessor", source="AE.AESER"),
    _v("ASTDY", "Analysis Start Relative Day", INTEGER, source="onset date - RFSTDTC (day 0)"),
    _v("TRTEMFL", "Treatment Emergent Analysis Flag", codelist=ct.NY,
       source="khetrial.endpoints.adverse_events (days 0 .. last sirolimus + 30)"),
    _v("AESEVFL", "Grade >= 3 Flag", codelist=ct.NY, source="AETOXGR >= 3"),
), standard="ADaM")

ADTTE = Dataset("ADTTE", "Time-to-Event Analysis Dataset", "BASIC DATA STRUCTURE",
                "One record per subject per parameter", ("STUDYID", "USUBJID", "PARAMCD"), (
    *_SUBJECT, *_TREATMENT,
    _v("PARAMCD", "Parameter Code"),
    _v("PARAM", "Parameter"),
    _v("AVAL", "Analysis Value (Days)", FLOAT,
       source="first day of the first durable run; else the last measurement day used"),
    _v("CNSR", "Censor", INTEGER, source="0 = event, 1 = censored"),
    _v("EVNTDESC", "Event or Censoring Description"),
), standard="ADaM")

ADRS = Dataset("ADRS", "Response Analysis Dataset", "BASIC DATA STRUCTURE",
               "One record per subject per parameter per analysis visit",
               ("STUDYID", "USUBJID", "PARAMCD", "AVISITN"), (
    *_SUBJECT, *_TREATMENT,
    _v("PARAMCD", "Parameter Code"),
    _v("PARAM", "Parameter"),
    _v("AVISIT", "Analysis Visit"),
    _v("AVISITN", "Analysis Visit (N)", INTEGER, source="target study day"),
    _v("AVALC", "Analysis Value (C)", source="khetrial ADSL endpoint columns"),
    _v("AVAL", "Analysis Value", FLOAT, source="1 = response, 0 = none"),
), standard="ADaM")

ADAM_DATASETS = (ADSL, ADLB, ADAE, ADTTE, ADRS)
"""Every ADaM dataset khetrial writes, in Define-XML order."""
