"""The `workload-xl` command line, for admins and the performance team (CLI edge).

Every command is a thin shell over the same API the Excel add-in uses. Problems are printed as
findings naming the file, sheet and cell; a traceback is a bug.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections import Counter
from pathlib import Path

import click

from workload_xl import __version__
from workload_xl.core.findings import Finding, Refused, Report
from workload_xl.core.schemes import Scheme, SchemeError, SchemeFolderError, SchemeRegistry
from workload_xl.render import findings_text, plain_table, report_json, summary_line
from workload_xl.services.api import validate_files

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
FORCE_OPTION = click.option("--force", is_flag=True, help="Replace the output if it exists.")


def output_option(help_text: str = "The workbook to write (.xlsx)."):
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path), required=True, help=help_text
    )


def store_option(help_text: str = "The returns store (an SQLite file)."):
    return click.option(
        "--store", "store_path", type=click.Path(path_type=Path), required=True, help=help_text
    )


def _registry() -> SchemeRegistry:
    """The schemes, each wrong scheme file said once (scheme-invalid) and left out. A scheme
    folder that cannot be used, or that has no usable scheme, stops the command (exit 2)."""
    try:
        registry = SchemeRegistry.from_dir()
    except SchemeFolderError as problem:
        _print_findings([problem.finding])
        sys.exit(EXIT_UNREADABLE)
    _print_findings(list(registry.problems))
    if not len(registry):
        from workload_xl.core.paths import schemes_dir

        fix = (
            "correct the scheme files named above"
            if registry.problems
            else "put the scheme .toml files there"
        )
        click.echo(
            f"No points scheme could be loaded from {schemes_dir()}, so this command "
            f"cannot run: {fix}.",
            err=True,
        )
        sys.exit(EXIT_UNREADABLE)
    return registry


def _scheme(registry: SchemeRegistry, scheme_id: str) -> Scheme:
    scheme = registry.get(scheme_id)
    if scheme is None and registry.problem(scheme_id):
        raise click.BadParameter(
            f"the scheme file for '{scheme_id}' is wrong, so that scheme was not loaded (see "
            "above). Correct the file and run the command again.",
            param_hint="--scheme",
        )
    if scheme is None:
        raise click.BadParameter(
            f"there is no scheme '{scheme_id}'. Known schemes: {', '.join(registry.ids)}.",
            param_hint="--scheme",
        )
    return scheme


def _print_findings(findings: list[Finding]) -> None:
    if findings:
        click.echo(findings_text(Report(findings).sorted()), err=True)


def read_bounded(reader, path: Path):
    """`reader(path)` -> (result or None, findings), run in a worker process held to the time
    and memory limits (workload_xl.files.isolation): a file that stalls or floods it is a
    finding."""
    from workload_xl.files.isolation import read_one

    return read_one(reader, path, lambda _path, problem: (None, [problem]))


class _Main(click.Group):
    """The command group; a scheme folder that cannot be used is one message, never a
    traceback, whichever command met it (exit 2)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SchemeFolderError as problem:
            _print_findings([problem.finding])
        except SchemeError as problem:
            click.echo(f"A points scheme file is wrong: {problem}", err=True)
        sys.exit(EXIT_UNREADABLE)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workload-xl")
def main() -> None:
    """Fair, visible workloads for social care and child mental health teams.

    Points schemes, worker measurement workbooks and their validation, from the command line.
    """


# --- schemes -------------------------------------------------------------------------------


@main.group(invoke_without_command=True)
@click.pass_context
def schemes(ctx: click.Context) -> None:
    """List the points schemes (or `schemes show ID` for one)."""
    if ctx.invoked_subcommand:
        return
    registry = _registry()
    rows = [(s.id, s.version, s.period, ", ".join(s.services), str(len(s.items))) for s in registry]
    click.echo(plain_table(("Scheme", "Version", "Period", "Services", "Items"), rows))
    if registry.problems:  # said above; the exit status tells a script a file is wrong
        sys.exit(EXIT_ERRORS)


