"""Transfusions (Pub. "Study intervention": FFP/cryoprecipitate for "(1) active bleeding; (2)
platelet count <10 × 10⁹/L; and/or (3) fibrinogen <0.5 g/L"; red cells for "symptomatic anemia
and/or hemoglobin concentrations <60 g/L")."""

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.supportive_care import PLASMA, RED_CELLS, transfusion_advice


def products(**values):
    return [a.product for a in transfusion_advice(**values)]


@pytest.mark.parametrize("platelets, expected", [(10, []), (9.9, [PLASMA]), (None, [])])
def test_plasma_for_platelets_below_10(platelets, expected):
    assert products(platelets=platelets) == expected


@pytest.mark.parametrize("fibrinogen, expected", [(0.5, []), (0.49, [PLASMA])])
def test_plasma_for_fibrinogen_below_0_5(fibrinogen, expected):
    assert products(fibrinogen=fibrinogen) == expected


def test_plasma_for_active_bleeding():
    assert products(active_bleeding=True, platelets=80, fibrinogen=1.2) == [PLASMA]


@pytest.mark.parametrize("hemoglobin, expected", [(60, []), (59.9, [RED_CELLS])])
def test_red_cells_for_hemoglobin_below_60(hemoglobin, expected):
    assert products(hemoglobin=hemoglobin) == expected


def test_red_cells_for_symptomatic_anemia():
    assert products(symptomatic_anemia=True, hemoglobin=90) == [RED_CELLS]


def test_every_reason_is_listed():
    (plasma, red) = transfusion_advice(active_bleeding=True, platelets=5, fibrinogen=0.3, hemoglobin=50,
                                       symptomatic_anemia=True)
    assert len(plasma.reasons) == 3 and plasma.reasons[1].startswith("(2) platelet count 5")
    assert red.reasons == ("symptomatic anemia", "hemoglobin 50 <60 g/L")


def test_nothing_indicated_means_no_advice():
    assert transfusion_advice(platelets=50, fibrinogen=1.0, hemoglobin=100) == ()


@pytest.mark.parametrize("values", [{"platelets": -1}, {"active_bleeding": "yes"}, {"hemoglobin": "low"}])
def test_invalid_input_is_refused(values):
    with pytest.raises(ProtocolError, match="got"):
        transfusion_advice(**values)
