"""SAP "Transfusions": rows on days 0…365 per patient, all data (no censoring)."""

from khetrial.endpoints.transfusions import derive_transfusion_count


def test_rows_on_days_0_to_365_are_counted_and_patients_without_rows_have_0(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,S\nP2,SP", transfusions="""
        patient_id,day,product
        P1,-1,ffp
        P1,0,ffp
        P1,0,red_cells
        P1,365,platelets
        P1,366,ffp
        """, medications="patient_id,drug,start_day,end_day\nP1,prednisolone,5,30")
    out = derive_transfusion_count(b.transfusions, b.patients)
    # P1: days 0, 0 and 365 are inside 0…365 (−1 and 366 are not) -> 3, although P1 (arm S)
    # took rescue prednisolone on day 5: transfusions use all data. P2 has no row -> 0.
    assert out.set_index("patient_id")["transfusions_m12"].to_dict() == {"P1": 3, "P2": 0}
