"""SDTM domains of a bundle (khetrial.standards.sdtm, sdtm_findings): hand-made bundles."""

from __future__ import annotations

import pandas as pd
import pytest

from khetrial.bundle import Bundle
from khetrial.standards import metadata as md
from khetrial.standards._common import compute_sdtm_day
from khetrial.standards.sdtm import derive_sdtm
from khetrial.standards.sdtm_findings import compute_qs_testcd


def small_bundle() -> Bundle:
    patients = pd.DataFrame({
        "patient_id": ["P1", "P2"], "site_id": ["C1", "C2"], "sex": ["F", "M"],
        "birth_date": pd.to_datetime(["2019-01-01", "2019-06-01"]),
        "randomization_date": pd.to_datetime(["2020-01-01", "2020-03-01"]),
        "arm": ["SP", "S"], "weight_kg": [8.0, 9.5], "height_cm": [70.0, 72.0],
        "lesion_depth": ["deep", "mixed"], "lesion_site": ["trunk", "head_neck"],
        "kmp_onset_date": pd.to_datetime(["2019-12-01", None]), "biopsy": [1, 0]})
    labs = pd.DataFrame({"patient_id": ["P1", "P1", "P2"], "test": ["platelets", "fibrinogen", "platelets"],
                         "date": pd.to_datetime(["2019-12-31", "2020-01-08", "2020-03-01"]),
                         "value": [12.0, 1.25, 150.0]})
    medications = pd.DataFrame({
        "patient_id": ["P1", "P1", "P2"], "drug": ["sirolimus", "tmp_smx", "sirolimus"],
        "start_date": pd.to_datetime(["2020-01-01", "2019-12-20", "2020-03-01"]),
        "end_date": pd.to_datetime(["2020-06-30", None, None]), "dose": [0.8, 10.0, 0.8],
        "dose_unit": ["mg_m2", "mg_kg", "mg_m2"], "frequency": ["bid", "tiw_bid", "bid"]})
    qol = pd.DataFrame({"patient_id": ["P1", "P1"], "date": pd.to_datetime(["2020-01-01"] * 2),
                        "instrument": ["infant_1_12"] * 2, "scale": ["physical"] * 2,
                        "item": ["pf_01", "pf_02"], "response": pd.array([2, None], dtype="Int64")})
    return Bundle.from_tables(patients=patients, labs=labs, medications=medications, qol=qol)


@pytest.fixture(scope="module")
def sdtm():
    return derive_sdtm(small_bundle())


def test_sdtm_study_day_has_no_day_zero():
    # SDTMIG 3.2 §4.4.4: --DY = date − RFSTDTC + 1 on or after RFSTDTC, date − RFSTDTC before
    days = compute_sdtm_day(pd.to_datetime(["2020-01-01", "2020-01-08", "2019-12-31"]),
                            pd.to_datetime(["2020-01-01"] * 3))
    assert days.tolist() == [1, 8, -1]


def test_every_domain_has_exactly_its_metadata_variables(sdtm):
    for dataset in md.SDTM_DATASETS:
        assert list(sdtm[dataset.name].columns) == dataset.columns, dataset.name


def test_dm_one_record_per_patient_with_age_in_months(sdtm):
    dm = sdtm["DM"]
    assert dm["USUBJID"].tolist() == ["NCT03188068-P1", "NCT03188068-P2"]
    # hand: 2019-01-01 → 2020-01-01 = 365 days / 30.4375 = 11.99 → 11 whole months;
    # 2019-06-01 → 2020-03-01 = 274 days → 9.0 → 9
    assert dm["AGE"].tolist() == [11, 9]
    assert dm["ARM"].tolist() == ["Sirolimus + prednisolone", "Sirolimus"]
    assert dm["RFENDTC"].tolist() == ["2020-06-30", ""]  # P2's sirolimus is ongoing


