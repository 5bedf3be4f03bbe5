"""The Gold layer's own files: ``metadata.yaml`` and ``run_log.txt`` from the per-mart metadata,
and the headline KPIs and chart series its report shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.core.parquet import read_parquet
from warehouse.quality.gates import failure_and_warning_lines, layer_status

# Chart name -> (the aggregate mart it is read from, the column sales are grouped by).
SERIES = {
    "sales_by_month": ("agg_sales_monthly", "month"),
    "sales_by_country": ("agg_sales_by_country", "country"),
    "sales_by_category": ("agg_sales_by_category", "category"),
}
FACT_COLUMNS = ["order_number", "customer_key", "quantity", "sales_amount", "order_date"]


def headline_kpis(fact: pd.DataFrame) -> dict:
    """Sales, orders, customers and average order value over the whole fact."""
    sales = float(fact["sales_amount"].sum())
    orders = int(fact["order_number"].nunique())
    return {
        "sales_amount": round(sales, 2),
        "orders": orders,
        "customers": int(fact["customer_key"].nunique()),
        "quantity": int(fact["quantity"].sum()),
        "average_order_value": round(sales / orders, 2) if orders else None,
        "order_lines": len(fact),
        "order_lines_without_order_date": int(fact["order_date"].isna().sum()),
    }


def sales_by(frame: pd.DataFrame, column: str) -> dict[str, float]:
    """Sales per value of ``column`` of an aggregate (summed over its other dimensions)."""
    totals = frame.groupby(column, sort=True)["sales_amount"].sum()
    return {str(k): round(float(v), 2) for k, v in totals.items()}


def report_kpis(tables: dict[str, Path]) -> dict:
    """The headline KPIs from ``fact_sales`` when the run has it (else none), by mart name."""
    if "fact_sales" not in tables:
        return {}
    return headline_kpis(read_parquet(tables["fact_sales"], FACT_COLUMNS))


def chart_series(tables: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Sales by month, country and category, from the aggregates that exist in the run."""
    return {
        name: sales_by(read_parquet(tables[mart], [column, "sales_amount"]), column)
        for name, (mart, column) in SERIES.items()
        if mart in tables
    }


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
    return "\n".join(lines + failure_and_warning_lines(meta, checks)) + "\n"
