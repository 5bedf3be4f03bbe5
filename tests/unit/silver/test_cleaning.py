"""Every standard cleaning operation on a few rows, with the dirty values of real exports."""

import datetime as dt

import pytest
from harness import cleaning, frame_of, rejected, run, values

from warehouse.core.errors import PipelineError
from warehouse.silver.cleaner import conform, generic_clean, infer_types
from warehouse.silver.context import REASON, RULE_ID, SOURCE_ROW


def frame(**columns):
    """Text columns (None = missing), as ``harness.run`` takes them (source rows 1..n)."""
    return columns


def infer_type(raw: list) -> str:
    """The type generic cleaning infers for a column of these text values."""
    return infer_types(cleaning({"a": raw}))["a"]


def test_trim_strips_and_makes_blanks_missing():
    out, stats, _ = run(frame(a=[" Jon ", "   ", None, "x"]), {"op": "trim", "columns": ["a"]})
    assert values(out["a"]) == ["Jon", None, None, "x"]
    assert stats[0] == {"id": "trim_a", "op": "trim", "columns": ["a"], "changed": 2, "rejected": 0}


def test_case_upper_lower_title():
    df = frame(a=["m", None, "Ab"])
    assert values(run(df, {"op": "case", "columns": ["a"], "to": "upper"})[0]["a"]) == [
        "M",
        None,
        "AB",
    ]
    assert values(run(df, {"op": "case", "columns": ["a"], "to": "lower"})[0]["a"]) == [
        "m",
        None,
        "ab",
    ]
    assert values(run(df, {"op": "case", "columns": ["a"], "to": "title"})[0]["a"]) == [
        "M",
        None,
        "Ab",
    ]


def test_null_tokens_exact_and_ignoring_case():
    df = frame(a=["NULL", "null", "n/a ", "ok"])
    out, *_ = run(df, {"op": "null_tokens", "columns": ["a"], "tokens": ["NULL"]})
    assert values(out["a"]) == [None, "null", "n/a ", "ok"]
    out, *_ = run(
        df, {"op": "null_tokens", "columns": ["a"], "tokens": ["null", "N/A"], "ignore_case": True}
    )
    assert values(out["a"]) == [None, None, None, "ok"]


def test_map_values_with_default_and_missing():
    df = frame(g=["F", "M", "X", None])
    step = {
        "op": "map_values",
        "column": "g",
        "mapping": {"F": "Female", "M": "Male"},
        "default": "n/a",
        "missing": "n/a",
    }
    out, stats, _ = run(df, step)
    assert values(out["g"]) == ["Female", "Male", "n/a", "n/a"]
    assert stats[0]["changed"] == 4


def test_map_values_without_default_keeps_unmapped_values():
    df = frame(c=["DE", "USA", "Australia", None])
    step = {"op": "map_values", "column": "c", "mapping": {"DE": "Germany", "USA": "United States"}}
    assert values(run(df, step)[0]["c"]) == ["Germany", "United States", "Australia", None]


def test_map_values_empty_mapping_fills_missing_only():
    out, *_ = run(
        frame(c=["12", None]), {"op": "map_values", "column": "c", "mapping": {}, "missing": "0"}
    )
    assert values(out["c"]) == ["12", "0"]


@pytest.mark.parametrize(
    ("to", "raw", "expected"),
    [
        ("int", ["1", "-2", "+3", None], [1, -2, 3, None]),
        ("float", ["1.5", "-2", ".5", "1e3"], [1.5, -2.0, 0.5, 1000.0]),
        ("decimal", ["0", "12.25", None, "7"], [0.0, 12.25, None, 7.0]),
        ("bool", ["Yes", "n", "TRUE", "0"], [True, False, True, False]),
        (
            "date",
            ["2024-02-29", None, "1999-12-31", "2000-01-01"],
            [dt.date(2024, 2, 29), None, dt.date(1999, 12, 31), dt.date(2000, 1, 1)],
        ),
        ("string", ["a", None, "b", "c"], ["a", None, "b", "c"]),
    ],
)
def test_cast_to_every_type(to, raw, expected):
    out, stats, rejected = run(frame(v=raw), {"op": "cast", "column": "v", "to": to})
    assert values(out["v"]) == expected
    assert rejected.empty


