"""Data-quality checks on a pandas DataFrame: the frame (and its related frames) registered in a
fresh DuckDB connection and checked there by the SQL engine (:mod:`warehouse.quality.sql_checks`),
with exactly the results and messages of the checks on a table in DuckDB.

A job whose table already is in DuckDB, or is an Arrow table, calls
:func:`warehouse.quality.sql_checks.run_checks_sql` directly; this wrapper is for code and tests
that hold DataFrames. ``named_columns`` lives in :mod:`warehouse.quality.spec` (no data
libraries); it is re-exported here for older callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from warehouse.quality.spec import named_columns  # noqa: F401  (part of this module's interface)
from warehouse.quality.sql_checks import describe_relation, evaluate

if TYPE_CHECKING:
    import pandas as pd

_CHECKED = "__checked"
_INDEX = "__checks_index"  # the frame's index labels, when they are not its positions


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
    ``_source_row`` column is used when the frame has one, else the index (shown under its
    name, ``index`` by default). ``related`` maps table names to the frames that
    ``relationship`` and ``sum_equals`` checks refer to. Samples are in frame order; errors are
    :func:`warehouse.quality.sql_checks.run_checks_sql`'s, with the frame's dtypes as type names.
    """
    # pandas for a frame's index only: whoever passes a DataFrame has it imported already.
    import pandas as pd

    data = _arrow(frame)
    index = (str(frame.index.name or "index"), None)
    positional = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    positional = positional and frame.index.step == 1
    if key is None and "_source_row" not in data.column_names and not positional:
        data = data.append_column(_INDEX, pa.Array.from_pandas(frame.index.to_series()))
        index = (index[0], _INDEX)
    with duckdb.connect() as con:
        con.register(_CHECKED, data)
        source = describe_relation(con, _CHECKED, labels=_labels(frame), hidden=(_INDEX,))
        others = {}
        for i, (name, other) in enumerate((related or {}).items()):
            con.register(f"__related_{i}", _arrow(other))
            others[name] = describe_relation(con, f"__related_{i}", labels=_labels(other))
        return evaluate(
            con,
            source,
            checks,
            table=table,
            key=key,
            related=others,
            order_by=None,
            sample_size=sample_size,
            index=index,
        )


def _arrow(frame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _labels(frame) -> dict[str, str]:
    """The type name of each column in messages: its pandas dtype (Int64, Float64, str ...)."""
    return {str(name): str(dtype) for name, dtype in frame.dtypes.items()}
