"""Validation speed against a baseline measured in the same run.

Baseline: openpyxl opening each workbook once (the least any openpyxl-based reader can do).
Reported: seconds for each, and validation's cost as a ratio of the baseline, so the figure
holds on a faster or slower machine. Run: `python benchmarks/bench_validate.py [--files N]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from openpyxl import load_workbook

from workload_xl.core.schemes import SchemeRegistry
from workload_xl.demo import generate
from workload_xl.services.validate import validate_files


def timed(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=2, help="demo periods (48 files each)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    registry = SchemeRegistry.from_dir()
    with tempfile.TemporaryDirectory() as folder:
        written, _ = generate(Path(folder), registry, months=args.months)
        files = [p for p in written if p.name != "sent-as-csv.xlsx"]

        def baseline() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for path in files:
                    load_workbook(path)

        def validate() -> None:
            validate_files(files, registry)

        base = timed(baseline, args.repeats)
        ours = timed(validate, args.repeats)
    print(f"workbooks: {len(files)}")
    print(f"baseline (openpyxl open once): {base:.2f} s, {base / len(files) * 1000:.1f} ms each")
    print(f"validate (read + check):       {ours:.2f} s, {ours / len(files) * 1000:.1f} ms each")
    print(f"ratio validate / baseline:     {ours / base:.2f}")


if __name__ == "__main__":
    main()
