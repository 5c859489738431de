"""Worklists: what each role's home page lists for ``today``.

- **investigator** (one site): visits and blood counts due today or overdue, open alerts, open
  queries to answer and incomplete forms (an eligible child not randomized, a baseline value
  missing, a PedsQL questionnaire with unanswered items). The calendar and the alerts are the
  protocol's (:mod:`khetrial.protocol.bedside`, :func:`~khetrial.protocol.schedule.next_blood_count_due`);
  the rows are read by :func:`khetrial.edc.web.bedside.read_records`.
- **monitor** (all sites): queries not closed, oldest first, with their age in days; missing
  data by site (visits whose window closed without any assessment recorded, baseline gaps).
- **statistician**: per binary endpoint, the patients whose outcome is already known today
  (:mod:`khetrial.endpoints.completeness`), pooled over the arms. It derives the analysis
  tables of the whole trial, so its counts are kept in the shared cache under today and a
  fingerprint of every patient's revision (:func:`trial_fingerprint`): computed again the
  first time the page is asked for after any write.
- **assessor** (blinded): the MRI volumes and year-2 sequelae due
  (:mod:`khetrial.protocol.assessments`), built from randomization dates and the assessor's own
  tables only — no allocation, no treatment.

Every builder reads a bounded number of queries, whatever the number of patients (one per
table), through the user's :class:`~khetrial.edc.web.blinding.Disclosure`; ``today`` comes in as
an argument (the view reads the clock). What is computed from a patient's rows is kept in the
shared cache (:mod:`khetrial.edc.web.cache`) under its revision: the investigator's advice
(:func:`~khetrial.edc.web.bedside.site_entries`, patients in follow-up only) and the monitor's
missed visits (:func:`missing_by_site`).
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter, defaultdict
from datetime import date

from django.core.cache import caches
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import khetrial.bundle
import khetrial.constants
import khetrial.endpoints
import khetrial.protocol
from khetrial.bundle.format import TABLE_SPECS
from khetrial.edc import store
from khetrial.edc.accounts.roles import ASSESSOR, INVESTIGATOR, MONITOR, STATISTICIAN
from khetrial.edc.store import export_bundle
from khetrial.edc.trial.models import Site
from khetrial.edc.web.bedside import dates_by_patient, followed_patients, site_entries
from khetrial.edc.web.blinding import Disclosure
from khetrial.edc.web.cache import SHARED_CACHE, code_version, per_patient
from khetrial.edc.web.labels import alert_message, field_label, table_label, value_label, visit_label
from khetrial.edc.web.models import DataQuery
from khetrial.edc.web.tables import ALL_TABLES
from khetrial.endpoints.adsl import BINARY_ENDPOINTS, derive_analysis_tables
from khetrial.endpoints.completeness import derive_evaluable
from khetrial.errors import KhetrialError, ProtocolError
from khetrial.protocol.assessments import MRI, OPEN_STATUSES, outcome_assessments
from khetrial.protocol.bedside import ASSESSMENT_TABLES, visits_done
from khetrial.protocol.schedule import DUE, OVERDUE, UPCOMING, visit_statuses
from khetrial.report.published import ENDPOINT_LABELS

QUERY_AGE_BANDS = (7, 30)
"""Project choice: a query's age is read in bands of up to a week, up to a month, older."""
UPCOMING_ASSESSMENT_DAYS = 30
"""Project choice: the assessor also sees assessments whose window opens within 30 days."""
ROWS_SHOWN = 50
"""Project choice: a list of the home page or the dashboard shows its first 50 rows, the most
urgent (a site of a thousand children in follow-up has thousands); "show all" shows the rest."""
VISIT_ALERTS = ("visit_due", "visit_overdue")  # listed as visits, not again as alerts
OPTIONAL_BASELINE = tuple(c.name for c in TABLE_SPECS["patients"].columns if not c.required)
STATUS_ORDER = {OVERDUE: 0, DUE: 1, UPCOMING: 2}
# The code the cached worklist values are computed by (a changed rule makes new keys).
CODE_VERSION = code_version(khetrial.protocol, khetrial.endpoints, khetrial.bundle, khetrial.constants,
                            store, sys.modules[__name__])


