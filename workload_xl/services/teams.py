"""teams add, list, remove and rename: the list of teams returns are expected from (service
layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Refused
from workload_xl.services.store import open_store
from workload_xl.store.database import NEW_NAME, ReturnsStore, Team


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
    refused_new_name: bool = False  # `refused` is about the new name, not the team


def rename_team(store_path: Path, service: str, name: str, new_name: str) -> TeamRenamed:
    """Rename a listed team, carrying its returns to the new name (see
    ReturnsStore.rename_team). Raises Refused for a store that cannot be opened."""
    new_name = " ".join(new_name.split())
    with ReturnsStore.open(store_path, create=False) as store:  # never made
        try:
            team, carried = store.rename_team(service, name, new_name)
        except Refused as problem:
            about_new = any(f.field == NEW_NAME for f in problem.findings)
            return TeamRenamed(None, new_name, refused=str(problem), refused_new_name=about_new)
    return TeamRenamed(team, new_name, carried)
