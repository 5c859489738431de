"""Starting doses: BSA formulas, sirolimus 0.8 mg/m² on the oral syringe, prednisolone, TMP-SMX."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ProtocolError
from khetrial.protocol.dosing import (
    body_surface_area,
    measurable_volume_ml,
    prednisolone_daily_dose_mg,
    sirolimus_dose_from_mg,
    sirolimus_starting_dose,
    starting_doses,
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
