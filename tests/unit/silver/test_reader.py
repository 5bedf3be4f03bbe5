"""Reading a Bronze CSV like a CSV reader: the header by the CSV rules, records that span lines
only when their quotes close properly, and the lines read held against Bronze's count."""

import datetime as dt

import pytest

from warehouse.core.errors import PipelineError
from warehouse.silver.cleaner import clean_table, lines_check
from warehouse.silver.context import Context
from warehouse.silver.reader import lines_read, read_bronze_csv


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
    rows, bad = _read(tmp_path, b'ID,NOTE\r\n1,"a\r\nb"\r\n2,c\r\n')
    assert lines_check(rows, bad, 3, "t", 2) == []
    [result] = lines_check(rows, bad, 9, "t", 2)
    assert result["id"] == "lines_match_bronze"
    assert (result["severity"], result["status"], result["failing_rows"]) == ("error", "fail", 6)
    assert result["details"] == {"bronze_data_lines": 9, "lines_read": 3, "records": 2}


def test_clean_table_reports_a_line_mismatch_as_a_failed_error_check(tmp_path):
    rows, bad = _read(tmp_path, b"ID,NAME\r\n1,a\r\n2,b\r\n")
    ctx = Context("erp_t", dt.date(2026, 11, 26))
    result = clean_table(rows, bad, None, ctx, bronze_lines=100)
    assert [(c["id"], c["severity"], c["status"]) for c in result.checks] == [
        ("lines_match_bronze", "error", "fail")
    ]
    ctx = Context("erp_t", dt.date(2026, 11, 26))
    assert clean_table(rows, bad, None, ctx, bronze_lines=2).checks == []
