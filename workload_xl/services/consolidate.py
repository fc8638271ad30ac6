"""consolidate: team returns in, stored in the returns store one transaction per file
(service layer).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Refused, Report, located
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.inputs import list_inputs


@dataclass(frozen=True)
class ConsolidationRun:
    """What one consolidation did to the store, file by file."""

    report: Report
    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    """Not stored: a change of service or of people that waits for --accept-changes."""
    skipped: list[str] = field(default_factory=list)
    """Worker measurement workbooks found in a folder given, passed over (return-skipped):
    a team's folder keeps its worker sheets beside its team workbooks."""
    store_unusable: bool = False
    interrupted: bool = False
    """Stopped by Ctrl-C: what was stored stays, the file being stored was left out whole."""

    @property
    def exit_code(self) -> int:
        """0 every file stored (or stored already), 1 some files refused, or no team workbook
        found at all (every file a skipped worker workbook: the wrong folder, which a script
        must not take for a month stored), 2 no store, 130 stopped by Ctrl-C (the shell's own
        code for it). Worker workbooks skipped beside team workbooks leave the code as it is."""
        if self.store_unusable:
            return 2
        if self.interrupted:
            return 130
        only_skipped = bool(self.skipped) and not (self.stored or self.already)
        return 1 if self.failed or self.held or only_skipped else 0

    def to_dict(self) -> dict[str, Any]:
        data = self.report.to_dict()
        data.update(
            stored=self.stored,
            already=self.already,
            superseded=self.superseded,
            failed=self.failed,
            held=self.held,
            skipped=self.skipped,
            interrupted=self.interrupted,
        )
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def consolidate_files(
    inputs: Iterable[Path],
    store_path: Path,
    *,
    registry: SchemeRegistry | None = None,
    now=None,
    progress=None,
    pseudonymiser=None,
    processes: int | None = None,
    accept_changes: bool = False,
    received: dt.date | None = None,
) -> ConsolidationRun:
    """Ingest team returns into the store, one transaction per file; the sources are only read.

    Each return is stored with the day the team sent it (core.tracker.received_day): the
    day `received` gives (consolidate --received), else its Team sheet's date signed, else
    its file's modification time; a date signed that cannot be right is said
    (return-date-signed-unused) and not used.

    `processes` files are read at once, each in a worker process held to the limits (default:
    one per core this process may use, up to 8: `isolation.usable_cores`; on 2 cores two
    readers measured 1.5x as fast as one, the storing here keeping pace beside them).
    `progress`, if given, is called with each path as it is done (the CLI's progress bar).
    With a `pseudonymiser`, people's names are replaced by their pseudonyms before anything is
    stored, so the store never holds them; the store holds names or pseudonyms made with one
    key, never both (store-people-mismatch). A return that changes a team's service or people
    is held (return-held) unless `accept_changes`. The store is never one of the inputs.

    A worker's measurement workbook found in a folder given is passed over, said once for the
    folder (return-skipped); one named on its own is refused (return-invalid), as is any other
    file in a folder that cannot be used.
    """
    from workload_xl.files.atomic import output_clashes, store_files
    from workload_xl.files.isolation import usable_cores
    from workload_xl.files.return_reader import read_team_returns
    from workload_xl.store.database import ReturnsStore

    registry = registry or SchemeRegistry.from_dir()
    run = ConsolidationRun(Report())
    listed = list_inputs(inputs)
    paths = listed.paths
    clashes = output_clashes(store_files(store_path), [("an input", p) for p in paths])
    if clashes:
        run.report.extend(clashes)
        return replace(run, store_unusable=True)
    key = pseudonymiser.fingerprint if pseudonymiser is not None else None
    try:
        store = ReturnsStore.open_to_ingest(store_path, key)
    except Refused as problem:  # before anything is read or stored
        run.report.extend(located(problem.findings, workbook=str(store_path)))
        return replace(run, store_unusable=True)
    run.report.extend(listed.skipped)
    unusable = interrupted = False
    with store:
        try:
            digests = _digests(paths)
            known = store.known_hashes()
            for path in paths:  # in the store already: not even parsed, so a rerun is quick
                if digests.get(path) in known:
                    run.report.files.append(str(path))
                    _already(run, path)
                    if progress:
                        progress(path)
            fresh = [path for path in paths if digests.get(path) not in known]
            unusable = _ingest_all(
                store,
                run,
                read_team_returns(fresh, registry, processes or usable_cores()),
                now,
                digests,
                progress,
                pseudonymiser,
                store_path,
                accept_changes,
                received,
                listed.found_in,
            )
        except KeyboardInterrupt:  # the file in hand was rolled back; the rest stay stored
            interrupted = True
    run.report.extend(_skipped(run.skipped, listed.found_in))
    return replace(run, store_unusable=unusable, interrupted=interrupted)


