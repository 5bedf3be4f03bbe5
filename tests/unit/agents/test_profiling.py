"""Profiles of Bronze tables: what a data engineer (or a model) learns about each column."""

from __future__ import annotations

import json

import pandas as pd

from warehouse.agents import profiling
from warehouse.agents.profiling import for_model, profile_rows, value_patterns


def frame(**columns) -> pd.DataFrame:
    """Text columns as read_bronze_csv gives them (None = empty field), with _source_row."""
    data = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    data["_source_row"] = range(1, len(data) + 1)
    return data


def column(profile: dict, name: str) -> dict:
    return next(c for c in profile["columns"] if c["name"] == name)


def test_value_patterns_show_the_shape_of_values():
    shapes = value_patterns(pd.Series(["AW00011000", "so-43697", None, "Łukasz"], dtype="str"))
    assert shapes.tolist()[:2] == ["AA99999999", "aa-99999"]
    assert pd.isna(shapes[2])
    assert shapes[3] == "Aaaaaa"


def test_types_shares_spaces_and_dates_of_each_column():
    profile = profile_rows(
        frame(
            id=["1", "2", "3"],
            amount=["1.5", "2", None],
            name=[" Ann", "Bob ", "  "],
            created=["2024-01-31", "2024-02-01", "2024-02-02"],
            order_dt=["20240131", "0", "20240201"],
        )
    )
    assert column(profile, "id")["inferred_type"] == "int"
    amount = column(profile, "amount")
    assert amount["inferred_type"] == "float"
    assert (amount["nulls"], amount["null_share"]) == (1, 0.3333)
    name = column(profile, "name")
    assert (name["leading_spaces"], name["trailing_spaces"], name["blanks"]) == (1, 1, 1)
    assert name["top_values"] == [{"value": "Ann", "count": 1}, {"value": "Bob", "count": 1}]
    created = column(profile, "created")
    assert (created["inferred_type"], created["date_format"]) == ("date", "%Y-%m-%d")
    assert (created["min"], created["max"]) == ("2024-01-31", "2024-02-02")
    order_dt = column(profile, "order_dt")
    assert order_dt["inferred_type"] == "int"
    # 2 of 3 parse: below the 90% threshold, so not (yet) a date column
    assert (order_dt["date_like_integer"], order_dt["date_format"]) == (False, None)
    many = profile_rows(frame(order_dt=["20240131"] * 9 + ["0"]))
    assert column(many, "order_dt")["date_like_integer"] is True
    assert column(many, "order_dt")["date_format"] == "%Y%m%d"
    assert column(many, "order_dt")["date_share"] == 0.9


def test_code_like_columns_are_few_short_upper_case_values():
    profile = profile_rows(
        frame(gndr=["F", "M", "F", "M"], line=["Road", "Road", "Mountain", "Road"])
    )
    assert column(profile, "gndr")["code_like"] is True
    assert column(profile, "gndr")["all_values_listed"] is True
    assert column(profile, "line")["code_like"] is False


def test_candidate_keys_unique_ids_first_and_near_unique_ids_with_duplicates():
    ids = [str(i) for i in range(1, 40)] + ["7"]
    profile = profile_rows(
        frame(cst_id=ids, name=[f"n{i}" for i in range(40)], country=["DE"] * 40)
    )
    best = profile["candidate_keys"][0]
    assert best["columns"] == ["cst_id"]
    assert (best["unique"], best["duplicates"], best["missing"]) == (False, 1, 0)
    assert ["country"] not in [k["columns"] for k in profile["candidate_keys"]]


def test_personal_columns_are_found_by_name_and_by_value():
    profile = profile_rows(
        frame(
            cst_firstname=["Ann", "Bob", "Cy"],
            contact=["ann@example.com", "bob@example.org", "cy@example.net"],
            phone_no=["+49 30 1234567", "+1 (555) 010-9999", "030 1234 5678"],
            created=["2024-01-31", "2024-02-01", "2024-02-02"],
        )
    )
    assert column(profile, "cst_firstname")["personal"] == "name"
    assert column(profile, "contact")["personal"] == "email"
    assert column(profile, "phone_no")["personal"] == "phone"
    assert column(profile, "created")["personal"] is None  # dates look like phone numbers
    assert profile["personal_columns"] == ["cst_firstname", "contact", "phone_no"]


def test_what_is_sent_to_a_model_masks_personal_values_and_keeps_the_counts():
    profile = profile_rows(
        frame(cst_lastname=["Müller", "Núñez", "Müller"], cst_id=["1", "2", "3"])
    )
    masked = for_model(profile)
    text = json.dumps(masked, ensure_ascii=False)
    assert "Müller" not in text and "Núñez" not in text
    last = column(masked, "cst_lastname")
    assert last["top_values"] == profiling.MASKED
    assert (last["distinct"], last["nulls"]) == (2, 0)
    assert last["patterns"][0]["pattern"] == "Aaaaaa"
    assert column(profile, "cst_lastname")["top_values"][0]["value"] == "Müller"  # not mutated


def test_large_tables_sample_patterns_and_say_so(monkeypatch):
    monkeypatch.setattr(profiling, "PATTERN_SAMPLE_ROWS", 2)
    profile = profile_rows(frame(code=["AB1", "AB2", "AB3", "AB4", "AB5"]))
    assert profile["sampling"]["patterns_from_rows"] == 2
    assert "one row in 3" in profile["sampling"]["method"]
    code = column(profile, "code")
    assert code["patterns"] == [{"pattern": "AA9", "count": 2}]
    assert code["distinct"] == 5  # every other statistic uses every row


def test_numbers_at_their_limits_are_typed_and_counted_without_a_crash():
    profile = profile_rows(
        frame(
            big_id=["1", "99999999999999999999", "3"],
            limits=["9223372036854775807", "-9223372036854775808", " +5 "],
            amount=["1.5", "1e400", "-0"],
            tiny=["1e-400", "2.5", "inf"],
        )
    )
    big = column(profile, "big_id")
    # Beyond int64 as floats the ids would be rounded: the column stays text, exactly.
    assert big["inferred_type"] == "string"
    assert big["type_shares"]["int"] == big["type_shares"]["float"] == 0.6667
    assert big["out_of_range"] == {"int": 1, "float": 0}
    assert (big["min"], big["max"]) == ("1", "99999999999999999999")
    limits = column(profile, "limits")
    assert limits["inferred_type"] == "int"
    assert (limits["min"], limits["max"]) == (-(2**63), 2**63 - 1)
    amount = column(profile, "amount")
    assert amount["inferred_type"] == "string"
    assert (amount["type_shares"]["float"], amount["out_of_range"]) == (
        0.6667,
        {"int": 0, "float": 1},
    )
    tiny = column(profile, "tiny")
    assert tiny["out_of_range"]["float"] == 1 and tiny["type_shares"]["float"] == 0.3333
    json.dumps(profile, allow_nan=False)  # no infinity or NaN reaches a profile
