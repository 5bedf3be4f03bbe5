"""Profiles of Bronze tables: what each column holds, computed column-wise with pandas/Arrow.

A profile is the evidence a contract is drafted from (by the heuristics in
``warehouse.agents.heuristic`` or by a model) and what a data engineer reads before writing one.
Per column: inferred type and the share of values that fit each type, null and blank shares,
distinct counts, min/max, top values, value patterns (``AW00011000`` -> ``AA99999999``),
leading/trailing spaces, date formats (ISO dates, ``yyyymmdd`` integers), code-like columns,
columns that look personal; per table: candidate keys.

Value statistics are over values trimmed of surrounding white space, blanks excluded. Patterns
are computed on an evenly spaced sample of at most :data:`PATTERN_SAMPLE_ROWS` rows (the profile
says so); everything else uses every row. Profiles never hold raw rows, and
:func:`for_model` masks the values of personal columns before a profile is sent to a model.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.core.io import read_yaml, utc_now
from warehouse.silver.context import SOURCE_ROW
from warehouse.silver.engine import prepare
from warehouse.silver.operations import cast_expression, range_note
from warehouse.silver.reader import read_bronze_csv

PROFILE_VERSION = 1
PATTERN_SAMPLE_ROWS = 100_000
TOP_VALUES = 10
ALL_VALUES_UP_TO = 20  # columns with at most this many distinct values list all of them
TOP_PATTERNS = 5
MAX_PATTERN_LENGTH = 40
CODE_MAX_DISTINCT = 12
CODE_MAX_LENGTH = 3
KEY_MIN_DISTINCT_SHARE = 0.95  # a near-unique id column: a key with duplicates to dedupe
DATE_MIN_SHARE = 0.9  # share of present values that must parse for a column to be date-like
MAX_KEY_PAIR_COLUMNS = 6
MASKED = "<masked: personal data>"

# Unambiguous formats first; d/m/Y and m/d/Y only count when the other one does not fit.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y")
YYYYMMDD = "%Y%m%d"

ID_NAME = re.compile(r"(^|_)(id|key|cid|code|no|nr|num|number)$|^id_|_id_")
# Names, e-mail, phone, birth dates and addresses: their values never go to a model.
PERSONAL_NAME = re.compile(
    r"(first|last|middle|full|given|family|sur|maiden|person|contact)_?name|^name$|e_?mail"
    r"|phone|mobile|^tel|_tel$|fax|birth|bdate|^dob$|address|street|postcode|zip_?code"
)
PERSONAL_KINDS = (
    ("mail", "email"), ("phone", "phone"), ("mobile", "phone"), ("tel", "phone"),
    ("fax", "phone"), ("birth", "birth_date"), ("bdate", "birth_date"), ("dob", "birth_date"),
    ("address", "address"), ("street", "address"), ("post", "address"), ("zip", "address"),
)  # fmt: skip
EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
PHONE = r"\+?[\d ()./-]{7,20}"


def _rule(text: pd.Series, expression: str) -> pd.Series:
    """The Silver value rule ``expression`` (SQL over ``x``, the macros of silver/macros.sql)
    evaluated on each of ``text``'s values: the profile judges values by the very rules the
    cleaning applies."""
    with duckdb.connect() as con:
        prepare(con)
        values = pa.table({"x": pa.array(text, type=pa.large_string(), from_pandas=True)})
        con.register("profiled", values)
        result = con.sql(f"SELECT {expression} AS v FROM profiled").to_arrow_table()
    return pd.Series(result.column("v").to_pandas().array, index=text.index)


def parse_dates(text: pd.Series, fmt: str) -> tuple[None, pd.Series]:
    """(None, which values are dates in format ``fmt``), as the parse_date step decides."""
    return None, _rule(text, f"as_date(x, '{fmt}') IS NOT NULL").astype(bool)


def cast_series(text: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(the values cast to ``kind``, which present values do not cast), as a cast step does."""
    values = _rule(text, cast_expression("x", kind))
    return values, (text.notna() & values.isna()).astype(bool)


