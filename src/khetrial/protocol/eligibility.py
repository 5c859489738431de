"""Who may be randomized: the publication's inclusion and exclusion criteria.

Pub., "Study patients": "Patients were enrolled if they were between 0 and 14 years of age and
had KHE with KMP. ... Patients were required to have adequate liver, renal, and bone marrow
function and an absence of active infection. Key exclusion criteria were as follows: ..."

:func:`assess_eligibility` checks every criterion (it never stops at the first failure) and
returns an :class:`EligibilityResult` whose ``failed`` criteria carry a stable ``code`` (for
``screening.csv``'s ``reason`` column) and the protocol's own words.

Choices where the publication is silent (documented here and in the tests):

- *Age*: "between 0 and 14 years of age" is read as 0–14 completed years: eligible from the
  day of birth up to and including the day before the 15th birthday.
- *Enrollment date*: the screening date is the enrollment date for the washout criteria.
- *"within 1 week" / "within 2 weeks"*: inclusive — a therapy exactly 7 days (surgery exactly
  14 days) before the screening date still excludes; 8 (15) days before does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from khetrial.errors import ProtocolError
from khetrial.i18n import gettext_noop
from khetrial import constants as C
from khetrial.protocol._checks import Number, check_date, check_flag, completed_years, optional_exact
from khetrial.protocol.definitions import is_elevated_d_dimer, is_hypofibrinogenemia, is_kmp_thrombocytopenia


class DiagnosisBasis(str, Enum):
    """"the diagnosis of KHE was based on clinical features, magnetic resonance imaging (MRI),
    and/or histopathologic data"."""

    CLINICAL = "clinical"
    MRI = "mri"
    HISTOLOGY = "histology"


@dataclass(frozen=True)
class Criterion:
    """One inclusion or exclusion criterion: a stable code, its kind and the protocol's words."""

    code: str
    kind: str  # "inclusion" or "exclusion"
    text: str

    def to_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "text": self.text}


def _inc(code: str, text: str) -> Criterion:
    return Criterion(f"inclusion_{code}", "inclusion", text)


def _exc(code: str, text: str) -> Criterion:
    return Criterion(f"exclusion_{code}", "exclusion", text)


AGE = _inc("age", gettext_noop("between 0 and 14 years of age"))
DIAGNOSIS = _inc("diagnosis", gettext_noop("diagnosis of KHE based on clinical features, magnetic resonance imaging (MRI), "
                              "and/or histopathologic data"))
KMP = _inc("kmp", gettext_noop("KMP: a platelet count <100 × 10⁹/L, with consumptive coagulopathy and hypofibrinogenemia"))
ORGAN_FUNCTION = _inc("organ_function", gettext_noop("adequate liver, renal, and bone marrow function"))
NO_ACTIVE_INFECTION = _inc("no_active_infection", gettext_noop("an absence of active infection"))
SIROLIMUS_CONTRAINDICATION = _exc("sirolimus_contraindication", gettext_noop("contraindications for the administration of "
                                  "sirolimus (eg, an allergy to sirolimus or other rapamycin analogs)"))
PRIOR_MTOR_INHIBITOR = _exc("prior_mtor_inhibitor", gettext_noop("a history of treatment with sirolimus or other mTOR inhibitors"))
RECENT_KHE_THERAPY = _exc("recent_khe_therapy", gettext_noop("treated with the following KHE therapies within 1 week before "
                          "enrollment: embolization, sclerotherapy, corticosteroids, propranolol, and chemotherapy"))
RECENT_MAJOR_SURGERY = _exc("recent_major_surgery", gettext_noop("a history of a major surgery within 2 weeks before enrollment"))
SEVERE_CONCURRENT_DISEASE = _exc("severe_concurrent_disease", gettext_noop("concurrent severe and/or uncontrolled medical "
                                 "disease that could compromise participation in the study (eg, severe infection, "
                                 "severe malnutrition, chronic liver or renal disease, immunodeficiency, active "
                                 "upper gastrointestinal tract ulceration)"))
UNABLE_TO_COMPLY = _exc("unable_to_comply", gettext_noop("unwilling or unable to comply with the protocol"))

