"""Dataset and variable metadata: what each SDTM domain and ADaM dataset holds, once.

The writers (:mod:`~khetrial.standards.xport`, :mod:`~khetrial.standards.labelled`) and
Define-XML (:mod:`~khetrial.standards.define`) read the same :class:`Dataset` objects; the
derivations (:mod:`~khetrial.standards.sdtm`, :mod:`~khetrial.standards.adam`) produce
frames with exactly these columns in this order. Code lists are the bundle's own, translated
in :mod:`~khetrial.standards.terminology`; ``source`` names the bundle column or khetrial
derivation a variable comes from (Define-XML's origin comment).

Labels are SDTMIG 3.2 / ADaMIG 1.1 variable labels (≤ 40 characters, checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from khetrial.standards import terminology as ct

TEXT, INTEGER, FLOAT, DATE = "text", "integer", "float", "date"
"""Variable kinds, as Define-XML data types. ``date`` is ISO 8601 text (``--DTC``) in SDTM."""

MAX_NAME, MAX_LABEL, MAX_TEXT = 8, 40, 200  # SAS transport v5 / FDA: names, labels, text bytes


@dataclass(frozen=True)
class Variable:
    """One variable: name, label, kind, code list, origin (``CRF``, ``Derived``, ``Assigned``,
    ``Protocol``) and where khetrial takes it from."""

    name: str
    label: str
    kind: str = TEXT
    codelist: ct.CodeList | None = None
    origin: str = "CRF"
    source: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in (INTEGER, FLOAT)


@dataclass(frozen=True)
class Dataset:
    """One dataset: name (≤ 8), label, Define-XML class and structure, key variables."""

    name: str
    label: str
    klass: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    standard: str = "SDTM"

    @property
    def columns(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(name)


def _v(name, label, kind=TEXT, codelist=None, origin="CRF", source=""):
    return Variable(name, label, kind, codelist, origin, source)


def _identifiers(domain: str) -> tuple[Variable, ...]:
    return (_v("STUDYID", "Study Identifier", origin="Assigned"),
            _v("DOMAIN", "Domain Abbreviation", origin="Assigned"),
            _v("USUBJID", "Unique Subject Identifier", origin="Derived",
               source="STUDYID-patients.patient_id"),
            _v(f"{domain}SEQ", "Sequence Number", INTEGER, origin="Derived",
               source="row order within USUBJID"))


def _day(name: str, of: str) -> Variable:
    return _v(name, f"Study Day of {of}", INTEGER, origin="Derived",
              source="SDTM study day: date - RFSTDTC (+1 on or after RFSTDTC)")


def _domain(name, label, klass, structure, keys, *variables) -> Dataset:
    return Dataset(name, label, klass, structure, keys, (*_identifiers(name), *variables))


DM = Dataset("DM", "Demographics", "SPECIAL PURPOSE", "One record per subject",
             ("STUDYID", "USUBJID"), (
    _v("STUDYID", "Study Identifier", origin="Assigned"),
    _v("DOMAIN", "Domain Abbreviation", origin="Assigned"),
    _v("USUBJID", "Unique Subject Identifier", origin="Derived", source="STUDYID-patient_id"),
    _v("SUBJID", "Subject Identifier for the Study", source="patients.patient_id"),
    _v("RFSTDTC", "Subject Reference Start Date/Time", DATE, source="patients.randomization_date"),
    _v("RFENDTC", "Subject Reference End Date/Time", DATE, origin="Derived",
       source="last medications.end_date of sirolimus"),
    _v("SITEID", "Study Site Identifier", source="patients.site_id"),
    _v("BRTHDTC", "Date/Time of Birth", DATE, source="patients.birth_date"),
    _v("AGE", "Age", INTEGER, origin="Derived", source="whole months from birth to randomization"),
    _v("AGEU", "Age Units", origin="Assigned"),
    _v("SEX", "Sex", codelist=ct.SEX, source="patients.sex"),
    _v("ARMCD", "Planned Arm Code", codelist=ct.ARMCD, origin="Assigned", source="patients.arm"),
    _v("ARM", "Description of Planned Arm", codelist=ct.ARM, origin="Assigned", source="patients.arm"),
    _v("ACTARMCD", "Actual Arm Code", codelist=ct.ARMCD, origin="Assigned", source="patients.arm"),
    _v("ACTARM", "Description of Actual Arm", codelist=ct.ARM, origin="Assigned", source="patients.arm"),
    _v("COUNTRY", "Country", origin="Assigned"),
))

SUPPDM = Dataset("SUPPDM", "Supplemental Qualifiers for DM", "RELATIONSHIP",
                 "One record per supplemental qualifier per subject",
                 ("STUDYID", "RDOMAIN", "USUBJID", "QNAM"), (
    _v("STUDYID", "Study Identifier", origin="Assigned"),
    _v("RDOMAIN", "Related Domain Abbreviation", origin="Assigned"),
    _v("USUBJID", "Unique Subject Identifier", origin="Derived"),
    _v("IDVAR", "Identifying Variable", origin="Assigned"),
    _v("IDVARVAL", "Identifying Variable Value", origin="Assigned"),
    _v("QNAM", "Qualifier Variable Name", origin="Assigned"),
    _v("QLABEL", "Qualifier Variable Label", origin="Assigned"),
    _v("QVAL", "Data Value",
       source="patients.lesion_depth, lesion_site, biopsy, kmp_onset_date, weight_kg, height_cm"),
    _v("QORIG", "Origin", origin="Assigned"),
))

DS = _domain("DS", "Disposition", "EVENTS", "One record per disposition status per subject",
             ("STUDYID", "USUBJID", "DSSEQ"),
             _v("DSTERM", "Reported Term for the Disposition Event", source="disposition.status/reason"),
             _v("DSDECOD", "Standardized Disposition Term", codelist=ct.DSDECOD, origin="Derived"),
             _v("DSCAT", "Category for Disposition Event", origin="Assigned"),
             _v("DSSTDTC", "Start Date/Time of Disposition Event", DATE,
                source="disposition.date; patients.randomization_date"),
             _day("DSSTDY", "Start of Disposition Event"))

_TREATMENT = (
    ("TRT", "Name of Treatment", dict(codelist=ct.TREATMENT, source="medications.drug")),
    ("DOSE", "Dose", dict(kind=FLOAT, source="medications.dose")),
    ("DOSU", "Dose Units", dict(codelist=ct.EXDOSU, source="medications.dose_unit")),
    ("DOSFRQ", "Dosing Frequency per Interval", dict(codelist=ct.FREQ, source="medications.frequency")),
    ("STDTC", "Start Date/Time of Treatment", dict(kind=DATE, source="medications.start_date")),
    ("ENDTC", "End Date/Time of Treatment", dict(kind=DATE, source="medications.end_date")),
)


def _treatment_variables(prefix: str) -> tuple[Variable, ...]:
    return tuple(_v(f"{prefix}{suffix}", label, **kw) for suffix, label, kw in _TREATMENT)


EX = _domain("EX", "Exposure", "INTERVENTIONS", "One record per constant-dosing interval per subject",
             ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
             *_treatment_variables("EX")[:4],
             _v("EXROUTE", "Route of Administration", origin="Protocol"),
             *_treatment_variables("EX")[4:],
             _day("EXSTDY", "Start of Treatment"), _day("EXENDY", "End of Treatment"))

CM = _domain("CM", "Concomitant/Concomitant Medications", "INTERVENTIONS",
             "One record per recorded medication occurrence per subject",
             ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC"),
             _v("CMTRT", "Reported Name of Drug, Med, or Therapy",
                source="medications.agent, else medications.drug"),
             _v("CMCAT", "Category for Medication", codelist=ct.TREATMENT_CATEGORY,
                origin="Derived", source="medications.drug"),
             *_treatment_variables("CM")[1:],
             _v("CMSTRF", "Start Relative to Reference Period", origin="Derived",
                source="BEFORE when start_date < randomization_date, else DURING"),
             _day("CMSTDY", "Start of Medication"), _day("CMENDY", "End of Medication"))

_FINDING = ("TESTCD", "TEST", "ORRES", "ORRESU", "STRESC", "STRESN", "STRESU")


def _finding(prefix: str, test_codelist=None, source: str = "") -> tuple[Variable, ...]:
    labels = {"TESTCD": "Short Name of Measurement", "TEST": "Name of Measurement",
              "ORRES": "Result or Finding in Original Units", "ORRESU": "Original Units",
              "STRESC": "Character Result/Finding in Std Format",
              "STRESN": "Numeric Result/Finding in Standard Units",
              "STRESU": "Standard Units"}
    out = []
    for suffix in _FINDING:
        kw = {"kind": FLOAT} if suffix == "STRESN" else {}
        if suffix == "TESTCD" and test_codelist is not None:
            kw["codelist"] = test_codelist
        if suffix in ("ORRESU", "STRESU"):
            kw["codelist"] = ct.UNIT
        origin = "Derived" if suffix.startswith("ST") or suffix.startswith("TEST") else "CRF"
        out.append(_v(f"{prefix}{suffix}", labels[suffix], origin=origin, source=source, **kw))
    return tuple(out)


LB = _domain("LB", "Laboratory Test Results", "FINDINGS",
             "One record per lab test per time point per subject",
             ("STUDYID", "USUBJID", "LBTESTCD", "LBDTC"),
             *_finding("LB", ct.LBTESTCD, "labs.test, labs.value (units: bundle format)"),
             _v("LBDTC", "Date/Time of Specimen Collection", DATE, source="labs.date"),
             _day("LBDY", "Specimen Collection"))

PC = _domain("PC", "Pharmacokinetics Concentrations", "FINDINGS",
             "One record per sample characteristic or time-point concentration per analyte per subject",
             ("STUDYID", "USUBJID", "PCTESTCD", "PCDTC"),
             *_finding("PC", source="drug_levels.sirolimus_trough_ng_ml"),
             _v("PCSPEC", "Specimen Material Type", origin="Protocol"),
             _v("PCTPT", "Planned Time Point Name", origin="Protocol"),
             _v("PCDTC", "Date/Time of Specimen Collection", DATE, source="drug_levels.date"),
             _day("PCDY", "Specimen Collection"))

VS = _domain("VS", "Vital Signs", "FINDINGS",
             "One record per vital sign measurement per time point per subject",
             ("STUDYID", "USUBJID", "VSTESTCD", "VSDTC"),
             *_finding("VS", ct.VSTESTCD, "patients.weight_kg, height_cm (baseline); "
                                          "body_size.weight_kg, height_cm"),
             _v("VSDTC", "Date/Time of Measurements", DATE,
                source="patients.randomization_date (baseline); body_size.date"),
             _day("VSDY", "Vital Signs"))

AE = _domain("AE", "Adverse Events", "EVENTS", "One record per adverse event per subject",
             ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
             _v("AETERM", "Reported Term for the Adverse Event", source="adverse_events.term"),
             _v("AEDECOD", "Dictionary-Derived Term", origin="Derived",
                source="adverse_events.term (CTCAE v4.0 term)"),
             _v("AETOXGR", "Standard Toxicity Grade", codelist=ct.TOXGR, source="adverse_events.grade"),
             _v("AESER", "Serious Event", codelist=ct.NY, source="adverse_events.serious"),
             _v("AEREL", "Causality", codelist=ct.NY, source="adverse_events.related"),
             _v("AEACN", "Action Taken with Study Treatment", codelist=ct.ACN,
                source="adverse_events.action"),
             _v("AESTDTC", "Start Date/Time of Adverse Event", DATE, source="adverse_events.onset_date"),
             _v("AEENDTC", "End Date/Time of Adverse Event", DATE, source="adverse_events.end_date"),
             _day("AESTDY", "Start of Adverse Event"), _day("AEENDY", "End of Adverse Event"))

PR = _domain("PR", "Procedures", "INTERVENTIONS", "One record per procedure per subject",
             ("STUDYID", "USUBJID", "PRTRT", "PRSTDTC"),
             _v("PRTRT", "Reported Name of Procedure", codelist=ct.PRODUCT, source="transfusions.product"),
             _v("PRCAT", "Category", origin="Assigned"),
             _v("PRSTDTC", "Start Date/Time of Procedure", DATE, source="transfusions.date"),
             _day("PRSTDY", "Start of Procedure"))

QS = _domain("QS", "Questionnaires", "FINDINGS",
             "One record per questionnaire per question per time point per subject",
             ("STUDYID", "USUBJID", "QSCAT", "QSTESTCD", "QSDTC"),
             _v("QSTESTCD", "Question Short Name", origin="Derived", source="qol.item"),
             _v("QSTEST", "Question Name", source="qol.item"),
             _v("QSCAT", "Category of Question", source="qol.instrument"),
             _v("QSSCAT", "Subcategory for Question", source="qol.scale"),
             _v("QSORRES", "Finding in Original Units", source="qol.response"),
             _v("QSSTRESC", "Character Result/Finding in Std Format", origin="Derived"),
             _v("QSSTRESN", "Numeric Finding in Standard Units", FLOAT, origin="Derived"),
             _v("QSSTAT", "Completion Status", origin="Derived", source="NOT DONE when qol.response empty"),
             _v("QSDTC", "Date/Time of Finding", DATE, source="qol.date"),
             _day("QSDY", "Finding"))

TR = _domain("TR", "Tumor/Lesion Results", "FINDINGS",
             "One record per lesion measurement per visit per subject",
             ("STUDYID", "USUBJID", "TRTESTCD", "TRDTC"),
             _v("TRLNKID", "Link ID", origin="Assigned", source="T01: the one target lesion"),
             *_finding("TR", source="mri.lesion_volume_ml"),
             _v("TRMETHOD", "Method Used to Identify the Lesion", origin="Protocol"),
             _v("TRDTC", "Date/Time of Lesion Measurement", DATE, source="mri.date"),
             _day("TRDY", "Lesion Measurement"))

CE = _domain("CE", "Clinical Events", "EVENTS",
             "One record per pre-specified event per assessment per subject",
             ("STUDYID", "USUBJID", "CETERM", "CEDTC"),
             _v("CETERM", "Reported Term for the Clinical Event", codelist=ct.SEQUELA,
                source="sequelae.sequela"),
             _v("CEPRESP", "Clinical Event Pre-specified", codelist=ct.NY, origin="Assigned"),
             _v("CEOCCUR", "Clinical Event Occurrence", codelist=ct.NY, source="sequelae.present"),
             _v("CEDTC", "Date/Time of Event Collection", DATE, source="sequelae.date"),
             _day("CEDY", "Event Collection"))

SV = Dataset("SV", "Subject Visits", "SPECIAL PURPOSE", "One record per subject per actual visit",
             ("STUDYID", "USUBJID", "VISITNUM"), (
    *_identifiers("SV")[:3],
    _v("VISITNUM", "Visit Number", INTEGER, origin="Protocol", source="khetrial.protocol.schedule"),
    _v("VISIT", "Visit Name", origin="Protocol", source="khetrial.protocol.schedule"),
    _v("SVSTDTC", "Start Date/Time of Visit", DATE, origin="Derived",
       source="first assessment date in the visit window"),
    _v("SVENDTC", "End Date/Time of Visit", DATE, origin="Derived",
       source="last assessment date in the visit window"),
    _day("SVSTDY", "Start of Visit"),
))

TS = Dataset("TS", "Trial Summary", "TRIAL DESIGN", "One record per trial summary parameter value",
             ("STUDYID", "TSPARMCD", "TSSEQ"), (
    _v("STUDYID", "Study Identifier", origin="Assigned"),
    _v("DOMAIN", "Domain Abbreviation", origin="Assigned"),
    _v("TSSEQ", "Sequence Number", INTEGER, origin="Assigned"),
    _v("TSPARMCD", "Trial Summary Parameter Short Name", origin="Protocol"),
    _v("TSPARM", "Trial Summary Parameter", origin="Protocol"),
    _v("TSVAL", "Parameter Value", origin="Protocol", source="khetrial.constants (publication)"),
))

SDTM_DATASETS = (DM, SUPPDM, DS, EX, CM, LB, PC, VS, AE, PR, QS, TR, CE, SV, TS)
"""Every SDTM dataset khetrial writes, in Define-XML order."""
