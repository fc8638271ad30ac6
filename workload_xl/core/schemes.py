"""Points schemes: loading and checking the TOML files under schemes/ (core layer).

A scheme is data a service agrees locally, so it is checked completely when it is loaded: a
typo in a scheme file must fail loudly with the file and key named, never half way through
validating a hundred worker sheets.

Scheme files are data, never trusted: core.scheme_files reads each (an ordinary file, of
limited size and nesting) as far as its TOML; here it is checked, with at most `MAX_ITEMS`
items and `MAX_BANDS` bands. A wrong file among good ones is one `scheme-invalid` finding and
the good schemes still load; a folder that cannot be used at all raises `Refused`, carrying
one `scheme-folder-unusable` finding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core import scheme_options
from workload_xl.core.findings import Finding
from workload_xl.core.paths import schemes_dir
from workload_xl.core.rules import finding
from workload_xl.core.scheme_files import SchemeError, read_scheme_toml, scheme_folder_files
from workload_xl.core.scheme_options import SignalSettings

KINDS = ("case", "activity")
UNITS = ("per case", "per day", "per session", "per hour")
PERIODS = ("month", "4 weeks")


MAX_ITEMS = 500
MAX_BANDS = 50
MAX_LIST = 200
"""The most entries in a list of text (services, caseload column headings) or in
`[caseload.case_types]` (times 10)."""
MAX_TEXT = 2000
"""The longest text value, in characters: a label, a code, a note."""


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    kind: str
    points: float
    min: float
    max: float
    unit: str
    description: str = ""

    @property
    def is_case(self) -> bool:
        return self.kind == "case"


@dataclass(frozen=True)
class Band:
    """An experience band: workers are compared only with workers of the same band."""

    id: str
    label: str
    capacity_factor: float


@dataclass(frozen=True)
class CaseloadMapping:
    """How a case management system's caseload report maps onto this scheme."""

    case_types: dict[str, str] = field(default_factory=dict)
    """Report case type, as `report_key` folds it, to the code of a case item."""
    reference_columns: tuple[str, ...] = ()
    name_columns: tuple[str, ...] = ()
    type_columns: tuple[str, ...] = ()
    worker_columns: tuple[str, ...] = ()

    def code_for(self, case_type: str) -> str | None:
        """The item code the scheme file maps this report case type to, if any."""
        return self.case_types.get(report_key(case_type))


