"""The checks that compute: ``compare``, and the table-level ``row_count`` and ``sum_equals``.

``compare`` is ``left op right``, where right is a column, a number or a product of columns and
numbers, on every row where all of them are present. Both sides must be of one family: numbers
(integers, floats and booleans as 0 and 1), texts or dates. ``==`` and ``!=`` with a float on
either side hold within a relative tolerance of 1e-9 (``|a - b| <= 1e-9 * max(|a|, |b|)``, NaN
equal to nothing); an ordering with NaN never holds. Sides of two families are the contract's
mistake and raise a PipelineError, except an ``==`` or ``!=`` without floats, which is simply
never equal (as it always was).

``row_count`` fails with all its rows when their number is out of bounds; ``sum_equals`` compares
the column's sum with the referenced column's within a relative 1e-6, both summed as before.
"""

from __future__ import annotations

import decimal
import math

from warehouse.quality.descriptions import describe_operand
from warehouse.quality.spec import operand_columns
from warehouse.quality.sql_compile import (
    FLOAT_REL_TOL,
    Context,
    Plan,
    col,
    number_literal,
    numeric,
    plain,
)
from warehouse.quality.sums import numpy_sum

SUM_REL_TOL = 1e-6  # sum_equals: sums of millions of floats drift further

_WORDS = {"number": "a number", "text": "a text", "date": "a date", "other": "another"}


def _is_float_constant(value) -> bool:
    return isinstance(value, float | decimal.Decimal)


def _operand(check: dict, ctx: Context, fail) -> tuple[str, str, bool]:
    """The right side as (SQL expression, family, whether it is a float)."""
    source, right = ctx.source, check["right"]
    if isinstance(right, str):
        return numeric(source, right), source.family(right), source.kind(right) == "float"
    if not isinstance(right, dict):
        return number_literal(right), "number", _is_float_constant(right)
    # As before, leading numbers are multiplied in Python (1 * 0.5 * 2 ...), then each column
    # and number in turn, left to right.
    factors, is_float, constant = [], False, 1
    for part in right["multiply"]:
        if isinstance(part, str):
            if source.family(part) != "number":
                fail(f"cannot multiply {part} ({source.label(part)}), which is not a number")
            factors.append(numeric(source, part))
            is_float |= source.kind(part) == "float"
        elif factors:
            factors.append(number_literal(part))
            is_float |= _is_float_constant(part)
        else:
            constant = constant * part
    is_float |= _is_float_constant(constant)
    if not factors:
        return number_literal(constant), "number", is_float
    if constant != 1 or _is_float_constant(constant):
        factors.insert(0, number_literal(constant))
    expr = factors[0]
    for factor in factors[1:]:
        expr = f"({expr} * {factor})"
    return expr, "number", is_float


def compare_plan(check: dict, ctx: Context) -> Plan:
    source, left, op = ctx.source, check["left"], check["op"]
    described = f"{left} ({source.label(left)}) {op} {describe_operand(check)}"

    def fail(reason: str):
        raise ctx.error(f"cannot compare {described}: {reason}")

    right, right_family, right_float = _operand(check, ctx, fail)
    left_expr, left_family = numeric(source, left), source.family(left)
    left_float = source.kind(left) == "float"
    floats = left_float or right_float
    present = " AND ".join(
        f"{col(c)} IS NOT NULL" for c in dict.fromkeys([left, *operand_columns(check["right"])])
    )
    if left_family != right_family:
        if op not in ("==", "!="):
            fail(
                f"'{op}' is not supported between {_WORDS[left_family]} and "
                f"{_WORDS[right_family]} value"
            )
        if floats:
            # A float comparison within tolerance reads both sides as numbers.
            other = right_family if left_float else left_family
            name = describe_operand(check) if left_float else left
            if other == "text":
                fail(f"could not convert string to float ({name} is text)")
            fail(f"{name} is {_WORDS[other]} value, not a number")
        # Values of two families are never equal.
        return Plan(present if op == "==" else "false")
    if floats:
        a, b = f"CAST({left_expr} AS DOUBLE)", f"CAST({right} AS DOUBLE)"
        numbers = f"NOT isnan({a}) AND NOT isnan({b})"
        if op in ("==", "!="):
            tolerance = number_literal(FLOAT_REL_TOL)
            close = f"({numbers} AND abs({a} - {b}) <= {tolerance} * greatest(abs({a}), abs({b})))"
            holds = close if op == "==" else f"NOT {close}"
        else:
            holds = f"{numbers} AND {left_expr} {op} {right}"
    else:
        holds = f"{left_expr} {'=' if op == '==' else op} {right}"
    return Plan(f"{present} AND NOT ({holds})")


def row_count_plan(check, ctx):
    def count(con, rows):
        too_few = check.get("min") is not None and rows < check["min"]
        too_many = check.get("max") is not None and rows > check["max"]
        return (rows if too_few or too_many else 0), {"rows": rows}

    return Plan(table_level=count)


def sum_equals_plan(check, ctx):
    ref_table, ref_column = check["references"]["table"], check["references"]["column"]
    reference = ctx.related[ref_table]
    sides = [(ctx.source, check["column"], check["column"])]
    for source, column, name in sides + [(reference, ref_column, f"{ref_table}.{ref_column}")]:
        if source.family(column) != "number":
            raise ctx.error(
                f"sums column {name} of type {source.label(column)}, but sums need numeric columns"
            )

    def total(con, source, column, order):
        cast = {"bool": None, "float": "DOUBLE"}.get(source.kind(column), "BIGINT")
        expr = col(column) if cast is None else f"CAST({col(column)} AS {cast})"
        return plain(numpy_sum(con, source.sql, expr, order))

    def sums(con, rows):
        mine = total(con, ctx.source, check["column"], ctx.order)
        theirs = total(con, reference, ref_column, "")
        close = math.isclose(mine, theirs, rel_tol=SUM_REL_TOL)
        return (0 if close else 1), {"sum": mine, "reference_sum": theirs}

    return Plan(table_level=sums)
