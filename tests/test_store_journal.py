"""The returns store on a network share or a synced folder: such a path is recognised, and
the store uses SQLite's rollback journal there (its write-ahead log does not work on a
network file system); `store check` says which journal and why."""

from __future__ import annotations

import sqlite3

import pytest

from workload_xl.files.volumes import (
    LOCAL,
    NETWORK,
    SYNCED,
    Probe,
    locate,
    parse_mount_output,
    parse_proc_mounts,
)
from workload_xl.store.database import ReturnsStore, journal_for

from .bounded_cli import run_cli
from .conftest import header_journal
from .test_store_faults import a_return

PROC_MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid 0 0
server:/exports/perf /mnt/perf nfs4 rw,relatime,vers=4.2 0 0
//fs01/Performance\\040Team /mnt/performance\\040team cifs rw,vers=3.0 0 0
/dev/sdb1 /media/usb fuseblk rw,user_id=0 0 0
jo@host:/srv /home/jo/remote fuse.sshfs rw,nosuid 0 0
"""

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//jo@fs01.council.local/Performance on /Volumes/Performance (smbfs, nodev, nosuid, mounted by jo)
"""


def linux(mounts: str = PROC_MOUNTS, **environ) -> Probe:
    return Probe("linux", environ, mounts=lambda: parse_proc_mounts(mounts))


def windows(drives: dict[str, int | None] | None = None, **environ) -> Probe:
    drives = drives or {"C:\\": 3}
    return Probe("win32", environ, drive_type=lambda root: drives.get(root.upper(), 3))


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/perf/returns.sqlite", NETWORK),
        ("/mnt/perf", NETWORK),
        ("/mnt/performance team/store/returns.sqlite", NETWORK),  # \040 is a space
        ("/home/jo/remote/returns.sqlite", NETWORK),  # sshfs, a FUSE file system
        ("/media/usb/returns.sqlite", LOCAL),  # fuseblk: a local disk (NTFS)
        ("/mnt/perfect/returns.sqlite", LOCAL),  # not inside /mnt/perf
        ("/tmp/returns.sqlite", LOCAL),
        ("/home/jo/returns.sqlite", LOCAL),
    ],
)
def test_a_linux_path_is_judged_by_the_mount_it_is_on(path, kind):
    assert locate(path, linux()).kind == kind


def test_a_mac_smb_mount_is_a_network_share():
    probe = Probe("darwin", {}, mounts=lambda: parse_mount_output(MAC_MOUNT))
    found = locate("/Volumes/Performance/returns.sqlite", probe)
    assert (found.kind, found.where) == (
        NETWORK,
        "a network file system (smbfs at /Volumes/Performance)",
    )
    assert locate("/Users/jo/returns.sqlite", probe).kind == LOCAL


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("\\\\fs01\\performance\\returns.sqlite", "a network share (\\\\fs01\\performance)"),
        ("//fs01/performance/returns.sqlite", "a network share (\\\\fs01\\performance)"),
        ("\\\\?\\UNC\\fs01\\perf\\returns.sqlite", "a network share (\\\\fs01\\perf)"),
        ("Z:\\Returns\\returns.sqlite", "a network drive (Z:)"),  # mapped: DRIVE_REMOTE
        ("z:\\returns.sqlite", "a network drive (z:)"),
    ],
)
def test_a_windows_share_or_mapped_drive_is_a_network_path(path, where):
    found = locate(path, windows({"Z:\\": 4}))
    assert (found.kind, found.where) == (NETWORK, where)


def test_a_windows_local_drive_is_local_and_without_drive_types_a_mapped_drive_resolves():
    assert locate("C:\\Returns\\returns.sqlite", windows({"Z:\\": 4})).kind == LOCAL
    # No GetDriveTypeW to ask: a mapped drive is found by the share it resolves to.
    probe = Probe(
        "win32",
        {},
        drive_type=lambda root: None,
        resolve=lambda text: (
            text.replace("Z:", "\\\\fs01\\perf") if text.startswith("Z:") else text
        ),
    )
    assert locate("Z:\\returns.sqlite", probe).where == "a network drive (Z:, \\\\fs01\\perf)"
    assert locate("C:\\returns.sqlite", probe).kind == LOCAL


