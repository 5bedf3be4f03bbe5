"""Bronze copies are byte-exact and verified; odd files are described, not rejected."""

import hashlib

import pytest

from warehouse.bronze import copy as bronze
from warehouse.bronze.copy import copy_verified
from warehouse.bronze.layer import file_warnings, layer_metadata, run_log
from warehouse.core.errors import PipelineError


def _copy(tmp_path, data: bytes, **kwargs):
    src = tmp_path / "src.csv"
    src.write_bytes(data)
    dest = tmp_path / "out" / "dest.csv"
    facts = copy_verified(src, dest, **kwargs)
    assert dest.read_bytes() == data
    return facts


def test_copy_is_byte_exact_with_sha256_and_crlf_facts(tmp_path):
    data = "cst_id,cst_firstname\r\n1,José\r\n2,Zoë".encode()
    facts = _copy(tmp_path, data, expected_sha256=hashlib.sha256(data).hexdigest())
    assert facts["sha256"] == hashlib.sha256(data).hexdigest()
    assert facts["size_bytes"] == len(data)
    assert facts["encoding"] == "utf-8"
    assert facts["line_ending"] == "CRLF"
    assert facts["ends_with_newline"] is False
    assert facts["header"] == ["cst_id", "cst_firstname"]
    assert facts["data_rows"] == 2
    assert facts["delimiter"] == ","


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\n1,2\n", {"line_ending": "LF", "data_rows": 1, "encoding": "ascii"}),
        (b"a,b\r1,2\r", {"line_ending": "CR", "data_rows": 1}),
        (b"a,b\r\n1,2\n3,4\r\n", {"line_ending": "mixed", "data_rows": 2}),
        (b"", {"line_ending": "none", "data_rows": 0, "header": [], "columns": 0}),
        (b"a,b\r\n", {"data_rows": 0, "header": ["a", "b"]}),
        (b"a;b;c\n1;2;3\n", {"delimiter": ";", "columns": 3}),
        (b"a\tb\n1\t2\n", {"delimiter": "\t", "columns": 2}),
        (
            b"\xef\xbb\xbfID,CAT\r\nAC,Bikes\r\n",
            {"encoding": "utf-8-sig", "bom": True, "header": ["ID", "CAT"]},
        ),
        (b"name\nM\xfcller\n", {"encoding": "latin-1", "encoding_confidence": 1.0}),
        (
            "id,name\r\n1,€uro-Bank\r\n2,“Christy”\r\n".encode("cp1252"),
            {"encoding": "cp1252", "header": ["id", "name"], "data_rows": 2},
        ),
        (
            # Excel's "Unicode text": UTF-16 with a byte order mark, tab separated; U+010A
            # holds a 0x0A byte that is no line break.
            "id\tname\r\n1\tĊ€\r\n2\tb\r\n".encode("utf-16"),
            {"encoding": "utf-16", "delimiter": "\t", "header": ["id", "name"], "data_rows": 2},
        ),
        (
            b'"cst_id","name, first","c"\r\n1,2,3\r\n',
            {"delimiter": ",", "header": ["cst_id", "name, first", "c"], "columns": 3},
        ),
        (b'"a;b",c,d\n1,2,3\n', {"delimiter": ",", "columns": 3}),
        (b"cst_id,cst_key\r1,a\r2,b\r", {"line_ending": "CR", "header": ["cst_id", "cst_key"]}),
        (b"PK\x03\x04\x00\x00binary", {"encoding": "binary"}),
    ],
)
def test_odd_files_are_described(tmp_path, data, expected):
    facts = _copy(tmp_path, data)
    for key, value in expected.items():
        assert facts[key] == value, key


def test_crlf_split_across_chunks_counts_once(tmp_path, monkeypatch):
    monkeypatch.setattr(bronze, "CHUNK", 4)
    facts = _copy(tmp_path, b"abc\r\ndef\r\nghi\r\n")  # "\r" ends the first 4-byte chunk
    assert facts["line_ending"] == "CRLF"
    assert facts["lines"] == 3


def test_latin1_note_names_the_byte_offset(tmp_path):
    facts = _copy(tmp_path, b"name\r\nM\xfcller\r\n")
    assert facts["encoding_note"] == "not valid UTF-8 at byte 7"


def test_utf16_split_across_chunks_counts_its_lines_in_text(tmp_path, monkeypatch):
    monkeypatch.setattr(bronze, "CHUNK", 3)  # odd: every chunk ends inside a character
    facts = _copy(tmp_path, "a,b\r\n1,Ċ\r\n2,x".encode("utf-16"))
    assert (facts["encoding"], facts["line_ending"], facts["lines"]) == ("utf-16", "CRLF", 3)
    assert facts["ends_with_newline"] is False


