"""The report rules, run through their adapters (scripts/<rule>.py) with a fake ``snakemake``
object on small fake runs: run_diff compares two runs that differ in one customer's name, and
run_summary_report writes the summary of a run blocked by its Silver gate, with its lineage and
the job times and comparison with the previous run it reads beside its declared inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fake_snakemake import fake_snakemake, run_adapter

from warehouse.core import paths
from warehouse.core.io import read_json, write_json, write_text, write_yaml
from warehouse.core.parquet import write_parquet
from warehouse.report import run_summary
from warehouse.run.outputs import summary_inputs

RUN_0 = "20261130T000000Z_00000000"
RUN_A = "20261201T000000Z_aaaaaaaa"
RUN_B = "20261202T000000Z_bbbbbbbb"
HOSTILE = "<script>alert(1)</script>"


# --- run_diff -------------------------------------------------------------------------------


def make_run(root: Path, run_id: str, first_name: str) -> None:
    """The files run_diff reads of one run: metadata, checks and one Gold mart with a key."""
    customers = pd.DataFrame(
        {"customer_key": [1, 2], "first_name": [first_name, "Ana"]}
    ).convert_dtypes(dtype_backend="numpy_nullable")
    schema = [{"name": "customer_key", "type": "int"}, {"name": "first_name", "type": "string"}]
    fingerprint = {"raw": first_name, "code": "c", "config": "k", "combined": run_id}
    write_yaml(paths.at(paths.RUN_MANIFEST, root, run_id=run_id), {"fingerprint": fingerprint})
    write_yaml(paths.at(paths.BRONZE_METADATA, root, run_id=run_id), {"files": []})
    silver = write_parquet(
        customers, paths.at(paths.SILVER_DATA, root, run_id=run_id, table="crm_cust_info")
    )
    table = {"table": "crm_cust_info", "rows_out": 2, "rows_quarantined": 0, "output": silver}
    write_yaml(
        paths.at(paths.SILVER_METADATA, root, run_id=run_id),
        {"status": "passed", "tables": [{**table, "schema_out": schema}]},
    )
    write_json(paths.at(paths.SILVER_CHECKS, root, run_id=run_id), {"results": []})
    gold = write_parquet(
        customers, paths.at(paths.GOLD_DATA, root, run_id=run_id, mart="dim_customers")
    )
    mart = {"table": "dim_customers", "key": ["customer_key"], "rows_out": 2, "output": gold}
    write_yaml(
        paths.at(paths.GOLD_METADATA, root, run_id=run_id),
        {"status": "passed", "marts": [{**mart, "schema_out": schema}]},
    )
    write_json(paths.at(paths.GOLD_CHECKS, root, run_id=run_id), {"results": []})


def test_run_diff_writes_the_json_and_html_of_one_changed_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # rules run in the workspace
    make_run(tmp_path, RUN_A, "Kenji")
    make_run(tmp_path, RUN_B, HOSTILE)
    fields = {"run_a": RUN_A, "run_b": RUN_B}
    smk = fake_snakemake(
        rule="run_diff",
        input={
            "a": [paths.SUMMARY_JSON.format(run_id=RUN_A)],
            "b": [paths.SUMMARY_JSON.format(run_id=RUN_B)],
        },
        output={"json": paths.DIFF_JSON.format(**fields), "html": paths.DIFF_HTML.format(**fields)},
        wildcards=fields,
    )
    run_adapter(smk)

    diff = read_json(Path(smk.output.json))
    assert (diff["run_a"], diff["run_b"]) == (RUN_A, RUN_B) and diff["created_at"]
    assert diff["summary"]["rows_changed"] == 1 and diff["summary"]["identical"] is False
    row_diff = diff["layers"]["gold"]["tables"][0]["row_diff"]
    assert row_diff["changed_sample"] == [
        {"key": {"customer_key": 1}, "changes": {"first_name": {"from": "Kenji", "to": HOSTILE}}}
    ]
    assert diff["fingerprint"]["raw"]["equal"] is False
    html = Path(smk.output.html).read_text(encoding="utf-8")
    assert f"Run diff: {RUN_A} → {RUN_B}" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html


def test_run_diff_of_an_unknown_run_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path, RUN_A, "Kenji")
    fields = {"run_a": RUN_A, "run_b": RUN_B}
    smk = fake_snakemake(
        rule="run_diff",
        output={"json": paths.DIFF_JSON.format(**fields), "html": paths.DIFF_HTML.format(**fields)},
        wildcards=fields,
    )
    with pytest.raises(ValueError, match=f"run '{RUN_B}' has no artifacts"):
        run_adapter(smk)
    assert not Path(smk.output.json).exists()


# --- run_summary_report ---------------------------------------------------------------------


def blocked_run(root: Path, run_id: str) -> dict[str, str]:
    """The declared inputs of the summary of a run whose Silver gate closed (no Gold)."""
    failure = {"table": "erp_px_cat_g1v2", "id": "unique_id", "check": "unique"}
    failure |= {"severity": "error", "status": "fail", "failing_rows": 1}
    failure |= {"description": "ID is unique", "sample": [{"ID": "AC_BR"}]}
    files = {
        "manifest": {
            "run_id": run_id,
            "minted_at": "2026-12-01T00:00:00+00:00",
            "ingestion_date": "2026-12-01",
            "fingerprint": {"combined": "f" * 64, "raw": "r", "code": "c", "config": "k"},
            "raw_files": [
                {
                    "source": "erp",
                    "file": "PX_CAT_G1V2.csv",
                    "path": "raw/source_erp/PX_CAT_G1V2.csv",
                }
            ],
            "config_files": {"config/contracts/gold/dim_products.yaml": "0" * 64},
        },
        "bronze": {
            "files": [
                {
                    "table": "erp_px_cat_g1v2",
                    "raw_path": "raw/source_erp/PX_CAT_G1V2.csv",
                    "data_rows": 4,
                }
            ]
        },
        "silver": {
            "status": "failed",
            "tables": [
                {
                    "table": "erp_px_cat_g1v2",
                    "rows_in": 4,
                    "rows_out": 3,
                    "rows_quarantined": 1,
                    "quarantine_by_rule": {"too_many_fields": 1},
                    "contract": "config/contracts/silver/erp_px_cat_g1v2.yaml",
                    "schema_out": [{"name": "ID", "type": "string"}],
                }
            ],
            "warnings": ["one row had a field too many"],
        },
        "silver_checks": {
            "summary": {"total": 2, "passed": 1, "failed_error": 1, "failed_warn": 0},
            "results": [failure, {**failure, "id": "not_null_id", "status": "pass"}],
        },
        "silver_gate": {
            "layer": "silver",
            "status": "closed",
            "report": paths.SILVER_REPORT.format(run_id=run_id),
            "failures": [failure],
        },
    }
    declared = summary_inputs(run_id, gold_built=False)
    for role, data in files.items():
        writer = write_json if role == "silver_checks" else write_yaml
        writer(root / declared[role], data)
    return declared


def summary_rule(run_id: str, shared_fs: bool) -> object:
    return fake_snakemake(
        rule="run_summary_report",
        input=blocked_run(Path("."), run_id),
        output={
            "json": paths.SUMMARY_JSON.format(run_id=run_id),
            "md": paths.SUMMARY_MD.format(run_id=run_id),
            "html": paths.SUMMARY_HTML.format(run_id=run_id),
            "lineage": paths.LINEAGE_SVG.format(run_id=run_id),
        },
        params={
            "shared_fs": shared_fs,
            "agents": {"mode": "off"},
            "llm_calls": paths.LLM_CALLS.format(run_id=run_id),
        },
        wildcards={"run_id": run_id},
    )


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An empty workspace, as the working directory."""
    monkeypatch.chdir(tmp_path)


