"""Runs `python -m workload_xl` the way a hostile-input test needs it: in a child process
held to 1 GB of address space and 120 seconds, reporting the peak memory it and its own
worker processes used.

The limits are resource limits, not timed assertions: a command that needs more memory than
the cap fails inside the child (and the test sees that failure), and one that runs past the
time limit is killed and the test fails with `subprocess.TimeoutExpired`. The memory cap is the
promise for any input: under 1 GB, whatever the file claims. The tool also promises under 30 s
on an idle machine, but a test may not depend on an idle machine (CI runs beside other work),
so the time limit is a guard against hangs at four times that promise, not a timed assertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TIME_LIMIT_SECONDS = 120
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024

_CHILD = """
import os, runpy, sys
try:
    import resource
except ImportError:  # Windows: no resource limits; the timeout still holds
    resource = None
if resource is not None:
    cap = int(os.environ["WORKLOAD_XL_TEST_MEMORY_CAP"])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
try:
    runpy.run_module("workload_xl", run_name="__main__", alter_sys=True)
finally:
    peak = -1
    if resource is not None:
        scale = 1 if sys.platform == "darwin" else 1024  # Linux reports kilobytes
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
        try:  # Linux: ru_maxrss starts at the forking test's size; VmHWM is this program's
            with open("/proc/self/status") as status:
                own = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM"))
        except (OSError, StopIteration, ValueError):
            pass
        peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale)
    with open(os.environ["WORKLOAD_XL_TEST_PEAK_RSS"], "w") as out:
        out.write(str(peak))
"""
"""The CLI under a memory cap, noting the larger of its own peak RSS and its largest worker's
when it exits (even by SystemExit). On Linux a child's ru_maxrss starts at the size of the
process that forked it (the test runner), so its own peak is read from /proc (VmHWM); its
workers are forked from a small forkserver, so their ru_maxrss is theirs."""

TRACEBACK_MARKS = (
    "Traceback (most recent call last)",
    "panicked at",
    "RUST_BACKTRACE",
    "stack backtrace",
    "Fatal Python error",
)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes; -1 where the platform cannot say

    def json(self) -> dict:
        return json.loads(self.stdout)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def assert_no_traceback(self) -> None:
        for mark in TRACEBACK_MARKS:
            assert mark not in self.output, self.output[-3000:]

    def assert_bounded(self) -> None:
        """No traceback, and the memory promise kept (time is held by the run's timeout)."""
        self.assert_no_traceback()
        assert self.peak_rss < MEMORY_LIMIT_BYTES, self.peak_rss


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict | None = None,
    timeout: float = TIME_LIMIT_SECONDS,
    encoding: str | None = None,
    to_files: bool = False,
    stdout_closed: bool = False,
) -> Run:
    """`workload-xl ARGS` in a child held to 1 GB and `timeout` seconds, its output in
    `encoding` (PYTHONIOENCODING) on pipes, or with `to_files` redirected to files, as
    `workload-xl ... > out.txt 2> err.txt` would, or with `stdout_closed` into a pipe nobody
    reads any more, as `workload-xl ... | head` leaves it once head has its lines."""
    scratch = Path(cwd or Path.cwd())
    # utf-8 unless the test run itself was given a code page (.ci/run's cp1252 run)
    encoding = encoding or os.environ.get("PYTHONIOENCODING", "").split(":")[0] or "utf-8"
    peak_file = scratch / f".peak-rss-{os.getpid()}-{id(args)}.txt"
    child_env = {
        **os.environ,
        "PYTHONIOENCODING": encoding,
        "COLUMNS": "100",
        "WORKLOAD_XL_TEST_PEAK_RSS": str(peak_file),
        "WORKLOAD_XL_TEST_MEMORY_CAP": str(MEMORY_LIMIT_BYTES),
        **(env or {}),
    }
    command = [sys.executable, "-c", _CHILD, *map(str, args)]
    where = {
        "env": child_env,
        "cwd": cwd,
        "timeout": timeout,
        "check": False,
        "stdin": subprocess.DEVNULL,
    }
    texts = {"text": True, "encoding": encoding, "errors": "replace"}
    if stdout_closed:  # `... | head` that has stopped reading: a pipe with no reader
        reader, writer = os.pipe()
        os.close(reader)
        try:
            failed = subprocess.run(
                command, stdout=writer, stderr=subprocess.PIPE, **texts, **where
            )
        finally:
            os.close(writer)
        done = subprocess.CompletedProcess(command, failed.returncode, "", failed.stderr)
    elif to_files:
        outputs = [scratch / f".{name}-{os.getpid()}-{id(args)}.txt" for name in ("out", "err")]
        with outputs[0].open("wb") as out, outputs[1].open("wb") as err:
            code = subprocess.run(command, stdout=out, stderr=err, **where).returncode
        stdout, stderr = (path.read_bytes().decode(encoding) for path in outputs)
        for path in outputs:
            path.unlink()
        done = subprocess.CompletedProcess(command, code, stdout, stderr)
    else:
        done = subprocess.run(command, capture_output=True, **texts, **where)
    try:
        peak = int(peak_file.read_text())
        peak_file.unlink()
    except (OSError, ValueError):
        peak = -1
    return Run(done.returncode, done.stdout, done.stderr, peak)
