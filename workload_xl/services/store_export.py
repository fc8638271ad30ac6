"""store export: every table of the returns store to CSV files and a workbook (service
layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.services.store import open_store, store_inputs


@dataclass(frozen=True)
class StoreExport:
    """What store export wrote: a CSV file (and sheet) per table, and what stopped it;
    `made_folder` when the folder was made for it."""

    folder: Path
    done: list = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    made_folder: bool = False

    @property
    def exit_code(self) -> int:
        """0 written, 1 problems writing (the folder could not be made included)."""
        return 1 if self.problems else 0


def export_store_tables(store_path: Path, folder: Path, *, force: bool = False) -> StoreExport:
    """Every table of the store to a CSV file and a sheet of returns-store.xlsx in `folder`,
    made (with the folders above it) when it does not exist, as `-o store-export/` reads.
    Raises Refused, before reading anything, when an output is the store itself or its
    journal; a store that cannot be opened is refused before the folder is made."""
    from workload_xl.services.options import output_clashes, refuse_clashes
    from workload_xl.store.export import export_store

    refuse_clashes(output_clashes(export_outputs(folder), store_inputs(store_path)))
    with open_store(store_path) as opened:
        made = not folder.exists()
        problem = _made_folder(folder)
        if problem:
            return StoreExport(folder, problems=[problem])
        done, problems = export_store(opened.db, folder, force=force)
    return StoreExport(folder, done, problems, made_folder=made)


def _made_folder(folder: Path) -> Finding | None:
    """The folder made if it is missing; None when it is there, or the finding that says why
    it cannot be (a file of that name, no right to write there)."""
    from workload_xl.core.rules import finding

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        what = "a file of that name is there" if folder.is_file() else exc.strerror or str(exc)
        return finding(
            "output-unwritable",
            f"The folder {folder} cannot be made ({what}). Choose another folder for the export.",
            workbook=str(folder),
        )
    return None


def export_outputs(folder: Path) -> list[Path]:
    """The files store export writes into `folder`."""
    from workload_xl.store.export import output_paths

    return output_paths(folder)
