"""SAP "Discontinuation for lack of efficacy"."""

from khetrial.endpoints.disposition import derive_lack_of_efficacy


def test_only_a_discontinued_row_with_reason_lack_of_efficacy_counts(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,S\nP2,SP\nP3,S\nP4,SP", disposition="""
        patient_id,day,status,reason
        P1,60,discontinued,lack_of_efficacy
        P2,90,discontinued,toxicity
        P3,730,completed,
        """)
    out = derive_lack_of_efficacy(b.disposition, b.patients).set_index("patient_id")
    assert out["discontinued_lack_of_efficacy"].to_dict() == {"P1": 1, "P2": 0, "P3": 0, "P4": 0}
    assert out["discontinued"].to_dict() == {"P1": 1, "P2": 1, "P3": 0, "P4": 0}
