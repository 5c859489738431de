"""The month-12 decision: continue sirolimus, taper and stop it, or stop for progression.

Pub., "Study intervention": "Treatment was continued for at least 12 months in patients who
showed disease stabilization or improvement." "In both treatment groups, sirolimus was tapered
and discontinued after complete or nearly complete resolution of KHE or if no further
improvement of tumor lesion and symptoms was observed after month 12 (for 12 weeks of
observation)." "The anticipated length of treatment with sirolimus was 12 months; however,
patients with a favorable response were given the option to continue treatment". Progression
is a discontinuation criterion (:mod:`khetrial.protocol.failure`).

Progression stops the study drug only when it is "clinically and radiologically progressive
disease" (Pub.): MRI growth (``lesion_response="growth"``) together with
``clinical_progression``, or ``progressive_disease`` (both already established). Growth on MRI
alone, or clinical worsening alone, is not a discontinuation criterion: the advice says so
and asks for the other assessment.

Reading: month 12 is the calendar date 12 months after randomization. The 12 weeks of
observation start at month 12 or at the last improvement seen after it, whichever is later;
when they have passed without improvement, sirolimus is tapered and stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import add_months, check_choice, check_date, check_flag

LESION_RESPONSES = ("complete", "nearly_complete", "partial", "no_change", "growth")
CONTINUE, TAPER_AND_STOP, STOP = "continue", "taper_and_stop", "stop"


@dataclass(frozen=True)
class ContinuationDecision:
    """``action`` is ``continue``, ``taper_and_stop`` or ``stop``; ``reassess_on`` says when the
    question comes up again (``None`` once decided)."""

    action: str
    reason: str
    month12: date
    reassess_on: date | None = None

    def to_dict(self) -> dict:
        return {"action": self.action, "reason": self.reason, "month12": self.month12.isoformat(),
                "reassess_on": self.reassess_on.isoformat() if self.reassess_on else None}


def sirolimus_continuation(randomized: date, on: date, lesion_response: str | None = None,
                           last_improvement_on: date | None = None,
                           progressive_disease: bool = False,
                           clinical_progression: bool = False) -> ContinuationDecision:
    """What the protocol says about sirolimus on ``on``: Pub., "Treatment was continued for at
    least 12 months in patients who showed disease stabilization or improvement"; "sirolimus was
    tapered and discontinued after complete or nearly complete resolution of KHE or if no further
    improvement of tumor lesion and symptoms was observed after month 12 (for 12 weeks of
    observation)" (readings in the module doc).

    ``lesion_response`` is the latest MRI response category (``complete``, ``nearly_complete``,
    ``partial``, ``no_change``, ``growth``); ``last_improvement_on`` the latest date at which
    the lesion or symptoms were seen to improve; ``clinical_progression`` that the disease
    progresses clinically; ``progressive_disease`` that it is both clinically and radiologically
    progressive (Pub., "evidence of clinically and radiologically progressive disease").
    """
    day0, on = check_date(randomized, "randomization date"), check_date(on, "decision date")
    if on < day0:
        raise ProtocolError(f"decision date: got {on}, before randomization on {day0}; check both dates")
    if lesion_response is not None:
        check_choice(lesion_response, "lesion response", LESION_RESPONSES)
    month12 = add_months(day0, C.MIN_TREATMENT_MONTHS)
    clinical = check_flag(clinical_progression, "clinical progression")
    radiological = lesion_response == "growth"
    if check_flag(progressive_disease, "progressive disease") or (clinical and radiological):
        return ContinuationDecision(STOP, "clinically and radiologically progressive disease: withdraw the study "
                                    "drug (discontinuation criterion, publication)", month12)
    partial = ""
    if radiological or clinical:
        found, missing = ("growth on MRI", "clinical") if radiological else ("clinical progression", "radiological")
        partial = (f"{found} without {missing} progression is not a discontinuation criterion (publication: "
                   f"\"clinically and radiologically progressive disease\"); assess {missing} progression. ")
    if on < month12:
        return ContinuationDecision(CONTINUE, partial + "treatment is continued for at least 12 months", month12,
                                    month12)
    if lesion_response in C.LESION_GOOD_RESPONSE:
        return ContinuationDecision(TAPER_AND_STOP, f"{lesion_response.replace('_', ' ')} resolution after month 12: "
                                    "taper and discontinue sirolimus (a favorable response may continue "
                                    "with serial follow-up)", month12)
    observed_from = month12
    if last_improvement_on is not None:
        observed_from = max(month12, check_date(last_improvement_on, "last improvement"))
    observation_end = observed_from + timedelta(C.NO_IMPROVEMENT_OBSERVATION_WEEKS * C.DAYS_PER_WEEK)
    if on >= observation_end:
        return ContinuationDecision(TAPER_AND_STOP, partial + f"no further improvement during {C.NO_IMPROVEMENT_OBSERVATION_WEEKS} "
                                    f"weeks of observation since {observed_from}: taper and discontinue sirolimus",
                                    month12)
    return ContinuationDecision(CONTINUE, partial + f"observe for {C.NO_IMPROVEMENT_OBSERVATION_WEEKS} weeks after "
                                f"{observed_from}; taper if there is no further improvement by {observation_end}",
                                month12, observation_end)
