"""Reading text, numbers, dates and yes/no the way people type them into spreadsheets, and the
FTE range and points per FTE: each value rule declared once (core layer).

" 3 ", "3.0" and a 3 stored as text are plainly what the user meant: they are accepted and
reported as info, not rejected. Booleans, error values (#N/A), NaN and infinities are not
numbers, whatever Python thinks.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, NamedTuple


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.replace("\u00a0", " ").strip())


def clean_text(value: Any) -> str:
    """Text as a person means it: trimmed, non-breaking spaces as spaces, numbers as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


FTE_MIN = 0.01
"""The smallest full-time equivalent a sheet or a return may give: about 20 minutes a week.
Anything smaller is a slip (0.006 typed for 0.6), and points divided by it are meaningless (an
FTE of 1e-307 makes points per FTE infinite)."""
FTE_MAX = 1.0
FTE_RANGE = f"at least {FTE_MIN:g} and at most {FTE_MAX:g}"
"""The range in words, for messages: 'FTE is 2; it must be at least 0.01 and at most 1.'"""


def fte_in_range(value: float) -> bool:
    """Whether an FTE is one the worker sheet, the team return and the add-in accept (NaN is
    not)."""
    return FTE_MIN <= value <= FTE_MAX


class Number(NamedTuple):
    """A cell read as a number: its value (None unless usable) and how it was read.

    A named tuple, as the standard library returns parsed pairs: made for every number cell
    read, and its class costs a fifth of a frozen dataclass's to make at every start-up."""

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
        if "_" in text:  # float() reads "1_5" as 15, as in source code; Excel keeps it as text
            return Number(None, "invalid")
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
