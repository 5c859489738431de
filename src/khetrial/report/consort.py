"""The CONSORT flow diagram: counts from the bundle, drawn as HTML/CSS boxes (prints cleanly)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from khetrial.constants import ARM_LABELS, ARMS

REASON_LABELS = {
    "no_kmp": "No Kasabach-Merritt phenomenon", "prior_mtor_inhibitor": "Previous sirolimus / mTOR inhibitor",
    "consent_declined": "Parents declined to participate", "active_infection": "Active infection",
    "lack_of_efficacy": "Lack of efficacy", "progression": "Disease progression",
    "parent_request": "Parent request", "toxicity": "Toxicity", "lost_to_follow_up": "Lost to follow-up",
    "other": "Other",
}


@dataclass(frozen=True)
class ConsortCounts:
    """The flow diagram's numbers; ``screened`` is None when the bundle has no screening file."""

    screened: int | None
    excluded: dict[str, int]
    randomized: int
    allocated: dict[str, int]
    discontinued: dict[str, dict[str, int]] = field(default_factory=dict)
    analysed: dict[str, int] = field(default_factory=dict)


def derive_consort_counts(bundle) -> ConsortCounts:
    """Count screened, excluded (by reason), randomized, allocated, discontinued and analysed."""
    pts = bundle.patients
    scr = bundle.screening
    screened = int(len(scr)) if len(scr) else None
    excluded: dict[str, int] = {}
    if len(scr):
        failed = scr[scr["eligible"].fillna(0).astype(int) == 0]
        for reason, n in failed["reason"].astype("string").fillna("not given").value_counts(sort=False).sort_index().items():
            excluded[str(reason)] = int(n)
    allocated = {arm: int((pts["arm"].astype(str) == arm).sum()) for arm in ARMS}
    disp = bundle.disposition.merge(pts[["patient_id", "arm"]], on="patient_id")
    disp = disp[disp["status"].astype(str) == "discontinued"]
    discontinued = {arm: {str(r): int(n) for r, n in disp[disp["arm"].astype(str) == arm]["reason"]
                          .astype("string").fillna("not given").value_counts().sort_index().items()}
                    for arm in ARMS}
    return ConsortCounts(screened=screened, excluded=excluded, randomized=int(len(pts)), allocated=allocated,
                         discontinued=discontinued, analysed=dict(allocated))


def _box(title: str, lines: list[str] = (), cls: str = "") -> str:
    body = "".join(f"<div class='consort-line'>{escape(x)}</div>" for x in lines)
    return f"<div class='consort-box {cls}'><div class='consort-title'>{escape(title)}</div>{body}</div>"


def consort_html(c: ConsortCounts) -> str:
    """The diagram as nested HTML boxes with CSS arrows (see report.css ``.consort``)."""
    top = []
    if c.screened is not None:
        excl = sum(c.excluded.values())
        top.append("<div class='consort-row consort-split'>"
                   + _box(f"Assessed for eligibility (n = {c.screened})")
                   + _box(f"Excluded (n = {excl})",
                          [f"{REASON_LABELS.get(r, r.replace('_', ' '))}: {n}" for r, n in c.excluded.items()],
                          "consort-side") + "</div>")
    top.append("<div class='consort-row'>" + _box(f"Randomized (n = {c.randomized})") + "</div>")
    arms = []
    for arm in ARMS:
        stops = c.discontinued.get(arm, {})
        lines = [f"{REASON_LABELS.get(r, r)}: {n}" for r, n in stops.items()] or ["none"]
        arms.append("<div class='consort-col'>"
                    + _box(f"Allocated to {ARM_LABELS[arm].lower()} (n = {c.allocated[arm]})",
                           ["Received the allocated treatment"])
                    + _box(f"Discontinued study treatment (n = {sum(stops.values())})", lines)
                    + _box(f"Analysed, intention to treat (n = {c.analysed.get(arm, 0)})",
                           ["Excluded from analysis: 0"]) + "</div>")
    return ("<div class='consort'>" + "".join(top)
            + "<div class='consort-row consort-arms'>" + "".join(arms) + "</div></div>")
