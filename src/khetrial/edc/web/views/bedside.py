"""At the bedside: the advice panel of the patient page and the site's dashboard.

Both read the clock here (``today`` = the edit checks' date, :func:`~khetrial.edc.trial.records.edc_today`:
the server's local date unless ``KHETRIAL_TODAY`` fixes it) and hand it to
:mod:`khetrial.edc.web.bedside`, which reads the rows and asks :mod:`khetrial.protocol.bedside`;
the rules are the protocol's. Only
:data:`~khetrial.edc.web.bedside.BEDSIDE_ROLES` (the site's investigators) receive them: the panel
is left out of the patient page for every other role, the dashboard refuses them (403).

Every advice line carries the sources of its rules as the reader sees them
(:data:`SOURCE_LABELS`: publication, drug label, project choice); the clinician checks the core
lists (:class:`~khetrial.protocol.bedside.ClinicianCheck`) are worded here, translatable.
"""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from khetrial import constants as C
from khetrial.edc.trial.records import edc_today
from khetrial.edc.web.bedside import (BEDSIDE_ROLES, bedside_advice, finished_count, followed_patients,
                                      may_receive_advice, site_entries)
from khetrial.edc.web.labels import alert_message
from khetrial.edc.web.permissions import allow
from khetrial.edc.web.worklist import first_rows
from khetrial.protocol.alerts import SEVERITY_ORDER
from khetrial.protocol.bedside import BedsideAdvice, alert_sources
from khetrial.protocol.dosing import LABEL, PROJECT_CHOICE, PUBLICATION
from khetrial.protocol.prednisolone import TAPER_SOURCE, TRIGGER_SOURCE

# Page classes of the stylesheet per alert severity.
SEVERITY_CLASS = {"critical": "error", "warning": "warning", "info": ""}
# A rule's source as the user reads it.
SOURCE_LABELS = {PUBLICATION: gettext_lazy("publication"), LABEL: gettext_lazy("drug label"),
                 PROJECT_CHOICE: gettext_lazy("project choice")}


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"


def _sources(*sources: str) -> list[dict]:
    """Each source once, in order, as the template's source labels."""
    return [{"code": s.replace(" ", "-"), "label": SOURCE_LABELS[s]} for s in dict.fromkeys(sources)]


def _sources_html(sources: list[dict], shown: dict) -> str:
    """``sources`` as the page shows them (``web/bedside_sources.html``), rendered once per
    distinct list and language in ``shown`` (a page of a thousand alerts has a handful)."""
    key = (get_language(), tuple(s["code"] for s in sources))
    if key not in shown:
        shown[key] = mark_safe(render_to_string("web/bedside_sources.html", {"sources": sources}))
    return shown[key]


def _alert_rows(advice) -> list[dict]:
    """The alert rows of ``advice`` (a :class:`BedsideAdvice` or a cached
    :class:`~khetrial.edc.web.bedside.SiteEntry`)."""
    return [{"patient_id": advice.patient_id, "severity": a.severity, "code": a.code,
             "message": alert_message(a), "css": SEVERITY_CLASS.get(a.severity, ""),
             "sources": _sources(*alert_sources(a))}
            for a in advice.alerts]


def _sirolimus(advice: BedsideAdvice) -> dict:
    snap, meds = advice.snapshot, advice.medications
    course = meds.sirolimus
    converted = course is not None and course.dose_unit in ("mg_m2", "mg_kg")
    titration = advice.titration
    return {"running": snap.on_sirolimus, "since": course.start_date if course else None,
            "dose_mg": _number(snap.sirolimus_dose_mg),
            "recorded": f"{_number(course.dose)} {course.dose_unit.replace('_', '/')}" if converted else "",
            "trough": _number(snap.trough_ng_ml), "trough_on": snap.trough_on, "advice": titration,
            "advice_sources": _sources(*(r.source for r in titration.rules)) if titration else []}


def _starting(advice: BedsideAdvice) -> dict | None:
    """The starting doses right after randomization (no sirolimus course recorded yet)."""
    start = advice.starting
    if start is None:
        return None
    dose = start.sirolimus
    prednisolone = advice.prednisolone if not advice.prednisolone_started else None
    return {"sirolimus_mg": dose.mg, "sirolimus_ml": dose.ml, "solution": _number(dose.solution_mg_per_ml),
            "step_ml": dose.syringe_step_ml, "mg_m2": _number(C.SIROLIMUS_START_DOSE_MG_M2),
            "sirolimus_sources": _sources(PUBLICATION, PROJECT_CHOICE),
            "prednisolone": prednisolone}