def out_of_range(text: pd.Series, kind: str) -> pd.Series:
    """Which values are numbers of type ``kind`` beyond its range (``int``, ``float``)."""
    return _rule(text, f"{range_note('x', kind)} <> ''").astype(bool)


def value_patterns(values: pd.Series) -> pd.Series:
    """The shape of each value: upper-case letters -> ``A``, lower-case -> ``a``, digits -> ``9``
    (``AW-00011000`` -> ``AA-99999999``); other characters stay. Index and missing kept."""
    present = values.dropna()
    arr = pa.array(present.astype(object), type=pa.string())
    for pattern, replacement in ((r"\p{Lu}", "A"), (r"\p{Ll}", "a"), (r"\d", "9")):
        arr = pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)
    shaped = pd.Series(arr.to_pylist(), index=present.index, dtype="str")
    return shaped.reindex(values.index)


def _counts(values: pd.Series, limit: int) -> list[dict]:
    counts = values.value_counts(dropna=True, sort=True)
    # value_counts orders ties arbitrarily: sort by count, then value, for stable profiles.
    frame = counts.rename_axis("value").reset_index(name="count")
    frame = frame.sort_values(["count", "value"], ascending=[False, True], kind="stable")
    return [
        {"value": str(v), "count": int(c)}
        for v, c in zip(frame["value"], frame["count"], strict=True)
    ][:limit]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _date_format(text: pd.Series) -> tuple[str | None, float]:
    """The date format most present values parse with (share >= DATE_MIN_SHARE), and its share."""
    # Only columns made mostly of digits can be dates: skip the parses for the others.
    if text.empty or text.str.contains(r"\d").mean() < DATE_MIN_SHARE:
        return None, 0.0
    shares = {}
    for fmt in DATE_FORMATS:
        _, ok = parse_dates(text, fmt)
        shares[fmt] = float(ok.mean())
    best = max(shares, key=lambda f: shares[f])
    if shares[best] < DATE_MIN_SHARE:
        return None, round(shares[best], 4)
    ambiguous = {"%d/%m/%Y", "%m/%d/%Y"}
    if best in ambiguous and min(shares[f] for f in ambiguous) >= DATE_MIN_SHARE:
        return None, round(shares[best], 4)  # every day <= 12: cannot tell d/m from m/d
    return best, round(shares[best], 4)


def _yyyymmdd_share(text: pd.Series) -> float:
    eight = text.where(text.str.fullmatch(r"\d{8}").fillna(False).astype(bool))
    _, ok = parse_dates(eight, YYYYMMDD)
    return round(float(ok.mean()), 4) if len(text) else 0.0


def _out_of_range(text: pd.Series) -> dict[str, int]:
    """How many values are written as integers beyond int64 and as numbers beyond float64:
    why a column of numbers is not typed int (or float)."""
    counts = text.value_counts()  # each distinct value once: the checks are regexes
    distinct = pd.Series(counts.index, dtype="str")
    return {
        kind: int(counts.to_numpy()[out_of_range(distinct, kind).to_numpy()].sum())
        for kind in ("int", "float")
    }


def _min_max(text: pd.Series, kind: str) -> tuple[object, object]:
    if text.empty:
        return None, None
    if kind in ("int", "float"):
        numbers, _ = cast_series(text, kind)
        low, high = numbers.min(), numbers.max()
        if kind == "int":
            return int(low), int(high)
        return float(low), float(high)
    return str(text.min()), str(text.max())


def personal_kind(name: str, text: pd.Series, date_like: bool = False) -> str | None:
    """``name``, ``email``, ``phone``, ``birth_date`` or ``address`` when a column looks
    personal (by its name or its values), else None. ``date_like``: the values are dates, which
    look like phone numbers but are not."""
    match = PERSONAL_NAME.search(name)
    if match:
        word = match.group(0)
        for hint, kind in PERSONAL_KINDS:
            if hint in word:
                return kind
        return "name"
    if text.empty or date_like:
        return None
    if text.str.fullmatch(EMAIL).mean() >= 0.5:
        return "email"
    # A phone number has separators or a leading +: plain digit runs are ids and dates.
    looks_phone = text.str.fullmatch(PHONE) & text.str.contains(r"[ ()./+-]", regex=True)
    if looks_phone.mean() >= 0.5 and text.str.count(r"\d").median() >= 7:
        return "phone"
    return None


