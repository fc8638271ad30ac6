"""`store export` on stores of 1, 3 and 10 years: its time against writing the same tables as
CSV alone, and its peak memory.

Each store holds 50 teams of 12 workers (benchmarks/bench_report.py's stores), each worker with
their points row and 40 case rows a month, as the consolidation benchmark's corpus has about
40 rows a worker: 295,200 lines a year, 2.95 million in ten. In a fresh
interpreter for each, (a) every table is written to CSV and nothing else (the floor: what any
export must write), and (b) `store export` runs as the command does (every CSV file, then the
workbook: the returns, teams and worker tables whole, the lines summed by year). Target: (b)
within 1.5x of (a) on the 10-year store, and peak memory flat in the store's size (10 years'
within 1.5x of 1 year's). Exits 1 when either is missed.
Run: `python benchmarks/bench_export.py [--years 1 3 10] [--teams 50] [--cases 40]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_report import PEAK_MEMORY, run_child, write_store  # noqa: E402

TARGET_TIME = 1.5
TARGET_MEMORY = 1.5

_CHILD = (
    """
import json, sqlite3, sys, time
from pathlib import Path
from workload_xl.store.export import TABLES, export_store, write_csv
store, folder, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
folder.mkdir()
db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
start = time.perf_counter()
if mode == "csv":
    for table in TABLES:
        write_csv(db, table, folder / f"{table}.csv")
    problems = []
else:
    _, problems = export_store(db, folder)
elapsed = time.perf_counter() - start
"""
    + PEAK_MEMORY
    + """
print(json.dumps({"seconds": elapsed, "peak": peak, "ok": not problems}))
"""
)


def run(store: Path, folder: Path, mode: str) -> dict:
    return run_child(_CHILD, store, folder, mode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--cases", type=int, default=40)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for years in args.years:
            store = Path(folder) / f"returns-{years}.sqlite"
            start = time.perf_counter()
            returns = write_store(store, years, args.teams, cases=args.cases)
            built = time.perf_counter() - start
            csv_only = run(store, Path(folder) / f"csv-{years}", "csv")
            export = run(store, Path(folder) / f"export-{years}", "export")
            results[years] = (csv_only, export)
            print(f"{years:>2} years: {returns:,} returns stored in {built:.1f} s", flush=True)
    print(f"\n{args.teams} teams of 12 workers, monthly returns, {args.cases} cases a worker")
    print(f"{'years':>5} {'CSV alone s':>11} {'export s':>9} {'ratio':>6} {'peak MiB':>9}")
    for years, (csv_only, export) in results.items():
        mib = export["peak"] / 2**20 if export["peak"] >= 0 else float("nan")
        ratio = export["seconds"] / csv_only["seconds"]
        print(
            f"{years:>5} {csv_only['seconds']:11.2f} {export['seconds']:9.2f} "
            f"{ratio:5.2f}x {mib:9.0f}"
        )
    first, last = min(results), max(results)
    time_ratio = results[last][1]["seconds"] / results[last][0]["seconds"]
    peaks = [results[y][1]["peak"] for y in (first, last)]
    memory_ratio = peaks[1] / peaks[0] if min(peaks) > 0 else float("nan")
    ok = all(export["ok"] for _, export in results.values())
    met = ok and time_ratio <= TARGET_TIME and not memory_ratio > TARGET_MEMORY
    print(
        f"export over CSV alone at {last} years: {time_ratio:.2f}x (target at most "
        f"{TARGET_TIME}x); peak memory, {last} years over {first}: {memory_ratio:.2f}x (target "
        f"at most {TARGET_MEMORY}x): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
