"""Spreadsheet functions for the add-in (`@xw.func`), thin over the core.

Each takes whole ranges and returns an array of the same shape, so a column is one call, not
one per cell: Excel spills the answer beside the table. A single cell broadcasts against a
range (one scheme id for every row, one FTE for a column of points).

A cell never shows a Python traceback. A bad argument for one row gives that row a short
message saying what to type; a bad argument for the whole call (ranges of different sizes,
an unknown scheme) gives every cell that message. The messages are the validation's own
(`validation.check_entry`), so a cell and the Errors sheet never disagree.

Names: Excel shows a function by its Python name in capitals (`wl_points` is `WL_POINTS`).
The arguments' `doc` is the help Excel shows in its function wizard; the docstring is the
function's description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from workload_xl.core import capa
from workload_xl.core.expected import band_of, expected_points, load_against_expected
from workload_xl.core.findings import Refused
from workload_xl.core.schemes import Scheme, SchemeError
from workload_xl.core.validation import check_entry
from workload_xl.core.values import FTE_RANGE, fte_in_range, is_blank, points_per_fte, read_number
from workload_xl.excel import registry

Grid = list[list[Any]]

BLANK = ""
"""What a cell shows for a row with nothing to say (an empty row, a row with no problem)."""


class _CallError(ValueError):
    """A problem with the whole call: every cell shows its message."""


def _scheme(scheme_id: Any) -> Scheme:
    text = "" if scheme_id is None else str(scheme_id).strip()
    if not text:
        raise _CallError(
            "Give the scheme id as the last argument: the Scheme cell at the top of the sheet."
        )
    try:
        scheme = registry().get(text)
    except Refused as problem:  # the folder itself: missing, not a folder, ...
        raise _CallError(" ".join(f"{f.workbook}: {f.message}" for f in problem.findings)) from None
    except SchemeError as problem:  # a scheme file was edited wrongly: say so in the cell
        raise _CallError(f"A points scheme file is wrong: {problem}") from None
    if scheme is None and registry().problem(text):  # its file is wrong: the others load
        raise _CallError(f"A points scheme file is wrong: {registry().problem(text)}")
    if scheme is None:
        known = ", ".join(registry().ids)
        raise _CallError(f"{_quoted(text)} is not a scheme this tool knows ({known}).")
    return scheme


def _quoted(value: Any, limit: int = 40) -> str:
    """What the user typed, quoted, and cut short: a cell shows a sentence, not a paste."""
    text = " ".join(str(value).split())
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def _grid(value: Any) -> Grid:
    """A 2-D list, whatever xlwings gave: a single value becomes one cell."""
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return value
        return [value]
    return [[value]]


def _broadcast(*values: Any) -> tuple[int, int, list[Grid]]:
    """The arguments as grids of one shape; a single cell stands for every row."""
    grids = [_grid(v) for v in values]
    shapes = {(len(g), len(g[0]) if g else 0) for g in grids if (len(g), len(g[0])) != (1, 1)}
    if len(shapes) > 1:
        sizes = " and ".join(f"{r} × {c}" for r, c in sorted(shapes))
        raise _CallError(
            f"The ranges are different sizes ({sizes} cells): give ranges of the same rows, "
            "or a single cell."
        )
    rows, columns = shapes.pop() if shapes else (1, 1)
    return rows, columns, [_stretch(g, rows, columns) for g in grids]


def _stretch(grid: Grid, rows: int, columns: int) -> Grid:
    if (len(grid), len(grid[0])) == (1, 1):
        return [[grid[0][0]] * columns for _ in range(rows)]
    return grid


def _each(function: Callable[..., Any], *values: Any) -> Grid:
    """`function` applied cell by cell; a problem with the call fills every cell."""
    try:
        rows, columns, grids = _broadcast(*values)
        return [
            [_safe(function, *(g[r][c] for g in grids)) for c in range(columns)]
            for r in range(rows)
        ]
    except _CallError as problem:
        return [[str(problem)]]
    except Exception as problem:  # a bug: a short message in the cell, never a traceback
        return [[_unexpected(problem)]]


def _safe(function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except _CallError as problem:
        return str(problem)
    except Refused as problem:
        return problem.findings[0].message if problem.findings else str(problem)
    except Exception as problem:  # a bug: this cell says so briefly, the others still work
        return _unexpected(problem)


def _unexpected(problem: Exception) -> str:
    return (
        f"This could not be worked out ({type(problem).__name__}); please tell the "
        "workload-xl team which cell and what it holds."
    )


def _number(value: Any, what: str) -> float | None:
    """A number as a person typed it ("3", " 3 ", 3.0); None when blank; else a message."""
    number = read_number(value)
    if number.status == "blank":
        return None
    if number.value is None:
        raise _CallError(f"The {what} is not a number: type a number.")
    return number.value


# --- points ---------------------------------------------------------------------------------


@xw.func
@xw.arg(
    "items", ndim=2, doc="The Item cells (one cell or a whole column), as the scheme names them."
)
@xw.arg(
    "quantities",
    ndim=2,
    doc="The Quantity cells, the same size as items, or one cell; blank counts 1.",
)
@xw.arg("scheme", doc="The scheme id: the Scheme cell at the top of the measurement sheet.")
def wl_points(items: Any, quantities: Any = None, scheme: Any = None) -> Grid:
    """The scheme's points for each item, times its quantity. A blank item gives a blank."""
    try:
        found = _scheme(scheme)
    except _CallError as problem:
        return [[str(problem)]]

    def points(item: Any, quantity: Any) -> Any:
        if item is None or not str(item).strip():
            return BLANK
        entry = found.item_by_label(str(item))
        if entry is None:
            raise _CallError(f"{_quoted(item)} is not an item of the scheme {found.id}.")
        times = _number(quantity, "quantity")
        if times is not None and times <= 0:
            raise _CallError("The quantity must be above 0, or blank for 1.")
        return entry.points * (1.0 if times is None else times)

    return _each(points, items, quantities)


