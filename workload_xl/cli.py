"""The `workload-xl` command line, for admins and the performance team (CLI edge).

Every command parses its options, calls its function in workload_xl.services (the layer the
Excel add-in's buttons and the demo use too) and renders the result. Problems are printed as
findings naming the file, sheet and cell; a traceback is a bug.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workload_xl import __version__
from workload_xl.console import json_for, tolerant_streams

if TYPE_CHECKING:
    from workload_xl.core.findings import Finding
    from workload_xl.core.schemes import Scheme, SchemeRegistry

# Start-up imports click and no more: a command imports what it uses when it runs, so
# `--help`, `schemes` or `returns` never load openpyxl, numpy or pandas
# (tests/test_startup.py checks; benchmarks/bench_startup.py times them).


def findings_text(*args, **kwargs) -> str:
    from workload_xl.render import findings_text as text

    return text(*args, **kwargs)


def plain_table(*args, **kwargs) -> str:
    from workload_xl.render import plain_table as table

    return table(*args, **kwargs)


EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE, EXIT_STOPPED = 0, 1, 2, 130
EXIT_PIPE_CLOSED = 141
"""Standard output was closed before the command had printed everything (`... | head`): 128 +
13, the code a shell gives a POSIX tool stopped by a closed pipe, so a script can tell it
from 1 (the input has errors), which click would say. Files the command writes are written
whole before anything is printed."""

STOPPED = {
    "consolidate": "Stopped (Ctrl-C). The returns stored so far are kept and the store is "
    "sound. Run the same command again to store the rest: files already in the store are "
    "skipped.",
}
"""What Ctrl-C outside a command's own handling says, by command; any other command says
STOPPED_ANY (outputs are written whole or not at all, so nothing is left half-done)."""
STOPPED_ANY = "Stopped (Ctrl-C). Nothing was left half-written: run the same command again."


FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
FORCE_OPTION = click.option("--force", is_flag=True, help="Replace the output if it exists.")


PATH = click.Path(path_type=Path)
"""The one path type every file or folder option takes. One instance, not one an option:
click.Path looks its name up in the message catalogues (gettext searches the locale folders)
each time one is made, which cost about 0.3 ms each, 9 ms of every command's start-up."""


class OutputPath(click.ParamType):
    """An output named as the kind of file the command writes (services.options): a
    workbook .xlsx, build-xlsm's .xlsm or .xlam (`suffixes`), an export a folder (`suffixes`
    None). Any other name is click's usage error (exit 2) naming the name to use, before
    anything is read. A path as PATH reads it, and completed as one."""

    name = "path"

    def __init__(self, what: str, suffixes: tuple[str, ...] | None = (".xlsx",)) -> None:
        self.what, self.suffixes = what, suffixes

    def shell_complete(self, ctx, param, incomplete):
        return PATH.shell_complete(ctx, param, incomplete)

    def convert(self, value, param, ctx):
        from workload_xl.services.options import misnamed_folder, misnamed_output

        path = PATH.convert(value, param, ctx)
        if self.suffixes is None:
            problem = misnamed_folder(path, self.what)
        else:
            problem = misnamed_output(path, self.what, self.suffixes)
        if problem:
            self.fail(problem, param, ctx)
        return path


class PeriodText(click.ParamType):
    """A period option (--period, --from, --to; with `team`, --recalculate-at's
    [TEAM=]PERIOD), read by the one parser every option uses (core.period.typed_period) and
    handed on as written canonically (2026-10, 2026-P07). A period that is not one is click's
    usage error (exit 2), with the parser's plain words."""

    name = "period"

    def __init__(self, team: bool = False) -> None:
        self.team = team

    def convert(self, value, param, ctx):
        from workload_xl.core.period import PeriodError, typed_period

        team, equals, text = str(value).rpartition("=") if self.team else ("", "", str(value))
        try:
            period = typed_period(text)
        except PeriodError as problem:
            one_team = " Or give TEAM=PERIOD for one team, such as North=2026-04." * self.team
            self.fail(f"{problem}{one_team}", param, ctx)
        return f"{team}{equals}{period}"


def output_option(what: str, help_text: str = "The workbook to write (.xlsx)."):
    """-o/--output for a command that writes one workbook, `what` it is in a sentence ("a
    worker template")."""
    return click.option("-o", "--output", type=OutputPath(what), required=True, help=help_text)


def store_option(help_text: str = "The returns store (an SQLite file)."):
    return click.option("--store", "store_path", type=PATH, required=True, help=help_text)


