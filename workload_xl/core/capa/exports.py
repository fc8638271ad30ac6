"""A clinical system's monthly activity export, read row by row into what each clinician
delivered a month (core layer).

Clinical systems export activity in one of two shapes: one row per clinician per month (counts
of Choice appointments, new Core Partnerships and Core appointments), or one row per
appointment (its date, clinician and appointment type, sometimes the referral date and the
date of the Choice appointment). Their headings and appointment-type words vary, so a mapping
file (schemes/capa/activity-export.toml, read by `parse_activity_mapping`) says how to read
them, compared as the caseload import compares its columns and case types (`report_key`:
letter case, spaces and punctuation ignored). An appointment type it does not know is counted
in nothing and reported, never guessed.

The rows arrive as an iterator and are counted as they pass, so a million-row export is never
held in memory: what is kept is a count per clinician and month, a histogram of waits in days
per month, and at most `MAX_ROW_FINDINGS` findings per rule (the rest are counted and said in
one more finding). Rows are numbered as the user sees them, so each finding names its cell.

Choices a reader of the figures should know:

- Clinicians' names are matched to the job plan's ignoring letter case, spaces and accents
  ("Léna Ortiz" is Lena Ortiz); a name still unmatched gets "did you mean" the closest job
  plan name when one is close.
- A row for a clinician with no job plan (or with no clinician), a date that is not one or
  lies outside 2000 to the day the export is read, or an appointment type the mapping does
  not know: each a finding at its row, and that row is counted in nothing.
- In the monthly shape a count that is not a whole number of 0 or more, or is blank, is a
  finding at its cell (`read_count`: in a semicolon-separated file a comma is a decimal comma,
  so "3,5" is 3.5, not whole; elsewhere a comma may only separate thousands, "1,234", so "1,5"
  is refused, never 15), and that clinician's figure for the month is a gap (None), never a 0:
  a blank is a count the export did not give, not a count of none.
- In the monthly shape two rows for the same clinician and month are added together (exports
  split by clinic or site); a gap in one makes the sum a gap. A clinician with no row in a
  month the export covers is said by the service (`activity-clinician-missing`).
- In the appointment shape a "new_core" appointment (the first of a Core Partnership) counts
  as a new Core Partnership and as a Core appointment; a wait is counted for a Choice
  appointment with a referral date, and for a first Core appointment with a Choice date, in
  the month of the appointment.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from workload_xl.core.caseload import MAX_TITLE_ROWS  # as far down as for caseload reports
from workload_xl.core.cells import address
from workload_xl.core.findings import Finding, Refused
from workload_xl.core.paths import activity_mapping_file
from workload_xl.core.rules import finding
from workload_xl.core.schemes import report_key
from workload_xl.core.values import clean_text, fmt, read_date

CHOICE, NEW_CORE, CORE, IGNORE = "choice", "new_core", "core", "ignore"
CATEGORIES = (CHOICE, NEW_CORE, CORE, IGNORE)
"""What an appointment type counts as, in the mapping file's words."""
COUNTS = (CHOICE, NEW_CORE, CORE)
"""The three figures a clinician delivers a month, by key."""

COLUMN_KEYS = (
    "clinician",
    "month",
    "choice",
    "new_core",
    "core",
    "date",
    "appointment_type",
    "referral_date",
    "choice_date",
)
"""The keys of the mapping file's [columns] table."""

MONTHLY = "one row per clinician per month"
APPOINTMENTS = "one row per appointment"
SHAPES = (MONTHLY, APPOINTMENTS)

MAX_ROW_FINDINGS = 20
"""Findings of one rule given row by row; the rest are counted in one more finding, so a
million bad rows give a readable list, not a million lines."""
MAX_DISTINCT = 10_000
"""Distinct texts remembered (clinicians, types, dates); beyond it the cache starts again, so
an export of a million different values cannot fill memory."""
EARLIEST = dt.date(2000, 1, 1)
"""No CAPA activity export holds a real appointment before this: an earlier date is a typing
or export mistake."""
MAX_MAPPING_BYTES = 256 * 1024