def test_cast_rejects_uncastable_values_with_a_reason_naming_the_column():
    out, stats, rejected = run(
        frame(q=["1", "abc", "2.5", None]), {"op": "cast", "column": "q", "to": "int"}
    )
    assert values(out["q"]) == [1, None]
    assert list(rejected[SOURCE_ROW]) == [2, 3]
    assert list(rejected[RULE_ID]) == ["cast_q", "cast_q"]
    assert rejected[REASON].iloc[0] == "q: 'abc' is not a valid int"
    assert stats[0]["rejected"] == 2


def test_cast_on_error_null_keeps_the_row():
    out, _, rejected = run(
        frame(p=["10", "-", "0"]),
        {"op": "cast", "column": "p", "to": "decimal", "on_error": "null"},
    )
    assert values(out["p"]) == [10.0, None, 0.0]
    assert rejected.empty


def test_cast_on_error_fail_names_table_column_rule_and_row():
    with pytest.raises(PipelineError) as info:
        run(
            frame(q=["1", "x1"]),
            {"op": "cast", "id": "qty", "column": "q", "to": "int", "on_error": "fail"},
        )
    message = str(info.value)
    assert message.startswith("t.q (rule qty): value 'x1' at source row 2 is not a valid int")


def test_parse_yyyymmdd_integer_dates_zero_and_wrong_length_become_missing():
    df = frame(d=["20101229", "0", "5489", "201012290", "20230230", None, " 20140128 "])
    step = {
        "op": "parse_date",
        "column": "d",
        "format": "%Y%m%d",
        "exact_length": 8,
        "on_error": "null",
    }
    out, stats, rejected = run(df, step)
    assert values(out["d"]) == [
        dt.date(2010, 12, 29),
        None,
        None,
        None,
        None,
        None,
        dt.date(2014, 1, 28),
    ]
    assert rejected.empty
    assert stats[0]["changed"] == 4  # 0, 5489, 201012290 and the impossible 20230230


def test_parse_date_can_reject_and_handles_year_9999():
    df = frame(d=["9999-12-31", "31/12/2020", "1915-02-29"])
    out, _, rejected = run(
        df, {"op": "parse_date", "column": "d", "format": "%Y-%m-%d", "on_error": "reject"}
    )
    assert values(out["d"]) == [dt.date(9999, 12, 31)]
    assert list(rejected[SOURCE_ROW]) == [2, 3]  # 1915 was not a leap year
    assert "is not a valid date in format %Y-%m-%d" in rejected[REASON].iloc[0]


def test_dedupe_latest_keeps_newest_row_and_names_it_in_the_reason():
    df = frame(
        id=["1", "1", "2", "1", None],
        created=["2020-01-01", "2025-10-06", "2024-01-01", None, "2021-01-01"],
    )
    steps = [
        {"op": "parse_date", "column": "created", "format": "%Y-%m-%d"},
        {
            "op": "dedupe",
            "id": "superseded_duplicate",
            "key": ["id"],
            "keep": "latest",
            "order_by": "created",
        },
    ]
    out, stats, rejected = run(df, *steps)
    assert sorted(out[SOURCE_ROW]) == [2, 3, 5]  # the missing key is left for reject_when
    assert sorted(rejected[SOURCE_ROW]) == [1, 4]  # a missing date counts as oldest
    assert set(rejected[RULE_ID]) == {"superseded_duplicate"}
    assert (
        rejected[REASON]
        .iloc[0]
        .startswith("superseded duplicate of id: the row at source row 2 is kept (latest created)")
    )
    assert stats[1]["rejected"] == 2


