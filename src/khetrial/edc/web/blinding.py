"""THE blinding mechanism: what each user may receive, decided here and nowhere else.

Every page, API response, CSV export and audit view turns database rows into data through
:func:`Disclosure.rows` / :func:`Disclosure.audit_rows`, and finds patients through
:func:`Disclosure.patients`. The policy is an allow-list: a blinded role (the outcome assessor)
receives only the tables and fields listed in :data:`BLINDED_ALLOWED`; everything else (arm,
medication courses, drug levels, adverse events, labs, transfusions, disposition, screening,
randomization, extra columns) is never serialized for it. Free text written by an unblinded
role (a query, its answer, a reason, a void reason) is not shown to a blinded role at all: it
sees that a note exists, who wrote it and who can read it (:meth:`Disclosure.free_text`).
:class:`BlindingGuardMiddleware` (``web/middleware.py``) then refuses, as a second line, any
response to a blinded user that carries an allocation itself: an allocation field, an arm bound
to the word "arm", a marked allocation (:func:`leaks`); ordinary values never trip it.

Emergency unblinding (:mod:`khetrial.edc.web.unblinding`) adds one patient to a user's
``unblinded`` set after a second person approves; only that patient's arm is then disclosed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db.models import Q

from khetrial.constants import ARM_LABELS, ARMS
from khetrial.edc.accounts.roles import ADMIN, BLINDED_ROLES, DMC, INVESTIGATOR, MONITOR, NO_DATA_ROLES, ROLES
from khetrial.edc.trial.models import Patient
from khetrial.edc.web.models import UnblindingRequest
from khetrial.edc.web.tables import ALL_TABLES, TABLE_OF_MODEL
from khetrial.errors import PermissionDenied

# What a blinded role may receive: table -> fields. Nothing else, ever.
BLINDED_ALLOWED: dict[str, tuple[str, ...]] = {
    "patients": ("patient_id", "site", "sex", "birth_date", "randomization_date", "weight_kg",
                 "height_cm", "lesion_depth", "lesion_site", "kmp_onset_date", "biopsy"),
    "mri": ("date", "lesion_volume_ml"),
    "sequelae": ("date", "sequela", "present"),
}
# Non-data audit events a blinded role may see (its own logins, nothing about allocation).
BLINDED_EVENTS = frozenset({"login", "logout", "login_failed"})
ADMIN_EVENTS = frozenset({"login", "logout", "login_failed", "role_change", "lock", "unlock",
                          "export", "blinding_guard", "allocation_list"})
DATA_ACTIONS = frozenset({"create", "change", "void"})
# Free text (typed by a person, not a code, number or date): shown to a blinded role only when a
# blinded role wrote it (project choice: no list of forbidden words can catch every way of
# naming a treatment, e.g. "pred 2mg/kg/d" or a Cyrillic letter in "prednisolone").
FREE_TEXT_FIELDS = frozenset({"void_reason", "reason", "text", "answer", "note", "term"})
READERS = tuple(role for role in ROLES if role not in NO_DATA_ROLES and role not in BLINDED_ROLES)

# The guard looks for the allocation itself, never for short strings: the fields that carry it
# (the arm; the medication courses' drug and dose and the drug levels' trough, which only a
# treated patient's rows have) as a JSON key, a table heading (its name, or the
# ``data-field`` a labelled heading carries, in any language) or a CSV column; an arm code or
# label right after the word "arm" (分组, 治疗组 in Chinese); an element marked
# ``data-allocation`` (the reveal page).
ALLOCATION_FIELDS = ("arm", "drug", "dose", "dose_unit", "sirolimus_trough_ng_ml", "allocation")


def _leak_pattern() -> re.Pattern:
    fields = "|".join(re.escape(f) for f in ALLOCATION_FIELDS)
    values = "|".join(re.escape(v) for v in sorted({*ARMS, *ARM_LABELS.values()}, key=len,
                                                  reverse=True))
    return re.compile(
        rf"\"(?:{fields})\"\s*:"  # a JSON key
        rf"|<th\b[^>]*>\s*(?:{fields})\s*</th>"  # a table heading
        rf"|\bdata-field=\"(?:{fields})\""  # a labelled heading: <th data-field="arm">
        rf"|(?:(?i:\barm\b)|分组|治疗组)[\s:=：]*(?:<[^>]*>\s*)*(?:{values})(?![\w+])"  # "arm SP",
        # "arm: <b>S</b>", and in the Chinese interface "分组 SP", "治疗组：S"
        r"|\bdata-allocation\b")


def _csv_header_pattern() -> re.Pattern:
    fields = "|".join(re.escape(f) for f in ALLOCATION_FIELDS)
    return re.compile(rf"\A(?:[^\n]*,)?\"?(?:{fields})\"?(?:,|\r?\n|\Z)")


LEAK_PATTERN = _leak_pattern()
CSV_HEADER_PATTERN = _csv_header_pattern()


def leaks(text: str, content_type: str = "") -> str | None:
    """Where ``text`` (a response body for a blinded user) carries an allocation, or None.

    A patient id "SP", a site named "S" or "Sirolimus + prednisolone", the word "alarm" or a
    code list never count: only an allocation field or an arm bound to the word "arm" does.
    """
    match = LEAK_PATTERN.search(text)
    if match is None and content_type.startswith("text/csv"):
        match = CSV_HEADER_PATTERN.search(text)
    return match.group(0).strip() if match else None


def withheld(author: str, role: str) -> str:
    """What a blinded role sees instead of an unblinded colleague's free text."""
    by = f"{author} ({role})" if author and role else (author or role or "an unblinded user")
    return f"[note by {by}; readable by {', '.join(READERS)}]"


