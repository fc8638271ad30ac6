"""addin install / status / remove: workload.xlam in Excel's start-up folder and the settings
file xlwings' VBA reads for it (service layer).

What xlwings' custom add-in module (xlwings_custom_addin.bas, PROJECT_NAME "workload") reads,
from its own source: `GetConfigFilePath` is
`Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"` on Windows and
`GetMacDir("$HOME") & "/" & PROJECT_NAME & ".conf"` on a Mac (Excel's sandbox home,
~/Library/Containers/com.microsoft.Excel/Data); `GetConfigFromFile` reads it with VBA's
`Input #`, a quoted key and a quoted value a line, keys compared ignoring case. RunPython asks
for INTERPRETER_WIN (INTERPRETER_MAC on a Mac) and, when unset, runs `python` from the PATH,
which is not the venv the tool is installed in: so install writes this Python there (on
Windows pythonw.exe beside it, which opens no console window for the functions' server).

Everything install makes is recorded in a small manifest beside the settings file, so remove
takes away only that: the add-in file (unless someone replaced it since), the two settings it
wrote (other lines a user added stay), and the folders it created, if empty.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import locale
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from workload_xl.core.findings import Finding, Refused
from workload_xl.core.paths import ADDIN_FILE, addin_file
from workload_xl.core.rules import finding
from workload_xl.files.atomic import write_atomically

Platform = Literal["windows", "macos"]
PROJECT_NAME = "workload"  # xlwings' PROJECT_NAME in workload.xlam (addin.vba)
CONFIG_FILE = f"{PROJECT_NAME}.conf"
UDF_MODULE = "workload_xl.excel.udfs"  # excel.buttons.UDF_MODULE (a test keeps them equal)
MANIFEST_FILE = "workload-xl-install.json"
MAC_STARTUP = (
    "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
)
MAC_SANDBOX_HOME = "Library/Containers/com.microsoft.Excel/Data"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
INTERPRETER_KEY = {"windows": "INTERPRETER_WIN", "macos": "INTERPRETER_MAC"}
UDF_KEY = "UDF MODULES"


@dataclass(frozen=True)
class Places:
    """Where the add-in's files go for one user on one platform."""

    platform: Platform
    startup: Path  # Excel's start-up folder: every file in it opens when Excel starts
    config: Path  # the settings file xlwings' VBA reads for PROJECT_NAME
    scripts: Path | None  # macOS: where RunPython's AppleScript must be (xlwings runpython)

    @property
    def addin(self) -> Path:
        return self.startup / ADDIN_FILE

    @property
    def manifest(self) -> Path:
        return self.config.parent / MANIFEST_FILE


def this_platform() -> Platform | None:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return None


