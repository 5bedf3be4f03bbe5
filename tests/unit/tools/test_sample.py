"""The sample generator writes the six dirty CRM/ERP exports the warehouse expects.

The tests read the files back from disk, as the Bronze layer will, and check the format, the
determinism, the scaling, each kind of dirt Silver must clean and that the dirt stays repairable.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sample_generator import (
    SAMPLE_FILES,
    generate,
    generate_tables,
    sample_size,
    write_table,
)
from sample_tables import make_products

ROOT = Path(__file__).resolve().parents[3]
SCALE, SEED = 0.05, 7
EXPECTED_HEADERS = {
    "source_crm/cust_info.csv": "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,"
    "cst_gndr,cst_create_date",
    "source_crm/prd_info.csv": "prd_id,prd_key,prd_nm,prd_cost,prd_line,prd_start_dt,prd_end_dt",
    "source_crm/sales_details.csv": "sls_ord_num,sls_prd_key,sls_cust_id,sls_order_dt,"
    "sls_ship_dt,sls_due_dt,sls_sales,sls_quantity,sls_price",
    "source_erp/CUST_AZ12.csv": "CID,BDATE,GEN",
    "source_erp/LOC_A101.csv": "CID,CNTRY",
    "source_erp/PX_CAT_G1V2.csv": "ID,CAT,SUBCAT,MAINTENANCE",
}
CATEGORY_ROWS = """
AC_BR Accessories Bike Racks Yes|AC_BS Accessories Bike Stands No|AC_BC Accessories Bottles and
Cages No|AC_CL Accessories Cleaners Yes|AC_FE Accessories Fenders No|AC_HE Accessories Helmets
Yes|AC_HP Accessories Hydration Packs No|AC_LI Accessories Lights Yes|AC_LO Accessories Locks
Yes|AC_PA Accessories Panniers No|AC_PU Accessories Pumps Yes|AC_TT Accessories Tires and Tubes
Yes|BI_MB Bikes Mountain Bikes Yes|BI_RB Bikes Road Bikes Yes|BI_TB Bikes Touring Bikes Yes|CL_BS
Clothing Bib-Shorts No|CL_CA Clothing Caps No|CL_GL Clothing Gloves No|CL_JE Clothing Jerseys
No|CL_SH Clothing Shorts No|CL_SO Clothing Socks No|CL_TI Clothing Tights No|CL_VE Clothing Vests
No|CO_BR Components Brakes Yes|CO_BB Components Bottom Brackets Yes|CO_CS Components Cranksets
Yes|CO_CH Components Chains Yes|CO_DE Components Derailleurs Yes|CO_FO Components Forks
Yes|CO_HA Components Handlebars Yes|CO_HE Components Headsets Yes|CO_MW Components Mountain
Frames Yes|CO_PD Components Pedals Yes|CO_RF Components Road Frames Yes|CO_SA Components Saddles
Yes|CO_TF Components Touring Frames Yes|CO_WH Components Wheels Yes
"""
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _files(out: Path) -> dict[str, bytes]:
    return {f"{folder}/{name}": (out / folder / name).read_bytes() for folder, name in SAMPLE_FILES}


def _rows(data: bytes) -> list[dict[str, str]]:
    lines = data.decode("utf-8").split("\r\n")
    if lines[-1] == "":
        lines.pop()
    header = lines[0].split(",")
    # strict=True: a stray comma in a value would shift the fields and fail here.
    return [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("raw")
    generate(out, scale=SCALE, seed=SEED)
    return _files(out)


@pytest.fixture(scope="module")
def t(raw: dict[str, bytes]) -> dict[str, list[dict[str, str]]]:
    return {name.split("/")[1].removesuffix(".csv"): _rows(data) for name, data in raw.items()}


def test_six_files_with_exact_headers(raw):
    assert set(raw) == set(EXPECTED_HEADERS)
    for name, data in raw.items():
        assert data.split(b"\r\n", 1)[0].decode() == EXPECTED_HEADERS[name]


def test_crlf_everywhere_and_final_line_break_only_where_the_export_has_one(raw):
    for name, data in raw.items():
        assert b"\r" not in data.replace(b"\r\n", b"") and b"\n" not in data.replace(b"\r\n", b"")
        if name.endswith(("prd_info.csv", "LOC_A101.csv")):
            assert not data.endswith(b"\n"), name
        else:
            assert data.endswith(b"\r\n") and not data.endswith(b"\r\n\r\n"), name


def test_utf8_with_accents_and_no_comma_or_quote_inside_values(raw, t, tmp_path):
    for name, data in raw.items():
        text = data.decode("utf-8")
        assert '"' not in text and "'" not in text, name
        assert len(t[name.split("/")[1].removesuffix(".csv")]) > 0
    names = {r["cst_firstname"].strip() for r in t["cust_info"]}
    names |= {r["cst_lastname"].strip() for r in t["cust_info"]}
    assert len(names & {"José", "Zoë", "Müller", "Łukasz", "Søren", "Françoise"}) >= 3
    with pytest.raises(pa.ArrowInvalid):
        write_table(pd.DataFrame({"a": ["x,y"]}), tmp_path / "bad.csv")


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", scale=0.02, seed=3)
    generate(tmp_path / "b", scale=0.02, seed=3)
    generate(tmp_path / "c", scale=0.02, seed=4)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a["source_erp/PX_CAT_G1V2.csv"] == c["source_erp/PX_CAT_G1V2.csv"]
    for name in a:
        if not name.endswith("PX_CAT_G1V2.csv"):
            assert a[name] != c[name], name


def test_customers_and_order_lines_scale_linearly_products_stay_bounded():
    small, large = generate_tables(0.1, 1), generate_tables(0.2, 1)
    for name in ("cust_info.csv", "sales_details.csv", "CUST_AZ12.csv", "LOC_A101.csv"):
        assert 1.8 < len(large[name]) / len(small[name]) < 2.2, name
    assert len(small["PX_CAT_G1V2.csv"]) == len(large["PX_CAT_G1V2.csv"]) == 37
    assert sample_size(1).product_versions == sample_size(100).product_versions == 400
    assert sample_size(0.001).product_versions >= 40
    assert 18_000 < sample_size(1).customers < 19_000
    assert 6_000_000 == sample_size(100).order_lines
    full = make_products(np.random.default_rng(0), sample_size(1).product_versions)
    assert 380 <= len(full) <= 420 and 270 <= full["prd_key"].nunique() <= 320


def test_category_file_is_the_clean_constant_list(t):
    expected = [row.strip() for row in CATEGORY_ROWS.replace("\n", " ").split("|")]
    assert [" ".join(r.values()) for r in t["PX_CAT_G1V2"]] == expected


def test_customer_dirt(t):
    rows = t["cust_info"]
    junk = [r for r in rows if r["cst_id"] == ""]
    assert junk and all(r["cst_key"] and not r["cst_key"].startswith("AW") for r in junk)
    assert all(v == "" for r in junk for k, v in r.items() if k != "cst_key")
    real = [r for r in rows if r["cst_id"]]
    assert all(r["cst_key"] == f"AW000{int(r['cst_id']):05d}" for r in real)
    assert min(int(r["cst_id"]) for r in real) == 11000

    by_id = defaultdict(list)
    for r in real:
        by_id[r["cst_id"]].append(r)
    dups = [group for group in by_id.values() if len(group) > 1]
    assert len(dups) >= 3
    fields = ("cst_firstname", "cst_lastname", "cst_marital_status", "cst_gndr")
    for group in dups:
        dates = sorted(r["cst_create_date"] for r in group)
        assert len(set(dates)) == len(dates)
        newest = max(group, key=lambda r: r["cst_create_date"])
        assert all(newest[f].strip() for f in fields)
        assert all(any(r[f] == "" for f in fields) for r in group if r is not newest)

    first, last = [r["cst_firstname"] for r in real], [r["cst_lastname"] for r in real]
    for names in (first, last):
        assert any(n != n.strip() and n.strip() for n in names)
        assert "" in names
    marital = [r["cst_marital_status"] for r in real]
    assert set(marital) == {"M", "S", ""}
    gender = [r["cst_gndr"] for r in real]
    assert set(gender) == {"M", "F", ""} and gender.count("") > 0.15 * len(gender)
    created = [r["cst_create_date"] for r in real]
    assert all(ISO_DATE.fullmatch(d) for d in created)
    assert "2025-10-06" in created and any("2010" <= d[:4] <= "2014" for d in created)


def test_product_dirt_and_history(t):
    rows = t["prd_info"]
    assert [int(r["prd_id"]) for r in rows] == sorted(int(r["prd_id"]) for r in rows)
    by_key = defaultdict(list)
    for r in rows:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z]{2}-\S+", r["prd_key"]), r["prd_key"]
        by_key[r["prd_key"]].append(r)
    assert len({k[6:] for k in by_key}) == len(by_key)
    assert {len(v) for v in by_key.values()} <= {1, 2, 3} and max(map(len, by_key.values())) > 1
    for versions in by_key.values():
        starts = [r["prd_start_dt"] for r in versions]
        assert starts == sorted(set(starts)) and all(ISO_DATE.fullmatch(s) for s in starts)
        assert versions[-1]["prd_end_dt"] == ""
        assert all("" < r["prd_end_dt"] < r["prd_start_dt"] for r in versions[:-1])
    assert all("2003" <= r["prd_start_dt"][:4] <= "2013" for r in rows)
    lines = [r["prd_line"] for r in rows]
    assert set(lines) <= {"M", "R", "S", "T", "M ", "R ", "S ", "T ", ""}
    assert any(x.endswith(" ") for x in lines) and "" in lines
    costs = [r["prd_cost"] for r in rows]
    assert "" in costs and all(int(c) > 0 for c in costs if c)
    assert sum(k.startswith("CO-PE-") for k in by_key) >= 3


def _valid_date(value: str) -> bool:
    return len(value) == 8 and value.isdigit()


def test_sales_orders_dates_and_dirt(t):
    rows = t["sales_details"]
    orders = defaultdict(set)
    for r in rows:
        assert re.fullmatch(r"SO\d{5,}", r["sls_ord_num"])
        orders[r["sls_ord_num"]].add(
            (r["sls_cust_id"], r["sls_order_dt"], r["sls_ship_dt"], r["sls_due_dt"])
        )
    assert all(len(v) == 1 for v in orders.values()) and len(orders) < len(rows)
    order_dt = [r["sls_order_dt"] for r in rows]
    assert "0" in order_dt and any(d != "0" and len(d) != 8 for d in order_dt)
    for r in rows:
        assert _valid_date(r["sls_ship_dt"]) and _valid_date(r["sls_due_dt"])
        if _valid_date(r["sls_order_dt"]):
            assert "20101229" <= r["sls_order_dt"] <= r["sls_ship_dt"] <= r["sls_due_dt"]
            assert r["sls_order_dt"] <= "20140128"
    quantity = [int(r["sls_quantity"]) for r in rows]
    assert min(quantity) >= 1 and quantity.count(1) > 0.8 * len(quantity)

    sales = [r["sls_sales"] for r in rows]
    price = [r["sls_price"] for r in rows]
    assert "" in sales and "0" in sales and any(s.startswith("-") for s in sales)
    assert any(
        s and p and int(s) > 0 and int(p) > 0 and int(s) != q * int(p)
        for s, p, q in zip(sales, price, quantity, strict=True)
    )
    assert "" in price and any(p.startswith("-") for p in price)


def test_every_line_repairs_to_sales_equal_quantity_times_price(t):
    for r in t["sales_details"]:
        q = int(r["sls_quantity"])
        sales = int(r["sls_sales"]) if r["sls_sales"] else None
        price = int(r["sls_price"]) if r["sls_price"] else None
        fixed_sales, fixed_price = sales, price
        if price is not None and (sales is None or sales <= 0 or sales != q * abs(price)):
            fixed_sales = q * abs(price)
        if price is None or price <= 0:
            fixed_price = sales // q if sales is not None else None  # from the original sales
        assert fixed_sales is not None and fixed_price is not None, r
        assert fixed_sales == q * fixed_price > 0, r


def test_references_between_tables_hold(t):
    cst_ids = {r["cst_id"] for r in t["cust_info"] if r["cst_id"]}
    cst_keys = {r["cst_key"] for r in t["cust_info"] if r["cst_id"]}
    prd_keys = {r["prd_key"] for r in t["prd_info"]}
    assert {r["sls_cust_id"] for r in t["sales_details"]} <= cst_ids
    assert {r["sls_prd_key"] for r in t["sales_details"]} <= {k[6:] for k in prd_keys}
    erp_ids = {r["ID"] for r in t["PX_CAT_G1V2"]}
    assert {k[:5].replace("-", "_") for k in prd_keys} - erp_ids == {"CO_PE"}
    az12 = [r["CID"].removeprefix("NAS") for r in t["CUST_AZ12"]]
    loc = [r["CID"].replace("-", "") for r in t["LOC_A101"]]
    for cids in (az12, loc):
        assert len(cids) == len(set(cids)) and set(cids) == cst_keys


def test_erp_customer_dirt(t):
    cids = [r["CID"] for r in t["CUST_AZ12"]]
    assert 0 < sum(c.startswith("NAS") for c in cids) < len(cids)
    births = [r["BDATE"] for r in t["CUST_AZ12"]]
    assert all(ISO_DATE.fullmatch(b) for b in births)
    assert "9999-12-31" in births
    assert any("2026" < b[:4] < "9999" for b in births)
    assert any(b[:4] < "1924" for b in births)
    gen = [r["GEN"] for r in t["CUST_AZ12"]]
    assert {"Male", "Female", "M", "F", ""} <= set(gen)
    assert any(g != g.strip() and g.strip() for g in gen)
    assert any(g and not g.strip() for g in gen)

    loc = t["LOC_A101"]
    assert all(re.fullmatch(r"AW-\d{8}", r["CID"]) for r in loc)
    countries = [r["CNTRY"] for r in loc]
    assert {"DE", "Germany", "US", "USA", "United States", ""} <= set(countries)
    assert {"Australia", "Canada", "France", "United Kingdom"} <= set(countries)
    assert any(c and not c.strip() for c in countries)


def test_cli_writes_the_same_files_as_the_library(tmp_path):
    out = tmp_path / "cli"
    done = subprocess.run(
        [sys.executable, "tools/generate_sample.py", "--scale", "0.01", "--seed", "5"]
        + ["--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 6 and "rows" in done.stdout and "bytes" in done.stdout
    generate(tmp_path / "lib", scale=0.01, seed=5)
    assert _files(out) == _files(tmp_path / "lib")


@pytest.mark.parametrize("scale", ["0", "-1", "abc"])
def test_cli_rejects_a_bad_scale(tmp_path, scale):
    done = subprocess.run(
        [sys.executable, "tools/generate_sample.py", "--scale", scale, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--scale" in done.stderr and "greater than 0" in done.stderr
    assert not any(tmp_path.iterdir())
