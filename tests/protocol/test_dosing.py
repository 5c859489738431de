"""Starting doses: BSA formulas, sirolimus 0.8 mg/m² on the oral syringe, prednisolone, TMP-SMX."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ProtocolError
from khetrial.protocol.dosing import (
    body_surface_area,
    latest_body_size,
    measurable_volume_ml,
    prednisolone_daily_dose_mg,
    prednisolone_dose,
    sirolimus_dose_from_mg,
    sirolimus_starting_dose,
    solution_strength,
    starting_doses,
    tmp_smx_components,
    tmp_smx_dose,
    tmp_smx_dose_mg,
)


def test_mosteller_worked_example_infant():
    # Mosteller (NEJM 1987): sqrt(58 cm × 5.2 kg / 3600) = sqrt(301.6 / 3600) = sqrt(0.0837778) = 0.289444 m²
    assert body_surface_area(5.2, 58) == pytest.approx(0.289444, abs=1e-6)


def test_mosteller_worked_example_adult():
    # sqrt(170 × 70 / 3600) = sqrt(11900 / 3600) = sqrt(3.305556) = 1.818119 m²
    assert body_surface_area(70, 170) == pytest.approx(1.818119, abs=1e-6)


def test_du_bois_worked_example():
    # Du Bois 1916, 70 kg, 170 cm: ln BSA = ln 0.007184 + 0.425 ln 70 + 0.725 ln 170
    #   = −4.935899 + 0.425 × 4.248495 + 0.725 × 5.135798 = −4.935899 + 1.805610 + 3.723454 = 0.593165
    #   BSA = e^0.593165 = 1.8097 m² (the textbook "about 1.81 m²" of a 70 kg, 170 cm adult)
    assert body_surface_area(70, 170, "du_bois") == pytest.approx(1.8097, abs=1e-4)


def test_haycock_worked_example():
    # Haycock 1978, 70 kg, 170 cm: ln BSA = ln 0.024265 + 0.5378 ln 70 + 0.3964 ln 170
    #   = −3.718720 + 2.284841 + 2.035831 = 0.601952;  e^0.601952 = 1.8257 m²
    assert body_surface_area(70, 170, "haycock") == pytest.approx(1.8257, abs=1e-4)


def test_starting_doses_for_a_5_2_kg_58_cm_infant():
    doses = starting_doses(5.2, 58)
    assert doses.bsa_m2 == Decimal("0.2894")  # 0.289444 to 4 decimals (above)
    # Pub.: "The starting dose of sirolimus was 0.8 mg/m2": 0.8 × 0.289444 = 0.231555 mg
    assert float(doses.sirolimus.exact_mg) == pytest.approx(0.231555, abs=1e-6)
    # 1 mg/mL solution: 0.231555 mL on a 1 mL syringe graduated in 0.01 mL → 0.23 mL = 0.23 mg
    assert doses.sirolimus.ml == Decimal("0.23") and doses.sirolimus.mg == Decimal("0.23")
    # Pub.: prednisolone "2 mg/kg orally once daily": 2 × 5.2 = 10.4 mg
    assert doses.prednisolone_mg_daily == Decimal("10.4")
    # Pub.: TMP-SMX "10 mg/kg twice daily, 3 times per week": 10 × 5.2 = 52 mg per dose
    assert doses.tmp_smx_mg == Decimal("52.0")


def test_dose_of_one_mL_or_more_is_measured_in_0_1_mL():
    # 50 kg, 160 cm: sqrt(160 × 50 / 3600) = sqrt(2.222222) = 1.490712 m²; × 0.8 = 1.192570 mg
    # = 1.19257 mL, on a syringe graduated in 0.1 mL → 1.2 mL
    doses = starting_doses(50, 160)
    assert doses.sirolimus.ml == Decimal("1.20") and doses.sirolimus.syringe_step_ml == Decimal("0.10")


@pytest.mark.parametrize("volume, expected", [
    ("0.2315", "0.23"), ("0.235", "0.24"),  # 0.01 mL graduations, half up
    ("0.994", "0.99"), ("0.995", "1"),      # just under 1 mL rounds up onto 1.00
    ("1.04", "1"), ("1.05", "1.1"), ("2.35", "2.4"),  # 0.1 mL graduations from 1 mL
])
def test_syringe_rounding(volume, expected):
    assert measurable_volume_ml(Fraction(volume)) == Fraction(expected)


@pytest.mark.parametrize("volume, mode, expected", [("0.238", "down", "0.23"), ("0.231", "up", "0.24"),
                                                    ("1.19", "down", "1.1"), ("1.01", "up", "1.1")])
def test_syringe_rounding_down_and_up(volume, mode, expected):
    assert measurable_volume_ml(Fraction(volume), mode) == Fraction(expected)


def test_a_dose_below_the_smallest_graduation_is_refused():
    with pytest.raises(ProtocolError, match="smallest graduation"):
        sirolimus_dose_from_mg(Fraction("0.004"))


@pytest.mark.parametrize("weight, height, message", [
    (-5, 58, "weight: got -5 kg; expected 0.5–80 kg"), (0, 58, "weight"), (81, 150, "weight"),
    (5.2, 29, "height: got 29 cm; expected 30–180 cm"), ("heavy", 58, "weight"), (float("inf"), 58, "weight"),
])
def test_body_size_outside_the_plausible_range_is_refused(weight, height, message):
    with pytest.raises(ProtocolError, match=message):
        starting_doses(weight, height)


def test_unknown_bsa_formula_is_refused_with_the_choices():
    with pytest.raises(ProtocolError, match="du_bois, haycock, mosteller"):
        body_surface_area(5.2, 58, "boyd")


def test_starting_dose_needs_a_positive_bsa():
    with pytest.raises(ProtocolError):
        sirolimus_starting_dose(0)


weights = st.decimals(min_value="0.5", max_value="80", places=1)
heights = st.decimals(min_value="30", max_value="180", places=1)


@settings(max_examples=100, deadline=None)
@given(w1=weights, w2=weights, h=heights, formula=st.sampled_from(["mosteller", "haycock", "du_bois"]))
def test_dose_advice_never_decreases_as_weight_increases(w1, w2, h, formula):
    small, large = sorted((w1, w2))
    a, b = starting_doses(small, h, formula), starting_doses(large, h, formula)
    assert a.sirolimus.mg <= b.sirolimus.mg
    assert a.prednisolone_mg_daily <= b.prednisolone_mg_daily and a.tmp_smx_mg <= b.tmp_smx_mg


@settings(max_examples=100, deadline=None)
@given(w=weights, h1=heights, h2=heights, formula=st.sampled_from(["mosteller", "haycock", "du_bois"]))
def test_dose_advice_never_decreases_as_height_increases(w, h1, h2, formula):
    small, large = sorted((h1, h2))
    assert starting_doses(w, small, formula).sirolimus.mg <= starting_doses(w, large, formula).sirolimus.mg


@settings(max_examples=100, deadline=None)
@given(w=weights, h=heights)
def test_measured_dose_is_within_half_a_graduation_of_the_exact_dose(w, h):
    dose = starting_doses(w, h).sirolimus
    step = Fraction(dose.syringe_step_ml)
    assert abs(Fraction(dose.ml) - dose.exact_mg) <= step / 2


def test_prednisolone_and_tmp_smx_round_to_0_1_mg():
    # 2 × 3.33 = 6.66 mg → 6.7 mg; 10 × 3.33 = 33.3 mg
    assert prednisolone_daily_dose_mg(3.33) == Decimal("6.7")
    assert tmp_smx_dose_mg(3.33) == Decimal("33.3")


def test_to_dict_carries_the_cli_keys():
    data = starting_doses(5.2, 58).to_dict()
    for key in ("bsa_m2", "sirolimus_dose_mg", "sirolimus_dose_ml", "prednisolone_dose_mg", "tmp_smx_dose_mg"):
        assert key in data


def test_pjp_prophylaxis_is_required_for_the_first_6_months():
    from datetime import date

    from khetrial.protocol.dosing import prophylaxis_required_until

    # Pub.: "required for all patients at least during the first 6 months": 2026-03-02 + 6 months
    assert prophylaxis_required_until(date(2026, 3, 2)) == date(2026, 9, 2)


# --- Safety limits and sources (issue 10) ------------------------------------------------------
@pytest.mark.parametrize("weight, daily, capped", [
    (30, Decimal("60.0"), False),     # 2 mg/kg × 30 kg = 60 mg: at the cap, not above it
    (30.5, Decimal("60.0"), True),    # 2 × 30.5 = 61 mg > 60 mg/day cap (project choice)
    (60, Decimal("60.0"), True),      # issue 10: 60 kg gave 120 mg/day
])
def test_prednisolone_is_capped_at_60_mg_a_day(weight, daily, capped):
    dose = prednisolone_dose(weight)
    assert dose.mg_daily == daily and dose.capped is capped and prednisolone_daily_dose_mg(weight) == daily
    assert dose.to_dict()["cap_source"] == "project choice" and dose.to_dict()["source"] == "publication"


def test_tmp_smx_names_both_components():
    # 10 mg/kg × 5.2 kg = 52 mg of the combination (1:5): trimethoprim 52/6 = 8.667 → 8.7 mg,
    # sulfamethoxazole 52 × 5/6 = 43.333 → 43.3 mg per dose
    dose = tmp_smx_dose(5.2)
    assert (dose.combined_mg, dose.trimethoprim_mg, dose.sulfamethoxazole_mg) == (
        Decimal("52.0"), Decimal("8.7"), Decimal("43.3"))
    data = dose.to_dict()
    assert data["trimethoprim_mg"] == 8.7 and data["sulfamethoxazole_mg"] == 43.3
    assert data["reading_source"] == "project choice" and "combined product" in data["reading"]


@pytest.mark.parametrize("combined, trimethoprim, sulfamethoxazole, capped", [
    (960, 160, 800, False),   # 960/6 = 160 mg TMP, 800 mg SMX: exactly the label's per-dose maximum
    (966, 160, 800, True),    # 966/6 = 161 mg > 160 (label: ≤ 320 mg TMP a day in two doses)
])
def test_trimethoprim_is_capped_at_the_label_maximum(combined, trimethoprim, sulfamethoxazole, capped):
    assert tmp_smx_components(combined) == (trimethoprim, sulfamethoxazole, capped)


@pytest.mark.parametrize("age_months, caution", [(0.3, True), (1.9, True), (2, False), (None, False),
                                                 (185, False), (204, False)])
def test_tmp_smx_caution_below_two_months(age_months, caution):
    # Bactrim label: contraindicated "in pediatric patients less than 2 months of age"
    assert (tmp_smx_dose(4, age_months).caution is not None) is caution
    # a child enrolled just before 15 years (185 months after 6 months) and at the end of the
    # 2-year follow-up (14 + 1 + 2 years = 204 months) still gets advice, not an error


def test_an_age_beyond_the_trial_is_an_input_error():
    with pytest.raises(ProtocolError, match="age"):
        tmp_smx_dose(4, 205)  # older than any child can be in the trial (204 months)


def test_sirolimus_volume_follows_the_solution_strength():
    # 0.8 mg/m² × 0.289444 m² = 0.23156 mg; at 0.1 mg/mL = 2.3156 mL → 2.3 mL (0.1 mL syringe) = 0.230 mg
    dose = starting_doses(5.2, 58, solution_mg_per_ml=0.1).sirolimus
    assert dose.ml == Decimal("2.30") and dose.mg == Decimal("0.230") and dose.solution_mg_per_ml == Fraction(1, 10)


@pytest.mark.parametrize("strength", [0, 1.5, -1])
def test_solution_strength_must_be_above_0_and_at_most_1(strength):
    with pytest.raises(ProtocolError, match="sirolimus solution"):
        solution_strength(strength)


def test_a_dose_too_small_for_the_syringe_names_the_dilution():
    with pytest.raises(ProtocolError, match="diluted solution"):
        sirolimus_dose_from_mg(Fraction(1, 1000))


def test_starting_doses_show_the_body_size_date_and_every_rule_source():
    data = starting_doses(5.2, 58, measured_on=date(2026, 3, 1), age_months=1).to_dict()
    assert data["body_size_measured_on"] == "2026-03-01"
    assert {r["source"] for r in data["rules"]} == {"publication", "label", "project choice"}
    assert data["tmp_smx"]["caution_source"] == "label"


def test_latest_body_size_takes_the_latest_of_each_up_to_the_dose_date():
    rows = [(date(2026, 1, 1), 4.0, 55), (date(2026, 6, 1), 6.5, None), (date(2026, 9, 1), 8, 70)]
    size = latest_body_size(rows, date(2026, 7, 1))
    assert (size.weight_kg, size.weight_on, size.height_cm, size.height_on) == (
        Fraction("6.5"), date(2026, 6, 1), 55, date(2026, 1, 1))
    with pytest.raises(ProtocolError, match="no weight"):
        latest_body_size(rows, date(2025, 12, 31))
