"""Run diffs: schema changes, and whole runs compared on a fake workspace (row diffs of two
tables: test_row_diff.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from warehouse.core import paths
from warehouse.core.io import write_json, write_yaml
from warehouse.core.parquet import write_parquet
from warehouse.core.schemas import schema_changes
from warehouse.report.diff import diff_runs, render_html

RUN_A = "20261126T150000Z_aaaaaaaa"
RUN_B = "20261126T160000Z_bbbbbbbb"
HOSTILE = "<script>alert(1)</script>"


def frame(**columns) -> pd.DataFrame:
    """A small frame in the pipeline's nullable dtypes (as read back from Parquet)."""
    return pd.DataFrame(columns).convert_dtypes(dtype_backend="numpy_nullable")


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


# --- diff_runs on a fake workspace -----------------------------------------------------------

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
    """Write the artifacts of one run in the workspace ``root``, with just the keys diff_runs
    reads."""
    customers = frame(**(customers or CUSTOMERS))
    sales = frame(**SALES)
    paths.at(paths.RUN_DIR, root, run_id=run_id).mkdir(parents=True)
    csv = customers.to_csv(index=False)
    write_yaml(
        paths.at(paths.BRONZE_METADATA, root, run_id=run_id),
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
    silver_data = paths.at(paths.SILVER_DATA, root, run_id=run_id, table="crm_cust_info")
    silver = write_parquet(customers, silver_data)
    write_yaml(
        paths.at(paths.SILVER_METADATA, root, run_id=run_id),
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
        paths.at(paths.SILVER_CHECKS, root, run_id=run_id),
        {"results": [{**check, "status": check_status, "failing_rows": 0}]},
    )
    if not gold:
        return
    marts = []
    for name, df, mart_key in (
        ("dim_customers", customers, list(key) if key else None),
        ("fact_sales", sales, None),
    ):
        out = write_parquet(df, paths.at(paths.GOLD_DATA, root, run_id=run_id, mart=name))
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
        paths.at(paths.GOLD_METADATA, root, run_id=run_id), {"status": "passed", "marts": marts}
    )
    write_json(paths.at(paths.GOLD_CHECKS, root, run_id=run_id), {"results": []})


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
    write_json(paths.at(paths.GOLD_CHECKS, tmp_path, run_id=RUN_B), {"results": [new]})
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    assert [(c["layer"], c["id"], c["from"], c["to"]) for c in d["checks"]] == [
        ("gold", "row_count", None, "fail")
    ]
    assert d["summary"]["identical"] is False and d["summary"]["checks_changed"] == 1


def test_marts_in_one_run_only_are_listed_as_added_and_removed(tmp_path):
    make_run(tmp_path, RUN_A)
    make_run(tmp_path, RUN_B)
    meta_b = paths.at(paths.GOLD_METADATA, tmp_path, run_id=RUN_B)
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
    assert (
        paths.at(paths.RUN_DIR, tmp_path, run_id="20261126T170000Z_cccccccc").as_posix() in message
    )
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


def test_tables_equal_but_for_bytes_under_null_slots_are_unchanged(tmp_path):
    # pandas keeps whatever value a slot held before it became missing: two runs whose tables
    # hold the same values can carry different bytes there, and must still compare unchanged.
    def with_missing_id(hidden: int) -> dict:
        ids = pd.arrays.IntegerArray(
            np.array([11000, hidden, 11002]), mask=np.array([False, True, False])
        )
        return {**CUSTOMERS, "customer_id": ids}

    make_run(tmp_path, RUN_A, customers=with_missing_id(1))
    make_run(tmp_path, RUN_B, customers=with_missing_id(0))
    d = diff_runs(RUN_A, RUN_B, tmp_path)
    assert d["layers"]["silver"]["tables"][0]["content_equal"] is True
    gold = {t["name"]: t for t in d["layers"]["gold"]["tables"]}
    assert gold["dim_customers"]["status"] == "unchanged"
    assert gold["dim_customers"]["content_equal"] is True
    # A real change of that value (missing -> 0) is still a change.
    make_run(tmp_path, "20261126T170000Z_cccccccc", customers=renamed("Kenji"))
    other = diff_runs(RUN_A, "20261126T170000Z_cccccccc", tmp_path)
    assert other["layers"]["silver"]["tables"][0]["content_equal"] is False
