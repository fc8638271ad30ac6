"""Start-up of the commands that read no workbook, against `python -c "import click"` in the
same run.

A command that reads no workbook (`--help`, `schemes`, `teams list`, `returns`, `store
check`, `key new`) should start about as fast as click itself: it imports neither openpyxl
nor numpy nor pandas. Each command runs in fresh interpreters, interleaved with the
baseline so a busy moment falls on all alike; reported is the median wall time of each and
its ratio to the baseline's (target: at most 1.5x). The add-in's first step on a button
press, `import workload_xl.excel.entry`, is timed the same way against `python -c "import
xlwings"` (which itself imports pandas and numpy where they are installed), and its row says
which modules only one button uses it loaded (target: none; its ratio is printed, the
difference being the core and contracts every button reads with), in runs of its own after
the commands' (an xlwings start-up between two commands' would disturb them). The children
run with compiled bytecode in a scratch folder (PYTHONPYCACHEPREFIX; one warm-up run each
fills it), as an installed package has it, so no run pays for compiling our sources. Exits 1
when a target is missed or a command loads one of those libraries.
Run: `python benchmarks/bench_startup.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
HEAVY = ("openpyxl", "numpy", "pandas")
BASELINE = ("python -c 'import click'", ["-c", "import click"])
ADDIN_BASELINE = ("python -c 'import xlwings'", ["-c", "import xlwings"])
ENTRY = "import workload_xl.excel.entry"
ONE_BUTTON_ONLY = (
    "workload_xl.files.file_guard",
    "workload_xl.core.team",
    "workload_xl.core.fairness",
    "workload_xl.services.build_team",
    "workload_xl.core.caseload",
    "openpyxl",
)
"""Modules one button alone needs (tests/test_startup.py has the same list): the entry
imports them when that button is pressed."""
_ENTRY_RUN = (
    f"import sys; {ENTRY}; "
    f"loaded = [m for m in {ONE_BUTTON_ONLY!r} if m in sys.modules]; "
    "print('LOADED ' + ' '.join(loaded), file=sys.stderr)"
)
_RUN = (
    "import sys; from workload_xl.cli import main; "
    "code = main(sys.argv[1:], prog_name='workload-xl', standalone_mode=False); "
    f"loaded = [m for m in {HEAVY!r} if m in sys.modules]; "
    "print('LOADED ' + ' '.join(loaded), file=sys.stderr)"
)


def commands(scratch: Path) -> dict[str, list[str]]:
    store, key = scratch / "returns.db", scratch / "pseudonyms.key"
    return {
        "--help": ["--help"],
        "schemes": ["schemes"],
        "teams list": ["teams", "list", "--store", str(store)],
        "returns": ["returns", "--store", str(store), "--period", "2026-10"],
        "store check": ["store", "check", "--store", str(store)],
        "key new": ["key", "new", "-o", str(key), "--force"],
    }


def _environment(scratch: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONPYCACHEPREFIX": str(scratch / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(arguments: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one fresh interpreter, and its stderr."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: `schemes` or `returns` with something to say
        raise RuntimeError(f"{arguments} exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed, done.stderr


def timed(
    runs: dict[str, list[str]], env: dict[str, str], repeats: int
) -> tuple[dict[str, list[str]], dict[str, list[float]]]:
    """What each run loaded of the watched modules, and its wall times: one warm-up run each
    (bytecode compiled, files cached), then `repeats` rounds, each run once a round."""
    loaded = {}
    for name, arguments in runs.items():
        _, stderr = run(arguments, env)
        marks = [line for line in stderr.splitlines() if line.startswith("LOADED")]
        loaded[name] = marks[-1].split()[1:] if marks else []
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, arguments in runs.items():
            times[name].append(run(arguments, env)[0])
    return loaded, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        env = _environment(scratch)
        team = ["teams", "add", "North", "--service", "First Response"]
        subprocess.run(  # the store the store commands read: one team, no returns
            [sys.executable, "-m", "workload_xl", *team, "--store", str(scratch / "returns.db")],
            env=env,
            check=True,
            capture_output=True,
        )
        runs = {BASELINE[0]: ["-c", BASELINE[1][1]]}
        runs |= {name: ["-c", _RUN, *argv] for name, argv in commands(scratch).items()}
        loaded, times = timed(runs, env, args.runs)
        addin = _has_xlwings()
        if addin:
            entry_runs = {ADDIN_BASELINE[0]: ADDIN_BASELINE[1], ENTRY: ["-c", _ENTRY_RUN]}
            entry_loaded, entry_times = timed(entry_runs, env, args.runs)
            loaded |= entry_loaded
            times |= entry_times
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median[BASELINE[0]]
    failed = False
    print(f"{'command':<31} {'seconds':>8} {'ratio':>7}  loads   (median of {args.runs})")
    for name in [BASELINE[0], *commands(scratch)]:
        ratio = median[name] / base
        heavy = ", ".join(loaded[name]) or "none of " + "/".join(HEAVY)
        missed = name != BASELINE[0] and (ratio > TARGET_RATIO or bool(loaded[name]))
        failed |= missed
        mark = "  <- target missed" * missed
        print(f"{name:<31} {median[name]:8.3f} {ratio:6.2f}x  {heavy}{mark}")
    verdict = "NOT met" if failed else "met"
    print(f"target: every command within {TARGET_RATIO}x of import click, loading none: {verdict}")
    if addin:
        ratio = median[ENTRY] / median[ADDIN_BASELINE[0]]
        extra = ", ".join(loaded[ENTRY]) or "none of the one-button modules"
        entry_missed = bool(loaded[ENTRY])
        failed |= entry_missed
        print(f"{ADDIN_BASELINE[0]:<31} {median[ADDIN_BASELINE[0]]:8.3f} {1:6.2f}x")
        print(f"{ENTRY:<31} {median[ENTRY]:8.3f} {ratio:6.2f}x  {extra}")
        print(
            f"add-in entry: {ratio:.2f}x of import xlwings, loading only what every button "
            f"needs: {'NOT met' if entry_missed else 'met'}"
        )
    else:
        print("add-in entry: not measured (xlwings is not installed)")
    return 1 if failed else 0


def _has_xlwings() -> bool:
    import importlib.util

    return importlib.util.find_spec("xlwings") is not None


if __name__ == "__main__":
    sys.exit(main())
