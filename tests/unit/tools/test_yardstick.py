"""The yardstick's SQL (tools/yardstick/): a few rows through the Silver cleaning of one table
and through one Gold mart give what the pipeline's rules say, and the comparison with a
pipeline run tells equal tables from different ones. DuckDB in memory; no pipeline run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yardstick

CUSTOMERS = (
    "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,cst_create_date\r\n"
    "11000,AW00011000, Jon ,Yang,m,M,2025-10-06\r\n"  # 1: kept, trimmed, codes named
    "11000,AW00011000,Jon,,,,2024-01-01\r\n"  # 2: an older duplicate of 11000
    ",SF1566,,,,,\r\n"  # 3: a junk row without an id
    "1x,AW00011001,Ann,Lee,S,F,2025-01-01\r\n"  # 4: an id that is not a number
    "11002,AW00011002,Mei\r\n"  # 5: too few fields
    " , ,\t, , , , \r\n"  # 6: only white space
    "11003,AW00011003,Zoë,Müller,,f,2025-13-01\r\n"  # 7: no such date
)


@pytest.fixture
def con(tmp_path):
    connection = yardstick.connect(tmp_path / "spill", threads=1, memory_limit="500MB")
    yield connection
    connection.close()


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_customers_are_cleaned_and_every_rejected_line_is_quarantined_with_why(con, tmp_path):
    path = tmp_path / "cust_info.csv"
    path.write_bytes(CUSTOMERS.encode())
    header = yardstick.read_raw(con, "crm_cust_info", path)
    con.execute((yardstick.SQL_DIR / "silver" / "crm_cust_info.sql").read_text())

    assert rows(con, "FROM crm_cust_info ORDER BY _source_row") == [
        (11000, "AW00011000", "Jon", "Yang", "Married", "Male", dt.date(2025, 10, 6), 1),
        (11003, "AW00011003", "Zoë", "Müller", "n/a", "Female", None, 7),
    ]
    quarantine = tmp_path / "quarantine.parquet"
    yardstick.write_quarantine(con, "crm_cust_info", header, quarantine)
    kept = rows(con, f"SELECT _source_row, _rule_id, _reason, _raw_line FROM '{quarantine}'")
    assert kept == [
        (
            2,
            "superseded_duplicate",
            "superseded duplicate of cst_id: the row at source row 1 is kept "
            "(latest cst_create_date)",
            None,
        ),
        (3, "missing_key", "missing key (the row has no cst_id)", None),
        (4, "cst_id_is_int", "cst_id: '1x' is not a valid int", None),
        (5, "malformed_line", "line has 3 fields, the header has 7", "11002,AW00011002,Mei"),
        (6, "empty_line", "the line is empty", None),
    ]
    # The quarantine keeps the values as the export wrote them.
    original = rows(con, f"SELECT cst_firstname FROM '{quarantine}' WHERE _source_row = 2")
    assert original == [("Jon",)]


def test_dim_customers_prefers_the_crm_gender_and_numbers_customers_by_id(con):
    con.execute("""
        CREATE TABLE crm_cust_info AS FROM (VALUES
            (11002, 'AW00011002', 'Mei', 'Lu', 'Single', 'n/a', DATE '2025-01-02', 1),
            (11000, 'AW00011000', 'Jon', 'Yang', 'Married', 'Male', DATE '2025-01-01', 2),
            (11001, 'AW00011001', 'Ann', 'Lee', 'n/a', 'n/a', NULL, 3)
        ) AS t(cst_id, cst_key, cst_firstname, cst_lastname, cst_marital_status, cst_gndr,
               cst_create_date, _source_row);
        CREATE TABLE erp_cust_az12 AS FROM (VALUES
            ('AW00011002', DATE '1980-05-01', 'Female', 1),
            ('AW00011000', NULL, 'Female', 2)
        ) AS t(cid, bdate, gen, _source_row);
        CREATE TABLE erp_loc_a101 AS FROM (VALUES ('AW00011000', 'Germany', 1))
            AS t(cid, cntry, _source_row);
    """)
    mart = (yardstick.REPO / "config/contracts/gold/dim_customers.sql").read_text()
    got = rows(con, f"SELECT customer_key, customer_id, country, gender, birthdate FROM ({mart})")
    assert got == [
        (1, 11000, "Germany", "Male", None),  # the CRM gender wins over the ERP's
        (2, 11001, "n/a", "n/a", None),  # no ERP rows: n/a
        (3, 11002, "n/a", "Female", dt.date(1980, 5, 1)),  # CRM n/a: the ERP gender
    ]


def _parquet(path: Path, values: list[tuple]) -> Path:
    connection = duckdb.connect()
    table = "FROM (VALUES " + ", ".join(map(str, values)) + ") AS t(month, sales_amount)"
    typed = f"SELECT month, CAST(sales_amount AS DOUBLE) AS sales_amount {table}"
    connection.execute(f"COPY ({typed}) TO '{path}' (FORMAT parquet)")
    return path


def test_the_comparison_tells_equal_tables_from_different_ones(tmp_path):
    con = duckdb.connect()
    pipeline = _parquet(tmp_path / "pipeline.parquet", [("2013-01", 10.0), ("2013-02", 5.0)])
    same = _parquet(tmp_path / "same.parquet", [("2013-02", 5.0), ("2013-01", 10.0)])
    rounded = _parquet(tmp_path / "rounded.parquet", [("2013-01", 10.0000000001), ("2013-02", 5.0)])
    other = _parquet(tmp_path / "other.parquet", [("2013-01", 10.0), ("2013-02", 6.0)])

    assert yardstick.compare_table(con, same, pipeline)["content"] == "exact"
    assert yardstick.compare_table(con, rounded, pipeline)["content"].startswith("equal to 6")
    assert yardstick.compare_table(con, other, pipeline)["content"] == "2 rows differ"
