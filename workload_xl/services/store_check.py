"""store check: SQLite's own checks on the returns store, and its returns counted (service
layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.services.store import open_store


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
