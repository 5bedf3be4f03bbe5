"""Reading check results (the dicts ``sql_checks.run_checks_sql`` returns and checks.json holds).

Kept apart from the engine, which needs DuckDB: a gate or a report that only reads results
starts without it.
"""

from __future__ import annotations


def failed(results: list[dict], severity: str = "error") -> list[dict]:
    """The results that failed with the given severity ("error" or "warn")."""
    return [r for r in results if r["status"] == "fail" and r["severity"] == severity]


def summarize(results: list[dict]) -> dict:
    """Counts for a report headline: total, passed, failed errors and failed warnings."""
    return {
        "total": len(results),
        "passed": sum(r["status"] == "pass" for r in results),
        "failed_error": len(failed(results, "error")),
        "failed_warn": len(failed(results, "warn")),
    }
