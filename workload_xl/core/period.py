"""Measurement periods: calendar months and 4-week periods (core layer).

Months are written "2026-10". A year of 4-week periods has 13 of them, written "2026-P07".
People type periods in many ways ("Oct 2026", "10/2026", a date Excel made of "2026-10"), so
parsing is forgiving about form and strict about meaning: the result is always canonical.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH = "month"
FOUR_WEEKS = "4 weeks"

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^([a-z]+)[\s\-/.,]*(\d{4})$")
_FOUR_WEEK = re.compile(r"^(\d{4})[\s\-/.]*p(?:eriod)?\s*(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Period:
    """One measurement period; `kind` is "month" or "4 weeks"."""

    year: int
    number: int
    kind: str = MONTH

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        return f"{self.year:04d}-P{self.number:02d}"

    @property
    def per_year(self) -> int:
        return 12 if self.kind == MONTH else 13

    def next(self) -> Period:
        if self.number < self.per_year:
            return Period(self.year, self.number + 1, self.kind)
        return Period(self.year + 1, 1, self.kind)

    def previous(self) -> Period:
        """The period before: December before January, P13 before P01."""
        if self.number > 1:
            return Period(self.year, self.number - 1, self.kind)
        return Period(self.year - 1, self.per_year, self.kind)


class PeriodError(ValueError):
    """The text is not a period; the message says what form is expected."""


def period_kind(value: str) -> str:
    """The kind of period a typed period is written as: FOUR_WEEKS for the 2026-P07 form,
    MONTH for anything else (so a month whose name has a 'p', such as Sept 2026, is a month),
    for commands that are given a period with no scheme to say its kind."""
    text = " ".join(value.replace("\u00a0", " ").split()).lower()
    return FOUR_WEEKS if _FOUR_WEEK.match(text) else MONTH


def parse_period(value: object, kind: str = MONTH) -> Period:
    """Read a period cell. Raises PeriodError with a message fit for a manager."""
    expected = "a month such as 2026-10" if kind == MONTH else "a 4-week period such as 2026-P07"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PeriodError(f"The period is blank. Type {expected}.")
    if isinstance(value, dt.datetime | dt.date):
        if kind != MONTH:
            raise PeriodError(f"This scheme measures 4-week periods: type {expected}, not a date.")
        return Period(value.year, value.month, MONTH)
    if isinstance(value, bool) or not isinstance(value, str):
        raise PeriodError(f"'{value}' is not a period. Type {expected}.")
    text = " ".join(value.replace("\u00a0", " ").split()).lower()

    four_week = _FOUR_WEEK.match(text)
    if four_week:
        if kind == MONTH:
            raise PeriodError(
                f"'{value}' is a 4-week period but this scheme measures months. Type {expected}."
            )
        year, number = int(four_week[1]), int(four_week[2])
        if not 1 <= number <= 13:
            raise PeriodError(f"'{value}': a year has 4-week periods P01 to P13.")
        return _checked(Period(year, number, FOUR_WEEKS), value)

    month: tuple[int, int] | None = None
    if m := _ISO_MONTH.match(text):
        month = (int(m[1]), int(m[2]))
    elif m := _MONTH_YEAR.match(text):
        month = (int(m[2]), int(m[1]))
    elif (m := _NAMED.match(text)) and m[1] in _MONTH_NAMES:
        month = (int(m[2]), _MONTH_NAMES[m[1]])
    if month is None:
        raise PeriodError(f"'{value}' is not a period. Type {expected}.")
    if kind != MONTH:
        raise PeriodError(
            f"'{value}' is a month but this scheme measures 4-week periods. Type {expected}."
        )
    if not 1 <= month[1] <= 12:
        raise PeriodError(f"'{value}': the month must be 01 to 12. Type {expected}.")
    return _checked(Period(month[0], month[1], MONTH), value)


def typed_period(value: str) -> Period:
    """A period typed as a command's option (--period, --from, --to, --recalculate-at): a
    month or a 4-week period, its kind read from how it is written, as every option reads it.
    Raises PeriodError with a message naming both forms when it is neither."""
    kind = period_kind(value)
    text = " ".join(value.replace("\u00a0", " ").split()).lower()
    if kind == MONTH and not (
        _ISO_MONTH.match(text)
        or _MONTH_YEAR.match(text)
        or ((m := _NAMED.match(text)) and m[1] in _MONTH_NAMES)
    ):
        raise PeriodError(
            f"'{value}' is not a period. Type a month such as 2026-10, or a 4-week period such "
            "as 2026-P07."
        )
    return parse_period(value, kind)


def _checked(period: Period, original: object) -> Period:
    if not 2000 <= period.year <= 2100:
        raise PeriodError(f"'{original}': the year {period.year} looks mistyped.")
    return period


def month_of(date: dt.date) -> Period:
    return Period(date.year, date.month, MONTH)


def previous_months(end: Period, count: int) -> list[Period]:
    """`count` consecutive months ending with `end`, oldest first (for demos and trends)."""
    index = end.year * 12 + end.number - 1
    return [Period(i // 12, i % 12 + 1, MONTH) for i in range(index - count + 1, index + 1)]
