"""Reading one file for a service, held to the isolation limits (service layer)."""

from __future__ import annotations

from pathlib import Path


def read_bounded(reader, path: Path):
    """`reader(path)` -> (result or None, findings), run in a worker process held to the time
    and memory limits (workload_xl.files.isolation): a file that stalls or floods it is a
    finding."""
    from workload_xl.files.isolation import read_one

    return read_one(reader, path, lambda _path, problem: (None, [problem]))
