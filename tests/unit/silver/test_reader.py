"""Reading a Bronze CSV like a CSV reader: the header by the CSV rules, records that span lines
only when their quotes close properly, and the lines read held against Bronze's count."""

import datetime as dt

import pyarrow as pa
import pytest

from warehouse.core.duck import session
from warehouse.core.errors import PipelineError
from warehouse.silver import lines, reader
from warehouse.silver.cleaner import clean_table, lines_check
from warehouse.silver.context import Context
from warehouse.silver.reader import BLOCK_SIZE, lines_read, load_bronze, read_bronze_csv


def _read(tmp_path, data: bytes, encoding="utf-8", delimiter=","):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return read_bronze_csv(path, encoding, delimiter)


def test_quoted_header_names_lose_their_quotes_and_may_hold_the_delimiter(tmp_path):
    rows, bad = _read(tmp_path, b'"CST_ID","name, first","c"\r\n1,"a, b",3\r\n')
    assert list(rows.columns) == ["cst_id", "name, first", "c", "_source_row"]
    assert rows.iloc[0].tolist() == ["1", "a, b", "3", 1]
    assert bad.empty


def test_cr_only_line_endings_are_read_line_by_line(tmp_path):
    rows, bad = _read(tmp_path, b"cst_id,cst_key\r1,a\r2,b\r")
    assert list(rows.columns) == ["cst_id", "cst_key", "_source_row"]
    assert rows["cst_key"].tolist() == ["a", "b"]
    assert lines_read(rows, bad) == 2


def test_a_header_with_an_unclosed_quote_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match=r"header \(line 1\) is not valid CSV"):
        _read(tmp_path, b'"cst_id,cst_key\r\n1,a\r\n')


def test_a_stray_quote_costs_its_own_line_and_the_rest_is_read(tmp_path):
    data = b'CID,CNTRY\r\nAW-1,Germany\r\nAW-2,"Germany\r\nAW-3,France\r\nAW-4,Spain\r\n'
    rows, bad = _read(tmp_path, data)
    assert rows["cid"].tolist() == ["AW-1", "AW-3", "AW-4"]
    assert rows["_source_row"].tolist() == [1, 3, 4]
    assert bad["_source_row"].tolist() == [2]
    assert bad["_raw_line"].tolist() == ['AW-2,"Germany']
    reason = bad["_reason"][0]
    assert reason.startswith("line 3: a quote opened in this line is never closed properly")
    assert "the 2 lines after it, up to the end of the file" in reason
    assert lines_read(rows, bad) == 4  # every data line Bronze counted


def test_a_stray_quote_closed_by_a_later_quote_still_costs_one_line(tmp_path):
    data = b'ID,NAME,X\r\n1,"Anne,a\r\n2,b,c\r\n3,"a, b",d\r\n4,"two\r\nlines",e\r\n'
    rows, bad = _read(tmp_path, data)
    assert rows["name"].tolist() == ["b", "a, b", "two\r\nlines"]
    assert rows["_source_row"].tolist() == [2, 3, 4]
    assert "up to line 4" in bad["_reason"][0]
    assert lines_read(rows, bad) == 5


def test_proper_quoted_fields_across_lines_are_values(tmp_path):
    rows, bad = _read(tmp_path, b'ID,NOTE\r\n1,"a, b"\r\n2,"first\r\nsecond"\r\n3,"x""y"\r\n')
    assert rows["note"].tolist() == ["a, b", "first\r\nsecond", 'x"y']
    assert rows["_source_row"].tolist() == [1, 2, 3]
    assert bad.empty
    assert lines_read(rows, bad) == 4


def test_the_line_by_line_reading_keeps_wrong_field_counts_and_empty_lines(tmp_path):
    data = b'A,B\r\n1,"x\r\ny"\r\n1,2,3\r\n\r\n4,"ab"c\r\n'
    rows, bad = _read(tmp_path, data)
    assert rows["b"].tolist()[0] == "x\r\ny"
    assert rows["a"].isna().tolist() == [False, True, False]  # the empty line is a blank row
    assert rows["b"].tolist()[2] == "abc"  # text after a closing quote, as Arrow reads it
    assert bad["_reason"].tolist() == ["line has 3 fields, the header has 2"]
    assert bad["_source_row"].tolist() == [2]


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ","), ("utf-16", "\t"), ("latin-1", ",")]
)
def test_the_encoding_bronze_detected_is_used(tmp_path, encoding, delimiter):
    text = f"id{delimiter}name\r\n1{delimiter}“Christy”\r\n2{delimiter}€uro-Bank\r\n"
    if encoding == "latin-1":
        text = text.replace("“", "").replace("”", "").replace("€", "E")
    rows, _ = _read(tmp_path, text.encode(encoding), encoding, delimiter)
    expected = ["“Christy”", "€uro-Bank"] if encoding != "latin-1" else ["Christy", "Euro-Bank"]
    assert rows["name"].tolist() == expected