def test_dedupe_first_keeps_file_order():
    out, _, rejected = run(
        frame(k=["a", "b", "a"]), {"op": "dedupe", "key": ["k"], "keep": "first"}
    )
    assert list(out[SOURCE_ROW]) == [1, 2]
    assert list(rejected[SOURCE_ROW]) == [3]


def test_reject_when_missing_not_in_and_not_matching():
    df = frame(id=["1", None, "3", "4"], code=["A", "B", "Z", "A"])
    out, stats, rejected = run(
        df,
        {
            "op": "reject_when",
            "id": "missing_key",
            "columns": ["id"],
            "condition": "missing",
            "reason": "missing key",
        },
        {"op": "reject_when", "columns": ["code"], "condition": "not_in", "values": ["A", "B"]},
        {"op": "reject_when", "columns": ["id"], "condition": "not_matching", "pattern": "[13]"},
    )
    assert list(out[SOURCE_ROW]) == [1]
    assert dict(zip(rejected[SOURCE_ROW], rejected[RULE_ID], strict=True)) == {
        2: "missing_key",
        3: "reject_when_code",
        4: "reject_when_id",
    }
    assert rejected[REASON].iloc[0] == "missing key"
    assert [s["rejected"] for s in stats] == [1, 1, 1]


def test_unknown_column_in_a_step_names_table_column_and_rule():
    with pytest.raises(
        PipelineError,
        match=r"t\.cst_idx \(rule trim_cst_idx\): the step names "
        r"column 'cst_idx'.*columns: a\)",
    ):
        run(frame(a=["1"]), {"op": "trim", "columns": ["cst_idx"]})


def test_unknown_function_is_refused():
    with pytest.raises(PipelineError, match="unknown function 'nope'"):
        run(frame(a=["1"]), {"op": "function", "name": "nope"})


def test_conform_orders_columns_types_them_and_rejects_untypable_values():
    clean = cleaning(frame(b=["x", "y", "z"], a=["1", "two", "3"]))
    count = conform(clean, [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}])
    out = frame_of(clean.con, clean.relation)
    assert list(out.columns) == ["a", "b", SOURCE_ROW]
    assert str(out["a"].dtype) == "Int64"
    quarantined = rejected(clean)
    assert list(quarantined[RULE_ID]) == ["type_a"]
    assert list(quarantined[SOURCE_ROW]) == [2]
    assert count == 1


def test_changes_treat_two_missing_values_as_equal():
    # A step that leaves missing values missing changes only the value it rewrites.
    step = {"op": "map_values", "column": "a", "mapping": {"c": "C"}}
    out, stats, _ = run(frame(a=["a", None, "c"]), step)
    assert values(out["a"]) == ["a", None, "C"]
    assert stats[0]["changed"] == 1
    # ... and a step that changes nothing reports no change, missing values included.
    _, stats, _ = run(frame(a=[None, None, "x"]), {"op": "trim", "columns": ["a"]})
    assert stats[0]["changed"] == 0


# ---- numbers at their limits -----------------------------------------------------------------

INT64_MAX, INT64_MIN = "9223372036854775807", "-9223372036854775808"


def test_int_cast_keeps_int64_limits_signs_and_spaces_exactly():
    raw = [INT64_MAX, INT64_MIN, " +5 ", "-0", "007", None]
    out, _, rejected = run(frame(v=raw), {"op": "cast", "column": "v", "to": "int"})
    assert values(out["v"]) == [2**63 - 1, -(2**63), 5, 0, 7, None]
    assert rejected.empty


def test_int_cast_quarantines_integers_beyond_int64_with_the_reason():
    raw = ["1", "99999999999999999999", "9223372036854775808", "-9223372036854775809"]
    out, _, rejected = run(
        frame(v=raw), {"op": "cast", "id": "v_is_int", "column": "v", "to": "int"}
    )
    assert values(out["v"]) == [1]
    assert list(rejected[SOURCE_ROW]) == [2, 3, 4]
    assert list(rejected[RULE_ID]) == ["v_is_int"] * 3
    assert rejected[REASON].iloc[0] == (
        "v: '99999999999999999999' is not a valid int (outside the 64-bit integer range "
        "-9223372036854775808 to 9223372036854775807)"
    )


