"""allocate: a team workbook in, who could take a new case (or what a move would do) out
(service layer).

One function under the command line and the add-in's Try an allocation: `allocate_team` takes
the team as read (the CLI reads the file as a return is read, `allocate_file`; the add-in reads
the open book's tables, `team_from_tables`) and hands it to core.allocation. Nothing is
written here, and no worker sheet is ever changed: a suggestion is for the allocation meeting
to weigh.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from workload_xl.contracts import allocation as sheet
from workload_xl.contracts import team as tl
from workload_xl.contracts.grid import Table
from workload_xl.core import allocation
from workload_xl.core.findings import Finding, Refused, json_safe
from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.period import MONTH, PeriodError, parse_period
from workload_xl.core.returns import ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.values import clean_text, fmt, is_blank, read_number
from workload_xl.services.reading import read_bounded


@dataclass(frozen=True)
class AllocationRun:
    """The suggestion for `--item` or the move for `--move`, and what was said on the way
    (findings about the team workbook that did not stop it, such as a total edited by hand)."""

    suggestion: allocation.Suggestion | None = None
    move: allocation.Move | None = None
    findings: list[Finding] = field(default_factory=list)

    def sentences(self) -> list[str]:
        if self.suggestion is not None:
            return self.suggestion.sentences()
        return self.move.sentences() if self.move is not None else []

    def table(self) -> tuple[tuple[sheet.Column, ...], list[list[Any]]]:
        """The table's columns and its rows of figures, as the Allocation sheet holds them."""
        if self.suggestion is not None:
            columns = sheet.SUGGESTION_COLUMNS
            return columns, [sheet.row(columns, c) for c in self.suggestion.candidates]
        columns = sheet.MOVE_COLUMNS
        workers = self.move.workers if self.move is not None else ()
        return columns, [sheet.row(columns, w) for w in workers]

    def shown_table(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """The table as the command line prints it: its figures as text, the reasons left
        for `reasons` (too long for a column)."""
        columns, rows = self.table()
        keep = [i for i, c in enumerate(columns) if c.key != "reason"]
        headings = tuple(columns[i].heading for i in keep)
        return headings, [tuple(sheet.shown(columns[i], r[i]) for i in keep) for r in rows]

    def reasons(self) -> list[tuple[str, str]]:
        """(worker, why they are suggested or not), in the table's order."""
        if self.suggestion is None:
            return []
        return [(c.worker, c.reason) for c in self.suggestion.candidates]

    def to_dict(self) -> dict[str, Any]:
        def plain(value):
            return json.loads(json.dumps(asdict(value), default=json_safe))

        # Both keys always, the one not asked for null: a program reads one shape.
        allocation = plain(self.suggestion) if self.suggestion is not None else None
        move = plain(self.move) if self.move is not None else None
        if move is not None and self.move is not None:
            move["flags_gone"] = [plain(f) for f in self.move.flags_gone]
            move["flags_new"] = [plain(f) for f in self.move.flags_new]
        findings = [f.to_dict() for f in self.findings]
        return {"allocation": allocation, "move": move, "findings": findings}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def allocate_team(
    team: TeamReturn,
    registry: SchemeRegistry,
    *,
    item: str | None = None,
    quantity: Any = 1,
    move: str | None = None,
    to: str | None = None,
    from_worker: str | None = None,
    where: dict[str, dict[str, str]] | None = None,
    said: dict[str, str] | None = None,
) -> AllocationRun:
    """The allocation table for `quantity` more of `item`, or what moving case `move` to
    worker `to` would do. Refused, with findings naming what to fix, for an item, worker or
    case the team does not have, or a quantity that is no number above 0. `where` says where
    each input was typed (by input key: workbook, sheet and cell) and `said` how to name it
    (core.allocation.OPTIONS, the command line's, unless told), for the add-in's findings."""
    said = {**allocation.OPTIONS, **(said or {})}
    where = {key: {"workbook": team.source, **place} for key, place in (where or {}).items()}
    where.setdefault("item", {"workbook": team.source})
    where.setdefault("quantity", {"workbook": team.source})
    scheme = _scheme(team, registry)
    team = replace(team, co_working=scheme.co_working)
    if not is_blank(move):
        if is_blank(to):
            raise Refused(
                finding(
                    "allocation-worker-unknown",
                    f"No worker to move case {clean_text(move)} to: name one ({said['to']}).",
                    field="To worker",
                    **where.get("to", {"workbook": team.source}),
                )
            )
        found = allocation.move_case(
            team,
            scheme,
            clean_text(move),
            clean_text(to),
            clean_text(from_worker) or None,
            said=said,
        )
        return AllocationRun(move=found)
    times = _quantity(quantity, where.get("quantity", {}))
    chosen = allocation.find_item(scheme, clean_text(item), where=said["item"], **where["item"])
    if chosen.kind == "case" and times != int(times):
        raise Refused(
            finding(
                "quantity-invalid",
                f"The quantity {fmt(times)} is not a whole number of cases: {chosen.label} is "
                "a case, and a worker takes a case whole. Type how many cases (1, 2, ...).",
                field="Quantity",
                value=clean_text(quantity),
                **where.get("quantity", {}),
            )
        )
    return AllocationRun(suggestion=allocation.suggest(team, scheme, chosen, times))


def allocate_file(
    path: Path, registry: SchemeRegistry, **asked: Any
) -> tuple[AllocationRun | None, list[Finding]]:
    """`allocate_team` on a team workbook file, read as the performance team reads a return
    (files.return_reader, held to the reading limits). (None, findings) when the file cannot be
    used: not a team workbook, damaged, or a row it relies on is wrong."""
    from workload_xl.files.return_reader import read_team_return

    team, problems = read_bounded(partial(read_team_return, registry=registry), Path(path))
    if team is None:
        return None, problems
    run = allocate_team(team, registry, **asked)
    return AllocationRun(run.suggestion, run.move, problems), problems


def _scheme(team: TeamReturn, registry: SchemeRegistry) -> Scheme:
    scheme = registry.get(team.scheme_id)
    if scheme is None:
        raise Refused(
            finding(
                "return-invalid",
                f"The team workbook names the scheme '{team.scheme_id}', which this tool does "
                f"not know (known schemes: {', '.join(registry.ids) or '(none)'}). Check the "
                "Scheme cell on the Team sheet, or add the scheme's file to the schemes folder.",
                workbook=team.source,
                sheet=tl.TEAM_SHEET,
                field="Scheme",
                value=team.scheme_id,
            )
        )
    return scheme


def _quantity(value: Any, place: dict[str, str]) -> float:
    number = read_number(value)
    if number.status == "blank":
        return 1.0
    if number.value is None or not 0 < number.value <= MOST_UNITS:
        raise Refused(
            finding(
                "quantity-invalid",
                f"The quantity '{clean_text(value)}' is not a number above 0 and at most "
                f"{fmt(MOST_UNITS)}. Type how many more (cases, days or hours), or leave it "
                "blank for 1.",
                field="Quantity",
                value=clean_text(value),
                **place,
            )
        )
    return number.value


# --- a team workbook open in Excel, from its tables ----------------------------------------

_LINE_KEYS = ("worker", "case_ref", "item_code", "item", "kind", "agreed_points", "also")
_LINES = dict(zip(_LINE_KEYS, tl.CASES_COLUMNS, strict=True))


def team_from_tables(
    source: str,
    header: dict[str, Any],
    workers: Table,
    cases: Table | None,
    kind: str = MONTH,
) -> TeamReturn:
    """The team as its workbook's tables hold it (the add-in reads them from the open book):
    `header` has the Team sheet's header values by key (contracts.team's TEAM_HEADER), read
    by their defined names. Rows are decoded by the codec every reader uses; totals come from
    the Cases rows, never from a figure typed over."""
    at = workers.columns(tl.WORKER_HEADINGS)
    people = []
    for values in workers.rows:
        entry = tl.decode_worker(values, at)
        if entry.worker:
            people.append(
                WorkerPeriod(
                    entry.worker,
                    entry.band,
                    entry.fte,
                    entry.cases,
                    entry.total_points,
                    entry.counted is True,
                )
            )
    lines = []
    if cases is not None:
        index = cases.columns(_LINES)
        for values in cases.rows:
            get = {
                k: values[i] if i is not None and i < len(values) else None
                for k, i in index.items()
            }
            name = clean_text(get["worker"])
            if not name:
                continue
            lines.append(
                ReturnLine(
                    name,
                    clean_text(get["case_ref"]),
                    clean_text(get["item_code"]),
                    clean_text(get["kind"]).casefold(),
                    read_number(get["agreed_points"]).value,
                )
            )
    scheme_id = clean_text(header.get("scheme_id"))
    try:
        period = parse_period(header.get("period"), kind)
    except (PeriodError, ValueError, TypeError):
        period = clean_text(header.get("period"))  # shown as it is; nothing is stored
    return TeamReturn(
        source=source,
        team=clean_text(header.get("team")),
        service=clean_text(header.get("service")),
        scheme_id=scheme_id,
        scheme_version=clean_text(header.get("scheme_version")),
        period=period,  # type: ignore[arg-type]
        workers=people,
        lines=lines,
    )