@schemes.command("show")
@click.argument("scheme_id")
def schemes_show(scheme_id: str) -> None:
    """Print one scheme's items, ranges and bands as a table."""
    from workload_xl.core.values import fmt

    scheme = _scheme(_registry(), scheme_id)
    click.echo(f"{scheme.title} ({scheme.id}, version {scheme.version})")
    click.echo(f"Services: {', '.join(scheme.services)}. Period: {scheme.period}.")
    if scheme.note:
        click.echo(scheme.note)
    click.echo()
    rows = [
        (i.code, i.label, i.kind, i.unit, fmt(i.points), f"{fmt(i.min)}-{fmt(i.max)}")
        for i in scheme.items
    ]
    click.echo(plain_table(("Code", "Item", "Kind", "Unit", "Points", "Range"), rows))
    if scheme.bands:
        click.echo()
        click.echo(
            plain_table(
                ("Band", "Experience band", "Capacity factor"),
                [(b.id, b.label, fmt(b.capacity_factor)) for b in scheme.bands],
            )
        )


# --- templates -----------------------------------------------------------------------------


@main.group()
def template() -> None:
    """Write blank workbooks made from a scheme."""


@template.command("worker")
@click.option("--scheme", "scheme_id", required=True, help="Scheme id (see `workload-xl schemes`).")
@output_option("The workbook to write (.xlsx).")
@click.option(
    "--rows",
    default=40,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Rows in the table of cases and activities.",
)
@FORCE_OPTION
def template_worker(scheme_id: str, output: Path, rows: int, force: bool) -> None:
    """A worker measurement workbook: one worker, one period."""
    from workload_xl.files.worker_template import write_worker_workbook

    scheme = _scheme(_registry(), scheme_id)
    problems = write_worker_workbook(output, scheme, rows=rows, force=force)
    _print_findings(problems)
    if problems:
        sys.exit(EXIT_ERRORS)
    click.echo(f"Wrote {output} (scheme {scheme.id} {scheme.version}, {rows} rows).")


@template.command("team")
@output_option("The workbook to write (.xlsx).")
@FORCE_OPTION
def template_team(output: Path, force: bool) -> None:
    """A blank team workbook (build-team fills one from worker sheets)."""
    from workload_xl.files.team_workbook import write_team_workbook

    problems = write_team_workbook(output, None, force=force)
    _print_findings(problems)
    if problems:
        sys.exit(EXIT_ERRORS)
    click.echo(f"Wrote {output}.")


@template.command("jobplan")
@output_option()
@FORCE_OPTION
def template_jobplan(output: Path, force: bool) -> None:
    """A blank CAPA job plan workbook for a CAMHS team."""
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    problems = write_jobplan_workbook(output, force=force)
    _print_findings(problems)
    if problems:
        sys.exit(EXIT_ERRORS)
    click.echo(f"Wrote {output}.")


@main.command("build-xlsm")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("workload.xlsm"),
    show_default=True,
    help="The add-in workbook to write (.xlsm).",
)
@FORCE_OPTION
def build_xlsm(output: Path, force: bool) -> None:
    """Build workload.xlsm, the Excel add-in: the Workload ribbon tab, its macros and the
    spreadsheet functions, from the button and function definitions."""
    if output.suffix.lower() != ".xlsm":
        raise click.BadParameter(
            "the add-in must be an .xlsm file: Excel refuses macros in any other.",
            param_hint="--output",
        )
    try:
        from workload_xl.addin.build import write_xlsm
    except ImportError as missing:  # ms-ovba, in the test extras: pip install -e ".[test]"
        click.echo(
            f'build-xlsm needs {missing.name}: install it with pip install -e ".[test]"', err=True
        )
        sys.exit(EXIT_ERRORS)
    problems = write_xlsm(output, force=force)
    _print_findings(problems)
    if problems:
        sys.exit(EXIT_ERRORS)
    click.echo(f"Wrote {output}.")