@pytest.mark.parametrize(
    ("probe", "path"),
    [
        (
            windows(OneDrive="C:\\Users\\jo\\OneDrive - Council"),
            "C:\\Users\\jo\\OneDrive - Council\\Perf\\r.sqlite",
        ),
        (
            windows(OneDriveCommercial="C:\\Users\\jo\\OneDrive"),
            "c:\\users\\jo\\onedrive\\r.sqlite",
        ),
        (windows(), "C:\\Users\\jo\\Dropbox (Council)\\r.sqlite"),
        (windows(), "G:\\My Drive\\Performance\\r.sqlite"),
        (linux(), "/home/jo/Dropbox/perf/r.sqlite"),
        (linux(), "/Users/jo/Library/CloudStorage/OneDrive-Council/r.sqlite"),
    ],
)
def test_a_folder_a_sync_client_copies_is_recognised_by_its_name(probe, path):
    assert locate(path, probe).kind == SYNCED


def test_a_file_named_like_a_sync_folder_is_not_one():
    assert locate("/home/jo/perf/dropbox", linux()).kind == LOCAL


def test_the_journal_is_the_rollback_journal_on_a_share_and_the_log_on_a_local_disk():
    share = journal_for("/mnt/perf/returns.sqlite", linux(), environ={})
    assert share.mode == "delete"
    assert share.sentence == (
        "Journal: rollback journal (DELETE), as the store is on a network file system "
        "(nfs4 at /mnt/perf), where SQLite's write-ahead log does not work."
    )
    local = journal_for("/home/jo/returns.sqlite", linux(), environ={})
    assert local.mode == "wal"
    assert local.sentence == (
        "Journal: write-ahead log (WAL) while writing, rollback journal at rest, as the store "
        "is on a local disk."
    )
    forced = journal_for(
        "/home/jo/r.sqlite", linux(), environ={"WORKLOAD_XL_STORE_JOURNAL": "delete"}
    )
    assert forced.mode == "delete"


def test_a_store_on_a_network_path_is_written_with_the_rollback_journal(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKLOAD_XL_STORE_JOURNAL", raising=False)
    path = tmp_path / "returns.sqlite"
    share = linux(f"server:/perf {tmp_path} nfs rw 0 0\n")
    with ReturnsStore.open(path, probe=share) as store:
        store.ingest(a_return("North"), sha256="a" * 64, source_path="north.xlsx")
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert header_journal(path) == "delete" and not path.with_name(path.name + "-wal").exists()
    with ReturnsStore.open(path, probe=linux("")) as store:  # the same file, local: WAL
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert header_journal(path) == "delete"  # at rest, as ever


def test_a_store_left_in_wal_mode_is_brought_back_to_the_rollback_journal(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKLOAD_XL_STORE_JOURNAL", raising=False)
    path = tmp_path / "returns.sqlite"
    ReturnsStore.open(path, probe=linux("")).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")  # as a local writer that was killed leaves it
    db.close()
    assert header_journal(path) == "wal"
    share = linux(f"server:/perf {tmp_path} nfs rw 0 0\n")
    with ReturnsStore.open(path, probe=share) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            "",
            "Journal: write-ahead log (WAL) while writing, rollback journal at rest, as the "
            "store is on a local disk.",
        ),
        ("delete", "Journal: rollback journal (DELETE), as WORKLOAD_XL_STORE_JOURNAL asks for it."),
    ],
)
def test_store_check_says_which_journal_and_why(tmp_path, setting, said):
    path = tmp_path / "returns.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(a_return("North"), sha256="a" * 64, source_path="north.xlsx")
    run = run_cli("store", "check", "--store", path, env={"WORKLOAD_XL_STORE_JOURNAL": setting})
    assert run.returncode == 0, run.output
    assert run.stdout.splitlines()[1] == said
