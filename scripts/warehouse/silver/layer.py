"""The Silver layer's own files: ``metadata.yaml`` and ``run_log.txt`` from the per-table
metadata the table jobs wrote.
"""

from __future__ import annotations

from warehouse.quality.gates import failure_and_warning_lines, layer_status


def table_summary(meta: dict) -> dict:
    """The part of a table's metadata that the layer metadata repeats."""
    keys = (
        "table", "source", "contract", "grain", "rows_in", "rows_out", "rows_quarantined",
        "balanced", "quarantine_by_rule", "steps", "schema_in", "schema_out", "output",
        "quarantine", "timings", "warnings",
    )  # fmt: skip
    return {k: meta[k] for k in keys if k in meta}


def layer_metadata(
    layer: str, manifest: dict, tables: list[dict], checks: dict, environment: dict, now: str
) -> dict:
    """The layer's ``metadata.yaml``."""
    return {
        "schema_version": 1,
        "layer": layer,
        "run_id": manifest["run_id"],
        "status": layer_status(checks),
        "ingestion_date": manifest["ingestion_date"],
        "created_at": now,
        "fingerprint": manifest["fingerprint"],
        "environment": environment,
        "totals": {
            "tables": len(tables),
            "rows_in": sum(t["rows_in"] for t in tables),
            "rows_out": sum(t["rows_out"] for t in tables),
            "rows_quarantined": sum(t["rows_quarantined"] for t in tables),
            "tables_without_contract": sorted(t["table"] for t in tables if not t["contract"]),
        },
        "checks": checks["summary"],
        "timings": {
            "total_seconds": round(sum(t["timings"].get("total_seconds", 0) for t in tables), 4)
        },
        "warnings": [w for t in tables for w in t["warnings"]],
        "tables": [table_summary(t) for t in tables],
    }


def run_log(meta: dict, checks: dict) -> str:
    """The layer's ``run_log.txt``: row flow per table, failed checks, warnings."""
    totals = meta["totals"]
    lines = [
        f"{meta['created_at']} {meta['layer']} layer of run {meta['run_id']}: "
        f"{totals['tables']} tables, {totals['rows_in']:,} rows in, {totals['rows_out']:,} out, "
        f"{totals['rows_quarantined']:,} quarantined; status {meta['status']}"
    ]
    for t in meta["tables"]:
        rules = ", ".join(f"{k} {v:,}" for k, v in t["quarantine_by_rule"].items()) or "none"
        lines.append(
            f"{t['table']}: {t['rows_in']:,} in = {t['rows_out']:,} out + "
            f"{t['rows_quarantined']:,} quarantined ({rules}); "
            f"contract {t['contract'] or 'none (generic cleaning)'}"
        )
    return "\n".join(lines + failure_and_warning_lines(meta, checks)) + "\n"