def test_lines_check_passes_when_the_lines_are_accounted_and_fails_when_not(tmp_path):
    loaded, _, _ = _load(tmp_path, b'ID,NOTE\r\n1,"a\r\nb"\r\n2,c\r\n')
    assert lines_check(loaded, 3, "t", 2) == []
    [result] = lines_check(loaded, 9, "t", 2)
    assert result["id"] == "lines_match_bronze"
    assert (result["severity"], result["status"], result["failing_rows"]) == ("error", "fail", 6)
    assert result["details"] == {"bronze_data_lines": 9, "lines_read": 3, "records": 2}


def test_clean_table_reports_a_line_mismatch_as_a_failed_error_check(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"ID,NAME\r\n1,a\r\n2,b\r\n")
    for bronze_lines, expected in [(100, [("lines_match_bronze", "error", "fail")]), (2, [])]:
        ctx = Context("erp_t", dt.date(2026, 11, 26))
        with session(label="test") as con:
            result = clean_table(con, load_bronze(con, path), None, ctx, bronze_lines=bronze_lines)
        assert [(c["id"], c["severity"], c["status"]) for c in result.checks] == expected


# load_bronze: the file streamed into a DuckDB table, numbered by record.


def _load(tmp_path, data: bytes, block_size=BLOCK_SIZE, threads=1, **kwargs):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with session(threads=threads, label="test") as con:
        loaded = load_bronze(con, path, block_size=block_size, **kwargs)
        rows = con.sql(f"SELECT * FROM {loaded.relation}").fetchall()
        types = [(c[0], c[1]) for c in con.sql(f"DESCRIBE {loaded.relation}").fetchall()]
    return loaded, rows, types


def _lines(bad: set[int], total: int) -> bytes:
    """A file of ``total`` records, one a line; those numbered in ``bad`` have a third field."""
    body = [f"{n},v{n},x" if n in bad else f"{n},v{n}" for n in range(1, total + 1)]
    return ("ID,Value\r\n" + "".join(f"{line}\r\n" for line in body)).encode()


@pytest.mark.parametrize(
    "bad",
    [
        set(),
        {1},
        {1, 2, 3},
        {500},
        {250, 251, 400, 777},
        {999, 1000},
        {1, 500, 1000},
        set(range(1, 1001, 3)),
        set(range(1, 1001)) - {640},
    ],
    ids=["none", "first", "first3", "middle", "scattered", "last2", "ends", "every3rd", "one_good"],
)
@pytest.mark.parametrize("block_size", [BLOCK_SIZE, 64, 1000])
def test_records_are_numbered_around_malformed_lines_at_any_place_and_block(
    tmp_path, bad, block_size
):
    total = 1000
    loaded, rows, _ = _load(tmp_path, _lines(bad, total), block_size=block_size, threads=2)
    good = [n for n in range(1, total + 1) if n not in bad]
    assert [r[2] for r in rows] == good  # rows in file order, each with its record number
    assert [r[0] for r in rows] == [str(n) for n in good]  # the record the number names
    assert loaded.malformed.column("_source_row").to_pylist() == sorted(bad)
    assert loaded.malformed.column("_raw_line").to_pylist() == [f"{n},v{n},x" for n in sorted(bad)]
    assert (loaded.rows, loaded.malformed.num_rows, loaded.lines_read) == (
        len(good),
        len(bad),
        total,
    )
    assert not loaded.by_lines


def test_the_relation_has_the_header_columns_in_order_as_varchar_then_the_record_number(
    tmp_path,
):
    loaded, rows, types = _load(
        tmp_path, b" Zeta ,ALPHA,mid\r\n1,,c\r\n", relation="raw_t", delimiter=","
    )
    assert loaded.relation == "raw_t"
    assert loaded.columns == ["zeta", "alpha", "mid"]
    assert types == [
        ("zeta", "VARCHAR"),
        ("alpha", "VARCHAR"),
        ("mid", "VARCHAR"),
        ("_source_row", "BIGINT"),
    ]
    assert rows == [("1", None, "c", 1)]  # an empty field is NULL
    assert loaded.malformed.schema.names == ["_source_row", "_raw_line", "_reason"]
    assert [str(t) for t in loaded.malformed.schema.types] == ["int64", "string", "string"]


