"""What a check asserts, in words: the ``description`` of a check result when the contract
gives none (e.g. "cst_id is unique", "sls_sales == sls_quantity * sls_price")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


def describe(check: dict) -> str:
    """The contract's description of ``check``, or one made from its parameters."""
    return check.get("description") or DESCRIBERS[check["check"]](check)


def describe_operand(check: dict) -> str:
    """The right side of a compare check as written: a column, a number or a product."""
    right = check["right"]
    if isinstance(right, dict):
        return " * ".join(_text(part) for part in right["multiply"])
    return _text(right)


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
    "compare": lambda c: f"{c['left']} {c['op']} {describe_operand(c)}",
    "row_count": lambda c: f"the row count is {_bounds(c)}",
    "relationship": lambda c: (
        f"every {c['column']} exists in {c['references']['table']}.{c['references']['column']}"
    ),
    "sum_equals": lambda c: (
        f"the sum of {c['column']} equals the sum of "
        f"{c['references']['table']}.{c['references']['column']}"
    ),
}
