"""The named cleaning functions, each on a few rows with the edge cases the sources have."""

import datetime as dt

import pandas as pd
import pyarrow as pa
from harness import run, values

DATE = pd.ArrowDtype(pa.date32())


def test_split_product_key_into_category_and_product_number():
    df = dict(prd_key=["CO-RF-FR-R92B-58", "AC-HE-HL-U509-R", "CO-PE-PD-M282", None])
    out, stats, _ = run(
        df,
        {
            "op": "function",
            "name": "split_product_key",
            "args": {"column": "prd_key", "category_column": "cat_id"},
        },
    )
    assert values(out["cat_id"]) == ["CO_RF", "AC_HE", "CO_PE", None]
    assert values(out["prd_key"]) == ["FR-R92B-58", "HL-U509-R", "PD-M282", None]
    assert stats[0]["columns"] == ["prd_key", "cat_id"]


def test_end_date_is_next_start_minus_one_day_and_latest_version_has_none():
    df = dict(
        prd_key=["A", "A", "B", "A"],
        prd_start_dt=["2012-07-01", "2011-07-01", "2013-01-01", "2013-07-01"],
        prd_end_dt=["2007-12-28", "2008-12-27", None, "1999-01-01"],  # garbage source values
    )
    steps = [
        {"op": "parse_date", "column": "prd_start_dt", "format": "%Y-%m-%d"},
        {"op": "function", "name": "end_date_from_next_start"},
    ]
    out, *_ = run(df, *steps)
    assert values(out["prd_end_dt"]) == [dt.date(2013, 6, 30), dt.date(2012, 6, 30), None, None]
    assert out["prd_end_dt"].dtype == DATE


def test_reconcile_sales_and_price():
    df = dict(
        s=["100", None, "0", "-50", "90", "100", "100"],
        q=["2", "2", "2", "1", "2", "2", "4"],
        p=["50", "50", "50", "50", "50", None, "-25"],
    )
    steps = [{"op": "cast", "column": c, "to": "decimal", "on_error": "null"} for c in "sqp"]
    steps.append(
        {
            "op": "function",
            "name": "reconcile_sales_price",
            "args": {"sales": "s", "quantity": "q", "price": "p"},
        }
    )
    out, *_ = run(df, *steps)
    # ok; missing sales; zero sales; negative sales; sales != q*p; missing price; negative price
    assert values(out["s"]) == [100.0, 100.0, 100.0, 50.0, 100.0, 100.0, 100.0]
    assert values(out["p"]) == [50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 25.0]
    assert (out["s"] == out["q"].astype("Float64") * out["p"]).all()


def test_reconcile_price_from_source_sales_not_from_repaired_sales():
    # Price missing and sales wrong cannot both be repaired; price takes the SOURCE sales / q.
    df = dict(s=["30"], q=["2"], p=["-0"])
    steps = [{"op": "cast", "column": c, "to": "decimal"} for c in "sqp"]
    steps.append(
        {
            "op": "function",
            "name": "reconcile_sales_price",
            "args": {"sales": "s", "quantity": "q", "price": "p"},
        }
    )
    out, *_ = run(df, *steps)
    assert values(out["p"]) == [15.0]


def test_reconcile_a_zero_price_is_derived_and_never_zeroes_a_correct_sales_amount():
    # price 0; price -0; price 0 and sales missing (nothing to derive from); price missing and
    # quantity 0 (sales / 0 is no price)
    df = dict(s=["100", "30", None, "20"], q=["2", "3", "2", "0"], p=["0", "-0", "0", None])
    steps = [{"op": "cast", "column": c, "to": "decimal", "on_error": "null"} for c in "sqp"]
    steps.append(
        {
            "op": "function",
            "name": "reconcile_sales_price",
            "args": {"sales": "s", "quantity": "q", "price": "p"},
        }
    )
    out, *_ = run(df, *steps)
    assert values(out["s"]) == [100.0, 30.0, None, 20.0]
    # Unfixable lines stay for the contract's checks (not_null): no zero sales, no infinite price.
    assert values(out["p"]) == [50.0, 10.0, None, None]


def test_strip_prefix_only_at_the_start():
    df = dict(cid=["NASAW00011000", "AW00011001", "AWNAS0001", None])
    out, stats, _ = run(
        df, {"op": "function", "name": "strip_prefix", "args": {"column": "cid", "prefix": "NAS"}}
    )
    assert values(out["cid"]) == ["AW00011000", "AW00011001", "AWNAS0001", None]
    assert stats[0]["changed"] == 1


def test_remove_characters_removes_every_dash():
    df = dict(cid=["AW-00011000", "AW00011001", "A-W-1", None])
    out, *_ = run(
        df,
        {
            "op": "function",
            "name": "remove_characters",
            "args": {"column": "cid", "characters": "-"},
        },
    )
    assert values(out["cid"]) == ["AW00011000", "AW00011001", "AW1", None]


def test_future_birthdates_become_missing_relative_to_the_run_not_the_clock():
    df = dict(b=["1971-10-06", "2026-11-27", "9999-12-31", "1916-02-10", "2026-11-26", None])
    steps = [
        {"op": "parse_date", "column": "b", "format": "%Y-%m-%d"},
        {"op": "function", "name": "null_dates_after_ingestion", "args": {"column": "b"}},
    ]
    out, *_ = run(df, *steps, ingestion=dt.date(2026, 11, 26))
    assert values(out["b"]) == [
        dt.date(1971, 10, 6),
        None,
        None,
        dt.date(1916, 2, 10),
        dt.date(2026, 11, 26),
        None,
    ]
    # An older run keeps birthdates that are in its own past only.
    out, *_ = run(df, *steps, ingestion=dt.date(2000, 1, 1))
    assert values(out["b"])[0] == dt.date(1971, 10, 6)
    assert values(out["b"])[4] is None
