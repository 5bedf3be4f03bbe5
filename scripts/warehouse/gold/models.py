"""Running a Gold SQL model: DuckDB in process, over views of the mart's input tables, and the
result held to the contract exactly.

Each input is a view named like its table over its Parquet file; then the engine is locked
down: it may read those files and spill to its temporary folder, nothing else, so a model can
only read the tables the DAG gave its job. The result stays in DuckDB (spilling beyond its
memory limit, never whole in Python) and must have the contract's column names in order, each
column of the contract type's family; a view then gives each column the exact type every reader
sees (``int`` int64, ``float``/``decimal`` float64, ``string`` large_string, ``bool`` bool,
``date`` date32), or the job fails with a column-by-column diff.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.core.duck import SQL_TYPES, session, sql_name, sql_string
from warehouse.core.errors import PipelineError

ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "decimal": pa.float64(),
    "string": pa.large_string(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}
RESULT = "__result"


def load_model(con, sql: str, tables: dict[str, str | Path], *, where: str) -> None:
    """Run the model ``sql`` in ``con`` over ``tables`` ({table name: Parquet file}) into the
    table ``__result``, with the engine locked down first: it may read those files and spill
    to its temporary folder, nothing else. ``where`` (the model's path) names it in errors."""
    for name, path in tables.items():
        con.execute(f"CREATE VIEW {sql_name(name)} AS FROM read_parquet({sql_string(str(path))})")
    (spill,) = con.execute("SELECT current_setting('temp_directory')").fetchall()[0]
    con.execute("SET allowed_paths = ?", [[str(p) for p in tables.values()]])
    con.execute("SET allowed_directories = ?", [[spill] if spill else []])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    try:
        con.execute(f"CREATE TABLE {RESULT} AS {sql}")
    except duckdb.Error as exc:
        raise PipelineError(
            f"Gold model {where} failed: {exc} (it reads only the tables {', '.join(tables)})"
        ) from None


def run_model(
    sql: str,
    tables: dict[str, str | Path],
    *,
    where: str,
    threads: int = 1,
    memory_mb: int | None = None,
    temp_dir: str | Path | None = None,
) -> pa.Table:
    """The result of the model ``sql`` over ``tables``, as Arrow (for tests and small marts:
    the job itself streams the result, :func:`load_model`)."""
    with session(threads=threads, memory_mb=memory_mb, temp_root=temp_dir, label="model") as con:
        load_model(con, sql, tables, where=where)
        return con.sql(f"SELECT * FROM {RESULT}").to_arrow_table()


def conformed_view(con, name: str, contract: dict, where: str) -> None:
    """The view ``name`` over ``__result`` with each column cast to its contract type, once
    the result's names, order and type families are held to the contract (:func:`conform`);
    a value that does not fit its type (an integer beyond int64) fails the job."""
    conform(con.sql(f"SELECT * FROM {RESULT} LIMIT 0").to_arrow_table(), contract, where)
    columns = ", ".join(
        f"CAST({sql_name(c['name'])} AS {SQL_TYPES[c['type']]}) AS {sql_name(c['name'])}"
        for c in contract["columns"]
    )
    con.execute(f"CREATE VIEW {sql_name(name)} AS SELECT {columns} FROM {RESULT}")


def _family(arrow: pa.DataType) -> str:
    """The contract type family of an Arrow type, or the type itself when it has none."""
    if pa.types.is_integer(arrow) or (pa.types.is_decimal(arrow) and arrow.scale == 0):
        return "int"  # a DuckDB sum of integers is a decimal without fraction digits
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return "float"
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return "string"
    if pa.types.is_boolean(arrow):
        return "bool"
    if pa.types.is_date(arrow):
        return "date"
    return str(arrow)


def _family_of(type_name: str) -> str:
    return "float" if type_name == "decimal" else type_name


def conform(table: pa.Table, contract: dict, where: str) -> pa.Table:
    """``table`` with each column in its contract type's exact Arrow type, if its names and
    order equal the contract's and each column is of its type's family; else PipelineError with
    expected against actual, column by column. Casts are safe: a value that does not fit (an
    integer out of int64's range) fails the job."""
    expected = [(c["name"], c["type"]) for c in contract["columns"]]
    actual = [(field.name, _family(field.type)) for field in table.schema]
    if [(n, _family_of(t)) for n, t in expected] == actual:
        schema = pa.schema([(name, ARROW_TYPES[type_name]) for name, type_name in expected])
        return table.cast(schema)
    rows = []
    for i in range(max(len(expected), len(actual))):
        want = f"{expected[i][0]} {expected[i][1]}" if i < len(expected) else "-"
        got = f"{actual[i][0]} {actual[i][1]}" if i < len(actual) else "-"
        same = (
            i < len(expected)
            and i < len(actual)
            and (expected[i][0], _family_of(expected[i][1])) == actual[i]
        )
        rows.append(f"  {i + 1:>3} {'  ' if same else '!='} expected {want:<32} actual {got}")
    raise PipelineError(
        f"{contract['table']} does not match its contract {where} (names, order and types must "
        "be equal):\n" + "\n".join(rows) + "\nFix the model (the SELECT in the .sql file beside "
        "the contract) or the contract; CAST a column to give it another type."
    )
