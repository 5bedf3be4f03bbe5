"""The closed set of standard operations that contracts compose into steps, compiled to SQL.

Every operation turns one step of a contract into a :class:`Compiled` step: SQL expressions
that give columns their new values, and a condition (with a reason) under which a row is
rejected, all over the relation the step receives (``warehouse.silver.engine`` runs them). The
value rules themselves are the DuckDB macros of ``macros.sql``. Logic that no standard operation
covers is a named function in ``warehouse.silver.functions`` (``op: function``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse.core.duck import SQL_TYPES
from warehouse.core.duck import sql_name as q
from warehouse.core.duck import sql_string as lit


@dataclass
class Compiled:
    """One step as SQL over the relation it receives.

    ``pre`` are helper columns computed level by level before the step (each level may name the
    ones before it; all are dropped after the step); ``sets`` gives columns (new or existing)
    their value after the step and ``types`` their SQL type; ``windows`` are window expressions
    computed first over the rows still in the table, which ``sets`` and ``reject`` may name;
    ``reject`` is the condition under which a row is rejected with the text ``reason`` (SQL);
    ``fail`` the condition under which the job fails (``on_error: fail``) with the message
    ``fail_message(first value, source row, count)``. ``watched`` are the columns whose changes
    the step reports; ``compare_text`` compares values of a changed type as text (named
    functions) instead of counting only values that became missing.
    """

    pre: list[dict[str, str]] = field(default_factory=list)
    sets: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=dict)
    reject: str | None = None
    reason: str | None = None
    fail: str | None = None
    fail_value: str | None = None
    fail_message: Callable[[object, int, int], str] | None = None
    fail_column: str | None = None
    watched: list[str] = field(default_factory=list)
    compare_text: bool = False


def as_text(column: str, types: dict[str, str]) -> str:
    """``column`` as text (a typed column is written as its values print)."""
    return q(column) if types[column] == "VARCHAR" else f"CAST({q(column)} AS VARCHAR)"


def op_trim(step, types, ctx) -> Compiled:
    """Strip leading and trailing white space; a value that becomes empty is missing."""
    ctx.require(types, step["columns"])
    sets = {c: f"trimmed({as_text(c, types)})" for c in step["columns"]}
    return Compiled(sets=sets, types=dict.fromkeys(sets, "VARCHAR"), watched=step["columns"])


def op_case(step, types, ctx) -> Compiled:
    """Upper, lower or title case."""
    ctx.require(types, step["columns"])
    function = {"upper": "upper", "lower": "lower", "title": "py_title"}[step["to"]]
    sets = {c: f"{function}({as_text(c, types)})" for c in step["columns"]}
    return Compiled(sets=sets, types=dict.fromkeys(sets, "VARCHAR"), watched=step["columns"])


def op_null_tokens(step, types, ctx) -> Compiled:
    """Values equal to one of ``tokens`` (e.g. ``NULL``, ``N/A``, ``-``) become missing."""
    ctx.require(types, step["columns"])
    tokens = [str(t) for t in step["tokens"]]
    sets = {}
    for column in step["columns"]:
        text = as_text(column, types)
        if step.get("ignore_case"):
            probe, listed = f"lower(py_strip({text}))", [t.lower() for t in tokens]
        else:
            probe, listed = text, tokens
        sets[column] = (
            f"CASE WHEN {probe} IN ({', '.join(map(lit, listed))}) THEN NULL ELSE {text} END"
        )
    return Compiled(sets=sets, types=dict.fromkeys(sets, "VARCHAR"), watched=step["columns"])


def op_map_values(step, types, ctx) -> Compiled:
    """Replace values by a mapping; unmapped values get ``default`` (or stay), missing ones
    get ``missing`` (or stay missing)."""
    column = step["column"]
    ctx.require(types, [column])
    text = as_text(column, types)
    mapping = {str(k): str(v) for k, v in step["mapping"].items()}
    whens = " ".join(f"WHEN {text} = {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    missing = lit(str(step["missing"])) if "missing" in step else "NULL"
    other = lit(str(step["default"])) if "default" in step else text
    expression = f"CASE WHEN {text} IS NULL THEN {missing} {whens} ELSE {other} END"
    return Compiled(sets={column: expression}, types={column: "VARCHAR"}, watched=[column])


def cast_stripped(value: str, to: str) -> str:
    """SQL giving the stripped text ``value`` the contract type ``to`` (NULL: does not cast)."""
    return {
        "string": value,
        "int": f"as_int({value})",
        "float": f"as_number({value})",
        "decimal": f"as_number({value})",
        "bool": f"as_bool({value})",
        "date": f"as_date({value}, '%Y-%m-%d')",
    }[to]


def cast_expression(text: str, to: str) -> str:
    """SQL giving the text expression ``text`` the contract type ``to`` (NULL: does not cast)."""
    return text if to == "string" else cast_stripped(f"py_strip({text})", to)


def range_note(text: str, to: str) -> str:
    """SQL for the note a reason gets when a number lies outside the type's range."""
    return _range_note(f"py_strip({text})", to)


