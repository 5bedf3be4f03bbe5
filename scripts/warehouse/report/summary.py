"""The run summary: one document per run that says what came in, what was cleaned, what was
rejected and why, which checks passed, what Gold holds, how long each job took, and what changed
since the previous run. Built from the layers' metadata files (never from the data again), so it
can be written for a blocked run too.
"""

from __future__ import annotations

import csv
from pathlib import Path

from warehouse.core import paths
from warehouse.core.io import read_json, read_yaml
from warehouse.core.schemas import schema_changes

SCHEMA_VERSION = 1


def read_benchmarks(run_id: str, root: str | Path = ".") -> list[dict]:
    """Wall time and peak memory of every job of the run that has a benchmark file.

    Snakemake's own records of the run's jobs, read as found, not declared as inputs of the
    summary job: see rules/reports.smk."""
    jobs = []
    # A per-file job's benchmark is named {source}/{file}: its name spans two folders.
    for found, path in paths.find_spanning(paths.BENCHMARK, "name", root, run_id=run_id):
        rule, name = found["rule"], found["name"]
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows:
            continue
        last = rows[-1]
        jobs.append(
            {
                "rule": rule,
                "name": name,
                "seconds": round(float(last["s"]), 3),
                "max_rss_mb": _number(last.get("max_rss")),
            }
        )
    return jobs


def _number(text: str | None) -> float | None:
    try:
        return round(float(text), 1)
    except (TypeError, ValueError):
        return None  # "NA" when the job was too short to sample


def _layer(name: str, meta: dict | None, gate: dict | None, report: str) -> dict:
    if meta is None:
        return {"layer": name, "status": "not_built", "gate": None, "report": None}
    return {
        "layer": name,
        "status": meta.get("status", "complete"),
        "gate": gate["status"] if gate else None,
        "report": report,
        "created_at": meta.get("created_at"),
    }


def row_flow(bronze: dict, silver: dict, gold: dict | None) -> list[dict]:
    """Per table: raw file -> Bronze rows -> Silver rows out + quarantined -> Gold marts."""
    by_table = {t["table"]: t for t in silver["tables"]}
    users: dict[str, list[str]] = {}
    for mart in (gold or {}).get("marts", []):
        for source in mart["inputs"]:
            if source["layer"] == "silver":
                users.setdefault(source["table"], []).append(mart["table"])
    flow = []
    for f in bronze["files"]:
        table = by_table.get(f["table"], {})
        flow.append(
            {
                "table": f["table"],
                "raw_file": f["raw_path"],
                "bronze_rows": f["data_rows"],
                "silver_rows_in": table.get("rows_in"),
                "silver_rows_out": table.get("rows_out"),
                "rows_quarantined": table.get("rows_quarantined"),
                "quarantine_by_rule": table.get("quarantine_by_rule", {}),
                "contract": table.get("contract"),
                "gold_marts": sorted(users.get(f["table"], [])),
            }
        )
    return flow


def _checks(layer: str, checks: dict | None) -> list[dict]:
    keep = ("table", "id", "check", "severity", "status", "failing_rows", "description", "sample")
    return [
        {"layer": layer, **{k: c.get(k) for k in keep}} for c in (checks or {}).get("results", [])
    ]


def build_summary(
    *,
    manifest: dict,
    bronze: dict,
    silver: dict,
    silver_checks: dict,
    silver_gate: dict,
    gold: dict | None,
    gold_checks: dict | None,
    gold_gate: dict | None,
    jobs: list[dict],
    lineage: dict,
    previous: dict | None,
    now: str,
) -> dict:
    """The summary document (``summary_report.json``)."""
    run_id = manifest["run_id"]
    gates = [g for g in (silver_gate, gold_gate) if g]
    closed = [g for g in gates if g["status"] == "closed"]
    summary = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created_at": now,
        "status": "blocked" if closed else "complete",
        "minted_at": manifest["minted_at"],
        "ingestion_date": manifest["ingestion_date"],
        "fingerprint": manifest["fingerprint"],
        "layers": [
            _layer("bronze", bronze, None, paths.BRONZE_REPORT.format(run_id=run_id)),
            _layer("silver", silver, silver_gate, paths.SILVER_REPORT.format(run_id=run_id)),
            _layer("gold", gold, gold_gate, paths.GOLD_REPORT.format(run_id=run_id)),
        ],
        "blocked_by": [
            {"layer": g["layer"], "report": g["report"], "failures": g["failures"]} for g in closed
        ],
        "row_flow": row_flow(bronze, silver, gold),
        "gold_marts": [
            {"table": m["table"], "grain": m["grain"], "rows": m["rows_out"]}
            for m in (gold or {}).get("marts", [])
        ],
        "checks": {
            "summary": {"silver": silver_checks["summary"]}
            | ({"gold": gold_checks["summary"]} if gold_checks else {}),
            "results": _checks("silver", silver_checks) + _checks("gold", gold_checks),
        },
        "kpis": (gold or {}).get("kpis", {}),
        "series": (gold or {}).get("series", {}),
        "jobs": jobs,
        "lineage": lineage,
        "schemas": schemas(silver, gold),
        "warnings": bronze.get("warnings", [])
        + silver.get("warnings", [])
        + (gold or {}).get("warnings", []),
    }
    summary["since_previous"] = compare(summary, previous) if previous else None
    return summary


