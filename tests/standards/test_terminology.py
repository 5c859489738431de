"""CDISC controlled terminology for the bundle's code lists (khetrial.standards.terminology)."""

from __future__ import annotations

import pytest

from khetrial.bundle.format import LAB_TESTS
from khetrial.errors import KhetrialError
from khetrial.standards import terminology as ct


def test_every_bundle_code_has_a_cdisc_term():
    ct.check_complete()  # raises naming the codes without a term


def test_a_bundle_code_without_a_term_is_named(monkeypatch):
    monkeypatch.setattr(ct, "BUNDLE_CODE_LISTS", ((ct.SEX, ("F", "M", "X")),))
    with pytest.raises(KhetrialError, match=r"Sex \(CL.SEX\): 'X'"):
        ct.check_complete()


@pytest.mark.parametrize(("test", "code", "unit"), [
    # CDISC CT C65047 LBTESTCD and C71620 UNIT; units as bundle-format.md's labs.csv table
    ("platelets", "PLAT", "10^9/L"), ("fibrinogen", "FIBRINO", "g/L"),
    ("d_dimer", "DDIMER", "ug/mL"), ("hemoglobin", "HGB", "g/L"), ("alt", "ALT", "U/L"),
    ("ast", "AST", "U/L"),
])
def test_lab_tests_map_to_cdisc_test_codes_and_units(test, code, unit):
    assert ct.LBTESTCD.terms[test] == code
    assert ct.lab_unit(test) == unit


def test_every_lab_test_of_the_bundle_is_covered():
    assert set(ct.LBTESTCD.terms) == set(LAB_TESTS)


def test_cdisc_code_lists_carry_their_nci_codes():
    # NCI EVS: C66731 Sex, C66742 No Yes Response, C65047 LB test code, C66767 Action Taken
    assert (ct.SEX.nci, ct.NY.nci, ct.LBTESTCD.nci, ct.ACN.nci) == ("C66731", "C66742", "C65047", "C66767")


def test_term_of_a_missing_code_is_empty():
    assert ct.term(ct.SEX, None) == "" and ct.term(ct.SEX, "F") == "F"
