"""Running compiled steps on DuckDB, with every row accounted for and every change counted.

A :class:`Cleaning` holds one table in a DuckDB connection: the relation of its rows still in
the table, the SQL type of each column, and the table ``__rejected`` (source row, rule id,
reason) of the rows that left it. Steps that only look at their own row are fused into one
query (a chain of projections), materialised once; a step that looks at other rows (a window:
dedupe, the next start date) starts a new query over the rows still in the table. Each
projection keeps the value a column had before its step, so one aggregate over the result
counts, per step and column, the values the step changed among the rows it kept, and the rows
it rejected, exactly as the reports show them ("changes per rule").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.compute as pc

from warehouse.core.duck import sql_name as q
from warehouse.core.duck import sql_string as lit
from warehouse.core.errors import PipelineError
from warehouse.silver.context import SOURCE_ROW, Context, default_rule_id, step_columns
from warehouse.silver.functions import FUNCTIONS
from warehouse.silver.operations import STANDARD, Compiled

REJECTED = "__rejected"
ALIVE = "__rej IS NULL"  # the row is still in the table
MACROS = Path(__file__).with_name("macros.sql")


def _title(values):
    return pc.utf8_title(values)


def prepare(con) -> None:
    """Create the value rules (``macros.sql``) and ``py_title`` (Arrow's title case, which
    DuckDB lacks) in ``con``, once."""
    known = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'py_title'"
    ).fetchall()[0][0]
    if known:
        return
    con.execute(MACROS.read_text(encoding="utf-8"))
    con.create_function(
        "py_title",
        _title,
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
        side_effects=False,
    )


@dataclass
class _Pending:
    """A compiled step waiting in the current segment, and how to report it."""

    compiled: Compiled
    rule_id: str
    before: dict[str, str]  # the column types the step received
    stat: dict | None  # the statistics entry to fill in (None: not reported)
    function: bool = False


@dataclass
class Cleaning:
    """One table being cleaned in ``con``: ``relation`` holds its rows (with ``_source_row``)
    and ``types`` the SQL type of each column, in the table's column order."""

    con: object
    ctx: Context
    relation: str
    types: dict[str, str]
    _pending: list[_Pending] = field(default_factory=list)
    _segments: int = 0

    def __post_init__(self):
        prepare(self.con)
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {REJECTED} "
            "(_source_row BIGINT, _rule_id VARCHAR, _reason VARCHAR)"
        )

    # -- steps -----------------------------------------------------------------------------

    def apply_steps(self, steps: list[dict]) -> list[dict]:
        """Run the contract's steps in order; the per-step statistics (id, op, columns it
        changed, values changed, rows rejected) in order."""
        stats = []
        for step in steps:
            self.ctx.rule_id = step.get("id") or default_rule_id(step)
            function = step["op"] == "function"
            try:
                compiled = self._compile(step)
            except PipelineError:
                self.flush()  # a value that fails an earlier step is reported first
                raise
            stat = {
                "id": self.ctx.rule_id,
                "op": f"function:{step['name']}" if function else step["op"],
                "columns": [] if function else step_columns(step),
                "changed": 0,
                "rejected": 0,
            }
            self.add(compiled, stat, function=function)
            stats.append(stat)
        self.flush()
        return stats

    def _compile(self, step: dict) -> Compiled:
        if step["op"] != "function":
            return STANDARD[step["op"]](step, self.types, self.ctx)
        function = FUNCTIONS.get(step["name"])
        if function is None:
            raise self.ctx.error(
                None, f"unknown function '{step['name']}' (known: {', '.join(sorted(FUNCTIONS))})."
            )
        compiled = function(self.types, self.ctx, **step.get("args", {}))
        compiled.compare_text = True
        compiled.watched = list(self.types) + [c for c in compiled.sets if c not in self.types]
        return compiled

    def add(self, compiled: Compiled, stat: dict | None = None, function: bool = False) -> None:
        """Queue ``compiled`` under the current rule id (``stat`` is filled in when it ran)."""
        if compiled.windows:
            self.flush()  # a window sees only the rows still in the table
        self._pending.append(_Pending(compiled, self.ctx.rule_id, dict(self.types), stat, function))
        self.types.update(compiled.types)
        if compiled.windows:
            self.flush()

    # -- running a segment -----------------------------------------------------------------

    def flush(self) -> None:
        """Run the queued steps as one query, record their statistics and rejected rows, and
        fail if a step with ``on_error: fail`` met a value it cannot convert."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        self._segments += 1
        table = f"__segment_{self._segments}"
        # A window reorders rows; the table keeps them in file order.
        order = " ORDER BY _source_row" if pending[0].compiled.windows else ""
        self.con.execute(f"CREATE TABLE {table} AS {self._segment_sql(pending)}{order}")
        self._check_failures(table, pending)
        self._count(table, pending)
        rule_of = " ".join(f"WHEN {i} THEN {lit(p.rule_id)}" for i, p in enumerate(pending, 1))
        self.con.execute(
            f"INSERT INTO {REJECTED} SELECT _source_row, CASE __rej {rule_of} END, __why "
            f"FROM {table} WHERE __rej IS NOT NULL"
        )
        columns = ", ".join(q(c) for c in [*self.types, SOURCE_ROW])
        self.relation = f"__rows_{self._segments}"
        self.con.execute(
            f"CREATE VIEW {self.relation} AS SELECT {columns} FROM {table} WHERE __rej IS NULL"
        )

    def _segment_sql(self, pending: list[_Pending]) -> str:
        first = pending[0].compiled
        windows = "".join(f", {sql} AS {name}" for name, sql in first.windows.items())
        sql = (
            f"SELECT *{windows}, CAST(NULL AS INTEGER) AS __rej, CAST(NULL AS VARCHAR) AS __why "
            f"FROM {self.relation}"
        )
        saved: list[str] = []  # the before-values the previous level kept
        previous: _Pending | None = None
        for i, step in enumerate(pending, 1):
            for helpers in step.compiled.pre:
                columns = ", ".join(
                    f"{expression} AS {name}" for name, expression in helpers.items()
                )
                sql = f"SELECT *, {columns} FROM ({sql})"
            if step.compiled.reject:  # evaluated once, read by __rej and __why
                hit = f"{ALIVE} AND coalesce({step.compiled.reject}, false)"
                sql = f"SELECT *, ({hit}) AS __hit FROM ({sql})"
            sql = f"SELECT {self._level(i, step, saved, previous)} FROM ({sql})"
            saved = [f"__b{i}_{n}" for n, _ in enumerate(step.compiled.sets)]
            previous = step
        excluded = [*saved, *first.windows]
        flags = self._flags(len(pending), previous)
        exclude = f" EXCLUDE ({', '.join(excluded)})" if excluded else ""
        return f"SELECT *{exclude}{flags} FROM ({sql})"

    def _level(self, i: int, step: _Pending, saved: list[str], previous) -> str:
        compiled = step.compiled
        replace = [f"{sql} AS {q(c)}" for c, sql in compiled.sets.items() if c in step.before]
        if compiled.reject:
            replace.append(f"CASE WHEN __hit THEN {i} ELSE __rej END AS __rej")
            replace.append(
                f"CASE WHEN __hit THEN CAST({compiled.reason} AS VARCHAR) ELSE __why END AS __why"
            )
        dropped = saved + [name for helpers in compiled.pre for name in helpers]
        dropped += ["__hit"] if compiled.reject else []
        exclude = f" EXCLUDE ({', '.join(dropped)})" if dropped else ""
        parts = [f"*{exclude}" + (f" REPLACE ({', '.join(replace)})" if replace else "")]
        parts += [f"{sql} AS {q(c)}" for c, sql in compiled.sets.items() if c not in step.before]
        parts += [
            f"{q(c) if c in step.before else 'NULL'} AS __b{i}_{n}"
            for n, c in enumerate(compiled.sets)
        ]
        if compiled.fail:
            parts.append(f"({ALIVE} AND coalesce({compiled.fail}, false)) AS __fail{i}")
            parts.append(f"CASE WHEN {ALIVE} THEN {compiled.fail_value} END AS __failv{i}")
        flags = self._flags(i - 1, previous)
        return ", ".join(parts) + flags

    def _flags(self, i: int, step: _Pending | None) -> str:
        """Columns ``__chg<i>_<n>``: whether step ``i`` changed the value of its n-th column."""
        if step is None:
            return ""
        out = []
        for n, column in enumerate(step.compiled.sets):
            before, after = f"__b{i}_{n}", q(column)
            was, now = step.before.get(column), step.compiled.types[column]
            if was is None:  # a column the step added: each value it set is a change
                changed = f"{after} IS NOT NULL"
            elif was == now:
                changed = f"{before} IS DISTINCT FROM {after}"
            elif step.compiled.compare_text:
                changed = f"CAST({before} AS VARCHAR) IS DISTINCT FROM CAST({after} AS VARCHAR)"
            else:  # another type: only values that became (or stopped being) missing count
                changed = f"({before} IS NULL) <> ({after} IS NULL)"
            out.append(f", ({changed}) AS __chg{i}_{n}")
        return "".join(out)

    def _check_failures(self, table: str, pending: list[_Pending]) -> None:
        for i, step in enumerate(pending, 1):
            if not step.compiled.fail:
                continue
            count, value, row = self.con.execute(
                f"SELECT count(*), arg_min(__failv{i}, _source_row), min(_source_row) "
                f"FROM {table} WHERE __fail{i}"
            ).fetchall()[0]
            if count:
                self.ctx.rule_id = step.rule_id
                message = step.compiled.fail_message(value, row, count)
                raise self.ctx.error(step.compiled.fail_column, message)

    def _count(self, table: str, pending: list[_Pending]) -> None:
        measures = []
        for i, step in enumerate(pending, 1):
            measures.append(f"count(*) FILTER (WHERE __rej = {i})")
            for n, _ in enumerate(step.compiled.sets):
                measures.append(
                    f"count(*) FILTER (WHERE __chg{i}_{n} AND (__rej IS NULL OR __rej > {i}))"
                )
        counts = list(self.con.execute(f"SELECT {', '.join(measures)} FROM {table}").fetchall()[0])
        for step in pending:
            rejected = counts.pop(0)
            changes = {c: counts.pop(0) for c in step.compiled.sets}
            if step.stat is None:
                continue
            step.stat["rejected"] = rejected
            if step.function:  # every column a function set and changed, in table order
                changed = {c: changes[c] for c in step.compiled.watched if changes.get(c)}
                step.stat["columns"] = list(changed)
            else:
                changed = {c: changes.get(c, 0) for c in step.stat["columns"]}
            step.stat["changed"] = int(sum(changed.values()))

    # -- whole-table helpers -----------------------------------------------------------------

    def count(self) -> int:
        """Rows still in the table."""
        return self.con.execute(f"SELECT count(*) FROM {self.relation}").fetchall()[0][0]

    def rejected_count(self) -> int:
        return self.con.execute(f"SELECT count(*) FROM {REJECTED}").fetchall()[0][0]

    def select(self, columns: list[str]) -> None:
        """Keep ``columns`` (and ``_source_row``), in that order."""
        self._segments += 1
        relation = f"__rows_{self._segments}"
        names = ", ".join(q(c) for c in [*columns, SOURCE_ROW])
        self.con.execute(f"CREATE VIEW {relation} AS SELECT {names} FROM {self.relation}")
        self.relation = relation
        self.types = {c: self.types[c] for c in columns}
