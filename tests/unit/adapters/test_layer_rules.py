"""The layer rules, run through their adapters (scripts/<rule>.py) with a fake ``snakemake``
object, on a tiny workspace: one raw export of product categories, its Silver contract, a small
Gold fact table and the agg_sales_monthly contract. What is asserted is what a user notices:
every row accounted for, metadata files with their keys, a gate that closes on a failing
error-level check and a run that then ends with a message naming it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fake_snakemake import fake_snakemake, run_adapter

from conftest import REPO
from warehouse.core import paths
from warehouse.core.errors import PipelineError
from warehouse.core.io import read_json, read_yaml, write_json
from warehouse.core.parquet import write_parquet
from warehouse.gold.sql import model_path

RUN_ID = "20261201T000000Z_0000beef"
SOURCE, FILE, TABLE = "erp", "PX_CAT_G1V2.csv", "erp_px_cat_g1v2"
MART = "agg_sales_monthly"
CATEGORIES = [
    "ID,CAT,SUBCAT,MAINTENANCE",
    "AC_BR,Accessories,Bike Racks,Yes",
    "AC_BS,Accessories,Bike Stands,No",
    "BI_MB,Bikes,Mountain Bikes,Yes",
    "CL_CA,Clothing,Caps,No,one field too many",
]
FILE_FIELDS = {"run_id": RUN_ID, "source": SOURCE, "file": FILE}
TABLE_FIELDS = {"run_id": RUN_ID, "table": TABLE}
MART_FIELDS = {"run_id": RUN_ID, "mart": MART}

SILVER_TABLE_KEYS = [
    "table", "source", "contract", "grain", "key", "rows_in", "rows_out", "rows_quarantined",
    "balanced", "steps", "quarantine_by_rule", "schema_in", "schema_out", "output", "quarantine",
    "checks", "warnings", "timings", "quarantine_sample",
]  # fmt: skip
GOLD_MART_KEYS = [
    "table", "layer", "contract", "grain", "key", "inputs", "rows_out", "schema_out",
    "column_lineage", "output", "checks", "warnings", "timings",
]  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A workspace with the raw export, the contracts and their schema, as the working
    directory (Snakemake hands adapters paths relative to it)."""
    monkeypatch.chdir(tmp_path)
    for name in (
        paths.CONTRACT_SCHEMA,
        paths.CONTRACT.format(layer="silver", table=TABLE),
        paths.CONTRACT.format(layer="gold", table=MART),
        model_path(MART),
    ):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, name)
    write_raw(CATEGORIES)
    return tmp_path


def raw_path() -> Path:
    return Path(paths.RAW_FILE.format(raw_dir="raw", source=SOURCE, file=FILE))


def write_raw(lines: list[str], encoding: str = "ascii") -> None:
    raw_path().parent.mkdir(parents=True, exist_ok=True)
    raw_path().write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def make_manifest() -> dict:
    """Rule run_manifest on a manifest of the workspace's raw file and contracts."""
    contracts = [
        paths.contract_path("silver", TABLE),
        paths.contract_path("gold", MART),
        model_path(MART),
    ]
    manifest = {
        "run_id": RUN_ID,
        "minted_at": "2026-12-01T00:00:00+00:00",
        "ingestion_date": "2026-12-01",
        "fingerprint": {"combined": "c0", "raw": "r0", "code": "k0", "config": "f0"},
        "raw_files": [
            {
                "source": SOURCE,
                "file": FILE,
                "path": raw_path().as_posix(),
                "sha256": sha256(raw_path()),
                "size": raw_path().stat().st_size,
            }
        ],
        "config_files": {c.as_posix(): sha256(c) for c in contracts},
    }
    out = paths.at(paths.RUN_MANIFEST, run_id=RUN_ID)
    run_adapter(
        fake_snakemake(
            rule="run_manifest",
            output={"manifest": out},
            params={"manifest": manifest},
            wildcards={"run_id": RUN_ID},
        )
    )
    return read_yaml(out)


def copy_bronze() -> dict:
    """Rule bronze_copy_file; the Bronze file metadata."""
    meta = paths.at(paths.BRONZE_FILE_META, **FILE_FIELDS)
    run_adapter(
        fake_snakemake(
            rule="bronze_copy_file",
            input={"raw": raw_path(), "manifest": paths.at(paths.RUN_MANIFEST, run_id=RUN_ID)},
            output={"data": paths.at(paths.BRONZE_DATA, **FILE_FIELDS), "meta": meta},
            wildcards=FILE_FIELDS,
        )
    )
    return read_yaml(meta)


