"""vbaProject.bin from VBA source text: ms-ovba's records, our compression and assembly (add-in).

ms-ovba 0.0.1 models the MS-OVBA structure: the module records of the dir stream, the PROJECT
and PROJECTwm streams, and _VBA_PROJECT without a performance cache (version 0xFFFF, which
tells Office to compile the source when the workbook opens, as it does for the quickstart
workbook xlwings ships). ms-cfb writes the compound file. Both are used as they are; what
this module does instead of ms-ovba's own file writer, and why:
- Compression is `ovba_compression`'s: the one ms-ovba calls corrupts long matches (see
  there), which turned xlwings.bas into garbage, and takes about 40 s.
- Class modules. ms-ovba knows standard and document modules; a class module has the same
  module type record as a document module (0x0022) and is listed as `Class=Name` in PROJECT.
- The source text is stored as given. ms-ovba's normalising appends to a file next to the
  source (twice run, twice the text) and invents attribute lines for document modules.
- A private temporary folder: ms-cfb writes a scratch file into the working directory.
- Reproducible bytes. The PROJECT stream's CMG, DPB and GC values are encrypted with a seed
  from the `random` module; a fixed seed (the caller's random state restored afterwards)
  gives the same file every build.
- No stream of exactly 4096 bytes. ms-cfb puts such a stream in the mini stream, the format
  and every reader expect it in the FAT; a module whose compressed source has that size gets
  one more line end, anything else is refused.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from ms_cfb.Models.Directories.root_directory import RootDirectory
from ms_cfb.Models.Directories.storage_directory import StorageDirectory
from ms_cfb.Models.Directories.stream_directory import StreamDirectory
from ms_cfb.ole_file import OleFile
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.module_base import ModuleBase
from ms_ovba.Models.Entities.reference import Reference
from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Models.Fields.libid_reference import LibidReference
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Views.dirStream import DirStream
from ms_ovba.Views.project import Project
from ms_ovba.Views.project_view import ProjectView
from ms_ovba.Views.projectWm import ProjectWm

from workload_xl.addin.ovba_compression import compress
from workload_xl.addin.vba import CODE_PAGE, VbaModule


def project_id(file_name: str) -> str:
    """A project's GUID, made from its file's name: fixed, so two builds are the same file, and
    the workbook's and the add-in's differ."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"workload-xl/{file_name}")).upper() + "}"


PROJECT_ID = project_id("workload.xlsm")

SEED = 20260101
MINI_STREAM_CUTOFF = 4096
# What Excel writes for a project made in Excel 2010 and later (the quickstart's PROJECT).
VERSION_COMPATIBLE = "393222000"


class _ClassModule(DocModule):
    """A class module: stored like a document module, listed as a class."""

    def to_project_module_string(self) -> str:
        return "Class=" + self.modName.value


_KINDS: dict[str, type[ModuleBase]] = {
    "module": StdModule,
    "class": _ClassModule,
    "document": DocModule,
}


def _references() -> list[Reference]:
    """OLE Automation and the Office library, the references a new Excel project has; Office
    defines IRibbonControl and the file dialog constants the Workload module uses."""
    stdole = LibidReference(
        uuid.UUID("00020430-0000-0000-C000-000000000046"),
        "2.0",
        "0",
        "C:\\Windows\\System32\\stdole2.tlb",
        "OLE Automation",
    )
    office = LibidReference(
        uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
        "2.0",
        "0",
        "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
        "Microsoft Office 16.0 Object Library",
    )
    return [
        Reference(ReferenceRegistered(stdole), "stdole"),
        Reference(ReferenceRegistered(office), "Office"),
    ]


def stored_bytes(module: VbaModule) -> bytes:
    """The module's source as the project stores it, in the project's code page, never with a
    compressed size of exactly 4096 bytes (see the module docstring)."""
    if "\n" in module.source.replace("\r\n", ""):
        raise ValueError(f"VBA module {module.name}: lines must end with CRLF")
    try:
        data = module.source.encode(CODE_PAGE)
    except UnicodeEncodeError as problem:
        character = problem.object[problem.start]
        raise ValueError(
            f"VBA module {module.name} holds {character!r}, which the VBA project's code page "
            f"({CODE_PAGE}) cannot store: use a plainer character"
        ) from None
    while len(compress(data)) == MINI_STREAM_CUTOFF:
        data += b"\r\n"
    return data


def vba_project_bin(modules: Sequence[VbaModule], project_guid: str = PROJECT_ID) -> bytes:
    """The vbaProject.bin holding `modules`, in their order."""
    names = [m.name.casefold() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError(f"Two VBA modules share a name: {[m.name for m in modules]}")
    with (
        tempfile.TemporaryDirectory(prefix="vba-project-") as folder,
        contextlib.chdir(folder),
        _seeded_random(SEED),
    ):
        project = VbaProject()
        project.project_id = project_guid
        project.include_projectwm()
        project.add_attribute("VersionCompatible32", VERSION_COMPATIBLE)
        for reference in _references():
            project.add_reference(reference)
        vba = StorageDirectory("VBA")
        for number, module in enumerate(modules):
            record = _KINDS[module.kind](module.name)
            record.add_workspace(0, 0, 0, 0, "C")  # the editor's window, closed, as Excel writes
            project.add_module(record)
            vba.add_directory(
                _stream(module.name, f"module{number}", compress(stored_bytes(module)))
            )
        vba.add_directory(_stream("dir", "dir", compress(DirStream(project).to_bytes())))
        vba.add_directory(_stream("_VBA_PROJECT", "vba_project", ProjectView(project).to_bytes()))
        root = RootDirectory()
        root.add_directory(vba)
        root.add_directory(_stream("PROJECTwm", "projectwm", ProjectWm(project).to_bytes()))
        root.add_directory(_stream("PROJECT", "project", Project(project).to_bytes()))
        compound = OleFile()
        compound.root_directory = root
        compound.create_file("vbaProject.bin")
        return Path("vbaProject.bin").read_bytes()


def _stream(name: str, file: str, data: bytes) -> StreamDirectory:
    """A stream of the compound file; ms-cfb reads its data from a file."""
    if len(data) == MINI_STREAM_CUTOFF:
        raise ValueError(
            f"The VBA project's {name} stream is exactly 4096 bytes, which ms-cfb 0.0.x "
            "stores where no reader looks for it"
        )
    Path(f"{file}.bin").write_bytes(data)
    return StreamDirectory(name, f"{file}.bin")


@contextlib.contextmanager
def _seeded_random(seed: int) -> Iterator[None]:
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
