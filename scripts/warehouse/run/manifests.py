"""Run manifests: reading them, listing the runs, and finding the run that matches a fingerprint.

The run's manifest (``artifacts/orchestrator/<run_id>/run.yaml``) records the full fingerprint
parts and the raw files (with their SHA-256) that belong to the run; it is what the next
invocation looks up to reuse a run instead of minting a new one.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.core import paths
from warehouse.core.errors import PipelineError
from warehouse.core.io import read_yaml
from warehouse.run.ids import RUN_ID_RE


def manifest_path(run_id: str, root: str | Path = ".") -> Path:
    """Where the manifest of ``run_id`` lives in the workspace ``root``."""
    return paths.at(paths.RUN_MANIFEST, root, run_id=run_id)


_MANIFESTS: dict[Path, dict] = {}


def read_manifest(run_id: str, root: str | Path = ".", path: Path | None = None) -> dict | None:
    """The manifest of ``run_id``, or None when the run has none (yet).

    ``path`` reads it from elsewhere than the workspace (a job's copy fetched from storage).
    A written manifest never changes, so it is read once per process (input functions ask for
    it many times while Snakemake builds the DAG).
    """
    path = path or manifest_path(run_id, root)
    if path in _MANIFESTS:
        return _MANIFESTS[path]
    if not path.is_file():
        return None
    manifest = read_yaml(path)
    if not isinstance(manifest, dict) or manifest.get("run_id") != run_id:
        raise PipelineError(
            f"{path} is not a valid run manifest (it must be a mapping with run_id: {run_id}). "
            "Restore it from a backup, or move the run's folders away and run again."
        )
    _MANIFESTS[path] = manifest
    return manifest


def list_run_ids(root: str | Path = ".") -> list[str]:
    """Every run that has a manifest in the workspace ``root``, oldest first."""
    found = paths.find(paths.RUN_MANIFEST, root)
    return sorted(values["run_id"] for values, _ in found if RUN_ID_RE.match(values["run_id"]))


def find_run(fingerprint: str, root: str | Path = ".") -> str | None:
    """The newest run whose manifest has exactly this combined fingerprint, if any."""
    for run_id in reversed(list_run_ids(root)):
        manifest = read_manifest(run_id, root)
        if manifest and manifest.get("fingerprint", {}).get("combined") == fingerprint:
            return run_id
    return None


def run_config(config: dict) -> dict:
    """The effective config a run is made with, as its manifest records it (``run_id`` names
    the run; it does not configure it, so targeting a run by id never counts as a change)."""
    return {key: value for key, value in config.items() if key != "run_id"}


def config_differences(recorded: object, current: object, prefix: str = "") -> list[str]:
    """``key: recorded -> current`` for every (dotted) key whose value differs."""
    if isinstance(recorded, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(recorded) | set(current), key=str):
            found += config_differences(recorded.get(key), current.get(key), f"{prefix}{key}.")
        return found
    if recorded == current:
        return []
    return [f"{prefix.rstrip('.')}: {recorded!r} -> {current!r}"]


def check_run_config(manifest: dict, config: dict) -> None:
    """Refuse to work on a stored run with another effective config than it was made with.

    A finished run is an immutable snapshot, so a different config (``gold.export_csv`` turned
    on, another ``raw_dir``) must make a new run, never add to or change an old one. Manifests
    written before the config was recorded have nothing to compare with and are not checked.
    """
    recorded = manifest.get("effective_config")
    if recorded is None:
        return
    differences = config_differences(recorded, run_config(config))
    if differences:
        raise PipelineError(
            f"Run {manifest['run_id']} was made with another configuration "
            f"({'; '.join(differences)}: as recorded in its manifest -> now). A run is an "
            "immutable snapshot: set the recorded values again (config/config.yaml, --config) "
            "to complete this run, or run without run_id to make a new run with the current "
            "configuration. Nothing of the run was changed."
        )


def check_raw_file(manifest: dict, source: str, file: str, path: Path, digest) -> None:
    """Refuse, before anything of the run is deleted, to rebuild a Bronze copy of the stored
    run ``manifest`` from a raw file at ``path`` that is gone or is not the recorded one.

    ``digest(path)`` gives the file's SHA-256 (a cache keyed by stat makes it cheap). Snakemake
    removes a job's surviving outputs before the job runs, so this is checked while the DAG is
    built: a job that is bound to fail never deletes a file of the run.
    """
    record = next(
        (f for f in manifest.get("raw_files", []) if (f["source"], f["file"]) == (source, file)),
        None,
    )
    if record is None:
        return
    run_id = manifest["run_id"]
    if not path.is_file():
        raise PipelineError(
            f"Raw file {path} of run {run_id} no longer exists (the run's manifest lists it with "
            f"SHA-256 {record['sha256']}), so the run's missing Bronze files of it cannot be "
            "rebuilt. Restore the file to complete the run, or run without run_id to make a "
            "new run from the current raw files. Nothing of the run was changed."
        )
    actual = digest(path)
    if actual != record["sha256"]:
        raise PipelineError(
            f"Raw file {path} is not the file this run was made from (run {run_id}): its "
            f"SHA-256 is {actual}, the run's manifest recorded {record['sha256']}. A run is an "
            "immutable snapshot: run without run_id to make a new run from the current raw "
            "files, or restore the original file to complete the old run. Nothing of the run "
            "was changed."
        )


def check_config_file(manifest: dict, path: Path, digest) -> None:
    """Refuse, before anything of the run is deleted, to rebuild a table of the stored run
    ``manifest`` with a contract (``path``, relative to the workspace) that was added, removed
    or edited since the run was made (see :func:`check_raw_file`)."""
    recorded = manifest.get("config_files", {}).get(path.as_posix())
    exists = path.is_file()
    if recorded is None and not exists:
        return
    run_id = manifest["run_id"]
    if not exists:
        problem = "it was removed"
    elif recorded is None:
        problem = "it was added"
    elif digest(path) != recorded:
        problem = "it was edited"
    else:
        return
    raise PipelineError(
        f"contract {path} is not the one run {run_id} was made with ({problem} since), so "
        "the run's missing files made with it cannot be rebuilt. A run is an immutable snapshot: "
        "restore the file to complete the run, or run without run_id to make a new run with "
        "the current contracts. Nothing of the run was changed."
    )
