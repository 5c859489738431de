"""ADaM datasets equal the analysis (results.json) for the demo, publication-matched bundle."""

from __future__ import annotations

import pytest

from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, ARM_LABELS, ARMS
from khetrial.standards.adam_metadata import ADSL_NAMES, RESPONSE_PARAMETERS
from khetrial.standards.plan import BINARY_ENDPOINTS, analyse


@pytest.fixture(scope="module")
def results(demo_bundle):
    """The results.json object of the demo bundle."""
    return analyse(demo_bundle).to_dict()


def responders(adrs, endpoint: str, arm: str) -> tuple[int, int]:
    paramcd, _param, visit, _n = RESPONSE_PARAMETERS[endpoint]
    rows = adrs[(adrs["PARAMCD"] == paramcd) & (adrs["AVISIT"] == visit) & (adrs["TRTPCD"] == arm)]
    return int((rows["AVALC"] == "Y").sum()), len(rows)


def test_primary_endpoint_counts_are_the_publications(demo_adam):
    # Pub.: "a durable platelet response was achieved by 35 of 37 patients given sirolimus and
    # prednisolone compared with 24 of 36 patients given sirolimus monotherapy"
    adrs = demo_adam["ADRS"]
    assert responders(adrs, "durable_platelet_response_wk4", ARM_EXPERIMENTAL) == (35, 37)
    assert responders(adrs, "durable_platelet_response_wk4", ARM_CONTROL) == (24, 36)


@pytest.mark.parametrize("endpoint", BINARY_ENDPOINTS)
def test_adrs_counts_and_differences_equal_results_json(endpoint, demo_adam, results):
    expected = results["binary"][endpoint]
    got = {arm: responders(demo_adam["ADRS"], endpoint, arm) for arm in ARMS}
    for arm in ARMS:
        assert got[arm] == (expected[arm]["events"], expected[arm]["n"])
    (e1, n1), (e0, n0) = got[ARM_EXPERIMENTAL], got[ARM_CONTROL]
    assert e1 / n1 - e0 / n0 == pytest.approx(expected["difference"], abs=1e-12)


@pytest.mark.parametrize("endpoint", BINARY_ENDPOINTS)
def test_adsl_flags_equal_results_json(endpoint, demo_adam, results):
    adsl = demo_adam["ADSL"]
    flag = ADSL_NAMES[endpoint][0]
    for arm in ARMS:
        rows = adsl[adsl["TRT01P"] == ARM_LABELS[arm]]
        expected = results["binary"][endpoint][arm]
        assert (int((rows[flag] == "Y").sum()), len(rows)) == (expected["events"], expected["n"])


def test_adae_treatment_emergent_counts_equal_results_json(demo_adam, results):
    adae = demo_adam["ADAE"]
    emergent = adae[adae["TRTEMFL"] == "Y"]
    for arm in ARMS:
        rows = emergent[emergent["TRTPCD"] == arm]
        assert len(rows) == results["adverse_events"][arm]["events"]
        assert int((rows["AESEVFL"] == "Y").sum()) == results["adverse_events"][arm]["grade3plus_events"]
        assert rows["USUBJID"].nunique() == results["adverse_events"][arm]["patients"]


def test_adtte_event_by_day_28_is_the_week_4_response(demo_adam, results):
    # SAP: responder at week k when the first durable day ≤ 7k (week 4: day 28)
    tte = demo_adam["ADTTE"]
    tte = tte[tte["PARAMCD"] == "TTDPR"]
    for arm in ARMS:
        rows = tte[tte["TRTPCD"] == arm]
        events = int(((rows["CNSR"] == 0) & (rows["AVAL"] <= 28)).sum())
        assert events == results["binary"]["durable_platelet_response_wk4"][arm]["events"]


def test_adlb_week_values_give_the_weekly_platelet_medians(demo_adam, results):
    adlb = demo_adam["ADLB"]
    chosen = adlb[(adlb["PARAMCD"] == "PLAT") & (adlb["ANL01FL"] == "Y") & (adlb["AVISITN"] > 0)]
    for week in ("1", "2", "3", "4"):
        for arm in ARMS:
            values = chosen.loc[(chosen["AVISITN"] == int(week)) & (chosen["TRTPCD"] == arm), "AVAL"]
            expected = results["platelets_weekly"][week][arm]
            assert len(values) == expected["n"]
            assert values.median() == pytest.approx(expected["median"])


def test_adlb_change_is_value_minus_baseline(demo_adam):
    adlb = demo_adam["ADLB"]
    rows = adlb[adlb["BASE"].notna()]
    assert ((rows["AVAL"] - rows["BASE"]) - rows["CHG"]).abs().max() == 0
    assert (adlb.loc[adlb["ABLFL"] == "Y", "CHG"] == 0).all()