def _range_note(stripped: str, to: str) -> str:
    if to == "int":
        return f"int_range_note({stripped})"
    if to in ("float", "decimal"):
        return f"number_range_note({stripped})"
    return "''"


def uncastable(compiled: Compiled, *, column, present, shown, stripped, to, label, on_error):
    """``compiled`` (whose ``__value`` helper column holds the converted value) with what happens
    to values ``present`` that did not convert: rejected with a reason quoting the value as the
    export wrote it (``shown``), the job failed, or (``null``) left missing."""
    bad = f"({present} IS NOT NULL AND __value IS NULL)"
    note = _range_note(stripped, to)
    if on_error == "reject":
        compiled.reject = bad
        compiled.reason = (
            f"{lit(column + ': ' + chr(39))} || {shown} || {lit(chr(39) + ' is not a valid ')}"
            f" || {lit(label)} || {note}"
        )
    elif on_error == "fail":
        compiled.fail = bad
        compiled.fail_value = f"{shown} || chr(1) || {note}"

        def message(value, row, count, column=column, label=label):
            shown, note = str(value).split("\x01", 1)
            return (
                f"value {shown!r} at source row {row} is not a valid {label}{note} "
                f"({count} such values). Fix the export, or set on_error to "
                "'reject' (quarantine the rows) or 'null' (make the values missing)."
            )

        compiled.fail_message = message
        compiled.fail_column = column
    return compiled


def typed(column: str, text: str, to: str, on_error: str, watched: list[str]) -> Compiled:
    """The text expression ``text`` of ``column`` converted to the contract type ``to``.

    The stripped text and the converted value are helper columns computed once each (a macro
    repeats its argument, so nesting them would run the rules several times a value)."""
    compiled = Compiled(
        pre=[{"__stripped": f"py_strip({text})"}, {"__value": cast_stripped("__stripped", to)}],
        sets={column: "__value"},
        types={column: SQL_TYPES[to]},
        watched=watched,
    )
    options = {"present": text, "shown": text, "stripped": "__stripped", "to": to, "label": to}
    return uncastable(compiled, column=column, on_error=on_error, **options)


def op_cast(step, types, ctx) -> Compiled:
    """Convert a column to a contract type; uncastable values are rejected, nulled or fail."""
    column, to = step["column"], step["to"]
    ctx.require(types, [column])
    text = as_text(column, types)
    if to == "string":
        return Compiled(sets={column: text}, types={column: "VARCHAR"}, watched=[column])
    return typed(column, text, to, step.get("on_error", "reject"), [column])


