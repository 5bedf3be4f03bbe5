"""Run diffs: row diffs with and without a key, schema changes, and whole runs on a fake tree."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from warehouse.core.io import write_json, write_yaml
from warehouse.core.parquet import read_parquet, write_parquet
from warehouse.core.schemas import schema_changes
from warehouse.report.diff import diff_runs, keyed_diff, render_html, unkeyed_diff

RUN_A = "20261126T150000Z_aaaaaaaa"
RUN_B = "20261126T160000Z_bbbbbbbb"
HOSTILE = "<script>alert(1)</script>"


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


# --- schema_changes -------------------------------------------------------------------------


def test_schema_changes_reports_added_removed_retyped_and_reordered_columns():
    a = [
        {"name": "id", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "x", "type": "int"},
    ]
    b = [
        {"name": "name", "type": "string"},
        {"name": "id", "type": "string"},
        {"name": "y", "type": "date"},
    ]
    assert schema_changes(a, b) == {
        "added": [{"name": "y", "type": "date"}],
        "removed": [{"name": "x", "type": "int"}],
        "type_changed": [{"name": "id", "from": "int", "to": "string"}],
        "reordered": True,
    }
    same = schema_changes(a, a)
    assert same == {"added": [], "removed": [], "type_changed": [], "reordered": False}
    # Dropping a column is not a reordering of the others.
    assert schema_changes(a, a[:1] + a[2:])["reordered"] is False


# --- diff_runs on a fake artifacts tree -------------------------------------------------------

CUSTOMERS = {
    "customer_key": [1, 2, 3],
    "customer_id": [11000, 11001, 11002],
    "first_name": ["Kenji", "François", None],
    "last_name": ["Verhoff", "Romero", "Ng"],
    "birthdate": [dt.date(1980, 1, 2), None, dt.date(1990, 3, 4)],
}
SALES = {
    "order_number": ["SO1", "SO1", "SO2"],
    "customer_key": [1, 2, 1],
    "amount": [10.0, 5.5, 7.0],
}


def types(df: pd.DataFrame) -> list[dict]:
    names = {"Int64": "int", "Float64": "float", "string": "string", "boolean": "bool"}
    return [{"name": c, "type": names.get(str(df[c].dtype), "date")} for c in df.columns]


def make_run(root, run_id, customers=None, gold=True, check_status="pass", key=("customer_key",)):
    """Write the artifacts of one run, with just the keys diff_runs reads."""
    customers = frame(**(customers or CUSTOMERS))
    sales = frame(**SALES)
    (root / "orchestrator" / run_id).mkdir(parents=True)
    csv = customers.to_csv(index=False)
    write_yaml(
        root / "bronze" / run_id / "metadata.yaml",
        {
            "run_id": run_id,
            "status": "complete",
            "ingestion_date": "2026-11-26",
            "fingerprint": {
                "raw": hashlib.sha256(csv.encode()).hexdigest(),
                "code": "c",
                "config": "k",
            },
            "files": [
                {
                    "source": "crm",
                    "file": "cust_info.csv",
                    "data_rows": len(customers),
                    "header": list(customers.columns),
                    "sha256": hashlib.sha256(csv.encode()).hexdigest(),
                }
            ],
        },
    )
    silver = write_parquet(customers, root / "silver" / run_id / "data" / "crm_cust_info.parquet")
    write_yaml(
        root / "silver" / run_id / "metadata.yaml",
        {
            "status": "passed",
            "tables": [
                {
                    "table": "crm_cust_info",
                    "rows_out": len(customers),
                    "rows_quarantined": 0,
                    "schema_out": types(customers),
                    "output": silver,
                }
            ],
        },
    )
    check = {"id": "unique_cst_id", "table": "crm_cust_info", "severity": "error"}
    write_json(
        root / "silver" / run_id / "checks.json",
        {"results": [{**check, "status": check_status, "failing_rows": 0}]},
    )
    if not gold:
        return
    marts = []
    for name, df, mart_key in (
        ("dim_customers", customers, list(key) if key else None),
        ("fact_sales", sales, None),
    ):
        out = write_parquet(df, root / "gold" / "marts" / run_id / "data" / f"{name}.parquet")
        marts.append(
            {
                "table": name,
                "key": mart_key,
                "rows_out": len(df),
                "schema_out": types(df),
                "output": out,
            }
        )
    write_yaml(
        root / "gold" / "marts" / run_id / "metadata.yaml", {"status": "passed", "marts": marts}
    )
    write_json(root / "gold" / "marts" / run_id / "checks.json", {"results": []})


def renamed(first_name: str) -> dict:
    """The customers with the first customer's first name changed."""
    return {**CUSTOMERS, "first_name": [first_name, *CUSTOMERS["first_name"][1:]]}


