"""The screening form over the publication's criteria, and the one call into the protocol."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khetrial.bundle.format import LAB_RANGES, SEXES
from khetrial.edc.trial.models import ScreeningFacts
from khetrial.edc.web.forms import IdentifierField
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
                            label=f"{name.replace('_', '-')} ({rng.unit})")


class ScreeningForm(forms.Form):
    screening_id = IdentifierField(label="screening_id")
    date = forms.DateField(label="screening date", widget=forms.DateInput(attrs={"type": "date"}))
    birth_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(required=False, choices=[("", "—"), *((c, c) for c in SEXES)],
                            help_text="pre-fills the randomization form")
    diagnosis_basis = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("clinical", "clinical features"), ("mri", "MRI"), ("histology", "histology")])
    platelets = _lab("platelets")
    fibrinogen = _lab("fibrinogen")
    d_dimer = _lab("d_dimer")
    liver_function_adequate = forms.BooleanField(required=False)
    renal_function_adequate = forms.BooleanField(required=False)
    marrow_function_adequate = forms.BooleanField(required=False, label="bone marrow function adequate")
    active_infection = forms.BooleanField(required=False)
    sirolimus_allergy = forms.BooleanField(required=False, label="contraindication to the study drug")
    prior_mtor_inhibitor = forms.BooleanField(required=False, label="earlier mTOR inhibitor")
    last_major_surgery = forms.DateField(required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))
    severe_concurrent_disease = forms.BooleanField(required=False)
    unable_to_comply = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        from khetrial.protocol.eligibility import PRIOR_KHE_THERAPIES

        super().__init__(*args, **kwargs)
        for therapy in PRIOR_KHE_THERAPIES:
            self.fields[f"last_{therapy}"] = forms.DateField(
                required=False, label=f"last {therapy}",
                widget=forms.DateInput(attrs={"type": "date"}),
                help_text=_("Publication, exclusion: %(text)s") % {
                    "text": criteria.RECENT_KHE_THERAPY.text})
        for name, criterion in CRITERION_OF_FIELD.items():
            kind = _("inclusion") if criterion.kind == "inclusion" else _("exclusion")
            self.fields[name].help_text = _("Publication, %(kind)s: %(text)s") % {
                "kind": kind, "text": criterion.text}

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