def op_parse_date(step, types, ctx) -> Compiled:
    """Parse a date with a strptime format (``%Y%m%d`` for integer yyyymmdd dates).

    With ``exact_length`` a value that is not exactly that many digits (``0``, ``5489``) is
    missing, as the source means it; other unparseable values follow ``on_error``. A value is a
    date only if formatting the parsed date again gives it back (no roll-over of 20230230).
    """
    column, fmt = step["column"], lit(step["format"])
    ctx.require(types, [column])
    original = as_text(column, types)
    text = f"py_strip({original})"
    if step.get("exact_length"):
        digits = int(step["exact_length"])
        # Digits of any script count (\p{Nd}, as Python's \d): such a value is rejected by
        # the date parse (with its reason), not silently made missing.
        text = f"CASE WHEN regexp_full_match({text}, '\\p{{Nd}}{{{digits}}}') THEN {text} END"
    compiled = Compiled(
        pre=[
            {"__stripped": text},
            {"__parsed": f"try_strptime(__stripped, {fmt})"},
            {
                "__value": f"CASE WHEN strftime(__parsed, {fmt}) = __stripped "
                "THEN CAST(__parsed AS DATE) END"
            },
        ],
        sets={column: "__value"},
        types={column: "DATE"},
        watched=[column],
    )
    return uncastable(
        compiled,
        column=column,
        present="__stripped",
        shown=original,
        stripped="__stripped",
        to="date",
        label=f"date in format {step['format']}",
        on_error=step.get("on_error", "null"),
    )


def op_dedupe(step, types, ctx) -> Compiled:
    """Keep one row per key: the latest by ``order_by`` or the first in file order.

    The others are rejected with the source row of the row that superseded them. Rows with a
    missing key are left alone (a ``reject_when: missing`` step decides about those).
    """
    key = list(step["key"])
    keep = step.get("keep", "first")
    order_by = step.get("order_by")
    ctx.require(types, key + ([order_by] if order_by else []))
    has_key = " AND ".join(f"{q(c)} IS NOT NULL" for c in key)
    if keep == "latest":
        order = f"{q(order_by)} DESC NULLS LAST, _source_row DESC"
        why = f"latest {order_by}"
    else:
        order = "_source_row"
        why = "first in file order"
    window = f"OVER (PARTITION BY {', '.join(map(q, key))} ORDER BY {order})"
    return Compiled(
        windows={
            "__rank": f"CASE WHEN {has_key} THEN row_number() {window} END",
            "__winner": f"first_value(_source_row) {window}",
        },
        reject="__rank > 1",
        reason=(
            f"{lit('superseded duplicate of ' + ', '.join(key) + ': the row at source row ')}"
            f" || __winner || {lit(' is kept (' + why + ')')}"
        ),
        watched=key + ([order_by] if order_by else []),
    )


def op_reject_when(step, types, ctx) -> Compiled:
    """Reject rows by a condition: a missing value, a value not in a list, or not matching."""
    columns = step["columns"]
    ctx.require(types, columns)
    condition = step["condition"]
    hits = []
    for column in columns:
        if condition == "missing":
            hits.append(f"{q(column)} IS NULL")
        elif condition == "not_in":
            accepted = ", ".join(lit(str(v)) for v in step["values"])
            hits.append(
                f"({q(column)} IS NOT NULL AND {as_text(column, types)} NOT IN ({accepted}))"
            )
        else:  # not_matching: RE2, a full match
            hits.append(
                f"({q(column)} IS NOT NULL AND NOT regexp_full_match("
                f"{as_text(column, types)}, {lit(step['pattern'])}))"
            )
    default = {
        "missing": f"{' or '.join(columns)} is missing",
        "not_in": f"{' or '.join(columns)} is not one of the accepted values",
        "not_matching": f"{' or '.join(columns)} does not match {step.get('pattern')}",
    }[condition]
    return Compiled(
        reject="(" + " OR ".join(hits) + ")",
        reason=lit(str(step.get("reason", default))),
        watched=list(columns),
    )


STANDARD = {
    "trim": op_trim,
    "case": op_case,
    "null_tokens": op_null_tokens,
    "map_values": op_map_values,
    "cast": op_cast,
    "parse_date": op_parse_date,
    "dedupe": op_dedupe,
    "reject_when": op_reject_when,
}
