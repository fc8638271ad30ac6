"""The returns store's commands: open, check, export, and the list of teams (service layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding, Refused
from workload_xl.store.database import ReturnsStore, Team


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


@dataclass(frozen=True)
class StoreCheck:
    """What store check found: how many returns the store holds and any damage."""

    path: Path
    held: int
    current: int
    findings: list[Finding] = field(default_factory=list)
    journal: str = ""
    """Which journal the store is written with, and why (its location), in a sentence."""

    @property
    def superseded(self) -> int:
        return self.held - self.current

    @property
    def exit_code(self) -> int:
        """0 sound, 1 problems found."""
        return 1 if self.findings else 0


def check_store(path: Path) -> StoreCheck:
    """SQLite's integrity and foreign-key checks, and the returns counted; at most 50
    problems, each a store-damaged finding."""
    from workload_xl.core.rules import finding

    with open_store(path) as opened:
        problems = opened.integrity()
        held = opened.submissions()
        journal = opened.journal.sentence
    current = sum(1 for s in held if s.superseded_by is None)
    findings = [
        finding(
            "store-damaged",
            f"{problem}. Keep a copy of the file, export what can be "
            "read (workload-xl store export) and rebuild the store from the returns.",
            workbook=str(path),
        )
        for problem in problems[:50]
    ]
    return StoreCheck(path, len(held), current, findings, journal)


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


@dataclass(frozen=True)
class TeamsAdded:
    """Each name given, and whether it was new to the list; `refused` the name the store
    would not take, with why (the names after it were not tried)."""

    added: list[tuple[str, bool]]
    refused: tuple[str, str] | None = None


def add_teams(store_path: Path, service: str, names: list[str]) -> TeamsAdded:
    """Add teams to a service's list, making the store if it is missing."""
    added: list[tuple[str, bool]] = []
    with open_store(store_path, create=True) as store:
        for name in names:
            try:
                added.append((name, store.add_team(service, name)))
            except Refused as problem:
                return TeamsAdded(added, (name, str(problem)))
    return TeamsAdded(added)


@dataclass(frozen=True)
class TeamsListed:
    """The teams returns are expected from, and those that left the list (removed, or
    renamed), which keep their returns."""

    teams: list[Team]
    left: list[Team] = field(default_factory=list)


def list_teams(store_path: Path) -> TeamsListed:
    with open_store(store_path) as store:
        every = store.teams(listed_only=False)
    return TeamsListed([t for t in every if not t.removed_at], [t for t in every if t.removed_at])


@dataclass(frozen=True)
class TeamsRemoved:
    """The teams taken off the list; `refused` the name the store would not take off, with
    why (the names after it were not tried)."""

    removed: list[Team]
    refused: tuple[str, str] | None = None


def remove_teams(store_path: Path, service: str, names: list[str]) -> TeamsRemoved:
    """Take teams off a service's list: no return is expected from them from now on; their
    returns stay in the store and in every report."""
    removed: list[Team] = []
    with ReturnsStore.open(store_path, create=False) as store:  # never made
        for name in names:
            try:
                removed.append(store.remove_team(service, name))
            except Refused as problem:
                return TeamsRemoved(removed, (name, str(problem)))
    return TeamsRemoved(removed)


@dataclass(frozen=True)
class TeamRenamed:
    """The team renamed (as it was listed), its new name, and how many of its returns now
    carry the new name; `refused` why the store would not rename it (nothing changed)."""

    team: Team | None
    new_name: str
    carried: int = 0
    refused: str = ""


def rename_team(store_path: Path, service: str, name: str, new_name: str) -> TeamRenamed:
    """Rename a listed team, carrying its returns to the new name (see
    ReturnsStore.rename_team). Raises Refused for a store that cannot be opened."""
    new_name = " ".join(new_name.split())
    with ReturnsStore.open(store_path, create=False) as store:  # never made
        try:
            team, carried = store.rename_team(service, name, new_name)
        except Refused as problem:
            return TeamRenamed(None, new_name, refused=str(problem))
    return TeamRenamed(team, new_name, carried)
