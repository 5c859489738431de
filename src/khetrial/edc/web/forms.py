"""Data-entry forms built from the bundle format's table specifications.

Every field's kind, code list and plausible range come from
:data:`khetrial.bundle.format.TABLE_SPECS` (laboratory ranges from ``LAB_RANGES``), never
retyped here; a value outside them is refused with a message on the field. The edit checks of
the bundle import (:func:`khetrial.bundle.checks.row_findings`: identifiers, no date after
today or before birth, the plan's windows before randomization, dose maxima) run in ``clean``
with the patient's dates, so a form, the API (which validates with these forms) and
``khetrial import`` refuse the same values with the same words.
"""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy as _

from khetrial.bundle.checks import identifier_problem, row_findings, screening_findings
from khetrial.bundle.format import (CODE, DATE, DATE_ORDER_RULES, FLAG, ID_MAX_LENGTH, INTEGER,
                                    LAB_RANGES, NUMBER, TABLE_SPECS, describe_range)
from khetrial.edc.trial.models import Patient
from khetrial.edc.trial.records import edc_today, patient_dates, screened
from khetrial.edc.web.labels import (field_label, lazy_code_choices, lazy_code_label,
                                    lazy_field_label, value_label)

#: The patient's columns entered at randomization and corrected later; never the identity,
#: the site or the allocation (patient_id, site_id, arm, randomization_date).
BASELINE_FIELDS = tuple(c for c in TABLE_SPECS["patients"].column_names
                        if c not in ("patient_id", "site_id", "arm", "randomization_date"))
EMPTY_CHOICE = ("", "—")
REASON_HELP = _("Why is this value changed? Required for every correction (audit trail).")
YES_NO_CHOICES = [("1", _("yes")), ("0", _("no"))]


def spec_field(spec, table: str) -> forms.Field:
    """A form field for one bundle column of ``table``, labelled from the label source."""
    required = spec.required
    label = lazy_field_label(table, spec.name)
    if spec.kind == DATE:
        return forms.DateField(required=required, label=label,
                               widget=forms.DateInput(attrs={"type": "date"}))
    # No clinical answer is pre-selected: every choice starts at "—", which a required field
    # refuses, so the answer is always one the user picked (issue 15).
    if spec.kind == CODE:
        return forms.ChoiceField(required=required, label=label,
                                 choices=[EMPTY_CHOICE] + lazy_code_choices(spec.name, spec.codes))
    if spec.kind == FLAG:
        return forms.TypedChoiceField(required=required, label=label,
                                      choices=[EMPTY_CHOICE, *YES_NO_CHOICES],
                                      coerce=lambda v: v == "1", empty_value=None)
    if spec.kind == NUMBER:
        help_text = _lab_units_help() if (table, spec.name) == ("labs", "value") \
            else _range_help(spec)
        return forms.FloatField(required=required, label=label, min_value=spec.low,
                                max_value=spec.high, help_text=help_text)
    if spec.kind == INTEGER:
        return forms.IntegerField(required=required, label=label, min_value=spec.low,
                                  max_value=spec.high, help_text=_range_help(spec))
    if spec.identifier:
        return IdentifierField(required=required, label=label)
    return forms.CharField(required=required, label=label, max_length=120)


class IdentifierField(forms.CharField):
    """A patient, site or screening id: the one pattern of the bundle format."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)
        self.help_text = self.help_text or format_lazy(_("up to {n} letters, digits, . _ -"),
                                                       n=ID_MAX_LENGTH)

    def clean(self, value):
        value = super().clean(value)
        if value:
            message = identifier_problem(value, str(self.label or "id"))
            if message:
                raise forms.ValidationError(message)
        return value


def add_edit_check_errors(form: forms.Form, table: str, data: dict, patient=None,
                          identifiers: bool = False) -> None:
    """Run the bundle's edit checks on ``data`` (a row of ``table``) and put each finding on
    its field (or on the form when the field is not shown). ``patient``: the row's patient."""
    dates = patient_dates(patient) if patient is not None else None
    for finding in row_findings(table, data, patient=dates, today=edc_today(),
                                identifiers=identifiers):
        if finding.column in form.errors:
            continue  # the field's own check said it first
        form.add_error(finding.column if finding.column in form.fields else None,
                       finding.message)


def _lab_units_help():
    """"Platelet count: ×10⁹/L; Fibrinogen: g/L; ..." (translated when shown)."""
    parts = [(lazy_code_label("test", test), rng.unit) for test, rng in LAB_RANGES.items()]
    return format_lazy("; ".join(["{}: {}"] * len(parts)), *[x for p in parts for x in p])


def _range_help(spec) -> str:
    if spec.low is None and spec.high is None:
        return ""
    return describe_range(spec.low, spec.high, spec.unit)


