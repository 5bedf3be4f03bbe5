"""Contract checks: each check type passes and fails as declared, on the warehouse's real dtypes.

The frames are tiny but use the dtypes Silver produces (``Int64``, ``Float64``, ``boolean``,
pandas' default string dtype and Arrow ``date32``), because missing-value handling is where the
dtypes differ.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pandas as pd
import pyarrow as pa
import pytest

from warehouse.core.errors import PipelineError
from warehouse.quality.checks import run_checks
from warehouse.quality.results import failed, summarize

DATE = pd.ArrowDtype(pa.date32())


def dates(*values):
    return pd.Series([dt.date.fromisoformat(v) if v else None for v in values], dtype=DATE)


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cst_id": pd.array([11000, 11001, 11002, 11003, 11004], dtype="Int64"),
            "cst_key": pd.array(["AW11000", "AW11001", " AW11002", "AW11003", None], dtype="str"),
            "cst_gndr": pd.array(["Female", "Male", "n/a", "X", None], dtype="str"),
            "cst_married": pd.array([True, False, None, True, False], dtype="boolean"),
            "cst_create_date": dates("2020-01-01", "1899-12-31", None, "2025-06-30", "2021-02-03"),
        }
    )


@pytest.fixture
def sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sls_ord_num": pd.array(["SO1", "SO1", "SO2", "SO3", "SO4"], dtype="str"),
            "sls_prd_key": pd.array(["A", "B", "A", "A", None], dtype="str"),
            "sls_cust_id": pd.array([11000, 11001, 99999, None, 11004], dtype="Int64"),
            "sls_order_dt": dates("2021-01-01", "2021-01-05", "2021-01-09", None, "2021-02-01"),
            "sls_ship_dt": dates("2021-01-08", "2021-01-04", "2021-01-09", "2021-01-10", None),
            "sls_quantity": pd.array([1, 2, 3, 1, None], dtype="Int64"),
            "sls_price": pd.array([0.1, 19.99, 3.3, 5.0, 2.0], dtype="Float64"),
            "sls_sales": pd.array([0.1, 39.98, 9.9, 6.0, 4.0], dtype="Float64"),
        }
    )


def one(frame, check, **kwargs) -> dict:
    kwargs.setdefault("table", "t")
    return run_checks(frame, [check], **kwargs)[0]


# --- not_null and unique ----------------------------------------------------------------------


def test_not_null_passes_and_fails(customers):
    assert one(customers, {"check": "not_null", "columns": ["cst_id"]})["status"] == "pass"
    result = one(customers, {"check": "not_null", "columns": ["cst_id", "cst_gndr", "cst_married"]})
    assert (result["status"], result["failing_rows"], result["rows_checked"]) == ("fail", 2, 5)


def test_not_null_catches_missing_dates(customers):
    result = one(customers, {"check": "not_null", "columns": ["cst_create_date"]}, key=["cst_id"])
    assert result["sample"] == [{"cst_id": 11002, "cst_create_date": None}]


def test_unique_passes_and_reports_every_duplicate(sales):
    pair = {"check": "unique", "columns": ["sls_ord_num", "sls_prd_key"]}
    assert one(sales, pair)["status"] == "pass"
    result = one(sales, {"check": "unique", "columns": ["sls_ord_num"]}, key=["sls_ord_num"])
    assert result["failing_rows"] == 2
    assert result["sample"] == [{"sls_ord_num": "SO1"}, {"sls_ord_num": "SO1"}]


def test_unique_ignores_rows_with_a_missing_key():
    frame = pd.DataFrame(
        {
            "a": pd.array([1, 1, None, None, 2], dtype="Int64"),
            "b": pd.array(["x", "x", "y", "y", None], dtype="str"),
        }
    )
    assert one(frame, {"check": "unique", "columns": ["a"]})["failing_rows"] == 2
    assert one(frame, {"check": "unique", "columns": ["b"]})["failing_rows"] == 4
    assert one(frame.iloc[2:], {"check": "unique", "columns": ["a", "b"]})["status"] == "pass"


# --- value checks -----------------------------------------------------------------------------


def test_accepted_values_lets_missing_pass_unless_disallowed(customers):
    check = {"check": "accepted_values", "column": "cst_gndr", "values": ["Female", "Male", "n/a"]}
    result = one(customers, check, key=["cst_id"])
    assert (result["failing_rows"], result["sample"]) == (1, [{"cst_id": 11003, "cst_gndr": "X"}])
    strict = one(customers, {**check, "allow_null": False}, key=["cst_id"])
    assert [row["cst_id"] for row in strict["sample"]] == [11003, 11004]
    passing = {**check, "values": ["Female", "Male", "n/a", "X"]}
    assert one(customers, passing)["status"] == "pass"


def test_accepted_values_on_booleans(customers):
    check = {"check": "accepted_values", "column": "cst_married", "values": [True]}
    assert one(customers, check)["failing_rows"] == 2
    assert one(customers, {**check, "values": [True, False]})["status"] == "pass"


def test_range_on_numbers_inclusive_and_strict(sales):
    check = {"check": "range", "column": "sls_quantity", "min": 1, "max": 3}
    assert one(sales, check)["status"] == "pass"
    strict = one(sales, {**check, "strict": True}, key=["sls_ord_num"])
    assert strict["failing_rows"] == 3
    assert strict["sample"][0] == {"sls_ord_num": "SO1", "sls_quantity": 1}
    assert one(sales, {"check": "range", "column": "sls_price", "max": 10})["failing_rows"] == 1


def test_range_on_dates_accepts_iso_strings_and_dates(customers):
    check = {
        "check": "range",
        "column": "cst_create_date",
        "min": "1900-01-01",
        "max": "2025-12-31",
    }
    result = one(customers, check, key=["cst_id"])
    assert result["sample"] == [{"cst_id": 11001, "cst_create_date": "1899-12-31"}]
    as_dates = {**check, "min": dt.date(1899, 1, 1), "max": dt.date(2025, 6, 30)}
    assert one(customers, as_dates)["status"] == "pass"
    assert one(customers, {**as_dates, "strict": True})["failing_rows"] == 1


def test_range_rejects_text_columns(customers):
    with pytest.raises(PipelineError, match="numeric or date column"):
        one(customers, {"check": "range", "column": "cst_gndr", "min": 1})


def test_no_stray_spaces(customers):
    assert one(customers, {"check": "no_stray_spaces", "columns": ["cst_gndr"]})["status"] == "pass"
    result = one(customers, {"check": "no_stray_spaces", "columns": ["cst_gndr", "cst_key"]})
    assert result["failing_rows"] == 1
    assert result["sample"] == [{"index": 2, "cst_gndr": "n/a", "cst_key": " AW11002"}]


def test_no_stray_spaces_rejects_empty_strings_and_inner_spaces_pass():
    frame = pd.DataFrame({"name": pd.array(["Jon Yang", "", "Ann\t", None], dtype="str")})
    result = one(frame, {"check": "no_stray_spaces", "columns": ["name"]})
    assert result["sample"] == [{"index": 1, "name": ""}, {"index": 2, "name": "Ann\t"}]


def test_regex_must_match_whole_value(customers):
    check = {"check": "regex", "column": "cst_key", "pattern": r"AW\d+"}
    result = one(customers, check, key=["cst_id"])
    assert result["sample"] == [{"cst_id": 11002, "cst_key": " AW11002"}]
    assert one(customers, {**check, "pattern": r"\s?AW\d+"})["status"] == "pass"
    assert one(customers, {**check, "pattern": "AW1"})["failing_rows"] == 4


# --- compare ----------------------------------------------------------------------------------


def test_compare_dates_skips_missing(sales):
    check = {"check": "compare", "left": "sls_order_dt", "op": "<=", "right": "sls_ship_dt"}
    result = one(sales, check, key=["sls_ord_num"])
    assert result["failing_rows"] == 1
    assert result["sample"] == [
        {"sls_ord_num": "SO1", "sls_order_dt": "2021-01-05", "sls_ship_dt": "2021-01-04"}
    ]
    assert one(sales, {**check, "op": "<"})["failing_rows"] == 2


def test_compare_multiply_with_float_tolerance(sales):
    check = {
        "check": "compare",
        "left": "sls_sales",
        "op": "==",
        "right": {"multiply": ["sls_quantity", "sls_price"]},
    }
    result = one(sales, check, key=["sls_ord_num"])
    # 3 * 3.3 is 9.899999999999999 in floating point: equal within the tolerance.
    assert result["failing_rows"] == 1
    assert result["sample"] == [
        {"sls_ord_num": "SO3", "sls_sales": 6.0, "sls_quantity": 1, "sls_price": 5.0}
    ]
    assert result["columns"] == ["sls_sales", "sls_quantity", "sls_price"]
    assert one(sales, {**check, "op": "!="})["failing_rows"] == 3


def test_compare_with_numbers(sales):
    scaled = {"check": "compare", "left": "sls_sales", "op": ">=", "right": {"multiply": [0.5, 2]}}
    assert one(sales, scaled)["failing_rows"] == 1
    below = {"check": "compare", "left": "sls_quantity", "op": "<", "right": 3}
    assert one(sales, below)["failing_rows"] == 1


def test_compare_of_incompatible_types_is_a_contract_error(sales):
    check = {"check": "compare", "left": "sls_order_dt", "op": "<", "right": "sls_quantity"}
    with pytest.raises(PipelineError, match="cannot compare sls_order_dt"):
        one(sales, check)


# --- table-level and cross-table checks -------------------------------------------------------


def test_row_count(customers):
    passing = one(customers, {"check": "row_count", "min": 1, "max": 5})
    assert (passing["status"], passing["failing_rows"], passing["details"]) == (
        "pass",
        0,
        {"rows": 5},
    )
    failing = one(customers, {"check": "row_count", "min": 6})
    assert (failing["id"], failing["failing_rows"], failing["sample"]) == ("row_count", 5, [])
    assert one(customers.iloc[:0], {"check": "row_count", "max": 0})["status"] == "pass"


def test_relationship(sales, customers):
    check = {
        "check": "relationship",
        "column": "sls_cust_id",
        "references": {"table": "crm_cust_info", "column": "cst_id"},
    }
    result = one(sales, check, key=["sls_ord_num"], related={"crm_cust_info": customers})
    assert result["sample"] == [{"sls_ord_num": "SO2", "sls_cust_id": 99999}]
    known = sales[sales["sls_cust_id"] != 99999]
    assert one(known, check, related={"crm_cust_info": customers})["status"] == "pass"


def test_relationship_on_text_keys(sales):
    products = pd.DataFrame({"prd_key": pd.array(["A", "C", None], dtype="str")})
    check = {
        "check": "relationship",
        "column": "sls_prd_key",
        "references": {"table": "products", "column": "prd_key"},
    }
    assert one(sales, check, related={"products": products})["failing_rows"] == 1


def test_sum_equals(sales):
    fact = pd.DataFrame({"sales": pd.array([30.0, 20.0, 9.98, None], dtype="Float64")})
    check = {
        "check": "sum_equals",
        "column": "sls_sales",
        "references": {"table": "fact", "column": "sales"},
    }
    passing = one(sales, check, related={"fact": fact})
    assert passing["status"] == "pass"
    assert passing["details"]["reference_sum"] == pytest.approx(59.98)
    failing = one(sales.iloc[1:], check, related={"fact": fact})
    assert (failing["status"], failing["failing_rows"]) == ("fail", 1)
    assert failing["details"]["sum"] == pytest.approx(59.88)


# --- result shape -----------------------------------------------------------------------------


def test_default_ids_and_descriptions(customers, sales):
    checks = [
        {"check": "unique", "columns": ["cst_id"]},
        {"check": "accepted_values", "column": "cst_gndr", "values": ["Female", "Male", "n/a"]},
        {"check": "not_null", "columns": ["cst_id", "cst_key"]},
        {"check": "range", "column": "cst_create_date", "min": "1900-01-01"},
        {"check": "row_count", "min": 1},
        {"check": "unique", "columns": ["cst_id"], "id": "pk", "description": "one row each"},
    ]
    results = run_checks(customers, checks, table="crm_cust_info")
    assert [(r["id"], r["description"]) for r in results] == [
        ("unique_cst_id", "cst_id is unique"),
        ("accepted_values_cst_gndr", "cst_gndr is one of Female, Male, n/a"),
        ("not_null_cst_id_cst_key", "cst_id and cst_key are never missing"),
        ("range_cst_create_date", "cst_create_date is at least 1900-01-01"),
        ("row_count", "the row count is at least 1"),
        ("pk", "one row each"),
    ]
    compare = {
        "check": "compare",
        "left": "sls_sales",
        "op": "==",
        "right": {"multiply": ["sls_quantity", "sls_price"]},
    }
    result = one(sales, compare)
    assert result["id"] == "compare_sls_sales_sls_quantity_sls_price"
    assert result["description"] == "sls_sales == sls_quantity * sls_price"


def test_sample_is_limited_and_in_frame_order():
    frame = pd.DataFrame(
        {
            "_source_row": pd.array(range(2, 8), dtype="Int64"),
            "v": pd.array([None, 1, None, None, None, None], dtype="Int64"),
        }
    )
    result = one(frame, {"check": "not_null", "columns": ["v"]}, sample_size=3)
    assert result["failing_rows"] == 5
    assert result["sample"] == [
        {"_source_row": 2, "v": None},
        {"_source_row": 4, "v": None},
        {"_source_row": 5, "v": None},
    ]


def test_results_are_json_serialisable(customers, sales):
    checks = [
        {"check": "not_null", "columns": ["cst_create_date", "cst_married"]},
        {"check": "range", "column": "cst_create_date", "min": "1900-01-01"},
        {"check": "accepted_values", "column": "cst_married", "values": [True]},
        {"check": "row_count", "min": 1},
        {
            "check": "sum_equals",
            "column": "cst_id",
            "references": {"table": "sales", "column": "sls_cust_id"},
        },
    ]
    results = run_checks(customers, checks, table="crm_cust_info", related={"sales": sales})
    assert json.loads(json.dumps(results)) == results
    assert type(results[4]["details"]["sum"]) is int


def test_severity_failed_and_summarize(customers):
    checks = [
        {"check": "unique", "columns": ["cst_id"]},
        {"check": "not_null", "columns": ["cst_key"], "severity": "error"},
        {"check": "no_stray_spaces", "columns": ["cst_key"], "severity": "warn"},
        {"check": "regex", "column": "cst_key", "pattern": "AW.*", "severity": "warn"},
    ]
    results = run_checks(customers, checks, table="crm_cust_info")
    assert [r["severity"] for r in results] == ["error", "error", "warn", "warn"]
    assert [r["id"] for r in failed(results)] == ["not_null_cst_key"]
    assert [r["id"] for r in failed(results, "warn")] == [
        "no_stray_spaces_cst_key",
        "regex_cst_key",
    ]
    assert summarize(results) == {"total": 4, "passed": 1, "failed_error": 1, "failed_warn": 2}


# --- contract errors --------------------------------------------------------------------------


def test_unknown_column_names_table_check_and_columns(customers):
    with pytest.raises(PipelineError) as error:
        run_checks(customers, [{"check": "unique", "columns": ["cst_idx"]}], table="crm_cust_info")
    assert str(error.value) == (
        "crm_cust_info: check unique_cst_idx names column 'cst_idx', which the table does not "
        "have (columns: cst_id, cst_key, cst_gndr, cst_married, cst_create_date). "
        "Fix the contract."
    )


def test_unknown_column_is_found_before_any_check_runs(customers):
    checks = [
        {"check": "row_count", "min": 1},
        {"check": "regex", "column": "nope", "pattern": "x"},
    ]
    with pytest.raises(PipelineError, match="check regex_nope names column 'nope'"):
        run_checks(customers, checks, table="crm_cust_info")


def test_unknown_check_type(customers):
    with pytest.raises(
        PipelineError, match=r"crm_cust_info: check checks\[0\] has unknown type 'is_nice'"
    ):
        run_checks(customers, [{"check": "is_nice", "column": "cst_id"}], table="crm_cust_info")


def test_missing_related_table_and_column(sales, customers):
    check = {
        "check": "relationship",
        "column": "sls_cust_id",
        "references": {"table": "crm_cust_info", "column": "cst_id"},
        "id": "fk_customer",
    }
    with pytest.raises(PipelineError, match="check fk_customer references table 'crm_cust_info'"):
        run_checks(sales, [check], table="crm_sales_details")
    bad_column = {**check, "references": {"table": "crm_cust_info", "column": "id"}}
    with pytest.raises(PipelineError, match="column 'id' of table 'crm_cust_info'"):
        run_checks(sales, [bad_column], table="s", related={"crm_cust_info": customers})


def test_unknown_key_column_and_duplicate_ids(customers):
    with pytest.raises(PipelineError, match="key column 'id'"):
        run_checks(customers, [], table="crm_cust_info", key=["id"])
    twice = [{"check": "not_null", "columns": ["cst_id"]}] * 2
    with pytest.raises(PipelineError, match="two checks have the id 'not_null_cst_id'"):
        run_checks(customers, twice, table="crm_cust_info")


def test_invalid_regex_is_a_contract_error(customers):
    with pytest.raises(PipelineError, match="invalid regular expression"):
        one(customers, {"check": "regex", "column": "cst_key", "pattern": "AW("})


def test_date_bound_that_is_not_a_date_is_a_contract_error(customers):
    check = {"check": "range", "column": "cst_create_date", "min": "01/01/1900"}
    with pytest.raises(PipelineError, match="'01/01/1900' for a date column, which is not an ISO"):
        one(customers, check)


def test_a_regex_check_with_a_catastrophic_pattern_on_accented_names_is_fast():
    # (\w+)+$ with Python's re runs for hours on one such near miss; RE2 is linear.
    names = ["é" * 40 + "!", "José Müller!", "Ann", None] * 500
    frame = pd.DataFrame({"name": pd.array(names, dtype="str")})
    started = time.monotonic()
    result = one(frame, {"check": "regex", "column": "name", "pattern": r"(\w+)+$"})
    assert time.monotonic() - started < 5
    assert result["failing_rows"] == 1000  # \w is ASCII on RE2; missing values are n/a
    letters = one(frame, {"check": "regex", "column": "name", "pattern": r"[\p{L} ]+!?"})
    assert letters["status"] == "pass"  # \p{L} is any letter


def test_a_regex_check_re2_cannot_run_is_a_contract_error(customers):
    with pytest.raises(PipelineError, match="invalid regular expression.*RE2 syntax"):
        one(customers, {"check": "regex", "column": "cst_key", "pattern": r"AW(?=\d)"})
