"""What randomization fixes for good: a randomized patient's id, arm, site and date.

Project choice (issue 16 item 3): the arm comes from the concealed allocation list, the site
is the stratum the list was drawn for and the randomization date starts every window; none of
them may change afterwards through a form, the API or a bundle import (``--replace``). A used
allocation entry likewise keeps its arm, site, position and patient. Pure functions over
``{field: value-as-text}`` mappings (the audit trail's view of a row).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ALLOCATION_ENTRY_FIELDS", "FROZEN_FIELDS", "frozen_changes", "is_randomized",
           "refusal", "used_entry_changes"]

FROZEN_FIELDS = ("patient_id", "arm", "site", "randomization_date")
ALLOCATION_ENTRY_FIELDS = ("site_code", "position", "arm", "patient_id")


def is_randomized(values: Mapping[str, object]) -> bool:
    """A patient row with an arm or a randomization date has been randomized."""
    return bool(_text(values.get("arm")) or _text(values.get("randomization_date")))


def frozen_changes(old: Mapping[str, object],
                   new: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """``(field, old, new)`` for each frozen field a change of a randomized patient's row
    would alter; empty when the patient was not randomized or nothing frozen changes."""
    if not is_randomized(old):
        return []
    return [(f, _text(old.get(f)), _text(new.get(f))) for f in FROZEN_FIELDS
            if f in new and _text(old.get(f)) != _text(new.get(f))]


def used_entry_changes(old: Mapping[str, object],
                       new: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """The same for an allocation entry already used for a patient."""
    if not _text(old.get("patient_id")):
        return []
    return [(f, _text(old.get(f)), _text(new.get(f))) for f in ALLOCATION_ENTRY_FIELDS
            if f in new and _text(old.get(f)) != _text(new.get(f))]


def refusal(patient_id: str, changes: list[tuple[str, str, str]], *,
            show_values: bool = True) -> str:
    """One sentence naming the patient and each field (``old -> new`` unless hidden)."""
    parts = [f"{f} {old or '(empty)'} -> {new or '(empty)'}" if show_values else f
             for f, old, new in changes]
    return (f"patient {patient_id}: {', '.join(parts)} refused; the arm, site and "
            "randomization date of a randomized patient never change (project choice)")


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