# --- validation ----------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--scheme", "scheme_id", help="Check against this scheme instead of the one each sheet names."
)
@FORMAT_OPTION
def validate(files: tuple[Path, ...], scheme_id: str | None, output_format: str) -> None:
    """Check measurement workbooks (files or folders of them).

    Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file could not be read.
    """
    registry = _registry()
    if scheme_id:
        _scheme(registry, scheme_id)
    run = validate_files(files, registry, scheme_id)
    if output_format == "json":
        click.echo(report_json(run.report))
    else:
        if run.report.findings:
            click.echo(findings_text(run.report.sorted()))
            click.echo()
        click.echo(summary_line(run.report))
    sys.exit(run.exit_code)


# --- team sheet ----------------------------------------------------------------------------


@main.command("build-team")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option("The team workbook to write (.xlsx).")
@click.option("--period", help="Use only the sheets for this period, e.g. 2026-10.")
@click.option(
    "--history",
    "history",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Earlier team workbooks (files or a folder), for persistent and trend flags.",
)
@FORCE_OPTION
@FORMAT_OPTION
def build_team(
    inputs: tuple[Path, ...],
    output: Path,
    period: str | None,
    history: tuple[Path, ...],
    force: bool,
    output_format: str,
) -> None:
    """Roll worker sheets up into the team workload measurement sheet.

    INPUTS are worker workbooks, folders of them, or workbooks with one worker sheet per tab.
    Exit status: 0 written with no errors, 1 errors (sheets with errors are still listed) or
    not written, 2 an input could not be read.
    """
    from workload_xl.files.inputs import expand_inputs
    from workload_xl.render import team_text
    from workload_xl.services.api import build_team_files

    read = [("a workbook", p) for p in expand_inputs(inputs)]
    _refuse_writing_over_inputs(
        [output], read + [("a history workbook", p) for p in expand_inputs(history)]
    )
    run = build_team_files(
        inputs, output, registry=_registry(), period=period, history=history, force=force
    )
    if output_format == "json":
        report = Report(run.build.findings, [str(p) for p in inputs])
        data = report.to_dict()
        data["team"] = run.build.team and team_summary(run.build.team)
        data["written"] = str(output) if run.written else None
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(team_text(run.build, str(output), run.written))
    sys.exit(run.exit_code)


def team_summary(team) -> dict:
    from workload_xl.core.findings import json_safe

    return {
        "team": team.team,
        "service": team.service,
        "period": str(team.period),
        "scheme": team.scheme_id,
        "total_points": team.total_points,
        "total_fte": team.total_fte,
        "points_per_fte": team.points_per_fte,
        "mean_points_per_fte": team.mean_ppf,
        "median_points_per_fte": team.median_ppf,
        "spread": team.spread,
        "workers": [{k: json_safe(v) for k, v in vars(w).items()} for w in team.workers],
    }


# --- the performance team: returns store ------------------------------------------------


def _open_store(path: Path, create: bool = False, damaged_exit: int = EXIT_UNREADABLE):
    """The store; without `create`, opened read-only (SQLite's mode=ro): it is never changed
    nor made. A foreign or damaged file is a message and exit 2 (a damaged one
    `damaged_exit`)."""
    from workload_xl.store.database import ReturnsStore

    try:
        return ReturnsStore.open(path, create=create, read_only=not create)
    except Refused as problem:
        click.echo(f"{problem.findings[0].rule}: {problem}", err=True)
        sys.exit(damaged_exit if problem.findings[0].rule == "store-damaged" else EXIT_UNREADABLE)


def _refuse_writing_over_inputs(outputs, inputs) -> None:
    """Stop (exit 2, nothing written) when an output is one of the command's inputs, given as
    (what it is, path): the store, a workbook read, the key file. --force does not change it."""
    from workload_xl.files.atomic import output_clashes

    problems = output_clashes(outputs, [(what, p) for what, p in inputs if p is not None])
    if problems:
        _print_findings(problems)
        sys.exit(EXIT_UNREADABLE)


