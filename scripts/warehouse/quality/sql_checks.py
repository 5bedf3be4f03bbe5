"""Data-quality checks run as SQL on DuckDB: the checks a table contract declares, each compiled to
a query over the table's relation that finds its failing rows.

A six-million-row table is checked in a few scans: one aggregate counts the failing rows of every
filter-like check at once (``count(*) FILTER (WHERE ...)``), ``unique`` and ``relationship`` get a
grouping or an anti-join each, and only a failing check reads its first failing rows back (a
``LIMIT`` in frame order). Missing values (NULL) are never a failure except in ``not_null`` and in
``accepted_values`` with ``allow_null: false``; the semantics of each check type are in
:mod:`warehouse.quality.sql_compile`.

Each result is a plain, JSON-serialisable dict::

    {"id", "table", "check", "columns", "severity", "status", "failing_rows", "rows_checked",
     "sample", "description", "details" (only some checks)}

``rows_checked`` is always the number of rows in the table, so that results of one table can be
compared with each other. ``sample`` holds up to ``sample_size`` failing rows in frame order, each
as a dict of the key columns plus the checked columns' values (``None``, ISO dates, ints, floats,
strings, bools).
"""

from __future__ import annotations

import duckdb

from warehouse.core.duck import sql_name
from warehouse.core.errors import PipelineError
from warehouse.quality.descriptions import describe
from warehouse.quality.spec import DEFAULT_SEVERITY, key_columns, named_columns, validate_checks
from warehouse.quality.sql_compare import compare_plan, row_count_plan, sum_equals_plan
from warehouse.quality.sql_compile import COMPILERS, Context, Plan, Source, col, plain

POSITION = "__checks_position"  # the 0-based row number in frame order, when one is needed
COMPILE = {
    **COMPILERS,
    "compare": compare_plan,
    "row_count": row_count_plan,
    "sum_equals": sum_equals_plan,
}


def run_checks_sql(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    checks: list[dict],
    *,
    table: str,
    key: list[str] | None = None,
    related: dict[str, str] | None = None,
    order_by: str | None = None,
    sample_size: int = 5,
) -> list[dict]:
    """Evaluate ``checks`` against the table held by ``relation`` (a table or view in ``con``)
    and return one result dict per check, in order.

    ``key`` names the columns that identify a row in the failing-rows sample; without it the
    ``_source_row`` column is used when the table has one, else ``index``: the row's 0-based
    position in frame order. ``related`` maps the table names that ``relationship`` and
    ``sum_equals`` checks refer to onto relations in ``con``.

    Frame order (which failing rows the sample shows, in which order, and how sums are added up)
    is ``ORDER BY order_by`` when it names a column (Silver passes ``_source_row``); when it is
    None it is the relation's own order, which DuckDB keeps for a single table, view, Parquet
    scan or registered Arrow table as long as ``preserve_insertion_order`` is on (the default).

    Raises ``PipelineError`` (with a message meant for the contract's author) for a malformed
    check, an unknown check type, a column the table lacks, a missing related table, duplicate
    check ids, or values that do not fit the column's type. All checks are validated and compiled
    before any runs, so a typo fails fast on a large table.
    """
    source = describe_relation(con, relation)
    others = {name: describe_relation(con, rel) for name, rel in (related or {}).items()}
    return evaluate(
        con,
        source,
        checks,
        table=table,
        key=key,
        related=others,
        order_by=order_by,
        sample_size=sample_size,
    )


def describe_relation(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    *,
    labels: dict[str, str] | None = None,
    hidden: tuple[str, ...] = (),
) -> Source:
    """The columns and types of ``relation``; ``hidden`` columns are helpers of the caller (not
    the table's), ``labels`` the type names messages show (DuckDB's names mapped to the ones the
    pipeline's tables have always been reported in, by default)."""
    rel = con.sql(f"FROM {sql_name(relation)}")
    types = {name: str(kind) for name, kind in zip(rel.columns, rel.types, strict=True)}
    columns = [c for c in rel.columns if c not in hidden]
    return Source(relation, columns, types, labels or {})


def evaluate(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    checks: list[dict],
    *,
    table: str,
    key: list[str] | None,
    related: dict[str, Source],
    order_by: str | None,
    sample_size: int,
    index: tuple[str, str | None] = ("index", None),
) -> list[dict]:
    """:func:`run_checks_sql` on described relations. ``index`` is what identifies a sample row
    when there is no key: the name it is shown under, and a column holding it (None: the row's
    position in frame order)."""
    keys = key_columns(key, source.columns, table)
    ids = validate_checks(
        checks,
        table=table,
        columns=source.columns,
        related={n: s.columns for n, s in related.items()},
    )
    order = _order(con, source, order_by, table)
    plans = []
    for check, check_id in zip(checks, ids, strict=True):
        ctx = Context(source, related, table, check_id, order)
        plans.append(COMPILE[check["check"]](check, ctx))
    rows, counts = _count(con, source, checks, ids, plans, table)
    sampler = _Sampler(con, source, keys, index, order_by, sample_size)
    results = []
    for check, check_id, plan in zip(checks, ids, plans, strict=True):
        columns = named_columns(check)
        details = None
        if plan.table_level is not None:
            failing_rows, details = _guarded(
                lambda p=plan: p.table_level(con, rows), source, check, check_id, table
            )
            sample = []
        else:
            failing_rows = counts[check_id]
            sample = sampler.rows(plan, columns) if failing_rows else []
        result = {
            "id": check_id,
            "table": table,
            "check": check["check"],
            "columns": columns,
            "severity": check.get("severity", DEFAULT_SEVERITY),
            "status": "fail" if failing_rows else "pass",
            "failing_rows": failing_rows,
            "rows_checked": rows,
            "sample": sample,
            "description": describe(check),
        }
        if details is not None:
            result["details"] = details
        results.append(result)
    return results


