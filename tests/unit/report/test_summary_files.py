"""What the summary and the runs index read of a workspace: job benchmarks (a per-file job's name
spans two folders), the latest earlier summary, the inputs by role, and report links relative to
the index page."""

from __future__ import annotations

from warehouse.core import paths
from warehouse.core.io import read_json, write_json, write_text, write_yaml
from warehouse.report import runs_index
from warehouse.report.summary import load_inputs, previous_summary, read_benchmarks

RUN_0 = "20261130T000000Z_00000000"
RUN_A = "20261201T000000Z_aaaaaaaa"
RUN_B = "20261202T000000Z_bbbbbbbb"
BENCHMARK = "s\th:m:s\tmax_rss\tmax_vms\n{seconds}\t0:00:01\t{rss}\t1.0\n"


def test_read_benchmarks_names_every_job_of_the_run(tmp_path):
    for rule, name, seconds, rss in (
        ("bronze_copy_file", "crm/cust_info.csv", 1.23456, "88.88"),
        ("silver_clean_table", "crm_cust_info", 2, "NA"),  # too short to sample memory
        ("run_manifest", RUN_A, 0.1, "10"),
    ):
        path = paths.at(paths.benchmark(rule, name), tmp_path, run_id=RUN_A)
        write_text(path, BENCHMARK.format(seconds=seconds, rss=rss))
    write_text(paths.at(paths.benchmark("empty"), tmp_path, run_id=RUN_A), "s\th:m:s\n")
    write_text(paths.at(paths.benchmark("run_manifest"), tmp_path, run_id=RUN_B), BENCHMARK)
    write_text(paths.at(paths.log("run_manifest"), tmp_path, run_id=RUN_A), "not a benchmark")

    assert read_benchmarks(RUN_A, tmp_path) == [
        {"rule": "bronze_copy_file", "name": "crm/cust_info.csv", "seconds": 1.235,
         "max_rss_mb": 88.9},
        {"rule": "run_manifest", "name": RUN_A, "seconds": 0.1, "max_rss_mb": 10.0},
        {"rule": "silver_clean_table", "name": "crm_cust_info", "seconds": 2.0,
         "max_rss_mb": None},
    ]  # fmt: skip
    assert read_benchmarks(RUN_0, tmp_path) == []


def test_previous_summary_is_the_latest_earlier_one(tmp_path):
    assert previous_summary(RUN_A, tmp_path) is None
    for run_id in (RUN_0, RUN_B):
        write_json(paths.at(paths.SUMMARY_JSON, tmp_path, run_id=run_id), {"run_id": run_id})
    paths.at(paths.REPORTS_DIR, tmp_path, run_id="20261130T120000Z_11111111").mkdir()  # no JSON
    assert previous_summary(RUN_A, tmp_path) == {"run_id": RUN_0}
    assert previous_summary(RUN_B, tmp_path) == {"run_id": RUN_0}
    assert previous_summary("20261203T000000Z_cccccccc", tmp_path) == {"run_id": RUN_B}
    assert previous_summary(RUN_0, tmp_path) is None


def test_load_inputs_reads_each_role_with_its_reader(tmp_path):
    write_yaml(tmp_path / "manifest.yaml", {"run_id": RUN_A})
    write_json(tmp_path / "checks.json", {"results": []})
    loaded = load_inputs(
        {
            "manifest": str(tmp_path / "manifest.yaml"),
            "silver_checks": str(tmp_path / "checks.json"),
        }
    )
    assert loaded["manifest"] == {"run_id": RUN_A}
    assert loaded["silver_checks"] == {"results": []}
    assert loaded["gold"] is None and loaded["gold_checks"] is None


def test_runs_index_links_reports_relative_to_the_index_page(tmp_path):
    manifest = {"run_id": RUN_A, "minted_at": "2026-12-01T00:00:00+00:00", "raw_files": [{}]}
    write_yaml(paths.at(paths.RUN_MANIFEST, tmp_path, run_id=RUN_A), manifest)
    write_json(paths.at(paths.SUMMARY_JSON, tmp_path, run_id=RUN_A), {"status": "blocked"})
    write_text(paths.at(paths.SUMMARY_HTML, tmp_path, run_id=RUN_A), "<html></html>")
    write_text(paths.at(paths.SILVER_REPORT, tmp_path, run_id=RUN_A), "<html></html>")
    write_yaml(paths.at(paths.SILVER_METADATA, tmp_path, run_id=RUN_A), {"totals": {"rows_out": 7}})
    write_text(paths.at(paths.BRONZE_METADATA, tmp_path, run_id=RUN_A), "[damaged")

    index = runs_index.refresh(tmp_path)

    assert read_json(paths.at(paths.RUNS_INDEX_JSON, tmp_path)) == index
    [run] = index["runs"]
    assert (run["run_id"], run["status"], run["raw_files"]) == (RUN_A, "blocked", 1)
    assert run["rows"] == {"bronze": None, "silver": 7, "quarantined": None, "gold": None}
    assert run["links"] == {
        "summary": f"reports/{RUN_A}/summary_report.html",
        "bronze": None,
        "silver": f"silver/{RUN_A}/reports/elt_report.html",
        "gold": None,
    }
    page = paths.at(paths.RUNS_INDEX_HTML, tmp_path).read_text(encoding="utf-8")
    assert f'href="reports/{RUN_A}/summary_report.html"' in page