def clean_silver() -> dict:
    """Rule silver_clean_table (after the Bronze copy); the table's metadata."""
    meta = paths.at(paths.SILVER_TABLE_META, **TABLE_FIELDS)
    run_adapter(
        fake_snakemake(
            rule="silver_clean_table",
            input={
                "bronze": paths.at(paths.BRONZE_DATA, **FILE_FIELDS),
                "bronze_meta": paths.at(paths.BRONZE_FILE_META, **FILE_FIELDS),
                "manifest": paths.at(paths.RUN_MANIFEST, run_id=RUN_ID),
                "contract": [paths.contract_path("silver", TABLE)],
            },
            output={
                "data": paths.at(paths.SILVER_DATA, **TABLE_FIELDS),
                "quarantine": paths.at(paths.SILVER_QUARANTINE, **TABLE_FIELDS),
                "meta": meta,
            },
            wildcards=TABLE_FIELDS,
        )
    )
    return read_yaml(meta)


def layer_report(
    rule: str, templates: dict[str, str], params: dict | None = None, **inputs
) -> dict[str, Path]:
    """Rule ``rule`` (a layer report) with the manifest and ``inputs``; its output files."""
    outputs = {name: paths.at(template, run_id=RUN_ID) for name, template in templates.items()}
    run_adapter(
        fake_snakemake(
            rule=rule,
            input={"manifest": paths.at(paths.RUN_MANIFEST, run_id=RUN_ID), **inputs},
            output=outputs,
            params=params,
            wildcards={"run_id": RUN_ID},
        )
    )
    return outputs


SILVER_REPORT = {
    "metadata": paths.SILVER_METADATA,
    "checks": paths.SILVER_CHECKS,
    "run_log": paths.SILVER_RUN_LOG,
    "report": paths.SILVER_REPORT,
    "gate": paths.SILVER_GATE,
}


def silver_report() -> dict[str, Path]:
    """Rule silver_layer_report: the layer's files and its quality gate."""
    metas = [paths.at(paths.SILVER_TABLE_META, **TABLE_FIELDS)]
    params = {"report": paths.SILVER_REPORT.format(run_id=RUN_ID)}
    return layer_report("silver_layer_report", SILVER_REPORT, params, metas=metas)


def complete(gates: list[dict]) -> dict:
    """Rule run_complete on a summary whose closed gates block the run; status.yaml."""
    summary = paths.at(paths.SUMMARY_JSON, run_id=RUN_ID)
    closed = [g for g in gates if g["status"] == "closed"]
    write_json(
        summary,
        {
            "run_id": RUN_ID,
            "status": "blocked" if closed else "complete",
            "blocked_by": [
                {"layer": g["layer"], "report": g["report"], "failures": g["failures"]}
                for g in closed
            ],
        },
    )
    status = paths.at(paths.RUN_STATUS, run_id=RUN_ID)
    run_adapter(
        fake_snakemake(
            rule="run_complete",
            input={"summary": summary},
            output={"status": status},
            wildcards={"run_id": RUN_ID},
        )
    )
    return read_yaml(status)


# --- Bronze -----------------------------------------------------------------------------------


def test_the_manifest_is_written_as_given(workspace):
    manifest = make_manifest()
    assert manifest["run_id"] == RUN_ID
    assert list(manifest) == [
        "run_id", "minted_at", "ingestion_date", "fingerprint", "raw_files", "config_files",
    ]  # fmt: skip


def test_bronze_copy_is_byte_exact_and_described(workspace):
    manifest = make_manifest()
    meta = copy_bronze()
    data = paths.at(paths.BRONZE_DATA, **FILE_FIELDS)
    assert data.read_bytes() == raw_path().read_bytes()
    assert list(meta)[:7] == [
        "source", "file", "table", "raw_path", "path", "source_sha256", "copied_at",
    ]  # fmt: skip
    assert (meta["table"], meta["raw_path"], meta["path"]) == (
        TABLE,
        raw_path().as_posix(),
        data.as_posix(),
    )
    assert meta["sha256"] == meta["source_sha256"] == manifest["raw_files"][0]["sha256"]
    assert (meta["data_rows"], meta["encoding"], meta["delimiter"]) == (4, "ascii", ",")


def test_bronze_refuses_a_raw_file_that_changed_since_the_run_was_made(workspace):
    make_manifest()
    write_raw(CATEGORIES + ["CL_GL,Clothing,Gloves,No"])
    with pytest.raises(PipelineError, match="is not the file this run was made from"):
        copy_bronze()
    assert not paths.at(paths.BRONZE_DATA, **FILE_FIELDS).exists()