@pytest.mark.parametrize("text", ["+-5", "5-", "1 000", "1_000", "١٢٣", "１２３", "0x1F", "1.0"])
def test_int_cast_refuses_signs_spaces_and_digits_of_other_scripts(text):
    out, _, rejected = run(frame(v=[text]), {"op": "cast", "column": "v", "to": "int"})
    assert out.empty
    assert rejected[REASON].iloc[0] == f"v: '{text}' is not a valid int"


def test_decimal_cast_quarantines_numbers_beyond_float64_and_keeps_the_others():
    raw = ["1e400", "-1E400", "1e-400", "1e308", "-0", "+.5", "5.", "1e-320", None]
    out, _, rejected = run(frame(v=raw), {"op": "cast", "column": "v", "to": "decimal"})
    assert values(out["v"]) == [1e308, -0.0, 0.5, 5.0, 1e-320, None]
    assert str(values(out["v"])[1]) == "-0.0"
    assert list(rejected[SOURCE_ROW]) == [1, 2, 3]
    assert (
        rejected[REASON]
        .iloc[0]
        .startswith("v: '1e400' is not a valid decimal (outside the range of a 64-bit float")
    )


@pytest.mark.parametrize("text", ["inf", "-Infinity", "nan", "NaN", "1e", "--1", "１.５"])
def test_float_cast_refuses_infinity_nan_and_malformed_numbers(text):
    out, _, rejected = run(frame(v=[text]), {"op": "cast", "column": "v", "to": "float"})
    assert out.empty
    assert rejected[REASON].iloc[0] == f"v: '{text}' is not a valid float"


def test_out_of_range_numbers_made_missing_or_failing_by_the_contract():
    df = frame(v=["1", "1e400"])
    out, _, rejected = run(df, {"op": "cast", "column": "v", "to": "float", "on_error": "null"})
    assert values(out["v"]) == [1.0, None] and rejected.empty
    with pytest.raises(PipelineError) as info:
        run(
            frame(q=["1", "99999999999999999999"]),
            {"op": "cast", "id": "qty", "column": "q", "to": "int", "on_error": "fail"},
        )
    assert str(info.value).startswith(
        "t.q (rule qty): value '99999999999999999999' at source row 2 is not a valid int "
        "(outside the 64-bit integer range"
    )


def test_conform_quarantines_numbers_beyond_their_type():
    clean = cleaning(frame(a=["1", "99999999999999999999"], b=["1e400", "2.5"]))
    conform(clean, [{"name": "a", "type": "int"}, {"name": "b", "type": "decimal"}])
    assert frame_of(clean.con, clean.relation).empty
    quarantined = rejected(clean)
    # Each row by the first column that cannot take its type, a before b.
    assert dict(zip(quarantined[SOURCE_ROW], quarantined[RULE_ID], strict=True)) == {
        2: "type_a",
        1: "type_b",
    }
    by_rule = dict(zip(quarantined[RULE_ID], quarantined[REASON], strict=True))
    assert "outside the 64-bit integer range" in by_rule["type_a"]


def test_generic_types_keep_integers_beyond_int64_and_infinite_numbers_as_text():
    df = frame(
        big_id=["1", "99999999999999999999"],
        amount=["1.5", "1e400"],
        n=[" +5", "-0"],
        x=["2.5", "1e308"],
    )
    clean = cleaning(df)
    generic_clean(clean)
    out = frame_of(clean.con, clean.relation)
    assert values(out["big_id"]) == ["1", "99999999999999999999"]
    assert values(out["amount"]) == ["1.5", "1e400"]
    assert str(out["n"].dtype) == "Int64" and values(out["n"]) == [5, 0]
    assert str(out["x"].dtype) == "Float64" and values(out["x"]) == [2.5, 1e308]
    assert infer_type(["99999999999999999999"]) == "string"
    assert infer_type([INT64_MAX, INT64_MIN]) == "int"
