"""Data-quality checks: the checks a table contract declares, evaluated against a DataFrame.

Contracts are validated against their JSON Schema before they get here, so this module trusts
the shape of each check and only verifies what the schema cannot: that the columns and related
tables a check names exist. Every check is evaluated column-wise (pandas / Arrow kernels, never
a Python loop over rows), so a six-million-row fact table is checked in seconds.

Missing values (NA, NaN, None) are never a failure except in ``not_null`` and in
``accepted_values`` with ``allow_null: false``; checks that look at values treat a missing one
as "not applicable".

Each result is a plain, JSON-serialisable dict::

    {"id", "table", "check", "columns", "severity", "status", "failing_rows", "rows_checked",
     "sample", "description", "details" (only some checks)}

``rows_checked`` is always the number of rows in the frame, so that results of one table can be
compared with each other. ``sample`` holds up to ``sample_size`` failing rows in frame order,
each as a dict of the key columns plus the checked columns' values.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

FLOAT_REL_TOL = 1e-9  # compare ==/!= on floats
SUM_REL_TOL = 1e-6  # sum_equals: sums of millions of floats drift further
DEFAULT_SEVERITY = "error"

OPERATORS: dict[str, Callable] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def run_checks(
    frame: pd.DataFrame,
    checks: list[dict],
    *,
    table: str,
    key: list[str] | None = None,
    related: dict[str, pd.DataFrame] | None = None,
    sample_size: int = 5,
) -> list[dict]:
    """Evaluate ``checks`` against ``frame`` and return one result dict per check, in order.

    ``key`` names the columns that identify a row in the failing-rows sample; without it the
    ``_source_row`` column is used when the frame has one, else the index. ``related`` maps
    table names to the frames that ``relationship`` and ``sum_equals`` checks refer to.

    Raises ``ValueError`` (with a message meant for the contract's author) for an unknown check
    type, a column the frame lacks, a missing related table or duplicate check ids. All checks
    are validated before any is evaluated, so a typo fails fast on a large table.
    """
    related = related or {}
    key_columns = _key_columns(frame, key, table)
    ids = [_check_id(check) for check in checks]
    _reject_duplicate_ids(ids, table)
    for check, check_id in zip(checks, ids, strict=True):
        _validate(check, check_id, frame, table, related)

    context = _Context(frame, table, key_columns, related, sample_size)
    return [
        _evaluate(check, check_id, context) for check, check_id in zip(checks, ids, strict=True)
    ]


def failed(results: list[dict], severity: str = "error") -> list[dict]:
    """The results that failed with the given severity ("error" or "warn")."""
    return [r for r in results if r["status"] == "fail" and r["severity"] == severity]


def summarize(results: list[dict]) -> dict:
    """Counts for a report headline: total, passed, failed errors and failed warnings."""
    return {
        "total": len(results),
        "passed": sum(r["status"] == "pass" for r in results),
        "failed_error": len(failed(results, "error")),
        "failed_warn": len(failed(results, "warn")),
    }


# --- Validation -------------------------------------------------------------------------------


def named_columns(check: dict) -> list[str]:
    """The frame's columns a check names, in contract order (the referenced table's excluded)."""
    names = list(check.get("columns", []))
    for field in ("column", "left"):
        if field in check:
            names.append(check[field])
    right = check.get("right")
    if isinstance(right, str):
        names.append(right)
    elif isinstance(right, dict):
        names.extend(part for part in right["multiply"] if isinstance(part, str))
    # A column named twice (e.g. price * price) is still one column.
    return list(dict.fromkeys(names))


def _check_id(check: dict) -> str:
    if "id" in check:
        return check["id"]
    if check["check"] == "row_count":
        return "row_count"
    return "_".join([check["check"], *named_columns(check)])


def _reject_duplicate_ids(ids: list[str], table: str) -> None:
    # Reports and failure lists are keyed by id, so two checks must not share one. Default ids
    # collide when a column has two checks of one type (say, an error and a warn range).
    seen: set[str] = set()
    for check_id in ids:
        if check_id in seen:
            raise ValueError(
                f"{table}: two checks have the id '{check_id}'. Give at least one of them an "
                "explicit 'id' in the contract."
            )
        seen.add(check_id)


def _available(columns) -> str:
    return ", ".join(str(c) for c in columns)


def _key_columns(frame: pd.DataFrame, key: list[str] | None, table: str) -> list[str] | None:
    """The key columns for samples, or None when the index identifies rows."""
    if key is None:
        return ["_source_row"] if "_source_row" in frame.columns else None
    missing = [c for c in key if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{table}: key column '{missing[0]}' is not in the table "
            f"(columns: {_available(frame.columns)}). Fix the contract's key."
        )
    return list(key)


def _validate(check: dict, check_id: str, frame: pd.DataFrame, table: str, related: dict) -> None:
    kind = check["check"]
    if kind not in EVALUATORS:
        raise ValueError(
            f"{table}: check {check_id} has unknown type '{kind}' "
            f"(known types: {_available(EVALUATORS)}). Fix the contract."
        )
    for column in named_columns(check):
        if column not in frame.columns:
            raise ValueError(
                f"{table}: check {check_id} names column '{column}', which the table does not "
                f"have (columns: {_available(frame.columns)}). Fix the contract."
            )
    if "references" in check:
        ref_table, ref_column = check["references"]["table"], check["references"]["column"]
        if ref_table not in related:
            given = _available(related) or "none"
            raise ValueError(
                f"{table}: check {check_id} references table '{ref_table}', which was not "
                f"given to the checks (related tables given: {given}). Make '{ref_table}' an "
                "input of this step or fix the contract."
            )
        if ref_column not in related[ref_table].columns:
            raise ValueError(
                f"{table}: check {check_id} references column '{ref_column}' of table "
                f"'{ref_table}', which that table does not have "
                f"(columns: {_available(related[ref_table].columns)}). Fix the contract."
            )
    if kind == "regex":
        try:
            re.compile(check["pattern"])
        except re.error as exc:
            raise ValueError(
                f"{table}: check {check_id} has an invalid regular expression "
                f"{check['pattern']!r}: {exc}. Fix the contract."
            ) from None


# --- Evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every evaluator needs besides the check itself."""

    frame: pd.DataFrame
    table: str
    key_columns: list[str] | None
    related: dict[str, pd.DataFrame]
    sample_size: int

    def error(self, check_id: str, message: str) -> ValueError:
        """A user-facing error about one check of this table."""
        return ValueError(f"{self.table}: check {check_id} {message}. Fix the contract.")


