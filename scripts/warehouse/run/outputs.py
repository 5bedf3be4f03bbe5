"""What each target of a run consists of: the file lists the rules hand to Snakemake.

Pure functions of a run's manifest (its raw files and the contracts it was made with), so the
lists can be tested without Snakemake; ``rules/common.smk`` only adds where the manifest comes
from and what the Silver gate decided.
"""

from __future__ import annotations

from warehouse.core import paths
from warehouse.run.sources import table_name

# Marts whose data the Gold report reads for its KPIs and charts.
GOLD_KPI_MARTS = (
    "fact_sales",
    "agg_sales_monthly",
    "agg_sales_by_country",
    "agg_sales_by_category",
)


def run_tables(manifest: dict) -> dict[str, dict]:
    """{table name: raw file record} for every raw file that belongs to the run."""
    return {table_name(f["source"], f["file"]): f for f in manifest["raw_files"]}


def run_marts(manifest: dict) -> list[str]:
    """The Gold marts of the run: one per Gold contract recorded in its manifest."""
    found = (
        paths.match(paths.CONTRACT, path, layer="gold") for path in manifest.get("config_files", {})
    )
    return sorted(values["table"] for values in found if values)


def per_raw_file(template: str, manifest: dict) -> list[str]:
    """``template`` filled in for every raw file of the run."""
    return [
        template.format(run_id=manifest["run_id"], source=f["source"], file=f["file"])
        for f in manifest["raw_files"]
    ]


def per_table(template: str, manifest: dict) -> list[str]:
    """``template`` filled in for every table of the run."""
    return [template.format(run_id=manifest["run_id"], table=t) for t in run_tables(manifest)]


def per_mart(template: str, manifest: dict) -> list[str]:
    """``template`` filled in for every mart of the run."""
    return [template.format(run_id=manifest["run_id"], mart=m) for m in run_marts(manifest)]


def kpi_tables(manifest: dict) -> list[str]:
    """The Parquet files of the run's marts that the Gold report reads for its KPIs and charts."""
    return [
        paths.GOLD_DATA.format(run_id=manifest["run_id"], mart=m)
        for m in run_marts(manifest)
        if m in GOLD_KPI_MARTS
    ]


def _layer_files(run_id: str, templates: tuple[str, ...]) -> list[str]:
    return [t.format(run_id=run_id) for t in templates]


def bronze_outputs(manifest: dict) -> list[str]:
    """Every file of the Bronze layer: a deleted one is rebuilt next time.

    (Snakemake treats a missing intermediate file like a removed temp file, so each artifact
    that must exist is named here, not only the layer report.)
    """
    return (
        per_raw_file(paths.BRONZE_DATA, manifest)
        + per_raw_file(paths.BRONZE_FILE_META, manifest)
        + _layer_files(
            manifest["run_id"], (paths.BRONZE_METADATA, paths.BRONZE_RUN_LOG, paths.BRONZE_REPORT)
        )
    )


def silver_outputs(manifest: dict) -> list[str]:
    """Every file of the Silver layer, the quality gate included."""
    files = _layer_files(
        manifest["run_id"],
        (
            paths.SILVER_METADATA,
            paths.SILVER_CHECKS,
            paths.SILVER_RUN_LOG,
            paths.SILVER_REPORT,
            paths.SILVER_GATE,
        ),
    )
    for template in (paths.SILVER_DATA, paths.SILVER_QUARANTINE, paths.SILVER_TABLE_META):
        files += per_table(template, manifest)
    return files


def gold_outputs(manifest: dict, export_csv: bool) -> list[str]:
    """Every file of the Gold layer (a CSV beside every mart when ``export_csv``)."""
    files = _layer_files(
        manifest["run_id"],
        (
            paths.GOLD_METADATA,
            paths.GOLD_CHECKS,
            paths.GOLD_RUN_LOG,
            paths.GOLD_REPORT,
            paths.GOLD_GATE,
        ),
    )
    templates = [paths.GOLD_DATA, paths.GOLD_TABLE_META] + ([paths.GOLD_CSV] if export_csv else [])
    for template in templates:
        files += per_mart(template, manifest)
    return files


def report_outputs(run_id: str) -> list[str]:
    """The run's summary report (written even for a blocked run), lineage and final status."""
    return _layer_files(
        run_id,
        (
            paths.SUMMARY_JSON,
            paths.SUMMARY_MD,
            paths.SUMMARY_HTML,
            paths.LINEAGE_SVG,
            paths.RUN_STATUS,
        ),
    )


def summary_inputs(run_id: str, gold_built: bool) -> dict[str, str]:
    """What the summary reads: every layer's metadata and checks, Gold's only if it was built."""
    files = {
        "manifest": paths.RUN_MANIFEST,
        "bronze": paths.BRONZE_METADATA,
        "silver": paths.SILVER_METADATA,
        "silver_checks": paths.SILVER_CHECKS,
        "silver_gate": paths.SILVER_GATE,
    }
    if gold_built:
        files |= {
            "gold": paths.GOLD_METADATA,
            "gold_checks": paths.GOLD_CHECKS,
            "gold_gate": paths.GOLD_GATE,
        }
    return {name: template.format(run_id=run_id) for name, template in files.items()}


def gold_mart_inputs(run_id: str, declared: dict) -> dict[str, list[str]]:
    """The Parquet tables a mart reads: the tables its SQL model names (Silver tables, marts)."""
    return {
        "silver": [
            paths.SILVER_DATA.format(run_id=run_id, table=t) for t in declared.get("silver", [])
        ],
        "gold": [paths.GOLD_DATA.format(run_id=run_id, mart=m) for m in declared.get("gold", [])],
    }


def diff_inputs(manifest: dict, gold_built: bool) -> list[str]:
    """What a run diff reads of one run besides its summary: manifest, layer metadata and
    checks, and, when Gold was built, Gold's metadata, checks and every mart's data."""
    templates = [paths.RUN_MANIFEST, paths.BRONZE_METADATA, paths.SILVER_METADATA]
    templates.append(paths.SILVER_CHECKS)
    marts = []
    if gold_built:
        templates += [paths.GOLD_METADATA, paths.GOLD_CHECKS]
        marts = per_mart(paths.GOLD_DATA, manifest)
    return _layer_files(manifest["run_id"], tuple(templates)) + marts