def _store_inputs(store_path: Path, key_file: Path | None = None) -> list:
    from workload_xl.files.atomic import store_files

    return [("the returns store", p) for p in store_files(store_path)] + [
        ("the key file", key_file)
    ]


PSEUDONYMISE_OPTION = click.option(
    "--pseudonymise",
    "key_file",
    type=click.Path(path_type=Path),
    help="Replace worker and manager names by pseudonyms keyed by this key file "
    "(made by `workload-xl key new`).",
)


def _pseudonymiser(key_file: Path | None):
    if key_file is None:
        return None
    from workload_xl.core.pseudonyms import KeyFileError, Pseudonymiser, load_key

    try:
        return Pseudonymiser(load_key(key_file))
    except KeyFileError as problem:
        raise click.BadParameter(str(problem), param_hint="--pseudonymise") from None


@main.group()
def key() -> None:
    """The key that turns names into pseudonyms, for reports shared beyond the service."""


@key.command("new")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="The key file to write. Keep it safe and out of shared folders.",
)
@FORCE_OPTION
def key_new(output: Path, force: bool) -> None:
    """Make a new random key file."""
    from workload_xl.core.pseudonyms import new_key
    from workload_xl.files.atomic import write_atomically

    text = new_key() + "\n"
    problems = write_atomically(
        output, lambda temp: temp.write_text(text, encoding="ascii"), force=force, private=True
    )
    if problems:
        _print_findings(problems)
        sys.exit(EXIT_ERRORS)
    with contextlib.suppress(OSError):  # private from its first byte; again where chmod works
        output.chmod(0o600)
    click.echo(
        f"Wrote {output}. The same key always gives a person the same pseudonym; "
        "whoever holds it can check a name against a pseudonym."
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option("The returns store (an SQLite file; made if missing).")
@PSEUDONYMISE_OPTION
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="How many files to read at once (default: one per core, up to 8; 1 "
    "reads them one after another).",
)
@click.option(
    "--accept-changes",
    is_flag=True,
    help="Store returns held because they change a team's service or people "
    "(return-held), replacing the returns they change.",
)
@FORMAT_OPTION
def consolidate(
    inputs: tuple[Path, ...],
    store_path: Path,
    key_file: Path | None,
    processes: int | None,
    accept_changes: bool,
    output_format: str,
) -> None:
    """Ingest team returns (team workbooks, files or folders) into the returns store.

    Each file is one transaction: a file that fails its checks is not stored, and the others
    go in. The same file twice changes nothing; a newer return for a team and period replaces
    the earlier one, and both stay. Exit status: 0 all stored, 1 some refused, 2 no store,
    130 stopped by Ctrl-C (what was stored stays).
    """
    from workload_xl.files.atomic import store_files
    from workload_xl.files.inputs import expand_inputs
    from workload_xl.services.api import consolidate_files

    pseudonymiser = _pseudonymiser(key_file)
    _refuse_writing_over_inputs(store_files(store_path), [("the key file", key_file)])
    paths = expand_inputs(inputs)
    quiet = not sys.stderr.isatty()  # a progress bar only where a person watches
    with click.progressbar(
        length=len(paths), label="Consolidating", file=sys.stderr, hidden=quiet
    ) as bar:
        run = consolidate_files(
            paths,
            store_path,
            registry=_registry(),
            progress=lambda _: bar.update(1),
            pseudonymiser=pseudonymiser,
            processes=processes,
            accept_changes=accept_changes,
        )
    if output_format == "json":
        data = run.report.to_dict()
        data.update(
            stored=run.stored,
            already=run.already,
            superseded=run.superseded,
            failed=run.failed,
            held=run.held,
            interrupted=run.interrupted,
        )
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        shown = [f for f in run.report.sorted() if f.severity != "info"]
        if shown:
            click.echo(findings_text(shown))
            click.echo()
        click.echo(
            f"{len(paths)} file(s): {len(run.stored)} stored, {len(run.already)} already "
            f"in the store, {len(run.superseded)} earlier return(s) superseded, "
            f"{len(run.failed)} refused"
            + (f", {len(run.held)} held for a decision" if run.held else "")
            + f". Store: {store_path}"
        )
        if run.held:
            click.echo(
                "Held returns were not stored. If the changes they make are meant, run "
                "the same command again with --accept-changes."
            )
    if run.interrupted:
        done = len(run.stored) + len(run.already) + len(run.failed)
        click.echo(
            f"Stopped (Ctrl-C) after {done} of {len(paths)} file(s). The returns stored so far "
            "are kept and the store is sound. Run the same command again to store the rest: "
            "files already in the store are skipped.",
            err=True,
        )
    sys.exit(run.exit_code)


