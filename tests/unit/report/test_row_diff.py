"""Row diffs of two tables: on a key (added, removed, changed rows) and as multisets of rows."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from warehouse.core.parquet import read_parquet, write_parquet
from warehouse.report.row_diff import keyed_diff, unkeyed_diff

CUSTOMERS = {
    "customer_key": [1, 2, 3],
    "first_name": ["Kenji", "François", None],
    "birthdate": [dt.date(1980, 1, 2), None, dt.date(1990, 3, 4)],
}


def frame(**columns) -> pd.DataFrame:
    """A small frame in the pipeline's nullable dtypes (as read back from Parquet)."""
    return pd.DataFrame(columns).convert_dtypes(dtype_backend="numpy_nullable")


# --- keyed_diff -----------------------------------------------------------------------------


def test_keyed_diff_counts_added_removed_and_changed_rows():
    a = frame(id=[1, 2, 3, 4], name=["a", "b", "c", "d"], score=[1.0, 2.0, 3.0, 4.0])
    b = frame(id=[2, 3, 4, 5], name=["b", "C", "D", "e"], score=[2.0, 3.5, 4.0, 5.0])
    d = keyed_diff(a, b, ["id"])
    assert (d["added"], d["removed"], d["changed"], d["unchanged"]) == (1, 1, 2, 1)
    assert d["changed_columns"] == {"name": 2, "score": 1}
    assert d["added_sample"] == [{"id": 5, "name": "e", "score": 5.0}]
    assert d["removed_sample"] == [{"id": 1, "name": "a", "score": 1.0}]
    assert d["changed_sample"] == [
        {
            "key": {"id": 3},
            "changes": {"name": {"from": "c", "to": "C"}, "score": {"from": 3.0, "to": 3.5}},
        },
        {"key": {"id": 4}, "changes": {"name": {"from": "d", "to": "D"}}},
    ]


def test_keyed_diff_treats_two_missing_values_as_equal():
    a = frame(id=[1, 2, 3], name=[None, None, "x"], amount=[np.nan, None, 1.0])
    a["amount"] = a["amount"].astype("Float64")
    b = a.copy()
    b.loc[1, "name"] = "now set"
    b.loc[2, "amount"] = None
    d = keyed_diff(a, b, ["id"])
    assert d["changed"] == 2
    assert d["changed_columns"] == {"name": 1, "amount": 1}
    changes = {tuple(c["key"].values()): c["changes"] for c in d["changed_sample"]}
    assert changes == {
        (2,): {"name": {"from": None, "to": "now set"}},
        (3,): {"amount": {"from": 1.0, "to": None}},
    }


def test_keyed_diff_on_a_composite_key_with_a_missing_key_part():
    a = frame(country=["DE", "DE", None], month=["2025-01", "2025-02", "2025-01"], n=[1, 2, 3])
    b = frame(country=["DE", "DE", None], month=["2025-01", "2025-02", "2025-01"], n=[1, 2, 4])
    d = keyed_diff(a, b, ["country", "month"])
    assert (d["added"], d["removed"], d["changed"]) == (0, 0, 1)
    assert d["changed_sample"] == [
        {"key": {"country": None, "month": "2025-01"}, "changes": {"n": {"from": 3, "to": 4}}}
    ]


def test_keyed_diff_samples_are_limited_but_counts_are_not():
    a = frame(id=list(range(100)), v=[0] * 100)
    b = frame(id=list(range(50, 150)), v=[1] * 100)
    d = keyed_diff(a, b, ["id"], sample_size=3)
    assert (d["added"], d["removed"], d["changed"]) == (50, 50, 50)
    assert [len(d[k]) for k in ("added_sample", "removed_sample", "changed_sample")] == [3, 3, 3]
    assert [r["id"] for r in d["added_sample"]] == [100, 101, 102]  # table order
    assert keyed_diff(a, b, ["id"], sample_size=0)["changed_sample"] == []


def test_keyed_diff_compares_shared_columns_only_and_refuses_duplicate_keys():
    a = frame(id=[1, 2], old=["x", "y"], v=[1, 2])
    b = frame(id=[1, 2], new=["x", "y"], v=[1, 2])
    d = keyed_diff(a, b, ["id"])
    assert d["changed"] == 0 and d["columns_not_compared"] == ["new", "old"]
    with pytest.raises(ValueError, match="not unique in table B"):
        keyed_diff(a, frame(id=[1, 1], v=[1, 2]), ["id"])
    with pytest.raises(ValueError, match="missing from table A"):
        keyed_diff(a, b, ["nope"])


def test_keyed_diff_returns_plain_json_values():
    a = frame(id=[1], day=[dt.date(2025, 1, 2)], ok=[True])
    b = frame(id=[1, 2], day=[dt.date(2025, 1, 3), None], ok=[True, None])
    d = keyed_diff(a, b, ["id"])
    assert d["changed_sample"][0]["changes"] == {"day": {"from": "2025-01-02", "to": "2025-01-03"}}
    assert d["added_sample"] == [{"id": 2, "day": None, "ok": None}]
    json.dumps(d, allow_nan=False)


# --- unkeyed_diff ---------------------------------------------------------------------------


def test_unkeyed_diff_is_a_multiset_difference_of_whole_rows():
    a = frame(x=[1, 1, 2, 3], y=["a", "a", "b", None])
    b = frame(x=[1, 2, 3, 4, 3], y=["a", "b", None, "d", None])
    d = unkeyed_diff(a, b)
    # One of A's two (1, "a") rows is gone; B adds (4, "d") and a second (3, None).
    assert (d["removed"], d["added"], d["unchanged"]) == (1, 2, 3)
    assert d["removed_sample"] == [{"x": 1, "y": "a"}]
    assert d["added_sample"] == [{"x": 4, "y": "d"}, {"x": 3, "y": None}]


def test_unkeyed_diff_ignores_row_order_and_limits_samples():
    a = frame(x=list(range(20)))
    b = frame(x=list(reversed(range(10, 30))))
    d = unkeyed_diff(a, b, sample_size=2)
    assert (d["removed"], d["added"], d["unchanged"]) == (10, 10, 10)
    assert d["removed_sample"] == [{"x": 0}, {"x": 1}]
    assert len(d["added_sample"]) == 2
    assert unkeyed_diff(a, a.iloc[::-1])["added"] == 0
    # With no column in common nothing matches.
    assert unkeyed_diff(a, frame(y=[1]))["removed"] == 20


def test_written_tables_read_back_with_the_same_diff(tmp_path):
    # What diff_runs compares is what read_parquet returns: no dtype drift makes rows differ.
    df = frame(**CUSTOMERS)
    write_parquet(df, tmp_path / "c.parquet")
    back = read_parquet(tmp_path / "c.parquet")
    assert keyed_diff(df, back, ["customer_key"])["changed"] == 0
    assert unkeyed_diff(back, read_parquet(tmp_path / "c.parquet"))["added"] == 0
