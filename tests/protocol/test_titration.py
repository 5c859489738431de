"""Sirolimus trough titration (Pub. "trough levels of 10 to 15 ng/mL"; Rapamune label §2.1)."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ProtocolError
from khetrial.protocol.titration import proportional_dose_mg, titrate_sirolimus, trough_status

ON = date(2026, 3, 10)


# Pub.: "titrated to achieve trough levels of 10 to 15 ng/mL" — both ends in range.
@pytest.mark.parametrize("trough, status", [(9.9, "low"), (10, "in_range"), (12.5, "in_range"), (15, "in_range"),
                                            (15.1, "high")])
def test_trough_status_boundaries(trough, status):
    assert trough_status(trough) == status


@pytest.mark.parametrize("trough", [10, 15])
def test_in_range_trough_keeps_the_dose(trough):
    advice = titrate_sirolimus(0.3, trough, ON)
    assert advice.action == "keep" and advice.adjusted_dose_mg == Decimal("0.30")


def test_low_trough_scales_the_dose_up_proportionally():
    # Label: new dose = current × (target / current concentration) = 0.3 × 12.5 / 7.5 = 0.5 mg
    advice = titrate_sirolimus(0.3, 7.5, ON)
    assert advice.action == "increase" and advice.adjusted_dose_mg == Decimal("0.50")
    assert advice.dose.ml == Decimal("0.50") and not advice.bounded


def test_trough_just_below_range():
    # 0.3 × 12.5 / 9.9 = 3.75 / 9.9 = 0.378788 mg → 0.38 mL on the 0.01 mL syringe
    advice = titrate_sirolimus(0.3, 9.9, ON)
    assert advice.action == "increase" and advice.adjusted_dose_mg == Decimal("0.38")


def test_trough_just_above_range():
    # 0.3 × 12.5 / 15.1 = 3.75 / 15.1 = 0.248344 mg → 0.25 mL
    advice = titrate_sirolimus(0.3, 15.1, ON)
    assert advice.action == "decrease" and advice.adjusted_dose_mg == Decimal("0.25")


def test_a_very_low_trough_at_most_doubles_the_dose():
    # 0.3 × 12.5 / 2.5 = 1.5 mg proportional, bounded by ×2 → 0.6 mg
    assert proportional_dose_mg(0.3, 2.5) == Fraction("0.6")
    advice = titrate_sirolimus(0.3, 2.5, ON)
    assert advice.adjusted_dose_mg == Decimal("0.60") and advice.bounded


def test_a_very_high_trough_at_most_halves_the_dose():
    # 0.4 × 12.5 / 50 = 0.1 mg proportional, bounded by ×½ → 0.2 mg
    advice = titrate_sirolimus(0.4, 50, ON)
    assert advice.adjusted_dose_mg == Decimal("0.20") and advice.bounded


def test_rounding_never_crosses_the_bound():
    # 0.333 mg × ½ = 0.1665 mg: nearest graduation 0.17 mL would be > the lower bound, fine;
    # 0.333 × 2 = 0.666 mg: nearest 0.67 mL would exceed the ×2 bound → 0.66 mL
    advice = titrate_sirolimus(0.333, 1, ON)
    assert advice.adjusted_dose_mg == Decimal("0.66")


def test_next_trough_after_a_change_is_7_to_14_days_later():
    # Label: "continue on the new maintenance dose for at least 7 to 14 days"
    advice = titrate_sirolimus(0.3, 7.5, ON)
    assert advice.next_trough_date == date(2026, 3, 17) and advice.next_trough_latest == date(2026, 3, 24)


def test_next_trough_without_change_follows_the_protocol_schedule():
    # Sirolimus from 2026-03-02: schedule days 7, 14, 28, ... → after 2026-03-10 the next is day 14 = 2026-03-16
    advice = titrate_sirolimus(0.3, 12, ON, sirolimus_start=date(2026, 3, 2))
    assert advice.next_trough_date == date(2026, 3, 16)


def test_next_trough_without_change_or_start_date_is_a_week_later():
    assert titrate_sirolimus(0.3, 12, ON).next_trough_date == date(2026, 3, 17)


@pytest.mark.parametrize("dose, trough, message", [
    (0, 10, "current sirolimus dose"), (-0.3, 10, "current sirolimus dose"), (20.01, 10, "maximum"),
    (0.3, -1, "trough"), (0.3, 250, "trough"), (0.3, "high", "trough"),
])
def test_invalid_titration_input_is_refused(dose, trough, message):
    with pytest.raises(ProtocolError, match=message):
        titrate_sirolimus(dose, trough, ON)


doses = st.decimals(min_value="0.05", max_value="5", places=2)
troughs = st.decimals(min_value="0.5", max_value="200", places=1)


@settings(max_examples=100, deadline=None)
@given(dose=doses, t1=troughs, t2=troughs)
def test_new_dose_never_increases_as_the_measured_trough_increases(dose, t1, t2):
    low, high = sorted((t1, t2))
    assert titrate_sirolimus(dose, low, ON).adjusted_dose_mg >= titrate_sirolimus(dose, high, ON).adjusted_dose_mg


@settings(max_examples=100, deadline=None)
@given(dose=doses, trough=troughs)
def test_new_dose_stays_within_half_and_double_the_current_dose(dose, trough):
    new = Fraction(titrate_sirolimus(dose, trough, ON).adjusted_dose_mg)
    assert Fraction(dose) / 2 <= new <= Fraction(dose) * 2


@settings(max_examples=100, deadline=None)
@given(dose=doses, trough=troughs)
def test_direction_follows_the_range(dose, trough):
    advice = titrate_sirolimus(dose, trough, ON)
    if trough < 10:
        assert advice.adjusted_dose_mg >= Decimal(dose)
    elif trough > 15:
        assert advice.adjusted_dose_mg <= Decimal(dose)
    else:
        assert advice.action == "keep"


# --- Safety (issue 10) -------------------------------------------------------------------------
def test_trough_of_30_halves_the_dose_without_holding():
    # 0.4 × 12.5 / 30 = 0.1667 mg < 0.2 (= ×½): bounded to 0.20 mg, predicted 30 / 2 = 15 ng/mL in range
    advice = titrate_sirolimus(0.4, 30, ON)
    assert advice.action == "decrease" and not advice.hold and advice.adjusted_dose_mg == Decimal("0.20")


def test_trough_above_30_holds_and_says_how_to_restart():
    # issue 10: 35 ng/mL only halved the dose (predicted ~17.5, still high). Hold (project choice),
    # repeat in 3 days (2026-03-10 + 3 = 03-13), restart at 0.4 / 2 = 0.20 mg once ≤ 15 ng/mL
    advice = titrate_sirolimus(0.4, 30.1, ON)
    assert advice.action == "hold" and advice.hold and advice.adjusted_dose_mg == Decimal("0.20")
    assert advice.next_trough_date == date(2026, 3, 13) and "restart" in advice.reason
    data = advice.to_dict()
    assert data["hold"] and data["restart_dose_mg"] == 0.2 and data["restart_when_trough_at_most_ng_ml"] == 15
    assert data["source"] == "project choice"


def test_undetectable_trough_gets_advice_not_an_error():
    advice = titrate_sirolimus(0.3, 0, ON)
    assert advice.action == "repeat" and advice.adjusted_dose_mg == Decimal("0.30")
    assert "adherence" in advice.reason and advice.next_trough_date == date(2026, 3, 13)
    assert advice.source == "project choice"


def test_lowest_detectable_trough_is_titrated():
    # 0.3 × 12.5 / 0.1 = 37.5 mg proportional, bounded ×2 → 0.60 mg (not a "repeat")
    assert titrate_sirolimus(0.3, 0.1, ON).action == "increase"


@pytest.mark.parametrize("current, expected, capped", [
    (9, Decimal("18.0"), False),    # 9 × 12.5 / 5 = 22.5, bounded ×2 → 18 mg ≤ 20 mg per dose
    (12, Decimal("20.0"), True),    # 12 × 2 = 24 > 20 mg per dose (label: ≤ 40 mg a day)
])
def test_no_dose_above_the_label_maximum(current, expected, capped):
    advice = titrate_sirolimus(current, 5, ON)
    assert advice.adjusted_dose_mg == expected
    assert any(r.source == "label" and "40 mg" in r.rule for r in advice.rules) is capped


def test_titration_volume_follows_the_solution_strength():
    # 0.3 × 12.5 / 7.5 = 0.5 mg at 0.5 mg/mL = 1.0 mL
    advice = titrate_sirolimus(0.3, 7.5, ON, solution_mg_per_ml=0.5)
    assert advice.dose.ml == Decimal("1.00") and advice.dose.mg == Decimal("0.500")


def test_every_advice_names_its_sources():
    assert [r.source for r in titrate_sirolimus(0.3, 12, ON).rules] == ["publication"]
    assert [r.source for r in titrate_sirolimus(0.3, 7.5, ON).rules] == ["publication", "label"]
    assert "project choice" in [r.source for r in titrate_sirolimus(0.3, 2.5, ON).rules]  # ×2 bound
