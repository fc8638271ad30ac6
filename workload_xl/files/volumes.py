"""Where a file lives: a local disk, a network share or a folder a sync client copies
(files edge).

SQLite's write-ahead log needs shared memory beside the file, which network file systems do
not provide: SQLite documents WAL as unusable there, and a council's performance team keeps
its files on a network share (\\\\server\\share, a mapped drive, an NFS or SMB mount) or a
folder OneDrive, Dropbox or Google Drive copies. The store asks here which journal it can
use. Every look at the system goes through a `Probe`, so a test can say "this path is on a
network share" on any machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PureWindowsPath
from typing import NamedTuple

LOCAL, NETWORK, SYNCED = "local", "network", "synced"

NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afpfs",
        "webdav",
        "davfs",
        "ncpfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "9p",  # WSL's view of Windows drives, and virtual machines' shared folders
        "drvfs",
        "vboxsf",
        "prl_fs",
        "vmhgfs",
    }
)
"""Mount types that are a network (or a host's folder seen from a virtual machine). Any FUSE
file system but fuseblk (a local disk, such as NTFS on Linux) counts too: sshfs, rclone,
gvfs and the sync clients' drives are all FUSE, and a rollback journal is safe everywhere."""

SYNC_FOLDERS = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "icloudrive",
    "com~apple~clouddocs",
    "box",
    "box sync",
    "cloudstorage",
)
"""Folder names (letter case ignored) that sync clients copy; "OneDrive - Council" and
"Dropbox (Council)" match by their first word."""

SYNC_ENVIRONMENT = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
"""Variables OneDrive sets on Windows to the folders it syncs."""

DRIVE_REMOTE = 4
"""GetDriveTypeW's answer for a network drive (a mapped drive letter)."""


class Probe:
    """What `locate` may ask of the system: the platform, the environment, the mount table
    (mount point, file system type) and a drive letter's type. The default asks this
    machine; a test gives its own. `resolve` follows a path's links and mapped drives
    (os.path.realpath by default). A plain class: it holds questions, not a record, and
    `store check` makes one at start-up."""

    __slots__ = ("drive_type", "environ", "mounts", "platform", "resolve")

    def __init__(
        self,
        platform: str | None = None,
        environ: Mapping[str, str] | None = None,
        mounts: Callable[[], list[tuple[str, str]]] | None = None,
        drive_type: Callable[[str], int | None] | None = None,
        resolve: Callable[[str], str] | None = None,
    ) -> None:
        self.platform = sys.platform if platform is None else platform
        self.environ = os.environ if environ is None else environ
        self.mounts = mounts
        self.drive_type = drive_type
        self.resolve = resolve

    def mount_table(self) -> list[tuple[str, str]]:
        return (self.mounts or _system_mounts)()

    def type_of_drive(self, root: str) -> int | None:
        return (self.drive_type or _windows_drive_type)(root)


class Location(NamedTuple):
    """Where a path lives: `kind` is local, network or synced; `where` says it in words
    for a message ("a network share (\\\\server\\share)")."""

    kind: str
    where: str = "a local disk"

    @property
    def local(self) -> bool:
        return self.kind == LOCAL


def locate(path: Path | str, probe: Probe | None = None) -> Location:
    """Whether `path` (which need not exist yet) is on a local disk, a network share or in a
    folder a sync client copies. What cannot be found out counts as a local disk."""
    probe = probe or Probe()
    windows = probe.platform.startswith("win")
    text = str(path)
    if windows == (os.name == "nt"):  # a path of this machine's kind: made absolute
        text = os.path.abspath(text)
    synced = _sync_folder(text, probe, windows)
    network = _windows_network(text, probe) if windows else _posix_network(text, probe)
    if network:
        return Location(NETWORK, network)
    if synced:
        return Location(SYNCED, synced)
    return Location(LOCAL)


def _windows_network(text: str, probe: Probe) -> str:
    path = PureWindowsPath(text)
    drive = path.drive
    if text.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
        share = "\\\\" + "\\".join(text[8:].replace("/", "\\").split("\\")[:2])
        return f"a network share ({share})"
    if drive.startswith(("\\\\", "//")) and not drive.startswith(("\\\\?", "\\\\.")):
        return f"a network share ({drive})"
    if len(drive) == 2 and drive[1] == ":":
        kind = probe.type_of_drive(drive + "\\")
        if kind == DRIVE_REMOTE:
            return f"a network drive ({drive})"
        if kind is None:  # no GetDriveTypeW: a mapped drive resolves to its share
            resolved = (probe.resolve or _resolved)(text)
            if resolved.startswith("\\\\") and not resolved.startswith("\\\\?\\"):
                return f"a network drive ({drive}, {PureWindowsPath(resolved).drive})"
    return ""


def _posix_network(text: str, probe: Probe) -> str:
    try:
        mounts = probe.mount_table()
    except OSError:
        return ""
    best = ("", "")
    for point, kind in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best[0]):
            best = (point, kind)
    point, kind = best
    kind = kind.lower()
    if kind in NETWORK_FILE_SYSTEMS or (kind.startswith("fuse") and kind != "fuseblk"):
        return f"a network file system ({kind} at {point})"
    return ""


def _sync_folder(text: str, probe: Probe, windows: bool) -> str:
    parts = PureWindowsPath(text).parts if windows else Path(text).parts
    for variable in SYNC_ENVIRONMENT:
        root = probe.environ.get(variable, "")
        if root and _under(text, root, windows):
            return f"a folder OneDrive syncs ({root})"
    for part in parts[:-1]:
        name = part.lower()
        first = name.split(" - ")[0].split(" (")[0].strip()
        if name in SYNC_FOLDERS or first in SYNC_FOLDERS:
            return f"a folder a sync client copies ({part})"
    return ""


def _under(text: str, root: str, windows: bool) -> bool:
    if windows:
        text, root = text.replace("/", "\\").lower(), root.replace("/", "\\").lower()
        return text == root or text.startswith(root.rstrip("\\") + "\\")
    return text == root or text.startswith(root.rstrip("/") + "/")


def _resolved(text: str) -> str:
    try:
        return os.path.realpath(text)
    except (OSError, ValueError):
        return text


def _system_mounts() -> list[tuple[str, str]]:
    """This machine's mount table: /proc/self/mounts on Linux, `mount`'s output elsewhere
    (macOS, the BSDs); empty where neither answers."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as table:
            return parse_proc_mounts(table.read())
    except OSError:
        pass
    import subprocess  # here, not at start-up: only where there is no /proc

    try:
        done = subprocess.run(
            ["mount"], capture_output=True, text=True, timeout=5, check=False, errors="replace"
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_mount_output(done.stdout)


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from /proc/mounts lines: `device point type options 0 0`, with a
    space in a path written \\040."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            point = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            found.append((point, fields[2]))
    return found


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS and BSD `mount` lines:
    `//user@server/share on /Volumes/share (smbfs, nodev, nosuid, mounted by jo)`."""
    found = []
    for line in text.splitlines():
        head, _, options = line.rpartition(" (")
        _, on, point = head.partition(" on ")
        if on and options:
            found.append((point, options.split(",")[0].strip(") ")))
    return found


def _windows_drive_type(root: str) -> int | None:
    """GetDriveTypeW for a drive's root ("Z:\\"); None where it cannot be asked."""
    import ctypes  # here, not at start-up: only Windows asks

    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return None
    try:
        return int(windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))
    except (AttributeError, OSError):
        return None