class RecordForm(forms.Form):
    """Base of the generated forms: cross-field rules and the correction reason."""

    table_name = ""

    def __init__(self, *args, correction: bool = False, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        self.patient = patient  # the row's patient, for the edit checks (None: baseline form)
        if correction:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the change"), help_text=REASON_HELP,
                widget=forms.TextInput(attrs={"size": 60}))

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.correction and not reason:
            raise forms.ValidationError(_("a correction needs a reason"))
        return reason

    def clean(self):
        data = super().clean()
        for table, end, start in DATE_ORDER_RULES:
            if table == self.table_name and data.get(end) and data.get(start) \
                    and data[end] < data[start]:
                self.add_error(end, gettext("%(end)s %(end_value)s is before %(start)s "
                                            "%(start_value)s") % {
                    "end": field_label(table, end), "end_value": data[end],
                    "start": field_label(table, start), "start_value": data[start]})
        if self.table_name == "labs" and data.get("test") in LAB_RANGES \
                and data.get("value") is not None:
            rng = LAB_RANGES[data["test"]]
            if not rng.low <= data["value"] <= rng.high:
                self.add_error("value", gettext("%(test)s must be %(range)s; got %(value)s") % {
                    "test": value_label("labs", "test", data["test"]),
                    "range": describe_range(rng.low, rng.high, rng.unit),
                    "value": f"{data['value']:g}"})
        if self.table_name == "labs" and data.get("test") and data.get("value") is None \
                and "value" not in self.errors:
            self.add_error("value", gettext("enter the measured value"))
        if self.table_name == "disposition":
            status, reason = data.get("status"), data.get("reason")
            if status == "discontinued" and not reason:
                self.add_error("reason", gettext("a discontinuation needs a reason"))
            if status == "completed" and reason:
                self.add_error("reason", gettext("leave the reason empty when the study was "
                                                 "completed"))
        if self.table_name == "medications" and data.get("dose") is not None \
                and not data.get("dose_unit"):
            self.add_error("dose_unit", gettext("a dose needs a dose unit"))
        if self.table_name == "patients":
            row = dict(data)
            if self.patient is not None:
                row["randomization_date"] = self.patient.randomization_date
            add_edit_check_errors(self, "patients", row)
        elif self.patient is not None:
            add_edit_check_errors(self, self.table_name, data, self.patient)
        return data


def record_form_class(table: str, fields: tuple[str, ...]) -> type[RecordForm]:
    """The form class for a clinical table (only ``fields``, in that order)."""
    spec = TABLE_SPECS[table]
    attrs = {"table_name": table}
    for name in fields:
        attrs[name] = spec_field(spec.column(name), table)
    return type(f"{table.title().replace('_', '')}Form", (RecordForm,), attrs)


def baseline_form_class(fields: tuple[str, ...]) -> type[RecordForm]:
    """The form for correcting a patient's baseline columns (``patients.csv``)."""
    spec = TABLE_SPECS["patients"]
    attrs = {"table_name": "patients",
             **{n: spec_field(spec.column(n), "patients") for n in fields}}
    return type("BaselineForm", (RecordForm,), attrs)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"),
                             help_text=_("Required: recorded in the audit trail."),
                             widget=forms.TextInput(attrs={"size": 60}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("give a reason"))
        return reason


RANDOMIZATION_HELP = {
    "patient_id": _("The trial number written on the case report form; it cannot be changed "
                    "after randomization."),
    "sex": _("Pre-filled from the screening form when it was recorded there."),
    "birth_date": _("From the birth certificate or the medical record."),
    "weight_kg": _("Measured today, in kg: the doses are computed from it."),
    "height_cm": _("Measured today, in cm (length lying down under 2 years)."),
    "lesion_depth": _("From the baseline MRI."),
    "lesion_site": _("Where the main lesion is."),
    "kmp_onset_date": _("First low platelet count (Kasabach-Merritt phenomenon); leave empty "
                        "if not known."),
    "biopsy": _("Whether the diagnosis was confirmed by a biopsy."),
}
"""Field-level help on the randomization form (project wording, for site staff)."""