def previous_summary(run_id: str, root: str | Path = ".") -> dict | None:
    """The summary of the latest earlier run that has one (run ids sort by mint time), or None.

    Read as found, not declared as an input of the summary job: see rules/reports.smk."""
    earlier = [
        (found["run_id"], path)
        for found, path in paths.find(paths.SUMMARY_JSON, root)
        if found["run_id"] < run_id
    ]
    return read_json(max(earlier)[1]) if earlier else None


def _counts(summary: dict) -> dict[tuple[str, str], int]:
    counts = {}
    for flow in summary["row_flow"]:
        counts[("bronze", flow["table"])] = flow["bronze_rows"]
        counts[("silver", flow["table"])] = flow["silver_rows_out"]
        counts[("quarantine", flow["table"])] = flow["rows_quarantined"]
    for mart in summary["gold_marts"]:
        counts[("gold", mart["table"])] = mart["rows"]
    return counts


def compare(current: dict, previous: dict) -> dict:
    """What changed since ``previous``: row counts, schema drift, check results, KPIs."""
    now_counts, then_counts = _counts(current), _counts(previous)
    row_counts = [
        {
            "layer": layer,
            "table": table,
            "from": then_counts.get((layer, table)),
            "to": now_counts.get((layer, table)),
            "delta": (now_counts.get((layer, table)) or 0) - (then_counts.get((layer, table)) or 0),
        }
        for layer, table in sorted(set(now_counts) | set(then_counts))
        if now_counts.get((layer, table)) != then_counts.get((layer, table))
    ]
    drift = []
    for layer in ("silver", "gold"):
        now_schemas = current.get("schemas", {}).get(layer, {})
        then_schemas = previous.get("schemas", {}).get(layer, {})
        for table in sorted(set(now_schemas) | set(then_schemas)):
            change = schema_changes(then_schemas.get(table, []), now_schemas.get(table, []))
            if change["added"] or change["removed"] or change["type_changed"]:
                drift.append({"layer": layer, "table": table, **change})
    then_checks = {
        (c["layer"], c["table"], c["id"]): c["status"] for c in previous["checks"]["results"]
    }
    now_checks = {
        (c["layer"], c["table"], c["id"]): c["status"] for c in current["checks"]["results"]
    }
    checks = [
        {
            "layer": k[0],
            "table": k[1],
            "id": k[2],
            "from": then_checks.get(k),
            "to": now_checks.get(k),
        }
        for k in sorted(set(now_checks) | set(then_checks))
        if now_checks.get(k) != then_checks.get(k)
    ]
    kpis = {}
    for name, value in current.get("kpis", {}).items():
        before = previous.get("kpis", {}).get(name)
        if isinstance(value, int | float) and isinstance(before, int | float) and value != before:
            kpis[name] = {
                "from": before,
                "to": value,
                "delta": round(value - before, 2),
                "percent": round(100 * (value - before) / before, 2) if before else None,
            }
    return {
        "run_id": previous["run_id"],
        "row_counts": row_counts,
        "schema_drift": drift,
        "checks": checks,
        "kpis": kpis,
        "identical": not (row_counts or drift or checks or kpis),
    }


def schemas(silver: dict, gold: dict | None) -> dict:
    """Output schemas per layer and table (for schema drift against the next run)."""
    return {
        "silver": {t["table"]: t["schema_out"] for t in silver["tables"]},
        "gold": {m["table"]: m["schema_out"] for m in (gold or {}).get("marts", [])},
    }


