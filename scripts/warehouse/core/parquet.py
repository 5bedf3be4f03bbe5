"""Parquet in and out: the one place tables are written, read back and checksummed.

Tables are written without pandas metadata and read back into the same nullable dtypes the
transforms use (Int64, Float64, boolean, str, date32), so a mart reads exactly what the layer
before it wrote.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_PANDAS_TYPES = {
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float32(): pd.Float64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.date32(): pd.ArrowDtype(pa.date32()),
}


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The Arrow table written to Parquet (no pandas index, no pandas metadata)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.replace_schema_metadata(None)


def content_sha256(table: pa.Table) -> str:
    """A checksum of a table's content: column names and types, then per column which rows hold
    a value and what those values are.

    Only values and validity count, so equal tables always hash equal: whatever bytes lie under
    null slots (pandas leaves old values there), however the columns are chunked or sliced, and
    whatever schema metadata the table carries. Floats are hashed by their bits (``-0.0`` and
    ``0.0`` differ, as they print), with every NaN as the same NaN.
    """
    digest = hashlib.sha256()
    schema = [[field.name, str(field.type)] for field in table.schema]
    digest.update(json.dumps(schema).encode())
    for column in table.columns:
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        valid = pc.is_valid(array).to_numpy(zero_copy_only=False)
        digest.update(len(array).to_bytes(8, "little"))
        digest.update(np.packbits(valid).tobytes())
        present = array.filter(pa.array(valid)) if array.null_count else array
        for part in _value_bytes(present):
            digest.update(part)
    return digest.hexdigest()


_TEXT_OFFSETS = {
    pa.string(): np.int32,
    pa.binary(): np.int32,
    pa.large_string(): np.int64,
    pa.large_binary(): np.int64,
}


def _value_bytes(present: pa.Array) -> list:
    """The canonical bytes of an array without nulls: text and binary values as their lengths
    and their bytes, numbers, booleans, dates and timestamps as numpy values, others as JSON."""
    kind = present.type
    if not len(present):
        return [b""]
    if kind in _TEXT_OFFSETS:
        # The array may start inside its buffers (a slice): take its own offsets and bytes.
        offsets = np.frombuffer(present.buffers()[1], dtype=_TEXT_OFFSETS[kind])
        offsets = offsets[present.offset : present.offset + len(present) + 1]
        data = memoryview(present.buffers()[2] or b"")[offsets[0] : offsets[-1]]
        return [np.diff(offsets).astype(np.int64).tobytes(), data]
    if pa.types.is_floating(kind):
        numbers = present.to_numpy(zero_copy_only=False).astype(np.float64)
        return [np.where(np.isnan(numbers), np.nan, numbers).tobytes()]
    if (
        pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
    ):
        return [present.to_numpy(zero_copy_only=False).tobytes()]
    return [json.dumps(present.to_pylist(), default=str).encode()]


def write_parquet(frame: pd.DataFrame, path: Path) -> dict:
    """Write a frame to Parquet; returns its path, rows, file checksum and content checksum."""
    table = to_arrow(frame)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    with open(path, "rb") as handle:
        file_sha = hashlib.file_digest(handle, "sha256").hexdigest()
    return {
        "path": path.as_posix(),
        "rows": table.num_rows,
        "sha256": file_sha,
        "content_sha256": content_sha256(table),
        "size_bytes": path.stat().st_size,
    }


def read_parquet(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a table written by ``write_parquet`` back into the transforms' nullable dtypes."""
    table = pq.read_table(path, columns=columns)
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)
