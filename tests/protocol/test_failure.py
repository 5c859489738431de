"""Treatment failure and discontinuation (Pub. "Study intervention"; course rules from the SAP's
intercurrent events)."""

from datetime import date, timedelta

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.failure import Course, assess_treatment_failure, discontinuation_advice

D0 = date(2026, 3, 2)


def day(n):
    return D0 + timedelta(n)


def test_no_additional_intervention_is_no_failure():
    courses = [Course("sirolimus", D0), Course("prednisolone", D0, day(40)), Course("tmp_smx", D0)]
    assert not assess_treatment_failure("SP", D0, courses).failed


def test_any_other_khe_therapy_after_day_0_is_failure():
    # Pub.: "A requirement for any additional KHE- or KMP-specific intervention was considered treatment failure."
    result = assess_treatment_failure("S", D0, [Course("sirolimus", D0), Course("other_khe_therapy", day(20))])
    assert result.failed and result.on == day(20)


def test_therapy_before_randomization_is_not_failure():
    assert not assess_treatment_failure("S", D0, [Course("other_khe_therapy", day(-30), day(-10))]).failed


def test_prednisolone_in_the_sirolimus_alone_arm_is_rescue():
    result = assess_treatment_failure("S", D0, [Course("prednisolone", day(5))])
    assert result.failed and "rescue" in result.reason


@pytest.mark.parametrize("restart, failed", [(48, True), (47, False)])
def test_prednisolone_reintroduced_more_than_7_days_after_stopping(restart, failed):
    # SAP: reintroduction = starts "more than 7 days after the latest end": stopped day 40,
    # restart day 48 (8 days) is a reintroduction, day 47 (7 days) is not
    courses = [Course("prednisolone", D0, day(40)), Course("prednisolone", day(restart))]
    assert assess_treatment_failure("SP", D0, courses).failed is failed


def test_prednisolone_course_while_another_runs_is_not_reintroduction():
    courses = [Course("prednisolone", D0), Course("prednisolone", day(60))]
    assert not assess_treatment_failure("SP", D0, courses).failed


@pytest.mark.parametrize("arm, courses, message", [
    ("X", [], "arm"),
    ("S", [Course("aspirin", D0)], "drug"),
    ("S", [Course("sirolimus", D0, day(-1))], "ends"),
])
def test_invalid_courses_are_refused(arm, courses, message):
    with pytest.raises(ProtocolError, match=message):
        assess_treatment_failure(arm, D0, courses)


@pytest.mark.parametrize("kwargs, reasons", [
    ({}, ()),
    ({"progressive_disease": True}, ("progression",)),
    ({"parent_request": True}, ("parent_request",)),
    ({"toxicity_precluding_therapy": True}, ("toxicity",)),
    ({"parent_request": True, "toxicity_precluding_therapy": True}, ("parent_request", "toxicity")),
])
def test_discontinuation_criteria(kwargs, reasons):
    # Pub.: "clinically and radiologically progressive disease, parent request, and toxicities
    # precluding further therapy"; codes = disposition.csv reasons
    advice = discontinuation_advice(**kwargs)
    assert advice.reasons == reasons and advice.discontinue is bool(reasons)


def test_progression_note_says_the_drug_is_withdrawn():
    assert "withdraw" in discontinuation_advice(progressive_disease=True).note


@pytest.mark.parametrize("clinical, radiological, discontinue", [
    (True, True, True), (True, False, False), (False, True, False), (False, False, False),
])
def test_progression_needs_clinical_and_radiological_evidence(clinical, radiological, discontinue):
    # Pub.: "evidence of clinically and radiologically progressive disease"
    advice = discontinuation_advice(clinically_progressive=clinical, radiologically_progressive=radiological)
    assert advice.discontinue is discontinue and (("progression" in advice.reasons) is discontinue)
    if clinical != radiological:
        assert "alone is not a criterion" in advice.note
