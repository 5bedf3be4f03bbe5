"""Content checksums: equal tables hash equal however they were built; any change of a value,
of validity, of a column name or type changes the checksum."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.core.parquet import content_sha256, to_arrow


def ints_with_hidden(values: list[int], valid: list[bool]) -> pa.Array:
    """An int64 array whose null slots hold ``values`` (what pandas leaves under its mask)."""
    bitmap = pa.py_buffer(np.packbits(np.array(valid), bitorder="little").tobytes())
    data = pa.py_buffer(np.array(values, dtype=np.int64).tobytes())
    return pa.Array.from_buffers(pa.int64(), len(values), [bitmap, data], valid.count(False))


TABLE = pa.table(
    {
        "id": pa.array([1, None, 3]),
        "name": pa.array(["Ann", None, "Émile"]),
        "amount": pa.array([1.5, None, -0.0]),
        "day": pa.array([dt.date(2024, 1, 31), None, dt.date(9999, 12, 31)]),
        "flag": pa.array([True, None, False]),
    }
)


def test_the_same_table_built_two_ways_has_one_checksum():
    # Built as the pipeline does, from pandas with garbage under the mask and pandas metadata.
    frame = pd.DataFrame(
        {
            "id": pd.arrays.IntegerArray(np.array([1, 777, 3]), np.array([False, True, False])),
            "name": pd.Series(["Ann", None, "Émile"], dtype="str"),
            "amount": pd.arrays.FloatingArray(
                np.array([1.5, 42.0, -0.0]), np.array([False, True, False])
            ),
            "day": pd.Series(TABLE["day"].to_pylist(), dtype=pd.ArrowDtype(pa.date32())),
            "flag": pd.Series([True, None, False], dtype="boolean"),
        }
    )
    from_pandas = pa.Table.from_pandas(frame, preserve_index=False)
    from_pandas = from_pandas.cast(TABLE.schema.with_metadata(from_pandas.schema.metadata))
    assert from_pandas.equals(TABLE)
    assert content_sha256(from_pandas) == content_sha256(TABLE)


def test_bytes_under_null_slots_chunking_slices_and_metadata_do_not_count():
    reference = content_sha256(TABLE)
    hidden = TABLE.set_column(0, "id", ints_with_hidden([1, 123456, 3], [True, False, True]))
    assert hidden.equals(TABLE) and content_sha256(hidden) == reference
    chunked = pa.concat_tables([TABLE.slice(0, 1), TABLE.slice(1, 1), TABLE.slice(2)])
    assert chunked["name"].num_chunks == 3 and content_sha256(chunked) == reference
    longer = pa.concat_tables([TABLE.slice(2), TABLE]).combine_chunks().slice(1)
    assert longer["name"].chunk(0).offset == 1 and content_sha256(longer) == reference
    assert content_sha256(TABLE.replace_schema_metadata({"pandas": "{}"})) == reference
    assert content_sha256(to_arrow(TABLE.to_pandas())) == content_sha256(
        to_arrow(TABLE.to_pandas())
    )


def test_every_difference_in_values_validity_names_or_types_changes_the_checksum():
    reference = content_sha256(TABLE)
    changed = [
        TABLE.set_column(0, "id", pa.array([1, 0, 3])),  # missing -> 0
        TABLE.set_column(0, "id", pa.array([1, None, 4])),
        TABLE.set_column(1, "name", pa.array(["Ann", "", "Émile"])),  # missing -> empty
        TABLE.set_column(1, "name", pa.array(["An", None, "nÉmile"])),  # same bytes, cut apart
        TABLE.set_column(2, "amount", pa.array([1.5, None, 0.0])),  # -0.0 -> 0.0
        TABLE.set_column(0, "id", pa.array([1, None, 3], pa.int32())),
        TABLE.rename_columns(["key", "name", "amount", "day", "flag"]),
        TABLE.slice(0, 2),
    ]
    digests = [content_sha256(t) for t in changed]
    assert reference not in digests
    assert len(set(digests)) == len(digests)


def test_every_nan_is_the_same_nan_and_empty_tables_hash():
    quiet = pa.array(np.array([np.nan]))
    other = pa.array(np.frombuffer(np.uint64(0x7FF8000000000001).tobytes(), dtype=np.float64))
    assert content_sha256(pa.table({"x": quiet})) == content_sha256(pa.table({"x": other}))
    empty = pa.table({"x": pa.array([], pa.string())})
    assert content_sha256(empty) != content_sha256(pa.table({"x": pa.array([None], pa.string())}))