def previous_summary(run_id: str) -> dict:
    """The summary of an earlier run of the same data before a row was quarantined (just the
    parts the comparison reads)."""
    flow = {"table": "erp_px_cat_g1v2", "bronze_rows": 4, "silver_rows_out": 4}
    return {
        "run_id": run_id,
        "row_flow": [{**flow, "rows_quarantined": 0}],
        "gold_marts": [],
        "schemas": {"silver": {"erp_px_cat_g1v2": [{"name": "ID", "type": "string"}]}},
        "checks": {"results": []},
        "kpis": {},
    }


def test_run_summary_report_of_a_blocked_run(workspace):
    smk = summary_rule(RUN_A, shared_fs=True)
    # Read beside the declared inputs: the latest earlier summary and the jobs' benchmarks.
    write_json(Path(paths.SUMMARY_JSON.format(run_id=RUN_0)), previous_summary(RUN_0))
    write_json(Path(paths.SUMMARY_JSON.format(run_id=RUN_B)), {})  # a later run: not compared
    copy = paths.benchmark("bronze_copy_file", "erp/PX_CAT_G1V2.csv").format(run_id=RUN_A)
    write_text(Path(copy), "s\th:m:s\tmax_rss\n0.51234\t0:00:00\t80.04\n")
    gate = paths.benchmark("silver_layer_report").format(run_id=RUN_A)
    write_text(Path(gate), "s\th:m:s\tmax_rss\n0.2\t0:00:00\tNA\n")

    run_adapter(smk)

    summary = read_json(Path(smk.output.json))
    assert summary["run_id"] == RUN_A and summary["status"] == "blocked"
    assert [layer["status"] for layer in summary["layers"]] == ["complete", "failed", "not_built"]
    assert summary["blocked_by"][0]["failures"][0]["id"] == "unique_id"
    assert summary["jobs"] == [
        {"rule": "bronze_copy_file", "name": "erp/PX_CAT_G1V2.csv", "seconds": 0.512,
         "max_rss_mb": 80.0},
        {"rule": "silver_layer_report", "name": RUN_A, "seconds": 0.2, "max_rss_mb": None},
    ]  # fmt: skip
    # The lineage of what the run declares: no Gold, its Silver gate closed.
    assert summary["lineage"]["edges"] == [
        ["raw:erp/PX_CAT_G1V2.csv", "bronze:erp/PX_CAT_G1V2.csv"],
        ["bronze:erp/PX_CAT_G1V2.csv", "silver:erp_px_cat_g1v2"],
        ["bronze:erp/PX_CAT_G1V2.csv", "report:bronze_layer_report"],
        ["silver:erp_px_cat_g1v2", "report:silver_layer_report"],
        ["report:bronze_layer_report", "report:run_summary_report"],
        ["report:silver_layer_report", "report:run_summary_report"],
    ]
    assert summary["since_previous"]["run_id"] == RUN_0
    assert summary["since_previous"]["row_counts"] == [
        {"layer": "quarantine", "table": "erp_px_cat_g1v2", "from": 0, "to": 1, "delta": 1},
        {"layer": "silver", "table": "erp_px_cat_g1v2", "from": 4, "to": 3, "delta": -1},
    ]
    assert summary["disk"]["run_id"] == RUN_A and summary["disk"]["files"] > 0
    assert summary["warnings"] == ["one row had a field too many"]
    assert summary["narrative"]["source"] == "template"
    assert "is blocked" in summary["narrative"]["text"]

    markdown = Path(smk.output.md).read_text(encoding="utf-8")
    assert markdown.startswith(f"# Run {RUN_A}: blocked")
    assert "**Blocked by the silver quality gate:**" in markdown
    svg = Path(smk.output.lineage).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "erp_px_cat_g1v2" in svg
    html = Path(smk.output.html).read_text(encoding="utf-8")
    assert RUN_A in html and svg.strip() in html


def test_run_summary_report_on_a_storage_provider_leaves_out_what_it_cannot_see(workspace):
    write_json(Path(paths.SUMMARY_JSON.format(run_id=RUN_0)), previous_summary(RUN_0))
    smk = summary_rule(RUN_A, shared_fs=False)
    run_adapter(smk)

    summary = read_json(Path(smk.output.json))
    assert summary["jobs"] == [] and summary["disk"] is None
    assert summary["since_previous"] is None
    assert summary["warnings"][-1] == run_summary.NO_SHARED_FILES
    assert len(summary["lineage"]["nodes"]) == 6  # drawn from the declared inputs alone
    json.dumps(summary, allow_nan=False)
