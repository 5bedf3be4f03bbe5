"""The index of all runs (``artifacts/index.html`` and ``runs.json``), refreshed at the end of
every invocation, successful or not, from what each run left on disk."""

from __future__ import annotations

import json
from pathlib import Path

from warehouse import __version__
from warehouse.core import paths
from warehouse.core.io import read_yaml, utc_now, write_json, write_text
from warehouse.report.render import render
from warehouse.run import manifests


def _load(path: str) -> dict | None:
    file = Path(path)
    if not file.is_file():
        return None
    try:
        return json.loads(file.read_text("utf-8")) if file.suffix == ".json" else read_yaml(file)
    except Exception:  # noqa: BLE001 - a damaged file must not break the index of all runs
        return None


def _link(template: str, run_id: str) -> str | None:
    path = Path(template.format(run_id=run_id))
    # Links are relative to artifacts/, where index.html lives.
    return path.relative_to(paths.ARTIFACTS).as_posix() if path.is_file() else None


def describe_run(run_id: str) -> dict:
    """One run's entry: time, status, fingerprint parts, row counts, links to its reports."""
    manifest = manifests.read_manifest(run_id) or {}
    summary = _load(paths.SUMMARY_JSON.format(run_id=run_id))
    bronze = _load(paths.BRONZE_METADATA.format(run_id=run_id))
    silver = _load(paths.SILVER_METADATA.format(run_id=run_id))
    gold = _load(paths.GOLD_METADATA.format(run_id=run_id))
    if Path(paths.RUN_STATUS.format(run_id=run_id)).is_file():
        status = "complete"
    elif summary and summary.get("status") == "blocked":
        status = "blocked"
    else:
        status = "incomplete"
    return {
        "run_id": run_id,
        "minted_at": manifest.get("minted_at"),
        "status": status,
        "fingerprint": manifest.get("fingerprint"),
        "raw_files": len(manifest.get("raw_files", [])),
        "rows": {
            "bronze": (bronze or {}).get("totals", {}).get("data_rows"),
            "silver": (silver or {}).get("totals", {}).get("rows_out"),
            "quarantined": (silver or {}).get("totals", {}).get("rows_quarantined"),
            "gold": (gold or {}).get("totals", {}).get("rows"),
        },
        "kpis": (gold or {}).get("kpis", {}),
        "links": {
            "summary": _link(paths.SUMMARY_HTML, run_id),
            "bronze": _link(paths.BRONZE_REPORT, run_id),
            "silver": _link(paths.SILVER_REPORT, run_id),
            "gold": _link(paths.GOLD_REPORT, run_id),
        },
    }


def refresh() -> dict:
    """Rewrite ``runs.json`` and ``index.html`` from every run's files; returns the index.

    Paths are relative to the working directory, like every artifact.
    """
    entries = [describe_run(run_id) for run_id in reversed(manifests.list_run_ids())]
    index = {"schema_version": 1, "generated_at": utc_now(), "runs": entries}
    write_json(Path(paths.RUNS_INDEX_JSON), index)
    write_text(
        Path(paths.RUNS_INDEX_HTML),
        render(
            "runs_index.html.j2",
            index=index,
            generated_at=index["generated_at"],
            version=__version__,
        ),
    )
    return index
