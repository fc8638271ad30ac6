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

from workload_xl.core.measurement import clean_text, is_blank


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


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


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


def points_per_fte(total_points: float, fte: float | None) -> float | None:
    """Points per full-time equivalent, the figure fairness is judged by; None without an FTE
    (blank or 0), never a division by zero."""
    return total_points / fte if fte else None


YES, NO = "yes", "no"
"""How the team return's "In team figures" column says whether a worker counts: the writers
put these, the readers accept them in any case and spacing, and the native totals count
"yes" (contracts.team)."""


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def read_yes_no(value: Any) -> bool | None:
    """True for yes, False for no (any case, any spacing); None for anything else."""
    text = clean_text(value).casefold()
    if text == YES:
        return True
    if text == NO:
        return False
    return None