def _registry() -> SchemeRegistry:
    """The schemes, each wrong scheme file said once (scheme-invalid) and left out. A scheme
    folder that cannot be used, or that has no usable scheme, stops the command (exit 2)."""
    from workload_xl.core.findings import Refused
    from workload_xl.services.schemes import load_schemes

    try:
        registry = load_schemes()
    except Refused as problem:  # the scheme folder itself cannot be used
        _print_findings(list(problem.findings))
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
    from workload_xl.services.schemes import find_scheme

    with _option_errors():
        return find_scheme(registry, scheme_id)


@contextlib.contextmanager
def _option_errors():
    """A value a service cannot use is a wrong option: click's usage message, exit 2."""
    from workload_xl.services.options import OptionError

    try:
        yield
    except OptionError as problem:
        raise click.BadParameter(str(problem), param_hint=problem.param_hint) from None


def _print_findings(findings: list[Finding]) -> None:
    from workload_xl.core.findings import Report

    if findings:
        click.echo(findings_text(Report(findings).sorted()), err=True)


class _Main(click.Group):
    """The command group; a scheme folder that cannot be used is one message, never a
    traceback, whichever command met it (exit 2). Output never fails for a character the
    console cannot show (workload_xl.console)."""

    def main(self, *args, **kwargs):
        tolerant_streams()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            finally:  # a closed pipe is met here, not in Python's last flush at exit
                if sys.stdout is not None:
                    sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped reading (`| head`): nothing to say
            _quiet_stdout()
            sys.exit(EXIT_PIPE_CLOSED)
        except OSError as problem:
            if not _stdout_closed(problem):
                raise
            _quiet_stdout()
            sys.exit(EXIT_PIPE_CLOSED)
        except KeyboardInterrupt:  # Ctrl-C: one sentence and 130, the shell's code for it
            click.echo(STOPPED.get(ctx.invoked_subcommand or "", STOPPED_ANY), err=True)
            sys.exit(EXIT_STOPPED)
        except Exception as problem:  # the two kinds are imported only when one is raised
            from workload_xl.core.findings import Refused
            from workload_xl.core.schemes import SchemeError

            if isinstance(problem, Refused):
                _print_findings(list(problem.findings))
            elif isinstance(problem, SchemeError):
                click.echo(f"A points scheme file is wrong: {problem}", err=True)
            else:
                raise
        sys.exit(EXIT_UNREADABLE)


def _stdout_closed(problem: OSError) -> bool:
    """Whether an OSError is Windows' word for a closed pipe (`... | more`, then q): writing
    to a pipe whose reader has gone raises EINVAL there, not BrokenPipeError. EINVAL has
    other causes too (a file name Windows refuses), so it counts only when standard output
    itself still cannot take what it holds: a failed write leaves its bytes in the buffer."""
    if problem.errno != errno.EINVAL or sys.stdout is None:
        return False
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _quiet_stdout() -> None:
    """Standard output pointed at the null device, so nothing more is written to the closed
    pipe (Python's flush at exit would say 'Exception ignored' on standard error)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


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
@output_option("a worker template", "The workbook to write (.xlsx).")
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
    from workload_xl.services.templates import worker_template

    scheme = _scheme(_registry(), scheme_id)
    _written_or_exit(worker_template(output, scheme, rows=rows, force=force))
    click.echo(f"Wrote {output} (scheme {scheme.id} {scheme.version}, {rows} rows).")


@template.command("team")
@output_option("a team workbook", "The workbook to write (.xlsx).")
@FORCE_OPTION
def template_team(output: Path, force: bool) -> None:
    """A blank team workbook (build-team fills one from worker sheets)."""
    from workload_xl.services.templates import team_template

    _written_or_exit(team_template(output, force=force))
    click.echo(f"Wrote {output}.")


@template.command("jobplan")
@output_option("a job plan workbook")
@FORCE_OPTION
def template_jobplan(output: Path, force: bool) -> None:
    """A blank CAPA job plan workbook for a CAMHS team."""
    from workload_xl.services.templates import jobplan_template

    _written_or_exit(jobplan_template(output, force=force))
    click.echo(f"Wrote {output}.")


def _written_or_exit(written) -> None:
    """What stopped a workbook being written, printed, and exit 1; nothing when written."""
    _print_findings(written.problems)
    if written.problems:
        sys.exit(EXIT_ERRORS)


@main.command("build-xlsm")
@click.option(
    "-o",
    "--output",
    type=OutputPath("the Workload workbook", (".xlsm", ".xlam")),
    default=Path("workload.xlsm"),
    show_default=True,
    help="The file to write: .xlsm for the self-contained workbook, .xlam for the add-in.",
)
@FORCE_OPTION
def build_xlsm(output: Path, force: bool) -> None:
    """Build workload.xlsm (or, with -o workload.xlam, the add-in for every workbook): the
    Workload ribbon tab, its macros and the spreadsheet functions, from the button and
    function definitions."""
    from workload_xl.services.templates import build_addin

    built = build_addin(output, force=force)
    if built.missing:  # ms-ovba, in the addin (and test) extras
        click.echo(
            f'build-xlsm needs {built.missing}: install it with pip install -e ".[addin]"', err=True
        )
        sys.exit(EXIT_ERRORS)
    _written_or_exit(built)
    click.echo(f"Wrote {output}.")
    if output.suffix.lower() == ".xlam":
        click.echo(
            "Next: workload-xl addin install copies it into Excel's start-up folder, for every "
            "workbook; addin status says where."
        )
    else:
        click.echo(
            "Next: open it in Excel and enable macros (Enable Content; a copy downloaded or "
            "emailed first needs right-click > Properties > Unblock). Its Workload tab holds "
            "the buttons."
        )


# --- the add-in, installed for this user -----------------------------------------------------

PLATFORM_OPTION = click.option(
    "--platform",
    type=click.Choice(["windows", "macos"]),
    default=None,
    hidden=True,  # for tests: lay the files out as on that system, in this one's folders
)


@main.group()
def addin() -> None:
    """Install workload.xlam, the Excel add-in for every workbook, for this user."""


@addin.command("install")
@PLATFORM_OPTION
def addin_install(platform: str | None) -> None:
    """Copy workload.xlam into Excel's start-up folder and tell it to use this Python."""
    from workload_xl.services import addin as service

    _report_change(service.install(service.places(platform)))


