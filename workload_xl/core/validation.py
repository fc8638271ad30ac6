"""Validation of one measurement sheet against its points scheme (core layer).

Collects every problem in one pass and returns them with the checked `Measurement`, even when
there are errors: a team sheet lists a worker whose sheet has errors rather than dropping them.
Knows nothing of Excel: it reads `SheetData`, whichever edge filled it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from workload_xl.contracts import worker as layout
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import MOST_UNITS, Cell, Line, Measurement, SheetData, TableRow
from workload_xl.core.period import MONTH, PeriodError, parse_period
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.values import (
    FTE_MAX,
    FTE_RANGE,
    clean_text,
    fmt,
    fte_in_range,
    is_blank,
    read_date,
    read_number,
)

TOLERANCE = 0.005
INPUT_KEYS = tuple(c.key for c in layout.COLUMNS if c.is_input)


@dataclass
class SheetResult:
    findings: list[Finding]
    measurement: Measurement

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


@dataclass
class _Check:
    """The state of one sheet's validation: where we are and what we found."""

    data: SheetData
    found: list[Finding] = field(default_factory=list)
    many_names_missing: bool = False

    def add(
        self, rule: str, message: str, cell: str = "", field_name: str = "", value: Any = None
    ) -> None:
        self.found.append(
            finding(
                rule,
                message,
                workbook=self.data.workbook,
                sheet=self.data.sheet,
                cell=cell,
                field=field_name,
                value=value,
            )
        )


def validate_sheet(
    data: SheetData, registry: SchemeRegistry, scheme_id: str | None = None
) -> SheetResult:
    check = _Check(data)
    _check_names(check)
    scheme = _check_scheme(check, registry, scheme_id)
    header = _check_header(check, scheme)
    lines = _check_rows(check, scheme)
    _check_stray(check)
    measurement = Measurement(
        workbook=data.workbook,
        sheet=data.sheet,
        lines=lines,
        scheme_id=scheme.id if scheme else clean_text(_value(data, "scheme_id")),
        scheme_version=clean_text(_value(data, "scheme_version")),
        **header,
    )
    _check_totals(check, measurement, scheme)
    return SheetResult(check.found, measurement)


def _value(data: SheetData, key: str) -> Any:
    cell = data.header.get(key)
    return cell.value if cell else None


def _check_names(check: _Check) -> None:
    """Many missing names mean a sheet not made from the template: say so once, not ten times."""
    missing = [f for f in layout.HEADER_FIELDS if check.data.header.get(f.key) is None]
    if len(missing) > 3:
        check.many_names_missing = True
        check.add(
            "name-missing",
            f"{len(missing)} of the header fields' defined names are "
            f"missing ({', '.join(f.name for f in missing)}), so this sheet was not made "
            "from the measurement template. Copy the rows into a fresh template.",
        )


def _header_cell(check: _Check, key: str) -> Cell | None:
    """The header cell for `key`, reporting a missing defined name once."""
    cell = check.data.header.get(key)
    if cell is None and not check.many_names_missing:
        spec = layout.HEADER_BY_KEY[key]
        check.add(
            "name-missing",
            f"The defined name '{spec.name}' ({spec.label}) is missing or "
            "broken, so this field cannot be found. Copy your rows into a fresh template, "
            f"or recreate the name in Formulas > Name Manager.",
            field_name=spec.label,
        )
    return cell


# --- scheme --------------------------------------------------------------------------------