# --- the mapping file ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityMapping:
    """How an export's headings and appointment types are read: `columns` by key
    (COLUMN_KEYS) to the headings it may have, `types` from a folded appointment type to its
    category (CATEGORIES)."""

    columns: dict[str, tuple[str, ...]]
    types: dict[str, str]
    source: str = ""

    def category(self, appointment_type: str) -> str | None:
        return self.types.get(report_key(appointment_type))


def parse_activity_mapping(text: str, source: str) -> ActivityMapping:
    """The mapping file's text, checked; Refused with one `activity-mapping-invalid` finding
    naming the key that is wrong and how to put it right."""

    def bad(where: str, problem: str) -> Refused:
        return Refused(
            finding(
                "activity-mapping-invalid",
                f"The activity mapping file {source}: {where} {problem}. Correct the file, or "
                "delete your copy to use the one that comes with the tool.",
                workbook=source,
                field=where,
            )
        )

    if len(text.encode("utf-8", "replace")) > MAX_MAPPING_BYTES:
        raise bad("the file", f"is larger than {MAX_MAPPING_BYTES // 1024} KB")
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise bad("the file", f"is not valid TOML ({exc})") from None
    unknown = set(data) - {"columns", "appointment_types"}
    if unknown:
        raise bad(sorted(unknown)[0], "is not a table the file has (columns, appointment_types)")
    raw_columns = data.get("columns", {})
    if not isinstance(raw_columns, dict):
        raise bad("columns", "must be a table of key = [headings]")
    columns: dict[str, tuple[str, ...]] = {}
    for key, headings in raw_columns.items():
        if key not in COLUMN_KEYS:
            raise bad(f"columns.{key}", f"is not a column key ({', '.join(COLUMN_KEYS)})")
        if not (
            isinstance(headings, list)
            and all(isinstance(h, str) and report_key(h) for h in headings)
        ):
            raise bad(f"columns.{key}", 'must be a list of headings such as ["Clinician"]')
        columns[key] = tuple(headings)
    for key in ("clinician",):
        if not columns.get(key):
            raise bad(f"columns.{key}", "is missing: every export names its clinician")
    raw_types = data.get("appointment_types", {})
    if not isinstance(raw_types, dict):
        raise bad("appointment_types", 'must be a table of "type" = "choice"')
    types: dict[str, str] = {}
    for word, category in raw_types.items():
        where = f"appointment_types.{word!r}"
        if category not in CATEGORIES:
            raise bad(where, f"is {category!r}; it must be one of {', '.join(CATEGORIES)}")
        key = report_key(word)
        if not key:
            raise bad(where, "has no letter or digit, so no appointment type could match it")
        if types.get(key, category) != category:
            raise bad(where, "is listed twice (ignoring case and spaces) with two meanings")
        types[key] = category
    return ActivityMapping(columns=columns, types=types, source=source)


def load_activity_mapping(path: Path | None = None) -> ActivityMapping:
    """The mapping file at `path` (the shipped one, or the schemes folder's, by default);
    Refused with `activity-mapping-invalid` when it cannot be read or is wrong."""
    path = path or activity_mapping_file()
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise Refused(
            finding(
                "activity-mapping-invalid",
                f"The activity mapping file {path} cannot be read ({exc.strerror or exc}). "
                "Check its name, or leave --mapping out to use the one that comes with the tool.",
                workbook=str(path),
            )
        ) from None
    return parse_activity_mapping(raw.decode("utf-8", errors="replace"), str(path))


# --- what an export holds -----------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """What one clinician delivered in one month ("2026-06"), as the export counts it."""

    month: str
    clinician: str
    choice: float | None = 0.0
    new_core: float | None = 0.0
    core: float | None = 0.0
    """A figure None is a gap: a count blank or not a count in the export."""


