"""Running the Silver engine on a few rows: tables of text values in, DataFrames out.

The engine works on DuckDB relations; tests write their rows as Python lists (None = missing),
which become a relation of text columns with ``_source_row`` 1..n, as the reader makes them.
:func:`clean_csv` cleans a CSV file the way a Silver job does (``load_bronze``, then
``clean_table``) and reads the table and its quarantine back as DataFrames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.core.duck import session
from warehouse.core.parquet import to_frame
from warehouse.silver.cleaner import SilverResult, clean_table
from warehouse.silver.context import REASON, RULE_ID, SOURCE_ROW, Context
from warehouse.silver.engine import REJECTED, Cleaning
from warehouse.silver.reader import load_bronze

INGESTION = dt.date(2026, 11, 26)


def relation(con, columns: dict[str, list], name: str = "bronze") -> dict[str, str]:
    """``columns`` as the text relation ``name`` with ``_source_row`` 1..n; its column types."""
    n = len(next(iter(columns.values()))) if columns else 0
    arrays = {c: pa.array(v, pa.large_string()) for c, v in columns.items()}
    arrays[SOURCE_ROW] = pa.array(range(1, n + 1), pa.int64())
    con.register(f"{name}_arrow", pa.table(arrays))
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
    return dict.fromkeys(columns, "VARCHAR")


def frame_of(con, relation_name: str) -> pd.DataFrame:
    """A relation as a DataFrame in the dtypes Parquet files are read back in."""
    frame = to_frame(con.sql(f"SELECT * FROM {relation_name}").to_arrow_table())
    if SOURCE_ROW in frame.columns:  # never missing: plain int64, as the reader makes it
        frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("int64")
    return frame


def cleaning(columns: dict[str, list], ingestion: dt.date = INGESTION) -> Cleaning:
    con = duckdb.connect()
    types = relation(con, columns)
    return Cleaning(con, Context(table="t", ingestion_date=ingestion), "bronze", types)


def rejected(clean: Cleaning) -> pd.DataFrame:
    """Every rejected row so far: source row, rule id and reason, in source-row order."""
    return clean.con.execute(
        f"SELECT _source_row AS {SOURCE_ROW}, _rule_id AS {RULE_ID}, _reason AS {REASON} "
        f"FROM {REJECTED} ORDER BY _source_row"
    ).df()


def run(columns: dict[str, list], *steps, ingestion: dt.date = INGESTION):
    """(rows after the steps, per-step statistics, rejected rows)."""
    clean = cleaning(columns, ingestion)
    stats = clean.apply_steps(list(steps))
    return frame_of(clean.con, clean.relation), stats, rejected(clean)


def values(series) -> list:
    return [None if pd.isna(v) else v for v in series]


@dataclass
class Cleaned:
    """``clean_table``'s result, with its table and quarantine read back as DataFrames (the
    result's other fields are read through: ``rows_in``, ``steps``, ``checks``, ...)."""

    result: SilverResult
    table: pd.DataFrame
    quarantine: pd.DataFrame

    def __getattr__(self, name):
        return getattr(self.result, name)


def clean_csv(
    path: Path,
    contract: dict | None,
    ctx: Context,
    encoding: str = "utf-8",
    delimiter: str = ",",
    **options,
) -> Cleaned:
    """Clean the CSV at ``path`` as a Silver job does, in a DuckDB session of its own;
    ``options`` go to ``clean_table`` (``bronze_path``, ``bronze_lines``)."""
    with session(label="test") as con:
        loaded = load_bronze(con, Path(path), encoding, delimiter)
        result = clean_table(con, loaded, contract, ctx, **options)
        return Cleaned(result, frame_of(con, result.relation), frame_of(con, result.quarantine))
