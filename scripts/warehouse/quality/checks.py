"""Data-quality checks: the checks a table contract declares, evaluated against a DataFrame.

Contracts are validated against their JSON Schema before they get here, so this engine mostly
verifies what the schema cannot: that the columns and related tables a check names exist. It
still checks each check's shape (required fields and their kinds), so a contract that reaches it
by another way gets a PipelineError naming the table, the check and the fix, never a KeyError.
The checks themselves are evaluated column-wise by :mod:`warehouse.quality.evaluators`, so a
six-million-row fact table is checked in seconds.

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

import numpy as np
import pandas as pd

from warehouse.core.errors import PipelineError
from warehouse.core.regex import SYNTAX, regex_problem
from warehouse.quality.descriptions import describe
from warehouse.quality.evaluators import (
    EVALUATORS,
    OPERATORS,
    TYPE_ERRORS,
    CheckContext,
    operand_columns,
    plain,
)

DEFAULT_SEVERITY = "error"
SEVERITIES = ("error", "warn")


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

    Raises ``PipelineError`` (with a message meant for the contract's author) for a malformed
    check, an unknown check type, a column the frame lacks, a missing related table, duplicate
    check ids, or values that do not fit the column's type. All checks are validated before any
    is evaluated, so a typo fails fast on a large table.
    """
    related = related or {}
    key_columns = _key_columns(frame, key, table)
    for position, check in enumerate(checks):
        _validate_shape(check, position, table)
    ids = [_check_id(check) for check in checks]
    _reject_duplicate_ids(ids, table)
    for check, check_id in zip(checks, ids, strict=True):
        _validate(check, check_id, frame, table, related)

    context = CheckContext(frame, table, key_columns, related, sample_size)
    return [
        _evaluate(check, check_id, context) for check, check_id in zip(checks, ids, strict=True)
    ]


def named_columns(check: dict) -> list[str]:
    """The frame's columns a check names, in contract order (the referenced table's excluded)."""
    names = list(check.get("columns", []))
    for field in ("column", "left"):
        if field in check:
            names.append(check[field])
    names.extend(operand_columns(check.get("right")))
    # A column named twice (e.g. price * price) is still one column.
    return list(dict.fromkeys(names))


# --- Validation -------------------------------------------------------------------------------


def _is_name(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_names(value) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_name(v) for v in value)


def _is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal)


def _is_operand(value) -> bool:
    if isinstance(value, dict):
        parts = value.get("multiply")
        return isinstance(parts, list) and all(_is_name(p) or _is_number(p) for p in parts)
    return _is_name(value) or _is_number(value)


def _is_reference(value) -> bool:
    return (
        isinstance(value, dict) and _is_name(value.get("table")) and _is_name(value.get("column"))
    )


# Field -> (test, what the contract must give). The contract schema says the same; this is what
# the engine relies on, so that a check that bypassed the schema fails with a clear message.
FIELDS = {
    "id": (_is_name, "a name such as sales_positive"),
    "columns": (_is_names, "a list of column names"),
    "column": (_is_name, "a column name"),
    "left": (_is_name, "a column name"),
    "values": (lambda v: isinstance(v, list) and bool(v), "a list of values"),
    "pattern": (lambda v: isinstance(v, str), "a regular expression in quotes"),
    "op": (lambda v: v in OPERATORS, "one of " + " ".join(OPERATORS)),
    "right": (_is_operand, "a column name, a number or {multiply: [columns and numbers]}"),
    "references": (_is_reference, "{table: <table>, column: <column>}"),
    "severity": (lambda v: v in SEVERITIES, "error or warn"),
    "allow_null": (lambda v: isinstance(v, bool), "true or false"),
    "strict": (lambda v: isinstance(v, bool), "true or false"),
}
# Range bounds are numbers or dates; row counts are whole numbers.
BOUNDS = {
    "range": (lambda v: _is_number(v) or isinstance(v, str | dt.date), "a number or an ISO date"),
    "row_count": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "a whole number, 0 or more",
    ),
}
REQUIRED = {
    "not_null": ("columns",),
    "unique": ("columns",),
    "no_stray_spaces": ("columns",),
    "accepted_values": ("column", "values"),
    "range": ("column",),
    "regex": ("column", "pattern"),
    "compare": ("left", "op", "right"),
    "row_count": (),
    "relationship": ("column", "references"),
    "sum_equals": ("column", "references"),
}