def test_a_header_only_file_is_an_empty_table_with_its_columns(tmp_path):
    loaded, rows, types = _load(tmp_path, b"a,b\r\n")
    assert (rows, loaded.rows, loaded.lines_read) == ([], 0, 0)
    assert [t[0] for t in types] == ["a", "b", "_source_row"]


def test_records_spanning_lines_are_read_by_lines_and_their_breaks_counted(tmp_path):
    data = b'ID,NOTE\r\n1,"a\r\nb"\r\n2,x,y\r\n3,"c\rd\ne"\r\n4,"f\r\n'
    loaded, rows, _ = _load(tmp_path, data, block_size=16)
    assert loaded.by_lines
    assert rows == [("1", "a\r\nb", 1), ("3", "c\rd\ne", 3)]
    assert loaded.malformed.column("_source_row").to_pylist() == [2, 4]
    assert loaded.malformed.column("_raw_line").to_pylist() == ["2,x,y", '4,"f']
    # 4 records, 3 line breaks in values (a CRLF is one): the file's 7 data lines.
    assert (loaded.rows, loaded.lines_read) == (2, 7)


def test_a_malformed_record_spanning_lines_counts_its_lines(tmp_path):
    data = b'ID,NOTE\r\n1,"a\r\nb",extra\r\n2,c\r\n'
    loaded, rows, _ = _load(tmp_path, data)
    assert loaded.by_lines
    assert rows == [("2", "c", 2)]
    assert loaded.malformed.column("_raw_line").to_pylist() == ['1,"a\r\nb",extra']
    assert loaded.lines_read == 3


def test_reading_by_lines_streams_many_batches_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "BATCH_ROWS", 7)
    body = "".join(f'{n},"v\n{n}"\r\n' if n % 10 == 0 else f"{n},v{n}\r\n" for n in range(1, 101))
    loaded, rows, _ = _load(tmp_path, ("id,v\r\n" + body).encode(), threads=2)
    assert loaded.by_lines
    assert [r[2] for r in rows] == list(range(1, 101))
    assert [r[0] for r in rows] == [str(n) for n in range(1, 101)]
    assert loaded.lines_read == 110


def test_a_record_larger_than_a_block_is_read_by_lines(tmp_path):
    data = b"a,b\r\n1,x\r\n2," + b"y" * 5000 + b"\r\n3,z\r\n"
    loaded, rows, _ = _load(tmp_path, data, block_size=1024)
    assert loaded.by_lines
    assert [(r[0], len(r[1]), r[2]) for r in rows] == [("1", 1, 1), ("2", 5000, 2), ("3", 1, 3)]


def test_an_undefined_byte_is_read_by_lines_as_a_replacement_character(tmp_path):
    loaded, rows, _ = _load(tmp_path, b"id,name\r\n1,a\x81b\r\n", encoding="cp1252")
    assert loaded.by_lines
    assert rows == [("1", "a\ufffdb", 1)]


def test_an_existing_relation_is_replaced(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\r\n1\r\n")
    with session(label="test") as con:
        con.execute("CREATE TABLE bronze AS SELECT 42 AS old")
        load_bronze(con, path)
        assert con.sql("SELECT * FROM bronze").fetchall() == [("1", 1)]


def test_a_header_naming_the_record_number_column_is_refused(tmp_path):
    with pytest.raises(PipelineError, match="_source_row, a name Silver keeps"):
        _load(tmp_path, b"id,_Source_Row\r\n1,2\r\n")


def test_read_bronze_csv_gives_text_columns_and_the_record_number_last(tmp_path):
    rows, bad = _read(tmp_path, b"A,B\r\n1,\r\n2,x,y\r\n")
    assert [str(t) for t in rows.dtypes] == ["str", "str", "int64"]
    assert [str(t) for t in bad.dtypes] == ["int64", "str", "str"]
    rows, bad = _read(tmp_path, b"A,B\r\n")
    assert [str(t) for t in rows.dtypes] == ["str", "str", "int64"]
    assert [str(t) for t in bad.dtypes] == ["int64", "str", "str"]


def test_an_error_while_streaming_keeps_its_type_and_leaves_no_table(tmp_path, monkeypatch):
    class Failing:
        schema = pa.schema([("a", pa.string())])

        def __iter__(self):
            yield pa.RecordBatch.from_pylist([{"a": "1"}], schema=self.schema)
            raise MemoryError("out of memory")

    monkeypatch.setattr(reader, "_open_csv", lambda *args: Failing())
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\r\n1\r\n2\r\n")
    with session(label="test") as con:
        with pytest.raises(MemoryError, match="out of memory"):
            load_bronze(con, path)
        assert con.sql("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
