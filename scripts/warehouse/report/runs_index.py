"""The index of all runs (``artifacts/index.html`` and ``runs.json``), refreshed at the end of
every invocation, successful or not, from what each run left on disk."""

from __future__ import annotations

from pathlib import Path

from warehouse import __version__
from warehouse.core import paths
from warehouse.core.io import read_json, read_yaml, utc_now, write_json, write_text
from warehouse.report.render import render
from warehouse.run import manifests


def _load(path: Path, reader) -> dict | None:
    if not path.is_file():
        return None
    try:
        return reader(path)
    except Exception:  # noqa: BLE001 - a damaged file must not break the index of all runs
        return None


def _link(template: str, run_id: str, root: str | Path) -> str | None:
    # Links are relative to the index page (artifacts/index.html); only to files that exist.
    if not paths.at(template, root, run_id=run_id).is_file():
        return None
    return paths.link(template, paths.RUNS_INDEX_HTML, run_id=run_id)


def describe_run(run_id: str, root: str | Path = ".") -> dict:
    """One run's entry: time, status, fingerprint parts, row counts, links to its reports."""
    manifest = manifests.read_manifest(run_id, root) or {}
    summary = _load(paths.at(paths.SUMMARY_JSON, root, run_id=run_id), read_json)
    bronze = _load(paths.at(paths.BRONZE_METADATA, root, run_id=run_id), read_yaml)
    silver = _load(paths.at(paths.SILVER_METADATA, root, run_id=run_id), read_yaml)
    gold = _load(paths.at(paths.GOLD_METADATA, root, run_id=run_id), read_yaml)
    if paths.at(paths.RUN_STATUS, root, run_id=run_id).is_file():
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
            "summary": _link(paths.SUMMARY_HTML, run_id, root),
            "bronze": _link(paths.BRONZE_REPORT, run_id, root),
            "silver": _link(paths.SILVER_REPORT, run_id, root),
            "gold": _link(paths.GOLD_REPORT, run_id, root),
        },
    }


def refresh(root: str | Path = ".") -> dict:
    """Rewrite ``runs.json`` and ``index.html`` from every run's files of the workspace
    ``root`` (the working directory by default, like every artifact); returns the index."""
    runs = reversed(manifests.list_run_ids(root))
    entries = [describe_run(run_id, root) for run_id in runs]
    index = {"schema_version": 1, "generated_at": utc_now(), "runs": entries}
    write_json(paths.at(paths.RUNS_INDEX_JSON, root), index)
    write_text(
        paths.at(paths.RUNS_INDEX_HTML, root),
        render(
            "runs_index.html.j2",
            index=index,
            generated_at=index["generated_at"],
            version=__version__,
        ),
    )
    return index
