"""Points schemes: loading and checking the TOML files under schemes/ (core layer).

A scheme is data a service agrees locally, so it is checked completely when it is loaded: a
typo in a scheme file must fail loudly with the file and key named, never half way through
validating a hundred worker sheets.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import schemes_dir

KINDS = ("case", "activity")
UNITS = ("per case", "per day", "per session", "per hour")
PERIODS = ("month", "4 weeks")


class SchemeError(ValueError):
    """A scheme file is wrong; the message names the file and the key."""


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
    reference_columns: tuple[str, ...] = ()
    name_columns: tuple[str, ...] = ()
    type_columns: tuple[str, ...] = ()
    worker_columns: tuple[str, ...] = ()


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
    outlier_threshold: float | None = None
    spread_threshold: float | None = None
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
    "id", "title", "version", "services", "period", "note", "reference_points",
    "outlier_threshold", "spread_threshold", "bands", "items", "caseload",
}  # fmt: skip
_ITEM_KEYS = {"code", "label", "kind", "points", "min", "max", "unit", "description"}
_BAND_KEYS = {"id", "label", "capacity_factor"}
_CASELOAD_KEYS = {"case_types", "columns"}
_COLUMN_KEYS = {"reference", "name", "case_type", "worker"}


class _Reader:
    """Pulls typed values out of parsed TOML, naming file and key in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> SchemeError:
        return SchemeError(f"{self.source}: {key}: {problem}")

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
            raise self.fail(where + key, f"must be non-empty text, found {value!r}")
        return value.strip()

    def number(self, table: dict, key: str, where: str = "", *, required: bool = True):
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(where + key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where + key, f"must be a number, found {value!r}")
        return float(value)

    def choice(self, table: dict, key: str, options: tuple[str, ...], where: str = "") -> str:
        value = self.text(table, key, where)
        if value not in options:
            raise self.fail(where + key, f"must be one of {', '.join(options)}; found {value!r}")
        return value

    def text_list(self, table: dict, key: str, where: str = "", *, required: bool = True):
        value = table.get(key, [] if not required else None)
        if value is None:
            raise self.fail(where + key, "is required")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where + key, f"must be a list of text, found {value!r}")
        if required and not value:
            raise self.fail(where + key, "must list at least one entry")
        return tuple(v.strip() for v in value)


def parse_scheme(data: dict[str, Any], source: str) -> Scheme:
    """Build a Scheme from parsed TOML, checking everything a later step relies on."""
    r = _Reader(source)
    r.check_keys(data, _TOP_KEYS, "")
    scheme_id = r.text(data, "id")
    if not all(ch.isalnum() or ch == "-" for ch in scheme_id) or scheme_id != scheme_id.lower():
        raise r.fail("id", f"must be lower-case letters, digits and hyphens, found {scheme_id!r}")
    version = data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        raise r.fail("version", f'must be text in quotes, e.g. "{version}" (found a number)')

    items = _parse_items(r, data.get("items"))
    bands = _parse_bands(r, data.get("bands", []))
    caseload = _parse_caseload(r, data.get("caseload", {}), items)
    threshold = r.number(data, "outlier_threshold", required=False)
    if threshold is not None and threshold <= 0:
        raise r.fail("outlier_threshold", "must be greater than 0")
    spread = r.number(data, "spread_threshold", required=False)
    if spread is not None and not 0 < spread < 5:
        raise r.fail("spread_threshold", "must be above 0 and below 5 (e.g. 0.25 for 25%)")
    reference = r.number(data, "reference_points", required=False)
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
        outlier_threshold=threshold,
        spread_threshold=spread,
        caseload=caseload,
        source=source,
    )


def _parse_items(r: _Reader, raw: Any) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail("items", "must be a list of [[items]] tables with at least one item")
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
            raise r.fail(where + "code", f"duplicate code {code!r}")
        if _fold(label) in seen_labels:
            raise r.fail(where + "label", f"duplicate label {label!r}")
        seen_codes.add(_fold(code))
        seen_labels.add(_fold(label))
        description = r.text(table, "description", where, required=False)
        items.append(Item(code, label, kind, points, low, high, unit, description))
    return tuple(items)


def _parse_bands(r: _Reader, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list):
        raise r.fail("bands", "must be a list of [[bands]] tables")
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
    case_codes = {item.code for item in items if item.is_case}
    for report_type, code in types.items():
        if code not in case_codes:
            raise r.fail(
                f"caseload.case_types.{report_type!r}",
                f"maps to {code!r}, which is not the code of a case item in this scheme",
            )
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise r.fail("caseload.columns", "must be a table")
    r.check_keys(columns, _COLUMN_KEYS, "caseload.columns.")
    where = "caseload.columns."
    return CaseloadMapping(
        case_types={_fold(k): v for k, v in types.items()},
        reference_columns=r.text_list(columns, "reference", where, required=False),
        name_columns=r.text_list(columns, "name", where, required=False),
        type_columns=r.text_list(columns, "case_type", where, required=False),
        worker_columns=r.text_list(columns, "worker", where, required=False),
    )


def load_scheme(path: Path) -> Scheme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: cannot be read: {exc}") from None
    scheme = parse_scheme(data, str(path))
    if scheme.id != path.stem:
        raise SchemeError(f"{path}: id: is {scheme.id!r} but the file is named {path.name!r}")
    return scheme


class SchemeRegistry:
    """All schemes in a folder, by id, loaded and checked together."""

    def __init__(self, schemes: list[Scheme]):
        self._by_id = {s.id: s for s in schemes}

    @classmethod
    def from_dir(cls, folder: Path | None = None) -> SchemeRegistry:
        folder = folder or schemes_dir()
        return cls([load_scheme(p) for p in sorted(folder.glob("*.toml"))])

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, scheme_id: str) -> Scheme | None:
        return self._by_id.get(str(scheme_id).strip().lower())

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)