def _check_scheme(check: _Check, registry: SchemeRegistry, asked: str | None) -> Scheme | None:
    cell = _header_cell(check, "scheme_id")
    named = clean_text(cell.value) if cell else ""
    where = {"cell": cell.address if cell else "", "field_name": "Scheme"}
    known = ", ".join(registry.ids)
    if asked:
        scheme = registry.get(asked)
        if scheme is None:
            check.add(
                "scheme-unknown",
                f"There is no points scheme '{asked}'. Known schemes: {known}.",
                value=asked,
                **where,
            )
            return None
        if named and registry.get(named) is not scheme:
            check.add(
                "scheme-mismatch",
                f"This sheet was made from scheme '{named}', but it was "
                f"checked against '{asked}'. Check the right file was given, or drop "
                "--scheme.",
                value=named,
                **where,
            )
    else:
        if cell is None:
            return None
        if not named:
            check.add(
                "header-missing",
                "The scheme is blank, so the points cannot be checked. "
                f"Type the scheme id (one of: {known}) or start from the template.",
                value=cell.value,
                **where,
            )
            return None
        scheme = registry.get(named)
        if scheme is None:
            check.add(
                "scheme-unknown",
                f"This sheet names the points scheme '{named}', which "
                f"does not exist. Known schemes: {known}.",
                value=named,
                **where,
            )
            return None
    version_cell = _header_cell(check, "scheme_version")
    if version_cell is not None:
        version = clean_text(version_cell.value)
        if not version:
            check.add(
                "header-missing",
                f"The scheme version is blank. It should read {scheme.version}.",
                version_cell.address,
                "Scheme version",
            )
        elif version != scheme.version:
            check.add(
                "scheme-version-mismatch",
                f"This sheet was made from version {version} of "
                f"'{scheme.id}'; the current version is {scheme.version}. Copy the rows "
                "into a new template so the points match what the service agreed.",
                version_cell.address,
                "Scheme version",
                version_cell.value,
            )
    return scheme


# --- header --------------------------------------------------------------------------------