#: Every criterion, in the publication's order.
CRITERIA: tuple[Criterion, ...] = (AGE, DIAGNOSIS, KMP, ORGAN_FUNCTION, NO_ACTIVE_INFECTION,
                                   SIROLIMUS_CONTRAINDICATION, PRIOR_MTOR_INHIBITOR, RECENT_KHE_THERAPY,
                                   RECENT_MAJOR_SURGERY, SEVERE_CONCURRENT_DISEASE, UNABLE_TO_COMPLY)

#: The KHE therapies of the 1-week washout, as named in the publication.
PRIOR_KHE_THERAPIES = ("embolization", "sclerotherapy", "corticosteroids", "propranolol", "chemotherapy")


@dataclass(frozen=True)
class ScreeningInput:
    """What the screening form records. Labs in ×10⁹/L, g/L, µg/mL; ``None`` = not measured.

    ``last_khe_therapy`` maps a therapy of :data:`PRIOR_KHE_THERAPIES` to the date it was last
    given (absent = never given).
    """

    birth_date: date
    screening_date: date
    diagnosis_basis: frozenset[DiagnosisBasis] | tuple[DiagnosisBasis, ...]
    platelets: Number | None
    fibrinogen: Number | None
    d_dimer: Number | None
    liver_function_adequate: bool = True
    renal_function_adequate: bool = True
    marrow_function_adequate: bool = True
    active_infection: bool = False
    sirolimus_allergy: bool = False
    prior_mtor_inhibitor: bool = False
    last_khe_therapy: dict[str, date] = field(default_factory=dict)
    last_major_surgery: date | None = None
    severe_concurrent_disease: bool = False
    unable_to_comply: bool = False


@dataclass(frozen=True)
class FailedCriterion:
    """A criterion that is not met, and why (what was found)."""

    criterion: Criterion
    detail: str

    @property
    def code(self) -> str:
        return self.criterion.code

    def to_dict(self) -> dict:
        return {**self.criterion.to_dict(), "detail": self.detail}


@dataclass(frozen=True)
class EligibilityResult:
    """``eligible`` is True exactly when ``failed`` is empty."""

    eligible: bool
    failed: tuple[FailedCriterion, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.failed)

    def to_dict(self) -> dict:
        return {"eligible": self.eligible, "failed": [f.to_dict() for f in self.failed]}


def age_in_years(birth_date: date, on: date) -> int:
    """Completed years of age on ``on``, for Pub.'s "between 0 and 14 years of age"; a birth
    date after ``on`` is an input error."""
    birth, on = check_date(birth_date, "birth date"), check_date(on, "screening date")
    if birth > on:
        raise ProtocolError(f"birth date: got {birth}, after the screening date {on}; check both dates")
    return completed_years(birth, on)


def is_age_eligible(birth_date: date, on: date) -> bool:
    """"between 0 and 14 years of age": 0–14 completed years, i.e. up to the day before the
    15th birthday (a child is 14 until then)."""
    return C.ELIGIBLE_AGE_MIN_YEARS <= age_in_years(birth_date, on) <= C.ELIGIBLE_AGE_MAX_YEARS


def _days_before(event: date, name: str, screening: date) -> int:
    event = check_date(event, name)
    if event > screening:
        raise ProtocolError(f"{name}: got {event}, after the screening date {screening}; "
                            "give the date of the last treatment before screening")
    return (screening - event).days


def _kmp_detail(s: ScreeningInput) -> str | None:
    labs = {"platelets": optional_exact(s.platelets, "platelets", "×10⁹/L"),
            "fibrinogen": optional_exact(s.fibrinogen, "fibrinogen", "g/L"),
            "D-dimer": optional_exact(s.d_dimer, "D-dimer", "µg/mL")}
    missing = [name for name, value in labs.items() if value is None]
    if missing:
        return f"not measured: {', '.join(missing)}"
    problems = []
    if not is_kmp_thrombocytopenia(labs["platelets"]):
        problems.append(f"platelets {float(labs['platelets']):g} ×10⁹/L not <{C.KMP_PLATELET_THRESHOLD}")
    if not is_hypofibrinogenemia(labs["fibrinogen"]):
        problems.append(f"fibrinogen {float(labs['fibrinogen']):g} g/L not <{float(C.HYPOFIBRINOGENEMIA_THRESHOLD):g}")
    if not is_elevated_d_dimer(labs["D-dimer"]):
        problems.append(f"D-dimer {float(labs['D-dimer']):g} µg/mL not >{float(C.D_DIMER_ELEVATED_THRESHOLD):g}")
    return "; ".join(problems) or None