def column_profile(
    name: str, values: pd.Series, position: int, sample_step: int
) -> tuple[dict, pd.Series]:
    """The profile of one column of text values (missing = empty field); also returns its trimmed,
    present values for table-level checks."""
    rows = len(values)
    nulls = int(values.isna().sum())
    stripped = values.str.strip()
    blank = stripped.eq("") & values.notna()
    text = stripped[values.notna() & ~blank]
    present = len(text)
    kept = values[values.notna() & ~blank]
    leading = int(kept.str.match(r"\s").sum())
    trailing = int(kept.str.contains(r"\s$", regex=True).sum())

    # Integers beyond int64 count as neither int nor float: as floats they would be rounded (an
    # id would change), so a column of them is typed string and keeps them exactly.
    out_of_range = _out_of_range(text)
    type_shares = {}
    for kind in ("int", "float", "date"):
        _, bad = cast_series(text, kind)
        fits = present - int(bad.sum()) - (out_of_range["int"] if kind == "float" else 0)
        type_shares[kind] = _share(fits, present)
    inferred = next((k for k in ("int", "float", "date") if type_shares[k] == 1.0), "string")
    if not present:
        inferred = "string"
    date_format, date_share = _date_format(text) if inferred != "int" else (None, 0.0)
    yyyymmdd_share = _yyyymmdd_share(text) if type_shares["int"] >= DATE_MIN_SHARE else 0.0
    date_like_integer = yyyymmdd_share >= DATE_MIN_SHARE
    if date_like_integer:
        date_format, date_share = YYYYMMDD, yyyymmdd_share

    distinct = int(text.nunique())
    lengths = text.str.len()
    low, high = _min_max(text, inferred if inferred in ("int", "float") else "string")
    patterns = value_patterns(text.iloc[::sample_step])
    short_codes = (
        0 < distinct <= CODE_MAX_DISTINCT
        and present > distinct
        and int(lengths.max()) <= CODE_MAX_LENGTH
        and bool(text.str.fullmatch(r"[A-Za-z]+").all())
        and bool(text.str.isupper().all())
    )
    profile = {
        "name": name,
        "position": position,
        "inferred_type": inferred,
        "type_shares": type_shares,
        "out_of_range": out_of_range,
        "date_format": date_format,
        "date_share": date_share,
        "date_like_integer": date_like_integer,
        "rows": rows,
        "nulls": nulls,
        "null_share": _share(nulls, rows),
        "blanks": int(blank.sum()),
        "blank_share": _share(int(blank.sum()), rows),
        "present": present,
        "distinct": distinct,
        "distinct_share": _share(distinct, present),
        "min": low,
        "max": high,
        "min_length": int(lengths.min()) if present else None,
        "max_length": int(lengths.max()) if present else None,
        "leading_spaces": leading,
        "trailing_spaces": trailing,
        "top_values": _counts(
            text, ALL_VALUES_UP_TO if distinct <= ALL_VALUES_UP_TO else TOP_VALUES
        ),
        "all_values_listed": distinct <= ALL_VALUES_UP_TO,
        "patterns_from_values": int(patterns.notna().sum()),
        "patterns": [
            {"pattern": _clip(p["value"]), "count": p["count"]}
            for p in _counts(patterns, TOP_PATTERNS)
        ],
        "code_like": short_codes,
        "id_like_name": bool(ID_NAME.search(name)),
        "personal": personal_kind(name, text, date_like=date_format is not None),
    }
    return profile, text


def _clip(pattern: str) -> str:
    return pattern if len(pattern) <= MAX_PATTERN_LENGTH else pattern[:MAX_PATTERN_LENGTH] + "…"


