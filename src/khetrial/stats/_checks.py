"""Input checks shared by the statistics modules; they raise the project's errors."""

from __future__ import annotations

import numbers

from khetrial.errors import ProtocolError


def check_count(events: object, n: object, name: str = "group") -> tuple[int, int]:
    """Return ``(events, n)`` as ints after checking ``0 ≤ events ≤ n`` and ``n ≥ 1``."""
    for label, value in (("events", events), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ProtocolError(
                f"{name}: {label} must be a whole number, got {value!r}; pass counts of patients")
    events, n = int(events), int(n)
    if n < 1:
        raise ProtocolError(f"{name}: n must be at least 1, got {n}; a proportion needs patients")
    if not 0 <= events <= n:
        raise ProtocolError(
            f"{name}: events must be between 0 and n = {n}, got {events}; check the counts")
    return events, n


def check_level(level: object) -> float:
    """Return ``level`` as a float after checking ``0 < level < 1``."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ProtocolError(
            f"confidence level must be a number strictly between 0 and 1, got {level!r}; "
            "use e.g. 0.95 for a 95 % interval")
    return float(level)