def _check_header(check: _Check, scheme: Scheme | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("worker", "team", "manager"):
        cell = _header_cell(check, key)
        out[key] = clean_text(cell.value) if cell else ""
        if cell and not out[key]:
            _blank(check, key, cell)

    cell = _header_cell(check, "service")
    out["service"] = clean_text(cell.value) if cell else ""
    if cell and not out["service"]:
        _blank(check, "service", cell)
    elif cell and scheme and not scheme.serves(out["service"]):
        check.add(
            "service-unknown",
            f"'{out['service']}' is not a service of the scheme "
            f"'{scheme.id}'. Pick one of: {', '.join(scheme.services)}.",
            cell.address,
            "Service",
            cell.value,
        )
    elif cell and scheme:
        out["service"] = scheme.service_name(out["service"]) or out["service"]

    out["band"] = ""
    cell = _header_cell(check, "band")
    if cell and scheme and scheme.bands:
        text = clean_text(cell.value)
        band = scheme.band_by_label(text) if text else None
        if not text:
            _blank(check, "band", cell)
        elif band is None:
            check.add(
                "band-unknown",
                f"'{text}' is not an experience band of this scheme. Pick "
                f"one of: {', '.join(b.label for b in scheme.bands)}.",
                cell.address,
                "Experience band",
                cell.value,
            )
        out["band"] = band.label if band else text
    elif cell and scheme is None:
        out["band"] = clean_text(cell.value)
    # A scheme without bands compares everyone together: the band stays blank.

    out["fte"] = _check_fte(check)
    out["period"] = None
    cell = _header_cell(check, "period")
    if cell:
        try:
            out["period"] = parse_period(cell.value, scheme.period if scheme else MONTH)
        except PeriodError as problem:
            check.add("period-invalid", str(problem), cell.address, "Period", cell.value)

    out["date_agreed"] = None
    cell = _header_cell(check, "date_agreed")
    if cell and is_blank(cell.value):
        _blank(check, "date_agreed", cell)
    elif cell:
        out["date_agreed"] = read_date(cell.value)
        if out["date_agreed"] is None:
            check.add(
                "date-invalid",
                f"'{clean_text(cell.value)}' is not a date. Type the date "
                "worker and manager agreed the points, e.g. 2026-10-28.",
                cell.address,
                "Date agreed",
                cell.value,
            )
    return out


def _blank(check: _Check, key: str, cell: Cell) -> None:
    """A blank header field: what is blank, then what to type (the contract's `fix`, an
    instruction; its `hint` describes the field for Excel's prompt and is not repeated)."""
    spec = layout.HEADER_BY_KEY[key]
    check.add(
        "header-missing" if spec.required else "header-blank",
        f"{spec.label} is blank. {spec.fix or spec.hint}",
        cell.address,
        spec.label,
        cell.value,
    )


def _check_fte(check: _Check) -> float | None:
    cell = _header_cell(check, "fte")
    if cell is None:
        return None
    number = read_number(cell.value)
    if number.status == "blank":
        check.add(
            "fte-invalid",
            "FTE is blank. Type the worker's full-time equivalent, e.g. 1 "
            "for full time or 0.6 for three days a week.",
            cell.address,
            "FTE",
            cell.value,
        )
        return None
    if number.value is None:
        check.add(
            "fte-invalid",
            f"FTE '{clean_text(cell.value)}' is not a number. Type e.g. 1 "
            "for full time or 0.6 for three days a week.",
            cell.address,
            "FTE",
            cell.value,
        )
        return None
    if number.status == "text":
        _as_text(check, cell.address, "FTE", cell.value)
    if not fte_in_range(number.value):
        hint = " (is it hours? divide by the full-time hours)" if number.value > FTE_MAX else ""
        check.add(
            "fte-invalid",
            f"FTE is {number.value:g}; it must be {FTE_RANGE}{hint}.",
            cell.address,
            "FTE",
            cell.value,
        )
        return None
    return number.value


def _as_text(check: _Check, address: str, field_name: str, value: Any) -> None:
    check.add(
        "number-as-text",
        f"{field_name} '{value}' is typed as text; it was read as "
        f"{fmt(read_number(value).value)}, as the sheet's totals read it. Retype it as a "
        "number, so that other programs reading the file see a number too.",
        address,
        field_name,
        value,
    )


# --- rows ----------------------------------------------------------------------------------


def _check_rows(check: _Check, scheme: Scheme | None) -> list[Line]:
    data = check.data
    missing = [c for c in layout.REQUIRED_COLUMNS if c.key not in data.columns]
    for column in missing:
        check.add(
            "column-missing",
            f"The table has no '{column.header}' column. Restore the "
            "column heading exactly, or copy the rows into a fresh template.",
            field_name=column.header,
        )
    if missing:
        return []
    lines: list[Line] = []
    first_ref: dict[str, str] = {}
    for row in data.rows:
        if row.is_empty(INPUT_KEYS):
            continue
        line = _check_row(check, scheme, row)
        if line is None:
            continue
        lines.append(line)
        if line.kind == "case" and line.case_ref:
            key = line.case_ref.casefold()
            address = data.address(row, "case_ref")
            if key in first_ref:
                check.add(
                    "case-ref-duplicate",
                    f"Case {line.case_ref} is also on {first_ref[key]}"
                    ". Each case is scored once; remove one row, or if two children share"
                    " a reference, use each child's own reference.",
                    address,
                    "Case reference",
                    line.case_ref,
                )
            else:
                first_ref[key] = f"row {row.row}"
    return lines


def _check_row(check: _Check, scheme: Scheme | None, row: TableRow) -> Line | None:
    data = check.data
    item_text = clean_text(row.values.get("item"))
    item_cell = data.address(row, "item")
    if not item_text:
        check.add(
            "item-missing",
            f"Row {row.row} has entries but no item. Pick the item from "
            "the list, or clear the row.",
            item_cell,
            "Item",
        )
        return None
    if scheme is None:
        return None
    raw = row.values.get("item")
    item = scheme.item_by_label(str(raw))
    if item is None:
        check.add(
            "item-unknown",
            f"The item typed here is not an item of the scheme '{scheme.id}'."
            f"{_item_hint(scheme, raw)}",
            item_cell,
            "Item",
            _private(raw),
        )
        return None

    quantity = _check_quantity(check, row)
    scheme_points = item.points * (quantity or 1.0)
    agreed = _check_points(check, row, item.label, quantity, item.min, item.max, scheme_points)
    case_ref = clean_text(row.values.get("case_ref"))
    if item.is_case and not case_ref:
        check.add(
            "case-ref-missing",
            f"Row {row.row} is a case ('{item.label}') with no case "
            "reference. Type the reference from the case management system.",
            data.address(row, "case_ref"),
            "Case reference",
        )
    return Line(
        row.row,
        item.code,
        item.kind,
        quantity or 1.0,
        scheme_points,
        agreed,
        case_ref,
    )


def _quotable(value: Any) -> bool:
    """Whether a table cell's content may be repeated in a finding. Findings travel (team
    returns, JSON), and a child's name pasted into the wrong column must not travel with them:
    numbers, number-like text, error values and formulas may; other text may not."""
    if not isinstance(value, str):
        return True
    text = value.strip()
    return text.startswith(("=", "#")) or read_number(text).status != "invalid"


def _private(value: Any) -> Any:
    return value if _quotable(value) else None


def _shown(value: Any) -> str:
    """The content for a message, or a neutral word when it may be personal."""
    return f"'{clean_text(value)}'" if _quotable(value) else "typed here"


def _item_hint(scheme: Scheme, raw: Any) -> str:
    """How to fix an item the sheet's own MATCH formula would not find either."""
    near = scheme.find_item(str(raw))
    if near is not None and near.code.casefold() == clean_text(raw).casefold():
        return (
            f" {near.code} is the code of '{near.label}': pick the label from the list so "
            "the sheet's own formulas count it."
        )
    if near is not None:
        return (
            f" It differs from '{near.label}' only in spacing, which the sheet's own "
            "formulas do not forgive: pick the item from the list."
        )
    close = closest_label(clean_text(raw), [i.label for i in scheme.items])
    return f" Did you mean '{close}'?" if close else " Pick an item from the list."


ALIKE = 0.85
"""difflib's ratio at which a label is suggested on its letters alone: a typo ('Child in
neeed', 0.96 to 'Child in need') or a plural ('Duty days', 0.94 to 'Duty day')."""
ALIKE_WITH_WORDS = 0.6
"""The ratio at which a label is suggested when it also has at least half the words typed
('Court', 0.71 to 'Court day'). 'Core group meeting' is 0.65 to 'Care proceedings' but shares
no word with it, so it gets no suggestion: a wrong one misleads more than none."""


def closest_label(typed: str, labels: list[str]) -> str | None:
    """The label a typed item was most likely meant to be, or None when none is close."""
    words = _words(typed)
    best, best_ratio = None, 0.0
    for label in labels:
        ratio = difflib.SequenceMatcher(None, typed.casefold(), label.casefold()).ratio()
        shared = len(words & _words(label))
        close = ratio >= ALIKE or (ratio >= ALIKE_WITH_WORDS and words and 2 * shared >= len(words))
        if close and ratio > best_ratio:
            best, best_ratio = label, ratio
    return best


def _words(text: str) -> set[str]:
    """The words of a label, in lower case, a plural's s dropped ('meetings' is 'meeting')."""
    found = re.findall(r"[^\W_]+", text.casefold())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in found}


