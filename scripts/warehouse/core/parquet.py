"""Parquet in and out: the one place tables are written, read back and checksummed.

Tables are read back into the nullable dtypes the transforms use (Int64, Float64, boolean, str,
date32), so a mart reads exactly what the layer before it wrote; and they are written with
pandas metadata that names those dtypes, so ``pandas.read_parquet`` reads them the same way.
A file also says what it is: key-value metadata of the file (run id, layer, table, contract,
project version: :func:`file_metadata`) and a description per column (Arrow field metadata).
Neither is content: :func:`content_sha256` ignores both.
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

from warehouse import __version__
from warehouse.core.io import replacing

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


def file_metadata(
    *, run_id: str | None, layer: str, table: str, contract_sha256: str | None
) -> dict[str, str]:
    """The key-value metadata a Silver or Gold file carries: the run that wrote it, its layer
    and table, the SHA-256 of the contract it was made by (empty: the table has no contract)
    and the version of this project."""
    return {
        "run_id": run_id or "",
        "layer": layer,
        "table": table,
        "contract_sha256": contract_sha256 or "",
        "project_version": __version__,
    }


def column_descriptions(contract: dict | None) -> dict[str, str]:
    """Each column's description from a contract (columns without one are left out)."""
    columns = (contract or {}).get("columns", [])
    return {c["name"]: c["description"] for c in columns if c.get("description")}


def to_arrow(
    frame: pd.DataFrame,
    metadata: dict[str, str] | None = None,
    descriptions: dict[str, str] | None = None,
) -> pa.Table:
    """The Arrow table written to Parquet: no pandas index; pandas metadata (see
    :func:`_pandas_metadata`) and ``metadata`` as schema metadata; ``descriptions`` as the
    ``description`` of their fields. Only metadata differs from ``pa.Table.from_pandas``: names,
    order, types and values do not.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return pa.Table.from_arrays(
        table.columns, schema=_described(table.schema, metadata, descriptions)
    )


def _pandas_metadata(schema: pa.Schema) -> bytes:
    """Pandas metadata naming, for each column, the dtype :func:`read_parquet` gives it (not the
    dtype of the frame written: a numpy int64 column reads back as Int64 too), so that
    ``pandas.read_parquet`` reads every file in the transforms' dtypes."""
    frame = schema.empty_table().to_pandas(types_mapper=_PANDAS_TYPES.get)
    return pa.Schema.from_pandas(frame, preserve_index=False).metadata[b"pandas"]


def content_sha256(table: pa.Table) -> str:
    """A checksum of a table's content: column names and types, then per column which rows hold
    a value and what those values are.

    Only values and validity count, so equal tables always hash equal: whatever bytes lie under
    null slots (pandas leaves old values there), however the columns are chunked or sliced, and
    whatever metadata the schema or its fields carry. Floats are hashed by their bits (``-0.0`` and
    ``0.0`` differ, as they print), with every NaN as the same NaN.
    """
    digest = hashlib.sha256()
    schema = [[field.name, str(field.type)] for field in table.schema]
    digest.update(json.dumps(schema).encode())
    for column in table.columns:
        _update_column(digest, column)
    return digest.hexdigest()


def _update_column(digest, column) -> None:
    """Hash one column chunk by chunk (never combined: a column of a large file stays in its
    chunks), with the same bytes as hashing it combined."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if not pa.types.is_primitive(column.type) and column.type not in _TEXT_OFFSETS:
        chunks = [pa.chunked_array(chunks, type=column.type).combine_chunks()]
    valid = [pc.is_valid(chunk).to_numpy(zero_copy_only=False) for chunk in chunks]
    digest.update(sum(len(chunk) for chunk in chunks).to_bytes(8, "little"))
    digest.update(np.packbits(np.concatenate(valid) if valid else np.zeros(0, bool)).tobytes())
    present = [
        chunk.filter(pa.array(ok)) if chunk.null_count else chunk
        for chunk, ok in zip(chunks, valid, strict=True)
    ]
    parts = [_value_bytes(chunk) for chunk in present if len(chunk)]
    if column.type in _TEXT_OFFSETS:  # every length first, then every byte of text
        parts = [[p[0] for p in parts], [p[1] for p in parts]]
    for group in parts:
        for part in group:
            digest.update(part)


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


def write_parquet(
    frame: pd.DataFrame,
    path: Path,
    *,
    metadata: dict[str, str] | None = None,
    descriptions: dict[str, str] | None = None,
) -> dict:
    """Write a frame to Parquet, with the file's key-value ``metadata`` and column
    ``descriptions`` (see :func:`to_arrow`); returns its path, rows, file checksum and content
    checksum."""
    table = to_arrow(frame, metadata, descriptions)
    path = Path(path)
    with replacing(path) as tmp:  # replaced, never rewritten in place (run/repair.py)
        pq.write_table(table, tmp, compression="zstd")
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
    return to_frame(pq.read_table(path, columns=columns))


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame in the nullable dtypes files are read back in."""
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)


def _described(schema: pa.Schema, metadata, descriptions) -> pa.Schema:
    """``schema`` with the pandas metadata, ``metadata`` and the column ``descriptions``."""
    described = descriptions or {}
    fields = [
        field.with_metadata({"description": described[field.name]})
        if field.name in described
        else field
        for field in schema
    ]
    return pa.schema(fields, metadata={b"pandas": _pandas_metadata(schema), **(metadata or {})})


def write_batches(
    batches: pa.RecordBatchReader,
    path: Path,
    *,
    metadata: dict[str, str] | None = None,
    descriptions: dict[str, str] | None = None,
    content: bool = True,
) -> dict:
    """Write a stream of record batches to Parquet (a row group per batch, never the whole
    table in memory), with the same metadata as :func:`write_parquet`; returns the same
    description of the file. The content checksum is computed from the file, one column at a
    time; ``content=False`` leaves it None, for the caller to compute once it has freed the
    memory the batches came from (:func:`file_content_sha256`)."""
    schema = _described(batches.schema, metadata, descriptions)
    path = Path(path)
    rows = 0
    with replacing(path) as tmp:  # replaced, never rewritten in place (run/repair.py)
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for batch in batches:
                rows += batch.num_rows
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    with open(path, "rb") as handle:
        file_sha = hashlib.file_digest(handle, "sha256").hexdigest()
    return {
        "path": path.as_posix(),
        "rows": rows,
        "sha256": file_sha,
        "content_sha256": file_content_sha256(path) if content else None,
        "size_bytes": path.stat().st_size,
    }


def schema_of(schema: pa.Schema) -> list[dict]:
    """Column names and contract type names of an Arrow schema, as the layers record them."""
    return [{"name": field.name, "type": _type_name(field.type)} for field in schema]


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "float"
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "date"
    return "string"


def file_content_sha256(path: Path) -> str:
    """:func:`content_sha256` of a Parquet file, reading one column at a time."""
    parquet = pq.ParquetFile(path)
    digest = hashlib.sha256()
    schema = parquet.schema_arrow
    digest.update(json.dumps([[f.name, str(f.type)] for f in schema]).encode())
    for name in schema.names:
        _update_column(digest, parquet.read(columns=[name]).column(0))
    return digest.hexdigest()