def test_bronze_layer_report(workspace):
    make_manifest()
    copy_bronze()
    out = layer_report(
        "bronze_layer_report",
        {
            "metadata": paths.BRONZE_METADATA,
            "run_log": paths.BRONZE_RUN_LOG,
            "report": paths.BRONZE_REPORT,
        },
        metas=[paths.at(paths.BRONZE_FILE_META, **FILE_FIELDS)],
    )
    meta = read_yaml(out["metadata"])
    assert (meta["layer"], meta["run_id"], meta["status"]) == ("bronze", RUN_ID, "complete")
    size = raw_path().stat().st_size
    assert meta["totals"] == {"files": 1, "sources": ["erp"], "data_rows": 4, "size_bytes": size}
    assert [f["table"] for f in meta["files"]] == [TABLE]
    log = out["run_log"].read_text()
    assert f"copied {raw_path().as_posix()} -> " in log and "4 data rows" in log
    assert FILE in out["report"].read_text()


# --- Silver -----------------------------------------------------------------------------------


def test_silver_accounts_for_every_row(workspace):
    make_manifest()
    copy_bronze()
    meta = clean_silver()
    assert list(meta) == SILVER_TABLE_KEYS
    assert (meta["rows_in"], meta["rows_out"], meta["rows_quarantined"]) == (4, 3, 1)
    assert meta["balanced"] is True
    assert meta["quarantine_by_rule"] == {"malformed_line": 1}
    data = pq.read_table(paths.at(paths.SILVER_DATA, **TABLE_FIELDS))
    quarantine = pq.read_table(paths.at(paths.SILVER_QUARANTINE, **TABLE_FIELDS))
    assert (data.num_rows, quarantine.num_rows) == (meta["rows_out"], meta["rows_quarantined"])
    assert data.column("id").to_pylist() == ["AC_BR", "AC_BS", "BI_MB"]
    assert meta["contract"] == paths.contract_path("silver", TABLE).as_posix()
    assert {c["status"] for c in meta["checks"]} == {"pass"}
    assert list(meta["timings"]) == [
        "clean_seconds", "checks_seconds", "read_seconds", "write_seconds", "total_seconds",
    ]  # fmt: skip
    assert meta["warnings"] == []


def test_silver_warns_about_a_latin1_export(workspace):
    write_raw(CATEGORIES[:-1] + ["CL_CA,Clothing,Casquettes élégantes,No"], encoding="latin-1")
    make_manifest()
    copy_bronze()
    meta = clean_silver()
    assert meta["rows_out"] == 4
    [warning] = meta["warnings"]
    assert warning.startswith(f"{TABLE}: {paths.at(paths.BRONZE_DATA, **FILE_FIELDS)} is not ")
    assert "it was read as Latin-1" in warning


def test_silver_refuses_a_contract_edited_since_the_run_was_made(workspace):
    make_manifest()
    copy_bronze()
    contract = paths.contract_path("silver", TABLE)
    contract.write_text(contract.read_text() + "\n# edited\n")
    with pytest.raises(PipelineError, match="is not the one run .* was made with"):
        clean_silver()


def test_silver_report_and_an_open_gate(workspace):
    make_manifest()
    copy_bronze()
    clean_silver()
    out = silver_report()
    meta, checks = read_yaml(out["metadata"]), read_json(out["checks"])
    assert (meta["layer"], meta["status"]) == ("silver", "passed")
    assert meta["totals"]["rows_in"] == meta["totals"]["rows_out"] + 1
    assert checks["summary"] == {"total": 6, "passed": 6, "failed_error": 0, "failed_warn": 0}
    assert f"{TABLE}: 4 in = 3 out + 1 quarantined (malformed_line 1)" in out["run_log"].read_text()
    assert TABLE in out["report"].read_text()
    record = read_yaml(out["gate"])
    assert (record["layer"], record["status"], record["failures"]) == ("silver", "open", [])
    assert record["checks"] == checks["summary"]
    assert record["report"] == paths.SILVER_REPORT.format(run_id=RUN_ID)
    assert complete([record])["status"] == "complete"


def test_a_failing_error_check_closes_the_gate_and_blocks_the_run(workspace):
    write_raw(CATEGORIES + ["AC_BR,Accessories,Bike Racks,Maybe"])
    make_manifest()
    copy_bronze()
    clean_silver()
    out = silver_report()
    assert read_yaml(out["metadata"])["status"] == "failed"
    record = read_yaml(out["gate"])
    assert record["status"] == "closed"
    assert {f["id"] for f in record["failures"]} == {"unique_id", "accepted_values_maintenance"}
    with pytest.raises(PipelineError) as error:
        complete([record])
    message = str(error.value)
    assert message.startswith(f"Silver quality gate closed for run {RUN_ID}: 2 error-level")
    assert f"{TABLE}.unique_id" in message and f"{TABLE}.accepted_values_maintenance" in message
    assert not paths.at(paths.RUN_STATUS, run_id=RUN_ID).exists()


# --- Gold -------------------------------------------------------------------------------------