@main.group()
def teams() -> None:
    """The list of teams returns are expected from."""


@teams.command("add")
@click.argument("names", nargs=-1, required=True)
@click.option("--service", required=True, help="The service the teams belong to.")
@store_option()
def teams_add(names: tuple[str, ...], service: str, store_path: Path) -> None:
    """Add teams (by name) to a service's list."""
    if not service.strip():
        raise click.BadParameter(
            "the service is blank: give the service's name.", param_hint="--service"
        )
    if any(not name.strip() for name in names):
        raise click.BadParameter(
            "a team name is blank: give each team's name, as its "
            "managers write it on the team sheet.",
            param_hint="NAMES",
        )
    with _open_store(store_path, create=True) as store:
        for name in names:
            try:
                added = store.add_team(service, name)
            except Refused as problem:
                raise click.BadParameter(str(problem), param_hint="NAMES") from None
            click.echo(f"{'Added' if added else 'Already listed'}: {name} ({service})")


@teams.command("list")
@store_option()
def teams_list(store_path: Path) -> None:
    """Show the teams returns are expected from."""
    with _open_store(store_path) as store:
        listed = store.teams()
    if not listed:
        click.echo("No teams listed yet: add them with `workload-xl teams add`.")
        return
    click.echo(
        plain_table(
            ("Service", "Team", "Listed since"),
            [(t.service, t.name, t.added_at[:10]) for t in listed],
        )
    )


@main.group()
def store() -> None:
    """Look after the returns store: check it, take everything out of it."""


@store.command("check")
@store_option()
def store_check(store_path: Path) -> None:
    """Run SQLite's integrity and foreign-key checks and count what the store holds.

    Exit status: 0 sound, 1 problems found (a damaged store included), 2 no store.
    """
    # A store whose schema another tool changed is refused on opening: for this command that
    # is damage found (1), not a missing store (2).
    with _open_store(store_path, damaged_exit=EXIT_ERRORS) as opened:
        problems = opened.integrity()
        held = opened.submissions()
    current = sum(1 for s in held if s.superseded_by is None)
    click.echo(
        f"{store_path}: {len(held)} returns stored ({current} current, "
        f"{len(held) - current} superseded)."
    )
    if problems:
        from workload_xl.core.rules import finding

        _print_findings(
            [
                finding(
                    "store-damaged",
                    f"{problem}. Keep a copy of the file, export what can be "
                    "read (workload-xl store export) and rebuild the store from the returns.",
                    workbook=str(store_path),
                )
                for problem in problems[:50]
            ]
        )
        sys.exit(EXIT_ERRORS)
    click.echo("Integrity check: sound.")


