"""Running a contract's steps: the operation registry (standard operations and named functions),
per-step change statistics, and conforming to the declared columns and types.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.core.types import dtype_for
from warehouse.silver.context import (
    SOURCE_ROW,
    Context,
    default_rule_id,
    require_columns,
    step_columns,
)
from warehouse.silver.functions import FUNCTIONS
from warehouse.silver.operations import (
    cast_series,
    op_case,
    op_cast,
    op_dedupe,
    op_map_values,
    op_null_tokens,
    op_parse_date,
    op_reject_when,
    op_trim,
    reject_uncastable,
)


def op_function(frame, step, ctx):
    """Call a named, unit-tested function from ``warehouse.silver.functions``."""
    function = FUNCTIONS.get(step["name"])
    if function is None:
        raise ctx.error(
            None,
            f"unknown function '{step['name']}' (known: {', '.join(sorted(FUNCTIONS))}).",
        )
    return function(frame, ctx, **step.get("args", {}))


OPERATIONS = {
    "trim": op_trim,
    "case": op_case,
    "null_tokens": op_null_tokens,
    "map_values": op_map_values,
    "cast": op_cast,
    "parse_date": op_parse_date,
    "dedupe": op_dedupe,
    "reject_when": op_reject_when,
    "function": op_function,
}


def count_changes(before: pd.Series, after: pd.Series, compare_text: bool = False) -> int:
    """How many values differ (missing vs present counts; two missing values are equal).

    When a step changed the column's type (a cast, a date parse) only values that became
    missing count, unless ``compare_text``: then values are compared as text, which costs more
    and is used for named functions, whose effect is otherwise invisible.
    """
    if not before.index.equals(after.index):
        before = before.reindex(after.index)
    if before.dtype != after.dtype and compare_text:
        before, after = before.astype("str"), after.astype("str")
    try:  # Arrow compares whole columns without copying masked subsets (NaN counts as missing)
        was, now = pa.array(before, from_pandas=True), pa.array(after, from_pandas=True)
        changed = pc.sum(pc.not_equal(pc.is_null(was), pc.is_null(now))).as_py() or 0
        if before.dtype != after.dtype:
            return int(changed)
        differs = pc.sum(pc.not_equal(was, now)).as_py() or 0  # null where either is missing
        return int(changed + differs)
    except (pa.ArrowException, TypeError):  # mixed Python objects, types Arrow cannot compare
        return _count_changes_pandas(before, after)


def _count_changes_pandas(before: pd.Series, after: pd.Series) -> int:
    was, now = before.isna(), after.isna()
    changed = was != now
    if before.dtype == after.dtype:
        both = ~was & ~now
        differs = (before[both] != after[both]).fillna(False).astype(bool)
        return int(changed.sum() + differs.sum())
    return int(changed.sum())


def apply_steps(frame: pd.DataFrame, steps: list[dict], ctx: Context):
    """Run the contract's steps in order; returns (clean frame, per-step statistics).

    The statistics say, per step, which columns it changed, how many values, and how many rows
    it rejected: what the reports show as "changes per rule".
    """
    stats = []
    for step in steps:
        ctx.rule_id = step.get("id") or default_rule_id(step)
        is_function = step["op"] == "function"
        watched = (
            [c for c in frame.columns if c != SOURCE_ROW] if is_function else step_columns(step)
        )
        before = {c: frame[c] for c in watched if c in frame.columns}
        rows_before = len(frame)
        frame = OPERATIONS[step["op"]](frame, step, ctx)
        changes = {
            c: count_changes(before[c], frame[c], compare_text=is_function)
            for c in before
            if c in frame.columns
        }
        if is_function:  # a function may add columns: every value it sets is a change
            for c in frame.columns:
                if c not in before and c != SOURCE_ROW:
                    changes[c] = int(frame[c].notna().sum())
            changes = {c: n for c, n in changes.items() if n}
        stats.append(
            {
                "id": ctx.rule_id,
                "op": f"function:{step['name']}" if is_function else step["op"],
                "columns": list(changes),
                "changed": sum(changes.values()),
                "rejected": rows_before - len(frame),
            }
        )
    return frame, stats


def conform(frame: pd.DataFrame, columns: list[dict], ctx: Context) -> pd.DataFrame:
    """Select the contract's columns in order and give each its declared type.

    A value that cannot take the declared type is rejected (rule ``type_<column>``), never
    silently made missing.
    """
    out = frame
    for spec in columns:
        name, to = spec["name"], spec["type"]
        ctx.rule_id = f"type_{name}"
        require_columns(out, [name], ctx)
        target = dtype_for(to)
        if out[name].dtype == target:
            continue
        if to == "date" and not pd.api.types.is_string_dtype(out[name].dtype):
            cast = out[name].astype(target)
            bad = pd.Series(False, index=out.index)
        else:
            cast, bad = cast_series(out[name], to)
        original = out[name]
        out = out.copy()
        out[name] = cast.astype(target)
        out = reject_uncastable(ctx, out, name, bad, original, to, "reject")
    return out[[spec["name"] for spec in columns] + [SOURCE_ROW]]