def write_fact_sales() -> Path:
    """A tiny fact_sales mart: three orders over two months, one line without an order date."""
    date = pd.ArrowDtype(pa.date32())
    fact = pd.DataFrame(
        {
            "order_number": pd.array(["SO1", "SO1", "SO2", "SO3"], dtype="str"),
            "customer_key": pd.array([1, 1, 2, 1], dtype="Int64"),
            "quantity": pd.array([1, 2, 1, 1], dtype="Int64"),
            "sales_amount": pd.array([10.0, 40.0, 5.5, 3.0], dtype="Float64"),
            "order_date": pd.Series(
                [dt.date(2025, 1, 3), dt.date(2025, 1, 3), dt.date(2025, 2, 1), None], dtype=date
            ),
        }
    )
    path = paths.at(paths.GOLD_DATA, run_id=RUN_ID, mart="fact_sales")
    write_parquet(fact, path)
    return path


def build_mart(fact: Path) -> dict:
    meta = paths.at(paths.GOLD_TABLE_META, **MART_FIELDS)
    run_adapter(
        fake_snakemake(
            rule="gold_build_mart",
            input={
                "silver_gate": [],
                "manifest": paths.at(paths.RUN_MANIFEST, run_id=RUN_ID),
                "contract": paths.contract_path("gold", MART),
                "silver_tables": [],
                "gold_tables": [fact],
            },
            output={"data": paths.at(paths.GOLD_DATA, **MART_FIELDS), "meta": meta},
            wildcards=MART_FIELDS,
        )
    )
    return read_yaml(meta)


def test_gold_builds_a_mart_with_its_metadata(workspace):
    make_manifest()
    fact = write_fact_sales()
    meta = build_mart(fact)
    assert list(meta) == GOLD_MART_KEYS
    assert (meta["table"], meta["layer"], meta["rows_out"]) == (MART, "gold", 3)
    assert meta["inputs"] == [
        {
            "table": "fact_sales",
            "layer": "gold",
            "path": str(fact),
            "rows": 4,
            "sha256": sha256(fact),
        }
    ]
    assert {c["id"]: c["status"] for c in meta["checks"]}["sales_reconcile_to_fact"] == "pass"
    assert {c["status"] for c in meta["checks"]} == {"pass"}
    assert meta["column_lineage"]["month"] == ["fact_sales.order_date"]
    assert list(meta["timings"]) == [
        "read_seconds", "build_seconds", "checks_seconds", "total_seconds",
    ]  # fmt: skip
    months = pq.read_table(paths.at(paths.GOLD_DATA, **MART_FIELDS)).column("month").to_pylist()
    assert months == ["2025-01", "2025-02", "unknown"]


def test_gold_csv_export_has_every_row(workspace):
    make_manifest()
    build_mart(write_fact_sales())
    csv = paths.at(paths.GOLD_CSV, **MART_FIELDS)
    run_adapter(
        fake_snakemake(
            rule="gold_export_csv",
            input={"data": paths.at(paths.GOLD_DATA, **MART_FIELDS)},
            output={"csv": csv},
            wildcards=MART_FIELDS,
        )
    )
    lines = csv.read_text().splitlines()
    assert lines[0].startswith('"month","orders"') and len(lines) == 1 + 3


def test_gold_report_with_kpis_and_charts_and_its_gate(workspace):
    make_manifest()
    fact = write_fact_sales()
    build_mart(fact)
    out = layer_report(
        "gold_layer_report",
        {
            "metadata": paths.GOLD_METADATA,
            "checks": paths.GOLD_CHECKS,
            "run_log": paths.GOLD_RUN_LOG,
            "report": paths.GOLD_REPORT,
            "gate": paths.GOLD_GATE,
        },
        {"report": paths.GOLD_REPORT.format(run_id=RUN_ID)},
        metas=[paths.at(paths.GOLD_TABLE_META, **MART_FIELDS)],
        kpi_tables=[fact, paths.at(paths.GOLD_DATA, **MART_FIELDS)],
    )
    meta = read_yaml(out["metadata"])
    assert (meta["layer"], meta["status"], meta["silver_run_id"]) == ("gold", "passed", RUN_ID)
    assert meta["kpis"]["orders"] == 3 and meta["kpis"]["sales_amount"] == pytest.approx(58.5)
    assert list(meta)[-2:] == ["marts", "series"]
    assert meta["series"] == {"sales_by_month": {"2025-01": 50.0, "2025-02": 5.5, "unknown": 3.0}}
    assert read_json(out["checks"])["summary"]["failed_error"] == 0
    assert f"{MART}: 3 rows from fact_sales" in out["run_log"].read_text()
    assert "<svg" in out["report"].read_text()
    gate = read_yaml(out["gate"])
    assert (gate["layer"], gate["status"], gate["failures"]) == ("gold", "open", [])
