"""The screening form over the publication's criteria, and the one call into the protocol."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from khetrial.bundle.format import LAB_RANGES, SEXES
from khetrial.bundle.labels import THERAPY_LABELS
from khetrial.edc.trial.models import ScreeningFacts
from khetrial.edc.web.forms import IdentifierField
from khetrial.edc.web.labels import lazy_code_choices, lazy_code_label, lazy_field_label
from khetrial.protocol import eligibility as criteria

#: Field-level help: the publication's criterion each screening answer is checked against.
CRITERION_OF_FIELD = {
    "birth_date": criteria.AGE, "diagnosis_basis": criteria.DIAGNOSIS,
    "platelets": criteria.KMP, "fibrinogen": criteria.KMP, "d_dimer": criteria.KMP,
    "liver_function_adequate": criteria.ORGAN_FUNCTION,
    "renal_function_adequate": criteria.ORGAN_FUNCTION,
    "marrow_function_adequate": criteria.ORGAN_FUNCTION,
    "active_infection": criteria.NO_ACTIVE_INFECTION,
    "sirolimus_allergy": criteria.SIROLIMUS_CONTRAINDICATION,
    "prior_mtor_inhibitor": criteria.PRIOR_MTOR_INHIBITOR,
    "last_major_surgery": criteria.RECENT_MAJOR_SURGERY,
    "severe_concurrent_disease": criteria.SEVERE_CONCURRENT_DISEASE,
    "unable_to_comply": criteria.UNABLE_TO_COMPLY,
}


def evaluate(data: dict):
    """Check eligibility with the protocol's rules (:func:`assess_eligibility`)."""
    from khetrial.protocol.eligibility import (PRIOR_KHE_THERAPIES, ScreeningInput,
                                               assess_eligibility)

    last = {t: data[f"last_{t}"] for t in PRIOR_KHE_THERAPIES if data.get(f"last_{t}")}
    return assess_eligibility(ScreeningInput(
        birth_date=data["birth_date"], screening_date=data["date"],
        diagnosis_basis=tuple(data.get("diagnosis_basis") or ()),
        platelets=data.get("platelets"), fibrinogen=data.get("fibrinogen"),
        d_dimer=data.get("d_dimer"),
        liver_function_adequate=data.get("liver_function_adequate", False),
        renal_function_adequate=data.get("renal_function_adequate", False),
        marrow_function_adequate=data.get("marrow_function_adequate", False),
        active_infection=data.get("active_infection", False),
        sirolimus_allergy=data.get("sirolimus_allergy", False),
        prior_mtor_inhibitor=data.get("prior_mtor_inhibitor", False),
        last_khe_therapy=last, last_major_surgery=data.get("last_major_surgery"),
        severe_concurrent_disease=data.get("severe_concurrent_disease", False),
        unable_to_comply=data.get("unable_to_comply", False)))


def _lab(name: str) -> forms.FloatField:
    rng = LAB_RANGES[name]
    return forms.FloatField(required=False, min_value=rng.low, max_value=rng.high,
                            label=format_lazy("{} ({})", lazy_code_label("test", name), rng.unit))


class ScreeningForm(forms.Form):
    screening_id = IdentifierField(label=lazy_field_label("screening", "screening_id"))
    date = forms.DateField(label=lazy_field_label("screening", "date"),
                           widget=forms.DateInput(attrs={"type": "date"}))
    birth_date = forms.DateField(label=lazy_field_label("patients", "birth_date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(label=lazy_field_label("patients", "sex"), required=False,
                            choices=[("", "—"), *lazy_code_choices("sex", SEXES)],
                            help_text=_("pre-fills the randomization form"))
    diagnosis_basis = forms.MultipleChoiceField(
        label=_("Diagnosis based on"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("clinical", _("clinical features")), ("mri", _("MRI")),
                 ("histology", _("histology"))])
    platelets = _lab("platelets")
    fibrinogen = _lab("fibrinogen")
    d_dimer = _lab("d_dimer")
    liver_function_adequate = forms.BooleanField(required=False,
                                                 label=_("Liver function adequate"))
    renal_function_adequate = forms.BooleanField(required=False,
                                                 label=_("Renal function adequate"))
    marrow_function_adequate = forms.BooleanField(required=False,
                                                  label=_("Bone marrow function adequate"))
    active_infection = forms.BooleanField(required=False, label=_("Active infection"))
    sirolimus_allergy = forms.BooleanField(required=False,
                                           label=_("Contraindication to sirolimus"))
    prior_mtor_inhibitor = forms.BooleanField(required=False,
                                              label=_("Earlier sirolimus or other mTOR inhibitor"))
    last_major_surgery = forms.DateField(required=False, label=_("Date of last major surgery"),
                                         widget=forms.DateInput(attrs={"type": "date"}))
    severe_concurrent_disease = forms.BooleanField(required=False,
                                                   label=_("Severe concurrent disease"))
    unable_to_comply = forms.BooleanField(required=False,
                                          label=_("Unwilling or unable to follow the protocol"))

    def __init__(self, *args, **kwargs):
        from khetrial.protocol.eligibility import PRIOR_KHE_THERAPIES

        super().__init__(*args, **kwargs)
        for therapy in PRIOR_KHE_THERAPIES:
            self.fields[f"last_{therapy}"] = forms.DateField(
                required=False,
                label=format_lazy(_("Date of last {therapy}"),
                                  therapy=_(THERAPY_LABELS[therapy])),
                widget=forms.DateInput(attrs={"type": "date"}),
                help_text=format_lazy(_("Publication, exclusion: {text}"),
                                      text=_(criteria.RECENT_KHE_THERAPY.text)))
        for name, criterion in CRITERION_OF_FIELD.items():
            kind = _("inclusion") if criterion.kind == "inclusion" else _("exclusion")
            self.fields[name].help_text = format_lazy(_("Publication, {kind}: {text}"),
                                                      kind=kind, text=_(criterion.text))

    def clean(self):
        from khetrial.errors import ProtocolError

        data = super().clean()
        if self.errors:
            return data
        try:
            self.result = evaluate(data)
        except ProtocolError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def record_screening_facts(screening, data: dict) -> None:
    """Keep what the screening form said about the child (birth date, sex, an earlier mTOR
    inhibitor) for randomization to agree with."""
    ScreeningFacts.objects.create(screening=screening, birth_date=data.get("birth_date"),
                                  sex=data.get("sex") or "",
                                  prior_mtor_inhibitor=bool(data.get("prior_mtor_inhibitor")))