def test_lb_in_standard_units_with_cdisc_test_codes(sdtm):
    lb = sdtm["LB"]
    assert lb[["LBTESTCD", "LBSTRESN", "LBSTRESU", "LBDY"]].values.tolist() == [
        ["PLAT", 12.0, "10^9/L", -1], ["FIBRINO", 1.25, "g/L", 8], ["PLAT", 150.0, "10^9/L", 1]]
    assert lb["LBSEQ"].tolist() == [1, 2, 1]


def test_study_treatments_go_to_ex_and_other_medications_to_cm(sdtm):
    assert sdtm["EX"]["EXTRT"].tolist() == ["SIROLIMUS", "SIROLIMUS"]
    cm = sdtm["CM"]
    assert cm[["CMTRT", "CMDOSFRQ", "CMSTRF", "CMSTDY"]].values.tolist() == [
        ["SULFAMETHOXAZOLE/TRIMETHOPRIM", "BID 3 TIMES PER WEEK", "BEFORE", -12]]


def test_unanswered_questionnaire_item_is_not_done(sdtm):
    qs = sdtm["QS"]
    assert qs["QSTESTCD"].tolist() == ["PF01", "PF02"]
    assert qs["QSORRES"].tolist() == ["2", ""] and qs["QSSTAT"].tolist() == ["", "NOT DONE"]


def test_suppdm_keeps_lesion_and_baseline_body_size(sdtm):
    supp = sdtm["SUPPDM"]
    p1 = dict(supp.loc[supp["USUBJID"] == "NCT03188068-P1", ["QNAM", "QVAL"]].values.tolist())
    assert p1 == {"LESDEPTH": "DEEP", "LESSITE": "TRUNK", "BIOPSY": "Y", "KMPDTC": "2019-12-01",
                  "WEIGHT": "8", "HEIGHT": "70"}


def test_ds_has_the_randomization_milestone(sdtm):
    assert sdtm["DS"]["DSDECOD"].tolist() == ["RANDOMIZED", "RANDOMIZED"]


def test_qs_test_codes_fit_8_characters():
    assert compute_qs_testcd(["a_very_long_item_id", "9a"]).tolist() == ["AVERYLON", "Q9A"]


def test_demo_sdtm_rows_match_the_bundle(demo_bundle, demo_sdtm):
    counts = demo_bundle.counts()
    assert len(demo_sdtm["DM"]) == counts["patients"]
    assert len(demo_sdtm["LB"]) == counts["labs"]
    assert len(demo_sdtm["AE"]) == counts["adverse_events"]
    assert len(demo_sdtm["QS"]) == counts["qol"]
    assert len(demo_sdtm["PR"]) == counts["transfusions"]
    assert set(demo_sdtm["AE"]["AETOXGR"]) <= {"1", "2", "3", "4", "5"}  # CTCAE v4.0 grades


def test_vs_holds_the_baseline_then_every_later_body_size():
    body_size = pd.DataFrame({"patient_id": ["P1"], "date": pd.to_datetime(["2020-02-15"]),
                              "weight_kg": [8.6], "height_cm": [72.5]})
    vs = derive_sdtm(small_bundle().replace(body_size=body_size))["VS"]
    p1 = vs[vs["USUBJID"] == "NCT03188068-P1"]
    # baseline on the randomization date 2020-01-01 (day 1); 2020-02-15 is 45 days later: day 46
    # (SDTM: no day 0); WEIGHT (C66741) in kg, HEIGHT in cm
    assert p1[["VSSEQ", "VSTESTCD", "VSORRES", "VSORRESU", "VSDTC", "VSDY"]].values.tolist() == [
        [1, "WEIGHT", "8", "kg", "2020-01-01", 1], [2, "HEIGHT", "70", "cm", "2020-01-01", 1],
        [3, "WEIGHT", "8.6", "kg", "2020-02-15", 46], [4, "HEIGHT", "72.5", "cm", "2020-02-15", 46]]
    assert len(vs) == 2 * 2 + 2  # two patients' baselines, one later measurement


def test_demo_vs_has_two_records_per_measurement(demo_bundle, demo_sdtm):
    counts = demo_bundle.counts()
    assert len(demo_sdtm["VS"]) == 2 * (counts["patients"] + counts["body_size"])