def report_key(text: str) -> str:
    """How a caseload report's case type or heading is compared with the scheme file's words:
    letter case, spaces and punctuation ignored ("CP Plan", "C.P. plan" and "CP-Plan" are one),
    so the file lists each word once, not every way a system writes it."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


@dataclass(frozen=True)
class Scheme:
    id: str
    title: str
    version: str
    services: tuple[str, ...]
    period: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...] = ()
    note: str = ""
    reference_points: float | None = None
    spread_threshold: float | None = None
    flags: SignalSettings = field(default_factory=SignalSettings)
    co_working: str = scheme_options.DEFAULT
    caseload: CaseloadMapping = field(default_factory=CaseloadMapping)
    source: str = ""

    def item_by_label(self, label: str) -> Item | None:
        """The item whose label this is, as the sheet's MATCH formula finds it: ignoring
        letter case only, so Python and the sheet's own totals always agree."""
        key = label.casefold()
        return next((item for item in self.items if item.label.casefold() == key), None)

    def find_item(self, text: str) -> Item | None:
        """The item meant by a label or code typed loosely (spacing, case): for imports and
        hints, never for scoring a sheet."""
        key = _fold(text)
        return next((i for i in self.items if key in (_fold(i.label), _fold(i.code))), None)

    def item_by_code(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def band_by_label(self, text: str) -> Band | None:
        key = _fold(text)
        return next((b for b in self.bands if key in (_fold(b.label), _fold(b.id))), None)

    def serves(self, service: str) -> bool:
        return _fold(service) in {_fold(s) for s in self.services}

    def service_name(self, service: str) -> str | None:
        return next((s for s in self.services if _fold(s) == _fold(service)), None)


def _fold(text: str) -> str:
    """Compare labels the way a person reads them: case, spacing and NBSPs don't matter."""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


# --- loading -------------------------------------------------------------------------------

_TOP_KEYS = {
    "id",
    "title",
    "version",
    "services",
    "period",
    "note",
    "reference_points",
    "outlier_threshold",  # refused with advice: flags no longer use robust deviations
    "spread_threshold",
    "flags",
    "co_working",
    "bands",
    "items",
    "caseload",
}
_ITEM_KEYS = {"code", "label", "kind", "points", "min", "max", "unit", "description"}
_BAND_KEYS = {"id", "label", "capacity_factor"}
_FLAG_LIMITS: dict[str, tuple[float, float, bool]] = {
    "outlier_margin": (0.05, 2.0, False),
    "disparity_margin": (0.02, 2.0, False),
    "disparity_periods": (2, 24, True),
    "run_length": (5, 12, True),
}
"""The flag settings a scheme's [flags] table may change: least, most, whole number."""
_CASELOAD_KEYS = {"case_types", "columns"}
_COLUMN_KEYS = {"reference", "name", "case_type", "worker"}


class _Reader:
    """Pulls typed values out of parsed TOML, naming file and key in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> SchemeError:
        return SchemeError(self.source, f"{key}: {problem}")

    def check_keys(self, table: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                f"{where}{unknown[0]}",
                f"unknown key (allowed keys: {', '.join(sorted(allowed))})",
            )

    def text(self, table: dict, key: str, where: str = "", *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(where + key, "is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where + key, f"must be non-empty text, found {_shown(value)}")
        if len(value) > MAX_TEXT:
            raise self.fail(
                where + key, f"is {len(value):,} characters long; at most {MAX_TEXT:,} are allowed"
            )
        return value.strip()

    def number(self, table: dict, key: str, where: str = "", *, required: bool = True):
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(where + key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where + key, f"must be a number, found {_shown(value)}")
        return float(value)

    def choice(self, table: dict, key: str, options: tuple[str, ...], where: str = "") -> str:
        value = self.text(table, key, where)
        if value not in options:
            raise self.fail(
                where + key, f"must be one of {', '.join(options)}; found {_shown(value)}"
            )
        return value

    def text_list(self, table: dict, key: str, where: str = "", *, required: bool = True):
        value = table.get(key, [] if not required else None)
        if value is None:
            raise self.fail(where + key, "is required")
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and len(value) > MAX_LIST:
            raise self.fail(
                where + key, f"lists {len(value):,} entries; at most {MAX_LIST} are allowed"
            )
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where + key, f"must be a list of text, found {_shown(value)}")
        if any(len(v) > MAX_TEXT for v in value):
            raise self.fail(where + key, f"has an entry longer than {MAX_TEXT:,} characters")
        if required and not value:
            raise self.fail(where + key, "must list at least one entry")
        return tuple(v.strip() for v in value)


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it, cut short: a message is a sentence, not the file."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_scheme(data: dict[str, Any], source: str) -> Scheme:
    """Build a Scheme from parsed TOML, checking everything a later step relies on."""
    r = _Reader(source)
    r.check_keys(data, _TOP_KEYS, "")
    scheme_id = r.text(data, "id")
    if not all(ch.isalnum() or ch == "-" for ch in scheme_id) or scheme_id != scheme_id.lower():
        raise r.fail(
            "id", f"must be lower-case letters, digits and hyphens, found {_shown(scheme_id)}"
        )
    version = data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        raise r.fail("version", f'must be text in quotes, e.g. "{version}" (found a number)')

    items = _parse_items(r, data.get("items"))
    bands = _parse_bands(r, data.get("bands", []))
    caseload = _parse_caseload(r, data.get("caseload", {}), items)
    if "outlier_threshold" in data:
        raise r.fail(
            "outlier_threshold",
            "is no longer used: flags now compare each worker's load against what the scheme "
            "expects of them (reference_points × the band's capacity_factor × FTE). Remove it; "
            "to change when a load is flagged, set outlier_margin in a [flags] table "
            "(e.g. [flags] outlier_margin = 0.30 for 30 points of percentage)",
        )
    flags = _parse_flags(r, data.get("flags", {}))
    spread = r.number(data, "spread_threshold", required=False)
    if spread is not None and not 0 < spread < 5:
        raise r.fail("spread_threshold", "must be above 0 and below 5 (e.g. 0.25 for 25%)")
    reference = r.number(data, "reference_points", required=False)
    co_working = _parse_co_working(r, data)
    return Scheme(
        id=scheme_id,
        title=r.text(data, "title"),
        version=r.text(data, "version"),
        services=r.text_list(data, "services"),
        period=r.choice(data, "period", PERIODS),
        items=items,
        bands=bands,
        note=r.text(data, "note", required=False),
        reference_points=reference,
        spread_threshold=spread,
        flags=flags,
        co_working=co_working,
        caseload=caseload,
        source=source,
    )


def _parse_flags(r: _Reader, raw: Any) -> SignalSettings:
    """A [flags] table: any of the calibrated flag settings, each within sense."""
    if not isinstance(raw, dict):
        raise r.fail("flags", "must be a table: [flags] then settings such as outlier_margin")
    r.check_keys(raw, set(_FLAG_LIMITS), "flags.")
    chosen: dict[str, float] = {}
    for key, (low, high, whole) in _FLAG_LIMITS.items():
        value = r.number(raw, key, "flags.", required=False)
        if value is None:
            continue
        if (whole and value != int(value)) or not low <= value <= high:
            kind = "a whole number" if whole else "a number"
            raise r.fail(f"flags.{key}", f"must be {kind} from {low:g} to {high:g}")
        chosen[key] = int(value) if whole else value
    try:
        return SignalSettings(**chosen)
    except ValueError:
        raise r.fail("flags.disparity_margin", "must be no larger than outlier_margin") from None


def _parse_co_working(r: _Reader, data: dict) -> str:
    """How a case on several workers' sheets counts (core.coworking); the default when unset."""
    value = data.get("co_working", scheme_options.DEFAULT)
    if not isinstance(value, str) or value not in scheme_options.RULES:
        rules = scheme_options.RULES.items()
        meanings = "; or ".join(f'"{rule}" ({words})' for rule, words in rules)
        raise r.fail("co_working", f"must be {meanings}; found {_shown(value)}")
    return value


def _parse_items(r: _Reader, raw: Any) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail("items", "must be a list of [[items]] tables with at least one item")
    if len(raw) > MAX_ITEMS:
        raise r.fail("items", f"lists {len(raw):,} items; a scheme holds at most {MAX_ITEMS}")
    items: list[Item] = []
    seen_codes: set[str] = set()
    seen_labels: set[str] = set()
    for index, table in enumerate(raw):
        where = f"items[{index}]."
        if not isinstance(table, dict):
            raise r.fail(f"items[{index}]", "must be a table")
        r.check_keys(table, _ITEM_KEYS, where)
        code = r.text(table, "code", where)
        label = r.text(table, "label", where)
        where = f"items[{index}] ({code})."
        points = r.number(table, "points", where)
        low = r.number(table, "min", where, required=False)
        high = r.number(table, "max", where, required=False)
        low = points if low is None else low
        high = points if high is None else high
        if points < 0 or low < 0:
            raise r.fail(where + "points", "points and min must not be negative")
        if not low <= points <= high:
            raise r.fail(where + "points", f"must lie between min ({low:g}) and max ({high:g})")
        kind = r.choice(table, "kind", KINDS, where)
        unit = r.choice(table, "unit", UNITS, where)
        if kind == "case" and unit != "per case":
            raise r.fail(where + "unit", "a case item is scored 'per case'")
        if _fold(code) in seen_codes:
            raise r.fail(where + "code", f"duplicate code {_shown(code)}")
        if _fold(label) in seen_labels:
            raise r.fail(where + "label", f"duplicate label {_shown(label)}")
        seen_codes.add(_fold(code))
        seen_labels.add(_fold(label))
        description = r.text(table, "description", where, required=False)
        items.append(Item(code, label, kind, points, low, high, unit, description))
    return tuple(items)


def _parse_bands(r: _Reader, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list):
        raise r.fail("bands", "must be a list of [[bands]] tables")
    if len(raw) > MAX_BANDS:
        raise r.fail("bands", f"lists {len(raw):,} bands; a scheme holds at most {MAX_BANDS}")
    bands = []
    for index, table in enumerate(raw):
        where = f"bands[{index}]."
        if not isinstance(table, dict):
            raise r.fail(f"bands[{index}]", "must be a table")
        r.check_keys(table, _BAND_KEYS, where)
        factor = r.number(table, "capacity_factor", where)
        if not 0 < factor <= 1.5:
            raise r.fail(where + "capacity_factor", "must be above 0 and at most 1.5")
        bands.append(Band(r.text(table, "id", where), r.text(table, "label", where), factor))
    if len({_fold(b.label) for b in bands}) != len(bands):
        raise r.fail("bands", "band labels must be unique")
    return tuple(bands)


def _parse_caseload(r: _Reader, raw: Any, items: tuple[Item, ...]) -> CaseloadMapping:
    if not isinstance(raw, dict):
        raise r.fail("caseload", "must be a table")
    r.check_keys(raw, _CASELOAD_KEYS, "caseload.")
    types = raw.get("case_types", {})
    if not isinstance(types, dict):
        raise r.fail("caseload.case_types", 'must be a table of "report type" = "ITEM CODE"')
    if len(types) > MAX_LIST * 10:
        raise r.fail(
            "caseload.case_types",
            f"maps {len(types):,} report types; at most {MAX_LIST * 10:,} are allowed",
        )
    case_codes = {item.code for item in items if item.is_case}
    folded: dict[str, tuple[str, str]] = {}
    for report_type, code in types.items():
        where = f"caseload.case_types.{_shown(report_type)}"
        if code not in case_codes:
            raise r.fail(
                where,
                f"maps to {_shown(code)}, which is not the code of a case item in this scheme",
            )
        key = report_key(report_type)
        if not key:
            raise r.fail(where, "has no letter or digit, so no case type could match it")
        other, other_code = folded.setdefault(key, (report_type, code))
        if other_code != code:
            raise r.fail(
                where,
                f"maps to {_shown(code)}, but {_shown(other)}, the same words but for case, "
                f"spaces or punctuation, maps to {_shown(other_code)}: keep one of them",
            )
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise r.fail("caseload.columns", "must be a table")
    r.check_keys(columns, _COLUMN_KEYS, "caseload.columns.")
    where = "caseload.columns."
    return CaseloadMapping(
        case_types={report_key(k): v for k, v in types.items()},
        reference_columns=r.text_list(columns, "reference", where, required=False),
        name_columns=r.text_list(columns, "name", where, required=False),
        type_columns=r.text_list(columns, "case_type", where, required=False),
        worker_columns=r.text_list(columns, "worker", where, required=False),
    )


def load_scheme(path: Path) -> Scheme:
    """One scheme file, read as untrusted data; SchemeError names the file and the problem."""
    scheme = parse_scheme(read_scheme_toml(path), str(path))
    if scheme.id != path.stem:
        raise SchemeError(
            str(path), f"id: is {_shown(scheme.id)} but the file is named {_shown(path.name)}"
        )
    return scheme


def scheme_invalid(problem: SchemeError) -> Finding:
    """The `scheme-invalid` finding for a scheme file that was not loaded."""
    detail = problem.detail.rstrip(". ")
    fix = problem.fix or "Correct the file, or move it out of the scheme folder."
    return finding(
        "scheme-invalid",
        f"This points scheme was not loaded: {detail}. {fix} The other schemes work as usual.",
        workbook=problem.source,
    )


class SchemeRegistry:
    """All schemes in a folder, by id, loaded and checked together.

    A wrong file does not stop the others: it is left out, and `problems` holds one
    `scheme-invalid` finding for it (to say once, where the schemes are used).
    """

    def __init__(self, schemes: list[Scheme], problems: list[Finding] | tuple = ()):
        self._by_id = {s.id: s for s in schemes}
        self.problems: tuple[Finding, ...] = tuple(problems)

    @classmethod
    def from_dir(cls, folder: Path | None = None) -> SchemeRegistry:
        """The schemes of a folder (the shipped ones, or WORKLOAD_XL_SCHEMES's): every good
        file, with a finding for each wrong one. Raises Refused when the folder itself cannot be
        used."""
        from_environment = folder is None and bool(os.environ.get("WORKLOAD_XL_SCHEMES"))
        folder = folder or schemes_dir()
        schemes, problems = [], []
        for path in scheme_folder_files(folder, from_environment=from_environment):
            try:
                schemes.append(load_scheme(path))
            except SchemeError as problem:
                problems.append(scheme_invalid(problem))
        return cls(schemes, problems)

    def problem(self, scheme_id: str) -> str | None:
        """What is wrong with the file of this scheme id, when it was left out."""
        wanted = f"{str(scheme_id).strip().lower()}.toml"
        return next(
            (
                f"{f.workbook}: {f.message}"
                for f in self.problems
                if Path(f.workbook).name.lower() == wanted
            ),
            None,
        )

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, scheme_id: str) -> Scheme | None:
        return self._by_id.get(str(scheme_id).strip().lower())

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)
