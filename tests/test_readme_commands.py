"""Every command the README shows runs on the demo, exactly as written (issue 16, item 3).

The commands are read from README.md's code blocks, so a command added there is run here with
no change to this file: every `workload-xl ...` of a `bash` block (a line continued with `\\`
joined to the next; in a line of `&&`-joined commands, the `workload-xl` ones), and every
`$ workload-xl ...` of a plain block, whose lines shown below it (all but `...`) must be
printed. Windows' `bat` blocks are Windows commands and are left out; so are the set-up
line's `python3 -m venv` and `pip`, and the test command (this suite).

The README's first command runs the demo, in a new folder, once for the module; every command
then runs in that folder, as a user types them one after another after the demo, through
`tests/bounded_cli.py` (`workload-xl` and `.venv/bin/workload-xl` are this checkout's CLI). A
command must exit with 0, or with the code its comment gives as `exit N` (say why beside
it); print no traceback; write the file or folder its `-o` names; and, with
`--format json`, print JSON. What each prints is the business of the command's own tests:
this one checks only the key words, so other output can change freely.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .bounded_cli import run_cli

README = Path(__file__).resolve().parents[1] / "README.md"
CLI_NAMES = ("workload-xl", ".venv/bin/workload-xl")
BUDGET_SECONDS = 1800
"""Far above what a command needs (the demo, the slowest, takes about a minute on an idle
core): a limit only so that a hung command fails the test instead of hanging it."""


@dataclass(frozen=True)
class ReadmeCommand:
    """One command as the README writes it: its arguments after `workload-xl`, the exit
    code its comment gives (0 when none), and the lines the README shows it printing."""

    text: str
    args: tuple[str, ...]
    exit_code: int = 0
    shown: tuple[str, ...] = field(default=())


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Each fenced block of the README as (its language, its lines)."""
    blocks, language, lines = [], None, []
    for line in text.splitlines():
        fence = re.match(r"^```\s*(\S*)\s*$", line)
        if fence and language is None:
            language, lines = fence[1], []
        elif fence:
            blocks.append((language, lines))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def _command(text: str, shown: tuple[str, ...] = ()) -> list[ReadmeCommand]:
    """The `workload-xl` commands of one shell line (several when joined with &&), read as
    a POSIX shell reads it; its comment (after ` #`) may give the exit code."""
    comment = text.split(" #", 1)[1] if " #" in text else ""
    exit_code = re.search(r"\bexit (\d+)", comment)
    found = []
    current: list[str] = []
    for word in [*shlex.split(text, comments=True), "&&"]:
        if word != "&&":
            current.append(word)
            continue
        if current and current[0] in CLI_NAMES:
            found.append(
                ReadmeCommand(
                    shlex.join(current),
                    tuple(current[1:]),
                    int(exit_code[1]) if exit_code else 0,
                    shown,
                )
            )
        current = []
    return found


def readme_commands(text: str) -> list[ReadmeCommand]:
    """Every command of the README's bash and plain code blocks, in order, each once (the
    first time it is shown; the lines shown for it anywhere are kept)."""
    found: list[ReadmeCommand] = []
    for language, lines in code_blocks(text):
        if language == "bash":
            joined = "\n".join(lines).replace("\\\n", " ")
            for line in joined.splitlines():
                found += _command(line)
        elif language == "":
            starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
            for n, i in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                shown = tuple(line for line in lines[i + 1 : end] if line.strip() != "...")
                found += _command(lines[i][2:], tuple(line for line in shown if line.strip()))
    merged: dict[tuple[str, ...], ReadmeCommand] = {}
    for command in found:
        before = merged.get(command.args)
        if before is None:
            merged[command.args] = command
        elif command.shown and not before.shown:
            merged[command.args] = ReadmeCommand(
                before.text, before.args, before.exit_code, command.shown
            )
    return list(merged.values())


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))
DEMO = next(c for c in COMMANDS if c.args[:1] == ("demo",))


@pytest.fixture(scope="module")
def after_the_demo(tmp_path_factory) -> Path:
    """A new folder in which the README's first command has run the demo, as a user does
    after cloning (the demo writes workload-demo/ there)."""
    folder = tmp_path_factory.mktemp("readme")
    run = run_cli(*DEMO.args, cwd=folder, timeout=BUDGET_SECONDS)
    run.assert_no_traceback()
    assert run.returncode == DEMO.exit_code, run.output[-3000:]
    assert (folder / "workload-demo" / "returns.sqlite").is_file()
    return folder


