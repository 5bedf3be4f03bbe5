"""How each check type is evaluated on a DataFrame, column-wise (pandas / Arrow kernels, never a
Python loop over rows).

An evaluator takes the check, its id and a :class:`CheckContext` and returns either a boolean
mask of failing rows (a row-level check) or ``(failing_rows, details)`` (a table-level check).
Missing values are "not applicable" except where a check says otherwise (``not_null``,
``accepted_values`` with ``allow_null: false``). A check whose values do not fit the column's
type (a text bound for a number, a sum of text) raises a PipelineError naming the table and
the check.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.core.errors import PipelineError
from warehouse.core.regex import full_match
from warehouse.quality.descriptions import describe_operand

FLOAT_REL_TOL = 1e-9  # compare ==/!= on floats
SUM_REL_TOL = 1e-6  # sum_equals: sums of millions of floats drift further

OPERATORS: dict[str, Callable] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# What pandas and Arrow raise when values of two types cannot be compared or combined.
TYPE_ERRORS = (TypeError, ValueError, NotImplementedError, pa.ArrowException)


@dataclass(frozen=True)
class CheckContext:
    """What every evaluator needs besides the check itself."""

    frame: pd.DataFrame
    table: str
    key_columns: list[str] | None
    related: dict[str, pd.DataFrame]
    sample_size: int

    def error(self, check_id: str, message: str, remedy: str = "Fix the contract") -> PipelineError:
        """A user-facing error about one check of this table."""
        return PipelineError(f"{self.table}: check {check_id} {message}. {remedy}.")


def operand_columns(right) -> list[str]:
    """The columns the right side of a compare names: a column, or the columns of a product."""
    if isinstance(right, str):
        return [right]
    if isinstance(right, dict):
        return [part for part in right["multiply"] if isinstance(part, str)]
    return []


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
        bound = _range_bound(series, check, "min", ctx, check_id)
        holds &= _to_mask(series > bound if strict else series >= bound)
    if check.get("max") is not None:
        bound = _range_bound(series, check, "max", ctx, check_id)
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
    # RE2, not pandas' str.fullmatch: that hands non-ASCII data to Python's backtracking re.
    return series.notna().to_numpy() & ~full_match(series, check["pattern"])


def _check_compare(check, check_id, ctx):
    left = ctx.frame[check["left"]]
    op = check["op"]
    try:
        # Inside the try: a product of a text or date column cannot be formed either.
        right = _right_operand(check["right"], ctx.frame)
        if op in ("==", "!=") and (_is_float(left) or _is_float(right)):
            equal = _close(left, right)
            holds = equal if op == "==" else ~equal
        else:
            holds = _to_mask(OPERATORS[op](left, right))
    except TYPE_ERRORS as exc:
        raise ctx.error(
            check_id,
            f"cannot compare {check['left']} ({left.dtype}) {op} {describe_operand(check)}: {exc}",
        ) from None
    # A product is missing when any factor is, so the named columns cover every operand.
    columns = [check["left"], *operand_columns(check["right"])]
    return _present(ctx.frame, columns) & ~holds


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
    ref_table, ref_column = check["references"]["table"], check["references"]["column"]
    series = ctx.frame[check["column"]]
    reference = ctx.related[ref_table][ref_column]
    for name, values in ((check["column"], series), (f"{ref_table}.{ref_column}", reference)):
        if not (
            pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
        ):
            raise ctx.error(
                check_id,
                f"sums column {name} of type {values.dtype}, but sums need numeric columns",
            )
    total = plain(series.sum())
    reference_total = plain(reference.sum())
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


def _range_bound(series: pd.Series, check: dict, field: str, ctx: CheckContext, check_id: str):
    """A range's ``min`` or ``max`` as the column's own type; a bound of another type is an
    error of the contract (a number for a date column, a text for a numeric one)."""
    value = check[field]
    if _is_temporal(series.dtype):
        if not isinstance(value, str | dt.date):
            raise ctx.error(
                check_id,
                f"has {field} {value!r} for the date column '{check['column']}'",
                "Give an ISO date such as 2020-01-31 in the contract",
            )
        return _as_column_value(series, value, ctx, check_id)
    if not isinstance(value, int | float | decimal.Decimal):
        raise ctx.error(
            check_id,
            f"has {field} {value!r} for the numeric column '{check['column']}' ({series.dtype})",
            "Give a number (unquoted) in the contract",
        )
    return value


def _as_column_value(series: pd.Series, value, ctx: CheckContext, check_id: str):
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


def _string_column(ctx: CheckContext, check_id: str, column: str) -> pd.Series:
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


def plain(value):
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