def places(platform: Platform | None = None, environ: Mapping[str, str] | None = None) -> Places:
    """The folders for `platform` (this computer's unless given), from the environment as Excel
    and xlwings read it: %APPDATA% and %USERPROFILE% on Windows, HOME on a Mac."""
    environ = os.environ if environ is None else environ
    platform = platform or this_platform()
    if platform == "windows":
        missing = [v for v in ("APPDATA", "USERPROFILE") if not environ.get(v)]
        if missing:
            raise Refused(
                _refusal(
                    f"%{missing[0]}% is not set, so Excel's start-up folder and the add-in's "
                    "settings file cannot be found. Run the command in a normal Windows "
                    "session of the user who runs Excel."
                )
            )
        return Places(
            "windows",
            Path(environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART",
            Path(environ["USERPROFILE"]) / f".{PROJECT_NAME}" / CONFIG_FILE,
            None,
        )
    if platform == "macos":
        home = environ.get("HOME")
        if not home:
            raise Refused(_refusal("HOME is not set, so Excel's folders cannot be found."))
        return Places(
            "macos",
            Path(home) / MAC_STARTUP,
            Path(home) / MAC_SANDBOX_HOME / CONFIG_FILE,
            Path(home) / MAC_SCRIPTS,
        )
    raise Refused(_refusal(NO_EXCEL_HERE))


NO_EXCEL_HERE = (
    "Excel's add-ins install on Windows or macOS, and this computer is neither. Run "
    "workload-xl addin install on the computer where Excel runs."
)
"""Why nothing installs here: `addin install` refuses with it (addin-not-installable), and
`addin status` and `addin remove`, which have nothing to look at, say it as their answer."""


def nothing_here(platform: Platform | None) -> str | None:
    """What `addin status` or `addin remove` says on a computer with no Excel to install for
    (neither Windows nor macOS, and no --platform asked for), or None where there is one."""
    if platform is None and this_platform() is None:
        return f"Nothing is installed for Excel on this computer. {NO_EXCEL_HERE}"
    return None


def _refusal(message: str) -> Finding:
    return finding("addin-not-installable", message)


def interpreter(platform: Platform, python: Path) -> Path:
    """The Python the add-in runs: on Windows pythonw.exe beside python.exe (no console window
    opens), else this one."""
    if platform == "windows":
        windowless = python.with_name("pythonw.exe")
        if windowless.is_file():
            return windowless
    return python


def config_encoding(platform: Platform) -> str:
    """What VBA's `Open ... For Input` reads: Windows' ANSI code page (cp1252 on an English
    Windows; this computer's when it is Windows), UTF-8 on a Mac."""
    if platform == "macos":
        return "utf-8"
    if sys.platform.startswith("win"):
        return locale.getencoding()
    return "cp1252"


# --- the settings file, as VBA's Write # writes and Input # reads it -------------------------


def parse_config(text: str) -> list[tuple[str, str]]:
    """The (key, value) lines of a settings file, as `Input #` reads two fields a line:
    each field quoted ("...") or bare up to the comma."""
    pairs = []
    for line in text.splitlines():
        fields = _fields(line)
        if len(fields) >= 2:
            pairs.append((fields[0], fields[1]))
    return pairs


def _fields(line: str) -> list[str]:
    fields, at = [], 0
    while at < len(line):
        while at < len(line) and line[at] == " ":
            at += 1
        if at < len(line) and line[at] == '"':
            end = line.find('"', at + 1)
            end = len(line) if end < 0 else end
            fields.append(line[at + 1 : end])
            at = line.find(",", end)
        else:
            end = line.find(",", at)
            end = len(line) if end < 0 else end
            fields.append(line[at:end].strip())
            at = end
        if at < 0:
            break
        at += 1
    return fields


def config_text(pairs: list[tuple[str, str]], platform: Platform) -> str:
    ending = "\r\n" if platform == "windows" else "\n"
    return "".join(f'"{key}","{value}"{ending}' for key, value in pairs)


# --- the results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddinStatus:
    """What is installed for this user, and where."""

    platform: str
    addin: str
    addin_installed: bool
    addin_current: bool  # the same bytes as the add-in this installation ships
    config: str
    settings: dict[str, str]
    interpreter_found: bool
    installed_by_us: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        interpreter = self.settings.get(INTERPRETER_KEY.get(self.platform, ""), "")
        if not self.addin_installed:
            addin = f"not installed (it would go to {self.addin})"
        else:
            addin = f"installed: {self.addin}" + (
                "" if self.addin_current else " (an older or changed copy: run install again)"
            )
        if not self.settings:
            config = f"no settings file ({self.config})"
        else:
            config = f"settings: {self.config}"
        found = (
            ""
            if not interpreter
            else " (found)"
            if self.interpreter_found
            else " (NOT FOUND: run install again from the tool's environment)"
        )
        return [
            f"Add-in: {addin}",
            f"{config}",
            f"Python for the buttons: {interpreter or 'not set'}{found}",
            f"Functions' module: {self.settings.get(UDF_KEY, 'not set')}",
        ]


@dataclass(frozen=True)
class AddinChanged:
    """What install or remove did (`done`), left alone (`kept`), or what stopped it."""

    done: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


# --- install ---------------------------------------------------------------------------------


def install(
    where: Places, *, python: Path | None = None, source: Path | None = None
) -> AddinChanged:
    """Copy workload.xlam into Excel's start-up folder and write the interpreter and the
    functions' module into the add-in's settings file (other settings there are kept)."""
    source = source or addin_file()
    python = python or Path(sys.executable)
    if not source.is_file():
        raise Refused(
            _refusal(
                f"The add-in file {source} is missing from this installation. Reinstall "
                "workload-xl (pip install --force-reinstall), then run this again."
            )
        )
    chosen = interpreter(where.platform, python)
    settings = {INTERPRETER_KEY[where.platform]: str(chosen), UDF_KEY: UDF_MODULE}
    encoding = config_encoding(where.platform)
    for value in settings.values():
        try:
            value.encode(encoding)
        except UnicodeEncodeError as problem:
            bad = problem.object[problem.start]
            raise Refused(
                _refusal(
                    f"The path to Python, {value}, holds the character {bad!r}, which the "
                    f"add-in's settings file ({encoding}) cannot carry. Make the tool's "
                    "environment in a folder with a plainer name, for example "
                    "C:\\workload\\.venv, and run this again from there."
                )
            ) from None
    manifest = _read_manifest(where)
    made_folders = list(manifest.get("folders", []))
    for folder in (where.startup, where.config.parent):
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            made_folders.append(str(folder))

    done, problems = [], []
    data = source.read_bytes()
    problems += _locked(
        write_atomically(where.addin, lambda temp: temp.write_bytes(data), force=True),
        where.addin,
    )
    if not problems:
        done.append(f"Copied the add-in to {where.addin}.")

    existing = (
        where.config.read_bytes().decode(encoding, "replace") if where.config.is_file() else ""
    )
    had = {k.casefold(): v for k, v in parse_config(existing)}
    previous = dict(manifest.get("replaced", {}))
    for key in settings:
        if key.casefold() in had and key not in manifest.get("settings", {}):
            previous[key] = had[key.casefold()]  # the user's own, put back by remove
    kept = [(k, v) for k, v in parse_config(existing) if k.casefold() not in _folded(settings)]
    text = config_text([*kept, *settings.items()], where.platform)
    problems += write_atomically(
        where.config, lambda temp: temp.write_bytes(text.encode(encoding)), force=True
    )
    if not problems:
        done.append(
            f"Wrote {where.config}: {INTERPRETER_KEY[where.platform]} {chosen}, "
            f"{UDF_KEY} {UDF_MODULE}."
        )

    scripts = None
    if where.scripts is not None:  # macOS: RunPython goes through xlwings' AppleScript
        script = _applescript()
        target = where.scripts / script.name
        if not target.is_file():
            where.scripts.mkdir(parents=True, exist_ok=True)
            problems += write_atomically(target, lambda temp: temp.write_bytes(script.read_bytes()))
            scripts = str(target)
            done.append(f"Copied xlwings' RunPython script to {target}.")
        else:
            scripts = manifest.get("script")

    record = {
        "addin": str(where.addin),
        "addin_sha256": hashlib.sha256(data).hexdigest(),
        "config": str(where.config),
        "settings": settings,
        "replaced": previous,
        "folders": made_folders,
        "script": scripts,
    }
    problems += write_atomically(
        where.manifest,
        lambda temp: temp.write_text(json.dumps(record, indent=2), encoding="utf-8"),
        force=True,
    )
    if not problems:
        done.append("Restart Excel: the Workload tab appears on the ribbon of every workbook.")
    return AddinChanged(done=done, problems=problems)


def _read_config(path: Path, encoding: str) -> str:
    return path.read_bytes().decode(encoding, "replace") if path.is_file() else ""


def _folded(settings: Mapping[str, str]) -> set[str]:
    return {k.casefold() for k in settings}


def _locked(problems: list[Finding], path: Path) -> list[Finding]:
    """A write or delete refused on the add-in file means, nearly always, that Excel has it
    open (Excel opens every file in its start-up folder): say so, and how to go on."""
    if not problems or not path.exists():
        return problems
    return [
        finding(
            "output-unwritable",
            f"{path} cannot be changed: Excel has it open (it opens the add-in when it "
            "starts), or another program holds it. Quit Excel (every window), then run this "
            "command again.",
            workbook=str(path),
        )
    ]


def _applescript() -> Path:
    spec = importlib.util.find_spec("xlwings")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec else Path()
    found = sorted(folder.glob("xlwings-*.applescript"))
    if not found:
        raise Refused(_refusal("xlwings' RunPython script is missing: reinstall workload-xl."))
    return found[-1]


def _read_manifest(where: Places) -> dict:
    try:
        loaded = json.loads(where.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


# --- status ----------------------------------------------------------------------------------


def status(where: Places, *, source: Path | None = None) -> AddinStatus:
    source = source or addin_file()
    installed = where.addin.is_file()
    current = (
        installed
        and source.is_file()
        and hashlib.sha256(where.addin.read_bytes()).digest()
        == hashlib.sha256(source.read_bytes()).digest()
    )
    settings: dict[str, str] = {}
    if where.config.is_file():
        text = where.config.read_bytes().decode(config_encoding(where.platform), "replace")
        wanted = {INTERPRETER_KEY[where.platform].casefold(), UDF_KEY.casefold()}
        settings = {k.upper(): v for k, v in parse_config(text) if k.casefold() in wanted}
    chosen = settings.get(INTERPRETER_KEY[where.platform], "")
    return AddinStatus(
        platform=where.platform,
        addin=str(where.addin),
        addin_installed=installed,
        addin_current=bool(current),
        config=str(where.config),
        settings=settings,
        interpreter_found=bool(chosen) and Path(chosen).is_file(),
        installed_by_us=where.manifest.is_file(),
    )


# --- remove ----------------------------------------------------------------------------------


def remove(where: Places) -> AddinChanged:
    """Take away what install made, and nothing else."""
    manifest = _read_manifest(where)
    if not manifest:
        return AddinChanged(
            kept=[
                f"Nothing to remove: workload-xl addin install has not run for this user "
                f"({where.manifest} is not there)."
            ]
        )
    done, kept, problems = [], [], []
    addin = Path(manifest.get("addin", where.addin))
    if addin.is_file():
        if hashlib.sha256(addin.read_bytes()).hexdigest() == manifest.get("addin_sha256"):
            try:
                addin.unlink()
                done.append(f"Removed {addin}.")
            except OSError:
                problems += _locked([finding("output-unwritable", "", workbook=str(addin))], addin)
        else:
            kept.append(f"Kept {addin}: it changed since install copied it.")

    config = Path(manifest.get("config", where.config))
    ours = dict(manifest.get("settings", {}))
    replaced = dict(manifest.get("replaced", {}))
    if config.is_file():
        encoding = config_encoding(where.platform)
        pairs = parse_config(config.read_bytes().decode(encoding, "replace"))
        left = [(k, v) for k, v in pairs if not (k in ours and ours[k] == v)]
        left += [
            (k, v)
            for k, v in replaced.items()
            if k.casefold() not in {a.casefold() for a, _ in left}
        ]
        if left:
            text = config_text(left, where.platform)
            problems += write_atomically(
                config, lambda temp: temp.write_bytes(text.encode(encoding)), force=True
            )
            done.append(f"Took the add-in's settings out of {config}; the others stay.")
        else:
            config.unlink()
            done.append(f"Removed {config}.")

    script = manifest.get("script")
    if script and Path(script).is_file():
        Path(script).unlink()
        done.append(f"Removed {script}.")
    if not problems:
        where.manifest.unlink(missing_ok=True)
        for folder in sorted(manifest.get("folders", []), key=len, reverse=True):
            try:
                Path(folder).rmdir()  # only when empty
                done.append(f"Removed the empty folder {folder}.")
            except OSError:
                pass
    return AddinChanged(done=done, kept=kept, problems=problems)