def _prednisolone(advice: BedsideAdvice) -> dict | None:
    """Arm SP only (``advice.prednisolone`` is ``None`` for arm S or an arm the reader may not see)."""
    dose = advice.prednisolone
    if dose is None:
        return None
    step = advice.taper_step
    plan = advice.taper
    return {"dose": dose, "started": advice.prednisolone_started, "mg_kg": C.PREDNISOLONE_DOSE_MG_KG,
            "cap": C.PREDNISOLONE_MAX_MG_DAY, "dose_sources": _sources(PUBLICATION, PROJECT_CHOICE),
            "on_prednisolone": advice.snapshot.on_prednisolone, "plan": plan, "step": step,
            "weeks": len(plan.steps) if plan else None,
            "finished": plan is not None and step is None and advice.today >= plan.stop,
            "taper_sources": _sources(TAPER_SOURCE), "trigger_sources": _sources(TRIGGER_SOURCE)}


def _tmp_smx(advice: BedsideAdvice) -> dict | None:
    dose = advice.tmp_smx
    if dose is None:
        return None
    return {"dose": dose, "until": advice.prophylaxis_until, "on": advice.snapshot.on_tmp_smx,
            "mg_kg": C.TMP_SMX_DOSE_MG_KG, "tmp_max": C.TMP_MAX_MG_PER_DOSE, "smx_max": C.SMX_MAX_MG_PER_DOSE,
            "dose_sources": _sources(PUBLICATION, PROJECT_CHOICE, LABEL),
            "reading_sources": _sources(PROJECT_CHOICE, LABEL)}


def _blood_count(advice) -> dict | None:
    due = advice.blood_count
    if due is None:
        return None
    return {"due": due.due, "overdue": due.is_overdue(advice.today), "stabilized_on": due.stabilized_on,
            "keeps_run_until": due.keeps_run_until, "reason": due.reason,
            # Pub. "every 2 days until the stabilization"; stabilization read as the SAP's durable run
            "sources": _sources(PUBLICATION, PROJECT_CHOICE)}


def _body(advice: BedsideAdvice) -> dict | None:
    body = advice.body_size
    if body is None:
        return None
    days = advice.body_size_age_days
    return {"weight_kg": _number(body.weight_kg), "weight_on": body.weight_on,
            "height_cm": _number(body.height_cm) if body.height_cm is not None else "",
            "height_on": body.height_on, "bsa_m2": advice.bsa_m2, "age_days": days,
            "stale": advice.body_size_stale, "sources": _sources(PROJECT_CHOICE)}


def _check_text(code: str, days: int | None, age_months: int | None, uncapped_mg) -> str:
    """What a clinician is asked to check, in the reader's language, with the numbers it
    quotes: the body size's age in ``days``, the child's ``age_months``, prednisolone's
    ``uncapped_mg`` a day."""
    if code == "body_size_stale":
        return _("Weight and height were measured %(days)s days ago (more than %(limit)s days): re-measure "
                 "them and check every dose computed from them with a clinician.") % {
            "days": days, "limit": C.BODY_SIZE_MAX_AGE_DAYS}
    if code == "sirolimus_hold":
        return _("The trough is above %(limit)s ng/mL: sirolimus is held — check the hold and the restart "
                 "dose with a clinician.") % {"limit": C.SIROLIMUS_HOLD_ABOVE_NG_ML}
    if code == "sirolimus_max":
        return _("The new sirolimus dose reached the label's maximum of %(max)s mg a day: check with a "
                 "clinician.") % {"max": C.SIROLIMUS_MAX_MG_DAY}
    if code == "prednisolone_capped":
        return _("2 mg/kg would be %(full)s mg a day; the dose is capped at %(cap)s mg a day: check with a "
                 "clinician.") % {"full": uncapped_mg, "cap": C.PREDNISOLONE_MAX_MG_DAY}
    if code == "tmp_smx_capped":
        return _("10 mg/kg would exceed the label's maximum per dose (trimethoprim %(tmp)s mg, "
                 "sulfamethoxazole %(smx)s mg): the dose is capped; check with a clinician.") % {
            "tmp": C.TMP_MAX_MG_PER_DOSE, "smx": C.SMX_MAX_MG_PER_DOSE}
    return ngettext("Age %(age)s month: the label contraindicates sulfonamides below %(min)s months of age "
                    "(kernicterus risk) — check PJP prophylaxis with a clinician and the site pharmacist before "
                    "giving it.",
                    "Age %(age)s months: the label contraindicates sulfonamides below %(min)s months of age "
                    "(kernicterus risk) — check PJP prophylaxis with a clinician and the site pharmacist before "
                    "giving it.", age_months) % {"age": age_months, "min": C.TMP_SMX_MIN_AGE_MONTHS}


