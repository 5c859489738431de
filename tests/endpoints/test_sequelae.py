"""SAP "Disease sequelae at month 24": any row on days 670…790 with present = 1."""

from khetrial.endpoints.sequelae import derive_sequelae


def test_sequelae_window_and_assessed(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,S\nP2,SP\nP3,S\nP4,SP\nP5,S", sequelae="""
        patient_id,day,sequela,present
        P1,670,lymphedema,1
        P2,669,lymphedema,1
        P3,790,scoliosis,0
        P3,790,chronic_pain,1
        P4,730,decreased_rom,0
        P5,730,lymphedema,
        """)
    out = derive_sequelae(b.sequelae, b.patients).set_index("patient_id")
    # P1: day 670 (first day of the window), present -> sequelae. P2: day 669 is outside ->
    # none, not assessed. P3: day 790 (last day) with one present -> sequelae. P4: assessed,
    # nothing present. P5: an empty `present` is no assessment -> none, not assessed.
    assert out["sequelae_m24"].to_dict() == {"P1": 1, "P2": 0, "P3": 1, "P4": 0, "P5": 0}
    assert out["sequelae_assessed_m24"].to_dict() == {"P1": 1, "P2": 0, "P3": 1, "P4": 1, "P5": 0}
