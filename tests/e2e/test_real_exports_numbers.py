"""Real-world exports (issue #13): numbers at their limits, and content checksums that mean content.

Each case writes a real export into raw/ of a copy of a workspace holding a complete earlier run
and runs the real ``snakemake``: integers beyond int64, ``1e400``, ``inf``, zero prices, signs and
spaces are kept exactly when valid and quarantined (or made missing, as the contract says) with
the reason when not, in contracts, in the generic path for tables without one and in profiles;
and two runs whose tables hold the same values compare unchanged in the run diff.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from test_reliability import (
    NEW_RUN,
    SALES,
    assert_earlier_run_untouched,
    build_table,
    quarantine,
    rewrite,
    table_meta,
)

pytestmark = pytest.mark.e2e


def line(order: str, cust: str = "11000", sales: str = "10", qty: str = "1", price: str = "10"):
    """One CRM order line with valid dates and the given numbers."""
    fields = [order, "BK-R93R-62", cust, "20130101", "20130108", "20130113", sales, qty, price]
    return ",".join(fields).encode() + b"\r\n"


def test_numbers_at_their_limits_in_a_contract_are_kept_or_quarantined_with_the_reason(case):
    rewrite(
        case.root / SALES,
        lambda b: (
            b
            + line("SO9001", cust="99999999999999999999")  # beyond int64, on_error: reject
            + line("SO9002", cust="9223372036854775807")  # the int64 maximum: valid
            + line("SO9003", cust=" +11000 ", qty=" +2 ", sales="20")  # signs and spaces
            + line("SO9004", sales="20", qty="2", price="1e400")  # on_error: null, then derived
            + line("SO9005", sales="30", qty="3", price="0")  # a zero price is derived
            + line("SO9006", sales="40", qty="4", price="-0")
            + line("SO9007", sales="inf", qty="5", price="2")
        ),  # not a number: recomputed
    )
    result, output = build_table(case, "crm_sales_details")
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    q = {r["sls_ord_num"]: r for r in quarantine(case, "crm_sales_details").to_pylist()}
    assert q["SO9001"]["_rule_id"] == "cust_id_is_int"
    assert q["SO9001"]["_reason"] == (
        "sls_cust_id: '99999999999999999999' is not a valid int (outside the 64-bit integer "
        "range -9223372036854775808 to 9223372036854775807)"
    )
    assert q["SO9001"]["sls_cust_id"] == "99999999999999999999"  # the original text
    assert not {"SO9002", "SO9003", "SO9004", "SO9005", "SO9006", "SO9007"} & set(q)
    rows = {r["sls_ord_num"]: r for r in pq.read_table(output).to_pylist()}
    got = {
        order: (rows[order]["sls_cust_id"], rows[order]["sls_sales"], rows[order]["sls_price"])
        for order in ("SO9002", "SO9003", "SO9004", "SO9005", "SO9006", "SO9007")
    }
    assert got == {
        "SO9002": (2**63 - 1, 10.0, 10.0),
        "SO9003": (11000, 20.0, 10.0),
        "SO9004": (11000, 20.0, 10.0),
        "SO9005": (11000, 30.0, 10.0),
        "SO9006": (11000, 40.0, 10.0),
        "SO9007": (11000, 10.0, 2.0),
    }
    failing = [
        c["id"]
        for c in table_meta(case, "crm_sales_details")["checks"]
        if c["status"] != "pass" and c["severity"] == "error"
    ]
    assert not failing  # every fixable line was fixed: the gate stays open
    assert_earlier_run_untouched(case)


def test_numbers_at_their_limits_without_a_contract_keep_their_exact_text(case):
    (case.root / "raw/source_erp/BIG_NUMBERS.csv").write_bytes(
        b"ID,AMOUNT,QTY,PRICE\r\n"
        b"1,1.5, +5 ,2.5\r\n"
        b"99999999999999999999,1e400,-0,1e308\r\n"
        b"9223372036854775807,inf,7,-0\r\n"
    )
    result, output = build_table(case, "erp_big_numbers")
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    table = pq.read_table(output)
    assert [str(t) for t in table.schema.types[:4]] == [
        "large_string",
        "large_string",
        "int64",
        "double",
    ]
    assert table.column("id").to_pylist() == ["1", "99999999999999999999", "9223372036854775807"]
    assert table.column("amount").to_pylist() == ["1.5", "1e400", "inf"]
    assert table.column("qty").to_pylist() == [5, 0, 7]
    assert table.column("price").to_pylist() == [2.5, 1e308, -0.0]
    assert_earlier_run_untouched(case)


def test_profiles_type_numbers_at_their_limits_and_count_the_out_of_range_ones(case):
    rewrite(case.root / SALES, lambda b: b + line("SO9001", cust="99999999999999999999"))
    (case.root / "raw/source_erp/BIG_NUMBERS.csv").write_bytes(
        b"ID,AMOUNT\r\n1,1.5\r\n99999999999999999999,1e400\r\n3,2\r\n"
    )
    targets = [
        f"artifacts/drafts/{NEW_RUN}/profiles/{t}.json"
        for t in ("crm_sales_details", "erp_big_numbers")
    ]
    result = case.snakemake(*targets, "--config", f"run_id={NEW_RUN}")
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    sales, numbers = (json.loads((case.root / t).read_text()) for t in targets)
    cust = next(c for c in sales["columns"] if c["name"] == "sls_cust_id")
    assert cust["out_of_range"] == {"int": 1, "float": 0}
    assert cust["max"] == "99999999999999999999" and cust["inferred_type"] == "string"
    columns = {c["name"]: c for c in numbers["columns"]}
    assert columns["id"]["inferred_type"] == columns["amount"]["inferred_type"] == "string"
    assert columns["amount"]["out_of_range"] == {"int": 0, "float": 1}
    assert_earlier_run_untouched(case)


def test_runs_whose_tables_hold_the_same_values_compare_unchanged(case):
    # Missing sales and price, written as empty fields in one run and as text in the other:
    # both runs hold the same Silver values (missing), with other bytes under the null slots.
    earlier = case.run_ids()
    sales = case.root / SALES
    original = sales.read_bytes()
    sales.write_bytes(original + line("SO9001", sales="", price=""))
    blocked = case.snakemake("all")
    assert blocked.returncode != 0 and "Silver quality gate closed" in blocked.output
    sales.write_bytes(original + line("SO9001", sales="abc", price="xyz"))
    assert case.snakemake("all").returncode != 0
    run_b, run_c = [r for r in case.run_ids() if r not in earlier]
    target = f"artifacts/diffs/{run_b}__{run_c}/diff_report.json"
    result = case.snakemake(target)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    diff = json.loads((case.root / target).read_text())
    bronze = {t["name"]: t for t in diff["layers"]["bronze"]["tables"]}
    assert bronze["crm/sales_details.csv"]["sha256_equal"] is False
    silver = {t["name"]: t for t in diff["layers"]["silver"]["tables"]}
    assert silver["crm_sales_details"]["content_equal"] is True
    assert silver["crm_sales_details"]["status"] == "unchanged"
    assert diff["summary"]["tables_changed_by_layer"]["silver"] == 0
    assert_earlier_run_untouched(case)
