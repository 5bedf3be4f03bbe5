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
