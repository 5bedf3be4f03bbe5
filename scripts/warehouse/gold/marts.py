"""Gold: the star schema and the aggregates, built from Silver tables by pure functions.

Each mart is a function registered under its table name; it receives the tables its contract
lists under ``inputs`` (Silver tables and earlier marts, by name) and returns a DataFrame whose
columns, order and types the job then holds against the contract. Business names here, source
names in Silver. Surrogate keys come from a stable sort, so the same input always gives the same
keys.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.core.errors import PipelineError
from warehouse.core.types import dtype_for, type_of

MARTS: dict[str, Callable[[dict[str, pd.DataFrame]], pd.DataFrame]] = {}
MISSING_MONTH = "unknown"
NOT_AVAILABLE = "n/a"
DATE = pd.ArrowDtype(pa.date32())


def mart(function: Callable) -> Callable:
    """Register a mart builder under its function name (= the mart's table name)."""
    MARTS[function.__name__] = function
    return function


def _surrogate(frame: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    """Sort by ``by`` (stable) and number the rows 1..n in a new first column ``name``."""
    out = frame.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    out.insert(0, name, pd.array(range(1, len(out) + 1), dtype="Int64"))
    return out


@mart
def dim_customers(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per CRM customer, enriched with ERP birthdate, gender fallback and country."""
    crm = tables["crm_cust_info"]
    az12 = tables["erp_cust_az12"][["cid", "bdate", "gen"]]
    loc = tables["erp_loc_a101"][["cid", "cntry"]]
    joined = (
        crm.merge(az12, how="left", left_on="cst_key", right_on="cid")
        .drop(columns="cid")
        .merge(loc, how="left", left_on="cst_key", right_on="cid")
        .drop(columns="cid")
    )
    crm_gender = joined["cst_gndr"]
    erp_gender = joined["gen"].fillna(NOT_AVAILABLE)
    gender = crm_gender.where(crm_gender.ne(NOT_AVAILABLE) & crm_gender.notna(), erp_gender)
    out = pd.DataFrame(
        {
            "customer_id": joined["cst_id"],
            "customer_number": joined["cst_key"],
            "first_name": joined["cst_firstname"],
            "last_name": joined["cst_lastname"],
            "country": joined["cntry"].fillna(NOT_AVAILABLE),
            "marital_status": joined["cst_marital_status"],
            "gender": gender.astype("str"),
            "birthdate": joined["bdate"],
            "create_date": joined["cst_create_date"],
        }
    )
    return _surrogate(out, ["customer_id"], "customer_key")


@mart
def dim_products(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per current product (no end date), with its ERP category where one matches."""
    products = tables["crm_prd_info"]
    categories = tables["erp_px_cat_g1v2"][["id", "cat", "subcat", "maintenance"]]
    current = products[products["prd_end_dt"].isna()]
    joined = current.merge(categories, how="left", left_on="cat_id", right_on="id")
    out = pd.DataFrame(
        {
            "product_id": joined["prd_id"],
            "product_number": joined["prd_key"],
            "product_name": joined["prd_nm"],
            "category_id": joined["cat_id"],
            "category": joined["cat"],
            "subcategory": joined["subcat"],
            "maintenance": joined["maintenance"],
            "cost": joined["prd_cost"],
            "product_line": joined["prd_line"],
            "start_date": joined["prd_start_dt"],
        }
    )
    return _surrogate(out, ["start_date", "product_number"], "product_key")


@mart
def fact_sales(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per order line, with the surrogate keys of its product and customer.

    A line whose product or customer has no dimension row keeps a missing key (never dropped),
    so the relationship checks can report it.
    """
    sales = tables["crm_sales_details"]
    products = tables["dim_products"][["product_key", "product_number"]]
    customers = tables["dim_customers"][["customer_key", "customer_id"]]
    joined = sales.merge(
        products, how="left", left_on="sls_prd_key", right_on="product_number"
    ).merge(customers, how="left", left_on="sls_cust_id", right_on="customer_id")
    return pd.DataFrame(
        {
            "order_number": joined["sls_ord_num"],
            "product_key": joined["product_key"],
            "customer_key": joined["customer_key"],
            "order_date": joined["sls_order_dt"],
            "shipping_date": joined["sls_ship_dt"],
            "due_date": joined["sls_due_dt"],
            "sales_amount": joined["sls_sales"],
            "quantity": joined["sls_quantity"],
            "price": joined["sls_price"],
        }
    )


@mart
def dim_date(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per calendar day from the first to the last order, ship or due date."""
    fact = tables["fact_sales"]
    # Only the first and last date matter: Arrow's min/max avoids converting millions of dates.
    bounds = [
        pc.min_max(pa.array(fact[c].astype(DATE).array))
        for c in ("order_date", "shipping_date", "due_date")
    ]
    lows = [b["min"].as_py() for b in bounds if b["min"].is_valid]
    highs = [b["max"].as_py() for b in bounds if b["max"].is_valid]
    days = pd.date_range(min(lows), max(highs), freq="D") if lows else pd.DatetimeIndex([])
    return pd.DataFrame(
        {
            "date_key": pd.array(days.year * 10000 + days.month * 100 + days.day, dtype="Int64"),
            "date": pd.Series(days.date, dtype=DATE),
            "year": pd.array(days.year, dtype="Int64"),
            "quarter": pd.array(days.quarter, dtype="Int64"),
            "month": pd.array(days.month, dtype="Int64"),
            "month_name": pd.array(days.month_name(), dtype="str"),
            "day_of_week": pd.array(days.day_name(), dtype="str"),
            "is_weekend": pd.array(days.day_of_week >= 5, dtype="boolean"),
        }
    )


def order_month(dates: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each date; lines without an order date fall under ``unknown``.

    Only the distinct dates are formatted (a few thousand for millions of order lines).
    """
    arrow = pa.array(dates.astype(DATE).array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    encoded = arrow.dictionary_encode()
    months = pc.take(pc.strftime(encoded.dictionary, format="%Y-%m"), encoded.indices)
    return pd.Series(pc.fill_null(months, MISSING_MONTH), index=dates.index, dtype="str")


def _measures(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(by, sort=True, dropna=False)
    out = grouped.agg(
        orders=("order_number", "nunique"),
        customers=("customer_key", "nunique"),
        quantity=("quantity", "sum"),
        sales_amount=("sales_amount", "sum"),
    ).reset_index()
    out["orders"] = out["orders"].astype("Int64")
    out["customers"] = out["customers"].astype("Int64")
    out["quantity"] = out["quantity"].astype("Int64")
    out["sales_amount"] = out["sales_amount"].astype("Float64")
    out["average_order_value"] = (out["sales_amount"] / out["orders"]).astype("Float64")
    return out


@mart
def agg_sales_monthly(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per order month (``unknown`` for lines without an order date)."""
    fact = tables["fact_sales"].assign(month=lambda f: order_month(f["order_date"]))
    return _measures(fact, ["month"])


@mart
def agg_sales_by_country(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per customer country and order month."""
    fact = tables["fact_sales"]
    countries = tables["dim_customers"][["customer_key", "country"]]
    joined = fact.merge(countries, how="left", on="customer_key")
    joined["country"] = joined["country"].fillna(NOT_AVAILABLE)
    joined["month"] = order_month(joined["order_date"])
    return _measures(joined, ["country", "month"])


@mart
def agg_sales_by_category(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per product category, subcategory, product line and order month."""
    fact = tables["fact_sales"]
    products = tables["dim_products"][["product_key", "category", "subcategory", "product_line"]]
    joined = fact.merge(products, how="left", on="product_key")
    for column in ("category", "subcategory", "product_line"):
        joined[column] = joined[column].fillna(NOT_AVAILABLE)
    joined["month"] = order_month(joined["order_date"])
    return _measures(joined, ["category", "subcategory", "product_line", "month"])


def _comparable(type_name: str) -> str:
    return "float" if type_name == "decimal" else type_name


def conform_to_contract(frame: pd.DataFrame, contract: dict, path: str) -> pd.DataFrame:
    """Give each column its declared dtype, then demand names, order and types match exactly.

    A mismatch is a bug in the mart or the contract: the job fails with a diff of expected
    against actual, column by column.
    """
    expected = [(c["name"], c["type"]) for c in contract["columns"]]
    out = frame.copy()
    for name, type_name in expected:
        if name in out.columns and type_of(out[name]) == _comparable(type_name):
            out[name] = out[name].astype(dtype_for(type_name))
    actual = [(c, type_of(out[c])) for c in out.columns]
    if [(n, _comparable(t)) for n, t in expected] == actual:
        return out
    rows = []
    for i in range(max(len(expected), len(actual))):
        want = f"{expected[i][0]} {expected[i][1]}" if i < len(expected) else "-"
        got = f"{actual[i][0]} {actual[i][1]}" if i < len(actual) else "-"
        marker = (
            "  "
            if i < len(expected)
            and i < len(actual)
            and (expected[i][0], _comparable(expected[i][1])) == actual[i]
            else "!="
        )
        rows.append(f"  {i + 1:>3} {marker} expected {want:<32} actual {got}")
    raise PipelineError(
        f"{contract['table']} does not match its contract {path} (names, order and types must "
        "be equal):\n" + "\n".join(rows) + "\nFix the mart in scripts/warehouse/gold.py or the "
        "contract."
    )


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
