"""The month-12 decision (Pub.: "sirolimus was tapered and discontinued after complete or nearly
complete resolution of KHE or if no further improvement of tumor lesion and symptoms was observed
after month 12 (for 12 weeks of observation)"; "continued for at least 12 months")."""

from datetime import date, timedelta

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.continuation import sirolimus_continuation

D0 = date(2026, 3, 2)
MONTH12 = date(2027, 3, 2)  # 12 calendar months after 2026-03-02


def test_before_month_12_sirolimus_continues_even_after_resolution():
    decision = sirolimus_continuation(D0, MONTH12 - timedelta(1), "complete")
    assert decision.action == "continue" and decision.reassess_on == MONTH12


@pytest.mark.parametrize("response", ["complete", "nearly_complete"])
def test_good_response_after_month_12_is_tapered(response):
    assert sirolimus_continuation(D0, MONTH12, response).action == "taper_and_stop"


def test_no_improvement_for_12_weeks_after_month_12_is_tapered():
    # 12 weeks = 84 days after 2027-03-02 = 2027-05-25 (Mar 29 days left + Apr 30 + May 25 = 84)
    assert sirolimus_continuation(D0, date(2027, 5, 24), "partial").action == "continue"
    decision = sirolimus_continuation(D0, date(2027, 5, 25), "partial")
    assert decision.action == "taper_and_stop"


def test_improvement_after_month_12_restarts_the_observation():
    # last improvement 2027-04-01 + 84 days = 2027-06-24
    decision = sirolimus_continuation(D0, date(2027, 6, 1), "partial", last_improvement_on=date(2027, 4, 1))
    assert decision.action == "continue" and decision.reassess_on == date(2027, 6, 24)


@pytest.mark.parametrize("kwargs", [{"lesion_response": "growth", "clinical_progression": True},
                                    {"progressive_disease": True}])
def test_progression_stops_at_any_time(kwargs):
    assert sirolimus_continuation(D0, D0 + timedelta(30), **kwargs).action == "stop"


@pytest.mark.parametrize("kwargs, message", [
    ({"on": D0 - timedelta(1)}, "before randomization"),
    ({"on": D0, "lesion_response": "shrinking"}, "lesion response"),
])
def test_invalid_input_is_refused(kwargs, message):
    with pytest.raises(ProtocolError, match=message):
        sirolimus_continuation(D0, **kwargs)


@pytest.mark.parametrize("kwargs, missing", [
    ({"lesion_response": "growth"}, "clinical"),         # MRI growth alone (issue 10)
    ({"clinical_progression": True}, "radiological"),    # clinical worsening alone
])
def test_progression_on_one_side_only_does_not_stop(kwargs, missing):
    # Pub.: "evidence of clinically and radiologically progressive disease"
    decision = sirolimus_continuation(D0, D0 + timedelta(60), **kwargs)
    assert decision.action == "continue" and f"assess {missing} progression" in decision.reason
