"""Eligibility (Pub., "Study patients"): every criterion fails alone, boundaries on both sides."""

from dataclasses import replace
from datetime import date

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.eligibility import (
    CRITERIA,
    DiagnosisBasis,
    ScreeningInput,
    age_in_years,
    assess_eligibility,
    is_age_eligible,
)

SCREENING = date(2026, 3, 2)


def eligible_child(**changes) -> ScreeningInput:
    """A 1-year-old with KMP (platelets 20, fibrinogen 0.8 g/L, D-dimer 12 µg/mL: all on the KMP
    side of the publication's <100, <1.6 and >0.5 cut-offs) and nothing excluding."""
    base = ScreeningInput(birth_date=date(2025, 1, 10), screening_date=SCREENING,
                          diagnosis_basis=frozenset({DiagnosisBasis.CLINICAL, DiagnosisBasis.MRI}),
                          platelets=20, fibrinogen=0.8, d_dimer=12)
    return replace(base, **changes)


def test_a_child_meeting_every_criterion_is_eligible():
    result = assess_eligibility(eligible_child())
    assert result.eligible and result.failed == ()


# "between 0 and 14 years of age": project reading = 0–14 completed years, eligible up to the
# day before the 15th birthday. Born 2011-03-02: 15th birthday 2026-03-02.
@pytest.mark.parametrize("birth, screening, expected", [
    (date(2011, 3, 3), date(2026, 3, 2), True),    # day before the 15th birthday: 14 years old
    (date(2011, 3, 2), date(2026, 3, 2), False),   # the 15th birthday itself: 15 years old
    (date(2026, 3, 2), date(2026, 3, 2), True),    # born on the screening day: 0 years
    (date(2012, 2, 29), date(2027, 2, 28), True),  # a 29 Feb birthday is reached on 1 March
    (date(2012, 2, 29), date(2027, 3, 1), False),
])
def test_age_limits(birth, screening, expected):
    assert is_age_eligible(birth, screening) is expected


def test_age_in_completed_years():
    # 2011-03-03 to 2026-03-02: 2026 − 2011 = 15, minus 1 because March 2 is before March 3 → 14
    assert age_in_years(date(2011, 3, 3), date(2026, 3, 2)) == 14


def test_birth_after_screening_is_an_input_error():
    with pytest.raises(ProtocolError, match="after the screening date"):
        assess_eligibility(eligible_child(birth_date=date(2026, 3, 3)))


@pytest.mark.parametrize("changes, code", [
    ({"birth_date": date(2011, 3, 2)}, "inclusion_age"),
    ({"diagnosis_basis": frozenset()}, "inclusion_diagnosis"),
    ({"platelets": 100}, "inclusion_kmp"),          # platelets exactly 100: not <100
    ({"fibrinogen": 1.6}, "inclusion_kmp"),         # fibrinogen exactly 1.6: not <1.6
    ({"d_dimer": 0.5}, "inclusion_kmp"),            # D-dimer exactly 0.5: not >0.5
    ({"platelets": None}, "inclusion_kmp"),         # not measured
    ({"liver_function_adequate": False}, "inclusion_organ_function"),
    ({"renal_function_adequate": False}, "inclusion_organ_function"),
    ({"marrow_function_adequate": False}, "inclusion_organ_function"),
    ({"active_infection": True}, "inclusion_no_active_infection"),
    ({"sirolimus_allergy": True}, "exclusion_sirolimus_contraindication"),
    ({"prior_mtor_inhibitor": True}, "exclusion_prior_mtor_inhibitor"),
    ({"last_khe_therapy": {"propranolol": date(2026, 2, 23)}}, "exclusion_recent_khe_therapy"),  # 7 days before
    ({"last_major_surgery": date(2026, 2, 16)}, "exclusion_recent_major_surgery"),  # 14 days before
    ({"severe_concurrent_disease": True}, "exclusion_severe_concurrent_disease"),
    ({"unable_to_comply": True}, "exclusion_unable_to_comply"),
])
def test_each_criterion_fails_alone_with_its_code(changes, code):
    result = assess_eligibility(eligible_child(**changes))
    assert not result.eligible
    assert result.codes == (code,)
    assert result.failed[0].criterion.text  # the protocol's words


@pytest.mark.parametrize("platelets, eligible", [(99.9, True), (100, False)])
def test_kmp_platelet_boundary(platelets, eligible):
    # Pub.: "KMP was defined as a platelet count <100 × 10⁹/L"
    assert assess_eligibility(eligible_child(platelets=platelets)).eligible is eligible


# "within 1 week before enrollment" (inclusive reading): 2026-02-23 is 7 days before 2026-03-02
# (Feb has 28 days in 2026: 28 − 23 + 2 = 7) and excludes; 2026-02-22 (8 days) does not.
@pytest.mark.parametrize("therapy", ["embolization", "sclerotherapy", "corticosteroids", "propranolol", "chemotherapy"])
@pytest.mark.parametrize("last, excluded", [(date(2026, 2, 23), True), (date(2026, 2, 22), False), (SCREENING, True)])
def test_one_week_washout_of_khe_therapies(therapy, last, excluded):
    result = assess_eligibility(eligible_child(last_khe_therapy={therapy: last}))
    assert ("exclusion_recent_khe_therapy" in result.codes) is excluded


# "major surgery within 2 weeks": 2026-02-16 is 14 days before 2026-03-02 (excluded), 2026-02-15 is 15.
@pytest.mark.parametrize("last, excluded", [(date(2026, 2, 16), True), (date(2026, 2, 15), False)])
def test_two_week_washout_of_major_surgery(last, excluded):
    result = assess_eligibility(eligible_child(last_major_surgery=last))
    assert ("exclusion_recent_major_surgery" in result.codes) is excluded


def test_every_failed_criterion_is_reported_in_the_publication_order():
    result = assess_eligibility(eligible_child(unable_to_comply=True, platelets=150, birth_date=date(2000, 1, 1)))
    assert result.codes == ("inclusion_age", "inclusion_kmp", "exclusion_unable_to_comply")
    assert "platelets 150" in result.failed[1].detail


def test_codes_are_unique_and_stable():
    codes = [c.code for c in CRITERIA]
    assert len(codes) == len(set(codes)) == 11  # 5 inclusion + 6 exclusion sentences of "Study patients"


@pytest.mark.parametrize("changes, message", [
    ({"last_khe_therapy": {"vincristine": date(2026, 1, 1)}}, "vincristine"),
    ({"last_khe_therapy": {"propranolol": date(2026, 3, 5)}}, "after the screening date"),
    ({"diagnosis_basis": ("x-ray",)}, "diagnosis basis"),
    ({"active_infection": "no"}, "True or False"),
    ({"platelets": -3}, "platelets"),
])
def test_invalid_screening_input_raises_protocol_error(changes, message):
    with pytest.raises(ProtocolError, match=message):
        assess_eligibility(eligible_child(**changes))


def test_result_to_dict_is_json_ready():
    import json

    data = assess_eligibility(eligible_child(active_infection=True)).to_dict()
    assert json.loads(json.dumps(data))["failed"][0]["code"] == "inclusion_no_active_infection"
