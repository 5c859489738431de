"""The trial protocol as code: pure functions over frozen dataclasses.

Dates, units and thresholds come in as arguments; nothing here reads the clock, a database or
a global setting. Every number is a named constant in :mod:`khetrial.constants`
citing its sentence; every function's docstring quotes the rule it encodes. Invalid input
raises :class:`khetrial.errors.ProtocolError`.

Modules: ``definitions`` (KMP, hypofibrinogenemia, ...), ``eligibility``, ``dosing`` (BSA and
starting doses), ``titration`` (sirolimus troughs), ``prednisolone`` (taper), ``supportive_care``
(transfusions), ``schedule`` (visits and checks), ``continuation`` (the month-12 decision),
``failure`` (treatment failure, discontinuation), ``alerts`` (bedside alerts), ``units``.
"""

from khetrial.protocol.alerts import Alert, PatientSnapshot, alerts
from khetrial.protocol.continuation import ContinuationDecision, sirolimus_continuation
from khetrial.protocol.definitions import (
    is_chronic_pain,
    is_consumptive_coagulopathy,
    is_decreased_rom,
    is_elevated_d_dimer,
    is_hypofibrinogenemia,
    is_kmp,
    is_kmp_thrombocytopenia,
    is_severe_anemia,
)
from khetrial.protocol.dosing import (
    BodySize,
    DoseRule,
    PrednisoloneDose,
    SirolimusDose,
    StartingDoses,
    TmpSmxDose,
    body_surface_area,
    latest_body_size,
    prednisolone_daily_dose_mg,
    prednisolone_dose,
    prophylaxis_required_until,
    sirolimus_starting_dose,
    starting_doses,
    tmp_smx_dose,
    tmp_smx_dose_mg,
)
from khetrial.protocol.eligibility import (
    CRITERIA,
    Criterion,
    DiagnosisBasis,
    EligibilityResult,
    FailedCriterion,
    ScreeningInput,
    assess_eligibility,
    is_age_eligible,
)
from khetrial.protocol.failure import (
    Course,
    DiscontinuationAdvice,
    FailureAssessment,
    assess_treatment_failure,
    discontinuation_advice,
)
from khetrial.protocol.prednisolone import TaperPlan, TaperStep, taper_plan, taper_start_date
from khetrial.protocol.schedule import (
    BloodCountDue,
    PlannedVisit,
    StudyCalendar,
    VisitStatus,
    baseline_mri_window,
    blood_count_dates,
    fibrinogen_stabilized_on,
    mri_dates,
    next_blood_count_due,
    next_scheduled_trough,
    pedsql_dates,
    plan_visits,
    platelets_stabilized_on,
    study_calendar,
    trough_dates,
    visit_statuses,
)
from khetrial.protocol.supportive_care import TransfusionAdvice, transfusion_advice
from khetrial.protocol.titration import TitrationAdvice, titrate_sirolimus, trough_status
from khetrial.protocol.units import to_protocol_unit

__all__ = [
    "Alert", "PatientSnapshot", "alerts",
    "ContinuationDecision", "sirolimus_continuation",
    "is_chronic_pain", "is_consumptive_coagulopathy", "is_decreased_rom", "is_elevated_d_dimer",
    "is_hypofibrinogenemia", "is_kmp", "is_kmp_thrombocytopenia", "is_severe_anemia",
    "BodySize", "DoseRule", "PrednisoloneDose", "SirolimusDose", "StartingDoses", "TmpSmxDose",
    "body_surface_area", "latest_body_size", "prednisolone_daily_dose_mg", "prednisolone_dose",
    "prophylaxis_required_until", "sirolimus_starting_dose", "starting_doses", "tmp_smx_dose", "tmp_smx_dose_mg",
    "CRITERIA", "Criterion", "DiagnosisBasis", "EligibilityResult", "FailedCriterion", "ScreeningInput",
    "assess_eligibility", "is_age_eligible",
    "Course", "DiscontinuationAdvice", "FailureAssessment", "assess_treatment_failure", "discontinuation_advice",
    "TaperPlan", "TaperStep", "taper_plan", "taper_start_date",
    "BloodCountDue", "PlannedVisit", "StudyCalendar", "VisitStatus", "baseline_mri_window", "blood_count_dates",
    "mri_dates", "next_blood_count_due", "next_scheduled_trough", "pedsql_dates", "plan_visits",
    "fibrinogen_stabilized_on", "platelets_stabilized_on", "study_calendar", "trough_dates", "visit_statuses",
    "TransfusionAdvice", "transfusion_advice",
    "TitrationAdvice", "titrate_sirolimus", "trough_status",
    "to_protocol_unit",
]