def candidate_keys(columns: list[dict], trimmed: dict[str, pd.Series], rows: int) -> list[dict]:
    """Columns (or pairs of id-like columns) that identify rows: unique ones, and near-unique
    id-like ones (duplicates to dedupe, missing values to reject). Best candidate first."""
    found = []
    for col in columns:
        if not col["present"]:
            continue
        duplicates = col["present"] - col["distinct"]
        unique = duplicates == 0
        near = col["id_like_name"] and col["distinct_share"] >= KEY_MIN_DISTINCT_SHARE
        # A unique date or measure is a coincidence of small tables, not an identifier.
        identifier = col["id_like_name"] or (
            col["inferred_type"] in ("int", "string") and not col["date_format"]
        )
        complete = col["nulls"] + col["blanks"] == 0
        if (identifier and unique and complete and col["distinct"] > 1) or near:
            found.append(
                {
                    "columns": [col["name"]],
                    "unique": unique,
                    "duplicates": duplicates,
                    "missing": col["nulls"] + col["blanks"],
                    "id_like_name": col["id_like_name"],
                }
            )
    if not any(k["unique"] for k in found):
        ids = [c["name"] for c in columns if c["id_like_name"] and c["present"] == rows]
        ids = ids[:MAX_KEY_PAIR_COLUMNS]
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                pair = pd.DataFrame({"a": trimmed[first], "b": trimmed[second]})
                if not pair.duplicated().any():
                    found.append(
                        {
                            "columns": [first, second],
                            "unique": True,
                            "duplicates": 0,
                            "missing": 0,
                            "id_like_name": True,
                        }
                    )
    position = {c["name"]: c["position"] for c in columns}
    type_of = {c["name"]: c["inferred_type"] for c in columns}
    return sorted(
        found,
        key=lambda k: (
            not k["id_like_name"],
            len(k["columns"]),
            type_of[k["columns"][0]] != "int",
            k["missing"] > 0,
            position[k["columns"][0]],
        ),
    )


def profile_rows(rows: pd.DataFrame, malformed_lines: int = 0) -> dict:
    """The profile of a table read by ``warehouse.silver.reader.read_bronze_csv`` (all text)."""
    data = rows.drop(columns=[SOURCE_ROW], errors="ignore")
    n = len(data)
    step = max(1, math.ceil(n / PATTERN_SAMPLE_ROWS))
    columns, trimmed = [], {}
    for position, name in enumerate(data.columns, start=1):
        values = data[name].astype("str") if data[name].dtype != "str" else data[name]
        profile, text = column_profile(name, values, position, step)
        columns.append(profile)
        trimmed[name] = text.reindex(data.index)
    return {
        "profile_version": PROFILE_VERSION,
        "rows": n,
        "malformed_lines": malformed_lines,
        "sampling": {
            "patterns_from_rows": len(range(0, n, step)),
            "method": (
                "patterns from every row"
                if step == 1
                else f"patterns from one row in {step}; all other statistics from every row"
            ),
        },
        "columns": columns,
        "candidate_keys": candidate_keys(columns, trimmed, n),
        "personal_columns": [c["name"] for c in columns if c["personal"]],
    }


def profile_bronze_file(
    bronze_path: str | Path, bronze_meta_path: str | Path, *, table: str, run_id: str
) -> dict:
    """The profile document of one Bronze table of a run, read from its Bronze copy and that
    copy's metadata: what it is (table, run, source file, SHA-256), then :func:`profile_rows`."""
    bronze_meta = read_yaml(bronze_meta_path)
    rows, malformed = read_bronze_csv(
        Path(bronze_path), bronze_meta["encoding"], bronze_meta["delimiter"]
    )
    return {
        "table": table,
        "run_id": run_id,
        "source": bronze_meta["source"],
        "file": bronze_meta["file"],
        "bronze_path": str(bronze_path),
        "bronze_sha256": bronze_meta["sha256"],
        "created_at": utc_now(),
        **profile_rows(rows, len(malformed)),
    }


def for_model(profile: dict) -> dict:
    """A copy of ``profile`` fit to send to a model: values of personal columns are masked
    (top values, min, max); counts, shares and patterns stay."""
    masked = dict(profile)
    masked["columns"] = []
    for column in profile["columns"]:
        column = dict(column)
        if column.get("personal"):
            column["top_values"] = MASKED
            column["min"] = MASKED
            column["max"] = MASKED
        masked["columns"].append(column)
    return masked
