"""How each check type becomes SQL over a relation: a condition that holds on exactly the rows that
fail; the checks that compute (``compare``, ``row_count``, ``sum_equals``) are in
:mod:`warehouse.quality.sql_compare`.

Conditions refer to the checked relation as ``t``. The semantics are the contract's, whatever the
engine: a missing value (NULL) never fails except in ``not_null`` and in ``accepted_values`` with
``allow_null: false``; NaN is a value, not a missing one (it fails a range with a bound and an
ordering compare, is unequal to everything in an ``==`` with floats, and equals NaN in ``unique``
and ``accepted_values``); ``==``/``!=`` with a float on either side hold within a relative
tolerance of 1e-9; booleans count as the numbers 0 and 1; ``no_stray_spaces`` trims Unicode
white space (Python's ``str.isspace``); regular expressions are RE2, matched as a whole.

Values that cannot fit the column's type are the contract's mistake and raise a PipelineError
naming the table and the check: a text bound on a number, a range or a sum on text, a regex on a
number, a date compared with or multiplied into a number. A value that merely cannot occur (an
accepted value of another type, a reference column of another kind) never matches.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse.core.duck import sql_name, sql_string
from warehouse.core.errors import PipelineError

FLOAT_REL_TOL = 1e-9  # compare ==/!= on floats
# The characters str.strip() removes (Python's str.isspace; Arrow's utf8_trim_whitespace too).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)

_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
_INTEGERS |= {"U" + name for name in _INTEGERS}
# The type names messages have always shown for the Arrow types of Silver and Gold tables.
_LABELS = {
    "BIGINT": "Int64",
    "DOUBLE": "Float64",
    "VARCHAR": "str",
    "BOOLEAN": "boolean",
    "DATE": "date32[day][pyarrow]",
}
_FAMILY = {"int": "number", "float": "number", "bool": "number", "string": "text"}
_FAMILY |= {"date": "date", "timestamp": "date"}


def kind_of(duck_type: str) -> str:
    """A DuckDB type's kind: int, float, bool, string, date, timestamp or other."""
    name = duck_type.upper()
    if name in _INTEGERS:
        return "int"
    if name in ("FLOAT", "DOUBLE") or name.startswith("DECIMAL"):
        return "float"
    if name == "BOOLEAN":
        return "bool"
    if name == "VARCHAR":
        return "string"
    if name == "DATE":
        return "date"
    if name.startswith("TIMESTAMP"):
        return "timestamp"
    return "other"


@dataclass(frozen=True)
class Source:
    """A relation in the connection, as the checks see it: its name, the table's columns in
    order, their DuckDB types and the type names messages show."""

    relation: str
    columns: list[str]
    types: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def sql(self) -> str:
        return sql_name(self.relation)

    def kind(self, column: str) -> str:
        return kind_of(self.types[column])

    def family(self, column: str) -> str:
        return _FAMILY.get(self.kind(column), "other")

    def label(self, column: str) -> str:
        duck_type = self.types[column]
        return self.labels.get(column) or _LABELS.get(duck_type, duck_type)


@dataclass
class Plan:
    """A compiled check. Row-level: ``failing``, a condition over ``t`` (``joins`` when it reads
    other relations, so that only an explicit order gives frame order), and ``count``, a query
    for the failing-row count when it is not a filter of one scan. Table-level: ``table_level``,
    called with the connection and the row count, giving ``(failing_rows, details)``."""

    failing: str | None = None
    joins: bool = False
    count: str | None = None
    table_level: Callable | None = None


@dataclass(frozen=True)
class Context:
    """What every compiler needs besides the check; ``order`` is " ORDER BY ..." for frame
    order, or "" for the relation's own."""

    source: Source
    related: dict[str, Source]
    table: str
    check_id: str
    order: str

    def error(self, message: str, remedy: str = "Fix the contract") -> PipelineError:
        return PipelineError(f"{self.table}: check {self.check_id} {message}. {remedy}.")