def _skipped(skipped: list[str], found_in: dict[Path, Path]) -> list:
    """One return-skipped finding for each folder whose worker workbooks were passed over."""
    from workload_xl.contracts import team as tl
    from workload_xl.core.rules import finding
    from workload_xl.files.inputs import names_in

    by_folder: dict[Path, list[Path]] = {}
    for name in skipped:
        path = Path(name)
        by_folder.setdefault(found_in[path], []).append(path)
    return [
        finding(
            "return-skipped",
            f"{len(paths)} workbook(s) in {folder} are worker measurement workbooks, not team "
            f"workbooks (they have no {tl.TEAM_TABLE} table), so consolidate skipped them: "
            f"{names_in(folder, paths)}. consolidate reads the team workbooks build-team "
            "wrote; build a team's workbook from its worker sheets first (workload-xl "
            "build-team) and consolidate that.",
            workbook=str(folder),
        )
        for folder, paths in by_folder.items()
    ]


def _ingest_all(
    store,
    run: ConsolidationRun,
    reads,
    now,
    digests: dict,
    progress,
    pseudonymiser,
    store_path: Path,
    accept_changes: bool = False,
    received: dt.date | None = None,
    found_in: dict[Path, Path] | None = None,
) -> bool:
    """Store each return read; True when the store could take no more (the rest unread). A
    worker workbook found in a folder (`found_in`) is passed over, not refused."""
    from workload_xl.core.rules import finding
    from workload_xl.files.return_reader import refused_as_worker_workbook

    found_in = found_in or {}
    with contextlib.closing(reads):  # an interrupted run stops its worker processes here
        for path, ret, problems in reads:
            run.report.files.append(str(path))
            if ret is None and path in found_in and refused_as_worker_workbook(path, problems):
                run.skipped.append(str(path))
            elif ret is None:
                run.report.extend(problems)
                run.failed.append(str(path))
            else:
                run.report.extend(problems)
                if pseudonymiser is not None:
                    ret = pseudonymiser.team_return(ret)
                try:
                    _ingest_one(
                        store,
                        run,
                        path,
                        ret,
                        now,
                        digests.get(path),
                        pseudonymiser,
                        accept_changes,
                        received,
                    )
                except Refused as problem:  # the store cannot take more: stop, say why
                    run.failed.append(str(path))
                    run.report.extend(
                        [
                            finding(
                                problem.findings[0].rule,
                                f"{path}: {problem} The files after it were not read.",
                                workbook=str(store_path),
                            )
                        ]
                    )
                    return True
            if progress:
                progress(path)
    return False