def _evaluate(check: dict, check_id: str, ctx: _Context) -> dict:
    columns = named_columns(check)
    outcome = EVALUATORS[check["check"]](check, check_id, ctx)
    if isinstance(outcome, np.ndarray):
        # Row-level check: the outcome is a boolean mask of failing rows.
        failing_rows = int(outcome.sum())
        sample = _sample(ctx, outcome, columns) if failing_rows else []
        details = None
    else:
        # Table-level check: (failing_rows, details), never a row sample.
        failing_rows, details = outcome
        sample = []
    result = {
        "id": check_id,
        "table": ctx.table,
        "check": check["check"],
        "columns": columns,
        "severity": check.get("severity", DEFAULT_SEVERITY),
        "status": "fail" if failing_rows else "pass",
        "failing_rows": failing_rows,
        "rows_checked": len(ctx.frame),
        "sample": sample,
        "description": check.get("description") or DESCRIBERS[check["check"]](check),
    }
    if details is not None:
        result["details"] = details
    return result


def _present(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows where none of ``columns`` is missing."""
    present = np.ones(len(frame), dtype=bool)
    for column in columns:
        present &= frame[column].notna().to_numpy()
    return present


def _to_mask(condition: pd.Series) -> np.ndarray:
    # Comparisons give NA (masked and Arrow dtypes) or False (NaN-backed strings) for missing
    # values. Every caller ANDs the result with a presence mask, so NA can become anything.
    return condition.to_numpy(dtype=bool, na_value=False)


def _check_not_null(check, check_id, ctx):
    return ~_present(ctx.frame, check["columns"])


def _check_unique(check, check_id, ctx):
    columns = check["columns"]
    present = _present(ctx.frame, columns)
    failing = np.zeros(len(ctx.frame), dtype=bool)
    failing[present] = ctx.frame.loc[present, columns].duplicated(keep=False).to_numpy()
    return failing


def _check_accepted_values(check, check_id, ctx):
    series = ctx.frame[check["column"]]
    values = [_as_column_value(series, v, ctx, check_id) for v in check["values"]]
    present = series.notna().to_numpy()
    failing = present & ~_to_mask(series.isin(values))
    if check.get("allow_null", True) is False:
        failing |= ~present
    return failing


def _check_range(check, check_id, ctx):
    series = ctx.frame[check["column"]]
    if not (pd.api.types.is_numeric_dtype(series.dtype) or _is_temporal(series.dtype)):
        raise ctx.error(
            check_id,
            f"is a range on column '{check['column']}' of type {series.dtype}, but ranges need "
            "a numeric or date column",
        )
    strict = check.get("strict", False)
    holds = np.ones(len(series), dtype=bool)
    if check.get("min") is not None:
        bound = _as_column_value(series, check["min"], ctx, check_id)
        holds &= _to_mask(series > bound if strict else series >= bound)
    if check.get("max") is not None:
        bound = _as_column_value(series, check["max"], ctx, check_id)
        holds &= _to_mask(series < bound if strict else series <= bound)
    return series.notna().to_numpy() & ~holds


def _check_no_stray_spaces(check, check_id, ctx):
    failing = np.zeros(len(ctx.frame), dtype=bool)
    for column in check["columns"]:
        series = _string_column(ctx, check_id, column)
        stray = (series != series.str.strip()) | (series == "")
        failing |= series.notna().to_numpy() & _to_mask(stray)
    return failing


def _check_regex(check, check_id, ctx):
    series = _string_column(ctx, check_id, check["column"])
    matches = series.str.fullmatch(check["pattern"])
    return series.notna().to_numpy() & ~_to_mask(matches)


def _check_compare(check, check_id, ctx):
    left = ctx.frame[check["left"]]
    right = _right_operand(check["right"], ctx.frame)
    op = check["op"]
    try:
        if op in ("==", "!=") and (_is_float(left) or _is_float(right)):
            equal = _close(left, right)
            holds = equal if op == "==" else ~equal
        else:
            holds = _to_mask(OPERATORS[op](left, right))
    except (TypeError, NotImplementedError, pa.ArrowException) as exc:
        raise ctx.error(
            check_id,
            f"cannot compare {check['left']} ({left.dtype}) {op} {_describe_operand(check)}: {exc}",
        ) from None
    # A product is missing when any factor is, so the named columns cover every operand.
    return _present(ctx.frame, named_columns(check)) & ~holds


def _check_relationship(check, check_id, ctx):
    series = ctx.frame[check["column"]]
    reference = ctx.related[check["references"]["table"]][check["references"]["column"]]
    known = reference.dropna().unique()
    return series.notna().to_numpy() & ~_to_mask(series.isin(known))


def _check_row_count(check, check_id, ctx):
    rows = len(ctx.frame)
    too_few = check.get("min") is not None and rows < check["min"]
    too_many = check.get("max") is not None and rows > check["max"]
    return (rows if too_few or too_many else 0), {"rows": rows}


def _check_sum_equals(check, check_id, ctx):
    total = _plain(ctx.frame[check["column"]].sum())
    reference = ctx.related[check["references"]["table"]][check["references"]["column"]]
    reference_total = _plain(reference.sum())
    close = math.isclose(total, reference_total, rel_tol=SUM_REL_TOL)
    return (0 if close else 1), {"sum": total, "reference_sum": reference_total}


EVALUATORS: dict[str, Callable] = {
    "not_null": _check_not_null,
    "unique": _check_unique,
    "accepted_values": _check_accepted_values,
    "range": _check_range,
    "no_stray_spaces": _check_no_stray_spaces,
    "regex": _check_regex,
    "compare": _check_compare,
    "row_count": _check_row_count,
    "relationship": _check_relationship,
    "sum_equals": _check_sum_equals,
}


# --- Helpers for values and types -------------------------------------------------------------


def _is_temporal(dtype) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_temporal(dtype.pyarrow_dtype)
    return pd.api.types.is_datetime64_any_dtype(dtype)


def _is_date(dtype) -> bool:
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype)


def _is_float(operand) -> bool:
    if isinstance(operand, pd.Series):
        return pd.api.types.is_float_dtype(operand.dtype)
    return isinstance(operand, float)


def _as_column_value(series: pd.Series, value, ctx: _Context, check_id: str):
    """A contract value (e.g. the ISO string "1900-01-01") as the column's own type."""
    if not (_is_temporal(series.dtype) and isinstance(value, str | dt.date)):
        return value
    try:
        # fromisoformat, not pd.Timestamp: it would also read "01/02/1900", ambiguously.
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if _is_date(series.dtype):
            return value.date() if isinstance(value, dt.datetime) else value
        return pd.Timestamp(value)
    except ValueError:
        raise ctx.error(
            check_id, f"has the value {value!r} for a date column, which is not an ISO date"
        ) from None


def _string_column(ctx: _Context, check_id: str, column: str) -> pd.Series:
    series = ctx.frame[column]
    if not pd.api.types.is_string_dtype(series.dtype):
        raise ctx.error(check_id, f"needs a text column, but '{column}' has type {series.dtype}")
    return series


def _right_operand(right, frame: pd.DataFrame):
    """The right side of a compare: a column, a number, or a product of columns and numbers."""
    if isinstance(right, str):
        return frame[right]
    if isinstance(right, dict):
        product = 1
        for part in right["multiply"]:
            product = product * (frame[part] if isinstance(part, str) else part)
        return product
    return right


def _floats(operand) -> np.ndarray | float:
    if isinstance(operand, pd.Series):
        return operand.to_numpy(dtype="float64", na_value=np.nan)
    return float(operand)


def _close(left, right) -> np.ndarray:
    """Element-wise equality within a relative tolerance (missing values give False)."""
    a, b = _floats(left), _floats(right)
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= FLOAT_REL_TOL * np.maximum(np.abs(a), np.abs(b))


def _plain(value):
    """A scalar as a JSON-friendly Python value: None for missing, ISO strings for dates."""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _sample(ctx: _Context, failing: np.ndarray, columns: list[str]) -> list[dict]:
    """The first ``sample_size`` failing rows: their key plus the checked columns' values."""
    positions = np.flatnonzero(failing)[: ctx.sample_size]
    rows = ctx.frame.iloc[positions]
    fields: dict[str, list] = {}
    if ctx.key_columns is None:
        fields[str(ctx.frame.index.name or "index")] = rows.index.tolist()
        shown = columns
    else:
        shown = ctx.key_columns + [c for c in columns if c not in ctx.key_columns]
    for column in shown:
        fields[column] = rows[column].tolist()
    return [
        {name: _plain(values[i]) for name, values in fields.items()} for i in range(len(positions))
    ]


# --- Descriptions -----------------------------------------------------------------------------


def _join(columns: list[str]) -> str:
    return columns[0] if len(columns) == 1 else ", ".join(columns[:-1]) + " and " + columns[-1]


def _text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _bounds(check: dict) -> str:
    strict = check.get("strict", False)
    parts = []
    if check.get("min") is not None:
        parts.append(("greater than " if strict else "at least ") + _text(check["min"]))
    if check.get("max") is not None:
        parts.append(("less than " if strict else "at most ") + _text(check["max"]))
    return " and ".join(parts) or "unbounded"


def _describe_operand(check: dict) -> str:
    right = check["right"]
    if isinstance(right, dict):
        return " * ".join(_text(part) for part in right["multiply"])
    return _text(right)


def _describe_unique(check):
    columns = check["columns"]
    if len(columns) == 1:
        return f"{columns[0]} is unique"
    return f"the combination of {_join(columns)} is unique"


def _describe_accepted_values(check):
    text = f"{check['column']} is one of {', '.join(_text(v) for v in check['values'])}"
    if check.get("allow_null", True) is False:
        text += " and is never missing"
    return text


DESCRIBERS: dict[str, Callable[[dict], str]] = {
    "not_null": lambda c: (
        f"{_join(c['columns'])} " + ("is" if len(c["columns"]) == 1 else "are") + " never missing"
    ),
    "unique": _describe_unique,
    "accepted_values": _describe_accepted_values,
    "range": lambda c: f"{c['column']} is {_bounds(c)}",
    "no_stray_spaces": lambda c: (
        f"{_join(c['columns'])} "
        + ("has" if len(c["columns"]) == 1 else "have")
        + " no leading or trailing spaces and no empty strings"
    ),
    "regex": lambda c: f"{c['column']} fully matches the pattern {c['pattern']}",
    "compare": lambda c: f"{c['left']} {c['op']} {_describe_operand(c)}",
    "row_count": lambda c: f"the row count is {_bounds(c)}",
    "relationship": lambda c: (
        f"every {c['column']} exists in {c['references']['table']}.{c['references']['column']}"
    ),
    "sum_equals": lambda c: (
        f"the sum of {c['column']} equals the sum of "
        f"{c['references']['table']}.{c['references']['column']}"
    ),
}
