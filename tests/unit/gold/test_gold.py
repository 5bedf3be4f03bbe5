"""Gold marts on tiny hand-made Silver frames: the business rules a reviewer checks."""

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from warehouse.core.errors import PipelineError
from warehouse.gold.marts import MARTS, conform_to_contract, headline_kpis, order_month

DATE = pd.ArrowDtype(pa.date32())


def s(values, dtype="str"):
    return pd.Series(values, dtype=dtype)


def d(*values):
    return pd.Series([dt.date.fromisoformat(v) if v else None for v in values], dtype=DATE)


def silver():
    """Three customers, four product versions, five order lines: each rule has a case."""
    cust = pd.DataFrame(
        {
            "cst_id": s([12, 11, 13], "Int64"),
            "cst_key": s(["AW12", "AW11", "AW13"]),
            "cst_firstname": s(["Zoë", "Jon", "Ana"]),
            "cst_lastname": s(["Ng", "Yang", None]),
            "cst_marital_status": s(["Single", "Married", "n/a"]),
            "cst_gndr": s(["n/a", "Male", "n/a"]),  # 12 and 13 fall back to the ERP gender
            "cst_create_date": d("2025-10-06", "2025-10-06", "2025-10-07"),
        }
    )
    az12 = pd.DataFrame(
        {"cid": s(["AW12", "AW11"]), "bdate": d("1980-01-01", None), "gen": s(["Female", "Female"])}
    )
    loc = pd.DataFrame({"cid": s(["AW11", "AW12"]), "cntry": s(["Germany", "United States"])})
    prd = pd.DataFrame(
        {
            "prd_id": s([1, 2, 3, 4], "Int64"),
            "cat_id": s(["BI_RB", "BI_RB", "CO_PE", "AC_HE"]),
            "prd_key": s(["BK-R1", "BK-R1", "PD-M1", "HL-U1"]),
            "prd_nm": s(["Road 1", "Road 1 v2", "Pedal", "Helmet"]),
            "prd_cost": s([100, 120, 5, 10], "Int64"),
            "prd_line": s(["Road", "Road", "n/a", "Other Sales"]),
            "prd_start_dt": d("2011-01-01", "2012-01-01", "2012-06-01", "2011-06-01"),
            "prd_end_dt": d("2011-12-31", None, None, None),  # version 1 is history
        }
    )
    cat = pd.DataFrame(
        {
            "id": s(["BI_RB", "AC_HE"]),
            "cat": s(["Bikes", "Accessories"]),
            "subcat": s(["Road Bikes", "Helmets"]),
            "maintenance": s(["Yes", "Yes"]),
        }
    )
    sales = pd.DataFrame(
        {
            "sls_ord_num": s(["SO1", "SO1", "SO2", "SO3", "SO4"]),
            "sls_prd_key": s(["BK-R1", "HL-U1", "PD-M1", "BK-R1", "XX-404"]),
            "sls_cust_id": s([11, 11, 12, 13, 11], "Int64"),
            "sls_order_dt": d("2013-01-05", "2013-01-05", "2013-02-01", None, "2013-02-02"),
            "sls_ship_dt": d("2013-01-12", "2013-01-12", "2013-02-08", "2013-03-01", "2013-02-09"),
            "sls_due_dt": d("2013-01-17", "2013-01-17", "2013-02-13", "2013-03-06", "2013-02-14"),
            "sls_sales": s([100.0, 20.0, 10.0, 100.0, 7.0], "Float64"),
            "sls_quantity": s([1, 2, 1, 1, 1], "Int64"),
            "sls_price": s([100.0, 10.0, 10.0, 100.0, 7.0], "Float64"),
        }
    )
    return {
        "crm_cust_info": cust,
        "erp_cust_az12": az12,
        "erp_loc_a101": loc,
        "crm_prd_info": prd,
        "erp_px_cat_g1v2": cat,
        "crm_sales_details": sales,
    }


def build(*marts, tables=None):
    tables = tables or silver()
    for name in marts:
        tables[name] = MARTS[name](tables)
    return tables


def test_dim_customers_keys_by_customer_id_and_falls_back_to_erp_gender():
    dim = build("dim_customers")["dim_customers"]
    assert list(dim["customer_key"]) == [1, 2, 3]
    assert list(dim["customer_id"]) == [11, 12, 13]
    assert list(dim["gender"]) == ["Male", "Female", "n/a"]  # CRM, ERP fallback, neither
    assert list(dim["country"]) == ["Germany", "United States", "n/a"]
    assert dim["birthdate"].isna().tolist() == [True, False, True]


def test_dim_products_keeps_current_versions_and_unmatched_category_stays_missing():
    dim = build("dim_products")["dim_products"]
    assert list(dim["product_number"]) == ["HL-U1", "BK-R1", "PD-M1"]  # by start date
    assert list(dim["product_key"]) == [1, 2, 3]
    assert list(dim["product_id"]) == [4, 2, 3]  # the current version of BK-R1
    pedal = dim.set_index("product_number").loc["PD-M1"]
    assert pd.isna(pedal["category"]) and pedal["category_id"] == "CO_PE"


def test_fact_sales_finds_keys_and_keeps_orphans_with_a_missing_key():
    fact = build("dim_customers", "dim_products", "fact_sales")["fact_sales"]
    assert len(fact) == 5  # nothing dropped
    assert list(fact["product_key"].isna()) == [False, False, False, False, True]
    assert list(fact["customer_key"]) == [1, 1, 2, 3, 1]
    assert fact["order_date"].isna().sum() == 1


