"""Run manifests: reading them, listing the runs, and finding the run that matches a fingerprint.

The run's manifest (``artifacts/orchestrator/<run_id>/run.yaml``) records the full fingerprint
parts and the raw files (with their SHA-256) that belong to the run; it is what the next
invocation looks up to reuse a run instead of minting a new one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from warehouse.core.errors import PipelineError
from warehouse.run.ids import RUN_ID_RE

ARTIFACTS = Path("artifacts")


MANIFEST_NAME = "run.yaml"


def manifest_path(run_id: str, artifacts: Path = ARTIFACTS) -> Path:
    """Where the manifest of ``run_id`` lives."""
    return artifacts / "orchestrator" / run_id / MANIFEST_NAME


_MANIFESTS: dict[Path, dict] = {}


def read_manifest(
    run_id: str, artifacts: Path = ARTIFACTS, path: Path | None = None
) -> dict | None:
    """The manifest of ``run_id``, or None when the run has none (yet).

    ``path`` reads it from elsewhere than ``artifacts`` (a job's copy fetched from storage).
    A written manifest never changes, so it is read once per process (input functions ask for
    it many times while Snakemake builds the DAG).
    """
    path = path or manifest_path(run_id, artifacts)
    if path in _MANIFESTS:
        return _MANIFESTS[path]
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        manifest = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(manifest, dict) or manifest.get("run_id") != run_id:
        raise PipelineError(
            f"{path} is not a valid run manifest (it must be a mapping with run_id: {run_id}). "
            "Restore it from a backup, or move the run's folders away and run again."
        )
    _MANIFESTS[path] = manifest
    return manifest


def list_run_ids(artifacts: Path = ARTIFACTS) -> list[str]:
    """Every run that has a manifest, oldest first."""
    root = artifacts / "orchestrator"
    if not root.is_dir():
        return []
    return sorted(
        p.parent.name for p in root.glob(f"*/{MANIFEST_NAME}") if RUN_ID_RE.match(p.parent.name)
    )


def find_run(fingerprint: str, artifacts: Path = ARTIFACTS) -> str | None:
    """The newest run whose manifest has exactly this combined fingerprint, if any."""
    for run_id in reversed(list_run_ids(artifacts)):
        manifest = read_manifest(run_id, artifacts)
        if manifest and manifest.get("fingerprint", {}).get("combined") == fingerprint:
            return run_id
    return None
