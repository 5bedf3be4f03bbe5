"""Layer-level summaries shared by the table layers (Silver, and Gold after it).

A layer job reads the per-table metadata files its table jobs wrote and turns them into the
layer's ``metadata.yaml``, ``checks.json`` and ``run_log.txt``; the quality gate reads
``checks.json`` and stops the run when an error-level check failed.
"""

from __future__ import annotations

from warehouse.checks import summarize
from warehouse.errors import PipelineError


def layer_checks(layer: str, run_id: str, tables: list[dict]) -> dict:
    """``checks.json``: every check result of every table, with a summary."""
    results = [check for meta in tables for check in meta["checks"]]
    return {
        "schema_version": 1,
        "layer": layer,
        "run_id": run_id,
        "summary": summarize(results),
        "results": results,
    }


def layer_status(checks: dict) -> str:
    """``passed``, ``passed_with_warnings`` or ``failed`` (an error-level check failed)."""
    summary = checks["summary"]
    if summary["failed_error"]:
        return "failed"
    return "passed_with_warnings" if summary["failed_warn"] else "passed"


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
    return "\n".join(lines + _failure_and_warning_lines(meta, checks)) + "\n"


def _failure_and_warning_lines(meta: dict, checks: dict) -> list[str]:
    """The run log's closing lines: every failed check, then every warning."""
    lines = [
        f"{c['severity'].upper()} check {c['table']}.{c['id']} failed on "
        f"{c['failing_rows']:,} rows: {c['description']}"
        for c in checks["results"]
        if c["status"] == "fail"
    ]
    return lines + [f"WARNING {w}" for w in meta["warnings"]]


def gate_failures(checks: dict) -> list[dict]:
    """The error-level check failures that close the gate."""
    return [c for c in checks["results"] if c["status"] == "fail" and c["severity"] == "error"]


def gate_record(checks: dict, failures: list[dict], report: str, now: str) -> dict:
    """The gate file: open or closed, and the failures (with samples) that closed it."""
    keep = ("table", "id", "description", "failing_rows", "sample")
    return {
        "layer": checks["layer"],
        "run_id": checks["run_id"],
        "status": "closed" if failures else "open",
        "checked_at": now,
        "checks": checks["summary"],
        "report": report,
        "failures": [{k: f.get(k) for k in keep} for f in failures],
    }


def gate_error(layer: str, run_id: str, failures: list[dict], report: str) -> PipelineError:
    """The message a blocked run ends with: which checks, on how many rows, where to look."""
    lines = [
        f"  - {c['table']}.{c['id']}: {c['description']} ({c['failing_rows']:,} rows failed"
        + (f", e.g. {c['sample'][0]}" if c.get("sample") else "")
        + ")"
        for c in failures
    ]
    return PipelineError(
        f"{layer.capitalize()} quality gate closed for run {run_id}: {len(failures)} "
        "error-level check(s) failed:\n" + "\n".join(lines) + "\n"
        f"The next layer is not built. Everything {layer} wrote is kept; see {report} for the "
        "failing rows, fix the data or the contract, and run again (a fixed contract or export "
        "makes a new run)."
    )


def gold_layer_metadata(
    manifest: dict,
    marts: list[dict],
    checks: dict,
    kpis: dict,
    environment: dict,
    now: str,
) -> dict:
    """The Gold layer's ``metadata.yaml``: per mart rows, schema, checksum, inputs, timings."""
    keys = ("table", "grain", "key", "rows_out", "schema_out", "output", "inputs", "timings")
    return {
        "schema_version": 1,
        "layer": "gold",
        "run_id": manifest["run_id"],
        "status": layer_status(checks),
        "ingestion_date": manifest["ingestion_date"],
        "created_at": now,
        # Gold of a run is always built from the Silver of the same run.
        "silver_run_id": manifest["run_id"],
        "fingerprint": manifest["fingerprint"],
        "environment": environment,
        "kpis": kpis,
        "totals": {"marts": len(marts), "rows": sum(m["rows_out"] for m in marts)},
        "checks": checks["summary"],
        "timings": {
            "total_seconds": round(sum(m["timings"].get("total_seconds", 0) for m in marts), 4)
        },
        "warnings": [w for m in marts for w in m["warnings"]],
        "marts": [{k: m[k] for k in keys if k in m} for m in marts],
    }


def gold_run_log(meta: dict, checks: dict) -> str:
    """The Gold layer's ``run_log.txt``: rows per mart, KPIs, failed checks."""
    kpis = meta["kpis"]
    lines = [
        f"{meta['created_at']} gold layer of run {meta['run_id']}: {meta['totals']['marts']} "
        f"marts, status {meta['status']}"
    ]
    if kpis:
        lines.append(
            f"KPIs: sales {kpis['sales_amount']:,.2f}, orders {kpis['orders']:,}, customers "
            f"{kpis['customers']:,}, average order value {kpis['average_order_value']:,.2f}"
        )
    for m in meta["marts"]:
        inputs = ", ".join(i["table"] for i in m["inputs"])
        lines.append(f"{m['table']}: {m['rows_out']:,} rows from {inputs}")
    return "\n".join(lines + _failure_and_warning_lines(meta, checks)) + "\n"
