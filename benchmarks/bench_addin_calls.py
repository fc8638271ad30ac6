"""What a button press costs in Excel: the calls it makes into xlwings, on books of 12, 40
and 100 worker tabs.

In desktop Excel every xlwings call is a COM round trip, so a press's time is mostly its
number of calls. The count is taken through xlwings' own remote engine (the one xlwings
Server and the tests use), counting each call into the engine's objects as Excel would see
it (tests/xlwings_remote.py's `counting_calls`), together with the actions the press sends
back. Counts are deterministic; they do not depend on the machine.

Reported for Validate this sheet and Build team sheet: calls and actions per press, calls
per tab, and calls per tab beyond a one-tab book (the press's own fixed cost taken out: what
one more worker's tab costs). Target: that cost of a tab constant within 10% from 12 to 100
tabs, so the calls grow in proportion to the tabs, not to the tabs times the names. It also
presses on the 12-tab book with four times the table rows, and on it with 500 more defined
names of the book's own: both must cost the same calls as the plain 12-tab book.
Exits 1 when a target is missed. Run: `python benchmarks/bench_addin_calls.py [--tabs 12 40 100]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the harness lives in tests/
    sys.path.insert(0, str(ROOT))

from openpyxl.workbook.defined_name import DefinedName  # noqa: E402

from tests import xlwings_remote as remote  # noqa: E402  (sets the remote engine's licence)
from workload_xl.contracts import worker as layout  # noqa: E402
from workload_xl.core.schemes import SchemeRegistry  # noqa: E402
from workload_xl.excel import entry  # noqa: E402
from workload_xl.files.worker_template import (  # noqa: E402
    WorkerSheetContent,
    build_team_of_worker_sheets,
)

SCHEME = "childrens-social-care"
TARGET_SPREAD = 0.10  # a tab's cost, largest over smallest, at most 1.1
EXTRA_NAMES = 500
BUTTONS: dict[str, Callable] = {
    "Validate this sheet": entry.validate_sheet,
    "Build team sheet": entry.build_team_sheet,
}


def worker(index: int) -> WorkerSheetContent:
    """One worker's valid sheet: five lines, every header filled."""
    header = {
        "worker": f"Worker {index + 1}",
        "team": "First Response East",
        "service": "First Response",
        "period": "2026-10",
        "fte": 1.0,
        "band": "Social worker",
        "manager": "Sam Okoro",
        "date_agreed": dt.date(2026, 10, 28),
    }
    lines: list[dict] = [
        {"case_ref": f"C{index:03d}{n}", "item": item, "agreed_points": points}
        for n, (item, points) in enumerate(
            (("Child in need", 5), ("Child protection plan", 8), ("Looked after child", 7))
        )
    ]
    lines += [
        {"item": "Duty day", "quantity": 3, "agreed_points": 6},
        {"item": "Training day", "quantity": 2, "agreed_points": 3},
    ]
    return WorkerSheetContent(header, lines)


def book_of_tabs(
    folder: Path, tabs: int, rows: int = layout.DEFAULT_TABLE_ROWS, names: int = 0
) -> Path:
    """A workbook of `tabs` workers' measurement sheets (and the Scheme sheet), as a team
    manager keeps them, each sheet's table `rows` rows long, with `names` more defined
    names of the book's own (as a council's workbook may carry)."""
    path = folder / f"team-{tabs}-tabs-{rows}-rows-{names}-names.xlsx"
    scheme = SchemeRegistry.from_dir().get(SCHEME)
    wb = build_team_of_worker_sheets(scheme, [worker(i) for i in range(tabs)], rows=rows)
    for n in range(names):
        wb.defined_names[f"Council{n}"] = DefinedName(f"Council{n}", attr_text="Scheme!$A$1")
    wb.save(path)
    return path


@dataclass(frozen=True)
class Press:
    calls: int
    actions: int
    status: str


def press(button: Callable, path: Path) -> Press:
    """Press a button on the book (its first worker's tab active), counting its calls."""
    payload = remote.payload(path, active="Worker 1")
    book = remote.xw.Book(json=payload)
    with remote.counting_calls() as calls:
        button(book)
    actions = book.json()["actions"]
    status = next((a["values"][0][0] for a in reversed(actions) if a["func"] == "setValues"), "")
    return Press(calls.total, len(actions), str(status))


def per_tab(calls: dict[int, int]) -> dict[int, float]:
    """Calls a tab beyond a one-tab book, for each book of more tabs than one."""
    return {n: (c - calls[1]) / (n - 1) for n, c in calls.items() if n > 1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, nargs="+", default=[12, 40, 100])
    args = parser.parse_args()
    sizes = sorted({1, *args.tabs})
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        books = {n: book_of_tabs(Path(scratch), n) for n in sizes}
        first = args.tabs[0]
        variants = {
            "4x the table rows": book_of_tabs(
                Path(scratch), first, rows=4 * layout.DEFAULT_TABLE_ROWS
            ),
            f"{EXTRA_NAMES} more defined names": book_of_tabs(
                Path(scratch), first, names=EXTRA_NAMES
            ),
        }
        for label, button in BUTTONS.items():
            presses = {n: press(button, path) for n, path in books.items()}
            stopped = [p.status for p in presses.values() if "stopped" in p.status]
            if stopped:
                print(f"{label}: the press stopped: {stopped[0]}")
                return 1
            extra = per_tab({n: p.calls for n, p in presses.items()})
            print(f"\n{label}")
            print(
                f"{'tabs':>6} {'calls':>8} {'actions':>8} {'calls/tab':>10} {'a tab beyond 1':>15}"
            )
            for n, p in presses.items():
                beyond = f"{extra[n]:15.1f}" if n in extra else f"{'':>15}"
                print(f"{n:>6} {p.calls:>8,} {p.actions:>8} {p.calls / n:>10.1f} {beyond}")
            spread = max(extra.values()) / min(extra.values()) - 1
            met = spread <= TARGET_SPREAD
            failed |= not met
            print(
                f"a tab's cost from {min(extra)} to {max(extra)} tabs varies by {spread:.1%} "
                f"(target at most {TARGET_SPREAD:.0%}): {'met' if met else 'NOT met'}"
            )
            for variant, path in variants.items():
                other = press(button, path)
                same = other.calls == presses[first].calls
                failed |= not same
                print(
                    f"{first} tabs with {variant}: {other.calls:,} calls "
                    f"({'the same' if same else 'NOT the same'} as {presses[first].calls:,})"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
