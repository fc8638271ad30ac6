"""Validation and build-team speed against floors measured in the same run.

Files: the first N (default 40) worker workbooks the demo writes for its latest month.
Floors, the least any openpyxl-based reader can do:
- load: openpyxl opening each workbook once (`load_workbook`), in this process;
- build-team floor: a fresh Python that imports pandas and then opens each workbook once.
Measured, each as a ratio of its floor, so the figures hold on a faster or slower machine:
- validate, one process: every file read (the file guard, one openpyxl load, the saved
  results) and checked, in this process, as the floor is: CPU seconds (steadier than the
  clock on a shared machine). Target: within 1.2x of the load floor.
Each figure is the least of the repeats, the floor and what it bounds measured by turns.
- validate, as the command runs it: files read in worker processes (one per core, each held to
  a time and memory limit): wall-clock seconds, for information.
- build-team: `workload-xl build-team` on the same files in a fresh Python (its files read in
  worker processes), wall-clock seconds against the build-team floor. Target: within 1.3x.
- demo (with --demo): the CPU of `workload-xl demo` and its worker processes (started with
  spawn, so that the demo waits for each and its CPU is counted; POSIX only), and with
  --compare-with DIR the same demo run from another checkout (PYTHONPATH=DIR, e.g. the commit
  before a change) in the same run. Target: at most half of that one's CPU.
Run: `python benchmarks/bench_validate.py [--files N] [--repeats R] [--demo [--compare-with
DIR]]`. Exits 1 when a target judged in the run is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from openpyxl import load_workbook

import workload_xl
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.validation import validate_sheet
from workload_xl.demo import generate
from workload_xl.files import isolation
from workload_xl.files.worker_reader import read_workbook
from workload_xl.services.validate import validate_files

try:
    import resource
except ImportError:  # Windows: no CPU of child processes, only the clock
    resource = None  # type: ignore[assignment]

ROOT = Path(workload_xl.__file__).resolve().parent.parent
"""The checkout whose code is measured (PYTHONPATH picks it), for the fresh Pythons too."""


def interleaved(actions, repeats: int, clock=time.perf_counter) -> list[float]:
    """The least time of each action over the repeats, the actions taking turns, so a change
    in the machine's load during the run falls on all of them alike (the least is the run
    least disturbed by the other work on a shared machine)."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for spent, action in zip(times, actions, strict=True):
            start = clock()
            action()
            spent.append(clock() - start)
    return [min(spent) for spent in times]


def children_cpu() -> float:
    if resource is None:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_python(code: str, *args: str, path: Path = ROOT, **env: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of it and every process it waited for) of a fresh Python
    that imports the checkout at `path`. It starts in the temporary folder: `python -c` puts
    the folder it starts in first on its path, so started from a checkout it would import that
    checkout's code whatever PYTHONPATH says (an --compare-with run measured this one)."""
    env = dict(os.environ, PYTHONPATH=str(path), **env)
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, children_cpu() - cpu


FLOOR = """
import sys, warnings
import pandas
from openpyxl import load_workbook
warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    load_workbook(path)
"""
BUILD_TEAM = """
import sys
from pathlib import Path
from workload_xl.cli import main
sys.argv = ["workload-xl", "build-team", *sys.argv[1:]]
try:
    main()
except SystemExit as end:
    sys.exit(0 if end.code in (0, 1, None) else end.code)
"""
DEMO = """
import sys
from workload_xl.cli import main
sys.argv = ["workload-xl", "demo", "--out", sys.argv[1]]
main()
"""


def verdict(ratio: float, target: float) -> str:
    return f"target <= {target}x: {'met' if ratio <= target else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=40, help="worker workbooks (at most 48)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--demo", action="store_true", help="also measure the demo's CPU")
    parser.add_argument("--compare-with", type=Path, help="another checkout's root, for --demo")
    args = parser.parse_args()
    registry = SchemeRegistry.from_dir()
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        written, _ = generate(Path(folder) / "demo", registry, months=1)
        files = [p for p in written if p.name != "sent-as-csv.xlsx"][: args.files]
        names = [str(p) for p in files]

        def load() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for path in files:
                    load_workbook(path)

        def validate_here() -> None:
            for path in files:
                for sheet in read_workbook(path).sheets:
                    validate_sheet(sheet, registry)

        def validate_command() -> None:
            validate_files(files, registry)

        load_cpu, here_cpu = interleaved([load, validate_here], args.repeats, time.process_time)
        load_wall, command_wall = interleaved([load, validate_command], args.repeats)
        output = str(Path(folder) / "team.xlsx")
        team = [*names, "-o", output, "--force"]
        floor, build = interleaved(
            [lambda: run_python(FLOOR, *names), lambda: run_python(BUILD_TEAM, *team)],
            args.repeats,
        )
        demo = other = None
        if args.demo:
            # spawned workers are waited for by the demo itself, so their CPU is counted (a
            # forkserver's workers are its own children, and their CPU is lost to this count)
            spawn = {isolation.START_METHOD_ENVIRONMENT: "spawn"}
            demo = run_python(DEMO, str(Path(folder) / "run"), **spawn)
            if args.compare_with:
                other = run_python(
                    DEMO, str(Path(folder) / "other"), path=args.compare_with, **spawn
                )

    each = 1000 / len(files)
    print(f"workbooks: {len(files)} (the demo's latest month)")
    print(
        f"load floor (openpyxl opens each once): {load_cpu:.2f} s CPU, "
        + f"{load_cpu * each:.1f} ms each"
    )
    ratio = here_cpu / load_cpu
    print(
        f"validate, one process:                 {here_cpu:.2f} s CPU, {here_cpu * each:.1f} ms "
        f"each, {ratio:.2f}x the floor ({verdict(ratio, 1.2)})"
    )
    missed += [] if ratio <= 1.2 else ["validate"]
    print(
        f"validate, as the command runs it:      {command_wall:.2f} s wall, "
        f"{command_wall / load_wall:.2f}x the floor's {load_wall:.2f} s wall (worker processes)"
    )
    ratio = build / floor
    print(f"build-team floor (import pandas, load each once): {floor:.2f} s wall")
    print(
        f"build-team (fresh Python, worker processes):      {build:.2f} s wall, "
        f"{ratio:.2f}x the floor ({verdict(ratio, 1.3)})"
    )
    missed += [] if ratio <= 1.3 else ["build-team"]
    if demo:
        print(f"demo (workload-xl demo, 12 months): {demo[0]:.1f} s wall, {demo[1]:.1f} s CPU")
    if demo and other:
        ratio = demo[1] / other[1]
        print(
            f"demo from {args.compare_with}: {other[0]:.1f} s wall, {other[1]:.1f} s CPU; this "
            f"checkout's CPU {ratio:.2f}x ({verdict(ratio, 0.5)})"
        )
        missed += [] if ratio <= 0.5 else ["demo"]
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
