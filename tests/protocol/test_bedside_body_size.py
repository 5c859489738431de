"""khetrial.protocol.bedside, issue 10: "BSA and mg/kg from the latest weight and height, with
their date shown" — the baseline of patients.csv and the later rows of body_size.csv.

Day 0 (randomization) is 2026-03-02, the child born 2025-12-02; baseline 6 kg, 62 cm. A later
measurement on day 40: 7.2 kg, 66 cm. Expected values are worked by hand in each test.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from khetrial.protocol.bedside import (BodySizeRow, Course, PatientBaseline, PatientRecords, bedside_advice,
                                       body_size_on, medications_on)

D0 = date(2026, 3, 2)
BIRTH = date(2025, 12, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


LATER = BodySizeRow(day(40), 7.2, 66.0)
SIROLIMUS_M2 = Course("sirolimus", D0, dose=0.8, dose_unit="mg_m2", frequency="bid")
TMP_SMX = Course("tmp_smx", D0, dose=60.0, dose_unit="mg", frequency="tiw_bid")


def records(*rows: BodySizeRow, arm: str | None = "S", **tables) -> PatientRecords:
    return PatientRecords(PatientBaseline("A-01", D0, arm, 6.0, 62.0, BIRTH), body_size=rows, **tables)


def checks(advice) -> set[str]:
    return {c.code for c in advice.checks}


def test_the_later_measurement_gives_the_body_size_bsa_and_its_date():
    advice = bedside_advice(records(LATER, arm="SP"), day(45))
    body = advice.body_size
    assert (body.weight_kg, body.weight_on, body.height_cm, body.height_on) == (
        Fraction("7.2"), day(40), 66, day(40))
    # Mosteller: sqrt(66 cm × 7.2 kg / 3600) = sqrt(475.2 / 3600) = sqrt(0.132) = 0.363318… → 0.3633
    assert advice.bsa_m2 == Decimal("0.3633")
    # Pub. "2 mg/kg orally once daily" × 7.2 kg = 14.4 mg (the baseline 6 kg would give 12.0)
    assert advice.prednisolone.mg_daily == Decimal("14.4")
    assert advice.body_size_age_days == 5 and "body_size_stale" not in checks(advice)


def test_a_course_in_mg_m2_is_converted_with_the_latest_bsa():
    r = records(LATER, medications=(SIROLIMUS_M2, TMP_SMX))
    # before the measurement, the baseline: 0.8 mg/m² × sqrt(62 × 6 / 3600) = 0.8 × 0.321455 = 0.257164
    # → 0.26 mg (0.01 mL of the 1 mg/mL solution); from day 40: 0.8 × 0.363318 = 0.290654 → 0.29 mg
    assert medications_on(r, day(39)).sirolimus_dose_mg == Fraction("0.26")
    assert medications_on(r, day(40)).sirolimus_dose_mg == Fraction("0.29")


@pytest.mark.parametrize("today, age, stale", [
    # constants.BODY_SIZE_MAX_AGE_DAYS = 30 (project choice): measured day 40 → day 70 is 30
    # days old (current), day 71 is 31 days old (stale)
    (day(70), 30, False),
    (day(71), 31, True),
])
def test_stale_only_when_the_latest_measurement_is_older_than_30_days(today, age, stale):
    advice = bedside_advice(records(LATER, medications=(TMP_SMX,)), today)
    assert advice.body_size.weight_on == day(40)
    assert advice.body_size_age_days == age
    assert advice.body_size_stale is stale and ("body_size_stale" in checks(advice)) is stale


def test_without_a_later_measurement_the_baseline_is_stale_after_day_30():
    advice = bedside_advice(records(medications=(TMP_SMX,)), day(70))
    # baseline measured on day 0: 70 days old > 30
    assert advice.body_size.weight_on == D0 and advice.body_size_age_days == 70
    assert "body_size_stale" in checks(advice)


def test_a_measurement_dated_after_today_is_not_used():
    # dated day 40; on day 39 the baseline (day 0, 39 days old) is the latest: stale
    advice = bedside_advice(records(LATER, medications=(TMP_SMX,)), day(39))
    assert advice.body_size.weight_on == D0 and advice.body_size.weight_kg == 6
    assert "body_size_stale" in checks(advice)


def test_on_one_date_the_last_row_wins_and_a_row_on_day_0_over_the_baseline():
    first, second = BodySizeRow(day(40), 7.0, 65.0), BodySizeRow(day(40), 7.2, 66.0)
    assert body_size_on(records().patient, day(41), [first, second]).weight_kg == Fraction("7.2")
    # file order within a date, whatever the order of dates around it
    assert body_size_on(records().patient, day(41), [second, BodySizeRow(day(10), 6.5, 63.0), first]
                        ).weight_kg == Fraction("7.0")
    on_day_0 = body_size_on(records().patient, D0, [BodySizeRow(D0, 6.1, 62.5)])
    assert (on_day_0.weight_kg, on_day_0.height_cm) == (Fraction("6.1"), Fraction("62.5"))


def test_a_measurement_without_a_baseline_weight_still_gives_a_body_size():
    patient = PatientBaseline("A-01", D0, "S", None, None, BIRTH)
    assert body_size_on(patient, day(5)) is None
    assert body_size_on(patient, day(5), [BodySizeRow(day(3), 6.4, 63.0)]).weight_on == day(3)
