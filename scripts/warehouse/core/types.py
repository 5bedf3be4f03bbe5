"""The column types a contract can declare, and the pandas dtypes that hold them.

Silver and Gold tables are written to Parquet from these dtypes, so an ``int`` column is an
int64 column in Parquet and a ``date`` column is a date32 column, readable by any engine.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

TYPES = ("int", "float", "decimal", "string", "bool", "date")


def dtype_for(type_name: str) -> object:
    """The pandas dtype that holds a contract type (nullable everywhere)."""
    return {
        "int": "Int64",
        "float": "Float64",
        # Amounts in the sources are whole or two-decimal numbers; float64 keeps them exactly
        # enough for sums and avoids decimal arithmetic in pandas.
        "decimal": "Float64",
        "string": "str",
        "bool": "boolean",
        "date": pd.ArrowDtype(pa.date32()),
    }[type_name]


def type_of(series: pd.Series) -> str:
    """The contract type name that describes a pandas column (for schema reports)."""
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        arrow = dtype.pyarrow_dtype
        if pa.types.is_date(arrow) or pa.types.is_timestamp(arrow):
            return "date"
        if pa.types.is_integer(arrow):
            return "int"
        if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
            return "float"
        if pa.types.is_boolean(arrow):
            return "bool"
        return "string"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "string"
