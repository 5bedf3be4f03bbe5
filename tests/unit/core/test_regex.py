"""Contract patterns run on RE2 (through pyarrow): linear time whatever the pattern and data."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from warehouse.core.regex import full_match, regex_problem
from warehouse.silver.context import RULE_ID, SOURCE_ROW, Context, rejected_rows
from warehouse.silver.operations import op_reject_when

# Python's re takes exponential time on these with a nested quantifier: each is a run of word
# characters that ends in one that is not.
NEAR_MISSES = ["José Müller-Lüdenscheidt Ångström Ærø!" * 3, "é" * 40 + "!"]
CATASTROPHIC = r"(\w+)+$"


def test_a_catastrophic_pattern_on_accented_names_takes_milliseconds():
    values = pd.Series(NEAR_MISSES * 1000 + [None], dtype="str")
    started = time.monotonic()
    matched = full_match(values, CATASTROPHIC)
    assert time.monotonic() - started < 5
    assert not matched.any()  # missing values give False too


def test_full_match_anchors_the_whole_pattern_and_reads_unicode():
    values = pd.Series(["AW00011000", "xAW00011000", "abc", "Müller", None], dtype="str")
    assert full_match(values, r"AW\d{8}").tolist() == [True, False, False, False, False]
    assert full_match(values, "a|abc").tolist() == [False, False, True, False, False]
    assert full_match(values, r"\p{L}+").tolist() == [False, False, True, True, False]
    assert full_match(values, r"M.ller").tolist() == [False, False, False, True, False]


def test_full_match_reads_non_text_columns_as_text():
    assert full_match(pd.Series([1, None, 22], dtype="Int64"), r"\d").tolist() == [
        True,
        False,
        False,
    ]
    assert full_match(pd.Series([], dtype="str"), "x").tolist() == []


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [(r"(?=x)", "invalid perl operator"), ("(a", "missing )"), (r"\Z", "invalid escape")],
)
def test_a_pattern_re2_cannot_compile_has_a_reason(pattern, problem):
    assert problem in regex_problem(pattern)


def test_patterns_of_every_shipped_kind_compile():
    for pattern in (r"AW\d{8}", r"\d{4}-\d{2}|unknown", "[A-Z]{2}_[A-Z]{2}", r"SO\d+", r"\p{L}"):
        assert regex_problem(pattern) is None


def test_reject_when_not_matching_runs_on_re2_and_keeps_the_frame_index():
    index = [10, 11, 12, 13]  # an earlier step rejected rows: the index is not 0..n
    names = pd.Series(["Ann", NEAR_MISSES[1], None, "Bob"], dtype="str", index=index)
    frame = pd.DataFrame({"name": names, SOURCE_ROW: pd.Series([1, 2, 3, 4], index=index)})
    ctx = Context(table="t", ingestion_date=None, rule_id="plain_name")
    step = {"columns": ["name"], "condition": "not_matching", "pattern": r"(\w+)+"}
    started = time.monotonic()
    out = op_reject_when(frame, step, ctx)
    assert time.monotonic() - started < 5
    assert out[SOURCE_ROW].tolist() == [1, 3, 4]  # a missing value is not "not matching"
    rejected = rejected_rows(ctx)
    assert rejected[SOURCE_ROW].tolist() == [2] and rejected[RULE_ID].tolist() == ["plain_name"]