def test_surrogate_keys_do_not_depend_on_row_order():
    tables = silver()
    shuffled = {k: v.iloc[::-1].reset_index(drop=True) for k, v in tables.items()}
    a = build("dim_customers", "dim_products", tables=tables)
    b = build("dim_customers", "dim_products", tables=shuffled)
    pd.testing.assert_frame_equal(a["dim_customers"], b["dim_customers"])
    pd.testing.assert_frame_equal(a["dim_products"], b["dim_products"])


def test_dim_date_spans_first_to_last_date_of_any_kind():
    dim = build("dim_customers", "dim_products", "fact_sales", "dim_date")["dim_date"]
    assert dim["date"].iloc[0] == dt.date(2013, 1, 5)
    assert dim["date"].iloc[-1] == dt.date(2013, 3, 6)  # a due date
    assert len(dim) == (dt.date(2013, 3, 6) - dt.date(2013, 1, 5)).days + 1
    first = dim.iloc[0]
    assert (first["date_key"], first["quarter"], first["month_name"]) == (20130105, 1, "January")
    assert (first["day_of_week"], bool(first["is_weekend"])) == ("Saturday", True)


def test_monthly_aggregate_counts_missing_order_dates_under_unknown():
    tables = build("dim_customers", "dim_products", "fact_sales", "agg_sales_monthly")
    monthly = tables["agg_sales_monthly"].set_index("month")
    assert list(monthly.index) == ["2013-01", "2013-02", "unknown"]
    assert monthly.loc["2013-01", "orders"] == 1 and monthly.loc["2013-01", "quantity"] == 3
    assert monthly.loc["2013-01", "sales_amount"] == 120.0
    assert monthly.loc["2013-02", "average_order_value"] == pytest.approx(17.0 / 2)
    assert monthly.loc["unknown", "sales_amount"] == 100.0
    assert monthly["sales_amount"].sum() == tables["fact_sales"]["sales_amount"].sum()


def test_country_and_category_aggregates_reconcile_and_name_missing_as_na():
    tables = build(
        "dim_customers", "dim_products", "fact_sales", "agg_sales_by_country",
        "agg_sales_by_category",
    )  # fmt: skip
    total = tables["fact_sales"]["sales_amount"].sum()
    by_country = tables["agg_sales_by_country"]
    by_category = tables["agg_sales_by_category"]
    assert by_country["sales_amount"].sum() == total
    assert by_category["sales_amount"].sum() == total
    assert "n/a" in set(by_country["country"])  # customer 13 has no location
    categories = set(by_category["category"])
    assert {"Bikes", "Accessories", "n/a"} == categories  # pedal (CO_PE) and the orphan line


def test_order_month():
    assert list(order_month(d("2013-01-31", None))) == ["2013-01", "unknown"]


def test_headline_kpis():
    fact = build("dim_customers", "dim_products", "fact_sales")["fact_sales"]
    kpis = headline_kpis(fact)
    assert kpis["sales_amount"] == 237.0 and kpis["orders"] == 4 and kpis["customers"] == 3
    assert kpis["average_order_value"] == pytest.approx(237.0 / 4, abs=0.01)
    assert kpis["order_lines_without_order_date"] == 1


def test_contract_mismatch_fails_with_a_column_by_column_diff():
    frame = pd.DataFrame({"a": s([1], "Int64"), "c": s(["x"])})
    contract = {
        "table": "m",
        "columns": [{"name": "a", "type": "int"}, {"name": "b", "type": "date"}],
    }
    with pytest.raises(PipelineError) as info:
        conform_to_contract(frame, contract, "config/contracts/gold/m.yaml")
    message = str(info.value)
    assert "m does not match its contract config/contracts/gold/m.yaml" in message
    assert "    1    expected a int" in message
    assert "    2 != expected b date" in message and "actual c string" in message


def test_contract_match_applies_declared_dtypes():
    frame = pd.DataFrame({"amount": s([1.5], "Float64")})
    contract = {"table": "m", "columns": [{"name": "amount", "type": "decimal"}]}
    assert str(conform_to_contract(frame, contract, "x")["amount"].dtype) == "Float64"


def test_scale_one_gold_has_no_orphans_reconciles_and_passes_every_error_check(scale_one_silver):
    from conftest import REPO
    from warehouse.contracts.validation import load_contract
    from warehouse.quality.checks import run_checks
    from warehouse.quality.results import failed

    tables = {
        name: result.table.drop(columns="_source_row") for name, result in scale_one_silver.items()
    }
    order = [
        "dim_customers",
        "dim_products",
        "fact_sales",
        "dim_date",
        "agg_sales_monthly",
        "agg_sales_by_country",
        "agg_sales_by_category",
    ]
    for name in order:
        path = REPO / "config" / "contracts" / "gold" / f"{name}.yaml"
        contract = load_contract(path, REPO / "config" / "contract.schema.yaml")
        tables[name] = conform_to_contract(MARTS[name](tables), contract, str(path))
        results = run_checks(
            tables[name], contract["checks"], table=name, key=contract.get("key"), related=tables
        )
        assert failed(results, "error") == [], name
    fact = tables["fact_sales"]
    assert len(fact) == len(tables["crm_sales_details"])
    assert fact["product_key"].notna().all() and fact["customer_key"].notna().all()
    for name in order[4:]:
        assert tables[name]["sales_amount"].sum() == fact["sales_amount"].sum(), name
        assert tables[name]["quantity"].sum() == fact["quantity"].sum(), name