def _digests(paths: list[Path]) -> dict[Path, str]:
    """SHA-256 of each regular file's bytes: how the store knows a file it has seen. A pipe,
    a device or a file larger than any workbook is not read at all (the guard says why)."""
    found = {}
    for path in paths:
        digest = file_digest(path)
        if digest is not None:
            found[path] = digest
    return found


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a regular file of at most the guard's size cap, read in chunks; None
    for anything else (missing, a folder, a FIFO, /dev/zero, too large)."""
    import hashlib

    from workload_xl.files.file_guard import MAX_FILE_BYTES, is_regular_file

    if not is_regular_file(path):
        return None
    digest = hashlib.sha256()
    read = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                read += len(chunk)
                if read > MAX_FILE_BYTES:
                    return None
                digest.update(chunk)
    except OSError:  # unreadable: the reader says so, as a finding
        return None
    return digest.hexdigest()


def _already(run: ConsolidationRun, path: Path) -> None:
    from workload_xl.core.rules import finding

    run.already.append(str(path))
    message = (
        f"{path} is in the store already (the same bytes were ingested before), so nothing changed."
    )
    run.report.extend([finding("return-already-stored", message, workbook=str(path))])


def _ingest_one(
    store,
    run: ConsolidationRun,
    path: Path,
    ret,
    now,
    digest: str | None,
    pseudonymiser=None,
    accept_changes: bool = False,
    received: dt.date | None = None,
) -> None:
    from workload_xl.core.rules import finding

    day, source = _received(run, path, ret, now, received)
    if digest is None:  # read by the reader, so it was there: hashed now, or named by its path
        digest = file_digest(path) or f"unhashed:{path}"
    key = pseudonymiser.fingerprint if pseudonymiser is not None else None
    done = store.ingest(
        ret,
        sha256=digest,
        source_path=str(path),
        now=now,
        pseudonym_key=key,
        accept_changes=accept_changes,
        received_on=day,
        received_from=source,
    )
    where = {"workbook": str(path)}
    if done.outcome == "held":
        run.held.append(str(path))
        message = (
            f"{path} was not stored: {done.held_reason}. Check both files. If the change is "
            "meant, run the same consolidate command again with --accept-changes; otherwise "
            "correct the team workbook and consolidate it again."
        )
        run.report.extend([finding("return-held", message, **where)])
        return
    if done.outcome == "already":
        _already(run, path)
    else:
        run.stored.append(str(path))
    for _, replaced_file in done.superseded:
        run.superseded.append(replaced_file)
        message = (
            f"{path} replaces the earlier return {replaced_file} for {ret.team}, "
            f"{ret.period}; both stay in the store, the earlier one marked superseded."
        )
        run.report.extend([finding("return-superseded", message, **where)])


def received_option(text: str | None, today: dt.date | None = None) -> dt.date | None:
    """The day `consolidate --received` gives (YYYY-MM-DD), None without one; OptionError
    for text that is no such day, or a day after `today` (no return is received in the
    future)."""
    from workload_xl.services.options import OptionError

    if text is None or not text.strip():
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OptionError(
            f"'{text}' is not a date written YYYY-MM-DD. Give the day the returns were "
            "received, such as 2026-11-03.",
            "--received",
        ) from None
    today = today or dt.date.today()
    if day > today:
        raise OptionError(
            f"{day} is after today ({today}). Give the day the returns were received.",
            "--received",
        )
    return day


def _received(
    run: ConsolidationRun, path: Path, ret, now, given: dt.date | None
) -> tuple[dt.date, str]:
    """The day the team sent the return and where that day came from (core.tracker's
    received_day); a date signed that cannot be right is said, naming its cell."""
    from workload_xl.core.rules import finding
    from workload_xl.core.tracker import RECEIVED_FROM, received_day

    day, source, why = received_day(
        given=given,
        signed=ret.date_signed,
        file_time=file_day(path),
        consolidated=_local_day(now),
        period=ret.period,
    )
    if why:
        sheet, cell = ret.date_signed_at
        message = (
            f"The date signed (cell {cell} on the '{sheet}' sheet, name TeamDateSigned) {why}, "
            f"so it is not used as the day the return was sent: {day} ({RECEIVED_FROM[source]}) "
            "is used instead. Correct the date signed and send the return again, or give the "
            "day it was received with consolidate --received."
        )
        run.report.extend(
            [
                finding(
                    "return-date-signed-unused",
                    message,
                    workbook=str(path),
                    sheet=sheet,
                    cell=cell,
                    field="Date signed",
                    value=ret.date_signed.isoformat() if ret.date_signed else None,
                )
            ]
        )
    return day, source


def file_day(path: Path) -> dt.date | None:
    """The local day a file was last modified (os.stat's st_mtime, as Windows and Linux both
    give it): when a return has no date signed, the nearest to the day the team sent it."""
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime).date()
    except (OSError, ValueError, OverflowError):
        return None


def _local_day(now) -> dt.date:
    """The local day of consolidation (`now`, or today)."""
    if now is None:
        return dt.date.today()
    return (now.astimezone() if now.tzinfo else now).date()