def visible_queries(disclosure):
    """The data queries this user may see: its site's, and for a blinded user only those on
    tables it may see."""
    qs = DataQuery.objects.all()
    if disclosure.site:
        qs = qs.filter(site_code=disclosure.site)
    if disclosure.blinded:
        qs = qs.filter(table__in=disclosure.tables())
    return qs


def table_title(name: str) -> str:
    """A table's page title ("Laboratory results", translated), else the name as stored."""
    return table_label(name) if name in ALL_TABLES else name


def query_age(query, today: date) -> int:
    """Days a query has been open on ``today`` (0 on the day it was raised)."""
    return (today - timezone.localtime(query.raised_at).date()).days


def age_band(days: int) -> str:
    week, month = QUERY_AGE_BANDS
    if days <= week:
        return _("up to %(n)d days") % {"n": week}
    if days <= month:
        return _("%(a)d to %(b)d days") % {"a": week + 1, "b": month}
    return _("over %(n)d days") % {"n": month}


def _query_rows(disclosure, queries, today: date) -> list[dict]:
    rows = disclosure.queries(queries)
    for row, q in zip(rows, queries):
        row["age"] = query_age(q, today)
        row["site"] = q.site_code
        row["table_title"] = table_title(q.table)
        row["band"] = age_band(row["age"])
    return rows


# --- investigator -------------------------------------------------------------------------------
def _due_rows(patient_id: str, entry, today: date) -> list[dict]:
    rows = [{"patient_id": patient_id, "what": _("%(visit)s visit") % {"visit": visit_label(v.visit)},
             "start": v.visit.window_start, "end": v.visit.window_end, "status": v.status,
             "late": (today - v.visit.window_end).days if v.status == OVERDUE else 0}
            for v in entry.due_visits]
    blood = entry.worklist_blood_count
    if blood is not None:
        status = OVERDUE if blood.is_overdue(today) else DUE
        rows.append({"patient_id": patient_id, "what": _("blood count (every 2 days)"),
                     "table": "labs",
                     "start": blood.due, "end": blood.due, "status": status,
                     "late": (today - blood.due).days})
    return rows


def baseline_rows(disclosure, *order: str) -> list:
    """The patients ``disclosure`` sees, in ``order``, as light rows (``pk``, ``patient_id``,
    ``revision``, ``site__code``, ``randomization_date`` and the optional baseline fields), not
    model objects: a worklist reads thousands of them."""
    return list(disclosure.patients().order_by(*order)
                .values_list("pk", "patient_id", "revision", "site__code", "randomization_date",
                             *OPTIONAL_BASELINE, named=True))


def unanswered_pedsql(disclosure, patients: list, today: date) -> dict[int, tuple]:
    """Patient pk -> its PedsQL questionnaires with unanswered items, as (date, instrument,
    items unanswered) in date order: from the shared cache under the patient's revision, else
    counted in the database for the patients missing (one query)."""
    def compute(missing: list) -> dict:
        out: dict[int, list] = {p.pk: [] for p in missing}
        for r in (disclosure.records("qol").filter(voided=False, response__isnull=True,
                                                   patient_id__in=list(out))
                  .values("patient_id", "date", "instrument").annotate(n=Count("id"))
                  .order_by("patient_id", "date", "instrument")):
            out[r["patient_id"]].append((r["date"], r["instrument"], r["n"]))
        return {pk: tuple(found) for pk, found in out.items()}

    seen = "qol" if disclosure.may_see("qol") else "-"
    return per_patient(f"unanswered-pedsql:{CODE_VERSION}:{today.isoformat()}:{seen}", patients, compute)


