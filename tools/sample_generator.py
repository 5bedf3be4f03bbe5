"""Deterministic, deliberately dirty sample of the six CRM/ERP source exports.

The warehouse ingests the CSV exports of a bicycle retailer (the well-known "sales data
warehouse" CRM/ERP case). This module fabricates them at any size so that the pipeline can be
run, tested and benchmarked without the real files. The output copies the export format byte
for byte (comma separated, never quoted, UTF-8, CRLF, two files without a final line break) and
every sample, even a tiny one, carries each kind of dirt the Silver layer has to repair.

Tables are pandas DataFrames of strings, an empty string meaning a missing value, exactly as the
field will appear in the file. They are built from numpy arrays and Arrow string kernels, so a
scale of 100 (~6M order lines) never loops over rows in Python. The same ``(scale, seed)`` always
gives byte-identical files: each table draws from its own child stream of
``numpy.random.default_rng(seed)`` and nothing reads the clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SAMPLE_FILES: tuple[tuple[str, str], ...] = (
    ("source_crm", "cust_info.csv"),
    ("source_crm", "prd_info.csv"),
    ("source_crm", "sales_details.csv"),
    ("source_erp", "CUST_AZ12.csv"),
    ("source_erp", "LOC_A101.csv"),
    ("source_erp", "PX_CAT_G1V2.csv"),
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
# The real exports end these two files without a line break after the last row.
NO_FINAL_NEWLINE = frozenset({"prd_info.csv", "LOC_A101.csv"})
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


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


CREATED = _day("2025-10-06")
FIRST_ORDER, LAST_ORDER = _day("2010-12-29"), _day("2014-01-28")


@dataclass(frozen=True)
class SampleSize:
    """Row counts for one scale: distinct customers, product versions and order lines."""

    customers: int
    product_versions: int
    order_lines: int


class WrittenFile(NamedTuple):
    """One file written by :func:`generate`: its path, data rows (no header) and bytes."""

    path: Path
    rows: int
    size: int


def check_scale(scale: float) -> float:
    """Return ``scale`` as a float, or raise ValueError unless it is a finite number > 0."""
    value = float(scale)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"scale must be a finite number greater than 0, got {scale!r}")
    return value


def sample_size(scale: float) -> SampleSize:
    """Row counts for ``scale``; 1 approximates the real export.

    Customers and order lines grow linearly. The product catalogue stays at ~400 versions from
    scale 1 up (a retailer does not sell more bikes because it has more customers) and shrinks
    below it. Floors keep every kind of dirt present even in a tiny sample.
    """
    scale = check_scale(scale)
    return SampleSize(
        customers=max(60, round(18_480 * scale)),
        product_versions=400 if scale >= 1 else max(40, round(400 * scale)),
        order_lines=max(400, round(60_000 * scale)),
    )


def _kinds(
    rng: np.random.Generator,
    n: int,
    spec: Sequence[tuple[float, int]],
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    # Label rows 0 (clean) or k (the k-th kind of dirt in spec, as (share, minimum)). Kinds
    # never overlap and each gets its minimum, so a tiny sample still shows every defect.
    pool = np.arange(n) if eligible is None else np.flatnonzero(eligible)
    counts = [max(minimum, round(share * len(pool))) for share, minimum in spec]
    if sum(counts) > len(pool):
        raise ValueError(f"{len(pool)} rows cannot hold {sum(counts)} dirty ones")
    order = rng.permutation(pool)
    labels = np.zeros(n, dtype=np.int8)
    for kind, (start, count) in enumerate(zip(np.cumsum(counts) - counts, counts, strict=True)):
        labels[order[start : start + count]] = kind + 1
    return labels


# large_string throughout: pandas adopts those buffers as they are, plain string is copied.
_STR = pa.large_string()


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, _STR)


def _join(*parts: pa.Array | str) -> pa.Array:
    args = [_lit(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, _lit(""))


def _choose(labels: np.ndarray, *options: pa.Array | str) -> pa.Array:
    args = [_lit(o) if isinstance(o, str) else o for o in options]
    return pc.choose(pa.array(labels), *args)


def _text(values: Sequence[str], index: np.ndarray) -> pa.Array:
    return pa.array(list(values), _STR).take(pa.array(np.asarray(index, np.int64)))


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, np.int64)), _STR)


def _iso(days: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(days, np.int32)).cast(pa.date32()), _STR)


def _blank(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), _lit(""), values)


def _arrow(series: pd.Series) -> pa.Array:
    return pa.array(series).cast(_STR)


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    return year * 10_000 + month * 100 + (dates - months).astype(np.int64) + 1


def _frame(columns: dict[str, pa.Array | list[str]]) -> pd.DataFrame:
    return pa.table({k: pa.array(v).cast(_STR) for k, v in columns.items()}).to_pandas()


def _dirty_name(rng: np.random.Generator, names: pa.Array, keep: np.ndarray) -> pa.Array:
    kind = _kinds(rng, len(names), [(0.01, 2), (0.01, 2), (0.004, 2)])
    lead = _text(["", " "], np.isin(kind, (1, 3)))
    trail = _text(["", " "], np.isin(kind, (2, 3)))
    padded = _join(lead, names, trail)
    return _blank(padded, _kinds(rng, len(names), [(0.002, 2)], eligible=keep) == 1)


def make_customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """CRM ``cust_info``: ``n`` distinct customers (ids 11000...) plus dirty rows.

    Some ids appear two or three times with older create dates and fields left empty (the
    newest row is the complete one); a few junk rows carry only a key such as ``SF1566``.
    Names may be padded or empty, marital status sometimes and gender often empty.
    """
    copies = 1 + _kinds(rng, n, [(0.004, 3), (0.001, 2)]).astype(np.int64)
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
    old_stamp = _kinds(rng, n, [(0.15, 1)]) == 1
    offset = np.where(rng.random(n) < 0.6, 0, rng.integers(-20, 21, n))
    newest = np.where(
        old_stamp, rng.integers(_day("2010-01-01"), _day("2015-01-01"), n), CREATED + offset
    )
    created = np.repeat(newest, copies) - age * np.repeat(rng.integers(1, 400, n), copies)

    older = np.flatnonzero(age > 0)
    emptied = rng.random((len(older), 4)) < 0.4
    emptied[np.arange(len(older)), rng.integers(0, 4, len(older))] = True
    gone = np.zeros((m, 4), dtype=bool)
    gone[older] = emptied

    fields = [
        _dirty_name(rng, _text(MALE + FEMALE, np.repeat(first, copies)), keep),
        _dirty_name(rng, _text(LAST, np.repeat(rng.integers(0, len(LAST), n), copies)), keep),
        _blank(
            _text(["S", "M"], np.repeat(rng.random(n) < 0.55, copies)),
            _kinds(rng, m, [(0.003, 2)], eligible=keep) == 1,
        ),
        _blank(
            _text(["F", "M"], np.repeat(male, copies)),
            _kinds(rng, m, [(0.25, 3)], eligible=keep) == 1,
        ),
    ]
    fields = [_blank(f, gone[:, j]) for j, f in enumerate(fields)]
    cst_id = _num(row_id)
    real = pa.table(
        [cst_id, _join("AW", pc.utf8_lpad(cst_id, 8, "0")), *fields,
         _iso(created)],
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
    keys = _arrow(current["cst_key"])
    nas = _kinds(rng, n, [(0.5, 2)]) == 1
    cid = pc.if_else(pa.array(nas), _join("NAS", keys), keys)

    birth = rng.integers(_day("1935-01-01"), _day("2002-01-01"), n)
    odd = _kinds(rng, n, [(0.0008, 2), (0.0002, 2), (0.001, 2)])
    birth = np.where(odd == 1, rng.integers(_day("2027-01-01"), _day("2036-01-01"), n), birth)
    birth = np.where(odd == 2, _day("9999-12-31"), birth)
    birth = np.where(odd == 3, rng.integers(_day("1900-01-01"), _day("1924-01-01"), n), birth)

    # ERP gender agrees with the CRM where the CRM knows it.
    crm = current["cst_gndr"]
    male = ((crm == "M") | ((crm == "") & (rng.random(n) < 0.5))).to_numpy()
    full = _text(["Female", "Male"], male)
    style = _kinds(rng, n, [(0.25, 2), (0.03, 2), (0.08, 2), (0.02, 2)])
    blanks = _text([" ", "  "], rng.integers(0, 2, n))
    gen = _choose(style, full, _text(["F", "M"], male), _join(" ", full, " "), "", blanks)
    return _frame({"CID": cid, "BDATE": _iso(birth), "GEN": gen})


def make_loc_a101(rng: np.random.Generator, current: pd.DataFrame) -> pd.DataFrame:
    """ERP ``LOC_A101``: one row per customer, ``CID`` like ``AW-00011000``.

    ``CNTRY`` mixes codes and names (``DE``/``Germany``, ``US``/``USA``/``United States``...);
    some are empty or only spaces.
    """
    n = len(current)
    cid = _join("AW-", pc.utf8_slice_codeunits(_arrow(current["cst_key"]), 2))
    country = _text(COUNTRIES, rng.choice(len(COUNTRIES), n, p=_COUNTRY_P))
    # Every spelling shows up at least twice, then some empty and blank-only values.
    forced = _kinds(rng, n, [(0, 2)] * len(COUNTRIES) + [(0.01, 2), (0.003, 2)])
    blanks = _text([" ", "  "], rng.integers(0, 2, n))
    country = _choose(forced, country, *COUNTRIES, "", blanks)
    return _frame({"CID": cid, "CNTRY": country})


def make_products(rng: np.random.Generator, n_versions: int) -> pd.DataFrame:
    """CRM ``prd_info``: about ``n_versions`` rows, one to three versions per product key.

    ``prd_key`` is the ERP category id (``-`` for ``_``), ``-``, then a product number unique
    across keys. Older versions state a ``prd_end_dt`` that lies before their own start; the
    newest version leaves it empty. Some costs are empty and ``prd_line`` is often padded.
    """
    n_keys = max(20, round(n_versions / 1.36))
    versions = 1 + _kinds(rng, n_keys, [(0.2, 3), (0.08, 1)]).astype(np.int64)
    weights = np.array([_WEIGHT[c[0][:2]] for c in CATEGORIES])
    picked = rng.choice(len(CATEGORIES), n_keys, p=weights / weights.sum())
    orphan = _kinds(rng, n_keys, [(0.015, 3)]) == 1
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
        first = rng.integers(_day("2003-01-01"), _day("2014-01-01") - 700 * (versions[k] - 1))
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
    line = pa.array(cols["prd_line"], _STR)
    cols["prd_line"] = _choose(
        _kinds(rng, len(rows), [(0.45, 3), (0.03, 2)]), line, _join(line, " "), ""
    )
    cols["prd_cost"] = _blank(
        pa.array(cols["prd_cost"], _STR), _kinds(rng, len(rows), [(0.006, 2)]) == 1
    )
    return _frame({c: cols[c] for c in HEADERS["prd_info.csv"]})


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
    order_dt = _yyyymmdd(ordered)
    bad_date = _kinds(rng, n_orders, [(0.0003, 2), (0.0001, 2)])
    order_dt[bad_date == 1] = 0
    order_dt[bad_date == 2] = rng.integers(1_000, 100_000, int((bad_date == 2).sum()))
    per_order = {
        "sls_cust_id": rng.choice(np.asarray(cst_ids, np.int64), n_orders),
        "sls_order_dt": order_dt,
        "sls_ship_dt": _yyyymmdd(shipped),
        "sls_due_dt": _yyyymmdd(shipped + 5),
    }
    cols = {"sls_ord_num": _join("SO", _num(order + 43_697))}
    cols |= {name: _num(values[order]) for name, values in per_order.items()}
    del order, per_order

    weights = rng.uniform(0.2, 1.0, len(numbers))
    product = rng.choice(len(numbers), n_lines, p=weights / weights.sum())
    cols["sls_prd_key"] = _text(numbers, product)
    price = price_of[product]
    del product
    quantity = rng.choice(np.arange(1, 5), n_lines, p=[0.95, 0.03, 0.015, 0.005])
    cols["sls_quantity"] = _num(quantity)
    sales = quantity * price
    del quantity
    # 1 sales missing, 2 zero, 3 negative, 4 wrong; 5 price missing, 6 negative. Kinds are
    # disjoint, so the other value of a dirty line is always right and can repair it.
    dirt = _kinds(rng, n_lines, [(0.0005, 2)] * 6)
    cols["sls_price"] = _blank(_num(np.where(dirt == 6, -price, price)), dirt == 5)
    wrong = np.flatnonzero(dirt == 4)
    sales[wrong] += rng.integers(1, price[wrong] + 1)
    sales[dirt == 3] *= -1
    sales[dirt == 2] = 0
    cols["sls_sales"] = _blank(_num(sales), dirt == 1)
    return _frame({c: cols[c] for c in HEADERS["sales_details.csv"]})


def make_categories() -> pd.DataFrame:
    """ERP ``PX_CAT_G1V2``: the 37 product categories, clean and the same at every scale."""
    return _frame(
        {h: [row[i] for row in CATEGORIES] for i, h in enumerate(HEADERS["PX_CAT_G1V2.csv"])}
    )


def _tables(scale: float, seed: int) -> Iterator[tuple[str, pd.DataFrame]]:
    size = sample_size(scale)
    # One child stream per table, so changing one table never reshuffles the others.
    streams = np.random.default_rng(seed).spawn(5)
    customers = make_customers(streams[0], size.customers)
    yield "cust_info.csv", customers
    current = current_customers(customers)
    del customers
    yield "CUST_AZ12.csv", make_cust_az12(streams[1], current)
    yield "LOC_A101.csv", make_loc_a101(streams[2], current)
    products = make_products(streams[3], size.product_versions)
    yield "prd_info.csv", products
    yield (
        "sales_details.csv",
        make_sales(streams[4], size.order_lines, current["cst_id"].to_numpy(), products),
    )
    yield "PX_CAT_G1V2.csv", make_categories()


def generate_tables(scale: float = 1.0, seed: int = 42) -> dict[str, pd.DataFrame]:
    """All six tables by file name, as the string values that :func:`generate` writes."""
    return dict(_tables(scale, seed))


def write_table(frame: pd.DataFrame, path: Path | str, *, final_newline: bool = True) -> int:
    """Write ``frame`` in the export format (no quoting, CRLF); return the file size in bytes.

    Raises ``pyarrow.ArrowInvalid`` if a value holds a comma, quote or line break, since an
    unquoted file could not carry it.
    """
    path = Path(path)
    with path.open("wb") as handle:
        handle.write((",".join(frame.columns) + "\r\n").encode())
        options = pacsv.WriteOptions(include_header=False, eol="\r\n", quoting_style="none")
        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), handle, options)
        handle.flush()
        size = handle.seek(0, 2)
        if not final_newline:
            size = handle.truncate(size - 2)
    return size


def generate(out_dir: Path | str, scale: float = 1.0, seed: int = 42) -> list[WrittenFile]:
    """Write the six sample files under ``out_dir/source_crm`` and ``out_dir/source_erp``.

    Tables are written one at a time and released, keeping memory near the largest table.
    """
    folders = {name: folder for folder, name in SAMPLE_FILES}
    written = []
    for name, frame in _tables(scale, seed):
        path = Path(out_dir) / folders[name] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        size = write_table(frame, path, final_newline=name not in NO_FINAL_NEWLINE)
        written.append(WrittenFile(path, len(frame), size))
        del frame  # release the table before the next one is built
    order = [name for _, name in SAMPLE_FILES]
    return sorted(written, key=lambda f: order.index(f.path.name))
