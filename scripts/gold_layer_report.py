"""Rule gold_layer_report: the Gold layer's metadata.yaml, checks.json, run_log.txt and HTML
report with the headline KPIs and small inline SVG charts. It always succeeds, so a failing
check is reported before the Gold quality gate stops the run."""

from pathlib import Path

from warehouse import __version__
from warehouse.charts import bar_chart, column_chart
from warehouse.gold import MISSING_MONTH, headline_kpis, sales_by
from warehouse.layers import gold_layer_metadata, gold_run_log, layer_checks
from warehouse.metadata import environment, read_yaml, utc_now, write_json, write_text, write_yaml
from warehouse.reports import render
from warehouse.rulekit import run_rule
from warehouse.tables import read_parquet


def charts(tables: dict[str, Path]) -> list[str]:
    """SVG charts of monthly sales, sales by country and by category (where the marts exist)."""
    svgs = []
    if "agg_sales_monthly" in tables:
        monthly = sales_by(read_parquet(tables["agg_sales_monthly"]), "month")
        svgs.append(
            column_chart(
                list(monthly),
                list(monthly.values()),
                "Sales by order month",
                highlight=MISSING_MONTH,
            )
        )
    if "agg_sales_by_country" in tables:
        by_country = sales_by(read_parquet(tables["agg_sales_by_country"]), "country")
        svgs.append(bar_chart(list(by_country), list(by_country.values()), "Sales by country"))
    if "agg_sales_by_category" in tables:
        by_category = sales_by(read_parquet(tables["agg_sales_by_category"]), "category")
        svgs.append(
            bar_chart(list(by_category), list(by_category.values()), "Sales by product category")
        )
    return svgs


def main(smk, log):
    now = utc_now()
    manifest = read_yaml(smk.input.manifest)
    marts = [read_yaml(path) for path in smk.input.metas]
    tables = {Path(p).stem: Path(p) for p in smk.input.kpi_tables}
    kpis = {}
    if "fact_sales" in tables:
        kpis = headline_kpis(
            read_parquet(
                tables["fact_sales"],
                ["order_number", "customer_key", "quantity", "sales_amount", "order_date"],
            )
        )
    checks = layer_checks("gold", manifest["run_id"], marts)
    meta = gold_layer_metadata(manifest, marts, checks, kpis, environment(), now)
    write_yaml(smk.output.metadata, meta)
    write_json(smk.output.checks, checks)
    write_text(smk.output.run_log, gold_run_log(meta, checks))
    html = render(
        "gold_report.html.j2",
        meta=meta,
        marts=marts,
        checks=checks,
        charts=charts(tables),
        generated_at=now,
        version=__version__,
    )
    write_text(smk.output.report, html)
    log.info("gold layer: %d marts, status %s, KPIs %s", len(marts), meta["status"], kpis)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