class PatientForm(forms.Form):
    """Baseline data entered at randomization (arm and date come from the allocation)."""

    patient_id = IdentifierField(label=lazy_field_label("patients", "patient_id"))

    def __init__(self, *args, screening=None, **kwargs):
        """``screening``: the Screening row randomized from; its recorded birth date and sex
        pre-fill the form, and a contradiction is refused."""
        self.screened = screened(screening)
        initial = {"birth_date": self.screened.birth_date, "sex": self.screened.sex or None}
        kwargs["initial"] = {**{k: v for k, v in initial.items() if v}, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        spec = TABLE_SPECS["patients"]
        for name in BASELINE_FIELDS:
            self.fields[name] = spec_field(spec.column(name), "patients")
        for name, text in RANDOMIZATION_HELP.items():
            if name in self.fields:
                rng = self.fields[name].help_text  # a number's plausible range
                self.fields[name].help_text = format_lazy("{} ({})", text, rng) if rng else text

    def summary(self) -> list[tuple[str, str]]:
        """The cleaned values in words, in the form's order: (label, value) pairs for the
        confirmation page (a choice by its label, a date in the language's format, "not
        given")."""
        out = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            raw = self.data.get(name, "")
            if value in (None, ""):
                text = str(_("not given"))
            elif hasattr(field, "choices"):
                text = str(dict(field.choices).get(raw, raw))
            elif hasattr(value, "isoformat"):
                text = date_format(value, "DATE_FORMAT")  # ISO in English
            elif isinstance(value, float):
                text = f"{value:g}"
            else:
                text = str(value)
            out.append((str(field.label), text))
        return out

    def raw_values(self) -> dict[str, str]:
        """The values as typed (what the confirmation signs and "go back" shows again)."""
        return {name: str(self.data.get(name, "")) for name in self.fields}

    def clean_patient_id(self):
        pid = self.cleaned_data["patient_id"].strip()
        if not pid:
            raise forms.ValidationError(_("give a patient number"))
        if Patient.objects.filter(patient_id=pid).exists():
            raise forms.ValidationError(_("patient %(pid)s already exists") % {"pid": pid})
        return pid

    def clean(self):
        data = super().clean()
        # randomized today: the allocation's date (edit checks: birth and KMP onset)
        add_edit_check_errors(self, "patients", {**data, "randomization_date": edc_today()})
        for finding in screening_findings(data, self.screened):
            if finding.column not in self.errors:
                self.add_error(finding.column, finding.message)
        return data


class DataQueryForm(forms.Form):
    """A query on one value, picked from the patient's tables, rows and fields
    (:class:`~khetrial.edc.web.query_targets.QueryTargets`); anything else is refused with a
    message naming what exists. Rows and fields are offered as ``table:id`` and
    ``table:field`` (one list for every table); a bare id or field is read in the chosen table."""

    table = forms.CharField(label=_("form"), max_length=40)
    record = forms.CharField(label=_("record"), max_length=60, required=False,
                             help_text=_("Leave empty for a question on the whole form."))
    field = forms.CharField(label=_("field"), max_length=100, required=False,
                            help_text=_("Leave empty for a question on the whole record."))
    text = forms.CharField(label=_("question"),
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        t = targets
        self.fields["table"].widget = forms.Select(choices=[EMPTY_CHOICE, *t.tables.items()])
        self.fields["record"].widget = forms.Select(choices=[EMPTY_CHOICE, *(
            (t.tables[name], [(f"{name}:{pk}", t.row_label(name, pk)) for pk in rows])
            for name, rows in t.rows.items())])
        self.fields["field"].widget = forms.Select(choices=[EMPTY_CHOICE, *(
            (t.tables[name], [(f"{name}:{f}", t.field_label(name, f)) for f in names])
            for name, names in t.fields.items())])

    def _in_table(self, value: str, table: str, what: str) -> str:
        name, sep, rest = value.partition(":")
        if not sep:
            return value
        if name != table:
            message = (_("this record belongs to %(other)s, not to %(table)s") if what == "record"
                       else _("this field belongs to %(other)s, not to %(table)s"))
            self.add_error(what, message % {"other": self.targets.tables.get(name, name),
                                            "table": self.targets.tables[table]})
        return rest

    def clean(self):
        data = super().clean()
        table = data.get("table", "")
        if "table" in self.errors:
            return data
        if table not in self.targets.tables:
            self.add_error("table", _("“%(got)s” is not a form of this patient; pick one of: "
                                      "%(tables)s") % {"got": table[:40], "tables": ", ".join(
                                          self.targets.tables.values())})
            return data
        record = self._in_table(data.get("record", ""), table, "record")
        if record and record not in self.targets.rows[table]:
            self.add_error("record", _("record “%(got)s” is not a row of %(table)s for this "
                                       "patient (voided rows cannot be queried)") % {
                                           "got": record[:40], "table": self.targets.tables[table]})
        name = self._in_table(data.get("field", ""), table, "field")
        if name and name not in self.targets.fields[table]:
            self.add_error("field", _("“%(got)s” is not a field of %(table)s; its fields are: "
                                      "%(fields)s") % {"got": name[:60],
                                                       "table": self.targets.tables[table],
                                                       "fields": ", ".join(
                                                           self.targets.field_label(table, f)
                                                           for f in self.targets.fields[table])})
        data["record_id"], data["field"] = record, name
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text=_("Say what the source document shows; correct the value "
                                         "itself on the patient's page (with a reason)."))


class SiteForm(forms.Form):
    code = IdentifierField(label=_("Site code"), help_text=_("the bundle's site_id"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