def advice_context(advice: BedsideAdvice) -> dict:
    """What the panel template shows for one patient's advice: every advice line with the
    sources of its rules, the body size it uses (with its dates) and the clinician checks."""
    if advice.problem or advice.follow_up_over:
        return {"today": advice.today, "problem": advice.problem, "alerts": [],
                "follow_up_over": advice.follow_up_over, "follow_up_end": advice.follow_up_end}
    uncapped = advice.prednisolone.uncapped_mg_daily if advice.prednisolone else None
    return {"today": advice.today, "problem": "", "alerts": _alert_rows(advice),
            "visits": advice.open_visits, "visit_sources": _sources(PUBLICATION, PROJECT_CHOICE),
            "body": _body(advice), "starting": _starting(advice), "sirolimus": _sirolimus(advice),
            "prednisolone": _prednisolone(advice), "tmp_smx": _tmp_smx(advice),
            "blood_count": _blood_count(advice),
            "checks": [{"code": c.code, "text": _check_text(c.code, advice.body_size_age_days, advice.age_months,
                                                            uncapped), "sources": _sources(c.source)}
                       for c in advice.checks]}


def bedside_context(request, patient) -> dict | None:
    """The panel's context for the patient page, or ``None`` for a user who may not receive it
    (every role but the site's investigators; always ``None`` for a blinded role)."""
    disclosure = getattr(request, "disclosure", None)
    if disclosure is None or not may_receive_advice(disclosure):
        return None
    return advice_context(bedside_advice(disclosure, patient, edc_today()))


@allow(*BEDSIDE_ROLES)
def dashboard(request):
    """The site's open alerts and due or overdue visits, most severe first, each with its
    sources; the next blood count of every patient still on counts every 2 days, earliest first;
    the patients whose advice asks a clinician to check. Patients whose follow-up is over are
    only counted (never read); the others' advice comes from the shared cache unless their
    data changed (:func:`~khetrial.edc.web.bedside.site_entries`)."""
    d = request.disclosure
    today = edc_today()
    rows, problems, counts_due, checks, patients = [], [], [], [], 0
    shown: dict = {}  # the rendered sources, once each
    finished = finished_count(d, today)
    for advice in site_entries(d, followed_patients(d, today).order_by("patient_id"), today):
        if advice.follow_up_over:
            finished += 1
            continue
        patients += 1
        href = reverse("patient", args=[advice.patient_id])
        if advice.problem:
            problems.append({"patient_id": advice.patient_id, "message": advice.problem, "href": href})
        rows.extend({**r, "href": href, "sources_html": _sources_html(r["sources"], shown)}
                    for r in _alert_rows(advice))
        blood = _blood_count(advice)
        if blood and blood["due"]:
            counts_due.append({"patient_id": advice.patient_id, "href": href, **blood})
        if advice.checks:
            checks.append({"patient_id": advice.patient_id, "href": href,
                           "items": [{"text": _check_text(c.code, advice.body_size_age_days, advice.age_months,
                                                          advice.prednisolone_uncapped_mg),
                                      "sources_html": _sources_html(_sources(c.source), shown)}
                                     for c in advice.checks]})
    counts_due.sort(key=lambda r: (r["due"], r["patient_id"]))
    rows.sort(key=lambda r: (SEVERITY_ORDER.index(r["severity"]), r["patient_id"]))
    counts = {s: sum(r["severity"] == s for r in rows) for s in SEVERITY_ORDER}
    lists = {"rows": rows, "blood_counts": counts_due, "checks": checks}
    more = first_rows(lists, tuple(lists), request.GET.get("all") == "1")
    return render(request, "web/dashboard.html", {
        "today": today, "site": d.site, "problems": problems, **lists, "more": more,
        "patient_count": patients, "finished_count": finished, "counts": counts,
        "blood_count_sources": _sources(PUBLICATION, PROJECT_CHOICE)})