def col(name: str, alias: str = "t") -> str:
    return f"{alias}.{sql_name(name)}"  # the relation is always aliased


def numeric(source: Source, name: str, alias: str = "t") -> str:
    """A column as a number (booleans as 0 and 1)."""
    expr = col(name, alias)
    return f"CAST({expr} AS BIGINT)" if source.kind(name) == "bool" else expr


def number_literal(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return f"({value})"
    return f"CAST({sql_string(repr(float(value)))} AS DOUBLE)"


def _temporal_literal(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {sql_string(value.isoformat(sep=' '))}"
    return f"DATE {sql_string(value.isoformat())}"


def as_column_value(kind: str, value, ctx: Context):
    """A contract value (e.g. the ISO text "1900-01-01") as a date or timestamp column's type."""
    try:
        # fromisoformat: "01/02/1900" is refused, never read one way or the other.
        value = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        message = f"has the value {value!r} for a date column, which is not an ISO date"
        raise ctx.error(message) from None
    if kind == "date":
        return value.date() if isinstance(value, dt.datetime) else value
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value


def plain(value):
    """A value from DuckDB or numpy as JSON: None for missing and NaN, ISO dates, floats."""
    if type(value).__module__ == "numpy":
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


# --- Row-level checks -------------------------------------------------------------------------


def _not_null(check, ctx):
    return Plan(" OR ".join(f"{col(c)} IS NULL" for c in check["columns"]))


def _unique(check, ctx):
    names = ", ".join(sql_name(c) for c in check["columns"])
    present = " AND ".join(f"{sql_name(c)} IS NOT NULL" for c in check["columns"])
    groups = (
        f"SELECT {names}, count(*) AS n FROM {ctx.source.sql} WHERE {present} "
        f"GROUP BY {names} HAVING count(*) > 1"
    )
    same = " AND ".join(f"{col(c, 'd')} = {col(c)}" for c in check["columns"])
    return Plan(
        failing=f"EXISTS (SELECT 1 FROM ({groups}) AS d WHERE {same})",
        joins=True,
        count=f"SELECT coalesce(sum(n), 0) FROM ({groups})",
    )


def _accepted_values(check, ctx):
    column = check["column"]
    kind = ctx.source.kind(column)
    values = check["values"]
    if kind in ("date", "timestamp"):  # every ISO text is read first
        values = [as_column_value(kind, v, ctx) if isinstance(v, str) else v for v in values]
    literals = []
    for value in values:
        literal = _accepted_literal(kind, value)
        if literal is False:
            raise ctx.error(
                f"cannot be evaluated on {column} ({ctx.source.label(column)}): the value "
                f"{value!r} cannot be one of its values",
                "Check that the check's values fit the column types in the contract",
            )
        if literal is not None:
            literals.append(literal)
    c = col(column)
    failing = f"{c} IS NOT NULL"
    if literals:
        failing = f"({failing} AND {c} NOT IN ({', '.join(literals)}))"
    if check.get("allow_null", True) is False:
        failing = f"({failing} OR {c} IS NULL)"
    return Plan(failing)


def _accepted_literal(kind: str, value):
    """The SQL literal of an accepted value; None when no value of the column can equal it (2.5
    in an integer column, a text in any but a text one); False when it cannot be compared."""
    if value is None:
        return None
    if kind == "string":
        return sql_string(value) if isinstance(value, str) else None
    if kind in ("int", "float", "bool"):
        if not isinstance(value, int | float | decimal.Decimal):
            return None
        if kind == "float":
            return number_literal(value)
        # An integer or boolean column holds whole numbers only (booleans as 0 and 1).
        if not isinstance(value, int) and (not math.isfinite(value) or value != int(value)):
            return None
        if kind == "bool":
            return {0: "false", 1: "true"}.get(int(value))
        return number_literal(int(value))
    if kind in ("date", "timestamp") and isinstance(value, dt.date):
        if kind == "date" and isinstance(value, dt.datetime):
            value = value.date()
        elif kind == "timestamp" and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return _temporal_literal(value)
    return False


def _range(check, ctx):
    column = check["column"]
    family = ctx.source.family(column)
    if family not in ("number", "date"):
        raise ctx.error(
            f"is a range on column '{column}' of type {ctx.source.label(column)}, but ranges "
            "need a numeric or date column"
        )
    strict = check.get("strict", False)
    value = numeric(ctx.source, column) if family == "number" else col(column)
    holds = []
    for name, op in (("min", ">" if strict else ">="), ("max", "<" if strict else "<=")):
        if check.get(name) is not None:
            holds.append(f"{value} {op} {_range_bound(check, name, family, ctx)}")
    if not holds:
        return Plan("false")
    if ctx.source.kind(column) == "float":
        holds.insert(0, f"NOT isnan({value})")
    return Plan(f"{col(column)} IS NOT NULL AND NOT ({' AND '.join(holds)})")


def _range_bound(check: dict, name: str, family: str, ctx: Context) -> str:
    """A range's ``min`` or ``max`` as a literal of the column's type; a bound of another type
    is an error of the contract (a number for a date column, a text for a numeric one)."""
    column, value = check["column"], check[name]
    if family == "date":
        if not isinstance(value, str | dt.date):
            raise ctx.error(
                f"has {name} {value!r} for the date column '{column}'",
                "Give an ISO date such as 2020-01-31 in the contract",
            )
        return _temporal_literal(as_column_value(ctx.source.kind(column), value, ctx))
    if not isinstance(value, int | float | decimal.Decimal):
        raise ctx.error(
            f"has {name} {value!r} for the numeric column '{column}' ({ctx.source.label(column)})",
            "Give a number (unquoted) in the contract",
        )
    return number_literal(value)


def _text_column(column: str, ctx: Context) -> str:
    if ctx.source.kind(column) != "string":
        raise ctx.error(f"needs a text column, but '{column}' has type {ctx.source.label(column)}")
    return col(column)


def _no_stray_spaces(check, ctx):
    # A white-space character first or last (one RE2 search; trim() with 29 characters is
    # twenty times slower), or nothing at all.
    space = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
    stray = sql_string(f"^{space}|{space}$")
    parts = []
    for column in check["columns"]:
        c = _text_column(column, ctx)
        parts.append(f"({c} IS NOT NULL AND ({c} = '' OR regexp_matches({c}, {stray})))")
    return Plan(" OR ".join(parts))


def _regex(check, ctx):
    c = _text_column(check["column"], ctx)
    return Plan(f"{c} IS NOT NULL AND NOT regexp_full_match({c}, {sql_string(check['pattern'])})")


def _relationship(check, ctx):
    column = check["column"]
    ref_table, ref_column = check["references"]["table"], check["references"]["column"]
    reference = ctx.related[ref_table]
    family, ref_family = ctx.source.family(column), reference.family(ref_column)
    present = f"{col(column)} IS NOT NULL"
    if family != ref_family:
        if family == "date":
            raise ctx.error(
                f"cannot be evaluated on {column} ({ctx.source.label(column)}): the referenced "
                f"column {ref_table}.{ref_column} ({reference.label(ref_column)}) holds no dates",
                "Check that the check's values fit the column types in the contract",
            )
        return Plan(present)  # no value of another kind is ever found
    if family == "number":
        left, right = numeric(ctx.source, column), numeric(reference, ref_column, "r")
    else:
        left, right = col(column), col(ref_column, "r")
    found = f"SELECT 1 FROM {reference.sql} AS r WHERE {right} = {left}"
    return Plan(f"{present} AND NOT EXISTS ({found})", joins=True)


# compare, row_count and sum_equals are in warehouse.quality.sql_compare.
COMPILERS: dict[str, Callable[[dict, Context], Plan]] = {
    "not_null": _not_null,
    "unique": _unique,
    "accepted_values": _accepted_values,
    "range": _range,
    "no_stray_spaces": _no_stray_spaces,
    "regex": _regex,
    "relationship": _relationship,
}