def _incomplete_forms(disclosure, patients, today: date) -> list[dict]:
    unanswered = unanswered_pedsql(disclosure, patients, today)
    rows = [{"patient_id": p.patient_id, "what": _("baseline: %(fields)s missing") % {
                "fields": ", ".join(field_label("patients", f) for f in missing)},
             "link": ("patient_edit", p.patient_id)}
            for p in patients
            if (missing := [f for f in OPTIONAL_BASELINE if getattr(p, f, None) in (None, "")])]
    for p in sorted(patients, key=lambda p: p.pk):
        for day, instrument, n in unanswered[p.pk]:
            rows.append({"patient_id": p.patient_id,
                         "what": _("PedsQL %(instrument)s of %(date)s: %(n)d item(s) not answered") % {
                             "instrument": value_label("qol", "instrument", instrument),
                             "date": date_format(day, "SHORT_DATE_FORMAT"), "n": n},
                         "link": ("patient", p.patient_id)})
    return rows


def investigator_worklist(disclosure, today: date) -> dict:
    """Due and overdue visits and counts, open alerts, queries to answer, incomplete forms.
    The advice of the patients still in follow-up only, from the shared cache unless their data
    changed (:func:`~khetrial.edc.web.bedside.site_entries`); incomplete forms of every patient."""
    followed = followed_patients(disclosure, today).order_by("patient_id")
    due, alerts, problems = [], [], []
    for entry in site_entries(disclosure, followed, today):
        if entry.follow_up_over:
            continue
        if entry.problem:
            problems.append({"patient_id": entry.patient_id, "message": entry.problem})
            continue
        due += _due_rows(entry.patient_id, entry, today)
        alerts += [{"patient_id": entry.patient_id, "severity": a.severity, "code": a.code,
                    "message": alert_message(a)} for a in entry.alerts if a.code not in VISIT_ALERTS]
    due.sort(key=lambda r: (STATUS_ORDER[r["status"]], -r["late"], r["patient_id"]))
    severity = {"critical": 0, "warning": 1, "info": 2}
    alerts.sort(key=lambda r: (severity.get(r["severity"], 3), r["patient_id"]))
    queries = list(visible_queries(disclosure).filter(status="open").order_by("raised_at"))
    waiting = (disclosure.records("screening").filter(voided=False, eligible=True,
                                                      patient__isnull=True).order_by("date"))
    return {"due": due, "alerts": alerts, "problems": problems,
            "queries": _query_rows(disclosure, queries, today),
            "screenings": [{"pk": s.pk, "screening_id": s.screening_id, "date": s.date}
                           for s in waiting],
            "incomplete": _incomplete_forms(disclosure, baseline_rows(disclosure, "patient_id"), today)}


# --- monitor ------------------------------------------------------------------------------------
def assessment_dates(disclosure, pks: list[int]) -> dict[int, set[date]]:
    """Patient pk -> the dates of any assessment recorded (evidence of a visit), one query per
    table of :data:`~khetrial.protocol.bedside.ASSESSMENT_TABLES`."""
    return dates_by_patient(disclosure, ASSESSMENT_TABLES, pks)


def missed_visits(patient, dates: set[date], today: date) -> int:
    """Visits of ``patient`` whose window closed before ``today`` with no assessment in it."""
    try:
        done = visits_done(patient.randomization_date, dates)
        statuses = visit_statuses(patient.randomization_date, today, done)
    except ProtocolError:
        return 0
    return sum(s.status == OVERDUE for s in statuses)


def missed_by_patient(disclosure, patients: list, today: date) -> dict[int, int]:
    """Patient pk -> :func:`missed_visits` on ``today``: from the shared cache under the
    patient's revision, else from its assessment dates (read at once for the patients
    missing)."""
    seen = ",".join(t for t in ASSESSMENT_TABLES if disclosure.may_see(t))

    def compute(missing: list) -> dict:
        dates = assessment_dates(disclosure, [p.pk for p in missing])
        return {p.pk: missed_visits(p, dates[p.pk], today) for p in missing}

    return per_patient(f"missed-visits:{CODE_VERSION}:{today.isoformat()}:{seen}", patients, compute)