def _validate_shape(check, position: int, table: str) -> None:
    """Raise a PipelineError when a check lacks a field or gives one of the wrong kind; the
    check is named by its id, or by its place in the contract's checks when it has none."""
    label = f"checks[{position}]"
    if not isinstance(check, dict):
        raise PipelineError(
            f"{table}: check {label} is {check!r}, not a mapping such as "
            "{check: not_null, columns: [...]}. Fix the contract."
        )
    if isinstance(check.get("id"), str):
        label = check["id"]
    kind = check.get("check")
    if kind not in EVALUATORS:
        problem = "lacks 'check', its type" if kind is None else f"has unknown type {kind!r}"
        raise PipelineError(
            f"{table}: check {label} {problem} (known types: {_available(EVALUATORS)}). "
            "Fix the contract."
        )
    for field in REQUIRED[kind]:
        if field not in check:
            raise PipelineError(
                f"{table}: check {label} ({kind}) lacks '{field}' "
                f"({FIELDS[field][1]}). Fix the contract."
            )
    fields = {**FIELDS, "min": BOUNDS.get(kind), "max": BOUNDS.get(kind)}
    for field, value in check.items():
        test, what = fields.get(field) or (None, None)
        if test is not None and value is not None and not test(value):
            raise PipelineError(
                f"{table}: check {label} ({kind}) has {field}: {value!r}, but {field} must be "
                f"{what}. Fix the contract."
            )


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
            raise PipelineError(
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
    if not _is_names(key):
        raise PipelineError(
            f"{table}: the key is {key!r}, but it must be a list of column names. "
            "Fix the contract's key."
        )
    missing = [c for c in key if c not in frame.columns]
    if missing:
        raise PipelineError(
            f"{table}: key column '{missing[0]}' is not in the table "
            f"(columns: {_available(frame.columns)}). Fix the contract's key."
        )
    return list(key)


def _validate(check: dict, check_id: str, frame: pd.DataFrame, table: str, related: dict) -> None:
    for column in named_columns(check):
        if column not in frame.columns:
            raise PipelineError(
                f"{table}: check {check_id} names column '{column}', which the table does not "
                f"have (columns: {_available(frame.columns)}). Fix the contract."
            )
    if "references" in check:
        ref_table, ref_column = check["references"]["table"], check["references"]["column"]
        if ref_table not in related:
            given = _available(related) or "none"
            raise PipelineError(
                f"{table}: check {check_id} references table '{ref_table}', which was not "
                f"given to the checks (related tables given: {given}). Make '{ref_table}' an "
                "input of this step or fix the contract."
            )
        if ref_column not in related[ref_table].columns:
            raise PipelineError(
                f"{table}: check {check_id} references column '{ref_column}' of table "
                f"'{ref_table}', which that table does not have "
                f"(columns: {_available(related[ref_table].columns)}). Fix the contract."
            )
    # Compiled by RE2, the engine the check runs on (warehouse.core.regex).
    if check["check"] == "regex" and (problem := regex_problem(check["pattern"])):
        raise PipelineError(
            f"{table}: check {check_id} has an invalid regular expression "
            f"{check['pattern'][:200]!r}: {problem} (RE2 syntax: {SYNTAX}). Fix the contract."
        )


# --- Evaluation -------------------------------------------------------------------------------


def _evaluate(check: dict, check_id: str, ctx: CheckContext) -> dict:
    columns = named_columns(check)
    try:
        outcome = EVALUATORS[check["check"]](check, check_id, ctx)
    except TYPE_ERRORS as exc:
        # The evaluators turn the mismatches a contract can make into PipelineErrors; whatever
        # else pandas or Arrow cannot compute is still about this check on these columns.
        types = ", ".join(f"{c} ({ctx.frame[c].dtype})" for c in columns) or "the table"
        raise ctx.error(
            check_id,
            f"cannot be evaluated on {types}: {type(exc).__name__}: {exc}",
            "Check that the check's values fit the column types in the contract",
        ) from None
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
        "description": describe(check),
    }
    if details is not None:
        result["details"] = details
    return result


def _sample(ctx: CheckContext, failing: np.ndarray, columns: list[str]) -> list[dict]:
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
        {name: plain(values[i]) for name, values in fields.items()} for i in range(len(positions))
    ]
