"""Named cleaning functions: the logic no standard operation covers, compiled to SQL.

A contract calls one with ``op: function``, ``name: <name>`` and ``args``. Each function gets
the SQL types of the table's columns at that point and the context, and returns a
:class:`~warehouse.silver.operations.Compiled` step: new values as SQL expressions over the
relation (window expressions for rules that look at other rows). None removes rows, so every
row stays accounted for; each is unit-tested on a few rows (tests/unit/silver/test_functions.py).
"""

from __future__ import annotations

from collections.abc import Callable

from warehouse.core.duck import sql_name as q
from warehouse.core.duck import sql_string as lit
from warehouse.silver.operations import Compiled, as_text

FUNCTIONS: dict[str, Callable] = {}


def register(function: Callable) -> Callable:
    """Make ``function`` callable from contracts under its own name."""
    FUNCTIONS[function.__name__] = function
    return function


def _as_date(column: str, types: dict[str, str]) -> str:
    return q(column) if types[column] == "DATE" else f"TRY_CAST({q(column)} AS DATE)"


def _as_double(column: str, types: dict[str, str]) -> str:
    return q(column) if types[column] == "DOUBLE" else f"TRY_CAST({q(column)} AS DOUBLE)"


@register
def split_product_key(
    types,
    ctx,
    column: str = "prd_key",
    category_column: str = "cat_id",
    category_length: int = 5,
    product_start: int = 7,
) -> Compiled:
    """Split a CRM product key: its first characters are the ERP category id with ``-`` for
    ``_`` (``CO-RF`` is ``CO_RF``); from character ``product_start`` (1-based) on it is the
    product number that sales reference (``CO-RF-FR-R92B-58`` is ``FR-R92B-58``)."""
    ctx.require(types, [column])
    key = as_text(column, types)
    sets = {
        category_column: f"replace(substr({key}, 1, {int(category_length)}), '-', '_')",
        column: f"substr({key}, {int(product_start)})",
    }
    return Compiled(sets=sets, types=dict.fromkeys(sets, "VARCHAR"))


@register
def end_date_from_next_start(
    types,
    ctx,
    partition: str = "prd_key",
    start: str = "prd_start_dt",
    end: str = "prd_end_dt",
) -> Compiled:
    """Recompute ``end`` (the source value is ignored): within one ``partition`` ordered by
    ``start``, it is the next version's start date minus one day; the latest version has none.
    """
    ctx.require(types, [partition, start, end])
    order = f"{_as_date(start, types)} ASC NULLS LAST, _source_row"
    return Compiled(
        windows={
            "__next_start": f"lead({_as_date(start, types)}) OVER (PARTITION BY "
            f"{q(partition)} ORDER BY {order})"
        },
        sets={end: "CAST(__next_start - 1 AS DATE)"},
        types={end: "DATE"},
    )


@register
def reconcile_sales_price(
    types,
    ctx,
    sales: str = "sls_sales",
    quantity: str = "sls_quantity",
    price: str = "sls_price",
) -> Compiled:
    """Make every order line satisfy sales = quantity x price.

    Sales that are missing, <= 0 or not quantity x |price| become quantity x |price|. A price
    that is missing or <= 0 becomes the source sales / quantity (the sales value before the
    first rule). A price of 0 (or -0) says nothing about the sales: like a missing price it is
    derived, and a correct sales amount is never replaced by quantity x 0. A quantity of 0
    derives no price (sales / 0 is no price). Whatever still fails afterwards is caught by the
    contract's checks.
    """
    ctx.require(types, [sales, quantity, price])
    s, n, p = (_as_double(c, types) for c in (sales, quantity, price))
    expected = f"({n} * abs(nullif({p}, 0)))"
    return Compiled(
        sets={
            sales: f"CASE WHEN {s} IS NULL OR {s} <= 0 OR coalesce({s} <> {expected}, false) "
            f"THEN {expected} ELSE {s} END",
            price: f"CASE WHEN {p} IS NULL OR {p} <= 0 THEN {s} / nullif({n}, 0) ELSE {p} END",
        },
        types={sales: "DOUBLE", price: "DOUBLE"},
    )


@register
def strip_prefix(types, ctx, column: str, prefix: str) -> Compiled:
    """Remove a leading ``prefix`` where present (``NASAW00011000`` -> ``AW00011000``)."""
    ctx.require(types, [column])
    text = as_text(column, types)
    expression = (
        f"CASE WHEN starts_with({text}, {lit(prefix)}) THEN substr({text}, {len(prefix) + 1}) "
        f"ELSE {text} END"
    )
    return Compiled(sets={column: expression}, types={column: "VARCHAR"})


@register
def remove_characters(types, ctx, column: str, characters: str) -> Compiled:
    """Remove every occurrence of each of ``characters`` (``AW-00011000`` -> ``AW00011000``)."""
    ctx.require(types, [column])
    expression = as_text(column, types)
    for character in characters:
        expression = f"replace({expression}, {lit(character)}, '')"
    return Compiled(sets={column: expression}, types={column: "VARCHAR"})


@register
def null_dates_after_ingestion(types, ctx, column: str) -> Compiled:
    """Dates after the run's ingestion date become missing (a birthdate cannot be in the
    future). The date comes from the run id, so a rerun gives the same result."""
    ctx.require(types, [column])
    date = _as_date(column, types)
    day = lit(ctx.ingestion_date.isoformat())
    expression = f"CASE WHEN {date} > DATE {day} THEN NULL ELSE {date} END"
    return Compiled(sets={column: expression}, types={column: "DATE"})
