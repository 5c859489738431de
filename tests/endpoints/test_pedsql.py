"""SAP "Quality of life (PedsQL)": item transform, totals, windows, improvement ≥ 4.5."""

import numpy as np
import pandas as pd
import pytest

from khetrial.endpoints.pedsql import (
    compute_item_score,
    compute_qol_improvement,
    derive_qol_response,
    derive_questionnaires,
)

NO_CENSORING = pd.DataFrame({"patient_id": ["P1"], "censoring_day": [np.nan]})


@pytest.mark.parametrize("response, score", [(0, 100), (1, 75), (2, 50), (3, 25), (4, 0)])
def test_item_transform(response, score):
    # Pub.: items "transformed on a 0–100 scale (0 = 100, 1 = 75, 2 = 50, 3 = 25, 4 = 0)".
    assert compute_item_score(pd.Series([response])).iloc[0] == score


def form(day, responses, instrument="generic_core_2_4", patient="P1"):
    return "\n".join(f"{patient},{day},{instrument},physical,i{k},{r}" for k, r in enumerate(responses))


def totals(make_bundle, *forms):
    b = make_bundle(patients="patient_id,arm\nP1,SP",
                    qol="patient_id,day,instrument,scale,item,response\n" + "\n".join(forms))
    return b, derive_questionnaires(b.qol, b.patients)


@pytest.mark.parametrize("responses, total", [
    ([0, 1, 2, ""], 75.0),       # mean of 100, 75, 50; 1 of 4 unanswered
    ([0, 2, "", ""], 75.0),      # exactly half unanswered: still scored, mean of 100 and 50
    ([0, "", "", ""], None),     # 3 of 4 unanswered: more than half -> missing
    (["", "", "", ""], None),
])
def test_total_is_the_mean_of_answered_items_and_missing_beyond_half(make_bundle, responses, total):
    _, forms = totals(make_bundle, form(0, responses))
    got = forms["total"].iloc[0]
    assert (None if np.isnan(got) else got) == total


def test_a_repeated_item_on_one_date_keeps_the_last_answer_in_file_order(make_bundle):
    # Item i0 answered 4 (score 0) then 0 (score 100); item i1 answered 2 (50): mean(100, 50).
    rows = "P1,0,generic_core_2_4,physical,i0,4\nP1,0,generic_core_2_4,physical,i0,0\nP1,0,generic_core_2_4,physical,i1,2"
    _, forms = totals(make_bundle, rows)
    assert forms[["n_items", "total"]].values.tolist() == [[2, 75.0]]


@pytest.mark.parametrize("baseline, month12, improved", [
    (50, 54.5, True),     # exactly +4.5
    (50, 54.4, False),
    (70.1, 74.6, True),   # 74.6 − 70.1 is 4.499999999999986 in binary floating point; exactly 4.5
    (np.nan, 90, False),  # missing baseline -> non-response
    (50, np.nan, False),
])
def test_improvement_is_at_least_4_5_points_exactly(baseline, month12, improved):
    assert compute_qol_improvement([baseline], [month12])[0] == improved


def test_baseline_closest_to_day_0_and_month_12_with_first_instrument_of_a_date(make_bundle):
    b, _ = totals(make_bundle,
                  form(-31, [0, 0]),                    # outside −30…0
                  form(-20, [4, 4]),                    # total 0
                  form(-5, [2, 2]),                     # total 50: closest to day 0 -> baseline
                  form(360, [1, 1], "infant_1_12"),     # first instrument of day 360 in file order: 75
                  form(360, [0, 0], "generic_core_2_4"),
                  form(370, [0, 0]))                    # 5 days from 365 as well: tie -> earlier (360)
    out = derive_qol_response(b.qol, b.patients, NO_CENSORING).iloc[0]
    assert (out["qol_total_baseline"], out["qol_total_m12"]) == (50.0, 75.0)
    assert out["qol_improvement_m12"] == 1  # 75 − 50 = 25 ≥ 4.5


def test_month12_questionnaire_on_the_censoring_day_is_not_used(make_bundle):
    b, _ = totals(make_bundle, form(-1, [2, 2]), form(365, [0, 0]))
    censored = pd.DataFrame({"patient_id": ["P1"], "censoring_day": [365.0]})
    out = derive_qol_response(b.qol, b.patients, censored).iloc[0]
    # The only month-12 questionnaire is on the censoring day: empty total, non-response.
    assert np.isnan(out["qol_total_m12"]) and out["qol_improvement_m12"] == 0


def test_missing_baseline_is_a_non_response(make_bundle):
    b, _ = totals(make_bundle, form(365, [0, 0]))
    out = derive_qol_response(b.qol, b.patients, NO_CENSORING).iloc[0]
    assert np.isnan(out["qol_total_baseline"]) and out["qol_improvement_m12"] == 0
