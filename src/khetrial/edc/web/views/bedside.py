"""At the bedside: the advice panel of the patient page and the site's dashboard.

Both read the clock here (``today`` = the server's local date) and hand it to
:mod:`khetrial.edc.web.bedside`, which reads the rows and asks :mod:`khetrial.protocol.bedside`;
the rules are the protocol's. Only
:data:`~khetrial.edc.web.bedside.BEDSIDE_ROLES` (the site's investigators) receive them: the panel
is left out of the patient page for every other role, the dashboard refuses them (403).
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from khetrial.constants import ARM_EXPERIMENTAL
from khetrial.edc.web.bedside import BEDSIDE_ROLES, bedside_advice, may_receive_advice, site_advice
from khetrial.edc.web.labels import alert_message
from khetrial.edc.web.permissions import allow
from khetrial.protocol.alerts import SEVERITY_ORDER
from khetrial.protocol.bedside import BedsideAdvice

# Page classes of the stylesheet per alert severity.
SEVERITY_CLASS = {"critical": "error", "warning": "warning", "info": ""}


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"


def _alert_rows(advice: BedsideAdvice) -> list[dict]:
    return [{"patient_id": advice.patient_id, "severity": a.severity, "code": a.code,
             "message": alert_message(a), "css": SEVERITY_CLASS.get(a.severity, "")}
            for a in advice.alerts]


def _sirolimus(advice: BedsideAdvice) -> dict:
    snap, meds = advice.snapshot, advice.medications
    return {"running": snap.on_sirolimus,
            "since": meds.sirolimus.start_date if meds.sirolimus else None,
            "dose_mg": _number(snap.sirolimus_dose_mg),
            "trough": _number(snap.trough_ng_ml), "trough_on": snap.trough_on,
            "advice": advice.titration}


def _taper(advice: BedsideAdvice) -> dict | None:
    snap, meds = advice.snapshot, advice.medications
    if snap.arm != ARM_EXPERIMENTAL:
        return None
    step = advice.taper_step
    return {"on_prednisolone": snap.on_prednisolone, "started": meds.taper_start,
            "plan": advice.taper, "step": step,
            "weeks": len(advice.taper.steps) if advice.taper else None,
            "finished": advice.taper is not None and step is None and advice.today >= advice.taper.stop}


def advice_context(advice: BedsideAdvice) -> dict:
    """What the panel template shows for one patient's advice."""
    if advice.problem or advice.follow_up_over:
        return {"today": advice.today, "problem": advice.problem, "alerts": [],
                "follow_up_over": advice.follow_up_over, "follow_up_end": advice.follow_up_end}
    return {"today": advice.today, "problem": "", "alerts": _alert_rows(advice),
            "visits": advice.open_visits, "sirolimus": _sirolimus(advice),
            "taper": _taper(advice)}


def bedside_context(request, patient) -> dict | None:
    """The panel's context for the patient page, or ``None`` for a user who may not receive it
    (every role but the site's investigators; always ``None`` for a blinded role)."""
    disclosure = getattr(request, "disclosure", None)
    if disclosure is None or not may_receive_advice(disclosure):
        return None
    return advice_context(bedside_advice(disclosure, patient, timezone.localdate()))


@allow(*BEDSIDE_ROLES)
def dashboard(request):
    """The site's open alerts and due or overdue visits, most severe first (patients whose
    follow-up is over are only counted)."""
    d = request.disclosure
    today = timezone.localdate()
    rows, problems, patients, finished = [], [], 0, 0
    for advice in site_advice(d, d.patients().order_by("patient_id"), today):
        if advice.follow_up_over:
            finished += 1
            continue
        patients += 1
        if advice.problem:
            problems.append({"patient_id": advice.patient_id, "message": advice.problem})
        rows.extend(_alert_rows(advice))
    rows.sort(key=lambda r: (SEVERITY_ORDER.index(r["severity"]), r["patient_id"]))
    counts = {s: sum(r["severity"] == s for r in rows) for s in SEVERITY_ORDER}
    return render(request, "web/dashboard.html", {
        "today": today, "site": d.site, "rows": rows, "problems": problems,
        "patient_count": patients, "finished_count": finished, "counts": counts})
