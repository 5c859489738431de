"""Data-entry forms built from the bundle format's table specifications.

Every field's kind, code list and plausible range come from
:data:`khetrial.bundle.format.TABLE_SPECS` (laboratory ranges from ``LAB_RANGES``), never
retyped here; a value outside them is refused with a message on the field.
"""

from __future__ import annotations

from django import forms

from khetrial.bundle.format import (CODE, DATE, DATE_ORDER_RULES, FLAG, INTEGER, LAB_RANGES,
                                    NUMBER, TABLE_SPECS, describe_range)
from khetrial.edc.trial.models import Patient

#: The patient's columns entered at randomization and corrected later; never the identity,
#: the site or the allocation (patient_id, site_id, arm, randomization_date).
BASELINE_FIELDS = tuple(c for c in TABLE_SPECS["patients"].column_names
                        if c not in ("patient_id", "site_id", "arm", "randomization_date"))
REASON_HELP = "Why is this value changed? Required for every correction (audit trail)."


def spec_field(spec) -> forms.Field:
    """A form field for one bundle column."""
    required = spec.required
    label = spec.name.replace("_", " ") + (f" ({spec.unit})" if spec.unit else "")
    if spec.kind == DATE:
        return forms.DateField(required=required, label=label,
                               widget=forms.DateInput(attrs={"type": "date"}))
    if spec.kind == CODE:
        empty = [] if required else [("", "—")]
        return forms.ChoiceField(required=required, label=label,
                                 choices=empty + [(c, c.replace("_", " ")) for c in spec.codes])
    if spec.kind == FLAG:
        empty = [] if required else [("", "—")]
        return forms.TypedChoiceField(required=required, label=label,
                                      choices=empty + [("1", "yes"), ("0", "no")],
                                      coerce=lambda v: v == "1", empty_value=None)
    if spec.kind == NUMBER:
        return forms.FloatField(required=required, label=label, min_value=spec.low,
                                max_value=spec.high, help_text=_range_help(spec))
    if spec.kind == INTEGER:
        return forms.IntegerField(required=required, label=label, min_value=spec.low,
                                  max_value=spec.high, help_text=_range_help(spec))
    return forms.CharField(required=required, label=label, max_length=120)


def _range_help(spec) -> str:
    if spec.low is None and spec.high is None:
        return ""
    return describe_range(spec.low, spec.high, spec.unit)


class RecordForm(forms.Form):
    """Base of the generated forms: cross-field rules and the correction reason."""

    table_name = ""

    def __init__(self, *args, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        if correction:
            self.fields["reason"] = forms.CharField(
                label="reason for change", help_text=REASON_HELP,
                widget=forms.TextInput(attrs={"size": 60}))

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.correction and not reason:
            raise forms.ValidationError("a correction needs a reason")
        return reason

    def clean(self):
        data = super().clean()
        for table, end, start in DATE_ORDER_RULES:
            if table == self.table_name and data.get(end) and data.get(start) \
                    and data[end] < data[start]:
                self.add_error(end, f"{end} {data[end]} is before {start} {data[start]}")
        if self.table_name == "labs" and data.get("test") in LAB_RANGES \
                and data.get("value") is not None:
            rng = LAB_RANGES[data["test"]]
            if not rng.low <= data["value"] <= rng.high:
                self.add_error("value", f"{data['test']} must be "
                                        f"{describe_range(rng.low, rng.high, rng.unit)}; "
                                        f"got {data['value']:g}")
        if self.table_name == "labs" and data.get("test") and data.get("value") is None \
                and "value" not in self.errors:
            self.add_error("value", "enter the measured value")
        if self.table_name == "disposition":
            status, reason = data.get("status"), data.get("reason")
            if status == "discontinued" and not reason:
                self.add_error("reason", "a discontinuation needs a reason")
            if status == "completed" and reason:
                self.add_error("reason", "leave the reason empty when the course was completed")
        if self.table_name == "medications" and data.get("dose") is not None \
                and not data.get("dose_unit"):
            self.add_error("dose_unit", "a dose needs a dose unit")
        return data


def record_form_class(table: str, fields: tuple[str, ...]) -> type[RecordForm]:
    """The form class for a clinical table (only ``fields``, in that order)."""
    spec = TABLE_SPECS[table]
    attrs = {"table_name": table}
    for name in fields:
        attrs[name] = spec_field(spec.column(name))
    return type(f"{table.title().replace('_', '')}Form", (RecordForm,), attrs)


def baseline_form_class(fields: tuple[str, ...]) -> type[RecordForm]:
    """The form for correcting a patient's baseline columns (``patients.csv``)."""
    spec = TABLE_SPECS["patients"]
    attrs = {"table_name": "patients", **{n: spec_field(spec.column(n)) for n in fields}}
    return type("BaselineForm", (RecordForm,), attrs)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="reason", help_text="Required: recorded in the audit trail.",
                             widget=forms.TextInput(attrs={"size": 60}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("give a reason")
        return reason


class PatientForm(forms.Form):
    """Baseline data entered at randomization (arm and date come from the allocation)."""

    patient_id = forms.CharField(max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = TABLE_SPECS["patients"]
        for name in BASELINE_FIELDS:
            self.fields[name] = spec_field(spec.column(name))

    def clean_patient_id(self):
        pid = self.cleaned_data["patient_id"].strip()
        if not pid:
            raise forms.ValidationError("give a patient id")
        if Patient.objects.filter(patient_id=pid).exists():
            raise forms.ValidationError(f"patient {pid} already exists")
        return pid


class DataQueryForm(forms.Form):
    table = forms.CharField(max_length=40, required=False)
    record_id = forms.CharField(max_length=40, required=False)
    field = forms.CharField(max_length=60, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class SiteForm(forms.Form):
    code = forms.SlugField(max_length=64, help_text="the bundle's site_id")
    name = forms.CharField(max_length=200, required=False)