def missing_by_site(disclosure, today: date) -> list[dict]:
    """Per site: patients, visits missed, patients with a visit missed, baseline gaps, open
    queries."""
    patients = baseline_rows(disclosure, "site__code", "patient_id")
    missed_of = missed_by_patient(disclosure, patients, today)
    open_queries = dict(visible_queries(disclosure).exclude(status="closed")
                        .values_list("site_code").annotate(n=Count("id")).order_by())
    sites: dict[str, dict] = {}
    for p in patients:
        row = sites.setdefault(p.site__code, {"site": p.site__code, "patients": 0, "missed": 0,
                                             "patients_missing": 0, "baseline_gaps": 0})
        missed = missed_of[p.pk]
        row["patients"] += 1
        row["missed"] += missed
        row["patients_missing"] += missed > 0
        row["baseline_gaps"] += any(getattr(p, f, None) in (None, "") for f in OPTIONAL_BASELINE)
    for code, n in open_queries.items():
        sites.setdefault(code, {"site": code, "patients": 0, "missed": 0, "patients_missing": 0,
                                "baseline_gaps": 0})
    for row in sites.values():
        row["open_queries"] = open_queries.get(row["site"], 0)
    return [sites[code] for code in sorted(sites)]


def monitor_worklist(disclosure, today: date) -> dict:
    """Queries not closed, oldest first, their age bands; missing data by site."""
    queries = list(visible_queries(disclosure).exclude(status="closed").order_by("raised_at"))
    rows = _query_rows(disclosure, queries, today)
    bands = Counter(r["band"] for r in rows)
    order = [age_band(0), age_band(QUERY_AGE_BANDS[0] + 1), age_band(QUERY_AGE_BANDS[1] + 1)]
    return {"queries": rows, "bands": [(b, bands.get(b, 0)) for b in order],
            "sites": missing_by_site(disclosure, today)}


# --- statistician -------------------------------------------------------------------------------
def trial_fingerprint(disclosure) -> str:
    """A digest of the state of everything ``disclosure`` sees: every patient's revision (new
    on any write of the patient or its rows) and the screening rows' count, last id and last
    change. Two queries, whatever the number of rows."""
    digest = hashlib.sha256()
    for pk, revision in disclosure.patients().order_by("pk").values_list("pk", "revision"):
        digest.update(f"{pk}:{revision.hex};".encode())
    screening = disclosure.records("screening").aggregate(n=Count("id"), top=Max("id"),
                                                          last=Max("updated_at"))
    digest.update(repr(sorted(screening.items())).encode())
    return digest.hexdigest()


def _known_outcomes(disclosure, today: date) -> dict:
    """Patients randomized, and per binary endpoint those whose outcome is known on ``today``."""
    try:
        bundle = export_bundle(sites=[disclosure.site] if disclosure.site else None)
        n = len(bundle.patients)
        if n == 0:
            return {"n": 0, "known": {}, "problem": ""}
        tables = derive_analysis_tables(bundle)
        evaluable = derive_evaluable(tables.adsl, bundle.patients, today)
    except KhetrialError as error:
        return {"n": 0, "known": {}, "problem": str(error)}
    return {"n": n, "known": {e: int(evaluable[e].sum()) for e in BINARY_ENDPOINTS}, "problem": ""}


def statistician_worklist(disclosure, today: date) -> dict:
    """Per binary endpoint: patients whose outcome is known today, of those randomized (pooled
    over the arms: a home page shows no comparison). The counts come from the shared cache
    while no patient's data changed (same day, same :func:`trial_fingerprint`)."""
    key = (f"statistician-home:{CODE_VERSION}:{today.isoformat()}:{disclosure.site or '*'}:"
           f"{trial_fingerprint(disclosure)}")
    cache = caches[SHARED_CACHE]
    found = cache.get(key)
    if found is None:
        found = _known_outcomes(disclosure, today)
        cache.set_many({key: found})
    n = found["n"]
    if n == 0:
        return {"n": 0, "endpoints": [], "problem": found["problem"]}
    rows = []
    for endpoint in BINARY_ENDPOINTS:
        known = found["known"][endpoint]
        rows.append({"endpoint": endpoint, "label": _(ENDPOINT_LABELS.get(endpoint, endpoint)),
                     "known": known, "n": n, "percent": round(100 * known / n)})
    return {"n": n, "endpoints": rows, "problem": ""}