@xw.func
@xw.arg("items", ndim=2, doc="The Item cells (one cell or a whole column).")
@xw.arg(
    "quantities",
    ndim=2,
    doc="The Quantity cells, the same size as items, or one cell; blank counts 1.",
)
@xw.arg("agreed", ndim=2, doc="The Agreed points cells, the same size as items.")
@xw.arg("scheme", doc="The scheme id: the Scheme cell at the top of the measurement sheet.")
def wl_check(items: Any, quantities: Any, agreed: Any, scheme: Any = None) -> Grid:
    """For each row, blank if the agreed score is sound, else what is wrong and how to fix it."""
    try:
        found = _scheme(scheme)
    except _CallError as problem:
        return [[str(problem)]]

    def check(item: Any, quantity: Any, points: Any) -> str:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (item, points)):
            return BLANK
        problems = check_entry(found, item, quantity, points)
        return problems[0].message if problems else BLANK

    return _each(check, items, quantities, agreed)


def _points_and_fte(total: Any, share: Any) -> tuple[float, float] | None:
    """A row's points and FTE as numbers (None when either is blank); an FTE out of range is
    a message for the cell."""
    amount = _number(total, "points")
    part = _number(share, "FTE")
    if amount is None or part is None:
        return None
    if not fte_in_range(part):
        raise _CallError(f"FTE is {part:g}; it must be {FTE_RANGE}.")
    return amount, part


@xw.func
@xw.arg("points", ndim=2, doc="Total points (one cell or a column).")
@xw.arg(
    "fte", ndim=2, doc="Full-time equivalent, at least 0.01 and at most 1 (same size, or one cell)."
)
def wl_per_fte(points: Any, fte: Any) -> Grid:
    """Points per full-time equivalent: points ÷ FTE, to compare part-time and full-time workers."""

    def per_fte(total: Any, share: Any) -> Any:
        given = _points_and_fte(total, share)
        if given is None:
            return BLANK
        return points_per_fte(*given)  # the FTE is in range, so never None

    return _each(per_fte, points, fte)


