"""What a check must look like before it runs: its fields and their kinds, its id, the columns it
names and the related tables it needs, checked against the table's columns only (no data, no
engine), so a typo fails fast on a table of any size.

Contracts are validated against their JSON Schema before they get here, so this mostly verifies
what the schema cannot: that the columns and related tables a check names exist. It still checks
each check's shape (required fields and their kinds), so a contract that reaches the engine by
another way gets a PipelineError naming the table, the check and the fix, never a KeyError.
Whether the values fit the column *types* is the engine's to check
(:mod:`warehouse.quality.sql_compile`).
"""

from __future__ import annotations

import datetime as dt
import decimal

from warehouse.core.errors import PipelineError
from warehouse.core.regex import SYNTAX, regex_problem

DEFAULT_SEVERITY = "error"
SEVERITIES = ("error", "warn")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")
KINDS = (
    "not_null",
    "unique",
    "accepted_values",
    "range",
    "no_stray_spaces",
    "regex",
    "compare",
    "row_count",
    "relationship",
    "sum_equals",
)


def operand_columns(right) -> list[str]:
    """The columns the right side of a compare names: a column, or the columns of a product."""
    if isinstance(right, str):
        return [right]
    if isinstance(right, dict):
        return [part for part in right["multiply"] if isinstance(part, str)]
    return []


def named_columns(check: dict) -> list[str]:
    """The table's columns a check names, in contract order (the referenced table's excluded)."""
    names = list(check.get("columns", []))
    for field in ("column", "left"):
        if field in check:
            names.append(check[field])
    names.extend(operand_columns(check.get("right")))
    # A column named twice (e.g. price * price) is still one column.
    return list(dict.fromkeys(names))


def validate_checks(
    checks: list,
    *,
    table: str,
    columns: list[str],
    related: dict[str, list[str]],
) -> list[str]:
    """The id of each check, after checking every check's shape, that ids are unique, and that
    the columns and related tables (``related``: table name -> its columns) they name exist.

    Raises ``PipelineError`` (with a message meant for the contract's author) for a malformed
    check, an unknown check type, a column the table lacks, a missing related table, duplicate
    check ids or a regular expression RE2 cannot compile.
    """
    for position, check in enumerate(checks):
        _validate_shape(check, position, table)
    ids = [_check_id(check) for check in checks]
    _reject_duplicate_ids(ids, table)
    for check, check_id in zip(checks, ids, strict=True):
        _validate(check, check_id, columns, table, related)
    return ids


def key_columns(key, columns: list[str], table: str) -> list[str] | None:
    """The key columns for samples: ``key`` when given (checked), ``_source_row`` when the table
    has one, else None (rows are identified by their position)."""
    if key is None:
        return ["_source_row"] if "_source_row" in columns else None
    if not _is_names(key):
        raise PipelineError(
            f"{table}: the key is {key!r}, but it must be a list of column names. "
            "Fix the contract's key."
        )
    missing = [c for c in key if c not in columns]
    if missing:
        raise PipelineError(
            f"{table}: key column '{missing[0]}' is not in the table "
            f"(columns: {_available(columns)}). Fix the contract's key."
        )
    return list(key)


# --- Shapes -----------------------------------------------------------------------------------


def _is_name(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_names(value) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_name(v) for v in value)


def is_number(value) -> bool:
    """Whether a contract value is a number (bools count, as in YAML's and Python's eyes)."""
    return isinstance(value, int | float | decimal.Decimal)


def _is_operand(value) -> bool:
    if isinstance(value, dict):
        parts = value.get("multiply")
        return isinstance(parts, list) and all(_is_name(p) or is_number(p) for p in parts)
    return _is_name(value) or is_number(value)


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
    "range": (lambda v: is_number(v) or isinstance(v, str | dt.date), "a number or an ISO date"),
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
    if kind not in REQUIRED:
        problem = "lacks 'check', its type" if kind is None else f"has unknown type {kind!r}"
        raise PipelineError(
            f"{table}: check {label} {problem} (known types: {_available(KINDS)}). "
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


def _validate(
    check: dict, check_id: str, columns: list[str], table: str, related: dict[str, list[str]]
) -> None:
    for column in named_columns(check):
        if column not in columns:
            raise PipelineError(
                f"{table}: check {check_id} names column '{column}', which the table does not "
                f"have (columns: {_available(columns)}). Fix the contract."
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
        if ref_column not in related[ref_table]:
            raise PipelineError(
                f"{table}: check {check_id} references column '{ref_column}' of table "
                f"'{ref_table}', which that table does not have "
                f"(columns: {_available(related[ref_table])}). Fix the contract."
            )
    # Compiled by RE2, the engine the check runs on (DuckDB's regexp functions are RE2 too).
    if check["check"] == "regex" and (problem := regex_problem(check["pattern"])):
        raise PipelineError(
            f"{table}: check {check_id} has an invalid regular expression "
            f"{check['pattern'][:200]!r}: {problem} (RE2 syntax: {SYNTAX}). Fix the contract."
        )
