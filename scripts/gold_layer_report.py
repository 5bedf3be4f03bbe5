"""Rule gold_layer_report: the Gold layer's metadata.yaml, checks.json, run_log.txt and HTML
report with the headline KPIs and small inline SVG charts. It always succeeds, so a failing
check is reported before the Gold quality gate decides."""

from pathlib import Path

from warehouse import __version__
from warehouse.core.environment import environment
from warehouse.core.io import read_yaml, utc_now, write_json, write_text, write_yaml
from warehouse.core.parquet import read_parquet
from warehouse.gold.layer import gold_layer_metadata, gold_run_log
from warehouse.gold.marts import headline_kpis, sales_by
from warehouse.quality.gates import layer_checks
from warehouse.report.charts import sales_charts
from warehouse.report.render import render
from warehouse.rulekit import run_rule

SERIES = {
    "sales_by_month": ("agg_sales_monthly", "month"),
    "sales_by_country": ("agg_sales_by_country", "country"),
    "sales_by_category": ("agg_sales_by_category", "category"),
}
FACT_COLUMNS = ["order_number", "customer_key", "quantity", "sales_amount", "order_date"]


def chart_series(tables: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Sales by month, country and category, from the aggregates that exist in the run."""
    return {
        name: sales_by(read_parquet(tables[mart], [column, "sales_amount"]), column)
        for name, (mart, column) in SERIES.items()
        if mart in tables
    }


def main(smk, log):
    now = utc_now()
    manifest = read_yaml(smk.input.manifest)
    marts = [read_yaml(path) for path in smk.input.metas]
    tables = {Path(p).stem: Path(p) for p in smk.input.kpi_tables}
    kpis = {}
    if "fact_sales" in tables:
        kpis = headline_kpis(read_parquet(tables["fact_sales"], FACT_COLUMNS))
    checks = layer_checks("gold", manifest["run_id"], marts)
    meta = gold_layer_metadata(manifest, marts, checks, kpis, environment(), now)
    meta["series"] = chart_series(tables)
    write_yaml(smk.output.metadata, meta)
    write_json(smk.output.checks, checks)
    write_text(smk.output.run_log, gold_run_log(meta, checks))
    html = render(
        "gold_report.html.j2",
        meta=meta,
        marts=marts,
        checks=checks,
        charts=sales_charts(meta["series"]),
        generated_at=now,
        version=__version__,
    )
    write_text(smk.output.report, html)
    log.info("gold layer: %d marts, status %s, KPIs %s", len(marts), meta["status"], kpis)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