def _check_quantity(check: _Check, row: TableRow) -> float | None:
    """The row's quantity (blank means 1); None when it is unreadable, so no range applies."""
    if "quantity" not in check.data.columns:
        return 1.0
    value = row.values.get("quantity")
    number = read_number(value)
    address = check.data.address(row, "quantity")
    if number.status == "blank":
        return 1.0
    if number.value is None or not 0 < number.value <= MOST_UNITS:
        check.add(
            "quantity-invalid",
            f"The quantity {_shown(value)} is not a number above 0 and at most "
            f"{fmt(MOST_UNITS)} (the hours in a month). "
            "Type the number of days, sessions or hours, or leave it blank for 1.",
            address,
            "Quantity",
            _private(value),
        )
        return None
    if number.status == "text":
        _as_text(check, address, "Quantity", value)
    return number.value


def _check_points(
    check: _Check,
    row: TableRow,
    label: str,
    quantity: float,
    low: float,
    high: float,
    scheme_points: float,
) -> float | None:
    value = row.values.get("agreed_points")
    address = check.data.address(row, "agreed_points")
    number = read_number(value)
    where = (address, "Agreed points", value)
    if number.status == "blank":
        check.add(
            "points-missing",
            f"No agreed points for '{label}' on row {row.row}. The "
            f"scheme gives {fmt(scheme_points)}; type the points you agreed.",
            *where,
        )
        return None
    if number.value is None:
        check.add(
            "points-not-number",
            f"The agreed points {_shown(value)} are not a number. Type the "
            f"points you agreed (the scheme gives {fmt(scheme_points)}).",
            address,
            "Agreed points",
            _private(value),
        )
        return None
    points = number.value
    if number.status == "text":
        _as_text(check, address, "Agreed points", value)
    if points < 0:
        check.add(
            "points-negative",
            f"Agreed points are {fmt(points)}; points are never "
            f"negative. The scheme gives {fmt(scheme_points)} for '{label}'.",
            *where,
        )
        return points
    if quantity is None:  # the quantity is wrong, so the range is unknown
        return points
    lowest, highest = low * quantity, high * quantity
    if not lowest - TOLERANCE <= points <= highest + TOLERANCE:
        check.add(
            "points-out-of-range",
            f"Agreed points {fmt(points)} are outside the range "
            f"{fmt(lowest)} to {fmt(highest)} the scheme allows for '{label}'"
            f"{_times(quantity)}. Agree a score within the range, or ask for the scheme "
            "to be reviewed.",
            *where,
        )
    elif abs(points - scheme_points) > TOLERANCE:
        check.add(
            "points-adjusted",
            f"Agreed points {fmt(points)} differ from the scheme's "
            f"{fmt(scheme_points)} for '{label}'{_times(quantity)}. That is allowed; note "
            "why in the Notes column.",
            *where,
        )
    return points