@store.command("export")
@store_option()
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(path_type=Path),
    help="The folder to write the CSV files and returns-store.xlsx into.",
)
@FORCE_OPTION
def store_export(store_path: Path, folder: Path, force: bool) -> None:
    """Write every table of the store to a CSV file and a sheet of returns-store.xlsx.

    Text that could run as a formula (starting =, +, -, @) is neutralised in the CSV files
    and written as text in the workbook.
    """
    from workload_xl.store.export import export_store, output_paths

    _refuse_writing_over_inputs(output_paths(folder), _store_inputs(store_path))
    if not folder.is_dir():
        click.echo(
            f"output-unwritable: the folder {folder} does not exist. Create it first.", err=True
        )
        sys.exit(EXIT_UNREADABLE)
    with _open_store(store_path) as opened:
        done, problems = export_store(opened.db, folder, force=force)
    for exported in done:
        sheets = f" (sheets: {', '.join(exported.sheets)})" if exported.sheets else ""
        click.echo(f"{exported.table}: {exported.rows} rows -> {exported.csv_path.name}{sheets}")
    if problems:
        _print_findings(problems)
        sys.exit(EXIT_ERRORS)
    click.echo(f"Wrote {len(done)} CSV files and returns-store.xlsx in {folder}.")


@main.command("returns")
@store_option()
@click.option("--period", required=True, help="The period, e.g. 2026-10 or 2026-P07.")
@click.option("--today", "today_text", help="Judge lateness as of this date (YYYY-MM-DD).")
def returns_command(store_path: Path, period: str, today_text: str | None) -> None:
    """Which teams have returned for a period, which are late, which are missing.

    A monthly return is due by the 7th of the following month.
    """
    import datetime as dt

    from workload_xl.core.period import FOUR_WEEKS, MONTH, PeriodError, parse_period
    from workload_xl.core.tracker import return_statuses

    try:
        wanted = parse_period(period, FOUR_WEEKS if "p" in period.lower() else MONTH)
        today = dt.date.fromisoformat(today_text) if today_text else dt.date.today()
    except (PeriodError, ValueError) as problem:
        raise click.BadParameter(str(problem)) from None
    with _open_store(store_path) as store:
        statuses = return_statuses(
            store.teams(), store.submissions(current_only=True), wanted, today
        )
    if not statuses:
        click.echo(f"No teams are listed and no returns for {wanted} are stored.")
        return
    click.echo(
        plain_table(
            ("Service", "Team", "Status", "Received", "File"),
            [(s.service, s.team, s.status, s.received[:10], s.file_name) for s in statuses],
        )
    )
    due = statuses[0].due
    counts = ", ".join(
        f"{n} {status}" for status, n in sorted(Counter(s.status for s in statuses).items())
    )
    click.echo(f"\n{wanted}: {counts}." + (f" Due by {due}." if due else ""))


@main.command("report")
@store_option()
@output_option("The report workbook to write (.xlsx).")
@click.option("--service", help="Only this service (each service is reported on its own).")
@click.option("--from", "first", help="First period, e.g. 2025-11.")
@click.option("--to", "last", help="Last period, e.g. 2026-10.")
@click.option(
    "--run-length",
    type=click.Choice(["6", "7"]),
    default="7",
    show_default=True,
    help="Points in a row for the run and trend rules.",
)
@click.option(
    "--baseline",
    type=click.IntRange(2, 60),
    default=12,
    show_default=True,
    help="Points the process limits are computed from.",
)
@click.option(
    "--recalculate-at",
    "recalculate_at",
    help="A period at a known change: limits are recalculated from it.",
)
@PSEUDONYMISE_OPTION
@FORCE_OPTION
def report_command(
    store_path: Path,
    output: Path,
    service: str | None,
    first: str | None,
    last: str | None,
    run_length: str,
    baseline: int,
    recalculate_at: str | None,
    key_file: Path | None,
    force: bool,
) -> None:
    """The trend report: per service, teams over time, XmR charts, and what needs a look.

    With --pseudonymise, workers appear by pseudonym, for a report shared beyond the service.
    """
    from workload_xl.core.spc import SpcSettings
    from workload_xl.core.trends import build_trend_report
    from workload_xl.files.report_workbook import write_report

    _refuse_writing_over_inputs([output], _store_inputs(store_path, key_file))
    pseudonymiser = _pseudonymiser(key_file)
    with _open_store(store_path) as store:
        rows = store.worker_periods()
    if pseudonymiser is not None:
        rows = pseudonymiser.rows(rows)
    settings = SpcSettings(baseline=baseline, run_length=int(run_length))
    report = build_trend_report(
        rows,
        service=service,
        first=first,
        last=last,
        settings=settings,
        recalculate_from=recalculate_at,
    )
    for line in report.left_out:  # a store made by an older version may hold these
        click.echo(f"Left out of the figures: {line}", err=True)
    if not report.services:
        click.echo("No returns in the store match: nothing to report.", err=True)
        sys.exit(EXIT_ERRORS)
    problems = write_report(output, report, force=force)
    _print_findings(problems)
    if problems:
        sys.exit(EXIT_ERRORS)
    lines = report.summary
    click.echo(
        f"Wrote {output}: {len(report.services)} service(s), "
        f"{sum(len(s.teams) for s in report.services)} team(s)."
    )
    click.echo("What needs a look:" if lines else "Nothing stands out.")
    for line in lines:
        click.echo(f"  - {line}")


