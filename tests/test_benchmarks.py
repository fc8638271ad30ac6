"""The consolidation benchmark runs as the README says and prints its ratios (a smoke run on
a small corpus: the figures themselves are the benchmark's to report, not a test's)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_consolidation_benchmark_runs_and_prints_every_ratio(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_consolidate.py",
            "--files",
            "45",
            "--openpyxl-sample",
            "3",
            "--repeats",
            "1",
            "--corpus",
            str(tmp_path / "corpus"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for label in (
        "(a) openpyxl default",
        "(b) inflate every zip member",
        "(c) read_team_returns",
        "(d) consolidate into a new store",
        "(e) the libraries alone",
    ):
        assert label in out, out
    ratios = re.findall(r"openpyxl / ours\s+([\d.]+)x.*ours / inflate\s+([\d.]+)x", out)
    assert len(ratios) == 4 and all(float(a) > 1 and float(b) > 1 for a, b in ratios), out
    # (e) reads the same rows as our reader, so it is a bound on the same work
    read = re.search(r"\(c\) read_team_returns.*workers (\d+), lines (\d+)", out)
    bare = re.findall(r"the libraries alone.*\(rows (\d+)", out)
    assert read and len(bare) == 2, out
    assert {int(n) for n in bare} == {int(read[1]) + int(read[2])}, out
    assert "stored 45, refused 0" in out and len(list((tmp_path / "corpus").glob("*.xlsx"))) == 45


def test_the_signals_benchmark_runs_and_prints_a_row_per_output_and_noise():
    """A smoke run on 3 teams of each kind: the table's shape, not its rates (those are the
    benchmark's to report, on 100 teams)."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_signals.py", "--teams", "3", "--noise", "0.05", "0.12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    rows = re.findall(
        r"^\| (\d+)% \| (team sheet|trend report) \| ([\d.]+)% \| (\d+)% \| (\d+)% \|",
        done.stdout,
        re.M,
    )
    assert [(noise, output) for noise, output, *_ in rows] == [
        ("5", "team sheet"),
        ("5", "trend report"),
        ("12", "team sheet"),
        ("12", "trend report"),
    ], done.stdout
    assert all(0 <= float(rate) <= 100 for *_, rate, _, _ in rows)
    assert "3 simulated teams of each kind, 12 workers, 24 months" in done.stdout
    assert "the targets are not judged" in done.stdout  # no 8% run


def test_the_actuals_signals_benchmark_runs_and_prints_every_scenario_and_target():
    """A smoke run on 3 teams a scenario: the tables and the targets lines, not the rates
    (those are the benchmark's to report, on 500). Its first teams are also checked against
    `actuals_signals` on each month's own Plan and actual, which would end in a traceback."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_actuals_signals.py", "--teams", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stdout + done.stderr
    out = done.stdout
    assert "3 simulated CAMHS teams per scenario, 6 clinicians, 24 months, seed 2026" in out
    steady = re.findall(r"^\| (on plan|plan 5% high) \| ([\d.]+)% \|", out, re.M)
    assert [name for name, _ in steady] == ["on plan", "plan 5% high"], out
    drift = r"^\| ((?:transfer rate|new Core) [^|]+) \| (\d+)% \| (>?\d+) \|"
    drifts = re.findall(drift, out, re.M)
    assert [name for name, *_ in drifts] == [
        "transfer rate 75%",
        "transfer rate 80%",
        "new Core 15% below",
        "new Core 25% below",
    ], out
    targets = re.findall(r"^target: .*: (met|NOT met)$", out, re.M)
    assert len(targets) == 3, out
    assert ("NOT met" in targets) == (done.returncode == 1), out


def test_the_import_benchmark_runs_and_the_entry_modules_load_nothing_a_press_does_not_need():
    """One run of each import; the benchmark exits 1 if `import workload_xl.excel.entry` or
    `.udfs` loads openpyxl, python-calamine, SQLite, the store or the services."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_import.py", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for module in ("xlwings", "workload_xl.excel.entry", "workload_xl.excel.udfs"):
        assert re.search(rf"^{re.escape(module)} +\d+\.\d{{3}} +\d+\.\d\dx$", done.stdout, re.M)
    assert done.stdout.count("loads none of") == 2


def test_the_report_benchmark_runs_on_small_stores_and_prints_its_ratio():
    """Two teams over one and two years: the table and the ratio, not the figures."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_report.py", "--years", "1", "2", "--teams", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert " 1 years: 24 returns stored" in done.stdout and " 2 years: 48 returns" in done.stdout
    assert re.search(r"time per year, 2 years over 1: [\d.]+x \(target at most 1.3x\)", done.stdout)


def test_the_startup_benchmark_runs_each_command_and_finds_no_heavy_library():
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_startup.py", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a ratio missed
    for command in ("--help", "schemes", "teams list", "returns", "store check", "key new"):
        assert re.search(
            rf"^{re.escape(command)} +\d+\.\d{{3}} +\d+\.\d\dx  none of openpyxl/numpy/pandas",
            done.stdout,
            re.M,
        ), done.stdout
    entry = r"^import workload_xl\.excel\.entry +\d+\.\d{3} +\d+\.\d\dx  none of the one-button"
    assert re.search(entry, done.stdout, re.M), done.stdout
    assert re.search(r"^add-in entry: \d+\.\d\dx of import xlwings", done.stdout, re.M)


def test_the_export_benchmark_runs_on_small_stores_and_prints_its_ratios():
    """Two teams over one and two years: the table and the ratios, not the figures."""
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_export.py",
            *("--years", "1", "2", "--teams", "2", "--cases", "3"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert " 1 years: 24 returns stored" in done.stdout and " 2 years: 48 returns" in done.stdout
    assert re.search(
        r"export over CSV alone at 2 years: [\d.]+x \(target at most 1.5x\); peak memory, "
        r"2 years over 1: [\d.]+x",
        done.stdout,
    )


def test_the_validate_benchmark_runs_and_prints_every_ratio_with_its_target():
    """A smoke run on 4 files: the lines and their targets, not the figures (those are the
    benchmark's to report, on 40)."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_validate.py", "--files", "4", "--repeats", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    out = done.stdout
    assert "workbooks: 4 " in out, out
    assert re.search(
        r"validate, one process: .* ([\d.]+)x the floor \(target <= 1\.2x: (met|NOT met)\)", out
    ), out
    assert re.search(
        r"build-team \(fresh Python.* ([\d.]+)x the floor \(target <= 1\.3x: (met|NOT met)\)", out
    ), out
    missed = re.search(r"^targets missed: (.*)$", out, re.M)
    assert missed and (missed[1] == "none") == (done.returncode == 0), out
