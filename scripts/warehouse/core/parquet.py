"""Parquet in and out: the one place tables are written, read back and checksummed.

Tables are written without pandas metadata and read back into the same nullable dtypes the
transforms use (Int64, Float64, boolean, str, date32), so a mart reads exactly what the layer
before it wrote.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
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
    """A checksum of a table's content and schema, independent of Parquet encoding details."""
    digest = hashlib.sha256()
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.combine_chunks().to_batches(max_chunksize=1 << 16):
            writer.write_batch(batch)
            digest.update(sink.getbuffer())
            sink.seek(0)
            sink.truncate()
    digest.update(sink.getbuffer())
    return digest.hexdigest()


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
