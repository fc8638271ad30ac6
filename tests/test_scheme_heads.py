"""`returns` reads each service's kind of period from the first lines of the scheme files
(core.scheme_heads) instead of loading every scheme whole: for a sound folder it reads what
the full loader reads, it gives way to the full loader on anything unusual, and what `returns`
shows is the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from workload_xl.core import scheme_heads
from workload_xl.core.findings import Refused
from workload_xl.core.scheme_heads import period_kinds
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.services.returns import returns_for, scheme_period_kinds
from workload_xl.store.database import ReturnsStore

SHIPPED = Path(__file__).resolve().parent.parent / "schemes"
CSC, LEAVING = "childrens-social-care", "leaving-care"


def full(folder: Path | None = None) -> dict[str, str]:
    """The mapping as the full loader gives it."""
    registry = SchemeRegistry.from_dir(folder)
    return {service.casefold(): s.period for s in registry for service in s.services}


def shipped(scheme_id: str) -> str:
    return (SHIPPED / f"{scheme_id}.toml").read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old  # the edit is made: the folder is what the test says
    return text.replace(old, new, 1)


def several_services(text: str) -> str:
    """The children's scheme serving three services, one with spaces the loader strips."""
    return replaced(
        text,
        'services = ["First Response", "Safeguarding and Support", "Children in Care"]',
        'services = [\n  "First Response",\n  "  Duty and Assessment ",\n  "Early Help",\n]',
    )


FOLDERS = {
    "a 4-week scheme": {LEAVING: shipped(LEAVING)},
    "a scheme with several services": {CSC: several_services(shipped(CSC))},
    "one service written as text": {
        LEAVING: replaced(
            shipped(LEAVING), 'services = ["Leaving Care"]', 'services = "Leaving Care"'
        )
    },
    "a table header inside a string in the first lines": {
        LEAVING: replaced(shipped(LEAVING), 'note = """', 'note = """\n[not a table]\n'),
        CSC: shipped(CSC),
    },
    "a file wrong below its first lines": {
        LEAVING: replaced(shipped(LEAVING), "capacity_factor = 0.9", "capacity_factor = 9"),
        CSC: shipped(CSC),
    },
    "a file wrong in its first lines": {
        LEAVING: replaced(shipped(LEAVING), 'period = "4 weeks"', 'period = "fortnight"'),
        CSC: shipped(CSC),
    },
    "a file that is not TOML": {LEAVING: "services = [", CSC: shipped(CSC)},
    "a service in two files": {
        LEAVING: shipped(LEAVING),
        "leaving-care-monthly": replaced(
            replaced(shipped(LEAVING), 'id = "leaving-care"', 'id = "leaving-care-monthly"'),
            'period = "4 weeks"',
            'period = "month"',
        ),
    },
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for scheme_id, text in files.items():
        (folder / f"{scheme_id}.toml").write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_schemes_first_lines_say_what_the_full_loader_says():
    assert period_kinds(SHIPPED) == full(SHIPPED)
    assert period_kinds(SHIPPED)["leaving care"] == "4 weeks"  # both kinds are there


@pytest.mark.parametrize(
    "name", ["a 4-week scheme", "a scheme with several services", "one service written as text"]
)
def test_a_sound_folders_first_lines_say_what_the_full_loader_says(tmp_path, name):
    folder = write(tmp_path / "schemes", FOLDERS[name])
    assert period_kinds(folder) == full(folder) != {}


def test_the_services_are_read_as_the_full_loader_reads_them(tmp_path):
    folder = write(tmp_path / "schemes", FOLDERS["a scheme with several services"])
    assert period_kinds(folder) == {
        "first response": "month",
        "duty and assessment": "month",
        "early help": "month",
    }


@pytest.mark.parametrize(
    "name",
    [
        "a table header inside a string in the first lines",
        "a file wrong in its first lines",
        "a file that is not TOML",
        "a service in two files",
    ],
)
def test_first_lines_it_cannot_vouch_for_send_it_to_the_full_loader(tmp_path, name):
    folder = write(tmp_path / "schemes", FOLDERS[name])
    assert period_kinds(folder) is None


def test_a_file_wrong_only_below_its_first_lines_is_read_there(tmp_path):
    """The one difference from the full loader, which leaves the file out: why `returns`
    loads the folder whole when that file's kind could change what it shows (below)."""
    folder = write(tmp_path / "schemes", FOLDERS["a file wrong below its first lines"])
    assert period_kinds(folder)["leaving care"] == "4 weeks"
    assert "leaving care" not in full(folder)


def test_a_file_that_cannot_be_read_is_left_out_as_the_full_loader_leaves_it(tmp_path):
    folder = write(tmp_path / "schemes", {CSC: shipped(CSC)})
    (folder / f"{LEAVING}.toml").write_bytes(shipped(LEAVING).encode("utf-16"))  # not UTF-8
    assert (
        period_kinds(folder) == full(folder) == full(write(tmp_path / "csc", {CSC: shipped(CSC)}))
    )


def test_it_reads_the_folder_workload_xl_schemes_names_as_the_full_loader_does(
    tmp_path, monkeypatch
):
    folder = write(tmp_path / "own", FOLDERS["a 4-week scheme"])
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(folder))
    assert period_kinds() == full() == {"leaving care": "4 weeks"}


