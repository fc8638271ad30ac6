"""`workload-xl ... | more` on Windows, once the reader has gone: writing to the pipe raises
OSError EINVAL there, not BrokenPipeError, and the command ends as it does on POSIX (exit
141, nothing on standard error). EINVAL from anything else is not taken for a closed pipe.

Linux gives a closed pipe's writer EPIPE, so the child here stands in Windows' standard
output: a stream whose every write raises EINVAL until its descriptor is pointed at the
null device (which is what the CLI does with a closed standard output).
"""

from __future__ import annotations

import os
import subprocess
import sys

_CHILD = """
import errno, io, os, sys

class WindowsClosedPipe(io.RawIOBase):
    def writable(self):
        return True

    def fileno(self):
        return 1

    def write(self, data):
        if os.path.samestat(os.fstat(1), os.stat(os.devnull)):
            return len(data)  # pointed at the null device: written
        raise OSError(errno.EINVAL, "Invalid argument")

if os.environ.get("CLOSED") == "1":
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(WindowsClosedPipe()), encoding="utf-8")
if os.environ.get("BAD_NAME") == "1":  # EINVAL from a file name Windows refuses
    import workload_xl.services.schemes as schemes

    def refused(*args, **kwargs):
        raise OSError(errno.EINVAL, "Invalid argument", "C:\\\\teams\\\\North:2026.xlsx")

    schemes.load_schemes = refused
from workload_xl.cli import main
main(sys.argv[1:], prog_name="workload-xl")
"""


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
        timeout=120,
        check=False,
    )


def test_einval_on_a_closed_standard_output_exits_141_quietly():
    for args in (("schemes",), ("schemes", "show", "childrens-social-care")):
        run = _run(*args, CLOSED="1")
        assert (run.returncode, run.stderr) == (141, ""), run.stderr[-2000:]


def test_einval_from_anything_else_is_not_taken_for_a_closed_pipe():
    run = _run("schemes", BAD_NAME="1")
    assert run.returncode not in (0, 141)
    assert "Invalid argument" in run.stderr
    assert "North:2026.xlsx" in run.stderr
    healthy = _run("schemes")
    assert healthy.returncode in (0, 1) and "childrens-social-care" in healthy.stdout