def _times(quantity: float) -> str:
    return f" × {fmt(quantity)}" if quantity != 1 else ""


# --- outside the table and totals ----------------------------------------------------------


def _check_stray(check: _Check) -> None:
    stray = check.data.stray
    for cell in stray[:20]:
        check.add(
            "outside-table",
            "Something is typed here, outside the table, so it is not counted. Move it into "
            "a row of the table, or delete it.",
            cell.address,
            # No value: text typed outside the table may be anything, a child's name
            # included, and findings travel further than the worker's workbook.
        )
    if len(stray) > 20:
        check.add(
            "outside-table",
            f"{len(stray) - 20} more cells outside the table are not counted either.",
            stray[20].address,
        )


def _normal_formula(text: str) -> str:
    """A formula as compared: no "=", spaces, letter case or the _xlfn. prefixes programs add."""
    return text.removeprefix("=").replace(" ", "").replace("_xlfn.", "").casefold()


def _formulas(data: SheetData) -> dict[str, str]:
    """Each total's formula as it should read on this sheet: over its own table's rows, by
    plain addresses (contracts.worker.total_formula). A total over a column that is gone has
    none."""
    if not data.rows:
        return {}
    first, last = data.rows[0].row, data.rows[-1].row
    found = {}
    for spec in layout.TOTAL_FIELDS:
        try:
            found[spec.key] = layout.total_formula(spec, data.columns, first, last)
        except KeyError:  # a column the formula reads was deleted (column-missing says so)
            continue
    return found


def _legacy(data: SheetData, key: str) -> str | None:
    """An older template's structured formula for a total, over this sheet's own table."""
    old = layout.LEGACY_TOTAL_FORMULAS.get(key)
    return old.replace(f"{layout.TABLE_NAME}[", f"{data.table}[") if old and data.table else None


def _check_row_formulas(check: _Check) -> list[int]:
    """A row with entries whose calculated columns hold no formulas: a row inserted by a
    program that does not fill a table's formulas in (LibreOffice), or pasted over them. The
    sheet's own totals do not count it; validation does. Returns those rows."""
    found = []
    for row in check.data.rows:
        if not row.no_formula or row.is_empty(INPUT_KEYS):
            continue
        found.append(row.row)
        headers = [layout.COLUMN_BY_KEY[key].header for key in row.no_formula]
        check.add(
            "row-formulas-missing",
            f"Row {row.row} has no formulas in {_listed(headers)}, so the sheet's own totals "
            "leave this row out (the tool counts it). It was probably inserted by a program "
            "that does not copy a table's formulas (LibreOffice). Copy the formulas down from "
            "the row above: select that row's "
            f"{_listed(headers)} cells, copy them and paste them into this row.",
            check.data.address(row, row.no_formula[0]),
            layout.COLUMN_BY_KEY[row.no_formula[0]].header,
        )
    return found


