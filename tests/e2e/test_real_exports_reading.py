"""Real-world exports, read like a CSV reader and checked against Bronze (issue #13).

Each case writes a real file into raw/ of a copy of a workspace that holds a complete earlier
run and builds the affected Silver table (or the whole run) of a new run: a stray quote costs
one line, Windows-1252 and UTF-16 exports keep their characters, quoted header names and
CR-only line endings are read as the CSV they are. The earlier run stays byte-identical.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
import yaml
from test_reliability import (
    CUST,
    NEW_RUN,
    assert_earlier_run_untouched,
    assert_failed_cleanly,
    build_table,
    quarantine,
    rewrite,
    table_meta,
)

from conftest import Workspace

pytestmark = pytest.mark.e2e

LOC = "raw/source_erp/LOC_A101.csv"


def earlier_table_meta(ws: Workspace, table: str) -> dict:
    run_id = ws.run_ids()[0]
    return yaml.safe_load((ws.root / f"artifacts/silver/{run_id}/tables/{table}.yaml").read_text())


def bronze_facts(ws: Workspace, source: str, file: str) -> dict:
    path = ws.root / f"artifacts/bronze/{NEW_RUN}/files/{source}/{file}.yaml"
    return yaml.safe_load(path.read_text())


def with_line(data: bytes, number: int, transform) -> bytes:
    """``data`` with its file line ``number`` (the header is line 1) transformed."""
    lines = data.split(b"\r\n")
    lines[number - 1] = transform(lines[number - 1])
    return b"\r\n".join(lines)


def assert_no_traceback(result):
    assert "Traceback" not in result.output, result.output[-3000:]


def test_a_stray_quote_costs_one_line_and_the_run_completes_sanely(case):
    before = earlier_table_meta(case, "erp_loc_a101")
    rewrite(case.root / LOC, lambda b: with_line(b, 10, lambda line: line.replace(b",", b',"')))
    stray = (case.root / LOC).read_bytes().split(b"\r\n")[9].decode()
    result = case.snakemake("all", "--config", f"run_id={NEW_RUN}")
    assert result.returncode == 0, result.output[-3000:]
    assert_no_traceback(result)
    meta = table_meta(case, "erp_loc_a101")
    assert meta["rows_in"] == before["rows_in"]  # every line of the file is accounted for
    assert meta["rows_out"] == before["rows_out"] - 1
    [bad] = [r for r in quarantine(case, "erp_loc_a101").to_pylist() if r["_source_row"] == 9]
    assert bad["_rule_id"] == "malformed_line"
    assert bad["_raw_line"] == stray
    assert bad["_reason"].startswith("line 10: a quote opened in this line is never closed")
    assert "up to the end of the file" in bad["_reason"]
    assert all(c["status"] == "pass" for c in meta["checks"] if c["severity"] == "error")
    countries = pq.read_table(
        case.root / f"artifacts/gold/marts/{NEW_RUN}/data/dim_customers.parquet"
    ).column("country")
    values = countries.to_pylist()
    assert max(len(v) for v in values if v) < 40  # no value swallowed the rest of the file
    assert values.count("n/a") <= len(values) // 4
    assert_earlier_run_untouched(case)


def test_a_name_typed_with_an_opening_quote_costs_only_its_row(case):
    def quote_first_name(line: bytes) -> bytes:
        fields = line.split(b",")
        fields[2] = b'"' + fields[2]  # a first name typed as "Anne
        return b",".join(fields)

    before = earlier_table_meta(case, "crm_cust_info")
    rewrite(case.root / CUST, lambda b: with_line(b, 5, quote_first_name))
    result, output = build_table(case, "crm_cust_info")
    assert result.returncode == 0, result.output[-3000:]
    assert_no_traceback(result)
    meta = table_meta(case, "crm_cust_info")
    assert meta["rows_in"] == before["rows_in"]
    rows = quarantine(case, "crm_cust_info").to_pylist()
    [bad] = [r for r in rows if r["_source_row"] == 4]
    assert bad["_rule_id"] == "malformed_line"
    assert bad["_reason"].startswith("line 5: a quote opened in this line is never closed")
    malformed = [r for r in rows if r["_rule_id"] == "malformed_line"]
    assert len(malformed) == before["quarantine_by_rule"].get("malformed_line", 0) + 1
    assert_earlier_run_untouched(case)


def test_a_windows_1252_export_keeps_its_euro_sign_and_curly_quotes(case):
    text = (case.root / CUST).read_bytes().decode()
    first = text.split("\r\n")[1].split(",")
    first[2], first[3] = "“Christy”", "€uro-Bank"
    lines = text.split("\r\n")
    lines[1] = ",".join(first)
    (case.root / CUST).write_bytes("\r\n".join(lines).encode("cp1252", errors="replace"))
    result, output = build_table(case, "crm_cust_info")
    assert result.returncode == 0, result.output[-3000:]
    assert_no_traceback(result)
    table = pq.read_table(output)
    assert "“Christy”" in table.column("cst_firstname").to_pylist()
    assert "€uro-Bank" in table.column("cst_lastname").to_pylist()
    facts = bronze_facts(case, "crm", "cust_info.csv")
    assert facts["encoding"] == "cp1252"
    assert facts["encoding_confidence"] >= 0.8
    warnings = table_meta(case, "crm_cust_info")["warnings"]
    assert any("it was read as Windows-1252 (cp1252" in w for w in warnings), warnings
    assert_earlier_run_untouched(case)


def test_a_utf16_unicode_text_export_is_read(case):
    text = (case.root / "raw/source_erp/PX_CAT_G1V2.csv").read_bytes().decode()
    (case.root / "raw/source_erp/PX_CAT_UNICODE.csv").write_bytes(
        text.replace(",", "\t").replace("Bikes", "Bikes €").encode("utf-16")
    )
    result, output = build_table(case, "erp_px_cat_unicode")
    assert result.returncode == 0, result.output[-3000:]
    assert_no_traceback(result)
    table = pq.read_table(output)
    assert table.schema.names[:2] == ["id", "cat"]
    assert "Bikes €" in table.column("cat").to_pylist()
    facts = bronze_facts(case, "erp", "PX_CAT_UNICODE.csv")
    assert (facts["encoding"], facts["delimiter"]) == ("utf-16", "\t")
    assert table.num_rows == facts["data_rows"]
    assert_earlier_run_untouched(case)


def test_quoted_header_names_match_the_contract(case):
    def quote_header(data: bytes) -> bytes:
        header, rest = data.split(b"\r\n", 1)
        return b",".join(b'"' + n + b'"' for n in header.split(b",")) + b"\r\n" + rest

    before = earlier_table_meta(case, "crm_cust_info")
    rewrite(case.root / CUST, quote_header)
    result, output = build_table(case, "crm_cust_info")
    assert result.returncode == 0, result.output[-3000:]
    meta = table_meta(case, "crm_cust_info")
    assert (meta["rows_out"], meta["rows_quarantined"]) == (
        before["rows_out"],
        before["rows_quarantined"],
    )
    assert_earlier_run_untouched(case)


def test_quoted_header_names_without_a_contract_lose_their_quotes_and_may_hold_commas(case):
    (case.root / "raw/source_erp/QUOTED_HDR.csv").write_bytes(
        b'"ID","Name, first","City"\r\n1,Anne,Berlin\r\n2,"Bo, Jr.",Oslo\r\n'
    )
    result, output = build_table(case, "erp_quoted_hdr")
    assert result.returncode == 0, result.output[-3000:]
    table = pq.read_table(output)
    assert table.schema.names[:3] == ["id", "name, first", "city"]
    assert table.column("name, first").to_pylist() == ["Anne", "Bo, Jr."]
    assert quarantine(case, "erp_quoted_hdr").num_rows == 0
    assert_earlier_run_untouched(case)


def test_a_header_with_an_unclosed_quote_is_a_clear_error(case):
    (case.root / "raw/source_erp/BAD_HDR.csv").write_bytes(b'"ID,NAME\r\n1,a\r\n')
    result, output = build_table(case, "erp_bad_hdr")
    assert_failed_cleanly(
        case, result, output, "BAD_HDR.csv: the header (line 1) is not valid CSV", "Fix the header"
    )
    assert_no_traceback(result)


def test_cr_only_line_endings_are_read_as_lines(case):
    before = earlier_table_meta(case, "crm_cust_info")
    rewrite(case.root / CUST, lambda b: b.replace(b"\r\n", b"\r"))
    result, output = build_table(case, "crm_cust_info")
    assert result.returncode == 0, result.output[-3000:]
    assert_no_traceback(result)
    meta = table_meta(case, "crm_cust_info")
    assert (meta["rows_out"], meta["rows_quarantined"]) == (
        before["rows_out"],
        before["rows_quarantined"],
    )
    assert bronze_facts(case, "crm", "cust_info.csv")["line_ending"] == "CR"
    assert_earlier_run_untouched(case)
