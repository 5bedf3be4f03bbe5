"""The six tables of the sample, built as the CRM/ERP exports hold them, dirt included.

One maker per export (``make_customers`` for CRM ``cust_info`` ...), each a pandas DataFrame of
strings, an empty string meaning a missing value, exactly as the field will appear in the file.
Each maker draws from the random stream it is given (``sample_generator`` gives each table its
own), so the same stream always gives the same table. The vocabularies (categories, names,
countries) and the dates the sample spans are here too.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sample_columns import (
    LARGE_STRING,
    arrow_text,
    blank_where,
    choose,
    concat,
    day,
    dirt_kinds,
    iso_text,
    number_text,
    string_frame,
    take_text,
    yyyymmdd,
)

HEADERS: dict[str, tuple[str, ...]] = {
    "cust_info.csv": (
        "cst_id", "cst_key", "cst_firstname", "cst_lastname",
        "cst_marital_status", "cst_gndr", "cst_create_date",
    ),
    "prd_info.csv": (
        "prd_id", "prd_key", "prd_nm", "prd_cost", "prd_line", "prd_start_dt", "prd_end_dt",
    ),
    "sales_details.csv": (
        "sls_ord_num", "sls_prd_key", "sls_cust_id", "sls_order_dt", "sls_ship_dt",
        "sls_due_dt", "sls_sales", "sls_quantity", "sls_price",
    ),
    "CUST_AZ12.csv": ("CID", "BDATE", "GEN"),
    "LOC_A101.csv": ("CID", "CNTRY"),
    "PX_CAT_G1V2.csv": ("ID", "CAT", "SUBCAT", "MAINTENANCE"),
}  # fmt: skip
# A CRM category prefix with no row in the ERP category file: an orphan Silver must tolerate.
UNMATCHED_CATEGORY = "CO-PE"

_MAIN = {"AC": "Accessories", "BI": "Bikes", "CL": "Clothing", "CO": "Components"}
CATEGORIES: tuple[tuple[str, str, str, str], ...] = tuple(
    (cid, _MAIN[cid[:2]], sub, maint)
    for cid, sub, maint in (
        ("AC_BR", "Bike Racks", "Yes"), ("AC_BS", "Bike Stands", "No"),
        ("AC_BC", "Bottles and Cages", "No"), ("AC_CL", "Cleaners", "Yes"),
        ("AC_FE", "Fenders", "No"), ("AC_HE", "Helmets", "Yes"),
        ("AC_HP", "Hydration Packs", "No"), ("AC_LI", "Lights", "Yes"),
        ("AC_LO", "Locks", "Yes"), ("AC_PA", "Panniers", "No"), ("AC_PU", "Pumps", "Yes"),
        ("AC_TT", "Tires and Tubes", "Yes"), ("BI_MB", "Mountain Bikes", "Yes"),
        ("BI_RB", "Road Bikes", "Yes"), ("BI_TB", "Touring Bikes", "Yes"),
        ("CL_BS", "Bib-Shorts", "No"), ("CL_CA", "Caps", "No"), ("CL_GL", "Gloves", "No"),
        ("CL_JE", "Jerseys", "No"), ("CL_SH", "Shorts", "No"), ("CL_SO", "Socks", "No"),
        ("CL_TI", "Tights", "No"), ("CL_VE", "Vests", "No"), ("CO_BR", "Brakes", "Yes"),
        ("CO_BB", "Bottom Brackets", "Yes"), ("CO_CS", "Cranksets", "Yes"),
        ("CO_CH", "Chains", "Yes"), ("CO_DE", "Derailleurs", "Yes"), ("CO_FO", "Forks", "Yes"),
        ("CO_HA", "Handlebars", "Yes"), ("CO_HE", "Headsets", "Yes"),
        ("CO_MW", "Mountain Frames", "Yes"), ("CO_PD", "Pedals", "Yes"),
        ("CO_RF", "Road Frames", "Yes"), ("CO_SA", "Saddles", "Yes"),
        ("CO_TF", "Touring Frames", "Yes"), ("CO_WH", "Wheels", "Yes"),
    )
)  # fmt: skip
# Product-number family per category; the orphan CO-PE holds pedals, like the real data.
_FAMILIES = (
    "RA ST BC CL FE HL HY LT LO PA PU TT BK BK BK SB CA GL LJ SH SO TG VE "
    "BR BB CS CH FD FK HB HS FR PD FR SE FR RW"
)
_ORPHAN = UNMATCHED_CATEGORY.replace("-", "_")
_FAMILY = dict(zip([c[0] for c in CATEGORIES], _FAMILIES.split(), strict=True)) | {_ORPHAN: "PD"}
_LINE = {"BI_MB": "M", "CO_MW": "M", "BI_RB": "R", "CO_RF": "R", "BI_TB": "T", "CO_TF": "T"}
_COST = {"AC": (2, 60), "BI": (300, 2200), "CL": (3, 45), "CO": (10, 800)}
_FRAME_SIZES = [str(s) for s in range(38, 64, 2)]
_WEAR_SIZES = ["S", "M", "L", "XL"]
_COLOURS = ["Black", "Red", "Silver", "Yellow", "Blue", "Multi"]
_WEIGHT = {"AC": 1.0, "BI": 6.0, "CL": 1.5, "CO": 2.5}

MALE = (
    "Jon Eugene Ruben Christopher Ian Brandon Harold Jesse Adam Marco Wei Kenji Mateo "
    "José Łukasz Søren Jürgen André Björn François"
).split()
FEMALE = (
    "Elizabeth Christy Janet Lauren Alexandra Katherine Abigail Grace Mei Priya Lea "
    "Zoë Françoise Renée Inés Chloé Noémie Małgorzata Åsa Sofía"
).split()
LAST = (
    "Yang Huang Zhu Johnson Ruiz Alvarez Mehta Verhoff Carlson Suarez Lu Walker Jenkins Nguyen "
    "Patel Romero Bailey Ross Müller Núñez Gómez Lefèvre Sørensen Wójcik Öztürk Hernández "
    "Schäfer Peña Dubois Kowalski"
).split()
COUNTRIES = (
    "United States", "USA", "US", "Australia", "United Kingdom", "Germany", "DE", "France",
    "Canada",
)  # fmt: skip
_COUNTRY_P = (0.12, 0.2, 0.08, 0.2, 0.1, 0.06, 0.04, 0.1, 0.1)

CREATED = day("2025-10-06")
FIRST_ORDER, LAST_ORDER = day("2010-12-29"), day("2014-01-28")


def _dirty_name(rng: np.random.Generator, names: pa.Array, keep: np.ndarray) -> pa.Array:
    kind = dirt_kinds(rng, len(names), [(0.01, 2), (0.01, 2), (0.004, 2)])
    lead = take_text(["", " "], np.isin(kind, (1, 3)))
    trail = take_text(["", " "], np.isin(kind, (2, 3)))
    padded = concat(lead, names, trail)
    return blank_where(padded, dirt_kinds(rng, len(names), [(0.002, 2)], eligible=keep) == 1)


def make_customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """CRM ``cust_info``: ``n`` distinct customers (ids 11000...) plus dirty rows.

    Some ids appear two or three times with older create dates and fields left empty (the
    newest row is the complete one); a few junk rows carry only a key such as ``SF1566``.
    Names may be padded or empty, marital status sometimes and gender often empty.
    """
    copies = 1 + dirt_kinds(rng, n, [(0.004, 3), (0.001, 2)]).astype(np.int64)
    row_id = np.repeat(np.arange(11_000, 11_000 + n), copies)
    m = len(row_id)
    rank = np.arange(m) - np.repeat(np.cumsum(copies) - copies, copies)
    age = np.repeat(copies, copies) - 1 - rank  # 0 = newest row of its id
    # Dirt that empties a field never hits the newest row of a duplicated id.
    keep = ~((age == 0) & (np.repeat(copies, copies) > 1))

    male = rng.random(n) < 0.5
    first = np.where(
        male, rng.integers(0, len(MALE), n), len(MALE) + rng.integers(0, len(FEMALE), n)
    )
    old_stamp = dirt_kinds(rng, n, [(0.15, 1)]) == 1
    offset = np.where(rng.random(n) < 0.6, 0, rng.integers(-20, 21, n))
    newest = np.where(
        old_stamp, rng.integers(day("2010-01-01"), day("2015-01-01"), n), CREATED + offset
    )
    created = np.repeat(newest, copies) - age * np.repeat(rng.integers(1, 400, n), copies)

    older = np.flatnonzero(age > 0)
    emptied = rng.random((len(older), 4)) < 0.4
    emptied[np.arange(len(older)), rng.integers(0, 4, len(older))] = True
    gone = np.zeros((m, 4), dtype=bool)
    gone[older] = emptied

    fields = [
        _dirty_name(rng, take_text(MALE + FEMALE, np.repeat(first, copies)), keep),
        _dirty_name(rng, take_text(LAST, np.repeat(rng.integers(0, len(LAST), n), copies)), keep),
        blank_where(
            take_text(["S", "M"], np.repeat(rng.random(n) < 0.55, copies)),
            dirt_kinds(rng, m, [(0.003, 2)], eligible=keep) == 1,
        ),
        blank_where(
            take_text(["F", "M"], np.repeat(male, copies)),
            dirt_kinds(rng, m, [(0.25, 3)], eligible=keep) == 1,
        ),
    ]
    fields = [blank_where(f, gone[:, j]) for j, f in enumerate(fields)]
    cst_id = number_text(row_id)
    real = pa.table(
        [cst_id, concat("AW", pc.utf8_lpad(cst_id, 8, "0")), *fields,
         iso_text(created)],
        names=list(HEADERS["cust_info.csv"]),
    )  # fmt: skip

    n_junk = max(3, round(n * 0.0002))
    letters = rng.integers(ord("A"), ord("Z") + 1, (n_junk, 2))
    digits = rng.integers(1, 10_000, n_junk)
    junk_keys = [f"{chr(a)}{chr(b)}{d}" for (a, b), d in zip(letters, digits, strict=True)]
    junk = pa.table(
        {c: junk_keys if c == "cst_key" else [""] * n_junk for c in HEADERS["cust_info.csv"]},
        schema=real.schema,
    )
    # Older duplicates and junk rows land anywhere, not next to the rows they shadow.
    position = np.arange(m, dtype=np.float64)
    position[older] = rng.uniform(0, m, len(older))
    position = np.concatenate([position, rng.uniform(0, m, n_junk)])
    table = pa.concat_tables([real, junk]).take(np.argsort(position, kind="stable"))
    return table.to_pandas()


def current_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """The newest row of every real customer in ``cust_info``, sorted by id.

    Columns: ``cst_id`` (int64), ``cst_key``, ``cst_gndr``. Junk rows without an id are dropped.
    """
    real = customers.loc[customers["cst_id"] != "", ["cst_id", "cst_key", "cst_gndr"]]
    real = real.assign(cst_id=real["cst_id"].astype("int64"), date=customers["cst_create_date"])
    real = real.sort_values(["cst_id", "date"], kind="stable")
    newest = real.drop_duplicates("cst_id", keep="last").drop(columns="date")
    return newest.reset_index(drop=True)


def make_cust_az12(rng: np.random.Generator, current: pd.DataFrame) -> pd.DataFrame:
    """ERP ``CUST_AZ12``: one row per customer of ``current`` (see :func:`current_customers`).

    ``CID`` is the CRM key, half of them prefixed ``NAS``; ``BDATE`` has future (up to
    9999-12-31) and very old dates; ``GEN`` agrees with the CRM gender but is spelt
    ``Male``/``M``, padded, empty or blank.
    """
    n = len(current)
    keys = arrow_text(current["cst_key"])
    nas = dirt_kinds(rng, n, [(0.5, 2)]) == 1
    cid = pc.if_else(pa.array(nas), concat("NAS", keys), keys)

    birth = rng.integers(day("1935-01-01"), day("2002-01-01"), n)
    odd = dirt_kinds(rng, n, [(0.0008, 2), (0.0002, 2), (0.001, 2)])
    birth = np.where(odd == 1, rng.integers(day("2027-01-01"), day("2036-01-01"), n), birth)
    birth = np.where(odd == 2, day("9999-12-31"), birth)
    birth = np.where(odd == 3, rng.integers(day("1900-01-01"), day("1924-01-01"), n), birth)

    # ERP gender agrees with the CRM where the CRM knows it.
    crm = current["cst_gndr"]
    male = ((crm == "M") | ((crm == "") & (rng.random(n) < 0.5))).to_numpy()
    full = take_text(["Female", "Male"], male)
    style = dirt_kinds(rng, n, [(0.25, 2), (0.03, 2), (0.08, 2), (0.02, 2)])
    blanks = take_text([" ", "  "], rng.integers(0, 2, n))
    gen = choose(style, full, take_text(["F", "M"], male), concat(" ", full, " "), "", blanks)
    return string_frame({"CID": cid, "BDATE": iso_text(birth), "GEN": gen})


def make_loc_a101(rng: np.random.Generator, current: pd.DataFrame) -> pd.DataFrame:
    """ERP ``LOC_A101``: one row per customer, ``CID`` like ``AW-00011000``.

    ``CNTRY`` mixes codes and names (``DE``/``Germany``, ``US``/``USA``/``United States``...);
    some are empty or only spaces.
    """
    n = len(current)
    cid = concat("AW-", pc.utf8_slice_codeunits(arrow_text(current["cst_key"]), 2))
    country = take_text(COUNTRIES, rng.choice(len(COUNTRIES), n, p=_COUNTRY_P))
    # Every spelling shows up at least twice, then some empty and blank-only values.
    forced = dirt_kinds(rng, n, [(0, 2)] * len(COUNTRIES) + [(0.01, 2), (0.003, 2)])
    blanks = take_text([" ", "  "], rng.integers(0, 2, n))
    country = choose(forced, country, *COUNTRIES, "", blanks)
    return string_frame({"CID": cid, "CNTRY": country})


def make_products(rng: np.random.Generator, n_versions: int) -> pd.DataFrame:
    """CRM ``prd_info``: about ``n_versions`` rows, one to three versions per product key.

    ``prd_key`` is the ERP category id (``-`` for ``_``), ``-``, then a product number unique
    across keys. Older versions state a ``prd_end_dt`` that lies before their own start; the
    newest version leaves it empty. Some costs are empty and ``prd_line`` is often padded.
    """
    n_keys = max(20, round(n_versions / 1.36))
    versions = 1 + dirt_kinds(rng, n_keys, [(0.2, 3), (0.08, 1)]).astype(np.int64)
    weights = np.array([_WEIGHT[c[0][:2]] for c in CATEGORIES])
    picked = rng.choice(len(CATEGORIES), n_keys, p=weights / weights.sum())
    orphan = dirt_kinds(rng, n_keys, [(0.015, 3)]) == 1
    # Distinct serials make product numbers unique whatever their family and size.
    serial = rng.choice(26 * 36**3, n_keys, replace=False)
    subcategory = {c[0]: c[2] for c in CATEGORIES} | {_ORPHAN: "Pedals"}
    rows = []
    for k in range(n_keys):
        cat = _ORPHAN if orphan[k] else CATEGORIES[picked[k]][0]
        code = chr(65 + serial[k] // 36**3) + np.base_repr(serial[k] % 36**3, 36).rjust(3, "0")
        sized = cat[:2] == "BI" or cat in _LINE
        size = str(rng.choice(_FRAME_SIZES if sized else _WEAR_SIZES if cat[:2] == "CL" else [""]))
        number = "-".join(filter(None, [_FAMILY[cat], code, size]))
        tier, colour = rng.choice(["HL", "ML", "LL"]), rng.choice(_COLOURS)
        name = f"{tier} {subcategory[cat].removesuffix('s')} - {colour} {size}".rstrip()
        line = _LINE.get(cat) or str(rng.choice(["M", "R", "S", "T"], p=[0.2, 0.2, 0.5, 0.1]))
        cost = rng.integers(*_COST[cat[:2]]) * rng.uniform(0.85, 1.15, versions[k])
        first = rng.integers(day("2003-01-01"), day("2014-01-01") - 700 * (versions[k] - 1))
        start = first + np.cumsum(np.r_[0, rng.integers(180, 700, versions[k] - 1)])
        end = start - rng.integers(30, 1500, versions[k])
        for v in range(versions[k]):
            # Only the newest version is open; older ones end on a date before their own start.
            ended = "" if v == versions[k] - 1 else str(end[v].astype("datetime64[D]"))
            when = str(start[v].astype("datetime64[D]"))
            key = f"{cat.replace('_', '-')}-{number}"
            rows.append((key, name, str(max(1, round(cost[v]))), line, when, ended))
    cols = dict(zip(HEADERS["prd_info.csv"][1:], map(list, zip(*rows, strict=True)), strict=True))
    cols["prd_id"] = [str(i) for i in range(210, 210 + len(rows))]
    line = pa.array(cols["prd_line"], LARGE_STRING)
    cols["prd_line"] = choose(
        dirt_kinds(rng, len(rows), [(0.45, 3), (0.03, 2)]), line, concat(line, " "), ""
    )
    cols["prd_cost"] = blank_where(
        pa.array(cols["prd_cost"], LARGE_STRING), dirt_kinds(rng, len(rows), [(0.006, 2)]) == 1
    )
    return string_frame({c: cols[c] for c in HEADERS["prd_info.csv"]})


def list_prices(products: pd.DataFrame) -> dict[str, int]:
    """Unit price per product number (``prd_key[6:]``): its latest known cost plus margin."""
    prices: dict[str, int] = {}
    for key, cost in zip(products["prd_key"], products["prd_cost"], strict=True):
        number = key[6:]
        if cost:
            prices[number] = math.ceil(int(cost) * 1.6)
        else:
            prices.setdefault(number, 0)
    # A product whose every version lacks a cost still needs a sellable price.
    return {k: v or 49 for k, v in prices.items()}


def make_sales(
    rng: np.random.Generator, n_lines: int, cst_ids: np.ndarray, products: pd.DataFrame
) -> pd.DataFrame:
    """CRM ``sales_details``: ``n_lines`` order lines of customers ``cst_ids``.

    Orders (``SO43697``...) have one or more lines sharing customer and dates; dates are
    yyyymmdd integers, some order dates 0 or of the wrong length. Sales are sometimes missing,
    zero, negative or wrong, prices missing or negative, but never both on one line, so the
    line can always be repaired from the other value.
    """
    prices = list_prices(products)
    numbers, price_of = list(prices), np.fromiter(prices.values(), np.int64)
    # Memory matters at scale 100 (6M lines): build one column at a time and drop what is done.
    size = rng.choice(np.arange(1, 9), n_lines, p=[0.45, 0.25, 0.13, 0.08, 0.04, 0.03, 0.01, 0.01])
    total = np.cumsum(size)
    n_orders = int(np.searchsorted(total, n_lines)) + 1
    size = size[:n_orders]
    size[-1] -= total[n_orders - 1] - n_lines
    order = np.repeat(np.arange(n_orders, dtype=np.int32), size)
    del size, total

    ordered = np.sort(rng.integers(FIRST_ORDER, LAST_ORDER + 1, n_orders))
    shipped = ordered + 7 + (rng.random(n_orders) < 0.1) * rng.integers(1, 3, n_orders)
    order_dt = yyyymmdd(ordered)
    bad_date = dirt_kinds(rng, n_orders, [(0.0003, 2), (0.0001, 2)])
    order_dt[bad_date == 1] = 0
    order_dt[bad_date == 2] = rng.integers(1_000, 100_000, int((bad_date == 2).sum()))
    per_order = {
        "sls_cust_id": rng.choice(np.asarray(cst_ids, np.int64), n_orders),
        "sls_order_dt": order_dt,
        "sls_ship_dt": yyyymmdd(shipped),
        "sls_due_dt": yyyymmdd(shipped + 5),
    }
    cols = {"sls_ord_num": concat("SO", number_text(order + 43_697))}
    cols |= {name: number_text(values[order]) for name, values in per_order.items()}
    del order, per_order

    weights = rng.uniform(0.2, 1.0, len(numbers))
    product = rng.choice(len(numbers), n_lines, p=weights / weights.sum())
    cols["sls_prd_key"] = take_text(numbers, product)
    price = price_of[product]
    del product
    quantity = rng.choice(np.arange(1, 5), n_lines, p=[0.95, 0.03, 0.015, 0.005])
    cols["sls_quantity"] = number_text(quantity)
    sales = quantity * price
    del quantity
    # 1 sales missing, 2 zero, 3 negative, 4 wrong; 5 price missing, 6 negative. Kinds are
    # disjoint, so the other value of a dirty line is always right and can repair it.
    dirt = dirt_kinds(rng, n_lines, [(0.0005, 2)] * 6)
    cols["sls_price"] = blank_where(number_text(np.where(dirt == 6, -price, price)), dirt == 5)
    wrong = np.flatnonzero(dirt == 4)
    sales[wrong] += rng.integers(1, price[wrong] + 1)
    sales[dirt == 3] *= -1
    sales[dirt == 2] = 0
    cols["sls_sales"] = blank_where(number_text(sales), dirt == 1)
    return string_frame({c: cols[c] for c in HEADERS["sales_details.csv"]})


def make_categories() -> pd.DataFrame:
    """ERP ``PX_CAT_G1V2``: the 37 product categories, clean and the same at every scale."""
    return string_frame(
        {h: [row[i] for row in CATEGORIES] for i, h in enumerate(HEADERS["PX_CAT_G1V2.csv"])}
    )