@xw.func
@xw.arg("points", ndim=2, doc="Total points (one cell or a column).")
@xw.arg(
    "fte", ndim=2, doc="Full-time equivalent, at least 0.01 and at most 1 (same size, or one cell)."
)
@xw.arg("band", ndim=2, doc="The Experience band cells (same size, or one cell).")
@xw.arg("scheme", doc="The scheme id: the Scheme cell at the top of the measurement sheet.")
def wl_load(points: Any, fte: Any, band: Any, scheme: Any = None) -> Grid:
    """Load against expected: points ÷ (the scheme's reference points × the band's capacity
    factor × FTE). 1 (100%) is what the scheme expects; the measure the fairness flags use."""
    try:
        found = _scheme(scheme)
    except _CallError as problem:
        return [[str(problem)]]
    if not found.reference_points:
        return [[_no_reference(found)]]
    return _each(lambda total, share, level: _load(found, total, share, level), points, fte, band)


def _no_reference(found: Scheme) -> str:
    return f"The scheme {found.id} sets no reference_points, so it expects nothing."


def _load(found: Scheme, total: Any, share: Any, level: Any, added: float = 0.0) -> Any:
    """One row's load against expected, with `added` points more; blank without points."""
    given = _points_and_fte(total, share)
    if given is None:
        return BLANK
    amount, part = given
    label = "" if level is None else str(level).strip()
    if band_of(found, label) is None:
        bands = ", ".join(b.label for b in found.bands)
        raise _CallError(f"{_quoted(label)} is not a band of the scheme {found.id} ({bands}).")
    return load_against_expected(amount + added, expected_points(found, label, part))


@xw.func
@xw.arg("points", ndim=2, doc="Total points now (one cell or a column).")
@xw.arg(
    "fte", ndim=2, doc="Full-time equivalent, at least 0.01 and at most 1 (same size, or one cell)."
)
@xw.arg("band", ndim=2, doc="The Experience band cells (same size, or one cell).")
@xw.arg("scheme", doc="The scheme id: the Scheme cell at the top of the team sheet.")
@xw.arg("item", doc="The item to add, as the scheme names it (e.g. Child protection plan).")
@xw.arg("quantity", doc="How many more of the item (blank for 1).")
def wl_load_after(
    points: Any, fte: Any, band: Any, scheme: Any = None, item: Any = None, quantity: Any = None
) -> Grid:
    """Load against expected after taking more of an item at the scheme's points: (points +
    the item's points × quantity) ÷ expected points, the figure workload-xl allocate shows."""
    try:
        found = _scheme(scheme)
        if not found.reference_points:
            raise _CallError(_no_reference(found))
        entry = None if is_blank(item) else found.item_by_label(str(item).strip())
        if entry is None:
            raise _CallError(f"{_quoted(item or '')} is not an item of the scheme {found.id}.")
        times = _number(quantity, "quantity")
        if times is not None and times <= 0:
            raise _CallError("The quantity must be above 0, or blank for 1.")
    except _CallError as problem:
        return [[str(problem)]]
    added = entry.points * (1.0 if times is None else times)
    return _each(
        lambda total, share, level: _load(found, total, share, level, added), points, fte, band
    )


# --- CAPA -----------------------------------------------------------------------------------


@xw.func
@xw.arg("referrals_per_week", ndim=2, doc="Accepted referrals a week (one cell or a column).")
def capa_choice_needed(referrals_per_week: Any) -> Grid:
    """Choice appointments needed a week: one for each accepted referral (CAPA plans for full
    attendance)."""

    def needed(value: Any) -> Any:
        referrals = _number(value, "number of referrals")
        return BLANK if referrals is None else capa.choice_needed_per_week(referrals)

    return _each(needed, referrals_per_week)