# The summary's input files by role, and how each is read (checks files are JSON).
INPUT_READERS = {
    "manifest": read_yaml,
    "bronze": read_yaml,
    "silver": read_yaml,
    "silver_checks": read_json,
    "silver_gate": read_yaml,
    "gold": read_yaml,
    "gold_checks": read_json,
    "gold_gate": read_yaml,
}


def load_inputs(files: dict[str, str]) -> dict:
    """Read the summary's input files by role; missing roles are None."""
    return {
        role: (reader(files[role]) if files.get(role) is not None else None)
        for role, reader in INPUT_READERS.items()
    }


def to_markdown(summary: dict) -> str:
    """``summary_report.md``: the same story as the HTML, for terminals and pull requests."""
    narrative = summary.get("narrative") or {"text": "(not written yet)", "source": "nobody"}
    lines = [
        f"# Run {summary['run_id']}: {summary['status']}",
        "",
        f"Minted {summary['minted_at']}, ingestion date {summary['ingestion_date']}, "
        f"fingerprint `{summary['fingerprint']['combined'][:16]}`.",
        "",
        "## Executive summary",
        "",
        narrative["text"],
        "",
        f"_Written by: {narrative['source']}._",
        "",
        "## Layers",
        "",
        "| layer | status | gate | report |",
        "|---|---|---|---|",
    ]
    for layer in summary["layers"]:
        lines.append(
            f"| {layer['layer']} | {layer['status']} | {layer['gate'] or '-'} | "
            f"{layer['report'] or '-'} |"
        )
    for block in summary["blocked_by"]:
        lines += ["", f"**Blocked by the {block['layer']} quality gate:**", ""]
        lines += [
            f"- `{f['table']}.{f['id']}`: {f['description']} ({f['failing_rows']} rows)"
            for f in block["failures"]
        ]
    lines += [
        "",
        "## Row flow",
        "",
        "| table | raw file | bronze rows | silver rows | quarantined | gold marts |",
        "|---|---|---:|---:|---:|---|",
    ]
    for f in summary["row_flow"]:
        lines.append(
            f"| {f['table']} | {f['raw_file']} | {f['bronze_rows']:,} | "
            f"{_fmt(f['silver_rows_out'])} | {_fmt(f['rows_quarantined'])} | "
            f"{', '.join(f['gold_marts']) or '-'} |"
        )
    kpis = summary["kpis"]
    if kpis:
        lines += [
            "",
            "## KPIs",
            "",
            f"Sales {kpis['sales_amount']:,.2f} · orders {kpis['orders']:,} · customers "
            f"{kpis['customers']:,} · average order value "
            f"{kpis['average_order_value']:,.2f}",
        ]
    failed = [c for c in summary["checks"]["results"] if c["status"] == "fail"]
    lines += [
        "",
        f"## Checks ({len(summary['checks']['results']) - len(failed)} of "
        f"{len(summary['checks']['results'])} passed)",
        "",
    ]
    lines += [
        f"- {c['severity']} `{c['layer']}.{c['table']}.{c['id']}` failed on "
        f"{c['failing_rows']:,} rows: {c['description']}"
        for c in failed
    ] or ["All checks passed."]
    since = summary["since_previous"]
    lines += ["", "## Since the previous run", ""]
    if since is None:
        lines.append("No earlier run to compare with.")
    elif since["identical"]:
        lines.append(
            f"Same row counts, schemas, check results and KPIs as {since['run_id']} (the run "
            "diff shows changed rows)."
        )
    else:
        lines.append(f"Compared with {since['run_id']}:")
        lines += [
            f"- {r['layer']} {r['table']}: {_fmt(r['from'])} -> {_fmt(r['to'])} rows"
            for r in since["row_counts"]
        ]
        lines += [f"- schema of {d['layer']} {d['table']} changed" for d in since["schema_drift"]]
        lines += [
            f"- check {c['layer']}.{c['table']}.{c['id']}: {c['from']} -> {c['to']}"
            for c in since["checks"]
        ]
        lines += [f"- {k}: {v['from']:,} -> {v['to']:,}" for k, v in since["kpis"].items()]
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    return f"{value:,}" if isinstance(value, int) else ("-" if value is None else str(value))
