"""The first click's import cost: the add-in's entry modules against xlwings, in the same run.

The first button press and the first function call start a Python and import the module
RunPython or the functions' server names. Baseline: `import xlwings` (which no button can do
without). Reported, each the median of fresh interpreters run with `python -X importtime`:
the cumulative import time of `xlwings`, `workload_xl.excel.entry` and
`workload_xl.excel.udfs`, and each as a ratio of xlwings', so the figure holds on a faster or
slower machine. It also lists the heavy modules a press would load for nothing (openpyxl,
python-calamine, the returns store, the services) and exits 1 if an entry module loads one.
Run: `python benchmarks/bench_import.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("xlwings", "workload_xl.excel.entry", "workload_xl.excel.udfs")
NOT_FOR_A_PRESS = (
    "openpyxl",
    "python_calamine",
    "sqlite3",
    "workload_xl.store",
    "workload_xl.services",
    "workload_xl.files.worker_template",
    "workload_xl.files.team_workbook",
)
"""Loaded later by the buttons that need them (Build team sheet, Export team return,
Import caseload), never by importing the module a Validate press runs."""


def _environment() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def import_time(module: str) -> float:
    """Seconds `import module` takes in a fresh interpreter (its cumulative -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=_environment(),
        check=True,
    )
    for line in reversed(done.stderr.splitlines()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise RuntimeError(f"-X importtime printed no line for {module}")


def loaded(module: str) -> list[str]:
    """Which of NOT_FOR_A_PRESS importing `module` loads."""
    probe = (
        f"import sys, {module}; "
        f"print('\\n'.join(m for m in {NOT_FOR_A_PRESS!r} if m in sys.modules))"
    )
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, env=_environment(), check=True)
    return done.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per module")
    args = parser.parse_args()
    times: dict[str, list[float]] = {m: [] for m in MODULES}
    for _ in range(args.runs):  # interleaved, so a busy moment falls on every module alike
        for module in MODULES:
            times[module].append(import_time(module))
    median = {m: statistics.median(t) for m, t in times.items()}
    base = median["xlwings"]
    print(f"{'import':<28} {'seconds':>8} {'vs xlwings':>11}   (median of {args.runs} runs)")
    for module in MODULES:
        print(f"{module:<28} {median[module]:>8.3f} {median[module] / base:>10.2f}x")
    failed = False
    for module in MODULES[1:]:
        extra = loaded(module)
        print(f"{module} loads {', '.join(extra) if extra else 'none of'}: {NOT_FOR_A_PRESS}")
        failed = failed or bool(extra)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