def _listed(words: list[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def _check_totals(check: _Check, m: Measurement, scheme: Scheme | None) -> None:
    bare = _check_row_formulas(check)
    if scheme is None or any(k not in check.data.columns for k in ("item", "agreed_points")):
        return
    expected = {
        "case_count": float(m.case_count),
        "case_points": m.case_points,
        "activity_points": m.activity_points,
        "total_points": m.total_points,
        "scheme_points": sum(line.scheme_points for line in m.lines),
        "points_per_fte": m.points_per_fte,
    }
    formulas = _formulas(check.data)
    for key, total in check.data.totals.items():
        spec = layout.TOTAL_BY_KEY[key]
        should = expected.get(key)
        shown = read_number(total.cached).value
        wrong = should is not None and shown is not None and abs(shown - should) > TOLERANCE
        where = (total.address, spec.label, total.cached)
        formula = formulas.get(key, spec.formula)
        legacy = _legacy(check.data, key)
        is_legacy = bool(total.formula and legacy) and _normal_formula(
            total.formula
        ) == _normal_formula(legacy)
        if total.formula is None and not wrong:
            check.add(
                "total-not-formula",
                f"{spec.label} is a typed value, not a formula, so "
                f"it will not update. Put the formula {formula} back.",
                *where,
            )
        elif (
            total.formula
            and key in formulas
            and not is_legacy
            and _normal_formula(total.formula) != _normal_formula(formula)
        ):
            check.add(
                "total-not-formula",
                f"{spec.label}'s formula has been changed to "
                f"{total.formula}. Put back {formula} so it counts every row.",
                total.address,
                spec.label,
                total.formula,
            )
        if wrong:
            check.add(
                "total-mismatch",
                f"{spec.label} shows {fmt(shown)} but the rows add up to {fmt(should)}: "
                f"{_why(total.formula, formula, is_legacy, bare)}",
                *where,
            )


def _why(typed: str | None, formula: str, is_legacy: bool, bare: list[int]) -> str:
    """What most likely makes a total differ from the rows, and the fix."""
    if typed is None:
        return f"the formula was typed over. Copy the formula {formula} back into this cell."
    if bare:
        rows = ", ".join(str(r) for r in bare[:5]) + (" ..." if len(bare) > 5 else "")
        which = f"row {rows} has" if len(bare) == 1 else f"rows {rows} have"
        return (
            f"{which} no formulas in the calculated columns, so this total leaves them out. "
            "Copy the formulas down from the row above, then recalculate (F9)."
        )
    if is_legacy:
        return (
            "this sheet comes from an older template, whose totals also count rows with an "
            "unknown item and leave out points typed as text. Fix those rows, or copy the rows "
            f"into a fresh template; or put {formula} in this cell."
        )
    return "recalculate (F9), or check that calculation is not switched to manual."


def check_entry(scheme: Scheme, item: Any, quantity: Any, agreed: Any) -> list[Finding]:
    """The findings one table row of item, quantity and agreed points would get, for a
    spreadsheet function that checks a row where it stands: the same rules and messages as a
    whole sheet's validation, so a cell and the Errors sheet never disagree."""
    values = {"item": item, "quantity": quantity, "agreed_points": agreed, "case_ref": "-"}
    data = SheetData("", "", {}, {"item": "", "quantity": "", "agreed_points": ""}, [])
    check = _Check(data)
    _check_row(check, scheme, TableRow(0, values))
    return [replace(f, message=_NO_ROW.sub(_unnumbered, f.message)) for f in check.found]


_NO_ROW = re.compile(r" on row 0\b|\bRow 0 has")


def _unnumbered(match: re.Match) -> str:
    """A function checks the row it stands on, which has no number worth saying."""
    return "" if match[0].startswith(" on") else "This row has"