# --- CAPA job plans -------------------------------------------------------------------------


@main.group()
def capa() -> None:
    """CAPA job plans: is the service in balance, and what leave costs."""


@capa.command("balance")
@click.argument("jobplan", type=click.Path(path_type=Path))
@click.option("--without", "without", multiple=True, help="Leave a clinician out (what if).")
@click.option(
    "--period",
    help="START:END dates, e.g. 2026-04-01:2026-06-30: capacity lost "
    "to the planned absences in it.",
)
@click.option(
    "--referrals", type=float, help="Accepted referrals a week (instead of the workbook's)."
)
@FORMAT_OPTION
def capa_balance(
    jobplan: Path,
    without: tuple[str, ...],
    period: str | None,
    referrals: float | None,
    output_format: str,
) -> None:
    """Is the team's capacity in balance with demand, for Choice and Core Partnership?

    Exit status: 0 printed, 1 the job plan has errors, 2 it cannot be read.
    """
    import datetime as dt

    from workload_xl.core import capa as maths
    from workload_xl.files.jobplan_workbook import read_jobplan_workbook

    plan, problems = read_bounded(read_jobplan_workbook, jobplan)
    if plan is None:
        _print_findings(problems)
        sys.exit(EXIT_UNREADABLE)
    names = {n.casefold() for n in without}
    unknown = names - {c.name.casefold() for c in plan.clinicians}
    if unknown:
        raise click.BadParameter(
            f"no job plan for {', '.join(sorted(unknown))}.", param_hint="--without"
        )
    team = [c for c in plan.clinicians if c.name.casefold() not in names]
    try:
        demand = referrals if referrals is not None else plan.demand_per_week
        if demand is None:
            raise click.BadParameter(
                "the job plan has no accepted referrals a week nor a "
                "referral series; give them with --referrals."
            )
        before = maths.balance(plan.clinicians, demand, plan.settings)
        after = maths.balance(team, demand, plan.settings) if names else None
        lost = None
        if period:
            start_text, _, end_text = period.partition(":")
            start, end = dt.date.fromisoformat(start_text), dt.date.fromisoformat(end_text)
            lost = maths.capacity_lost(team, plan.absences, start, end, plan.settings)
    except Refused as error:
        _print_findings(list(error.findings) + problems)
        sys.exit(EXIT_ERRORS)
    except ValueError as error:
        raise click.BadParameter(
            f"{error}; use START:END, e.g. 2026-04-01:2026-06-30.", param_hint="--period"
        ) from None
    if output_format == "json":
        from dataclasses import asdict

        from workload_xl.core.findings import json_safe

        def plain(value):
            return json.loads(json.dumps(asdict(value), default=json_safe))

        data = {
            "referrals_per_week": demand,
            "balance": plain(before),
            "without": list(without),
            "balance_without": after and plain(after),
            "capacity_lost": lost and plain(lost),
            "findings": [f.to_dict() for f in problems],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print_findings([f for f in problems if f.severity != "info"])
    source = ""
    if referrals is None and plan.referrals_per_week is None:
        source = " (from the referral series on the Demand sheet)"
    click.echo(
        f"{len(plan.clinicians)} clinicians, {demand:.3g} accepted referrals a week{source}."
    )
    for sentence in before.sentences:
        click.echo(f"  {sentence}")
    if after:
        click.echo(f"Without {', '.join(without)}:")
        for sentence in after.sentences:
            click.echo(f"  {sentence}")
    if lost:
        click.echo(
            f"Capacity lost to planned absences, {lost.start} to {lost.end} "
            f"({lost.period_weeks:.2f} working weeks):"
        )
        for loss in lost.losses:
            if loss.hours:
                click.echo(
                    f"  {loss.clinician}: {loss.working_days} days away, "
                    f"{loss.choice_slots:.1f} Choice slots, {loss.new_core:.1f} new Core "
                    f"Partnerships, {loss.hours:.1f} hours"
                )
        click.echo(
            f"  Team: {lost.team_choice_slots:.1f} Choice slots, "
            f"{lost.team_new_core:.1f} new Core Partnerships, "
            f"{lost.team_hours:.1f} hours."
        )


# --- caseload import -----------------------------------------------------------------------


@main.command("import-caseload")
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--worker", required=True, help="The worker's name, as in the report.")
@click.option("--scheme", "scheme_id", required=True, help="Scheme id.")
@output_option("The measurement workbook to write (.xlsx).")
@click.option("--team", help="Team name for the header.")
@click.option("--service", help="Service for the header (needed when a scheme serves several).")
@click.option("--period", help="Period for the header, e.g. 2026-10.")
@FORCE_OPTION
def import_caseload(
    report: Path,
    worker: str,
    scheme_id: str,
    output: Path,
    team: str | None,
    service: str | None,
    period: str | None,
    force: bool,
) -> None:
    """Start a measurement workbook from a caseload report (CSV or XLSX)."""
    from workload_xl.core.caseload import map_caseload
    from workload_xl.files.caseload_reader import read_caseload
    from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook

    _refuse_writing_over_inputs([output], [("the caseload report", report)])
    scheme = _scheme(_registry(), scheme_id)
    table, problems = read_bounded(read_caseload, report)
    if table is None:
        _print_findings(problems)
        sys.exit(EXIT_UNREADABLE)
    imported = map_caseload(table, scheme, worker)
    header = {"worker": worker, "team": team, "service": service, "period": period}
    written = []
    if imported.lines:
        written = write_worker_workbook(
            output, scheme, WorkerSheetContent(header, imported.lines), force=force
        )
    _print_findings(imported.findings + written)
    if not imported.lines or written:
        sys.exit(EXIT_ERRORS)
    mapped = sum(1 for line in imported.lines if line["item"])
    click.echo(
        f"Wrote {output}: {len(imported.lines)} case(s) for {worker}, {mapped} matched to "
        f"scheme items, {len(imported.lines) - mapped} left for you to pick."
    )
    click.echo(
        "Next: agree the points for each row (the Scheme points column shows the scheme's "
        "default), add activities, then run `workload-xl validate`."
    )


# --- demo ----------------------------------------------------------------------------------


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("workload-demo"),
    show_default=True,
    help="A new folder for the demo workbooks.",
)
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 36))
def demo(out: Path, months: int) -> None:
    """Make realistic demo workbooks, validate them and show what was found."""
    from workload_xl.services.demo import run_demo

    sys.exit(run_demo(out, months=months, echo=click.echo))


if __name__ == "__main__":  # pragma: no cover
    main()
