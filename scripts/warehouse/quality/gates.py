"""A layer's check results and its quality gate.

A layer's report job gathers the check results its table jobs wrote into ``checks.json`` and,
from them, writes the layer's quality gate, closed when an error-level check failed; the next
layer is built only for an open gate, and the run's last job completes the run only when every
gate is open.
"""

from __future__ import annotations

from warehouse.core.errors import PipelineError
from warehouse.core.io import utc_now
from warehouse.quality.results import summarize


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


def failure_and_warning_lines(meta: dict, checks: dict) -> list[str]:
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


def decide_gate(checks: dict, report: str) -> dict:
    """The gate file for a layer's ``checks.json``: closed when an error-level check failed."""
    return gate_record(checks, gate_failures(checks), report, utc_now())


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


def complete_run(summary: dict, summary_path: str) -> dict:
    """The run's ``status.yaml`` from its summary report; raises the gate error (a
    PipelineError) of the first closed gate instead when the run is blocked."""
    for block in summary["blocked_by"]:
        raise gate_error(block["layer"], summary["run_id"], block["failures"], block["report"])
    return {
        "run_id": summary["run_id"],
        "status": "complete",
        "completed_at": utc_now(),
        "summary": summary_path,
    }