def test_a_folder_the_full_loader_refuses_is_refused_and_the_tracker_gets_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(tmp_path / "missing"))
    with pytest.raises(Refused) as refused:
        period_kinds()
    assert refused.value.findings[0].rule == "scheme-folder-unusable"
    assert scheme_period_kinds({"first response"}, "month") == {}


TEAMS = [
    ("First Response", "North"),
    ("Leaving Care", "LC South"),
    ("Duty and Assessment", "DA"),
]
"""Listed teams with no return yet: the ones the tracker asks a scheme about."""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("heads") / "returns.sqlite"
    with ReturnsStore.open(path) as opened:
        for service, team in TEAMS:
            opened.add_team(service, team)
    return path


@pytest.mark.parametrize("period", ["2026-10", "2026-P07"])
@pytest.mark.parametrize("name", ["shipped", *FOLDERS])
def test_returns_shows_the_same_as_with_the_full_loader(store, tmp_path, monkeypatch, name, period):
    folder = SHIPPED if name == "shipped" else write(tmp_path / "schemes", FOLDERS[name])
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(folder))
    light = returns_for(store, period, "2026-11-20")
    monkeypatch.setattr(scheme_heads, "period_kinds", lambda folder=None: None)
    whole = returns_for(store, period, "2026-11-20")
    assert light == whole
    assert light.statuses or light.notes  # there is something to compare


def test_a_wrong_4_week_scheme_leaves_its_new_team_on_the_monthly_list(
    store, tmp_path, monkeypatch
):
    """The full loader's verdict, kept: with leaving-care.toml wrong below its first lines, no
    scheme says Leaving Care returns 4-week periods, so LC South is listed for the month."""
    folder = write(tmp_path / "schemes", FOLDERS["a file wrong below its first lines"])
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(folder))
    run = returns_for(store, "2026-10", "2026-11-20")
    assert ("LC South", "missing") in [(s.team, s.status) for s in run.statuses]
    assert run.notes == ()


def test_the_first_lines_answer_when_no_asked_service_is_of_the_other_kind(monkeypatch):
    """So the light reading is what `returns` uses in the usual case (a test that the light
    path is taken at all: the comparisons above would pass were it never used)."""

    def refuse_to_load():
        raise AssertionError("the folder was loaded whole")

    monkeypatch.setattr("workload_xl.services.schemes.load_schemes", refuse_to_load)
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(SHIPPED))
    assert scheme_period_kinds({"first response"}, "month") == full(SHIPPED)
    assert scheme_period_kinds({"leaving care"}, "4 weeks") == full(SHIPPED)
    with pytest.raises(AssertionError, match="loaded whole"):
        scheme_period_kinds({"leaving care"}, "month")
