"""Content checksums: equal tables hash equal however they were built, whatever metadata they
carry; any change of a value, of validity, of a column name or type changes the checksum. Files
read back in pandas' nullable dtypes and say what they are (key-value and field metadata)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse import __version__
from warehouse.core.parquet import (
    column_descriptions,
    content_sha256,
    file_metadata,
    read_parquet,
    to_arrow,
    write_parquet,
)


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


# --- What a file says about itself: pandas dtypes, key-value metadata, column descriptions ---

FRAME = pd.DataFrame(
    {
        "id": pd.array([1, None, 3], dtype="Int64"),
        "name": pd.array(["Ann", None, "Émile"], dtype="str"),
        "amount": pd.array([1.5, None, 2.0], dtype="Float64"),
        "day": pd.Series([dt.date(2024, 1, 31), None, None], dtype=pd.ArrowDtype(pa.date32())),
        "flag": pd.array([True, None, False], dtype="boolean"),
    }
)
ABOUT = file_metadata(
    run_id="20261201T000000Z_0000beef", layer="gold", table="t", contract_sha256="ab" * 32
)


def test_pandas_reads_nullable_columns_back_as_nullable_dtypes(tmp_path):
    write_parquet(FRAME, tmp_path / "t.parquet", metadata=ABOUT)
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back.dtypes.to_dict() == FRAME.dtypes.to_dict()
    assert back.dtypes.to_dict() == read_parquet(tmp_path / "t.parquet").dtypes.to_dict()
    assert str(back.dtypes["id"]) == "Int64" and back["id"].isna().tolist() == [False, True, False]
    pd.testing.assert_frame_equal(back, FRAME)
    # A numpy column is read back in the same nullable dtype as read_parquet gives it.
    write_parquet(pd.DataFrame({"n": np.array([1, 2])}), tmp_path / "n.parquet")
    assert str(pd.read_parquet(tmp_path / "n.parquet").dtypes["n"]) == "Int64"


def test_a_file_carries_its_metadata_and_column_descriptions(tmp_path):
    path = tmp_path / "t.parquet"
    write_parquet(FRAME, path, metadata=ABOUT, descriptions={"id": "Customer id.", "x": "?"})
    schema = pq.read_schema(path)
    kv = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()}
    assert {k: kv[k] for k in ABOUT} == {
        "run_id": "20261201T000000Z_0000beef",
        "layer": "gold",
        "table": "t",
        "contract_sha256": "ab" * 32,
        "project_version": __version__,
    }
    assert "pandas" in kv
    assert schema.field("id").metadata == {b"description": b"Customer id."}
    assert schema.field("name").metadata is None  # no description: no field metadata
    assert schema.names == list(FRAME.columns)


def test_metadata_changes_neither_types_nor_values_nor_the_content_checksum(tmp_path):
    plain = write_parquet(FRAME, tmp_path / "plain.parquet")
    other = file_metadata(
        run_id="20261202T000000Z_0000cafe", layer="gold", table="t", contract_sha256=None
    )
    written = [
        write_parquet(FRAME, tmp_path / "a.parquet", metadata=ABOUT, descriptions={"id": "A."}),
        write_parquet(FRAME, tmp_path / "b.parquet", metadata=other, descriptions={"day": "B."}),
    ]
    assert {w["content_sha256"] for w in written} == {plain["content_sha256"]}
    assert len({plain["sha256"], *(w["sha256"] for w in written)}) == 3  # the bytes differ
    tables = [pq.read_table(tmp_path / f"{n}.parquet") for n in ("plain", "a", "b")]
    assert all(t.equals(tables[0]) for t in tables)  # names, order, types, values
    assert {content_sha256(t) for t in tables} == {plain["content_sha256"]}
    bare = to_arrow(FRAME).replace_schema_metadata(None)
    assert content_sha256(bare) == plain["content_sha256"]


def test_a_table_without_a_contract_says_so():
    meta = file_metadata(run_id="r", layer="silver", table="t", contract_sha256=None)
    assert meta["contract_sha256"] == ""
    assert column_descriptions(None) == {}
    contract = {"columns": [{"name": "a", "description": "A."}, {"name": "b"}]}
    assert column_descriptions(contract) == {"a": "A."}
