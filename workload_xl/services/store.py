"""The returns store as every command that reads it opens it, and the files it reads (service
layer). Each command has its own module: store_check, store_export, teams, returns, report."""

from __future__ import annotations

from pathlib import Path

from workload_xl.store.database import ReturnsStore


def open_store(path: Path, *, create: bool = False) -> ReturnsStore:
    """The store; without `create`, opened read-only (SQLite's mode=ro): it is never changed
    nor made. Raises Refused, with the one finding that says why, for a missing, foreign or
    damaged file."""
    return ReturnsStore.open(path, create=create, read_only=not create)


def store_inputs(store_path: Path, key_file: Path | None = None) -> list[tuple[str, Path | None]]:
    """The files a command reading the store reads, as (what it is, path): none may be an
    output."""
    from workload_xl.files.atomic import store_files

    return [("the returns store", p) for p in store_files(store_path)] + [
        ("the key file", key_file)
    ]