def _outputs(args: tuple[str, ...]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--output", "--out")]


def _addin_folders(folder: Path) -> dict[str, str] | None:
    """`addin install` writes to the user's Excel folders: on Windows and macOS it runs with
    them (APPDATA, USERPROFILE, HOME) inside the test's folder, never the real ones."""
    if sys.platform not in ("win32", "darwin"):
        return None
    profile = folder / "user profile"
    return {"APPDATA": str(profile / "AppData"), "USERPROFILE": str(profile), "HOME": str(profile)}


def _expected_exit(command: ReadmeCommand) -> int:
    """The README's `exit N`, or 0; `addin install` on a system with no Excel (neither Windows
    nor macOS, as the README's "on Windows or a Mac" says) refuses: addin-not-installable,
    exit 2, having written nothing (`addin status` and `addin remove` say so, exit 0)."""
    if command.args[:2] == ("addin", "install") and sys.platform not in ("win32", "darwin"):
        return 2
    return command.exit_code


def check(command: ReadmeCommand, folder: Path) -> list[str]:
    """What is wrong with `command` run in `folder`: nothing when it did as the README says."""
    env = _addin_folders(folder) if command.args[:1] == ("addin",) else None
    run = run_cli(*command.args, cwd=folder, env=env, timeout=BUDGET_SECONDS)
    problems = []
    for mark in ("Traceback (most recent call last)", "Fatal Python error"):
        if mark in run.output:
            problems.append(f"printed a traceback: {run.output[-2000:]}")
    expected = _expected_exit(command)
    if run.returncode != expected:
        problems.append(f"exit {run.returncode}, not {expected}: {run.output[-2000:]}")
        return problems
    if command.args[:1] == ("addin",) and sys.platform not in ("win32", "darwin"):
        if expected == 2 and "addin-not-installable" not in run.output:
            problems.append(f"not refused as addin-not-installable: {run.output[-2000:]}")
        if "this computer is neither" not in " ".join(run.output.split()):
            problems.append(f"did not say why nothing installs here: {run.output[-2000:]}")
        return problems
    if expected == 0:
        for output in _outputs(command.args):
            if not (folder / output).exists():
                problems.append(f"wrote no {output}")
    if "--format" in command.args and "json" in command.args:
        try:
            json.loads(run.stdout)
        except ValueError:
            problems.append(f"printed no JSON: {run.stdout[:500]}")
    printed = run.stdout.splitlines()
    missing = [line for line in command.shown if line not in printed]
    if missing:
        problems.append(f"did not print, as the README shows: {missing}")
    return problems


def test_the_readme_shows_the_commands_this_test_runs():
    """The parser finds what the README shows (so a command it misses fails here, not in
    silence): the demo first, every command group, the CAPA example with its output, and
    the one command the README says fails."""
    assert COMMANDS[0] == DEMO and DEMO.args == ("demo",)
    groups = {c.args[0] for c in COMMANDS}
    assert {
        "schemes",
        "template",
        "import-caseload",
        "validate",
        "build-team",
        "capa",
        "teams",
        "consolidate",
        "returns",
        "report",
        "key",
        "store",
        "build-xlsm",
        "addin",
        "demo",
    } <= groups
    capa = [c for c in COMMANDS if c.args[:2] == ("capa", "balance") and c.shown]
    assert len(capa) == 1 and "Without Mo Khan:" in capa[0].shown
    assert [c.exit_code for c in COMMANDS if c.exit_code] == [1]
    text = README.read_text(encoding="utf-8")
    in_blocks = sum(
        1
        for language, lines in code_blocks(text)
        if language in ("bash", "")
        for line in lines
        if re.match(r"^(\$ )?(\.venv/bin/)?workload-xl ", line)
    )
    assert in_blocks >= len(COMMANDS)


def test_every_command_the_readme_shows_runs_as_written_on_the_demo(after_the_demo):
    """In the README's order, in one folder, each command as written. Every failure is
    collected, so one run names all of them."""
    failures = {
        command.text: problems
        for command in COMMANDS[1:]
        if (problems := check(command, after_the_demo))
    }
    assert failures == {}


def test_the_parser_reads_exit_codes_continuations_and_shown_output():
    text = (
        "```bash\n"
        'workload-xl validate "a b.xlsx" \\\n'
        "    folder/  # files; exit 1: errors\n"
        "python3 -m venv .venv && .venv/bin/workload-xl demo\n"
        "```\n"
        "```bat\n"
        ".venv\\Scripts\\workload-xl addin install\n"
        "```\n"
        "```\n"
        "$ workload-xl capa balance plan.xlsx\n"
        "...\n"
        "Balance:\n"
        "  in balance\n"
        "```\n"
    )
    assert readme_commands(text) == [
        ReadmeCommand(
            "workload-xl validate 'a b.xlsx' folder/", ("validate", "a b.xlsx", "folder/"), 1
        ),
        ReadmeCommand(".venv/bin/workload-xl demo", ("demo",)),
        ReadmeCommand(
            "workload-xl capa balance plan.xlsx",
            ("capa", "balance", "plan.xlsx"),
            0,
            ("Balance:", "  in balance"),
        ),
    ]
