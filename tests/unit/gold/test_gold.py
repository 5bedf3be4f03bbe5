"""Gold marts on tiny hand-made Silver tables: each SQL model, run by the function the job runs
and held to its contract, on the few rows that show its business rules."""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from warehouse.contracts.validation import load_contract
from warehouse.core.errors import PipelineError
from warehouse.core.parquet import to_frame, write_parquet
from warehouse.core.paths import contract_path
from warehouse.gold.build import build_mart
from warehouse.gold.layer import headline_kpis
from warehouse.gold.models import conform, run_model
from warehouse.gold.sql import model_path, referenced_tables
from warehouse.quality.results import failed

MARTS = [
    "dim_customers",
    "dim_products",
    "fact_sales",
    "dim_date",
    "agg_sales_monthly",
    "agg_sales_by_country",
    "agg_sales_by_category",
]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    """Models and contracts are found by their place in the project, as jobs find them."""
    monkeypatch.chdir(REPO)


def d(*values):
    return pa.array([dt.date.fromisoformat(v) if v else None for v in values], pa.date32())


def table(**columns):
    """A Silver table: the columns given, and ``_source_row`` numbering its records 1..n."""
    rows = len(next(iter(columns.values())))
    return pa.table({**columns, "_source_row": pa.array(range(1, rows + 1), pa.int64())})


def silver():
    """Three customers, four product versions, five order lines: each rule has a case."""
    return {
        "crm_cust_info": table(
            cst_id=pa.array([12, 11, 13]),
            cst_key=pa.array(["AW12", "AW11", "AW13"]),
            cst_firstname=pa.array(["Zoë", "Jon", "Ana"]),
            cst_lastname=pa.array(["Ng", "Yang", None]),
            cst_marital_status=pa.array(["Single", "Married", "n/a"]),
            cst_gndr=pa.array(["n/a", "Male", "n/a"]),  # 12 and 13 fall back to the ERP gender
            cst_create_date=d("2025-10-06", "2025-10-06", "2025-10-07"),
        ),
        "erp_cust_az12": table(
            cid=pa.array(["AW12", "AW11"]),
            bdate=d("1980-01-01", None),
            gen=pa.array(["Female", "Female"]),
        ),
        "erp_loc_a101": table(
            cid=pa.array(["AW11", "AW12"]), cntry=pa.array(["Germany", "United States"])
        ),
        "crm_prd_info": table(
            prd_id=pa.array([1, 2, 3, 4]),
            cat_id=pa.array(["BI_RB", "BI_RB", "CO_PE", "AC_HE"]),
            prd_key=pa.array(["BK-R1", "BK-R1", "PD-M1", "HL-U1"]),
            prd_nm=pa.array(["Road 1", "Road 1 v2", "Pedal", "Helmet"]),
            prd_cost=pa.array([100, 120, 5, 10]),
            prd_line=pa.array(["Road", "Road", "n/a", "Other Sales"]),
            prd_start_dt=d("2011-01-01", "2012-01-01", "2012-06-01", "2011-06-01"),
            prd_end_dt=d("2011-12-31", None, None, None),  # version 1 is history
        ),
        "erp_px_cat_g1v2": table(
            id=pa.array(["BI_RB", "AC_HE"]),
            cat=pa.array(["Bikes", "Accessories"]),
            subcat=pa.array(["Road Bikes", "Helmets"]),
            maintenance=pa.array(["Yes", "Yes"]),
        ),
        "crm_sales_details": table(
            sls_ord_num=pa.array(["SO1", "SO1", "SO2", "SO3", "SO4"]),
            sls_prd_key=pa.array(["BK-R1", "HL-U1", "PD-M1", "BK-R1", "XX-404"]),
            sls_cust_id=pa.array([11, 11, 12, 13, 11]),
            sls_order_dt=d("2013-01-05", "2013-01-05", "2013-02-01", None, "2013-02-02"),
            sls_ship_dt=d("2013-01-12", "2013-01-12", "2013-02-08", "2013-03-01", "2013-02-09"),
            sls_due_dt=d("2013-01-17", "2013-01-17", "2013-02-13", "2013-03-06", "2013-02-14"),
            sls_sales=pa.array([100.0, 20.0, 10.0, 100.0, 7.0]),
            sls_quantity=pa.array([1, 2, 1, 1, 1]),
            sls_price=pa.array([100.0, 10.0, 10.0, 100.0, 7.0]),
        ),
    }


