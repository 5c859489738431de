"""Treatment failure and discontinuation of the study drug.

Pub., "Study intervention": "A requirement for any additional KHE- or KMP-specific
intervention was considered treatment failure." and "Major criteria for the discontinuation
of the study drug included evidence of clinically and radiologically progressive disease,
parent request, and toxicities precluding further therapy. In the case of disease
progression, the study drug was withdrawn and the choice of alternative therapy was left at
the discretion of the treating investigators."

Which courses count as an *additional* intervention follows the SAP's intercurrent events
(``docs/analysis-plan.md``, "Censoring"): any ``other_khe_therapy`` started after day
0; in arm S any prednisolone started after day 0 (rescue steroid); in arm SP a prednisolone
course started after day 0 and more than 7 days after the latest end of the earlier courses
(reintroduction). Drug names and reasons are the bundle format's vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import check_choice, check_date, check_flag

DRUGS = ("sirolimus", "prednisolone", "other_khe_therapy", "tmp_smx")
PROGRESSION, PARENT_REQUEST, TOXICITY = "progression", "parent_request", "toxicity"


@dataclass(frozen=True)
class Course:
    """A medication course as in ``medications.csv`` (``end`` ``None`` = still running)."""

    drug: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class FailureAssessment:
    """``failed`` with the date of the first additional intervention and what it was."""

    failed: bool
    on: date | None = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"failed": self.failed, "on": self.on.isoformat() if self.on else None, "reason": self.reason}


def _is_reintroduction(course: Course, earlier: list[Course]) -> bool:
    ends = [c.end for c in earlier if c.end is not None and c.start < course.start]
    running = [c for c in earlier if c.end is None and c.start < course.start]
    if running or not ends:
        return False
    return (course.start - max(ends)).days > C.PREDNISOLONE_REINTRODUCTION_GAP_DAYS


def assess_treatment_failure(arm: str, randomized: date, courses: Iterable[Course]) -> FailureAssessment:
    """Whether (and from when) an additional KHE/KMP-specific intervention made this a
    treatment failure: Pub., "A requirement for any additional KHE- or KMP-specific intervention
    was considered treatment failure." Which courses count follows the SAP's intercurrent
    events (module doc)."""
    check_choice(arm, "arm", C.ARMS)
    day0 = check_date(randomized, "randomization date")
    courses = sorted(courses, key=lambda c: c.start)
    for course in courses:
        check_choice(course.drug, "drug", DRUGS)
        check_date(course.start, f"{course.drug} start")
        if course.end is not None and check_date(course.end, f"{course.drug} end") < course.start:
            raise ProtocolError(f"{course.drug} course ends {course.end} before it starts {course.start}; "
                                "check the dates")
    prednisolone = [c for c in courses if c.drug == "prednisolone"]
    for course in courses:
        if course.start <= day0:
            continue
        if course.drug == "other_khe_therapy":
            return FailureAssessment(True, course.start, "additional KHE- or KMP-specific therapy")
        if course.drug == "prednisolone" and arm == C.ARM_CONTROL:
            return FailureAssessment(True, course.start, "rescue corticosteroid in the sirolimus-alone arm")
        if course.drug == "prednisolone" and _is_reintroduction(course, [c for c in prednisolone if c is not course]):
            return FailureAssessment(True, course.start, "prednisolone reintroduced more than "
                                     f"{C.PREDNISOLONE_REINTRODUCTION_GAP_DAYS} days after it was stopped")
    return FailureAssessment(False)


@dataclass(frozen=True)
class DiscontinuationAdvice:
    """``discontinue`` with the reasons (disposition codes) and what the protocol says next."""

    discontinue: bool
    reasons: tuple[str, ...]
    note: str

    def to_dict(self) -> dict:
        return {"discontinue": self.discontinue, "reasons": list(self.reasons), "note": self.note}


def discontinuation_advice(*, progressive_disease: bool = False, parent_request: bool = False,
                           toxicity_precluding_therapy: bool = False, clinically_progressive: bool = False,
                           radiologically_progressive: bool = False) -> DiscontinuationAdvice:
    """The publication's "major criteria for the discontinuation of the study drug": "evidence of
    clinically and radiologically progressive disease, parent request, and toxicities precluding
    further therapy". Progression needs both: ``progressive_disease`` (both established) or
    ``clinically_progressive`` and ``radiologically_progressive`` together; one alone is not a
    criterion and the note asks for the other. Reasons use ``disposition.csv``'s codes
    (``progression``, ``parent_request``, ``toxicity``)."""
    clinical = check_flag(clinically_progressive, "clinically progressive")
    radiological = check_flag(radiologically_progressive, "radiologically progressive")
    progression = check_flag(progressive_disease, "progressive disease") or (clinical and radiological)
    flags = ((PROGRESSION, progression),
             (PARENT_REQUEST, check_flag(parent_request, "parent request")),
             (TOXICITY, check_flag(toxicity_precluding_therapy, "toxicity precluding therapy")))
    reasons = tuple(code for code, present in flags if present)
    if PROGRESSION in reasons:
        note = ("withdraw the study drug; alternative therapy is at the treating investigator's discretion "
                "(any additional KHE/KMP-specific intervention is a treatment failure)")
    elif reasons:
        note = "discontinue the study drug and record the disposition"
    else:
        note = "no discontinuation criterion is met"
    if not progression and (clinical or radiological):
        found, missing = ("radiological", "clinical") if radiological else ("clinical", "radiological")
        note += (f"; {found} progression alone is not a criterion (the publication requires clinically and "
                 f"radiologically progressive disease): assess {missing} progression")
    return DiscontinuationAdvice(bool(reasons), reasons, note)
