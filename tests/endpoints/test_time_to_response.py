"""Time to durable platelet response (first day of the first durable run), worked by hand."""


from khetrial.endpoints.censoring import derive_censoring
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.time_to_response import derive_time_to_response


def test_event_on_the_first_day_of_the_durable_run_else_censored_at_the_last_count(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S\nP4,SP", labs="""
        patient_id,day,test,value
        P1,0,platelets,20
        P1,6,platelets,110
        P1,20,platelets,150
        P1,34,platelets,160
        P2,0,platelets,30
        P2,10,platelets,120
        P2,24,platelets,130
        P3,0,platelets,10
        P3,14,platelets,50
        P3,40,platelets,140
        P3,54,platelets,150
        P3,68,platelets,160
        """, medications="""
        patient_id,drug,start_day,end_day
        P3,prednisolone,50,60
        """)
    patients = b.patients
    censoring = derive_censoring(patients, b.medications, b.disposition)
    out = derive_time_to_response(derive_lab_measurements(b.labs, patients, "platelets"),
                                  patients, censoring).set_index("patient_id")
    # P1: run 6, 20, 34 (gaps 14, 14; 34 − 6 = 28 ≥ 28): event on day 6.
    assert out.loc["P1", ["time", "event"]].tolist() == [6.0, 1]
    # P2: run 10–24 lasts 14 days only: censored at its last count, day 24.
    assert out.loc["P2", ["time", "event"]].tolist() == [24.0, 0]
    # P3 (arm S): rescue prednisolone on day 50 censors; before it the counts on 40 alone:
    # no durable run; censored at day 40, the last count before the censoring day.
    assert out.loc["P3", ["time", "event"]].tolist() == [40.0, 0]
    # P4: no count at all: censored on day 0.
    assert out.loc["P4", ["time", "event"]].tolist() == [0.0, 0]
    assert out["arm"].tolist() == ["SP", "S", "S", "SP"]
