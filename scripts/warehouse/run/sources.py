"""Discovering the raw tables: every CSV in a ``source_<name>`` folder under ``raw/``.

Folder ``raw/source_crm`` is source ``crm``; bronze keeps the source folder, so files with equal
names in two sources never collide. Names become wildcards and file names, so they are checked
here and a bad one is refused with the remedy, before any job runs.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from warehouse.core.errors import PipelineError

SOURCE_PREFIX = "source_"
SOURCE_PATTERN = r"[a-z0-9][a-z0-9_]*"
FILE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*\.csv"
TABLE_PATTERN = r"[a-z0-9][a-z0-9_]*"
_SOURCE_RE = re.compile(rf"^{SOURCE_PATTERN}$")
_FILE_RE = re.compile(rf"^{FILE_PATTERN}$")


@dataclass(frozen=True, order=True)
class RawFile:
    """One raw CSV: its source (``crm``), file name (``cust_info.csv``) and path."""

    source: str
    file: str
    path: Path

    @property
    def table(self) -> str:
        """The table name used from Silver on: ``<source>_<file stem, lower case>``."""
        return table_name(self.source, self.file)


def table_name(source: str, file: str) -> str:
    """``crm`` + ``CUST_AZ12.csv`` -> ``crm_cust_az12``: the Silver table of a raw file
    (``.`` and ``-`` in the file name become ``_``)."""
    return re.sub(r"[^a-z0-9_]", "_", f"{source}_{Path(file).stem.lower()}")


def discover_raw_files(raw_dir: Path) -> list[RawFile]:
    """Every ``raw_dir/source_<name>/<file>.csv``, sorted; a clear error when there are none.

    Other files in the source folders (a README, a ``.xlsx``) are ignored, and so are the
    metadata files operating systems leave beside exports (:func:`os_metadata_files` lists
    them, so the console can say so). A CSV whose name cannot be a table name is refused with a
    rename that fixes it; a CSV that cannot be read (a dangling symbolic link, a link out of
    ``raw_dir``, a folder or a pipe named ``.csv``, no read permission) is refused with what to
    do, never skipped: a missing table would otherwise only show up in Gold.
    """
    if not raw_dir.is_dir():
        raise PipelineError(
            f"No raw folder: {raw_dir}/ does not exist. Put CSV exports under "
            f"{raw_dir}/source_<name>/ (for example {raw_dir}/source_crm/cust_info.csv), or "
            "generate the sample with: python tools/generate_sample.py --out raw"
        )
    found: list[RawFile] = []
    tables: dict[str, Path] = {}
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
        if not folder.name.startswith(SOURCE_PREFIX):
            continue
        source = folder.name[len(SOURCE_PREFIX) :]
        csvs = sorted(
            p for p in folder.iterdir() if _is_csv_name(p.name) and not is_os_metadata(p.name)
        )
        if csvs and not _SOURCE_RE.match(source):
            raise PipelineError(
                f"Source folder {folder} has a name that cannot be a source name: after "
                f"'{SOURCE_PREFIX}' use lower-case letters, digits and '_' only "
                f"(rename it, e.g. to {SOURCE_PREFIX}{_suggest(source).lower()})."
            )
        taken = {table_name(source, p.name) for p in csvs if _FILE_RE.match(p.name)}
        for path in csvs:
            if not _FILE_RE.match(path.name):
                raise PipelineError(
                    f"Raw file {path} has a name the pipeline cannot use as a table name: use "
                    "letters, digits, '_', '.' and '-' only and the extension '.csv' in lower "
                    f"case (rename it, e.g. to {_free_name(source, path.name, taken)})."
                )
            check_readable(path, raw_dir)
            raw = RawFile(source, path.name, path)
            if raw.table in tables:
                raise PipelineError(
                    f"Raw files {tables[raw.table]} and {path} both become table {raw.table} "
                    "(table names ignore case): rename one of them."
                )
            tables[raw.table] = path
            found.append(raw)
    if not found:
        raise PipelineError(
            f"No CSV files found under {raw_dir}/source_*/. Put exports there (for example "
            f"{raw_dir}/source_crm/cust_info.csv), or generate the sample with: "
            "python tools/generate_sample.py --out raw"
        )
    return found


def _is_csv_name(name: str) -> bool:
    return name.lower().endswith(".csv")


# Files operating systems and office programs write beside an export: never a table.
# ``._<name>`` is macOS's AppleDouble file (resource fork, written on non-Mac file systems and
# network shares), ``~$<name>`` an Office lock file, ``.~lock.<name>#`` LibreOffice's.
_OS_METADATA_RE = re.compile(r"^(\._|~\$|\.~lock\.)|^(\.ds_store|thumbs\.db|desktop\.ini)$")


def is_os_metadata(name: str) -> bool:
    """Whether ``name`` is a file an operating system or office program left, not an export."""
    return bool(_OS_METADATA_RE.search(name.lower()))


def os_metadata_files(raw_dir: Path) -> list[Path]:
    """The ``.csv``-named OS metadata files (``._cust_info.csv``) in the source folders, which
    :func:`discover_raw_files` ignores; listed so the console can say they were ignored."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p
        for folder in raw_dir.iterdir()
        if folder.is_dir() and folder.name.startswith(SOURCE_PREFIX)
        for p in folder.iterdir()
        if _is_csv_name(p.name) and is_os_metadata(p.name)
    )


def check_readable(path: Path, raw_dir: Path) -> None:
    """Refuse a raw CSV the pipeline cannot read as a file inside ``raw_dir``, with the remedy.

    A symbolic link must point at an existing file inside ``raw_dir`` (the manifest records the
    path under ``raw_dir``, so a link out of it would let a run read files the documented
    containment excludes); point ``raw_dir`` itself at a share instead.
    """
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise PipelineError(
                f"Raw file {path} is a symbolic link to {target}, which does not exist (an "
                "export share that is not mounted?). Mount the share or remove the link, then "
                "run the pipeline again."
            )
        if not target.is_relative_to(Path(os.path.realpath(raw_dir))):
            raise PipelineError(
                f"Raw file {path} is a symbolic link to {target}, outside {raw_dir}/. A run "
                f"reads only files under {raw_dir}/: copy the export into {path.parent}/, or "
                "set raw_dir to a folder that holds the exports."
            )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise PipelineError(
            f"Raw file {path} cannot be read ({exc.strerror}). Check it, then run again."
        ) from exc
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or a device?)"
        raise PipelineError(
            f"Raw file {path} is {kind}, not a CSV export. Move it out of {path.parent}/ or "
            "replace it with the exported file."
        )
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise PipelineError(
            f"Raw file {path} cannot be read ({exc.strerror}). Give the user running the "
            f"pipeline read access (e.g. chmod a+r '{path}'), then run again."
        ) from exc


def _free_name(source: str, file: str, taken: set[str]) -> str:
    """A usable file name for ``file`` whose table no other file of ``source`` has already:
    ``cust info.csv`` beside ``cust_info.csv`` becomes ``cust_info_2.csv``, never a name that
    would overwrite an export."""
    stem = _suggest(Path(file).stem)
    candidate, n = f"{stem}.csv", 1
    while table_name(source, candidate) in taken:
        n += 1
        candidate = f"{stem}_{n}.csv"
    return candidate


def _suggest(name: str) -> str:
    """A safe version of a name: every run of other characters becomes one '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-") or "table"
