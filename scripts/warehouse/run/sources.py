"""Discovering the raw tables: every CSV in a ``source_<name>`` folder under ``raw/``.

Folder ``raw/source_crm`` is source ``crm``; bronze keeps the source folder, so files with equal
names in two sources never collide. Names become wildcards and file names, so they are checked
here and a bad one is refused with the remedy, before any job runs.
"""

from __future__ import annotations

import re
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

    Other files in the source folders (a README, a ``.xlsx``) are ignored; a CSV whose name
    cannot be a table name is refused with the rename that fixes it.
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
        csvs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if csvs and not _SOURCE_RE.match(source):
            raise PipelineError(
                f"Source folder {folder} has a name that cannot be a source name: after "
                f"'{SOURCE_PREFIX}' use lower-case letters, digits and '_' only "
                f"(rename it, e.g. to {SOURCE_PREFIX}{_suggest(source).lower()})."
            )
        for path in csvs:
            if not _FILE_RE.match(path.name):
                raise PipelineError(
                    f"Raw file {path} has a name the pipeline cannot use as a table name: use "
                    "letters, digits, '_', '.' and '-' only and the extension '.csv' in lower "
                    f"case (rename it, e.g. to {_suggest(path.stem)}.csv)."
                )
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


def _suggest(name: str) -> str:
    """A safe version of a name: every run of other characters becomes one '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-") or "table"