def test_the_sample_for_the_encoding_starts_at_the_first_byte_that_is_not_utf8(tmp_path):
    # 2 MB of valid UTF-8 first: the € (0x80) near the end must still decide the code page.
    data = b"name\r\n" + "Åsa\r\n".encode() * 400_000 + b"\x80uro\r\n\x93Christy\x94\r\n"
    facts = _copy(tmp_path, data)
    assert facts["encoding"] == "cp1252"


def test_raw_file_that_differs_from_the_manifest_is_refused(tmp_path):
    src = tmp_path / "src.csv"
    src.write_bytes(b"a\r\n1\r\n")
    dest = tmp_path / "out" / "dest.csv"
    with pytest.raises(PipelineError, match=r"src\.csv is not the file this run was made from"):
        copy_verified(src, dest, expected_sha256="0" * 64)
    assert not dest.exists()
    assert list((tmp_path / "out").iterdir()) == []  # no partial file left behind


def test_raw_file_changing_during_the_copy_is_detected(tmp_path, monkeypatch):
    src = tmp_path / "src.csv"
    src.write_bytes(b"a\r\n" + b"1\r\n" * 100)
    monkeypatch.setattr(bronze, "CHUNK", 16)
    real_feed = bronze._Scanner.feed

    def feed_and_append(self, chunk):
        if self.size == 0:
            with open(src, "ab") as handle:  # the export is still being written
                handle.write(b"2\r\n" * 50)
        real_feed(self, chunk)

    monkeypatch.setattr(bronze._Scanner, "feed", feed_and_append)
    dest = tmp_path / "out" / "dest.csv"
    with pytest.raises(PipelineError, match="changed while it was being copied"):
        copy_verified(src, dest)
    assert not dest.exists()


def _meta(**overrides):
    meta = {
        "source": "crm",
        "file": "cust_info.csv",
        "size_bytes": 10,
        "data_rows": 1,
        "encoding": "utf-8",
        "line_ending": "CRLF",
        "ends_with_newline": True,
        "copy_seconds": 0.01,
        "copied_at": "2026-11-26T15:00:00+00:00",
        "raw_path": "raw/source_crm/cust_info.csv",
        "path": "artifacts/bronze/x/data/crm/cust_info.csv",
        "columns": 2,
        "sha256": "ab" * 32,
    }
    return {**meta, **overrides}


def test_warnings_name_the_file_and_the_problem():
    assert file_warnings(_meta()) == []
    assert "crm/cust_info.csv is empty" in file_warnings(_meta(size_bytes=0, data_rows=0))[0]
    assert "header but no data rows" in file_warnings(_meta(data_rows=0))[0]
    assert "no line break after its last row" in file_warnings(_meta(ends_with_newline=False))[0]
    assert "NUL bytes" in file_warnings(_meta(encoding="binary"))[0]
    cp1252 = {"encoding": "cp1252", "encoding_note": "not valid UTF-8 at byte 9"}
    assert file_warnings(_meta(**cp1252, encoding_confidence=0.97)) == [
        "crm/cust_info.csv is not valid UTF-8 (not valid UTF-8 at byte 9): it is read as "
        "Windows-1252 (detected with confidence 0.97)."
    ]
    undecided = file_warnings(_meta(**cp1252, encoding_confidence=0.3))[0]
    assert "its encoding could not be determined" in undecided
    assert "re-export it as UTF-8" in undecided
    assert file_warnings(_meta(encoding="utf-16", encoding_confidence=1.0)) == []


def test_layer_metadata_totals_and_run_log():
    manifest = {
        "run_id": "20261126T150102Z_abababab",
        "ingestion_date": "2026-11-26",
        "fingerprint": {"combined": "ab" * 32, "raw": "1", "code": "2", "config": "3"},
    }
    files = [
        _meta(),
        _meta(
            source="erp", file="LOC_A101.csv", data_rows=5, size_bytes=20, ends_with_newline=False
        ),
    ]
    meta = layer_metadata(manifest, files, {"python": "3"}, "2026-11-26T15:01:00+00:00")
    assert meta["totals"] == {
        "files": 2,
        "sources": ["crm", "erp"],
        "data_rows": 6,
        "size_bytes": 30,
    }
    assert meta["warnings"] == [
        "erp/LOC_A101.csv has no line break after its last row (kept as is)."
    ]
    log = run_log(meta)
    assert "2 files, 6 data rows, 30 bytes" in log
    assert "copied raw/source_crm/cust_info.csv -> artifacts/bronze/x/data/crm/cust_info.csv" in log
    assert log.rstrip().endswith("(kept as is).")