@dataclass(frozen=True)
class WaitTally:
    """The waits of one month for one stream ("choice": referral to Choice; "core": Choice to
    the first Core appointment), as (days, how many) pairs in order of days."""

    stream: str
    month: str
    days: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ActivityExport:
    """An export counted: `shape` None when no headings for either shape were found (the
    findings say which are missing); `months` every month that has a counted row."""

    source: str
    sheet: str = ""
    shape: str | None = None
    header_row: int | None = None
    rows_read: int = 0
    delivered: tuple[Delivered, ...] = ()
    months: tuple[str, ...] = ()
    waits: tuple[WaitTally, ...] = ()
    waits_from: tuple[str, ...] = ()
    """The wait streams the export has the dates for ("choice", "core")."""
    findings: tuple[Finding, ...] = ()

    @property
    def usable(self) -> bool:
        return self.shape is not None and bool(self.months)


# --- reading values -----------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_NAMES = ("%b %Y", "%B %Y", "%b-%Y", "%B-%Y", "%b %y", "%b-%y", "%m/%Y")


def month_of(value: Any) -> str | None:
    """A month as "2026-06" from a date, or from text as exports write it (2026-06, Jun 2026,
    June 2026, 06/2026, or a date in the month); None if it is none of those."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = clean_text(value)
    match = _MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    for form in _MONTH_NAMES:
        try:
            day = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return f"{day.year:04d}-{day.month:02d}"
    day = date_of(value)
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


def date_of(value: Any) -> dt.date | None:
    """A date from a date cell or text (2026-06-03, 03/06/2026 and the forms UK users type;
    a time after the date, as systems export it, is left off)."""
    if isinstance(value, dt.date):
        return read_date(value)
    text = clean_text(value)
    if len(text) >= 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    if " " in text and ":" in text:  # "03/06/2026 09:30"
        text = text.split(" ")[0]
    return read_date(text)


_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
"""A count with commas that separate thousands: 1,234 and 1,234,567 (with a decimal point
after, 1,234.0, as a spreadsheet may save it)."""
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
"""A count written with a decimal comma, 3,5 or 3,0, as a semicolon-separated file (Excel's
CSV in much of Europe) writes decimals."""
_THREE_AFTER = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")
"""1,000 or 1.000: in a semicolon-separated file either a decimal mark with three places or a
thousands separator (as much of Europe writes 1.000), so 1 or 1000: never guessed."""


class Count(NamedTuple):
    """A count read: `value` None unless it is a whole number 0 or more; `problem` why not
    ("blank", "not-number", "negative", "fraction", "grouping", "ambiguous": 1,000 or 1.000
    in a semicolon-separated file, 1 or 1000); `read` the number it reads
    as when it is one ("3,5" in a semicolon-separated file reads as 3.5)."""

    value: float | None
    problem: str = ""
    read: float | None = None


def read_count(value: Any, decimal_comma: bool = False) -> Count:
    """A count: a whole number 0 or more. A comma in text is a decimal comma when
    `decimal_comma` (a semicolon-separated file: "3,5" is 3.5, not whole, and "3,0" is 3,
    but "1,000" and "1.000", 1 or 1000, are refused);
    otherwise it may only separate thousands, grouping the digits in threes ("1,234"), and
    "1,5" or "12,0" is refused, never read as 15 or 120. Blank is a problem too: a count the
    export did not give is not a count of none."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return Count(None, "blank")
    if isinstance(value, bool):
        return Count(None, "not-number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean_text(value)
        if "_" in text:  # float() reads "1_5" as 15; no export writes a count so
            return Count(None, "not-number")
        if "," in text:
            if decimal_comma:
                if not _DECIMAL_COMMA.fullmatch(text):
                    return Count(None, "not-number")
                text = text.replace(",", ".")
            elif _GROUPED.fullmatch(text):
                text = text.replace(",", "")
            else:
                return Count(None, "grouping")
        try:
            number = float(text)
        except ValueError:
            return Count(None, "not-number")
    if number != number or number in (float("inf"), float("-inf")):
        return Count(None, "not-number")
    if number < 0:
        return Count(None, "negative", number)
    if not number.is_integer():
        return Count(None, "fraction", number)
    if decimal_comma and isinstance(value, str) and _THREE_AFTER.fullmatch(clean_text(value)):
        return Count(None, "ambiguous", number)
    return Count(number, "", number)


def count_of(value: Any, decimal_comma: bool = False) -> float | None:
    """A count: a whole number 0 or more; None for anything else (`read_count` says why)."""
    return read_count(value, decimal_comma).value


def month_in_range(month: str, today: dt.date) -> bool:
    return f"{EARLIEST.year:04d}-01" <= month <= f"{today.year:04d}-{today.month:02d}"


# --- counting -----------------------------------------------------------------------------


def _columns(row: Sequence[Any], mapping: ActivityMapping) -> dict[str, int]:
    folded = [report_key(clean_text(cell)) for cell in row]
    found = {}
    for key, names in mapping.columns.items():
        for name in names:
            k = report_key(name)
            if k in folded:
                found[key] = folded.index(k)
                break
    return found


def _shape(found: dict[str, int]) -> str | None:
    if "clinician" in found and "month" in found and any(k in found for k in COUNTS):
        return MONTHLY
    if "clinician" in found and "date" in found and "appointment_type" in found:
        return APPOINTMENTS
    return None


@dataclass
class _Tally:
    """What is kept while the rows go by."""

    source: str
    sheet: str
    today: dt.date
    report: str
    findings: list[Finding] = field(default_factory=list)
    shown: Counter = field(default_factory=Counter)
    more: Counter = field(default_factory=Counter)
    totals: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    waits: dict[tuple[str, str], Counter] = field(default_factory=dict)
    unknown: dict[str, list] = field(default_factory=dict)
    unmapped: dict[str, list] = field(default_factory=dict)
    holes: set[tuple[str, str, int]] = field(default_factory=set)
    """(month, clinician, figure) a count was blank or not a count for: a gap."""
    plan_names: tuple[str, ...] = ()
    decimal_comma: bool = False
    """A comma in a count is a decimal comma (the export is semicolon-separated)."""

    def add(self, rule: str, message: str, **where: Any) -> None:
        if self.shown[rule] >= MAX_ROW_FINDINGS:
            self.more[rule] += 1
            return
        self.shown[rule] += 1
        self.findings.append(
            finding(rule, message, workbook=self.source, sheet=self.sheet, **where)
        )

    def remember(self, store: dict[str, list], key: str, text: str, row: int, cell: str) -> None:
        seen = store.get(key)
        if seen is None:
            if len(store) < MAX_DISTINCT:
                store[key] = [text, row, cell, 1]
        else:
            seen[3] += 1

    def count(self, month: str, clinician: str, index: int, amount: float) -> None:
        self.totals.setdefault((month, clinician), [0.0, 0.0, 0.0])[index] += amount

    def wait(self, stream: str, month: str, days: int) -> None:
        self.waits.setdefault((stream, month), Counter())[days] += 1


def tally_activity(
    rows: Iterable[Sequence[Any]],
    mapping: ActivityMapping,
    clinicians: Sequence[str],
    *,
    source: str,
    today: dt.date,
    sheet: str = "",
    first_row: int = 1,
    decimal_comma: bool = False,
) -> ActivityExport:
    """Count an export's rows (an iterator, read once) for the job plan's `clinicians`:
    what each delivered a month, the waits, and a finding for every row not counted as it is.
    `today` bounds the dates (no activity is in the future); `decimal_comma` says a comma in
    a count is a decimal comma (a semicolon-separated file), not a thousands separator."""
    report = PurePath(source).name + (f" (sheet '{sheet}')" if sheet else "")
    t = _Tally(
        source, sheet, today, report, plan_names=tuple(clinicians), decimal_comma=decimal_comma
    )
    names = {name_key(name): name for name in clinicians}
    iterator = iter(rows)
    head: list[Sequence[Any]] = []
    found: dict[str, int] = {}
    shape = None
    best: tuple[int, int, dict[str, int]] | None = None
    for row in iterator:
        head.append(row)
        found = _columns(row, mapping)
        shape = _shape(found)
        if shape:
            break
        if found and (best is None or len(found) > len(best[2])):
            best = (len(head) - 1, 0, found)
        if len(head) > MAX_TITLE_ROWS:
            break
    if not any(any(clean_text(c) for c in row) for row in head):
        t.add(
            "activity-empty",
            f"{report} is empty: it has no headings and no rows. Export the activity report "
            "again, for the months you want, and give that file.",
        )
        return _export(t, None, None, 0, set())
    if shape is None:
        index = best[0] if best else 0
        seen = _headings_shown(head[index])
        t.add(
            "activity-column-missing",
            f"{report} has no headings this tool can read as an activity export (row "
            f"{first_row + index} reads: {seen}). It needs a clinician column and either a "
            "month column with counts (Choice appointments, new Core Partnerships, Core "
            "appointments), or an appointment date and appointment type column for one row "
            "per appointment. Rename the columns in the export, or add their headings to "
            f"[columns] in {mapping.source or 'the activity mapping file'}.",
            cell=address(first_row + index, 1),
        )
        return _export(t, None, None, 0, set())
    top = len(head) - 1
    header_row = first_row + top
    skipped = sum(1 for row in head[:top] if any(clean_text(c) for c in row))
    if skipped:
        t.add(
            "activity-title-rows",
            f"The headings of {report} are read from row {header_row} "
            f"({_headings_shown(head[top])}); the {skipped} line(s) above them are taken as "
            "the export's title and not counted.",
            cell=address(header_row, 1),
        )
    rows_read = 0
    clinician_cache: dict[Any, str | None] = {}
    if shape == MONTHLY:
        step = _monthly_row(t, found, names, clinician_cache, head[top])
    else:
        step = _appointment_row(t, found, names, clinician_cache, mapping)
    for number, row in enumerate(iterator, start=header_row + 1):
        if step(number, row):
            rows_read += 1
    _said_once(t, mapping)
    waits_from = set()
    if shape == APPOINTMENTS:
        waits_from = {
            s for s, k in (("choice", "referral_date"), ("core", "choice_date")) if k in found
        }
    if not t.totals and not any(f.rule == "activity-empty" for f in t.findings):
        t.add(
            "activity-empty",
            f"{report} has headings (row {header_row}) but no row this tool could count for "
            "the job plan's clinicians. Check the export covers the months you want, and the "
            "findings above for rows that were not counted.",
        )
    return _export(t, shape, header_row, rows_read, waits_from)


def _headings_shown(row: Sequence[Any], limit: int = 8) -> str:
    shown = [f"'{clean_text(c)}'" for c in row if clean_text(c)]
    if not shown:
        return "nothing"
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def name_key(name: Any) -> str:
    """A clinician's name as compared: letter case, spaces and accents ignored (NFKD, its
    combining marks dropped), so "Léna  ORTIZ" is "Lena Ortiz"."""
    text = unicodedata.normalize("NFKD", " ".join(clean_text(name).split()))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def closest_name(text: str, plan_names: Sequence[str]) -> str | None:
    """The job plan name closest to `text` (difflib on `name_key`, as allocation suggests a
    worker), or None when none is close: what an export's row and `capa balance --without`
    suggest for a name no job plan has."""
    keys = {name_key(n): n for n in plan_names}
    close = difflib.get_close_matches(name_key(text), list(keys), n=1)
    return keys[close[0]] if close else None


def _did_you_mean(text: str, plan_names: Sequence[str]) -> str:
    """ " Did you mean 'Lena Ortiz'?" for the closest job plan name, or "" when none is close."""
    close = closest_name(text, plan_names)
    return f" Did you mean '{close}'?" if close else ""


def _clinician(t, names, cache, value, number, column) -> str | None:
    """The job plan's name for the row's clinician; None, remembered for one finding a name,
    when there is no job plan for them (or the cell is blank)."""
    if value in cache:
        plan_name = cache[value]
    else:
        text = clean_text(value)
        plan_name = names.get(name_key(text)) if text else None
        if len(cache) >= MAX_DISTINCT:
            cache.clear()
        cache[value] = plan_name
    if plan_name is None:
        text = clean_text(value)
        key = name_key(text)
        t.remember(t.unknown, key, text, number, address(number, column + 1))
    return plan_name


def _day(t, value, number, column, what: str, cache: dict) -> dt.date | None:
    """A date in range, or None with a finding at its cell (cached by the cell's value, so a
    million rows of a few hundred dates are read a few hundred times)."""
    known = cache.get(value, _UNREAD)
    if known is _UNREAD:
        day = date_of(value)
        known = day if day is not None and EARLIEST <= day <= t.today else None
        if len(cache) >= MAX_DISTINCT:
            cache.clear()
        cache[value] = known
    if known is not None:
        return known
    day = date_of(value)
    cell = address(number, column + 1)
    if day is None:
        shown = clean_text(value)
        problem = f"{shown!r} is not a date" if shown else "is blank"
        t.add(
            "activity-date-invalid",
            f"Row {number} of {t.report}: the {what} {problem}. Type it as 2026-06-03 or "
            "03/06/2026; the row is not counted.",
            cell=cell,
            field=what,
            value=clean_text(value),
        )
        return None
    when = "before 2000" if day < EARLIEST else "in the future"
    t.add(
        "activity-date-invalid",
        f"Row {number} of {t.report}: the {what} {day.isoformat()} is {when}, so it cannot "
        "be a real appointment's. Correct it in the clinical system and export again; the "
        "row is not counted.",
        cell=cell,
        field=what,
        value=day.isoformat(),
    )
    return None


_UNREAD = object()


def _padded(row: Sequence[Any], width: int) -> Sequence[Any]:
    return row if len(row) >= width else list(row) + [None] * (width - len(row))


def _blank(*values: Any) -> bool:
    return not any(clean_text(v) for v in values)


def _monthly_row(t, found, names, clinician_cache, headings):
    ci, mi = found["clinician"], found["month"]
    counts = [(i, key, found[key]) for i, key in enumerate(COUNTS) if key in found]
    months: dict[Any, str | None] = {}
    labels = {
        CHOICE: "Choice appointments",
        NEW_CORE: "new Core Partnerships",
        CORE: "Core appointments",
    }

    width = max(ci, mi, *(c for *_, c in counts)) + 1

    def step(number: int, row: Sequence[Any]) -> bool:
        row = _padded(row, width)
        who = row[ci]
        if not who and not any(row[c] for *_, c in counts) and not row[mi]:
            return False
        if clinician_cache.get(who) is None and _blank(who, row[mi], *(row[c] for *_, c in counts)):
            return False
        plan_name = _clinician(t, names, clinician_cache, who, number, ci)
        if plan_name is None:
            return False
        raw = row[mi]
        if raw in months:
            month = months[raw]
        else:
            month = month_of(raw)
            if len(months) >= MAX_DISTINCT:
                months.clear()
            months[raw] = month
        if month is None or not month_in_range(month, t.today):
            shown = clean_text(raw)
            if not shown:
                problem = "the month is blank: type it as 2026-06 or Jun 2026"
            elif month is None:
                problem = f"the month {shown!r} is not a month: type it as 2026-06 or Jun 2026"
            else:
                problem = f"the month {shown!r} is before 2000 or in the future"
            t.add(
                "activity-date-invalid",
                f"Row {number} of {t.report}: {problem}; the row is not counted.",
                cell=address(number, mi + 1),
                field="month",
                value=clean_text(raw),
            )
            return False
        for index, key, column in counts:
            value = row[column]
            amount = read_count(value, t.decimal_comma)
            if amount.value is None:
                shown = clean_text(value)
                t.holes.add((month, plan_name, index))
                heading = clean_text(headings[column]) if column < len(headings) else ""
                cell = address(number, column + 1)
                t.add(
                    "activity-count-blank"
                    if amount.problem == "blank"
                    else "activity-count-invalid",
                    f"Row {number} of {t.report}, column '{heading}' ({cell}): "
                    + _count_problem(amount, shown, labels[key], t.decimal_comma)
                    + f" {plan_name}'s {labels[key]} for {month} are left a gap (the month's "
                    "figure is incomplete), not counted as 0; correct the export and run "
                    "again.",
                    cell=cell,
                    field=key,
                    value=shown,
                )
                continue
            t.count(month, plan_name, index, amount.value)
        t.totals.setdefault((month, plan_name), [0.0, 0.0, 0.0])
        return True

    return step


_SIMPLE_COMMA = re.compile(r"\d+,\d+")
_THOUSANDS_DOT = re.compile(r"\d{1,3}\.\d{3}")


def _count_problem(count: Count, shown: str, what: str, decimal_comma: bool) -> str:
    """What is wrong with a count that is not one, and how to put it right, in a sentence or
    two ("'3,5' is not a whole number of Choice appointments: ...")."""
    if count.problem == "blank":
        return f"{what} is blank, so the export does not say how many there were."
    whole = "a count must be a whole number, 0 or more"
    if count.problem == "negative":
        return f"{what} is {shown!r}, below 0; {whole}."
    if count.problem == "grouping":
        said = (
            f"{shown!r} is not a whole number of {what}: a comma in a count may only separate "
            f"thousands (1,234), and {shown!r} does not group its digits in threes, so it is "
            "not read as a number."
        )
        if _SIMPLE_COMMA.fullmatch(shown):
            decimal, digits = float(shown.replace(",", ".")), shown.replace(",", "")
            meant = (
                f"If it means {fmt(decimal)}, write {fmt(decimal)}"
                if decimal.is_integer()
                else f"If it means {decimal:g}, it is not whole: {whole}"
            )
            said += f" {meant}; if it means {int(digits)}, write {int(digits)}."
        return said
    if count.problem == "ambiguous":
        digits = int(re.sub(r"\D", "", shown))
        mark = "comma" if "," in shown else "point"
        return (
            f"{shown!r} could be {count.read:g} (a decimal {mark}) or {digits} (a thousands "
            f"separator, as this semicolon-separated file may use), so it is not read as "
            f"either. Write the number of {what} with no separator: {count.read:g} or {digits}."
        )
    if count.problem == "fraction":
        if decimal_comma and "," in shown:
            said = (
                f"{shown!r} is not a whole number of {what}: in this semicolon-separated file "
                f"a comma is a decimal comma, so it reads as {count.read:g}, and {whole}."
            )
            thousands = shown.replace(",", ".")
        else:
            said = f"{shown!r} is not a whole number of {what}: {whole}."
            thousands = shown
        if _THOUSANDS_DOT.fullmatch(thousands):
            digits = int(thousands.replace(".", ""))
            said += f" If it means {digits}, write {digits}, with no thousands separator."
        return said
    said = f"{what} is {shown!r}, not a number; {whole}"
    if decimal_comma and "," in shown:
        said += (
            ", written with no thousands separator (in this semicolon-separated file a comma "
            "is a decimal comma)"
        )
    return said + "."


def _appointment_row(t, found, names, clinician_cache, mapping):
    ci, di, ti = found["clinician"], found["date"], found["appointment_type"]
    ri, chi = found.get("referral_date"), found.get("choice_date")
    dates: dict[Any, dt.date | None] = {}
    types: dict[Any, str | None] = {}

    width = max(c for c in (ci, di, ti, ri, chi) if c is not None) + 1
    months: dict[dt.date, str] = {}

    def step(number: int, row: Sequence[Any]) -> bool:
        row = _padded(row, width)
        who, when, kind = row[ci], row[di], row[ti]
        if not who and not when and not kind:
            return False
        if clinician_cache.get(who) is None and _blank(who, when, kind):
            return False
        plan_name = _clinician(t, names, clinician_cache, who, number, ci)
        if plan_name is None:
            return False
        day = _day(t, when, number, di, "appointment date", dates)
        if day is None:
            return False
        if kind in types:
            category = types[kind]
        else:
            category = mapping.category(clean_text(kind))
            if len(types) >= MAX_DISTINCT:
                types.clear()
            types[kind] = category
        if category is None:
            text = clean_text(kind)
            t.remember(t.unmapped, report_key(text), text, number, address(number, ti + 1))
            return False
        month = months.get(day)
        if month is None:
            month = months[day] = f"{day.year:04d}-{day.month:02d}"
        t.totals.setdefault((month, plan_name), [0.0, 0.0, 0.0])
        if category == IGNORE:
            return True
        if category == CHOICE:
            t.count(month, plan_name, 0, 1)
            waited = (ri, "referral date", "choice", "Choice appointment")
        else:
            if category == NEW_CORE:
                t.count(month, plan_name, 1, 1)
            t.count(month, plan_name, 2, 1)
            waited = (chi, "Choice date", "core", "first Core appointment")
            if category != NEW_CORE:
                return True
        column, what, stream, seen = waited
        if column is None or not row[column] or not clean_text(row[column]):
            return True
        start = _day(t, row[column], number, column, what, dates)
        if start is None:
            return True
        if start > day:
            t.add(
                "activity-date-invalid",
                f"Row {number} of {t.report}: the {what} {start.isoformat()} is after the "
                f"{seen} on {day.isoformat()}. The appointment is counted, its wait is not; "
                "correct the date in the clinical system.",
                cell=address(number, column + 1),
                field=what,
                value=start.isoformat(),
            )
            return True
        t.wait(stream, month, (day - start).days)
        return True

    return step


def _said_once(t: _Tally, mapping: ActivityMapping) -> None:
    """One finding per unknown clinician and per unmapped type, at its first row, with how
    many rows it had; then how many row findings were left unsaid, rule by rule."""
    for text, row, cell, n in t.unknown.values():
        others = f" (and {n - 1} more rows)" if n > 1 else ""
        counted = "it is" if n == 1 else "they are"
        if text:
            hint = _did_you_mean(text, t.plan_names)
            said = (
                f"Row {row} of {t.report}{others} names '{text}', who has no job plan, so "
                f"{counted} not counted.{hint} Add the clinician to the Job plans sheet, or "
                "correct the name in the export to the job plan's spelling."
            )
        else:
            said = (
                f"Row {row} of {t.report}{others} has no clinician (the cell is blank), so "
                f"{counted} not counted. Fill in the clinician in the clinical system and "
                "export again."
            )
        t.findings.append(
            finding(
                "activity-clinician-unknown",
                said,
                workbook=t.source,
                sheet=t.sheet,
                cell=cell,
                field="clinician",
                value=text,
            )
        )
    for text, row, cell, n in t.unmapped.values():
        others = f" (and {n - 1} more rows)" if n > 1 else ""
        t.findings.append(
            finding(
                "activity-type-unmapped",
                f"Row {row} of {t.report}{others}: the appointment type '{text}' is not in the "
                "activity mapping, so it is counted in nothing. Add it to [appointment_types] "
                f"in {mapping.source or 'the activity mapping file'} as choice, new_core, core "
                "or ignore.",
                workbook=t.source,
                sheet=t.sheet,
                cell=cell,
                field="appointment type",
                value=text,
            )
        )
    for rule, n in t.more.items():
        t.findings.append(
            finding(
                rule,
                f"{t.report}: {n} more row(s) like those above were not counted as they are "
                f"(the first {MAX_ROW_FINDINGS} are listed).",
                workbook=t.source,
                sheet=t.sheet,
            )
        )


def _export(t: _Tally, shape, header_row, rows_read, waits_from) -> ActivityExport:
    delivered = tuple(
        Delivered(
            month,
            who,
            *(None if (month, who, i) in t.holes else v for i, v in enumerate(values)),
        )
        for (month, who), values in sorted(t.totals.items())
    )
    waits = tuple(
        WaitTally(stream, month, tuple(sorted(days.items())))
        for (stream, month), days in sorted(t.waits.items())
    )
    return ActivityExport(
        source=t.source,
        sheet=t.sheet,
        shape=shape,
        header_row=header_row,
        rows_read=rows_read,
        delivered=delivered,
        months=tuple(sorted({d.month for d in delivered})),
        waits=waits,
        waits_from=tuple(sorted(waits_from)),
        findings=tuple(t.findings),
    )
