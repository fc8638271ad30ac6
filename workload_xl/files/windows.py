"""The few Windows calls the file edge makes, each a no-op elsewhere and guarded there
(files edge): a file's hidden attribute, and what a path too long for Windows is.

Every function takes the platform as an argument (this machine's by default), so a test on
Linux can ask what Windows would be told.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ctypes and subprocess load where Windows is asked, not at start-up
    import subprocess

FILE_ATTRIBUTE_HIDDEN = 0x2
INVALID_FILE_ATTRIBUTES = 0xFFFFFFFF
MAX_PATH = 260
"""Characters Windows allows in a path unless long paths are turned on (LongPathsEnabled)."""


def is_windows(platform: str | None = None) -> bool:
    return (platform or sys.platform).startswith("win")


def hide(path: str, hidden: bool = True, *, platform: str | None = None, kernel32=None) -> bool:
    """Set (or clear) a file's hidden attribute on Windows, so a temporary file does not show
    in Explorer while it is written. True when done; False elsewhere or when Windows said
    no (the file is only visible then: nothing else depends on it)."""
    if not is_windows(platform):
        return False
    try:
        kernel32 = kernel32 or _kernel32()
        attributes = kernel32.GetFileAttributesW(str(path))
        if attributes == INVALID_FILE_ATTRIBUTES:
            return False
        wanted = (
            attributes | FILE_ATTRIBUTE_HIDDEN if hidden else attributes & ~FILE_ATTRIBUTE_HIDDEN
        )
        return bool(kernel32.SetFileAttributesW(str(path), wanted))
    except (AttributeError, OSError, ValueError):
        return False


def _kernel32():
    import ctypes

    return ctypes.windll.kernel32  # type: ignore[attr-defined]


def ignore_ctrl_c(ignore: bool = True, *, platform: str | None = None, kernel32=None) -> bool:
    """Windows: make this process (and the processes it starts, which inherit it) ignore
    Ctrl-C in the console, or stop ignoring it; signal.SIG_IGN alone is not inherited there.
    True when done; False elsewhere."""
    if not is_windows(platform):
        return False
    try:
        kernel32 = kernel32 or _kernel32()
        return bool(kernel32.SetConsoleCtrlHandler(None, bool(ignore)))
    except (AttributeError, OSError, ValueError):
        return False


def too_long(path: str, *, platform: str | None = None) -> bool:
    """Whether Windows would refuse the path for its length (MAX_PATH, 260 characters, with
    its end) unless long paths are turned on; never elsewhere."""
    return (
        is_windows(platform) and len(str(path)) >= MAX_PATH and not str(path).startswith("\\\\?\\")
    )


def too_long_message(path: str) -> str:
    return (
        f"{path} is {len(str(path))} characters long, more than the {MAX_PATH - 1} Windows "
        "allows unless long paths are turned on. Move the folder nearer the top of the drive "
        "(for example C:\\Returns), shorten the folder or file names, or ask IT to turn on "
        "long paths (the LongPathsEnabled setting)."
    )


def owner_account(environ=None) -> str:
    """The signed-in account as icacls names it (DOMAIN\\user), from the environment Windows
    sets for every session; "" when it does not say."""
    environ = os.environ if environ is None else environ
    user = environ.get("USERNAME", "")
    domain = environ.get("USERDOMAIN", "")
    return f"{domain}\\{user}" if user and domain else user


def restrict_to_owner(
    path: str,
    *,
    platform: str | None = None,
    run: Callable[..., subprocess.CompletedProcess] | None = None,
    environ=None,
) -> bool | None:
    """Windows: let only the signed-in account read or change the file (icacls: inheritance
    off, full control to the owner alone), before anything secret is written in it, as chmod
    0600 does elsewhere. True when done, False when Windows refused or icacls is missing (the
    folder's permissions then protect the file), None on other systems, where chmod does it."""
    if not is_windows(platform):
        return None
    account = owner_account(environ)
    if not account:
        return False
    import subprocess

    run = run or subprocess.run
    try:
        done = run(
            ["icacls", str(path), "/inheritance:r", "/grant:r", f"{account}:(F)"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