@addin.command("status")
@PLATFORM_OPTION
def addin_status(platform: str | None) -> None:
    """Say what is installed for this user, and where."""
    from workload_xl.services import addin as service

    if answer := service.nothing_here(platform):
        click.echo(answer)
        return
    for line in service.status(service.places(platform)).lines():
        click.echo(line)


@addin.command("remove")
@PLATFORM_OPTION
def addin_remove(platform: str | None) -> None:
    """Take away what `addin install` made, and nothing else."""
    from workload_xl.services import addin as service

    if answer := service.nothing_here(platform):
        click.echo(answer)
        return
    _report_change(service.remove(service.places(platform)))


def _report_change(changed) -> None:
    """What `addin install` or `addin remove` did and kept, its problems, and its exit."""
    for line in changed.done + changed.kept:
        click.echo(line)
    _print_findings(changed.problems)
    sys.exit(changed.exit_code)


# --- validation ----------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=PATH)
@click.option(
    "--scheme", "scheme_id", help="Check against this scheme instead of the one each sheet names."
)
@click.option(
    "--min-severity",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Show findings this severe or more: error (errors only), warning (errors and "
    "warnings) or info (everything). Each file's counts and the total are always shown, and "
    "--format json always has every finding.",
)
@FORMAT_OPTION
def validate(
    files: tuple[Path, ...], scheme_id: str | None, min_severity: str, output_format: str
) -> None:
    """Check measurement workbooks (files or folders of them).

    Prints a line per file with its counts, the findings at or above --min-severity under it,
    and a total last. Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file
    could not be read.
    """
    from workload_xl.render import validate_text
    from workload_xl.services.validate import validate_files

    registry = _registry()
    if scheme_id:
        _scheme(registry, scheme_id)
    run = validate_files(files, registry, scheme_id)
    if output_format == "json":
        click.echo(json_for(run.to_json()))
    else:
        click.echo(validate_text(run.report, min_severity))
    sys.exit(run.exit_code)


# --- team sheet ----------------------------------------------------------------------------


@main.command("build-team")
@click.argument("inputs", nargs=-1, required=True, type=PATH)
@output_option("a team workbook", "The team workbook to write (.xlsx).")
@click.option(
    "--period", type=PeriodText(), help="Use only the sheets for this period, e.g. 2026-10."
)
@click.option(
    "--history",
    "history",
    multiple=True,
    type=PATH,
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
    from workload_xl.render import team_text
    from workload_xl.services.build_team import build_team_files

    run = build_team_files(
        inputs, output, registry=_registry(), period=period, history=history, force=force
    )
    if output_format == "json":
        click.echo(json_for(run.to_json()))
    else:
        click.echo(team_text(run.build, str(output), run.written))
    sys.exit(run.exit_code)


# --- the performance team: returns store ------------------------------------------------


@contextlib.contextmanager
def _store_opened(damaged_exit: int = EXIT_UNREADABLE):
    """A store that cannot be opened (missing, foreign, damaged) is a message and exit 2 (a
    damaged one `damaged_exit`)."""
    from workload_xl.core.findings import Refused

    try:
        yield
    except Refused as problem:
        if not problem.findings[0].rule.startswith("store-"):
            raise  # not the store: e.g. an output that is the store itself (_Main says it)
        rule = problem.findings[0].rule
        click.echo(f"{rule}: {problem}", err=True)
        sys.exit(damaged_exit if rule == "store-damaged" else EXIT_UNREADABLE)


PSEUDONYMISE_OPTION = click.option(
    "--pseudonymise",
    "key_file",
    type=PATH,
    help="Replace worker and manager names by pseudonyms keyed by this key file "
    "(made by `workload-xl key new`).",
)


def _pseudonymiser(key_file: Path | None):
    from workload_xl.services.keys import load_pseudonymiser

    with _option_errors():
        return load_pseudonymiser(key_file)


@main.group()
def key() -> None:
    """The key that turns names into pseudonyms, for reports shared beyond the service."""


@key.command("new")
@click.option(
    "-o",
    "--output",
    required=True,
    type=PATH,
    help="The key file to write. Keep it safe and out of shared folders.",
)
@FORCE_OPTION
def key_new(output: Path, force: bool) -> None:
    """Make a new random key file."""
    from workload_xl.services.keys import new_key_file

    written = new_key_file(output, force=force)
    _written_or_exit(written)
    click.echo(
        f"Wrote {output}. The same key always gives a person the same pseudonym; "
        "whoever holds it can check a name against a pseudonym."
    )
    if written.advice:
        click.echo(written.advice, err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=PATH)
@store_option("The returns store (an SQLite file; made if missing).")
@PSEUDONYMISE_OPTION
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="How many files to read at once (default: one per core, up to 8; 1 reads them one "
    "after another).",
)
@click.option(
    "--accept-changes",
    is_flag=True,
    help="Store returns held because they change a team's service or people "
    "(return-held), replacing the returns they change.",
)
@click.option(
    "--received",
    "received_text",
    metavar="YYYY-MM-DD",
    help="The day these returns were received, for the tracker (default: each team "
    "sheet's date signed, else the file's time).",
)
@FORMAT_OPTION
def consolidate(
    inputs: tuple[Path, ...],
    store_path: Path,
    key_file: Path | None,
    processes: int | None,
    accept_changes: bool,
    received_text: str | None,
    output_format: str,
) -> None:
    """Ingest team returns (team workbooks, files or folders) into the returns store.

    Each file is one transaction: a file that fails its checks is not stored, and the others
    go in. The same file twice changes nothing; a newer return for a team and period replaces
    the earlier one, and both stay. Worker workbooks in a folder are skipped, said once for
    the folder. Exit status: 0 all stored (skipped worker workbooks allowed), 1 some refused,
    2 no store, 130 stopped by Ctrl-C (what was stored stays).
    """
    from workload_xl.services.consolidate import consolidate_files, received_option
    from workload_xl.services.options import files_named, refuse_clashes, store_output_clashes

    with _option_errors():
        received = received_option(received_text)
    pseudonymiser = _pseudonymiser(key_file)
    refuse_clashes(store_output_clashes(store_path, key_file))  # the group says it, exit 2
    paths = files_named(inputs)
    quiet = not sys.stderr.isatty()  # a progress bar only where a person watches
    with click.progressbar(
        length=len(paths), label="Consolidating", file=sys.stderr, hidden=quiet
    ) as bar:
        run = consolidate_files(
            inputs,  # the folders as given: the service says which stray files it skipped
            store_path,
            registry=_registry(),
            progress=lambda _: bar.update(1),
            pseudonymiser=pseudonymiser,
            processes=processes,
            accept_changes=accept_changes,
            received=received,
        )
    if output_format == "json":
        click.echo(json_for(run.to_json()))
    else:
        from workload_xl.render import consolidation_text

        click.echo(consolidation_text(run, len(paths), str(store_path)))
    if run.interrupted:
        done = len(run.stored) + len(run.already) + len(run.failed) + len(run.skipped)
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
    from workload_xl.services.schemes import find_service
    from workload_xl.services.teams import add_teams

    with _option_errors():
        service = find_service(_registry(), service)
    with _store_opened():
        done = add_teams(store_path, service, list(names))
    for name, added in done.added:
        click.echo(f"{'Added' if added else 'Already listed'}: {name} ({service})")
    if done.refused:
        raise click.BadParameter(done.refused[1], param_hint="NAMES")


@teams.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.option("--service", required=True, help="The service the teams are listed under.")
@store_option()
def teams_remove(names: tuple[str, ...], service: str, store_path: Path) -> None:
    """Take teams off a service's list (a team closed, or merged into another).

    No return is expected from them from now on. Their returns stay in the store and in the
    reports of the periods they are for, and the tracker still shows them for those periods.
    """
    from workload_xl.services.teams import remove_teams

    with _store_opened():
        done = remove_teams(store_path, service, list(names))
    for team in done.removed:
        click.echo(
            f"Removed: {team.name} ({team.service}). Its returns stay in the store and its "
            "reports; no return is expected from it from now on."
        )
    if done.refused:
        raise click.BadParameter(done.refused[1], param_hint="NAMES")


@teams.command("rename")
@click.argument("name")
@click.argument("new_name")
@click.option("--service", required=True, help="The service the team is listed under.")
@store_option()
def teams_rename(name: str, new_name: str, service: str, store_path: Path) -> None:
    """Rename a listed team, keeping its history under the new name.

    Its stored returns carry the new name from now on, so its trend runs on unbroken; a
    return that still names the old team is stored under the new one.
    """
    from workload_xl.services.teams import rename_team

    with _store_opened():
        done = rename_team(store_path, service, name, new_name)
    if done.team is None:  # not listed, or the new name is a team's already
        hint = "NEW_NAME" if done.refused_new_name else "NAME"
        raise click.BadParameter(done.refused, param_hint=hint)
    click.echo(
        f"Renamed: {done.team.name} is now {done.new_name} ({done.team.service}); "
        f"{done.carried} stored return(s) carried over. Returns that still name "
        f"{done.team.name} will be stored under {done.new_name}."
    )


@teams.command("list")
@store_option()
def teams_list(store_path: Path) -> None:
    """Show the teams returns are expected from, and those that left the list."""
    from workload_xl.services.teams import list_teams

    with _store_opened():
        found = list_teams(store_path)
    listed, left = found.teams, found.left
    if not listed and not left:
        click.echo("No teams listed yet: add them with `workload-xl teams add`.")
        return
    if listed:
        click.echo(
            plain_table(
                ("Service", "Team", "Listed since"),
                [(t.service, t.name, t.added_at[:10]) for t in listed],
            )
        )
    if left:
        click.echo(("\n" if listed else "") + "No longer listed (their returns stay in the store):")
        click.echo(
            plain_table(
                ("Service", "Team", "Left the list", "Why"),
                [
                    (
                        t.service,
                        t.name,
                        t.removed_at[:10],
                        f"renamed {t.renamed_to}" if t.renamed_to else "removed",
                    )
                    for t in left
                ],
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
    from workload_xl.services.store_check import check_store

    with _store_opened(damaged_exit=EXIT_ERRORS):
        checked = check_store(store_path)
    click.echo(
        f"{store_path}: {checked.held} returns stored ({checked.current} current, "
        f"{checked.superseded} superseded)."
    )
    click.echo(checked.journal)
    if checked.findings:
        _print_findings(checked.findings)
        sys.exit(checked.exit_code)
    click.echo("Integrity check: sound.")


@store.command("export")
@store_option()
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=OutputPath("store export", None),
    help="The folder to write the CSV files and returns-store.xlsx into.",
)
@FORCE_OPTION
def store_export(store_path: Path, folder: Path, force: bool) -> None:
    """Write every table of the store to a CSV file and a sheet of returns-store.xlsx.

    Text that could run as a formula (starting =, +, -, @) is neutralised in the CSV files
    and written as text in the workbook.
    """
    from workload_xl.services.store_export import export_store_tables

    with _store_opened():
        exported_all = export_store_tables(store_path, folder, force=force)
    for exported in exported_all.done:
        sheets = f" (sheets: {', '.join(exported.sheets)})" if exported.sheets else ""
        click.echo(f"{exported.table}: {exported.rows} rows -> {exported.csv_path.name}{sheets}")
    if exported_all.problems:
        _print_findings(exported_all.problems)
        sys.exit(exported_all.exit_code)
    made = " (made for it)" if exported_all.made_folder else ""
    click.echo(
        f"Wrote {len(exported_all.done)} CSV files and returns-store.xlsx in {folder}{made}."
    )


@main.command("returns")
@store_option()
@click.option(
    "--period", type=PeriodText(), required=True, help="The period, e.g. 2026-10 or 2026-P07."
)
@click.option(
    "--today",
    "today_text",
    help="Show the returns as they stood on this day (YYYY-MM-DD): a return received "
    "later was still outstanding.",
)
def returns_command(store_path: Path, period: str, today_text: str | None) -> None:
    """Which teams have returned for a period, which are late, which are missing.

    A monthly return is due by the 7th of the following month. A return counts as received
    the day the team sent it: the day consolidate --received gave, else its team sheet's
    date signed, else its file's time (the Known from column says which).
    """
    from workload_xl.services.returns import returns_for

    with _option_errors(), _store_opened():
        run = returns_for(store_path, period, today_text or None)
    wanted, statuses = run.period, run.statuses
    if not statuses:
        click.echo(f"No teams are listed for {wanted} and no returns for it are stored.")
        for note in run.notes:
            click.echo(note)
        return
    click.echo(
        plain_table(
            ("Service", "Team", "Status", "Received", "Known from", "File"),
            [
                (s.service, s.team, s.status, s.received, s.received_from, s.file_name)
                for s in statuses
            ],
        )
    )
    due = run.due
    counts = ", ".join(f"{n} {status}" for status, n in run.counts)
    click.echo(f"\n{wanted}: {counts}." + (f" Due by {due}." if due else ""))
    for note in run.notes:
        click.echo(note)


@main.command("report")
@store_option()
@output_option("a trend report", "The report workbook to write (.xlsx).")
@click.option("--service", help="Only this service (each service is reported on its own).")
@click.option("--from", "first", type=PeriodText(), help="First period, e.g. 2025-11.")
@click.option("--to", "last", type=PeriodText(), help="Last period, e.g. 2026-10.")
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
    multiple=True,
    type=PeriodText(team=True),
    metavar="[TEAM=]PERIOD",
    help="A known change (a restructure): limits are recalculated from PERIOD, for every "
    "team, or for one team with TEAM=PERIOD. Repeat for more. (A new scheme version starts "
    "fresh limits by itself.)",
)
@click.option(
    "--incomplete-below",
    "incomplete_below",
    type=click.IntRange(1, 100),
    default=75,
    show_default=True,
    metavar="PERCENT",
    help="A return that left workers out (sheets with errors) and counts less than this share "
    "of the team's usual FTE or workers is an incomplete return: said first, kept out of the "
    "trend rules.",
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
    recalculate_at: tuple[str, ...],
    incomplete_below: int,
    key_file: Path | None,
    force: bool,
) -> None:
    """The trend report: per service, teams over time, XmR charts, and what needs a look.

    With --pseudonymise, workers appear by pseudonym, for a report shared beyond the service.
    """
    from workload_xl.core.spc import SpcSettings
    from workload_xl.services.options import output_clashes, refuse_clashes
    from workload_xl.services.report import trend_report
    from workload_xl.services.store import store_inputs

    # An output over the store or the key file: the group prints the findings, exit 2.
    refuse_clashes(output_clashes([output], store_inputs(store_path, key_file)))
    pseudonymiser = _pseudonymiser(key_file)
    with _store_opened(), _option_errors():
        run = trend_report(
            store_path,
            output,
            service=service,
            first=first,
            last=last,
            settings=SpcSettings(baseline=baseline, run_length=int(run_length)),
            recalculate_at=recalculate_at,
            incomplete_below=incomplete_below / 100,
            pseudonymiser=pseudonymiser,
            force=force,
        )
    report = run.report
    for line in report.left_out:  # a store made by an older version may hold these
        click.echo(f"Left out of the figures: {line}", err=True)
    if run.empty:
        click.echo("No returns in the store match: nothing to report.", err=True)
        sys.exit(run.exit_code)
    _written_or_exit(run)
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
@click.argument("jobplan", type=PATH)
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
    """Is the team's capacity in balance with demand, for Choice, Core and Specific Partnership?

    Exit status: 0 printed, 1 the job plan has errors (nothing is worked out from it until
    they are fixed), 2 it cannot be read.
    """
    from workload_xl.core.findings import Severity
    from workload_xl.services.capa import capa_balance

    with _option_errors():
        run = capa_balance(jobplan, without=without, period=period, referrals=referrals)
    if output_format == "json" and (run.plan is None or run.stopped):
        click.echo(json_for(run.to_json()))  # the findings, with no balance worked out
        sys.exit(run.exit_code)
    if run.plan is None or run.stopped:
        _print_findings(run.findings)
        if run.plan is not None:
            errors = sum(f.severity is Severity.ERROR for f in run.findings)
            click.echo(
                f"No balance is worked out: the job plan has {errors} "
                f"{'error' if errors == 1 else 'errors'} (above). Fix "
                f"{'it' if errors == 1 else 'them'} and run again.",
                err=True,
            )
        sys.exit(run.exit_code)
    if output_format == "json":
        click.echo(json_for(run.to_json()))
        return
    _print_findings([f for f in run.findings if f.severity != "info"])
    before, after, lost = run.before, run.after, run.lost
    source = " (from the referral series on the Demand sheet)" if run.demand_from_series else ""
    click.echo(
        f"{len(run.plan.clinicians)} clinicians, {run.demand:.3g} accepted referrals a week"
        f"{source}."
    )
    for sentence in before.sentences:
        click.echo(f"  {sentence}")
    click.echo("Waiting lists:")
    for waiting in run.waiting:
        click.echo(f"  {waiting.sentence}")
    if after:
        click.echo(f"Without {', '.join(run.without)}:")
        for sentence in after.sentences:
            click.echo(f"  {sentence}")
        for waiting in run.waiting_without:
            click.echo(f"  {waiting.sentence}")
    if lost:
        team = f" (without {', '.join(run.without)})" if run.without else ""
        click.echo(
            f"Capacity lost to planned absences{team}, {lost.start} to {lost.end} "
            f"({lost.period_weeks:.2f} working weeks):"
        )
        for loss in lost.losses:
            if loss.hours:
                click.echo(
                    f"  {loss.clinician}: {loss.working_days} days away, "
                    f"{loss.choice_slots:.1f} Choice slots, {loss.new_core:.1f} new Core "
                    f"and {loss.new_specific:.1f} new Specific Partnerships, "
                    f"{loss.hours:.1f} hours"
                )
        click.echo(
            f"  Team: {lost.team_choice_slots:.1f} Choice slots, "
            f"{lost.team_new_core:.1f} new Core and {lost.team_new_specific:.1f} new Specific "
            f"Partnerships, {lost.team_hours:.1f} hours."
        )
        click.echo(f"  {lost.note}")
        if run.left_out_away:
            who = " and ".join(run.left_out_away)
            click.echo(
                f"  {who} {'is' if len(run.left_out_away) == 1 else 'are'} left out "
                "(--without), so their absences in the period are not counted: the what-if "
                "has none of their capacity to lose."
            )


@capa.command("actuals")
@click.argument("report", type=PATH)
@click.option("--jobplan", type=PATH, required=True, help="The team's CAPA job plan workbook.")
@click.option(
    "-o",
    "--output",
    type=OutputPath("the Plan and actual workbook"),
    help="The Plan and actual workbook to write (.xlsx).",
)
@click.option(
    "--previous",
    type=PATH,
    help="An earlier Plan and actual workbook: its months are carried forward.",
)
@click.option(
    "--mapping",
    type=PATH,
    help="An activity mapping file instead of schemes/capa/activity-export.toml.",
)
@FORCE_OPTION
@FORMAT_OPTION
def capa_actuals(
    report: Path,
    jobplan: Path,
    output: Path | None,
    previous: Path | None,
    mapping: Path | None,
    force: bool,
    output_format: str,
) -> None:
    """What the clinicians delivered against the job plan: Choice appointments, new Core
    Partnerships and Core appointments, by month and quarter, with signals.

    REPORT is the activity export (CSV or Excel) from the clinical system.
    Exit status: 0 worked out, 1 the job plan or the export has errors, 2 a file cannot be
    read or the workbook cannot be written.
    """
    from workload_xl.services.actuals import capa_actuals as run_actuals

    with _option_errors():
        run = run_actuals(report, jobplan, output, previous=previous, mapping=mapping, force=force)
    if output_format == "json":
        click.echo(json_for(run.to_json()))
        sys.exit(run.exit_code)
    _print_findings([f for f in run.findings if f.severity != "info"])
    if run.actuals is None:
        _actuals_not_written(run, output)
        sys.exit(run.exit_code)
    pa = run.actuals
    carried = f", {len(run.from_history)} carried from --previous" if run.from_history else ""
    empty = [line.period for line in pa.team_months if not line.months]
    without = f"; {', '.join(empty)} {'has' if len(empty) == 1 else 'have'} none" if empty else ""
    n = len(pa.months) - len(empty)
    counted = f"{n} {'month' if n == 1 else 'months'}" + (" with rows" if empty else "")
    span = pa.months[0] if len(pa.months) == 1 else f"{pa.months[0]} to {pa.months[-1]}"
    click.echo(f"{len(pa.clinicians)} clinicians, {counted} ({span}{without}{carried}).")
    for sentence in pa.summary:
        click.echo(f"  {sentence}")
    if run.held:
        click.echo(run.held)
    else:
        click.echo(
            "Signals against the plan:" if run.signals.signals else "No signal against the plan."
        )
    for sentence in run.signals.sentences:
        click.echo(f"  - {sentence}")
    if run.signals.patterns:
        click.echo("Patterns in the monthly figures:")
    for sentence in run.signals.patterns:
        click.echo(f"  - {sentence}")
    if run.written:
        click.echo(f"Wrote {run.written}.")
    _actuals_not_written(run, output)
    sys.exit(run.exit_code)


def _actuals_not_written(run, output: Path | None) -> None:
    """The last line of a `capa actuals -o` that wrote nothing, as build-team's: why, in a few
    words (the output exists, cannot be written, or the inputs have errors)."""
    from workload_xl.render import nothing_written

    if output is None or run.written is not None:
        return
    errors = [f for f in run.findings if f.severity == "error"]
    why = [f for f in errors if f.rule.startswith("output-")] or errors
    click.echo(nothing_written(why, str(output)))


# --- allocation ----------------------------------------------------------------------------


@main.command()
@click.argument("team_workbook", type=PATH)
@click.option("--item", help='A scheme item to allocate, e.g. "Child protection plan".')
@click.option(
    "--quantity",
    type=click.FloatRange(0, 744, min_open=True),
    default=1,
    show_default=True,
    help="How many more of the item (cases, or days or hours of an activity).",
)
@click.option("--move", "case_ref", metavar="CASE_REF", help="A case reference to try moving.")
@click.option("--to", "to_worker", metavar="WORKER", help="The worker the case would move to.")
@click.option(
    "--from", "from_worker", metavar="WORKER", help="For a co-worked case: whose part moves."
)
@FORMAT_OPTION
def allocate(
    team_workbook: Path,
    item: str | None,
    quantity: float,
    case_ref: str | None,
    to_worker: str | None,
    from_worker: str | None,
    output_format: str,
) -> None:
    """Who could take a new case: each worker's load against expected before and after.

    With --item, every worker of the team workbook is listed by their load after taking
    --quantity more of the item, and marked when they would stay within the team's usual range
    (or told why not). With --move CASE_REF --to WORKER, both workers' loads before and after
    the move, and the team's spread and flags. Nothing is written. Exit status: 0 shown, 2 the
    team workbook cannot be used or an item, worker or case is not in it.
    """
    if item is not None and case_ref is not None:
        raise click.UsageError("give --item (a new case) or --move (a case moved), not both.")
    if item is None and case_ref is None:
        raise click.UsageError("give --item (a new case) or --move with --to (a case moved).")
    if case_ref is not None and not to_worker:
        raise click.UsageError("--move needs --to: the worker the case would move to.")
    from workload_xl.services.allocate import allocate_file

    asked = {"item": item, "quantity": quantity}
    if case_ref is not None:
        asked = {"move": case_ref, "to": to_worker, "from_worker": from_worker}
    run, problems = allocate_file(team_workbook, _registry(), **asked)
    if run is None:
        _print_findings(problems)
        sys.exit(EXIT_UNREADABLE)
    if output_format == "json":
        click.echo(json_for(run.to_json()))
        return
    _print_findings([f for f in problems if f.severity != "info"])
    for line in run.sentences():
        click.echo(line)
    click.echo()
    click.echo(plain_table(*run.shown_table()))
    for worker, why in run.reasons():
        click.echo(f"  {worker}: {why}")


# --- caseload import -----------------------------------------------------------------------


@main.command("import-caseload")
@click.argument("report", type=PATH)
@click.option("--worker", required=True, help="The worker's name, as in the report.")
@click.option("--scheme", "scheme_id", required=True, help="Scheme id.")
@output_option("a measurement workbook", "The measurement workbook to write (.xlsx).")
@click.option("--team", help="Team name for the header.")
@click.option("--service", help="Service for the header (needed when a scheme serves several).")
@click.option("--period", type=PeriodText(), help="Period for the header, e.g. 2026-10.")
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
    from workload_xl.services.caseload import import_caseload as import_cases

    registry = _registry()
    scheme = _scheme(registry, scheme_id)
    if service is not None:
        from workload_xl.services.schemes import find_scheme_service

        with _option_errors():
            service = find_scheme_service(registry, scheme, service)
    run = import_cases(
        report, scheme, worker, output, team=team, service=service, period=period, force=force
    )
    _print_findings(run.findings)
    if run.exit_code:
        sys.exit(run.exit_code)
    click.echo(
        f"Wrote {output}: {len(run.lines)} case(s) for {worker}, {run.matched} matched to "
        f"scheme items, {len(run.lines) - run.matched} left for you to pick (headings read "
        f"from row {run.header_row} of {report.name})."
    )
    click.echo(
        "Next: agree the points for each row (the Scheme points column shows the scheme's "
        "default), add activities, then run `workload-xl validate`."
    )


# --- demo ----------------------------------------------------------------------------------


@main.command()
@click.option(
    "--out",
    type=PATH,
    default=Path("workload-demo"),
    show_default=True,
    help="A new folder for the demo workbooks.",
)
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 36))
def demo(out: Path, months: int) -> None:
    """Make realistic demo workbooks, validate them and show what was found."""
    from workload_xl.demo import run_demo

    sys.exit(run_demo(out, months=months, echo=click.echo))


if __name__ == "__main__":  # pragma: no cover
    main()
