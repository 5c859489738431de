"""The per-patient analysis dataset: the SAP's columns, in its order, after censoring."""

from khetrial.bundle import read_bundle
from khetrial.endpoints.adsl import derive_adsl

# SAP "Machine-readable results": "adsl.csv ... has the columns patient_id, arm, censoring_day
# (empty when none), one 0/1 column per binary endpoint id above, lesion_category_m12,
# qol_total_baseline, qol_total_m12, transfusions_m12" (ids from the "Binary endpoints" table).
PLAN_COLUMNS = [
    "patient_id", "arm", "censoring_day",
    "durable_platelet_response_wk1", "durable_platelet_response_wk2",
    "durable_platelet_response_wk3", "durable_platelet_response_wk4",
    "fibrinogen_stabilization_wk4", "lesion_overall_response_m12", "lesion_good_response_m12",
    "qol_improvement_m12", "kmp_rebound", "sequelae_m24", "discontinued_lack_of_efficacy",
    "lesion_category_m12", "qol_total_baseline", "qol_total_m12", "transfusions_m12",
]


def test_adsl_starts_with_exactly_the_plan_columns_one_row_per_patient(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    adsl = derive_adsl(bundle)
    assert list(adsl.columns[:len(PLAN_COLUMNS)]) == PLAN_COLUMNS
    assert adsl["patient_id"].tolist() == bundle.patients["patient_id"].tolist()
    binary = PLAN_COLUMNS[3:14]
    assert set(adsl[binary].stack().unique()) <= {0, 1}


def test_censored_month12_values_are_empty_or_not_evaluable(make_bundle):
    # P1 (arm S) takes rescue prednisolone on day 100: censored on day 100. Its month-12 MRI
    # and questionnaire come after that -> not_evaluable and an empty qol_total_m12; the
    # day-200 transfusion still counts (all data).
    b = make_bundle(
        patients="patient_id,arm\nP1,S\nP2,SP",
        medications="patient_id,drug,start_day,end_day\nP1,sirolimus,0,\nP1,prednisolone,100,130\nP2,sirolimus,0,",
        mri="patient_id,day,lesion_volume_ml\nP1,-3,10\nP1,365,1\nP2,-3,10\nP2,365,1",
        qol="patient_id,day,instrument,scale,item,response\nP1,-3,generic_core_2_4,physical,i1,2\nP1,365,generic_core_2_4,physical,i1,0",
        transfusions="patient_id,day,product\nP1,200,ffp",
    )
    row = derive_adsl(b).set_index("patient_id").loc["P1"]
    assert row["censoring_day"] == 100 and row["censoring_reason"] == "rescue_prednisolone"
    assert row["lesion_category_m12"] == "not_evaluable"
    assert row["qol_total_baseline"] == 50.0 and str(row["qol_total_m12"]) == "nan"
    assert row["transfusions_m12"] == 1
    # P2 is uncensored: 10 -> 1 mL is −90 % -> nearly_complete; censoring_day empty.
    p2 = derive_adsl(b).set_index("patient_id").loc["P2"]
    assert p2["lesion_category_m12"] == "nearly_complete" and str(p2["censoring_day"]) == "<NA>"


def test_the_whole_analysis_leaves_every_input_table_as_it_was(example_bundle_dir):
    # Style: derivations "never mutate or re-sort their input". The tables are put in reverse
    # row order first, so a derivation that sorted in place would show up as a changed order.
    import numpy as np
    import pandas as pd

    from khetrial.sap import analyse
    from khetrial.bundle import Bundle

    bundle = read_bundle(example_bundle_dir)
    reversed_tables = {name: table.iloc[::-1].reset_index(drop=True)
                       for name, table in bundle.tables.items()}
    shuffled = Bundle.from_tables(**reversed_tables)
    before = {name: table.copy(deep=True) for name, table in shuffled.tables.items()}
    derive_adsl(shuffled)
    analyse(shuffled)
    for name, table in shuffled.tables.items():
        pd.testing.assert_frame_equal(table, before[name], obj=name)
        assert np.array_equal(table.index, before[name].index)
