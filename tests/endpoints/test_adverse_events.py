"""SAP "Adverse events": onset on days 0…(last sirolimus end + 30); no upper limit while a
sirolimus course is ongoing."""

from khetrial.endpoints.adverse_events import derive_ae_counts, derive_ae_terms, derive_treatment_emergent_aes


def test_window_uses_the_latest_sirolimus_end_and_ongoing_courses(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S", medications="""
        patient_id,drug,start_day,end_day
        P1,sirolimus,0,60
        P1,sirolimus,61,100
        P1,prednisolone,0,300
        P2,sirolimus,0,100
        P2,sirolimus,101,
        """, adverse_events="""
        patient_id,onset_day,term,grade
        P1,-1,fever,1
        P1,0,fever,2
        P1,130,mucositis_oral,3
        P1,131,nausea,1
        P2,700,pneumonia,4
        P3,30,fever,1
        P3,31,fever,1
        """)
    events = derive_treatment_emergent_aes(b.adverse_events, b.medications, b.patients)
    counts = derive_ae_counts(events, b.patients).set_index("patient_id")
    # P1: last sirolimus end = day 100 (the later course; prednisolone does not count), window
    # 0…130: days 0 and 130 count, −1 and 131 do not -> 2 events, 1 of grade ≥ 3.
    # P2: the second course is ongoing -> no upper limit: day 700 counts (grade 4).
    # P3: no sirolimus course on record -> treated on day 0 only, window 0…30: 1 event.
    assert counts["ae_events"].to_dict() == {"P1": 2, "P2": 1, "P3": 1}
    assert counts["ae_grade3plus_events"].to_dict() == {"P1": 1, "P2": 1, "P3": 0}
    terms = derive_ae_terms(events)
    assert terms.values.tolist() == [["P1", "fever", 1, 0], ["P1", "mucositis_oral", 1, 1],
                                     ["P2", "pneumonia", 1, 1], ["P3", "fever", 1, 0]]
