"""Named cleaning functions: the logic no standard operation covers.

A contract calls one with ``op: function``, ``name: <name>`` and ``args``. Each function is
pure (frame in, frame out), vectorised, and unit-tested on tiny frames; it may only remove rows
through ``ctx.reject`` so that every row stays accounted for.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.silver.context import Context, as_strings, require_columns

FUNCTIONS: dict[str, Callable] = {}


def register(function: Callable) -> Callable:
    """Make ``function`` callable from contracts under its own name."""
    FUNCTIONS[function.__name__] = function
    return function


def _dates_as_arrow(series: pd.Series) -> pa.Array:
    return pa.array(series.astype(pd.ArrowDtype(pa.date32())))


@register
def split_product_key(
    frame: pd.DataFrame,
    ctx: Context,
    column: str = "prd_key",
    category_column: str = "cat_id",
    category_length: int = 5,
    product_start: int = 7,
) -> pd.DataFrame:
    """Split a CRM product key: its first characters are the ERP category id with ``-`` for
    ``_`` (``CO-RF`` is ``CO_RF``); from character ``product_start`` (1-based) on it is the
    product number that sales reference (``CO-RF-FR-R92B-58`` is ``FR-R92B-58``)."""
    require_columns(frame, [column], ctx)
    key = as_strings(frame[column])
    out = frame.copy()
    out[category_column] = key.str.slice(0, category_length).str.replace("-", "_", regex=False)
    out[column] = key.str.slice(product_start - 1)
    return out


@register
def end_date_from_next_start(
    frame: pd.DataFrame,
    ctx: Context,
    partition: str = "prd_key",
    start: str = "prd_start_dt",
    end: str = "prd_end_dt",
) -> pd.DataFrame:
    """Recompute ``end`` (the source value is ignored): within one ``partition`` ordered by
    ``start``, it is the next version's start date minus one day; the latest version has none.
    """
    require_columns(frame, [partition, start, end], ctx)
    ordered = frame[[partition, start]].sort_values([partition, start], kind="stable")
    next_start = ordered.groupby(partition, sort=False, dropna=False)[start].shift(-1)
    days = pc.cast(_dates_as_arrow(next_start), pa.int32())
    previous_day = pc.cast(pc.subtract(days, pa.scalar(1, pa.int32())), pa.date32())
    ends = pd.Series(previous_day, index=ordered.index, dtype=pd.ArrowDtype(pa.date32()))
    out = frame.copy()
    out[end] = ends.reindex(frame.index)
    return out


@register
def reconcile_sales_price(
    frame: pd.DataFrame,
    ctx: Context,
    sales: str = "sls_sales",
    quantity: str = "sls_quantity",
    price: str = "sls_price",
) -> pd.DataFrame:
    """Make every order line satisfy sales = quantity x price.

    Sales that are missing, <= 0 or not quantity x |price| become quantity x |price|. A price
    that is missing or <= 0 becomes the source sales / quantity (the sales value before the
    first rule). A price of 0 (or -0) says nothing about the sales: like a missing price it is
    derived, and a correct sales amount is never replaced by quantity x 0. A quantity of 0
    derives no price (sales / 0 is no price). Whatever still fails afterwards is caught by the
    contract's checks.
    """
    require_columns(frame, [sales, quantity, price], ctx)
    source_sales = frame[sales].astype("Float64")
    qty = frame[quantity].astype("Float64")
    source_price = frame[price].astype("Float64")
    expected = qty * source_price.abs().mask(source_price.eq(0))
    bad_sales = (
        source_sales.isna()
        | (source_sales <= 0).fillna(False)
        | (source_sales != expected).fillna(False)
    )
    bad_price = source_price.isna() | (source_price <= 0).fillna(False)
    out = frame.copy()
    out[sales] = source_sales.mask(bad_sales, expected)
    out[price] = source_price.mask(bad_price, source_sales / qty.mask(qty.eq(0)))
    return out


@register
def strip_prefix(frame: pd.DataFrame, ctx: Context, column: str, prefix: str) -> pd.DataFrame:
    """Remove a leading ``prefix`` where present (``NASAW00011000`` -> ``AW00011000``)."""
    require_columns(frame, [column], ctx)
    values = as_strings(frame[column])
    out = frame.copy()
    out[column] = values.mask(
        values.str.startswith(prefix).fillna(False).astype(bool), values.str.slice(len(prefix))
    )
    return out


@register
def remove_characters(
    frame: pd.DataFrame, ctx: Context, column: str, characters: str
) -> pd.DataFrame:
    """Remove every occurrence of each of ``characters`` (``AW-00011000`` -> ``AW00011000``)."""
    require_columns(frame, [column], ctx)
    values = as_strings(frame[column])
    for character in characters:
        values = values.str.replace(character, "", regex=False)
    out = frame.copy()
    out[column] = values
    return out


@register
def null_dates_after_ingestion(frame: pd.DataFrame, ctx: Context, column: str) -> pd.DataFrame:
    """Dates after the run's ingestion date become missing (a birthdate cannot be in the
    future). The date comes from the run id, so a rerun gives the same result."""
    require_columns(frame, [column], ctx)
    dates = _dates_as_arrow(frame[column])
    future = pc.greater(dates, pa.scalar(ctx.ingestion_date, pa.date32()))
    out = frame.copy()
    out[column] = (
        frame[column]
        .astype(pd.ArrowDtype(pa.date32()))
        .mask(pd.Series(future, index=frame.index, dtype="boolean").fillna(False).astype(bool))
    )
    return out
