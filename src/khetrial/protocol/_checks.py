"""Input checks and exact numbers shared by the protocol modules (private).

Every check raises :class:`khetrial.errors.ProtocolError` with what was got, what was expected
and what to do. Numbers become :class:`fractions.Fraction` so that threshold comparisons are
exact on the decimal value as written (SAP: "Threshold comparisons are exact on the decimal
values as written"): ``99.9`` becomes ``999/10``, never the binary float just below it.
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from decimal import Decimal
from fractions import Fraction
from numbers import Real

from khetrial.errors import ProtocolError

Number = int | float | Decimal | Fraction | str


def exact(value: Number, name: str, *, minimum: Number | None = 0, maximum: Number | None = None,
          unit: str = "") -> Fraction:
    """``value`` as an exact Fraction, checked to be a finite number within the given bounds.

    Floats go through their shortest repr (``str(99.9) == "99.9"``), so they compare as the
    decimal number a person typed.
    """
    if isinstance(value, bool) or value is None:
        raise ProtocolError(f"{name}: got {value!r}; expected a number{_unit(unit)}")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            result = Fraction(str(value))
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError
            result = Fraction(value)
        elif isinstance(value, (int, Fraction)):
            result = Fraction(value)
        elif isinstance(value, str):
            result = Fraction(Decimal(value.strip()))
        elif isinstance(value, Real):
            result = Fraction(str(float(value)))
        else:
            raise TypeError
    except (ValueError, TypeError, ArithmeticError):
        raise ProtocolError(f"{name}: got {value!r}; expected a finite number{_unit(unit)}") from None
    low = None if minimum is None else exact(minimum, "minimum", minimum=None)
    high = None if maximum is None else exact(maximum, "maximum", minimum=None)
    if (low is not None and result < low) or (high is not None and result > high):
        if low is not None and high is not None:
            expected = f"expected {fmt(low)}–{fmt(high)}{_unit(unit)}"
        elif low is not None:
            expected = f"expected at least {fmt(low)}{_unit(unit)}"
        else:
            expected = f"expected at most {fmt(high)}{_unit(unit)}"
        raise ProtocolError(f"{name}: got {fmt(result)}{_unit(unit)}; {expected}; check the value and its unit")
    return result


def positive(value: Number, name: str, unit: str = "") -> Fraction:
    """``value`` as an exact Fraction that must be > 0 (a weight, a height, a dose)."""
    result = exact(value, name, minimum=None, unit=unit)
    if result <= 0:
        raise ProtocolError(f"{name}: got {fmt(result)}{_unit(unit)}; expected a number greater than 0{_unit(unit)}")
    return result


def optional_exact(value: Number | None, name: str, unit: str = "") -> Fraction | None:
    """Like :func:`exact` but ``None`` (not measured) passes through."""
    return None if value is None else exact(value, name, unit=unit)


def check_date(value: object, name: str) -> date:
    """``value`` must be a :class:`datetime.date` (a datetime is cut to its date)."""
    if not isinstance(value, date):
        raise ProtocolError(f"{name}: got {value!r}; expected a calendar date (YYYY-MM-DD)")
    return value if type(value) is date else date(value.year, value.month, value.day)


def check_choice(value: str, name: str, choices: tuple[str, ...] | frozenset[str]) -> str:
    """``value`` must be one of ``choices`` (compared as written, lower case)."""
    if not isinstance(value, str) or value not in choices:
        raise ProtocolError(f"{name}: got {value!r}; expected one of {', '.join(sorted(choices))}")
    return value


def check_flag(value: object, name: str) -> bool:
    """``value`` must be a real bool (``1``/``"yes"`` are refused to avoid silent truthiness)."""
    if not isinstance(value, bool):
        raise ProtocolError(f"{name}: got {value!r}; expected True or False")
    return value


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, as a Decimal (2.345 → 2.35)."""
    scaled = abs(value) * 10**decimals
    units = math.floor(scaled + Fraction(1, 2))
    if value < 0:
        units = -units
    return Decimal(units).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's last day
    (2026-01-31 + 1 month = 2026-02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def completed_years(birth: date, on: date) -> int:
    """Age in completed years on ``on`` (a 29 February birthday is reached on 1 March)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def fmt(value: Fraction | Decimal | int | float) -> str:
    """A number as a person writes it: ``Fraction(1, 2)`` → ``0.5``, ``Fraction(100)`` → ``100``."""
    if isinstance(value, Fraction) and value.denominator != 1:
        text = f"{Decimal(value.numerator) / Decimal(value.denominator):.10f}".rstrip("0").rstrip(".")
        return text
    return f"{float(value):g}" if not isinstance(value, int) else str(value)


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""
