"""The path catalog: templates filled in under any workspace root, and found or matched back."""

from __future__ import annotations

from warehouse.core import paths

RUN = "20261201T000000Z_0000beef"


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return path


def test_at_fills_a_template_under_another_workspace(tmp_path):
    path = paths.at(paths.GOLD_DATA, tmp_path, run_id=RUN, mart="fact_sales")
    assert path == tmp_path / f"artifacts/gold/marts/{RUN}/data/fact_sales.parquet"


def test_match_reads_the_wildcards_back_and_refuses_other_files():
    assert paths.match(paths.SILVER_DATA, f"artifacts/silver/{RUN}/data/crm_cust_info.parquet") == {
        "run_id": RUN,
        "table": "crm_cust_info",
    }
    # A quarantine file is not a Silver table, and a fixed field must match.
    assert paths.match(paths.SILVER_DATA, f"artifacts/silver/{RUN}/quarantine/x.parquet") is None
    assert (
        paths.match(paths.CONTRACT, "config/contracts/gold/dim_date.yaml", layer="silver") is None
    )
    assert paths.match(paths.CONTRACT, "config/contracts/gold/dim_date.yaml", layer="gold") == {
        "table": "dim_date"
    }


def test_find_lists_matching_files_only_with_their_wildcards(tmp_path):
    for table in ("b", "a"):
        _touch(paths.at(paths.SILVER_DATA, tmp_path, run_id=RUN, table=table))
    _touch(paths.at(paths.SILVER_QUARANTINE, tmp_path, run_id=RUN, table="a"))
    (tmp_path / f"artifacts/silver/{RUN}/data/folder.parquet").mkdir()  # a folder, not a table
    found = paths.find(paths.SILVER_DATA, tmp_path, run_id=RUN)
    assert [values for values, _ in found] == [{"table": "a"}, {"table": "b"}]
    assert all(path.is_file() for _, path in found)


def test_find_spanning_lets_one_wildcard_cover_folders(tmp_path):
    per_file = paths.benchmark("bronze_copy_file", "crm/cust_info.csv")
    _touch(paths.at(per_file, tmp_path, run_id=RUN))
    _touch(paths.at(paths.benchmark("silver_layer_report"), tmp_path, run_id=RUN))
    plain = paths.find(paths.BENCHMARK, tmp_path, run_id=RUN)
    spanning = paths.find_spanning(paths.BENCHMARK, "name", tmp_path, run_id=RUN)
    assert [v for v, _ in plain] == [{"rule": "silver_layer_report", "name": RUN}]
    assert {(v["rule"], v["name"]) for v, _ in spanning} == {
        ("bronze_copy_file", "crm/cust_info.csv"),
        ("silver_layer_report", RUN),
    }


def test_find_folders_and_relative_links(tmp_path):
    (paths.at(paths.RUN_DIR, tmp_path, run_id=RUN)).mkdir(parents=True)
    _touch(tmp_path / "artifacts/orchestrator/not-a-folder")
    assert [v for v, _ in paths.find_folders(paths.RUN_DIR, tmp_path)] == [{"run_id": RUN}]
    link = paths.link(paths.SUMMARY_HTML, paths.RUNS_INDEX_HTML, run_id=RUN)
    assert link == f"reports/{RUN}/summary_report.html"
