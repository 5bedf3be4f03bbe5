"""The run model: run ids, run manifests, and finding the run that matches a fingerprint.

A run is one immutable snapshot of (raw data, pipeline code, configuration). Its id is
``YYYYMMDDTHHMMSSZ_<8 hex>``: the UTC time it was minted and the first 8 hex digits of the
combined fingerprint. The run's manifest (``artifacts/orchestrator/<run_id>/run.yaml``) records
the full fingerprint parts and the raw files (with their SHA-256) that belong to the run; it is
what the next invocation looks up to reuse a run instead of minting a new one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from warehouse.errors import PipelineError

RUN_ID_PATTERN = r"\d{8}T\d{6}Z_[0-9a-f]{8}"
RUN_ID_EXAMPLE = "20261126T150102Z_1a2b3c4d"
_RUN_ID_RE = re.compile(rf"^{RUN_ID_PATTERN}$")
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"

ARTIFACTS = Path("artifacts")
MANIFEST_NAME = "run.yaml"


def validate_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is a well-formed run id, else raise a PipelineError that says why.

    The time part must be a real UTC time, so ``20261399T...`` is refused too.
    """
    if not isinstance(run_id, str) or not _RUN_ID_RE.match(run_id):
        raise PipelineError(
            f"run_id {run_id!r} is not a valid run id. A run id looks like {RUN_ID_EXAMPLE} "
            "(UTC time YYYYMMDDTHHMMSSZ, an underscore, 8 lower-case hex digits). "
            "Leave run_id out to let the pipeline pick the run that matches the current raw "
            "data, code and config, or pass an id listed under artifacts/orchestrator/."
        )
    try:
        run_time(run_id)
    except ValueError as exc:
        raise PipelineError(
            f"run_id {run_id!r} has an impossible date or time ({exc}). "
            f"A run id looks like {RUN_ID_EXAMPLE}."
        ) from None
    return run_id


def run_time(run_id: str) -> dt.datetime:
    """The UTC time a run was minted, read from its id."""
    return dt.datetime.strptime(run_id.split("_", 1)[0], _STAMP_FORMAT).replace(tzinfo=dt.UTC)


def ingestion_date(run_id: str) -> dt.date:
    """The run's ingestion date: date rules use it so that a rerun never depends on the clock."""
    return run_time(run_id).date()


def mint_run_id(fingerprint: str, now: dt.datetime | None = None) -> str:
    """A new run id for ``fingerprint`` (hex) minted at ``now`` (UTC; defaults to the clock)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.astimezone(dt.UTC).strftime(_STAMP_FORMAT)}_{fingerprint[:8]}"


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
        p.parent.name for p in root.glob(f"*/{MANIFEST_NAME}") if _RUN_ID_RE.match(p.parent.name)
    )


def find_run(fingerprint: str, artifacts: Path = ARTIFACTS) -> str | None:
    """The newest run whose manifest has exactly this combined fingerprint, if any."""
    for run_id in reversed(list_run_ids(artifacts)):
        manifest = read_manifest(run_id, artifacts)
        if manifest and manifest.get("fingerprint", {}).get("combined") == fingerprint:
            return run_id
    return None