def _order(con, source: Source, order_by: str | None, table: str) -> str:
    """The ORDER BY clause that gives frame order, or "" for the relation's own order."""
    if order_by is not None:
        if order_by not in source.types:
            raise PipelineError(
                f"{table}: the checks were asked to order rows by '{order_by}', which the "
                f"relation does not have (columns: {', '.join(source.types)}). This is a bug in "
                "the step that runs the checks; please report it."
            )
        return f" ORDER BY {col(order_by)}"
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    if not kept:
        raise PipelineError(
            f"{table}: the checks need an order_by column when DuckDB's "
            "preserve_insertion_order is off. This is a bug in the step that runs the checks."
        )
    return ""


def _guarded(run, source: Source, check: dict, check_id: str, table: str):
    """``run()``, with what DuckDB or Python cannot compute turned into an error about this
    check on these columns."""
    try:
        return run()
    except (duckdb.Error, TypeError, ValueError, ArithmeticError) as exc:
        types = ", ".join(f"{c} ({source.label(c)})" for c in named_columns(check))
        raise PipelineError(
            f"{table}: check {check_id} cannot be evaluated on {types or 'the table'}: "
            f"{type(exc).__name__}: {exc}. Check that the check's values fit the column types "
            "in the contract."
        ) from None


def _count(con, source: Source, checks, ids, plans: list[Plan], table: str):
    """The table's row count and each row-level check's failing-row count: one scan for every
    filter, one query for each grouping or join."""
    scanned = [
        i
        for i, plan in enumerate(plans)
        if plan.failing is not None and plan.count is None and not plan.joins
    ]
    filters = "".join(f", count(*) FILTER (WHERE {plans[i].failing})" for i in scanned)
    sql = f"SELECT count(*){filters} FROM {source.sql} AS t"
    try:
        row = con.execute(sql).fetchall()[0]
    except duckdb.Error:
        # Which check DuckDB could not compute: each on its own, the first to fail says so.
        for i in scanned:
            one = f"SELECT count(*) FROM {source.sql} AS t WHERE {plans[i].failing}"
            _guarded(lambda q=one: con.execute(q).fetchall()[0], source, checks[i], ids[i], table)
        raise
    counts = {ids[i]: int(n) for i, n in zip(scanned, row[1:], strict=True)}
    for i, plan in enumerate(plans):
        if plan.failing is not None and i not in scanned:
            query = plan.count or f"SELECT count(*) FROM {source.sql} AS t WHERE {plan.failing}"
            found = _guarded(
                lambda q=query: con.execute(q).fetchall()[0], source, checks[i], ids[i], table
            )
            counts[ids[i]] = int(found[0])
    return int(row[0]), counts


class _Sampler:
    """The first failing rows of a check in frame order: their key (or index) and the checked
    columns' values."""

    def __init__(self, con, source: Source, keys, index, order_by: str | None, size: int):
        self.con, self.source, self.keys, self.size = con, source, keys, size
        self.index_name, self.index_column = index
        self.order_by = order_by

    def rows(self, plan: Plan, columns: list[str]) -> list[dict]:
        by_position = self.keys is None and self.index_column is None
        ordered_scan = self.order_by is not None or not plan.joins
        if by_position or not ordered_scan:
            window = f"ORDER BY {sql_name(self.order_by)}" if self.order_by else ""
            numbered = (
                f"SELECT *, row_number() OVER ({window}) - 1 AS {POSITION} FROM {self.source.sql}"
            )
            frm, order = f"({numbered}) AS t", f" ORDER BY t.{POSITION}"
        else:
            frm = f"{self.source.sql} AS t"
            order = f" ORDER BY {col(self.order_by)}" if self.order_by else ""
        fields: list[tuple[str, str]] = []
        if self.keys is None:
            fields.append((self.index_name, col(self.index_column or POSITION)))
            shown = columns
        else:
            shown = self.keys + [c for c in columns if c not in self.keys]
        fields += [(c, col(c)) for c in shown]
        select = ", ".join(f"{expr} AS __f{i}" for i, (_, expr) in enumerate(fields))
        sql = f"SELECT {select} FROM {frm} WHERE {plan.failing}{order} LIMIT {int(self.size)}"
        sample = []
        for values in self.con.execute(sql).fetchall():
            row: dict = {}
            for (name, _), value in zip(fields, values, strict=True):
                row[name] = plain(value)
            sample.append(row)
        return sample
