"""The one way a job opens DuckDB: in process, bounded by the rule's threads and memory, spilling
into a temporary folder of the job's scratch space that is removed when the job is done.

Silver, Gold and the checks all run on DuckDB (ADR 0013). A job asks for a connection with
:func:`session`; the rule's ``threads`` and ``mem_mb`` become DuckDB's ``threads`` and
``memory_limit`` (half of ``mem_mb``: the Arrow results and the Python process live outside
DuckDB's limit), and ``temp_directory`` is a fresh folder under ``temp_root`` (the rule's
``tmpdir``, the system's by default), never inside a run's artifact folders.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# The SQL type that holds each contract type (Silver's casts, Gold's conformed columns).
SQL_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "decimal": "DOUBLE",
    "string": "VARCHAR",
    "bool": "BOOLEAN",
    "date": "DATE",
}


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def limits(threads: int = 1, memory_mb: int | None = None) -> dict:
    """DuckDB's configuration for a job with ``threads`` and ``memory_mb``."""
    config = {
        "threads": max(1, int(threads)),
        "arrow_large_buffer_size": True,
    }
    if memory_mb:
        config["memory_limit"] = f"{max(64, int(memory_mb) // 2)}MB"
    return config


@contextmanager
def session(
    *,
    threads: int = 1,
    memory_mb: int | None = None,
    temp_root: str | Path | None = None,
    label: str = "job",
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection within the job's limits, spilling into a temporary folder
    (``duckdb-<label>-*`` under ``temp_root``) that is removed afterwards."""
    if temp_root is not None:
        Path(temp_root).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"duckdb-{label}-", dir=temp_root) as spill:
        config = limits(threads, memory_mb) | {"temp_directory": spill}
        con = duckdb.connect(config=config)
        con.execute("SET enable_progress_bar = false")  # job logs are files, not terminals
        try:
            yield con
        finally:
            con.close()
