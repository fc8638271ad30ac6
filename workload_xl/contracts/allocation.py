"""The Allocation sheet the add-in's Try an allocation writes on a team workbook, and the
allocation table's columns, as data (contract).

The sheet has a few cells the manager fills (found by their labels in column A, wherever the
rows are moved) and, below them, what `workload-xl allocate` prints: its sentences, then the
table. The command line's table and the sheet's take their columns from here, so the two
never differ; docs/workbook-format.md documents the same labels and headings (a test checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workload_xl.core.values import clean_text

SHEET = "Allocation"
TITLE = "Try an allocation"
STATUS_CELL = "A1"
"""Where Try an allocation says what it did, or what to type, starting with its name (so the
line is the sheet's title): this sheet, not the Errors sheet (the team workbook's Errors sheet
is the signed record of its findings)."""


@dataclass(frozen=True)
class Input:
    key: str
    label: str  # in column A; the value is typed beside it, in column B
    help: str  # in column C


INPUTS: tuple[Input, ...] = (
    Input("item", "Item", "A scheme item, as the scheme names it (e.g. Child protection plan)."),
    Input("quantity", "Quantity", "How many more (blank for 1)."),
    Input("move", "Move case", "Or: a case reference from the Cases sheet, to try moving it."),
    Input("from", "From worker", "Only for a co-worked case: whose part moves."),
    Input("to", "To worker", "The worker the case would move to."),
)
INPUT_TOP = 4
"""The row of the first input's label as the sheet is first written."""
OUTPUT_TOP = INPUT_TOP + len(INPUTS) + 1
"""The first row of what a press writes: its sentences, a blank row, then the table."""


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str  # "text", "number", "fte", "percent" or "yes/no": how a figure is shown
    number_format: str = "General"


_PERCENT = "0%"
SUGGESTION_COLUMNS: tuple[Column, ...] = (
    Column("rank", "Rank", "number", "0"),
    Column("worker", "Worker", "text"),
    Column("band", "Experience band", "text"),
    Column("fte", "FTE", "fte", "0.00"),
    Column("points_before", "Points now", "number", "0.0"),
    Column("points_after", "Points after", "number", "0.0"),
    Column("expected_points", "Expected points", "number", "0.0"),
    Column("load_before", "Load now", "percent", _PERCENT),
    Column("load_after", "Load after", "percent", _PERCENT),
    Column("spread_after", "Team spread after", "percent", _PERCENT),
    Column("suggested", "Suggested", "yes/no"),
    Column("reason", "Why", "text"),
)
"""A row a worker for `--item`: suggested workers first, lowest load after first."""

MOVE_COLUMNS: tuple[Column, ...] = (
    Column("worker", "Worker", "text"),
    Column("band", "Experience band", "text"),
    Column("fte", "FTE", "fte", "0.00"),
    Column("cases_before", "Cases now", "number", "0"),
    Column("cases_after", "Cases after", "number", "0"),
    Column("points_before", "Points now", "number", "0.0"),
    Column("points_after", "Points after", "number", "0.0"),
    Column("load_before", "Load now", "percent", _PERCENT),
    Column("load_after", "Load after", "percent", _PERCENT),
    Column("changed", "Changes", "yes/no"),
)
"""A row a worker for `--move`: only the two workers involved change."""


def row(columns: Sequence[Column], record: Any) -> list[Any]:
    """A record's values (attributes named by the columns' keys), in the columns' order."""
    return [getattr(record, c.key) for c in columns]


def shown(column: Column, value: Any) -> str:
    """A figure as the command line shows it."""
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{value:.0%}"
    if column.kind == "yes/no":
        return "yes" if value else "no"
    if column.kind == "fte":
        return f"{value:.2f}"
    if column.kind == "number" and isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0") if column.number_format != "0" else f"{value:.0f}"
    return str(value)


def input_rows() -> list[list[Any]]:
    """The title (the status line writes over it), and the input cells, as first written from
    A1."""
    return [
        [TITLE, None, None],
        [None, None, None],
        [None, None, None],
        *([i.label, None, i.help] for i in INPUTS),
    ]


def inputs_from(values: Sequence[Sequence[Any]]) -> dict[str, tuple[Any, int | None]]:
    """Each input's value (the cell beside its label in column A; None when blank or the label
    is gone) and the offset of its row in `values` (the sheet's values as one block from A1;
    None without the label), by key."""
    found: dict[str, tuple[Any, int | None]] = {}
    labels = {i.label.casefold(): i.key for i in INPUTS}
    for offset, line in enumerate(values):
        if not line:
            continue
        key = labels.get(clean_text(line[0]).casefold())
        if key and key not in found:
            value = line[1] if len(line) > 1 else None
            found[key] = (None if clean_text(value) == "" else value, offset)
    return {i.key: found.get(i.key, (None, None)) for i in INPUTS}


def output_rows(sentences: Sequence[str], columns: Sequence[Column], rows: Sequence[Sequence[Any]]):
    """What a press writes from OUTPUT_TOP: the sentences, a blank row, the headings, the rows;
    every row as wide as the table."""
    width = max(len(columns), 1)
    pad = [None] * (width - 1)
    return [
        *([sentence, *pad] for sentence in sentences),
        [None] * width,
        [c.heading for c in columns],
        *(list(r) for r in rows),
    ]
