"""Reading numbers and dates the way people type them into spreadsheets (core layer).

" 3 ", "3.0" and a 3 stored as text are plainly what the user meant: they are accepted and
reported as info, not rejected. Booleans, error values (#N/A), NaN and infinities are not
numbers, whatever Python thinks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from workload_xl.core.measurement import is_blank


@dataclass(frozen=True)
class Number:
    value: float | None
    status: str  # "ok", "text" (read from text), "blank", "invalid"

    @property
    def usable(self) -> bool:
        return self.value is not None


def read_number(value: Any) -> Number:
    if is_blank(value):
        return Number(None, "blank")
    if isinstance(value, bool):
        return Number(None, "invalid")
    if isinstance(value, int | float):
        number = float(value)
        return Number(number, "ok") if math.isfinite(number) else Number(None, "invalid")
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        try:
            number = float(text)
        except ValueError:
            return Number(None, "invalid")
        if not math.isfinite(number) or text.lower() in ("nan", "inf", "infinity", "-inf"):
            return Number(None, "invalid")
        return Number(number, "text")
    return Number(None, "invalid")


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def read_date(value: Any) -> dt.date | None:
    """A date from a date cell or from text in the forms UK users type; None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = " ".join(value.split())
        for form in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, form).date()
            except ValueError:
                continue
    return None


def fmt(number: float | None) -> str:
    """Numbers as people write them: 5, not 5.0; 2.5 stays 2.5."""
    if number is None:
        return ""
    return f"{number:.2f}".rstrip("0").rstrip(".") if number % 1 else f"{number:.0f}"