def build(tmp_path, *marts, tables=None):
    """Run the models of ``marts`` in order, each over the tables it reads (Parquet files, as
    in a run), held to its contract; every table by name, as the DataFrames the checks get."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, data in (tables or silver()).items():
        files[name] = tmp_path / f"{name}.parquet"
        pq.write_table(data, files[name])
    for mart in marts:
        sql = model_path(mart).read_text(encoding="utf-8")
        inputs = {n: files[n] for n in referenced_tables(sql, mart)}
        result = run_model(sql, inputs, where=mart, temp_dir=tmp_path)
        contract = load_contract(contract_path("gold", mart))
        files[mart] = tmp_path / f"{mart}.parquet"
        pq.write_table(conform(result, contract, mart), files[mart])
    return {name: to_frame(pq.read_table(path)) for name, path in files.items()}


def test_dim_customers_keys_by_customer_id_and_falls_back_to_erp_gender(tmp_path):
    dim = build(tmp_path, "dim_customers")["dim_customers"]
    assert list(dim["customer_key"]) == [1, 2, 3]
    assert list(dim["customer_id"]) == [11, 12, 13]
    assert list(dim["gender"]) == ["Male", "Female", "n/a"]  # CRM, ERP fallback, neither
    assert list(dim["country"]) == ["Germany", "United States", "n/a"]
    assert dim["birthdate"].isna().tolist() == [True, False, True]


def test_dim_products_keeps_current_versions_and_unmatched_category_stays_missing(tmp_path):
    dim = build(tmp_path, "dim_products")["dim_products"]
    assert list(dim["product_number"]) == ["HL-U1", "BK-R1", "PD-M1"]  # by start date
    assert list(dim["product_key"]) == [1, 2, 3]
    assert list(dim["product_id"]) == [4, 2, 3]  # the current version of BK-R1
    pedal = dim.set_index("product_number").loc["PD-M1"]
    assert dim["category"].isna().tolist() == [False, False, True]
    assert pedal["category_id"] == "CO_PE"


def test_fact_sales_finds_keys_and_keeps_orphans_with_a_missing_key(tmp_path):
    fact = build(tmp_path, "dim_customers", "dim_products", "fact_sales")["fact_sales"]
    assert list(fact["order_number"]) == ["SO1", "SO1", "SO2", "SO3", "SO4"]  # nothing dropped
    assert list(fact["product_key"].isna()) == [False, False, False, False, True]
    assert list(fact["customer_key"]) == [1, 1, 2, 3, 1]
    assert fact["order_date"].isna().sum() == 1


def test_surrogate_keys_do_not_depend_on_the_order_rows_are_stored_in(tmp_path):
    reversed_rows = {name: t.take(list(range(t.num_rows))[::-1]) for name, t in silver().items()}
    a = build(tmp_path / "a", "dim_customers", "dim_products")
    b = build(tmp_path / "b", "dim_customers", "dim_products", tables=reversed_rows)
    for mart in ("dim_customers", "dim_products"):
        assert a[mart].equals(b[mart]), mart


def test_products_that_tie_on_start_date_and_number_are_keyed_in_source_order(tmp_path):
    tables = silver()
    prd = tables["crm_prd_info"]
    # A later record of BK-R1 with the same start date, stored first.
    twin = prd.slice(1, 1).set_column(0, "prd_id", pa.array([9]))
    rows = pa.concat_tables([twin, prd])
    tables["crm_prd_info"] = rows.set_column(
        rows.schema.get_field_index("_source_row"), "_source_row", pa.array([5, 1, 2, 3, 4])
    )
    dim = build(tmp_path, "dim_products", tables=tables)["dim_products"]
    bikes = dim[dim["product_number"] == "BK-R1"]
    assert list(zip(bikes["product_key"], bikes["product_id"], strict=True)) == [(2, 2), (3, 9)]


def test_dim_date_spans_first_to_last_date_of_any_kind(tmp_path):
    dim = build(tmp_path, "dim_customers", "dim_products", "fact_sales", "dim_date")["dim_date"]
    assert dim["date"].iloc[0] == dt.date(2013, 1, 5)
    assert dim["date"].iloc[-1] == dt.date(2013, 3, 6)  # a due date
    assert len(dim) == (dt.date(2013, 3, 6) - dt.date(2013, 1, 5)).days + 1
    first = dim.iloc[0]
    assert (first["date_key"], first["quarter"], first["month_name"]) == (20130105, 1, "January")
    assert (first["day_of_week"], bool(first["is_weekend"])) == ("Saturday", True)
    monday = dim.iloc[2]
    assert (monday["day_of_week"], bool(monday["is_weekend"])) == ("Monday", False)


def test_monthly_aggregate_counts_missing_order_dates_under_unknown(tmp_path):
    tables = build(tmp_path, "dim_customers", "dim_products", "fact_sales", "agg_sales_monthly")
    monthly = tables["agg_sales_monthly"].set_index("month")
    assert list(monthly.index) == ["2013-01", "2013-02", "unknown"]
    assert monthly.loc["2013-01", "orders"] == 1 and monthly.loc["2013-01", "quantity"] == 3
    assert monthly.loc["2013-01", "sales_amount"] == 120.0
    assert monthly.loc["2013-02", "average_order_value"] == pytest.approx(17.0 / 2)
    assert monthly.loc["unknown", "sales_amount"] == 100.0
    assert monthly["sales_amount"].sum() == tables["fact_sales"]["sales_amount"].sum()


def test_country_and_category_aggregates_reconcile_and_name_missing_as_na(tmp_path):
    tables = build(tmp_path, *MARTS)
    total = tables["fact_sales"]["sales_amount"].sum()
    by_country = tables["agg_sales_by_country"]
    by_category = tables["agg_sales_by_category"]
    assert by_country["sales_amount"].sum() == total
    assert by_category["sales_amount"].sum() == total
    assert "n/a" in set(by_country["country"])  # customer 13 has no location
    categories = set(by_category["category"])
    assert {"Bikes", "Accessories", "n/a"} == categories  # pedal (CO_PE) and the orphan line


def test_aggregated_cents_add_up_to_the_cent(tmp_path):
    tables = silver()
    sales = tables["crm_sales_details"]
    dimes = pa.table(
        {
            name: pa.array([sales.column(name)[0].as_py()] * 10, sales.schema.field(name).type)
            for name in sales.column_names
        }
    )
    tables["crm_sales_details"] = dimes.set_column(
        sales.schema.get_field_index("sls_sales"), "sls_sales", pa.array([0.1] * 10)
    )
    tables = build(
        tmp_path, "dim_customers", "dim_products", "fact_sales", "agg_sales_monthly", tables=tables
    )
    assert sum([0.1] * 10) != 1.0  # a plain float sum drifts
    assert list(tables["agg_sales_monthly"]["sales_amount"]) == [1.0]


def test_headline_kpis(tmp_path):
    build(tmp_path, "dim_customers", "dim_products", "fact_sales")
    kpis = headline_kpis(tmp_path / "fact_sales.parquet")
    assert kpis["sales_amount"] == 237.0 and kpis["orders"] == 4 and kpis["customers"] == 3
    assert kpis["average_order_value"] == pytest.approx(237.0 / 4, abs=0.01)
    assert kpis["order_lines_without_order_date"] == 1


def test_contract_mismatch_fails_with_a_column_by_column_diff():
    result = pa.table({"a": pa.array([1]), "c": pa.array(["x"])})
    contract = {
        "table": "m",
        "columns": [{"name": "a", "type": "int"}, {"name": "b", "type": "date"}],
    }
    with pytest.raises(PipelineError) as info:
        conform(result, contract, "config/contracts/gold/m.yaml")
    message = str(info.value)
    assert "m does not match its contract config/contracts/gold/m.yaml" in message
    assert "    1    expected a int" in message
    assert "    2 != expected b date" in message and "actual c string" in message


def test_a_timestamp_is_not_a_date_until_the_model_casts_it():
    result = pa.table({"day": pa.array([dt.datetime(2025, 1, 1)], pa.timestamp("us"))})
    contract = {"table": "m", "columns": [{"name": "day", "type": "date"}]}
    with pytest.raises(PipelineError, match=r"actual day timestamp\[us\]"):
        conform(result, contract, "m.yaml")


def test_contract_match_gives_every_column_its_exact_arrow_type():
    result = pa.table(
        {
            "n": pa.array([1], pa.int32()),
            "total": pa.array([3], pa.decimal128(38, 0)),  # what DuckDB's sum of integers gives
            "amount": pa.array([1.5], pa.float32()),
            "name": pa.array(["x"], pa.string()),
        }
    )
    contract = {
        "table": "m",
        "columns": [
            {"name": "n", "type": "int"},
            {"name": "total", "type": "int"},
            {"name": "amount", "type": "decimal"},
            {"name": "name", "type": "string"},
        ],
    }
    schema = conform(result, contract, "x").schema
    assert [str(f.type) for f in schema] == ["int64", "int64", "double", "large_string"]


def test_a_model_reads_only_the_tables_it_is_given(tmp_path):
    given = tmp_path / "fact_sales.parquet"
    pq.write_table(pa.table({"x": [1]}), given)
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [2]}), other)
    assert run_model("SELECT x FROM fact_sales", {"fact_sales": given}, where="m.sql").num_rows == 1
    for sql in (f"SELECT x FROM read_parquet('{other}')", "SELECT x FROM other"):
        with pytest.raises(PipelineError, match=r"(?s)Gold model m.sql failed: .*reads only the"):
            run_model(sql, {"fact_sales": given}, where="m.sql")


def test_the_tables_a_model_reads_are_the_tables_it_names_less_its_own_with_clauses():
    sql = """
        WITH lines AS (SELECT * FROM fact_sales JOIN dim_customers USING (customer_key))
        SELECT * FROM lines, range(3) AS r (i)
        WHERE EXISTS (SELECT 1 FROM Dim_Products p WHERE p.product_key = lines.product_key)
    """
    assert referenced_tables(sql, "m.sql") == ("dim_customers", "dim_products", "fact_sales")


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("SELECT * FROM '../../etc/passwd'", r"reads \.\./\.\./etc/passwd: a model reads"),
        ("SELECT * FROM other_db.main.t", r"reads other_db\.main\.t: a model reads"),
        ("SELECT 1; SELECT 2", "holds 2 statements"),
        ("CREATE TABLE t AS SELECT 1", "is not a valid SELECT"),
        ("SELECT FROM WHERE", "is not a valid SELECT"),
        ("SELECT 1 AS one", "reads no table"),
    ],
)
def test_a_model_that_is_not_one_select_over_table_names_is_refused(sql, problem):
    with pytest.raises(PipelineError, match=rf"Gold model m\.sql {problem}"):
        referenced_tables(sql, "m.sql")


def test_scale_one_gold_has_no_orphans_reconciles_and_passes_every_error_check(
    scale_one_silver, tmp_path
):
    silver_files = {}
    for name, result in scale_one_silver.items():
        silver_files[name] = tmp_path / f"{name}.parquet"
        write_parquet(result.table, silver_files[name])
    gold_files = {}
    for mart in MARTS:
        contract_file = contract_path("gold", mart)
        names = referenced_tables(model_path(mart).read_text(encoding="utf-8"), mart)
        gold_files[mart] = tmp_path / f"{mart}.parquet"
        meta = build_mart(
            mart=mart,
            contract=load_contract(contract_file),
            contract_path=str(contract_file),
            model_path=model_path(mart),
            silver_tables=[str(silver_files[n]) for n in names if n in silver_files],
            gold_tables=[str(gold_files[n]) for n in names if n in gold_files],
            data_path=gold_files[mart],
        )
        assert failed(meta["checks"], "error") == [], mart
    tables = {name: to_frame(pq.read_table(path)) for name, path in gold_files.items()}
    fact = tables["fact_sales"]
    assert len(fact) == len(scale_one_silver["crm_sales_details"].table)
    assert fact["product_key"].notna().all() and fact["customer_key"].notna().all()
    for name in MARTS[4:]:
        assert tables[name]["sales_amount"].sum() == fact["sales_amount"].sum(), name
        assert tables[name]["quantity"].sum() == fact["quantity"].sum(), name