# --- assessor -----------------------------------------------------------------------------------
def open_assessments(disclosure, patients: list, today: date) -> dict[int, tuple]:
    """Patient pk -> its outcome assessments due, overdue or opening within
    :data:`UPCOMING_ASSESSMENT_DAYS` on ``today`` (none when its dates cannot be planned): from
    the shared cache under the patient's revision, else from the MRI and sequelae dates (read
    at once for the patients missing)."""
    seen = ",".join(t for t in ("mri", "sequelae") if disclosure.may_see(t))

    def compute(missing: list) -> dict:
        pks = [p.pk for p in missing]
        mri, sequelae = (dates_by_patient(disclosure, [t], pks) for t in ("mri", "sequelae"))
        out = {}
        for p in missing:
            try:
                plan = outcome_assessments(p.randomization_date, today, mri[p.pk], sequelae[p.pk])
            except ProtocolError:
                plan = ()
            out[p.pk] = tuple(a for a in plan if a.status in OPEN_STATUSES or (
                a.status == UPCOMING and (a.window_start - today).days <= UPCOMING_ASSESSMENT_DAYS))
        return out

    return per_patient(f"assessments:{CODE_VERSION}:{today.isoformat()}:{seen}", patients, compute)


def assessor_worklist(disclosure, today: date) -> dict:
    """The MRI volumes and sequelae due, overdue or opening within
    :data:`UPCOMING_ASSESSMENT_DAYS`, from randomization dates and the assessor's own tables."""
    patients = baseline_rows(disclosure, "patient_id")
    open_of = open_assessments(disclosure, patients, today)
    rows = []
    for p in patients:
        for a in open_of[p.pk]:
            what = (_("MRI lesion volume, month %(m)d") % {"m": a.month} if a.kind == MRI
                    else _("sequelae, year 2"))
            rows.append({"patient_id": p.patient_id, "table": a.kind, "what": what,
                         "start": a.window_start, "end": a.window_end, "status": a.status,
                         "late": (today - a.window_end).days if a.status == OVERDUE else 0})
    rows.sort(key=lambda r: (STATUS_ORDER[r["status"]], -r["late"], r["start"], r["patient_id"]))
    return {"assessments": rows}


WORKLISTS = {INVESTIGATOR: investigator_worklist, MONITOR: monitor_worklist,
             STATISTICIAN: statistician_worklist, ASSESSOR: assessor_worklist}


def warm(today: date) -> dict[str, int]:
    """Compute and store in the shared cache what the home pages and the dashboard read on
    ``today`` (run once a day, e.g. just after midnight, so that no user waits for the day's
    first page): every site's investigator worklist, the monitor's and the statistician's.
    Returns role or ``investigator <site>`` -> the patients in scope."""
    done = {}
    for site in Site.objects.order_by("code").values_list("code", flat=True):
        reader = Disclosure("cache-warm", INVESTIGATOR, site)
        investigator_worklist(reader, today)
        done[f"{INVESTIGATOR} {site}"] = reader.patients().count()
    for role in (MONITOR, STATISTICIAN):
        reader = Disclosure("cache-warm", role)
        WORKLISTS[role](reader, today)
        done[role] = reader.patients().count()
    return done


def first_rows(lists: dict, names: tuple[str, ...], show_all: bool) -> dict[str, int]:
    """Cut each list ``lists[name]`` to its first :data:`ROWS_SHOWN` rows (in place, unless
    ``show_all``); name -> the number of rows left out, for the lists that lost any."""
    if show_all:
        return {}
    more = {}
    for name in names:
        rows = lists.get(name) or []
        if len(rows) > ROWS_SHOWN:
            more[name] = len(rows) - ROWS_SHOWN
            lists[name] = rows[:ROWS_SHOWN]
    return more


def worklist_for(disclosure, today: date) -> dict | None:
    """The worklist of the user's role, or None (the administrator has none)."""
    build = WORKLISTS.get(disclosure.role)
    return build(disclosure, today) if build else None