def _washout_detail(s: ScreeningInput) -> str | None:
    unknown = set(s.last_khe_therapy) - set(PRIOR_KHE_THERAPIES)
    if unknown:
        raise ProtocolError(f"last KHE therapy: got {', '.join(sorted(unknown))}; expected therapies among "
                            f"{', '.join(PRIOR_KHE_THERAPIES)}")
    recent = []
    for therapy in PRIOR_KHE_THERAPIES:
        if therapy in s.last_khe_therapy:
            days = _days_before(s.last_khe_therapy[therapy], f"last {therapy}", s.screening_date)
            if days <= C.PRIOR_KHE_THERAPY_WASHOUT_DAYS:
                recent.append(f"{therapy} {days} day(s) before screening")
    return "; ".join(recent) or None


def assess_eligibility(s: ScreeningInput) -> EligibilityResult:
    """Check every criterion of the publication's "Study patients" paragraph: "Patients were
    enrolled if they were between 0 and 14 years of age and had KHE with KMP. ... Patients were
    required to have adequate liver, renal, and bone marrow function and an absence of active
    infection. Key exclusion criteria were as follows: ..." (each criterion's words in its
    :class:`Criterion`; readings in the module doc).

    Returns the failed criteria in the publication's order, each with what was found.
    """
    if not isinstance(s, ScreeningInput):
        raise ProtocolError(f"expected a ScreeningInput, got {type(s).__name__}")
    screening = check_date(s.screening_date, "screening date")
    failed: list[FailedCriterion] = []

    def fail(criterion: Criterion, detail: str | None) -> None:
        if detail:
            failed.append(FailedCriterion(criterion, detail))

    age = age_in_years(s.birth_date, screening)
    fail(AGE, None if is_age_eligible(s.birth_date, screening) else f"{age} years old on {screening}")
    try:
        bases = {DiagnosisBasis(b) for b in s.diagnosis_basis}
    except (ValueError, TypeError):
        raise ProtocolError(f"diagnosis basis: got {s.diagnosis_basis!r}; expected any of "
                            f"{', '.join(b.value for b in DiagnosisBasis)}") from None
    fail(DIAGNOSIS, None if bases else "no diagnostic basis recorded")
    fail(KMP, _kmp_detail(s))
    organs = {"liver": s.liver_function_adequate, "renal": s.renal_function_adequate,
              "bone marrow": s.marrow_function_adequate}
    inadequate = [name for name, ok in organs.items() if not check_flag(ok, f"{name} function adequate")]
    fail(ORGAN_FUNCTION, f"inadequate {', '.join(inadequate)} function" if inadequate else None)
    fail(NO_ACTIVE_INFECTION, "active infection" if check_flag(s.active_infection, "active infection") else None)
    fail(SIROLIMUS_CONTRAINDICATION,
         "allergy to sirolimus or a rapamycin analog" if check_flag(s.sirolimus_allergy, "sirolimus allergy") else None)
    fail(PRIOR_MTOR_INHIBITOR,
         "treated with an mTOR inhibitor before" if check_flag(s.prior_mtor_inhibitor, "prior mTOR inhibitor") else None)
    fail(RECENT_KHE_THERAPY, _washout_detail(s))
    if s.last_major_surgery is not None:
        days = _days_before(s.last_major_surgery, "last major surgery", screening)
        fail(RECENT_MAJOR_SURGERY,
             f"major surgery {days} day(s) before screening" if days <= C.MAJOR_SURGERY_WASHOUT_DAYS else None)
    fail(SEVERE_CONCURRENT_DISEASE, "severe concurrent disease"
         if check_flag(s.severe_concurrent_disease, "severe concurrent disease") else None)
    fail(UNABLE_TO_COMPLY, "unwilling or unable to comply"
         if check_flag(s.unable_to_comply, "unable to comply") else None)
    return EligibilityResult(eligible=not failed, failed=tuple(failed))
