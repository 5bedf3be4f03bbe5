"""Silver tables from real files: reading, row accounting, generic cleaning, domain rules."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from harness import clean_csv, cleaning

from conftest import REPO
from warehouse.contracts.validation import load_contract
from warehouse.core.errors import PipelineError
from warehouse.core.parquet import content_sha256, read_parquet, to_arrow, write_parquet
from warehouse.quality.results import failed
from warehouse.silver.cleaner import infer_types
from warehouse.silver.context import REASON, RULE_ID, SOURCE_ROW, Context
from warehouse.silver.reader import RAW_LINE, read_bronze_csv

CONTRACTS = REPO / "config" / "contracts" / "silver"
SCHEMA = REPO / "config" / "contract.schema.yaml"
RUN_DATE = dt.date(2026, 11, 26)


def csv(tmp_path, data: bytes, name="t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reader_lowercases_header_numbers_rows_and_keeps_malformed_lines(tmp_path):
    path = csv(tmp_path, b"CID,CNTRY\r\nAW-1,DE\r\nAW-2,US,extra\r\n\r\nAW-3\r\nAW-4, \r\n")
    rows, malformed = read_bronze_csv(path)
    assert list(rows.columns) == ["cid", "cntry", SOURCE_ROW]
    assert list(rows[SOURCE_ROW]) == [1, 3, 5]  # line 3 (blank) is a row of missing values
    assert list(malformed[SOURCE_ROW]) == [2, 4]
    assert list(malformed[RAW_LINE]) == ["AW-2,US,extra", "AW-3"]
    assert malformed[REASON].iloc[0] == "line has 3 fields, the header has 2"
    assert pd.isna(rows["cntry"].iloc[1])  # an empty field is missing


def test_reader_handles_bom_and_latin1(tmp_path):
    rows, _ = read_bronze_csv(csv(tmp_path, b"\xef\xbb\xbfID,CAT\r\nAC_BR,Bikes\r\n"))
    assert list(rows.columns) == ["id", "cat", SOURCE_ROW]
    rows, _ = read_bronze_csv(csv(tmp_path, b"name\r\nM\xfcller\r\n", "l.csv"), "latin-1")
    assert rows["name"].iloc[0] == "Müller"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty or its first line is blank"),
        (b"a,b,A\r\n1,2,3\r\n", "names column(s) a more than once"),
        (b"a,,c\r\n1,2,3\r\n", "header column 2 has no name"),
    ],
)
def test_reader_refuses_unusable_headers_with_the_remedy(tmp_path, data, message):
    with pytest.raises(PipelineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_bronze_csv(csv(tmp_path, data))


def test_binary_file_is_refused(tmp_path):
    with pytest.raises(PipelineError, match="contains NUL bytes and is not a CSV export"):
        read_bronze_csv(csv(tmp_path, b"PK\x00\x00"), encoding="binary")


def test_rows_balance_and_quarantine_keeps_original_values(tmp_path):
    path = csv(
        tmp_path,
        b"cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,"
        b"cst_create_date\r\n"
        b"1,AW1, Ana ,Lopez,M,F,2025-10-06\r\n"
        b",PO25,,,,,\r\n"
        b"1,AW1,Ana,,,,2020-01-01\r\n"
        b"2,AW2,Bo,Li,S,,2025-10-06,oops\r\n"
        b"\r\n"
        b"x3,AW3,Cy,Ng,S,M,2025-10-06\r\n",
    )
    contract = load_contract(CONTRACTS / "crm_cust_info.yaml", SCHEMA)
    ctx = Context(table="crm_cust_info", ingestion_date=RUN_DATE)
    result = clean_csv(path, contract, ctx)
    assert result.rows_in == 6
    assert len(result.table) + len(result.quarantine) == 6
    assert (result.rows_out, result.rows_quarantined) == (1, 5)
    assert result.table[["cst_id", "cst_firstname", "cst_marital_status", "cst_gndr"]].to_dict(
        "records"
    ) == [{"cst_id": 1, "cst_firstname": "Ana", "cst_marital_status": "Married",
           "cst_gndr": "Female"}]  # fmt: skip
    q = result.quarantine.set_index(SOURCE_ROW)
    assert q[RULE_ID].to_dict() == {
        2: "missing_key",
        3: "superseded_duplicate",
        4: "malformed_line",
        5: "empty_line",
        6: "cst_id_is_int",
    }
    assert q.loc[4, RAW_LINE] == "2,AW2,Bo,Li,S,,2025-10-06,oops"
    assert q.loc[6, "cst_id"] == "x3"  # original text, not a cleaned value
    assert q.loc[6, REASON] == "cst_id: 'x3' is not a valid int"


def test_missing_required_column_names_table_column_and_rule(tmp_path):
    path = csv(tmp_path, b"cst_id,cst_key\r\n1,AW1\r\n")
    contract = load_contract(CONTRACTS / "crm_cust_info.yaml", SCHEMA)
    ctx = Context(table="crm_cust_info", ingestion_date=RUN_DATE)
    with pytest.raises(PipelineError) as info:
        clean_csv(path, contract, ctx, bronze_path="bronze/crm/cust_info.csv")
    message = str(info.value)
    assert message.startswith("crm_cust_info: required column(s) cst_firstname, cst_lastname")
    assert "missing from bronze/crm/cust_info.csv (header: cst_id, cst_key)" in message
    assert "config/contracts/silver/crm_cust_info.yaml" in message


def test_extra_column_is_dropped_with_a_warning(tmp_path):
    path = csv(tmp_path, b"ID,CAT,SUBCAT,MAINTENANCE,NOTE\r\nAC_BR,Acc,Racks,Yes,x\r\n")
    contract = load_contract(CONTRACTS / "erp_px_cat_g1v2.yaml", SCHEMA)
    result = clean_csv(path, contract, Context("erp_px_cat_g1v2", RUN_DATE))
    assert list(result.table.columns) == ["id", "cat", "subcat", "maintenance", SOURCE_ROW]
    assert "column(s) note in the export are not in the contract" in result.warnings[0]


def test_table_without_contract_gets_generic_cleaning_and_a_warning(tmp_path):
    path = csv(tmp_path, b"id,amount,day,label\r\n1, 2.5 ,2024-01-31, x \r\n2,,2024-02-01,\r\n")
    result = clean_csv(path, None, Context("erp_new_table", RUN_DATE))
    types = {c: str(result.table[c].dtype) for c in ("id", "amount", "day", "label")}
    assert types == {"id": "Int64", "amount": "Float64", "day": "date32[day][pyarrow]",
                     "label": "str"}  # fmt: skip
    assert result.table["label"].iloc[0] == "x"
    assert pd.isna(result.table["label"].iloc[1])
    assert "erp_new_table has no contract" in result.warnings[0]
    assert "config/contracts/silver/erp_new_table.yaml" in result.warnings[0]


def test_infer_type():
    def infer_type(raw):
        return infer_types(cleaning({"a": raw}))["a"]

    assert infer_type(["1", "-2", None]) == "int"
    assert infer_type(["1", "2.5"]) == "float"
    assert infer_type(["2024-01-01"]) == "date"
    assert infer_type(["20240101", "x"]) == "string"
    assert infer_type([None]) == "string"


def test_parquet_output_is_typed_and_content_checksum_is_stable(tmp_path):
    df = pd.DataFrame({"a": pd.Series([1, None], dtype="Int64"), SOURCE_ROW: [1, 2]})
    first = write_parquet(df, tmp_path / "x.parquet")
    schema = pq.read_schema(tmp_path / "x.parquet")
    assert str(schema.field("a").type) == "int64"
    assert first["content_sha256"] == content_sha256(to_arrow(df.copy()))
    assert first["rows"] == 2
    back = read_parquet(tmp_path / "x.parquet")
    assert str(back["a"].dtype) == "Int64" and back["a"].isna().tolist() == [False, True]


def test_scale_one_every_error_check_passes_and_rows_balance(scale_one_silver):
    for table, result in scale_one_silver.items():
        assert len(result.table) + len(result.quarantine) == result.rows_in, table
        assert failed(result.checks, "error") == [], table
        assert result.timings["clean_seconds"] < 5, table  # generous: well under 1 s normally


def test_scale_one_domain_rules_are_visibly_applied(scale_one_silver):
    cust = scale_one_silver["crm_cust_info"]
    rules = set(cust.quarantine[RULE_ID])
    assert rules == {"missing_key", "superseded_duplicate"}
    assert cust.table["cst_id"].is_unique
    assert set(cust.table["cst_gndr"]) <= {"Female", "Male", "n/a"}

    prd = scale_one_silver["crm_prd_info"].table
    assert len(scale_one_silver["crm_prd_info"].quarantine) == 0  # no row removed
    assert "CO_PE" in set(prd["cat_id"])
    current = prd[prd["prd_end_dt"].isna()]
    assert current["prd_key"].is_unique and len(current) == prd["prd_key"].nunique()
    assert (prd["prd_cost"] >= 0).all()

    sales = scale_one_silver["crm_sales_details"].table
    assert len(scale_one_silver["crm_sales_details"].quarantine) == 0
    assert sales["sls_order_dt"].isna().sum() > 0  # 0 / wrong-length dates became missing
    assert (
        sales["sls_sales"] == sales["sls_quantity"].astype("Float64") * sales["sls_price"]
    ).all()
    assert (sales[["sls_sales", "sls_quantity", "sls_price"]] > 0).all().all()

    az = scale_one_silver["erp_cust_az12"].table
    assert not az["cid"].str.startswith("NAS").any()
    assert (az["bdate"].dropna() <= pd.Timestamp(RUN_DATE).date()).all()
    assert set(az["gen"]) == {"Female", "Male", "n/a"}

    loc = scale_one_silver["erp_loc_a101"].table
    assert not loc["cid"].str.contains("-").any()
    assert {"Germany", "United States", "n/a"} <= set(loc["cntry"])
    assert not {"DE", "US", "USA"} & set(loc["cntry"])
    assert set(az["cid"]) <= set(cust.table["cst_key"])
