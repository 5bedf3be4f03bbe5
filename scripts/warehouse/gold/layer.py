"""The Gold layer's own files: ``metadata.yaml`` and ``run_log.txt`` from the per-mart metadata,
and the headline KPIs and chart series its report shows."""

from __future__ import annotations

from pathlib import Path

from warehouse.core.duck import session, sql_name, sql_string
from warehouse.quality.gates import failure_and_warning_lines, layer_status

# Chart name -> (the aggregate mart it is read from, the column sales are grouped by).
SERIES = {
    "sales_by_month": ("agg_sales_monthly", "month"),
    "sales_by_country": ("agg_sales_by_country", "country"),
    "sales_by_category": ("agg_sales_by_category", "category"),
}


def _query(path: Path, *sqls: str, memory_mb: int | None, temp_root) -> list[list[tuple]]:
    """The rows of each of ``sqls`` over the Parquet file ``path`` (as the table ``mart``), in
    one DuckDB session within the job's memory (the 1000x fact's 27M orders spill to disk)."""
    with session(threads=1, memory_mb=memory_mb, temp_root=temp_root, label="gold-kpis") as con:
        con.execute(f"CREATE VIEW mart AS FROM read_parquet({sql_string(str(path))})")
        return [con.execute(sql).fetchall() for sql in sqls]


def _distinct(column: str) -> str:
    """The number of distinct present values of ``column``, as a plain DISTINCT: one at a time
    and not as ``count(DISTINCT ...)``, so that it spills within the memory limit."""
    name = sql_name(column)
    return f"SELECT count(*) FROM (SELECT DISTINCT {name} FROM mart WHERE {name} IS NOT NULL)"


def headline_kpis(fact_path: Path, *, memory_mb: int | None = None, temp_root=None) -> dict:
    """Sales, orders, customers and average order value over the whole fact, in DuckDB within
    ``memory_mb`` (the rule's), spilling under ``temp_root``."""
    totals, (orders,), (customers,) = (
        rows[0]
        for rows in _query(
            fact_path,
            "SELECT coalesce(fsum(sales_amount), 0), coalesce(sum(quantity), 0), count(*), "
            "count(*) FILTER (WHERE order_date IS NULL) FROM mart",
            _distinct("order_number"),
            _distinct("customer_key"),
            memory_mb=memory_mb,
            temp_root=temp_root,
        )
    )
    sales, quantity, lines, undated = totals
    return {
        "sales_amount": round(float(sales), 2),
        "orders": int(orders),
        "customers": int(customers),
        "quantity": int(quantity),
        "average_order_value": round(float(sales) / orders, 2) if orders else None,
        "order_lines": int(lines),
        "order_lines_without_order_date": int(undated),
    }


def sales_by(path: Path, column: str) -> dict[str, float]:
    """Sales per value of ``column`` of an aggregate (summed over its other dimensions)."""
    name = sql_name(column)
    (rows,) = _query(
        path,
        f"SELECT {name}, fsum(sales_amount) FROM mart WHERE {name} IS NOT NULL "
        f"GROUP BY {name} ORDER BY {name}",
        memory_mb=None,  # an aggregate mart: a few hundred rows
        temp_root=None,
    )
    return {str(k): round(float(v), 2) for k, v in rows}


def report_kpis(tables: dict[str, Path], *, memory_mb: int | None = None, temp_root=None) -> dict:
    """The headline KPIs from ``fact_sales`` when the run has it (else none), by mart name."""
    if "fact_sales" not in tables:
        return {}
    return headline_kpis(tables["fact_sales"], memory_mb=memory_mb, temp_root=temp_root)


def chart_series(tables: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Sales by month, country and category, from the aggregates that exist in the run."""
    return {
        name: sales_by(tables[mart], column)
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