def test_one_changed_first_name_is_exactly_one_changed_row(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B, customers=renamed("Zebulon"))
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    json.dumps(d, allow_nan=False)
    assert (d["schema_version"], d["run_a"], d["run_b"]) == (1, RUN_A, RUN_B)
    assert "created_at" not in d

    gold = {t["name"]: t for t in d["layers"]["gold"]["tables"]}
    customers = gold["dim_customers"]
    assert customers["status"] == "changed" and customers["content_equal"] is False
    diff = customers["row_diff"]
    assert (diff["method"], diff["added"], diff["removed"], diff["changed"]) == ("keyed", 0, 0, 1)
    assert diff["changed_columns"] == {"first_name": 1}
    assert diff["changed_sample"] == [
        {"key": {"customer_key": 1}, "changes": {"first_name": {"from": "Kenji", "to": "Zebulon"}}}
    ]
    assert gold["fact_sales"]["status"] == "unchanged" and gold["fact_sales"]["row_diff"] is None

    assert d["summary"] == {
        "tables_changed": 1,
        "rows_added": 0,
        "rows_removed": 0,
        "rows_changed": 1,
        "tables_changed_by_layer": {"bronze": 1, "silver": 1, "gold": 1},
        "layers_missing": {},
        "checks_changed": 0,
        "identical": False,
    }
    silver = d["layers"]["silver"]["tables"][0]
    assert silver["rows_out"] == {"a": 3, "b": 3, "delta": 0} and silver["content_equal"] is False
    bronze = d["layers"]["bronze"]["tables"][0]
    assert bronze["name"] == "crm/cust_info.csv" and bronze["sha256_equal"] is False
    assert d["fingerprint"]["raw"]["equal"] is False and d["fingerprint"]["code"]["equal"] is True
    assert d["checks"] == []
    assert diff_runs(RUN_A, RUN_B, tmp_path) == d  # deterministic


def test_identical_runs_are_identical(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B)
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    assert d["summary"]["identical"] is True
    assert d["summary"]["tables_changed_by_layer"] == {"bronze": 0, "silver": 0, "gold": 0}
    assert all(t["row_diff"] is None for t in d["layers"]["gold"]["tables"])


def test_a_missing_gold_layer_is_reported_not_a_crash(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B, gold=False, check_status="fail")
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    assert d["layers"]["gold"]["missing_in"] == ["b"]
    assert d["layers"]["gold"]["tables"] == []
    assert d["summary"]["layers_missing"] == {"gold": ["b"]}
    assert d["summary"]["identical"] is False
    # The silver check that closed B's gate is listed; Gold's checks are not (no Gold in B).
    assert d["checks"] == [
        {
            "layer": "silver",
            "table": "crm_cust_info",
            "id": "unique_cst_id",
            "severity": "error",
            "from": "pass",
            "to": "fail",
            "failing_rows": {"a": 0, "b": 0, "delta": 0},
        }
    ]
    html = render_html(d, "now", "0.1.0")
    assert "missing in run B" in html


def test_a_check_in_one_run_only_is_a_check_change(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B)
    new = {"id": "row_count", "table": "dim_customers", "severity": "warn", "status": "fail"}
    write_json(tmp_path / "gold" / "marts" / RUN_B / "checks.json", {"results": [new]})
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    assert [(c["layer"], c["id"], c["from"], c["to"]) for c in d["checks"]] == [
        ("gold", "row_count", None, "fail")
    ]
    assert d["summary"]["identical"] is False and d["summary"]["checks_changed"] == 1


def test_marts_in_one_run_only_are_listed_as_added_and_removed(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B)
    meta_b = tmp_path / "gold" / "marts" / RUN_B / "metadata.yaml"
    text = meta_b.read_text().replace("table: fact_sales", "table: fact_orders")
    meta_b.write_text(text)
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    gold = d["layers"]["gold"]
    assert (gold["tables_removed"], gold["tables_added"]) == (["fact_sales"], ["fact_orders"])
    statuses = {t["name"]: t["status"] for t in gold["tables"]}
    assert statuses == {
        "dim_customers": "unchanged",
        "fact_sales": "removed",
        "fact_orders": "added",
    }
    assert d["summary"]["tables_changed"] == 2


def test_a_key_change_falls_back_to_comparing_whole_rows(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B, customers=renamed("Zebulon"), key=("customer_id",))
    diff = diff_runs(RUN_A, RUN_B, tmp_path)["layers"]["gold"]["tables"][0]["row_diff"]
    assert (diff["method"], diff["added"], diff["removed"]) == ("unkeyed", 1, 1)
    assert "key changed" in diff["note"]


def test_an_unknown_run_raises_a_helpful_error(tmp_path):
    make_run(tmp_path, RUN_A)
    with pytest.raises(ValueError) as info:
        diff_runs(RUN_A, "20261126T170000Z_cccccccc", tmp_path)
    message = str(info.value)
    assert "20261126T170000Z_cccccccc" in message
    assert (tmp_path / "orchestrator" / "20261126T170000Z_cccccccc").as_posix() in message
    assert RUN_A in message  # the runs that do exist
    with pytest.raises(ValueError, match="not a run id"):
        diff_runs(RUN_A, "../bronze", tmp_path)


def test_html_escapes_changed_values_and_is_self_contained(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B, customers=renamed(HOSTILE))
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    html = render_html(d, "2026-11-26T16:00:00+00:00", "0.1.0")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"Run diff: {RUN_A} → {RUN_B}" in html
    assert "first_name" in html and "Kenji" in html
    assert "<link" not in html and "src=" not in html


def test_written_tables_read_back_with_the_same_diff(tmp_path):
    # What diff_runs compares is what read_parquet returns: no dtype drift makes rows differ.
    df = frame(**CUSTOMERS)
    write_parquet(df, tmp_path / "c.parquet")
    back = read_parquet(tmp_path / "c.parquet")
    assert keyed_diff(df, back, ["customer_key"])["changed"] == 0
    assert unkeyed_diff(back, read_parquet(tmp_path / "c.parquet"))["added"] == 0
