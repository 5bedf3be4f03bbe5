"""Rebuilding a lost file of a complete run without writing anything else of it.

A run is complete once its ``status.yaml`` exists, and from then on it is never written again
(ADR 0002). When one of its files is lost, ``snakemake all`` reruns the one job that makes that
file, and three things keep the rest of the run as it was:

- Snakemake keeps the job's other outputs (they are flagged ``update()`` in rules/), and the job
  (``rulekit.run_rule``) writes all of its outputs as always inside :func:`keeping_existing`,
  which sets the surviving ones aside first and puts them back afterwards: only the lost files
  are added. A rebuilt file whose bytes differ from the SHA-256 the run recorded for it (in a
  table's metadata, say) is refused and removed: the run keeps its gap rather than gaining a
  file it never had.
- Snakemake deletes a job's log before the job and writes its benchmark after it (in place),
  so the workflow copies the run's log and benchmark of that job aside while it plans the job
  (rules/common.smk) and, when the invocation ends, :func:`put_back` moves the repair's log
  and benchmark to the run's repair folder and returns the run's own.
- The job's OpenLineage events go to the repair folder (lineage/job_events.py).

Files are set aside as hard links in the repair folder's scratch space (a copy where links are
impossible). Every writer of an output replaces the file (writes a temporary file and renames
it), so the link keeps the original bytes. A repair killed halfway leaves its kept files in the
scratch space; the next :func:`set_aside` of the same file puts them back first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from warehouse.core import paths
from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_file
from warehouse.core.io import read_json, read_yaml


def is_complete(run_id: str | None, root: str | Path = ".") -> bool:
    """Whether ``run_id`` names a complete run (its status file exists) under ``root``."""
    return bool(run_id) and paths.at(paths.RUN_STATUS, root, run_id=run_id).is_file()


def kept_path(path: str | Path, run_id: str, root: str | Path = ".") -> Path:
    """Where ``path`` (a file of run ``run_id``) is kept while a repair job runs."""
    return paths.at(paths.REPAIR_SCRATCH, root, run_id=run_id) / Path(path).as_posix().lstrip("/")


def set_aside(
    files: list[str | Path], run_id: str, root: str | Path = ".", copy: bool = False
) -> list[Path]:
    """Keep a hard link (``copy``: a copy, for a file that will be rewritten in place) of each
    existing file of ``files``, first returning any file an earlier, interrupted repair kept;
    the files that were set aside."""
    kept = []
    for path in map(Path, files):
        aside = kept_path(path, run_id, root)
        if aside.exists():
            _move(aside, path)
        if not path.exists():
            continue
        aside.parent.mkdir(parents=True, exist_ok=True)
        try:
            if copy:
                shutil.copy2(path, aside)
            else:
                os.link(path, aside)
        except OSError:  # no hard links here: a copy keeps the bytes too
            shutil.copy2(path, aside)
        kept.append(path)
    return kept


def put_back(files: list[str | Path], run_id: str, root: str | Path = ".", moved_to=None) -> None:
    """Return each kept file of ``files`` to its place. ``moved_to(path)``, when given, says
    where the file the repair wrote in its place goes instead of being replaced."""
    scratch = paths.at(paths.REPAIR_SCRATCH, root, run_id=run_id)
    for path in map(Path, files):
        aside = kept_path(path, run_id, root)
        if not aside.exists():
            continue
        replaced = path.exists() and not os.path.samefile(aside, path)
        if replaced and moved_to is not None:
            target = Path(moved_to(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            _move(path, target)
        _move(aside, path)
        _prune(aside.parent, scratch)


def _move(source: Path, target: Path) -> None:
    if target.exists() and os.path.samefile(source, target):  # never replaced
        source.unlink()
        return
    shutil.move(source, target)


def _prune(folder: Path, top: Path) -> None:
    # Empty folders of the scratch space go; those of another repair job still at work stay.
    while folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recorded_digests(record: object) -> dict[str, str]:
    """{path: sha256} of every file a metadata record describes: each mapping, at any depth,
    that has both a ``path`` and a ``sha256``."""
    found: dict[str, str] = {}
    if isinstance(record, Mapping):
        if isinstance(record.get("path"), str) and isinstance(record.get("sha256"), str):
            found[record["path"]] = record["sha256"]
        values = list(record.values())
    elif isinstance(record, list):
        values = record
    else:
        return found
    for value in values:
        found.update(recorded_digests(value))
    return found


def _read_record(path: Path) -> object:
    reader = {".yaml": read_yaml, ".yml": read_yaml, ".json": read_json}.get(path.suffix)
    try:
        return reader(path) if reader else None
    except (OSError, ValueError, PipelineError):
        return None


@contextmanager
def keeping_existing(
    outputs: list[str], run_id: str, log, root: str | Path = "."
) -> Iterator[None]:
    """Run the body (a job that writes every file of ``outputs``) so that only the outputs
    missing now are added to run ``run_id``; every existing output keeps its bytes.

    Raises PipelineError when a rebuilt file differs from the SHA-256 the run recorded for it.
    """
    kept = set_aside(outputs, run_id, root)
    missing = [Path(p) for p in outputs if Path(p) not in kept]
    log.info(
        "run %s is complete: rebuilding only %s; its other %d output(s) stay as they are",
        run_id,
        ", ".join(p.as_posix() for p in missing) or "nothing",
        len(kept),
    )
    try:
        yield
        recorded: dict[str, str] = {}
        for path in kept:
            recorded.update(recorded_digests(_read_record(kept_path(path, run_id, root))))
        for path in missing:
            _check_rebuilt(path, recorded.get(path.as_posix()), run_id)
    except BaseException:
        for path in missing:
            path.unlink(missing_ok=True)
        raise
    finally:
        put_back(kept, run_id, root)


def _check_rebuilt(path: Path, recorded: str | None, run_id: str) -> None:
    if not path.exists():
        raise PipelineError(f"The job did not rebuild {path.as_posix()} of run {run_id}.")
    if recorded is None:
        return
    rebuilt = sha256_file(path)
    if rebuilt != recorded:
        raise PipelineError(
            f"The rebuilt {path.as_posix()} of complete run {run_id} is not the file the run "
            f"recorded (SHA-256 {rebuilt[:12]}..., recorded {recorded[:12]}...), so it was not "
            "added: a finished run never changes. The code or the libraries no longer reproduce "
            "this run; `snakemake all` makes a new run with the current ones."
        )
