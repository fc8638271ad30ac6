"""`report` on stores of 1, 3 and 10 years: time and peak memory per year of data.

Each store holds 50 teams of 12 workers (five services of ten teams), one monthly return a
team, each worker with the one row their points come from, written straight through the
store's ingest (as tests/test_cli.py's `store_of` does; reading workbooks is not what is
measured). The trend report (services.report.trend_report: the store read, the report
built, the workbook written) then runs on each store in a fresh interpreter, its imports
done before the clock starts; reported are its seconds and peak memory, each per year of
data. Target: the time per year of 10 years within 1.3x of 1 year's, so the report grows
linearly with the store. Exits 1 when it is missed.
Run: `python benchmarks/bench_report.py [--years 1 3 10] [--teams 50]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workload_xl.core.period import Period  # noqa: E402
from workload_xl.core.returns import ReturnLine, TeamReturn, WorkerPeriod  # noqa: E402
from workload_xl.store.database import ReturnsStore  # noqa: E402

TARGET_RATIO = 1.3
WORKERS = 12
SERVICES = ("Safeguarding", "Children in care", "Early help", "Leaving care", "Fostering")
FTES = (1.0, 1.0, 1.0, 0.8, 1.0, 0.6, 1.0, 1.0, 0.5, 1.0, 1.0, 0.8)

PEAK_MEMORY = """
peak = -1
try:
    import resource
    scale = 1 if sys.platform == "darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
except ImportError:  # Windows: no peak memory from the standard library
    pass
"""
"""The lines a child script ends with before it prints its figures: `peak`, its peak memory in
bytes (-1 where the standard library cannot say)."""

_CHILD = f"""
import json, sys, time
from pathlib import Path
from workload_xl.services.report import trend_report
store, output = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
run = trend_report(store, output, force=True)
elapsed = time.perf_counter() - start
{PEAK_MEMORY}
print(json.dumps({{"seconds": elapsed, "peak": peak, "written": run.written}}))
"""


CASE_ITEMS = ("CIN", "CPP", "LAC", "S47", "ASSESS")


def write_store(path: Path, years: int, teams: int, cases: int = 0) -> int:
    """A store of `years` years of monthly returns from `teams` teams; the returns written.
    Each worker's points are on one row; with `cases`, each worker also has that many case
    rows of no points (the line-level table's size as real returns make it)."""
    written = 0
    with ReturnsStore.open(path) as store:
        for month in range(12 * years):
            period = Period(2016 + month // 12, month % 12 + 1)
            for t in range(teams):
                team, service = f"Team {t + 1:02d}", SERVICES[t % len(SERVICES)]
                workers = []
                for w, fte in enumerate(FTES[:WORKERS]):
                    points = round(fte * (95 + (7 * t + 3 * w + 5 * month) % 21), 1)
                    workers.append(
                        WorkerPeriod(
                            worker=f"{team} worker {w + 1:02d}",
                            band="Social worker",
                            fte=fte,
                            cases=10 + w % 5,
                            total_points=points,
                            counted=True,
                        )
                    )
                lines = [
                    ReturnLine(w.worker, "", "DUTY", "activity", w.total_points) for w in workers
                ]
                lines += [
                    ReturnLine(w.worker, f"C{t:02d}{n:03d}{c:02d}", CASE_ITEMS[c % 5], "case", 0.0)
                    for n, w in enumerate(workers)
                    for c in range(cases)
                ]
                ret = TeamReturn(
                    f"{team} {period} team return.xlsx",
                    team,
                    service,
                    "childrens-social-care",
                    "2026.1",
                    period,
                    "Manager",
                    workers,
                    lines,
                )
                store.ingest(ret, sha256=f"{written:064x}", source_path=ret.source)
                written += 1
    return written


def run_child(script: str, *args: str | Path) -> dict:
    """`script` run in a fresh interpreter that imports this checkout, with `args`; the JSON
    object its last line prints."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def report(store: Path, output: Path) -> dict:
    return run_child(_CHILD, store, output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--teams", type=int, default=50)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for years in args.years:
            store = Path(folder) / f"returns-{years}.sqlite"
            start = time.perf_counter()
            returns = write_store(store, years, args.teams)
            built = time.perf_counter() - start
            results[years] = report(store, Path(folder) / f"report-{years}.xlsx")
            results[years]["returns"] = returns
            print(f"{years:>2} years: {returns:,} returns stored in {built:.1f} s", flush=True)
    print(f"\n{args.teams} teams of {WORKERS} workers, monthly returns")
    print(f"{'years':>5} {'seconds':>8} {'s/year':>7} {'peak MiB':>9} {'MiB/year':>9}")
    for years, r in results.items():
        mib = r["peak"] / 2**20 if r["peak"] >= 0 else float("nan")
        print(
            f"{years:>5} {r['seconds']:8.2f} {r['seconds'] / years:7.2f} "
            f"{mib:9.0f} {mib / years:9.1f}"
        )
    first, last = min(results), max(results)
    ratio = (results[last]["seconds"] / last) / (results[first]["seconds"] / first)
    met = ratio <= TARGET_RATIO and all(r["written"] for r in results.values())
    print(
        f"time per year, {last} years over {first}: {ratio:.2f}x "
        f"(target at most {TARGET_RATIO}x): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
