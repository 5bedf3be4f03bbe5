"""HTML reports escape every data value and need nothing from the network."""

from warehouse import __version__
from warehouse.bronze.layer import layer_metadata
from warehouse.report.render import human_bytes, render

HOSTILE = "<script>alert(1)</script>"


def test_bronze_report_escapes_hostile_headers_and_file_names():
    file_meta = {
        "source": "crm",
        "file": "cust_info.csv",
        "size_bytes": 2048,
        "data_rows": 3,
        "columns": 2,
        "encoding": "utf-8",
        "delimiter": ",",
        "line_ending": "CRLF",
        "ends_with_newline": True,
        "header": ["cst_id", HOSTILE],
        "sha256": "ab" * 32,
        "copy_seconds": 0.01,
        "copied_at": "2026-11-26T15:00:00+00:00",
        "raw_path": "raw/source_crm/cust_info.csv",
        "path": "artifacts/bronze/x/data/crm/cust_info.csv",
    }
    manifest = {
        "run_id": "20261126T150102Z_abababab",
        "ingestion_date": "2026-11-26",
        "fingerprint": {"combined": "ab" * 32, "raw": "1", "code": "2", "config": "3"},
    }
    env = {"python": "3.11", "platform": "linux", "packages": {"pandas": HOSTILE}}
    meta = layer_metadata(manifest, [file_meta], env, "2026-11-26T15:01:00+00:00")
    html = render("bronze_report.html.j2", meta=meta, generated_at="now", version=__version__)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "cust_info.csv" in html and "2.0 KiB" in html
    assert "<link" not in html and "src=" not in html  # self-contained: no external resources


def test_human_bytes():
    assert human_bytes(512) == "512 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(3 * 1024**3) == "3.0 GiB"


def test_check_samples_read_as_text_and_stay_escaped():
    from warehouse.report.render import pairs

    assert pairs({"id": "AC_BR", "maintenance": None}) == "id: AC_BR, maintenance: ∅"
    checks = {
        "summary": {"total": 1, "passed": 0, "failed_error": 1, "failed_warn": 0},
        "results": [
            {"table": "t", "id": "c", "severity": "error", "status": "fail", "failing_rows": 1,
             "description": "d", "sample": [{"name": HOSTILE}]}
        ],
    }  # fmt: skip
    meta = {
        "run_id": "20261126T150102Z_abababab", "ingestion_date": "2026-11-26", "status": "failed",
        "totals": {"tables": 0, "rows_in": 0, "rows_out": 0, "rows_quarantined": 0},
        "warnings": [],
    }  # fmt: skip
    html = render("silver_report.html.j2", meta=meta, tables=[], checks=checks,
                  generated_at="now", version=__version__)  # fmt: skip
    assert HOSTILE not in html
    assert "name: &lt;script&gt;alert(1)&lt;/script&gt;" in html
