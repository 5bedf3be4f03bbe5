"""Contract patterns run on RE2 (through pyarrow): linear time whatever the pattern and data."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from warehouse.core.regex import regex_problem
from warehouse.silver.context import SOURCE_ROW, Context
from warehouse.silver.engine import REJECTED, Cleaning

# Python's re takes exponential time on these with a nested quantifier: each is a run of word
# characters that ends in one that is not.
NEAR_MISSES = ["José Müller-Lüdenscheidt Ångström Ærø!" * 3, "é" * 40 + "!"]
CATASTROPHIC = r"(\w+)+$"


def full_match(values: pd.Series, pattern: str) -> list[bool]:
    """Whether each value matches ``pattern`` as a whole, as the steps and checks decide it
    (DuckDB's regexp_full_match, RE2); missing values give False."""
    text = pa.table({"v": pa.array(values.astype("str"), pa.large_string(), from_pandas=True)})
    with duckdb.connect() as con:
        con.register("t", text)
        rows = con.execute(
            "SELECT coalesce(regexp_full_match(v, ?), false) FROM t", [pattern]
        ).fetchall()
    return [bool(r[0]) for r in rows]


def test_a_catastrophic_pattern_on_accented_names_takes_milliseconds():
    values = pd.Series(NEAR_MISSES * 1000 + [None], dtype="str")
    started = time.monotonic()
    matched = full_match(values, CATASTROPHIC)
    assert time.monotonic() - started < 5
    assert not any(matched)  # missing values give False too


def test_full_match_anchors_the_whole_pattern_and_reads_unicode():
    values = pd.Series(["AW00011000", "xAW00011000", "abc", "Müller", None], dtype="str")
    assert full_match(values, r"AW\d{8}") == [True, False, False, False, False]
    assert full_match(values, "a|abc") == [False, False, True, False, False]
    assert full_match(values, r"\p{L}+") == [False, False, True, True, False]
    assert full_match(values, r"M.ller") == [False, False, False, True, False]


def test_full_match_reads_non_text_columns_as_text():
    assert full_match(pd.Series([1, None, 22], dtype="Int64"), r"\d") == [
        True,
        False,
        False,
    ]
    assert full_match(pd.Series([], dtype="str"), "x") == []


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [(r"(?=x)", "invalid perl operator"), ("(a", "missing )"), (r"\Z", "invalid escape")],
)
def test_a_pattern_re2_cannot_compile_has_a_reason(pattern, problem):
    assert problem in regex_problem(pattern)


def test_patterns_of_every_shipped_kind_compile():
    for pattern in (r"AW\d{8}", r"\d{4}-\d{2}|unknown", "[A-Z]{2}_[A-Z]{2}", r"SO\d+", r"\p{L}"):
        assert regex_problem(pattern) is None


def test_reject_when_not_matching_runs_on_re2_after_rows_were_rejected():
    # An earlier step rejected a row: the rows the pattern sees are not 1..n.
    names = ["Ann", "gone", NEAR_MISSES[1], None, "Bob"]
    keep = ["y", "n", "y", "y", "y"]
    con = duckdb.connect()
    rows = pa.table({"name": names, "keep": keep, SOURCE_ROW: pa.array(range(1, 6), pa.int64())})
    con.register("rows", rows)
    cleaning = Cleaning(
        con, Context(table="t", ingestion_date=dt.date(2026, 11, 26)), "rows",
        {"name": "VARCHAR", "keep": "VARCHAR"},
    )  # fmt: skip
    steps = [
        {"op": "reject_when", "id": "dropped", "columns": ["keep"], "condition": "not_in",
         "values": ["y"]},
        {"op": "reject_when", "id": "plain_name", "columns": ["name"],
         "condition": "not_matching", "pattern": r"(\w+)+"},
    ]  # fmt: skip
    started = time.monotonic()
    stats = cleaning.apply_steps(steps)
    assert time.monotonic() - started < 5
    kept = con.execute(f"SELECT {SOURCE_ROW} FROM {cleaning.relation} ORDER BY 1").fetchall()
    assert [r for (r,) in kept] == [1, 4, 5]  # a missing value is not "not matching"
    rejected = con.execute(f"SELECT _source_row, _rule_id FROM {REJECTED} ORDER BY 1").fetchall()
    assert rejected == [(2, "dropped"), (3, "plain_name")]
    assert [s["rejected"] for s in stats] == [1, 1]
