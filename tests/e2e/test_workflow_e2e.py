"""End-to-end: the real `snakemake` on small data in a temporary copy of the project.

These are the behaviours of the run model a user relies on: a cold run builds Bronze, an
unchanged workspace does nothing, any change makes a new run and never touches an old one, and
an explicit run id completes or backfills exactly that run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from test_lineage_graph_e2e import dag_graph, summary_lineage

from conftest import schema_validator
from openlineage_spec import assert_valid

pytestmark = pytest.mark.e2e

RUN_ID = re.compile(r"^\d{8}T\d{6}Z_[0-9a-f]{8}$")


def _only_run(ws) -> str:
    ids = ws.run_ids()
    assert len(ids) == 1, ids
    return ids[0]


def test_cold_run_builds_a_verified_bronze_layer(built_workspace):
    result = built_workspace.first_result
    assert result.returncode == 0, result.output
    run_id = _only_run(built_workspace)
    assert RUN_ID.match(run_id)
    assert f"Run {run_id}: new run" in result.output

    root = built_workspace.root
    bronze = root / "artifacts" / "bronze" / run_id
    for raw in (root / "raw").glob("source_*/*.csv"):
        source = raw.parent.name.removeprefix("source_")
        assert (bronze / "data" / source / raw.name).read_bytes() == raw.read_bytes()

    meta = yaml.safe_load((bronze / "metadata.yaml").read_text())
    schema_validator("bronze_metadata.schema.json").validate(meta)
    assert meta["run_id"] == run_id
    assert meta["totals"]["files"] == 6
    assert meta["totals"]["sources"] == ["crm", "erp"]
    raw_lines = sum(
        len(p.read_bytes().rstrip(b"\r\n").split(b"\r\n")) - 1
        for p in (root / "raw").glob("source_*/*.csv")
    )
    assert meta["totals"]["data_rows"] == raw_lines
    loc = next(f for f in meta["files"] if f["file"] == "LOC_A101.csv")
    assert loc["ends_with_newline"] is False
    assert loc["sha256"] == loc["source_sha256"]
    assert any("LOC_A101.csv has no line break" in w for w in meta["warnings"])

    manifest = yaml.safe_load((root / "artifacts/orchestrator" / run_id / "run.yaml").read_text())
    assert manifest["fingerprint"]["combined"].startswith(run_id[-8:])
    assert {f["file"] for f in manifest["raw_files"]} == {
        "cust_info.csv",
        "prd_info.csv",
        "sales_details.csv",
        "CUST_AZ12.csv",
        "LOC_A101.csv",
        "PX_CAT_G1V2.csv",
    }

    html = (bronze / "reports" / "elt_report.html").read_text()
    assert "cust_info.csv" in html and "<script" not in html and "http" not in html.lower()
    assert (bronze / "run_log.txt").read_text().count(" copied raw/") == 6
    # Silver: one typed Parquet table per Bronze table; rows balance; the gate is open.
    silver = root / "artifacts" / "silver" / run_id
    silver_meta = yaml.safe_load((silver / "metadata.yaml").read_text())
    assert [t["table"] for t in silver_meta["tables"]] == [
        "crm_cust_info",
        "crm_prd_info",
        "crm_sales_details",
        "erp_cust_az12",
        "erp_loc_a101",
        "erp_px_cat_g1v2",
    ]
    for t in silver_meta["tables"]:
        assert t["rows_in"] == t["rows_out"] + t["rows_quarantined"], t["table"]
        assert pq.read_metadata(silver / "data" / f"{t['table']}.parquet").num_rows == t["rows_out"]
    schema = pq.read_schema(silver / "data" / "crm_sales_details.parquet")
    assert str(schema.field("sls_order_dt").type) == "date32[day]"
    assert str(schema.field("sls_quantity").type) == "int64"
    assert str(schema.field("_source_row").type) == "int64"
    checks = json.loads((silver / "checks.json").read_text())
    assert checks["summary"]["failed_error"] == 0
    validator = schema_validator("silver_metadata.schema.json")
    validator.validate(silver_meta)
    table_schema = {"$ref": "silver_metadata.schema.json#/$defs/table"}
    for path in (silver / "tables").glob("*.yaml"):
        validator.evolve(schema=table_schema).validate(yaml.safe_load(path.read_text()))
    schema_validator("checks.schema.json").validate(checks)
    assert yaml.safe_load((silver / "quality_gate.yaml").read_text())["status"] == "open"
    assert "crm_cust_info" in (silver / "reports" / "elt_report.html").read_text()
    # Gold: every mart is typed as its contract says, no orphan keys, aggregates reconcile.
    gold = root / "artifacts" / "gold" / "marts" / run_id
    gold_meta = yaml.safe_load((gold / "metadata.yaml").read_text())
    assert gold_meta["status"] in ("passed", "passed_with_warnings")
    gold_validator = schema_validator("gold_metadata.schema.json")
    gold_validator.validate(gold_meta)
    for path in (gold / "tables").glob("*.yaml"):
        mart_schema = {"$ref": "gold_metadata.schema.json#/$defs/mart"}
        gold_validator.evolve(schema=mart_schema).validate(yaml.safe_load(path.read_text()))
    gold_checks = json.loads((gold / "checks.json").read_text())
    schema_validator("checks.schema.json").validate(gold_checks)
    assert gold_checks["summary"]["failed_error"] == 0
    assert yaml.safe_load((gold / "quality_gate.yaml").read_text())["status"] == "open"
    fact = pq.read_table(gold / "data" / "fact_sales.parquet")
    assert fact.num_rows == pq.read_metadata(silver / "data/crm_sales_details.parquet").num_rows
    assert fact.column("product_key").null_count == 0
    assert fact.column("customer_key").null_count == 0
    assert str(fact.schema.field("order_date").type) == "date32[day]"
    assert str(fact.schema.field("customer_key").type) == "int64"
    total = sum(fact.column("sales_amount").to_pylist())
    for name in ("agg_sales_monthly", "agg_sales_by_country", "agg_sales_by_category"):
        agg = pq.read_table(gold / "data" / f"{name}.parquet")
        assert sum(agg.column("sales_amount").to_pylist()) == pytest.approx(total, abs=0.005)
    assert gold_meta["kpis"]["sales_amount"] == pytest.approx(total, abs=0.005)
    report = (gold / "reports" / "gold_report.html").read_text()
    assert "<svg" in report and "Sales by country" in report
    # The run's story: summary (schema-valid), lineage from the DAG, OpenLineage, runs index.
    reports = root / "artifacts" / "reports" / run_id
    summary = json.loads((reports / "summary_report.json").read_text())
    schema_validator("summary_report.schema.json").validate(summary)
    assert summary["status"] == "complete" and summary["since_previous"] is None
    node_ids = {n["id"] for n in summary["lineage"]["nodes"]}
    for table in (t["table"] for t in silver_meta["tables"]):
        assert f"silver:{table}" in node_ids, table
    for mart in (m["table"] for m in gold_meta["marts"]):
        assert f"gold:{mart}" in node_ids, mart
    assert "raw:crm/cust_info.csv" in node_ids and "bronze:crm/cust_info.csv" in node_ids
    assert "crm_cust_info" in (reports / "lineage.svg").read_text()
    assert (reports / "summary_report.md").read_text().startswith(f"# Run {run_id}: complete")
    assert (root / "artifacts/orchestrator" / run_id / "status.yaml").is_file()
    events = [json.loads(line) for line in (reports / "openlineage.jsonl").read_text().splitlines()]
    for event in events:
        assert_valid(event)
    by_state = {}
    for event in events:
        by_state.setdefault(event["eventType"], set()).add(event["job"]["name"])
    assert by_state["START"] == by_state["COMPLETE"] and "FAIL" not in by_state
    assert "silver_clean_table.crm_cust_info" in by_state["COMPLETE"]
    fact_event = next(
        e
        for e in events
        if e["eventType"] == "COMPLETE" and e["job"]["name"].endswith("fact_sales")
    )
    facets = fact_event["outputs"][0]["facets"]
    assert {"schema", "dataQualityAssertions", "columnLineage"} <= set(facets)
    index = json.loads((root / "artifacts" / "runs.json").read_text())
    assert [(r["run_id"], r["status"]) for r in index["runs"]] == [(run_id, "complete")]
    assert run_id in (root / "artifacts" / "index.html").read_text()
    logs = root / "artifacts/orchestrator" / run_id / "logs"
    assert (logs / "bronze_copy_file/crm/cust_info.csv.log").is_file()
    assert (logs / "bronze_copy_file/crm/cust_info.csv.benchmark.tsv").is_file()


def test_unchanged_workspace_does_nothing_then_changes_make_new_runs(built_workspace):
    first = _only_run(built_workspace)
    before = built_workspace.checksums()

    again = built_workspace.snakemake("all")
    assert again.returncode == 0, again.output
    assert "Nothing to be done" in again.output
    assert built_workspace.run_ids() == [first]

    # A raw change makes a new run; the old run's files stay byte-identical.
    raw = built_workspace.root / "raw/source_crm/cust_info.csv"
    raw.write_bytes(raw.read_bytes() + b"99999,AW00099999,Ana,Lopez,S,F,2025-10-06\r\n")
    changed = built_workspace.snakemake("all")
    assert changed.returncode == 0, changed.output
    assert len(built_workspace.run_ids()) == 2
    second = (
        built_workspace.run_ids()[1]
        if built_workspace.run_ids()[0] == first
        else built_workspace.run_ids()[0]
    )
    after = built_workspace.checksums()
    assert {k: v for k, v in after.items() if first in k} == {
        k: v for k, v in before.items() if first in k
    }

    # A code change (even a comment) makes another new run, again without touching old ones.
    script = built_workspace.root / "scripts/bronze_copy_file.py"
    script.write_text(script.read_text() + "\n# a comment\n")
    assert built_workspace.snakemake("all").returncode == 0
    assert len(built_workspace.run_ids()) == 3

    # Targeting the first run after raw, code and a contract all changed rebuilds nothing.
    contract = built_workspace.root / "config/contracts/silver/erp_loc_a101.yaml"
    contract.write_text(contract.read_text().replace("USA: United States", "USA: U.S.A."))
    old = built_workspace.snakemake("all", "--config", f"run_id={first}")
    assert old.returncode == 0, old.output
    assert "Nothing to be done" in old.output
    final = built_workspace.checksums()
    for run_id in (first, second):
        assert {k: v for k, v in final.items() if run_id in k} == {
            k: v for k, v in after.items() if run_id in k
        }


def test_an_old_run_is_never_completed_from_changed_raw_data(built_workspace):
    run_id = _only_run(built_workspace)
    copy = built_workspace.root / f"artifacts/bronze/{run_id}/data/crm/cust_info.csv"
    copy.unlink()
    raw = built_workspace.root / "raw/source_crm/cust_info.csv"
    original = raw.read_bytes()
    raw.write_bytes(original + b"99999,AW00099999,Ana,Lopez,S,F,2025-10-06\r\n")

    result = built_workspace.snakemake("all", "--config", f"run_id={run_id}")
    assert result.returncode != 0
    assert "raw/source_crm/cust_info.csv is not the file this run was made from" in result.output
    assert not copy.exists()

    # Restoring the original export lets the same run complete, identical to before.
    raw.write_bytes(original)
    again = built_workspace.snakemake("all", "--config", f"run_id={run_id}")
    assert again.returncode == 0, again.output
    assert copy.read_bytes() == original


def test_explicit_run_id_backfills_that_run_and_one_file_can_be_targeted(workspace):
    run_id = "20240101T000000Z_0000beef"
    result = workspace.snakemake("all", "--config", f"run_id={run_id}")
    assert result.returncode == 0, result.output
    assert workspace.run_ids() == [run_id]
    manifest = yaml.safe_load(
        (workspace.root / f"artifacts/orchestrator/{run_id}/run.yaml").read_text()
    )
    assert manifest["ingestion_date"] == "2024-01-01"
    assert manifest["explicit_run_id"] is True

    # Building one artifact by its file name rebuilds exactly that file.
    target = f"artifacts/bronze/{run_id}/data/erp/LOC_A101.csv"
    (workspace.root / target).unlink()
    single = workspace.snakemake(target)
    assert single.returncode == 0, single.output
    assert "bronze_copy_file" in single.output and "bronze_layer_report" not in single.output
    assert (workspace.root / target).read_bytes() == (
        workspace.root / "raw/source_erp/LOC_A101.csv"
    ).read_bytes()


def test_malformed_run_id_is_refused_with_the_expected_shape(workspace):
    result = workspace.snakemake("all", "--config", "run_id=latest")
    assert result.returncode != 0
    assert "run_id 'latest' is not a valid run id" in result.output
    assert "YYYYMMDDTHHMMSSZ" in result.output
    assert not (workspace.root / "artifacts/orchestrator").exists()


def test_no_csv_under_raw_is_a_clear_error(workspace):
    for csv in (workspace.root / "raw").glob("*/*.csv"):
        csv.unlink()
    result = workspace.snakemake("all")
    assert result.returncode != 0
    assert "No CSV files found under raw/source_*/" in result.output
    assert "Traceback (most recent call last)" not in result.output


def test_dry_run_plans_one_job_per_raw_file_and_writes_no_run(workspace):
    result = workspace.snakemake("-n", "all")
    assert result.returncode == 0, result.output
    assert re.search(r"bronze_copy_file\s+6", result.output), result.output
    assert workspace.run_ids() == []
    dag = workspace.snakemake("--dag")
    assert dag.returncode == 0
    assert dag.stdout.count('label = "bronze_copy_file') == 6


def test_lint_has_no_advice_beyond_the_documented_software_env_one(workspace):
    result = workspace.snakemake("--lint")
    advice = re.findall(r"^\s+\* (.+?):$", result.output, flags=re.M)
    assert advice, result.output  # the linter ran and printed its advice
    assert set(advice) == {"Specify a conda environment or container for each rule."}
    # Linting never pays for a fingerprint (no run chosen, no raw file hashed).
    assert "Run " not in result.output
    assert not (workspace.root / "artifacts").exists()


def test_bronze_convenience_target(workspace):
    result = workspace.snakemake("bronze")
    assert result.returncode == 0, result.output
    run_id = _only_run(workspace)
    assert (Path(workspace.root) / f"artifacts/bronze/{run_id}/metadata.yaml").is_file()


def test_old_run_is_never_completed_with_a_changed_contract(built_workspace):
    run_id = _only_run(built_workspace)
    contract = built_workspace.root / "config/contracts/silver/erp_loc_a101.yaml"
    contract.write_text(contract.read_text().replace("DE: Germany", "DE: Deutschland"))
    (built_workspace.root / f"artifacts/silver/{run_id}/data/erp_loc_a101.parquet").unlink()
    result = built_workspace.snakemake("all", "--config", f"run_id={run_id}")
    assert result.returncode != 0
    assert (
        f"contract config/contracts/silver/erp_loc_a101.yaml is not the one run {run_id} "
        "was made with" in result.output
    )


def test_error_level_check_failure_closes_the_gate_and_keeps_the_report(workspace):
    categories = workspace.root / "raw/source_erp/PX_CAT_G1V2.csv"
    categories.write_bytes(categories.read_bytes() + b"AC_BR,Accessories,Bike Racks,Maybe\r\n")
    result = workspace.snakemake("all")
    assert result.returncode != 0
    assert "Silver quality gate closed" in result.output
    assert "erp_px_cat_g1v2.unique_id" in result.output
    assert "erp_px_cat_g1v2.accepted_values_maintenance" in result.output
    run_id = _only_run(workspace)
    silver = workspace.root / f"artifacts/silver/{run_id}"
    checks = json.loads((silver / "checks.json").read_text())
    failed = {c["id"] for c in checks["results"] if c["status"] == "fail"}
    assert {"unique_id", "accepted_values_maintenance"} <= failed
    assert yaml.safe_load((silver / "metadata.yaml").read_text())["status"] == "failed"
    report = (silver / "reports/elt_report.html").read_text()
    assert "quality gate closed" in report and "Maybe" in report
    assert (silver / "data/erp_px_cat_g1v2.parquet").is_file()
    assert yaml.safe_load((silver / "quality_gate.yaml").read_text())["status"] == "closed"
    assert not (workspace.root / f"artifacts/gold/marts/{run_id}").exists()  # Gold not built
    assert "The next layer is not built" in result.output
    # The blocked run still gets its summary, saying why, and shows as blocked in the index.
    summary = json.loads(
        (workspace.root / f"artifacts/reports/{run_id}/summary_report.json").read_text()
    )
    assert summary["status"] == "blocked"
    assert {f["id"] for f in summary["blocked_by"][0]["failures"]} >= {"unique_id"}
    assert [layer["status"] for layer in summary["layers"]] == ["complete", "failed", "not_built"]
    index = json.loads((workspace.root / "artifacts/runs.json").read_text())
    assert index["runs"][0]["status"] == "blocked"
    # Its lineage (no Gold: no Gold job is part of the run) is the table graph of its DAG.
    lineage = summary_lineage(workspace, run_id)
    assert lineage == dag_graph(workspace, run_id)
    assert not [node for node in lineage["nodes"] if node["layer"] == "gold"]

    # The run stays blocked, with the same message, until the data or the contract changes.
    again = workspace.snakemake("all")
    assert again.returncode != 0
    assert "Silver quality gate closed" in again.output


def test_a_new_csv_without_contract_gets_a_generic_silver_table(workspace):
    extra = workspace.root / "raw/source_erp/PROMO_X1.csv"
    extra.write_bytes(b"PROMO_ID,START,DISCOUNT,NAME\r\n1,2024-01-01,0.1, Spring \r\n2,,,\r\n")
    result = workspace.snakemake("all")
    assert result.returncode == 0, result.output
    run_id = _only_run(workspace)
    table = pq.read_table(workspace.root / f"artifacts/silver/{run_id}/data/erp_promo_x1.parquet")
    assert table.column_names == ["promo_id", "start", "discount", "name", "_source_row"]
    assert [str(t) for t in table.schema.types[:3]] == ["int64", "date32[day]", "double"]
    assert table.column("name").to_pylist() == ["Spring", None]
    meta = yaml.safe_load((workspace.root / f"artifacts/silver/{run_id}/metadata.yaml").read_text())
    assert meta["totals"]["tables_without_contract"] == ["erp_promo_x1"]
    assert any("erp_promo_x1 has no contract" in w for w in meta["warnings"])


def test_gold_keys_are_stable_and_csv_export_is_optional(built_workspace):
    first = _only_run(built_workspace)
    # Same data, config changed (CSV export on): a new run whose marts have the same content.
    config = built_workspace.root / "config/config.yaml"
    config.write_text(config.read_text().replace("export_csv: false", "export_csv: true"))
    result = built_workspace.snakemake("all")
    assert result.returncode == 0, result.output
    second = next(r for r in built_workspace.run_ids() if r != first)
    for mart in ("dim_customers", "dim_products", "fact_sales"):
        a, b = (
            yaml.safe_load(
                (
                    built_workspace.root / f"artifacts/gold/marts/{run}/tables/{mart}.yaml"
                ).read_text()
            )["output"]["content_sha256"]
            for run in (first, second)
        )
        assert a == b, mart
    csv = built_workspace.root / f"artifacts/gold/marts/{second}/data/dim_customers.csv"
    assert csv.read_text().splitlines()[0].startswith('"customer_key","customer_id"')
    assert not (
        built_workspace.root / f"artifacts/gold/marts/{first}/data/dim_customers.csv"
    ).exists()


HOSTILE = "<script>alert(1)</script>"


def test_run_diff_reports_exactly_one_changed_customer_and_html_escapes_values(built_workspace):
    first = _only_run(built_workspace)
    raw = built_workspace.root / "raw/source_crm/cust_info.csv"
    lines = raw.read_bytes().split(b"\r\n")
    row = lines[1].split(b",")  # customer 11000 (line 2), kept by Silver
    row[2] = HOSTILE.encode()
    lines[1] = b",".join(row)
    raw.write_bytes(b"\r\n".join(lines))
    assert built_workspace.snakemake("all").returncode == 0
    second = next(r for r in built_workspace.run_ids() if r != first)

    target = f"artifacts/diffs/{first}__{second}/diff_report.json"
    result = built_workspace.snakemake(target)
    assert result.returncode == 0, result.output
    diff = json.loads((built_workspace.root / target).read_text())
    gold = {t["name"]: t for t in diff["layers"]["gold"]["tables"]}
    changed = {name for name, t in gold.items() if t["status"] != "unchanged"}
    assert changed == {"dim_customers"}
    row_diff = gold["dim_customers"]["row_diff"]
    assert (row_diff["added"], row_diff["removed"], row_diff["changed"]) == (0, 0, 1)
    assert row_diff["changed_columns"] == {"first_name": 1}
    assert row_diff["changed_sample"][0]["changes"]["first_name"]["to"] == HOSTILE

    # The summary of the second run compares with the first.
    summary = json.loads(
        (built_workspace.root / f"artifacts/reports/{second}/summary_report.json").read_text()
    )
    assert summary["since_previous"]["run_id"] == first

    # Every HTML page: the hostile value never appears unescaped; the diff shows it escaped.
    pages = list((built_workspace.root / "artifacts").rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        assert HOSTILE not in page.read_text(), page
    diff_html = (built_workspace.root / target).with_suffix(".html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in diff_html

    # A standard Snakemake report can be built too, with the flagged HTML and SVG outputs.
    report = built_workspace.snakemake("all", "--report", "report.html")
    assert report.returncode == 0, report.output
    assert (built_workspace.root / "report.html").stat().st_size > 100_000
