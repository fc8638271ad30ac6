"""Start-up of the commands that read no workbook, against `python -c "import click"` in the
same run.

A command that reads no workbook (`--help`, `schemes`, `teams list`, `returns`, `store
check`, `key new`) should start about as fast as click itself: it imports neither openpyxl
nor numpy nor pandas. Each command runs in fresh interpreters, interleaved with the
baseline so a busy moment falls on all alike; reported is the median wall time of each and
its ratio to the baseline's (target: at most 1.5x). The children run with compiled bytecode
in a scratch folder (PYTHONPYCACHEPREFIX; one warm-up run each fills it), as an installed
package has it, so no run pays for compiling our sources. Exits 1 when a target is missed
or a command loads one of those libraries.
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
        loaded = {}
        for name, arguments in runs.items():  # warm-up: bytecode compiled, files cached
            _, stderr = run(arguments, env)
            marks = [line for line in stderr.splitlines() if line.startswith("LOADED")]
            loaded[name] = marks[-1].split()[1:] if marks else []
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, arguments in runs.items():
                times[name].append(run(arguments, env)[0])
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median[BASELINE[0]]
    failed = False
    print(f"{'command':<28} {'seconds':>8} {'vs click':>9}  loads   (median of {args.runs})")
    for name, seconds in median.items():
        ratio = seconds / base
        heavy = ", ".join(loaded[name]) or "none of " + "/".join(HEAVY)
        missed = name != BASELINE[0] and (ratio > TARGET_RATIO or bool(loaded[name]))
        failed |= missed
        print(f"{name:<28} {seconds:8.3f} {ratio:8.2f}x  {heavy}{'  <- target missed' * missed}")
    verdict = "NOT met" if failed else "met"
    print(f"target: every command within {TARGET_RATIO}x of import click, loading none: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
