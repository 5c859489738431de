"""The truth beside the record: endpoints derived from the complete true course, compared per
patient and endpoint with those derived from what the sites recorded.

The true bundle is the recorded one (patients, screening, treatment as given: the same
censoring) with the measurements replaced by the complete true course: platelets and
fibrinogen on every day from −14 to 790, the MRI volume on days 0, 182, 365 and 730, the
parents' questionnaires on days 0 and 365 and the sequelae on day 730. For the lesion, PedsQL
and sequelae endpoints these days are what daily data would give: the plan takes the value
closest to day 0, 365 or 730, which is the value of that day.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from khetrial.sap.plan import binary_result
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, ARMS, PRIMARY_WEEK
from khetrial.endpoints.adsl import BINARY_ENDPOINTS, derive_adsl
from khetrial.protocol.pedsql import items
from khetrial.virtual import parameters as V
from khetrial.virtual.course import SEQUELA_CODES, lesion_volume_ml

PRIMARY = f"durable_platelet_response_wk{PRIMARY_WEEK}"
TRUE_MRI_DAYS = (0, 182, 365, 730)
SEQUELAE_DAY = 730
# Pub.: "35 of 37 patients given sirolimus and prednisolone compared with 24 of 36"
PUBLISHED_PRIMARY_DIFFERENCE = 35 / 37 - 24 / 36


def true_tables(enrolled) -> dict[str, pd.DataFrame]:
    """labs, mri, qol and sequelae of the complete true course of every randomized child."""
    labs, mri, qol, sequelae = [], [], [], []
    days = np.arange(V.FIRST_DAY, V.LAST_DAY + 1)
    for e in enrolled:
        dates = [(e.day0 + timedelta(int(d))).isoformat() for d in days]
        for test, values in (("platelets", e.course.platelets), ("fibrinogen", e.course.fibrinogen)):
            labs.append(pd.DataFrame({"patient_id": e.patient_id, "date": dates, "test": test,
                                      "value": values.astype(float)}))
        mri += [(e.patient_id, (e.day0 + timedelta(d)).isoformat(), lesion_volume_ml(e.course, d))
                for d in TRUE_MRI_DAYS]
        for day, (form, answers) in sorted(e.course.qol.items()):
            when = (e.day0 + timedelta(day)).isoformat()
            qol += [(e.patient_id, when, form, scale, item, answer)
                    for (scale, item), answer in zip(items(form), answers)]
        when = (e.day0 + timedelta(SEQUELAE_DAY)).isoformat()
        sequelae += [(e.patient_id, when, code, int(code in e.course.sequelae))
                     for code in SEQUELA_CODES]
    return {"labs": pd.concat(labs, ignore_index=True),
            "mri": pd.DataFrame(mri, columns=["patient_id", "date", "lesion_volume_ml"]),
            "qol": pd.DataFrame(qol, columns=["patient_id", "date", "instrument", "scale", "item",
                                              "response"]),
            "sequelae": pd.DataFrame(sequelae, columns=["patient_id", "date", "sequela", "present"])}


def true_bundle(recorded, enrolled):
    """The recorded bundle with its measurements replaced by the complete true course."""
    return recorded.replace(**true_tables(enrolled))


def compare(recorded_adsl: pd.DataFrame, true_adsl: pd.DataFrame) -> dict:
    """Per endpoint: patients, agreement (fraction of patients with the same flag), events per
    arm in the record and in truth, responders lost (true 1, recorded 0) and gained (true 0,
    recorded 1); per patient: both flags of every endpoint; the primary difference both ways."""
    merged = true_adsl.set_index("patient_id").join(recorded_adsl.set_index("patient_id"),
                                                    rsuffix="_recorded")
    endpoints = {}
    for endpoint in BINARY_ENDPOINTS:
        truth = merged[endpoint].astype(int)
        record = merged[f"{endpoint}_recorded"].astype(int)
        endpoints[endpoint] = {
            "patients": int(len(merged)), "agreement": float((truth == record).mean()),
            "true_events": {arm: int(truth[merged["arm"] == arm].sum()) for arm in ARMS},
            "recorded_events": {arm: int(record[merged["arm"] == arm].sum()) for arm in ARMS},
            "lost": int(((truth == 1) & (record == 0)).sum()),
            "gained": int(((truth == 0) & (record == 1)).sum())}
    n = {arm: int((merged["arm"] == arm).sum()) for arm in ARMS}
    primary = {}
    for name, adsl in (("recorded", recorded_adsl), ("true", true_adsl)):
        if all(n.values()):
            r = binary_result(adsl, PRIMARY, n).to_dict()
            primary[name] = {"difference": r["difference"], "ci95": r["ci95"],
                             ARM_EXPERIMENTAL: r[ARM_EXPERIMENTAL], ARM_CONTROL: r[ARM_CONTROL]}
    primary["publication"] = {"difference": PUBLISHED_PRIMARY_DIFFERENCE}
    per_patient = [{"patient_id": str(pid), "arm": str(row["arm"]),
                    **{ep: {"true": int(row[ep]), "recorded": int(row[f"{ep}_recorded"])}
                       for ep in BINARY_ENDPOINTS}}
                   for pid, row in merged.iterrows()]
    return {"n": n, "endpoints": endpoints, "primary": primary, "per_patient": per_patient}


def agreement(recorded, enrolled) -> tuple[dict, object]:
    """Derive the endpoints on the recorded bundle and on the true one and compare them;
    returns the comparison and the true bundle."""
    truth = true_bundle(recorded, enrolled)
    return compare(derive_adsl(recorded), derive_adsl(truth)), truth