@xw.func
@xw.arg(
    "core_hours", ndim=2, doc="Weekly Core Partnership hours in a job plan (one cell or a column)."
)
@xw.arg("hours_per_session", doc="Hours in a half-day session (default 3.5).")
@xw.arg("appointments_per_session", doc="Appointments in a session (default 2).")
@xw.arg("working_weeks_per_year", doc="Working weeks a year (default 45: 11.25 a quarter).")
@xw.arg("mean_appointments", doc="Mean appointments in a Core Partnership (default 7.5).")
def capa_new_core(
    core_hours: Any,
    hours_per_session: Any = None,
    appointments_per_session: Any = None,
    working_weeks_per_year: Any = None,
    mean_appointments: Any = None,
) -> Grid:
    """New Core Partnerships a quarter that weekly Core hours can take on: hours ÷ 3.5 ×
    2 × 11.25 ÷ 7.5 with the CAPA defaults (11 hours give about 9.4)."""
    try:
        settings = _settings(
            hours_per_session=hours_per_session,
            appointments_per_session=appointments_per_session,
            working_weeks_per_year=working_weeks_per_year,
            mean_core_appointments=mean_appointments,
        )
    except (_CallError, Refused) as problem:
        return [[_message(problem)]]

    def quarter(value: Any) -> Any:
        hours = _number(value, "number of Core hours")
        if hours is None:
            return BLANK
        if hours < 0:
            raise _CallError("Core hours must be 0 or more.")
        return capa.new_core_per_quarter(hours / settings.hours_per_session, settings)

    return _each(quarter, core_hours)


@xw.func
@xw.arg("capacity", ndim=2, doc="Capacity: appointments or new cases the team can offer.")
@xw.arg("demand", ndim=2, doc="Demand: appointments or new cases needed, in the same units.")
def capa_balance(capacity: Any, demand: Any) -> Grid:
    """Capacity ÷ demand: 1 is in balance, below 1 short, above 1 a surplus."""

    def ratio(offered: Any, needed: Any) -> Any:
        have = _number(offered, "capacity")
        need = _number(needed, "demand")
        if have is None or need is None:
            return BLANK
        if need <= 0 or have < 0:
            raise _CallError("Demand must be above 0 and capacity 0 or more.")
        return have / need

    return _each(ratio, capacity, demand)


# --- CAPA waiting lists: the NHS demand-and-capacity formulas ----------------------------


def _queue_inputs(**given: Any) -> dict[str, float] | None:
    """The numbers of a waiting-list call, None when any is blank; each 0 or more, and a
    target wait or a number of weeks above 0."""
    values = {}
    for name, value in given.items():
        number = _number(value, _QUEUE_LABELS[name])
        if number is None:
            return None
        values[name] = number
    for name, number in values.items():
        must_be_positive = name in ("target_wait", "weeks")
        if number < 0 or (must_be_positive and number <= 0):
            what = "above 0" if must_be_positive else "0 or more"
            raise _CallError(f"The {_QUEUE_LABELS[name]} must be {what}.")
    return values


_QUEUE_LABELS = {
    "demand": "demand",
    "capacity": "capacity",
    "waiting": "number waiting",
    "target_wait": "target wait",
    "weeks": "number of weeks",
}


@xw.func
@xw.arg("demand", ndim=2, doc="Demand a week: referrals (Choice) or new Core cases a week.")
@xw.arg("capacity", ndim=2, doc="Capacity a week, in the same unit as demand.")
def capa_load(demand: Any, capacity: Any) -> Grid:
    """A waiting list's load: demand ÷ capacity. Above 1 the list grows without limit."""

    def load(wanted: Any, offered: Any) -> Any:
        values = _queue_inputs(demand=wanted, capacity=offered)
        if values is None:
            return BLANK
        if values["capacity"] == 0 and values["demand"] > 0:
            raise _CallError("There is no capacity: the list grows without limit.")
        return capa.load(values["demand"], values["capacity"])

    return _each(load, demand, capacity)