@dataclass(frozen=True)
class Disclosure:
    """What one user may receive: role, site scope, emergency-unblinded patients."""

    username: str
    role: str
    site: str = ""  # "" = all sites
    unblinded: frozenset = field(default_factory=frozenset)

    @property
    def blinded(self) -> bool:
        return self.role in BLINDED_ROLES

    @property
    def clinical(self) -> bool:
        return self.role not in NO_DATA_ROLES and bool(self.role)

    # -- tables and fields --------------------------------------------------------------
    def may_see(self, table: str) -> bool:
        if not self.clinical:
            return False
        return table in BLINDED_ALLOWED if self.blinded else table in ALL_TABLES

    def fields(self, table: str) -> tuple[str, ...]:
        if not self.may_see(table):
            return ()
        if self.blinded:
            return BLINDED_ALLOWED[table]
        return ALL_TABLES[table].fields

    def tables(self) -> list[str]:
        return [t for t in ALL_TABLES if self.may_see(t)]

    # -- free text -------------------------------------------------------------------------
    def free_text(self, value, author: str = "", role: str = ""):
        """Free text written by ``author`` in ``role``: for a blinded user, shown only when a
        blinded role wrote it; otherwise the note that it exists and who can read it."""
        if not self.blinded or value in (None, "") or role in BLINDED_ROLES:
            return value
        return withheld(author, role)

    def queries(self, queries) -> list[dict]:
        """Data queries as this user may read them. The monitor raises a query and an
        investigator answers it: both are unblinded, so a blinded user sees neither text, and
        the field only when it is one the user may see."""
        out = []
        for q in queries:
            field_name = q.field
            if self.blinded and field_name and field_name not in self.fields(q.table):
                field_name = withheld("", MONITOR)
            out.append({"pk": q.pk, "patient_id": q.patient_id, "table": q.table,
                        "record_id": q.record_id, "field": field_name, "status": q.status,
                        "raised_by": q.raised_by, "raised_at": q.raised_at,
                        "answered_by": q.answered_by, "answered_at": q.answered_at,
                        "closed_by": q.closed_by, "closed_at": q.closed_at,
                        "text": self.free_text(q.text, q.raised_by, MONITOR),
                        "answer": self.free_text(q.answer, q.answered_by, INVESTIGATOR)})
        return out

    # -- rows ---------------------------------------------------------------------------
    def patients(self, queryset=None):
        """The patients this user may see (site scope); none for a non-clinical role."""
        qs = Patient.objects.select_related("site") if queryset is None else queryset
        if not self.clinical:
            return qs.none()
        if self.site:
            qs = qs.filter(site__code=self.site)
        return qs

    def records(self, table: str, queryset=None):
        """Rows of a clinical table this user may see (site-scoped, table allowed)."""
        t = ALL_TABLES[table]
        qs = t.model_class().objects.all() if queryset is None else queryset
        if not self.may_see(table):
            return qs.none()
        if table == "screening":
            return qs.filter(site__code=self.site) if self.site else qs
        if table == "patients":
            return self.patients(qs)
        qs = qs.select_related("patient", "patient__site")
        return qs.filter(patient__site__code=self.site) if self.site else qs

    def row(self, table: str, obj) -> dict:
        """One model row as ``{field: value}`` with only the fields this user may receive."""
        out = {"id": obj.pk}
        for name in self.fields(table):
            out[name] = _value(obj, name)
        if table != "patients" and hasattr(obj, "patient_id") and table != "screening":
            out = {"id": obj.pk, "patient_id": obj.patient.patient_id,
                   **{k: v for k, v in out.items() if k != "id"}}
            out["voided"] = bool(getattr(obj, "voided", False))
        return out

    def revealed_arm(self, patient) -> str:
        """The arm of an emergency-unblinded patient (approved for this user), else refuse.

        Used only by the reveal page: listings and the API never carry it, even then.
        """
        if self.blinded and patient.patient_id not in self.unblinded:
            raise PermissionDenied("no approved unblinding request for this patient")
        return patient.arm

    def rows(self, table: str, objs) -> list[dict]:
        return [self.row(table, o) for o in objs]

    # -- audit ---------------------------------------------------------------------------
    def audit_entries(self, queryset):
        """Audit entries this user may see (before field-level filtering in audit_row)."""
        if self.role == DMC:  # the DMC reads its report only (its pages refuse it anyway)
            return queryset.none()
        if not self.clinical:
            return queryset.filter(action__in=ADMIN_EVENTS)
        qs = queryset
        if self.site:
            qs = qs.filter(Q(site_code=self.site) | Q(site_code="", actor=self.username))
        if self.blinded:
            allowed_models = [m for m, t in TABLE_OF_MODEL.items() if t in BLINDED_ALLOWED]
            qs = qs.filter(Q(action__in=BLINDED_EVENTS, actor=self.username)
                           | Q(action__in=DATA_ACTIONS, detail__in=allowed_models))
        return qs

    def audit_row(self, entry) -> dict | None:
        """One audit entry as data, or None when it carries something this user may not see.

        A blinded user gets only its own logins and the changes of the tables it may see, with
        their structured values; free text (the reason, a void reason) only when a blinded
        role wrote it, else the note that it exists."""
        row = {"at": entry.at.strftime("%Y-%m-%d %H:%M:%S UTC"), "actor": entry.actor,
               "role": entry.role, "action": entry.action, "form": entry.form,
               "record_id": entry.record_id, "patient_id": entry.patient_id, "site": entry.site_code, "field": entry.field,
               "old": entry.old, "new": entry.new, "reason": entry.reason,
               "detail": entry.detail}
        if not self.blinded:
            return row
        if entry.action in BLINDED_EVENTS:
            return row if entry.actor == self.username else None
        table = TABLE_OF_MODEL.get(entry.detail)
        if entry.action not in DATA_ACTIONS or table not in BLINDED_ALLOWED:
            return None
        own = entry.role in BLINDED_ROLES
        allowed = set(BLINDED_ALLOWED[table]) | {"voided", "voided_at"}
        if own:
            allowed.add("void_reason")
        row["reason"] = self.free_text(entry.reason, entry.actor, entry.role)
        if entry.field in ("(row deleted)", "(row voided)") or not entry.field:
            row["old"] = _filter_json(entry.old, allowed)
            row["new"] = _filter_json(entry.new, allowed)
        elif entry.field in FREE_TEXT_FIELDS:
            row["old"] = self.free_text(entry.old, entry.actor, entry.role)
            row["new"] = self.free_text(entry.new, entry.actor, entry.role)
        elif entry.field not in allowed:
            return None
        if entry.form not in ALL_TABLES and entry.form not in {"import", "api", ""}:
            row["form"] = table  # e.g. "randomization" names the allocation: not for the blind
        return row

    def audit_rows(self, entries) -> list[dict]:
        return [r for r in (self.audit_row(e) for e in entries) if r is not None]


def _value(obj, name: str):
    value = getattr(obj, name)
    if name in ("site", "patient") and value is not None:
        return getattr(value, "code", None) or getattr(value, "patient_id", None) or str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _filter_json(text: str, allowed: set[str]) -> str:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return json.dumps({k: v for k, v in data.items() if k in allowed}, sort_keys=True)


def disclosure_for(user) -> Disclosure:
    """The disclosure of a logged-in user (no role = sees nothing)."""
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is None or not user.is_authenticated:
        return Disclosure(username="", role="")
    unblinded: frozenset = frozenset()
    if profile.role in BLINDED_ROLES:
        unblinded = frozenset(UnblindingRequest.objects.filter(
            requested_by=user.username, approved_at__isnull=False).values_list("patient_id",
                                                                                flat=True))
    site = profile.site_code if profile.role in {INVESTIGATOR, *BLINDED_ROLES} else ""
    return Disclosure(username=user.username, role=profile.role, site=site, unblinded=unblinded)
