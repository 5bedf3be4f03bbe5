"""The Gold layer's closing job (see ``layer_reports``): it also reads the marts that hold the
headline KPIs and the chart series, so it is the one layer report that needs pyarrow and pandas.
"""

from __future__ import annotations

from pathlib import Path

from warehouse import __version__
from warehouse.core.environment import environment
from warehouse.core.io import utc_now
from warehouse.gold import layer as gold
from warehouse.quality.gates import layer_checks
from warehouse.report.charts import sales_charts
from warehouse.report.layer_reports import LayerReport
from warehouse.report.render import render


def gold_layer_report(
    manifest: dict,
    marts: list[dict],
    kpi_tables: list[str | Path],
    *,
    memory_mb: int | None = None,
    temp_root: str | Path | None = None,
) -> LayerReport:
    """The Gold layer's files from the run manifest and the per-mart metadata; the metadata
    also holds the headline KPIs and the chart series, read from the ``kpi_tables`` (Parquet
    files of the marts they come from, named like the marts) within the job's ``memory_mb``."""
    now = utc_now()
    tables = {Path(p).stem: Path(p) for p in kpi_tables}
    checks = layer_checks("gold", manifest["run_id"], marts)
    meta = gold.gold_layer_metadata(
        manifest,
        marts,
        checks,
        gold.report_kpis(tables, memory_mb=memory_mb, temp_root=temp_root),
        environment(),
        now,
    )
    meta["series"] = gold.chart_series(tables)
    html = render(
        "gold_report.html.j2",
        meta=meta,
        marts=marts,
        checks=checks,
        charts=sales_charts(meta["series"]),
        generated_at=now,
        version=__version__,
    )
    return LayerReport(meta, checks, gold.gold_run_log(meta, checks), html)
