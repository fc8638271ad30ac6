"""What every part of the CAPA maths shares (core layer).

How it refuses inputs, its rounding slack, and how it reads numbers, dates and hours as typed.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable

from workload_xl.core.findings import Finding, Refused, Severity


def raise_on_errors(found: Iterable[Finding]) -> None:
    """Refuse to compute (Refused, carrying the errors) when any finding is an error: the
    numbers would mean nothing."""
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        raise Refused(errors)


TOLERANCE = 1e-9
"""Rounding slack, so 0.1 + 0.2 hours never decides a rule or a status."""


def is_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))  # type: ignore[arg-type]
    )


def day(value: dt.date) -> dt.date:
    """A date, taking the day of a datetime (Excel hands dates over as datetimes)."""
    return value.date() if isinstance(value, dt.datetime) else value


def shown(value: object) -> str:
    """A date as 2026-10-01, anything else as typed ('blank' for nothing)."""
    if isinstance(value, dt.date):
        return day(value).isoformat()
    return "blank" if value is None else repr(value)


def day_or_none(value: object) -> dt.date | None:
    return day(value) if isinstance(value, dt.date) else None


def weekdays(start: dt.date, end: dt.date) -> set[dt.date]:
    if end < start:
        return set()
    days = (start + dt.timedelta(days=k) for k in range((end - start).days + 1))
    return {d for d in days if d.weekday() < 5}


def about(x: float) -> int:
    """Rounded to the nearest whole number, halves up (not Python's round-half-even)."""
    return math.floor(x + 0.5)


def hours_text(x: float) -> str:
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"