@xw.func
@xw.arg("demand", ndim=2, doc="Demand a week: referrals (Choice) or new Core cases a week.")
@xw.arg("target_wait", ndim=2, doc="The target wait in weeks (Choice 6, Core 4).")
def capa_target_queue(demand: Any, target_wait: Any) -> Grid:
    """The number waiting at which waits meet the target: demand a week × target wait in
    weeks ÷ 4 (the NHS demand-and-capacity convention)."""

    def target(wanted: Any, wait: Any) -> Any:
        values = _queue_inputs(demand=wanted, target_wait=wait)
        if values is None:
            return BLANK
        return capa.target_queue_size(values["demand"], values["target_wait"])

    return _each(target, demand, target_wait)


@xw.func
@xw.arg("demand", ndim=2, doc="Demand a week: referrals (Choice) or new Core cases a week.")
@xw.arg("waiting", ndim=2, doc="The number waiting now.")
@xw.arg("target_wait", ndim=2, doc="The target wait in weeks (Choice 6, Core 4).")
@xw.arg("weeks", ndim=2, doc="The weeks in which to reach the target (13: a quarter).")
def capa_relief_capacity(demand: Any, waiting: Any, target_wait: Any, weeks: Any) -> Grid:
    """Capacity a week that brings the list to its target size in the weeks given: demand +
    (number waiting − demand × target wait ÷ 4) ÷ weeks."""

    def relief(wanted: Any, queue: Any, wait: Any, within: Any) -> Any:
        values = _queue_inputs(demand=wanted, waiting=queue, target_wait=wait, weeks=within)
        if values is None:
            return BLANK
        target = capa.target_queue_size(values["demand"], values["target_wait"])
        return capa.relief_capacity(values["demand"], values["waiting"], target, values["weeks"])

    return _each(relief, demand, waiting, target_wait, weeks)


@xw.func
@xw.arg("demand", ndim=2, doc="Demand a week: referrals (Choice) or new Core cases a week.")
@xw.arg("capacity", ndim=2, doc="Capacity a week, in the same unit as demand.")
@xw.arg("waiting", ndim=2, doc="The number waiting now.")
@xw.arg("target_wait", ndim=2, doc="The target wait in weeks (Choice 6, Core 4).")
def capa_weeks_to_target(demand: Any, capacity: Any, waiting: Any, target_wait: Any) -> Grid:
    """Weeks for the list to come down to its target size at present capacity: (number
    waiting − target size) ÷ (capacity − demand); 0 when it is within the target already."""

    def weeks(wanted: Any, offered: Any, queue: Any, wait: Any) -> Any:
        values = _queue_inputs(demand=wanted, capacity=offered, waiting=queue, target_wait=wait)
        if values is None:
            return BLANK
        target = capa.target_queue_size(values["demand"], values["target_wait"])
        found = capa.weeks_to_target(
            values["demand"], values["capacity"], values["waiting"], target
        )
        if found is None:
            raise _CallError(
                "Never at present capacity: capacity must be above demand for the list to "
                "come down."
            )
        return found

    return _each(weeks, demand, capacity, waiting, target_wait)


def _settings(**given: Any) -> capa.CapaSettings:
    """CAPA settings with the defaults for blank arguments; bad ones raise with a message."""
    values = {}
    for name, value in given.items():
        number = _number(value, name.replace("_", " "))
        if number is not None:
            values[name] = number
    settings = capa.CapaSettings(**values)
    problems = capa.check_settings(settings)
    if problems:
        raise _CallError(problems[0].message)
    return settings


def _message(problem: Exception) -> str:
    if isinstance(problem, Refused) and problem.findings:
        return problem.findings[0].message
    return str(problem)


UDFS = (
    wl_points,
    wl_check,
    wl_per_fte,
    wl_load,
    wl_load_after,
    capa_choice_needed,
    capa_new_core,
    capa_balance,
    capa_load,
    capa_target_queue,
    capa_relief_capacity,
    capa_weeks_to_target,
)
"""Every function the add-in offers, in the order the workbook lists them."""
