"""The design check recomputes the publication's stated power from its stated assumptions."""

import pytest

from khetrial.design.check import design_check

from .reference import r_reference


def test_design_check_shows_the_stated_and_the_recomputed_power():
    # Pub.: "With ∼32 patients per treatment group, this study had ∼80% power" (70% vs 55%)
    # R: power.prop.test(n = 32, p1 = 0.55, p2 = 0.70)$power = 0.232873782782267
    check = design_check()
    assert check.stated_power == 0.80
    assert check.n_per_arm == 32
    assert check.planned.analytic == pytest.approx(r_reference()["A.power"], rel=1e-12)
    # R brute force: fisher power at 32/32 = 0.172807552553924, at 36 (S) / 37 (SP) = 0.2244
    assert check.planned.exact_fisher == pytest.approx(
        r_reference()["H.fisher n1=32 n2=32 p1=0.55 p2=0.70"], rel=1e-12)
    assert check.enrolled.exact_fisher == pytest.approx(
        r_reference()["H.fisher n1=36 n2=37 p1=0.55 p2=0.70"], rel=1e-12)
    assert not check.agrees


def test_design_check_gives_the_size_needed_and_the_difference_detectable():
    # R: power.prop.test(p1 = .55, p2 = .70, power = .8)$n = 162.33 -> 163 per arm;
    # power.prop.test(n = 32, p1 = .55, power = .8)$p2 = 0.8631
    check = design_check()
    assert check.required.analytic.control == 163
    assert check.detectable_experimental == pytest.approx(
        r_reference()["E.p2 n=32 p1=0.55 power=0.80"], abs=1e-5)
    d = check.to_dict()
    assert d["planned"]["analytic"] == check.planned.analytic
    assert "23.3%" in d["summary"] and "80%" in d["summary"]


def test_design_check_agrees_when_the_stated_power_is_right():
    # R: C.n 162 power = 0.799183872873344 -> "80 %" at 162 per arm agrees
    assert design_check(n_per_arm=162).agrees
