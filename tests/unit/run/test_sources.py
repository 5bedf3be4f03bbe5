"""Discovering raw tables, and refusing names that cannot become tables."""

import pytest

from warehouse.core.errors import PipelineError
from warehouse.run.sources import discover_raw_files


def test_sources_are_folders_and_tables_are_source_plus_lowercase_stem(tmp_path):
    (tmp_path / "source_crm").mkdir()
    (tmp_path / "source_erp").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "source_crm" / "cust_info.csv").write_text("a\n")
    (tmp_path / "source_erp" / "CUST_AZ12.csv").write_text("a\n")
    (tmp_path / "source_erp" / "README.txt").write_text("ignored")
    (tmp_path / "notes" / "x.csv").write_text("ignored: not a source folder")
    found = discover_raw_files(tmp_path)
    assert [(r.source, r.file, r.table) for r in found] == [
        ("crm", "cust_info.csv", "crm_cust_info"),
        ("erp", "CUST_AZ12.csv", "erp_cust_az12"),
    ]


def test_no_csv_at_all_says_where_to_put_files(tmp_path):
    (tmp_path / "source_crm").mkdir()
    (tmp_path / "source_crm" / "export.xlsx").write_bytes(b"PK")
    with pytest.raises(PipelineError, match=r"No CSV files found under .*source_\*/.*generate"):
        discover_raw_files(tmp_path)


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="does not exist"):
        discover_raw_files(tmp_path / "nope")


@pytest.mark.parametrize("name", ["cust info.csv", "kunden;2024.csv", "DATA.CSV"])
def test_unusable_file_name_is_refused_with_a_rename(tmp_path, name):
    (tmp_path / "source_crm").mkdir()
    (tmp_path / "source_crm" / name).write_text("a\n")
    with pytest.raises(PipelineError, match=r"rename it, e\.g\. to"):
        discover_raw_files(tmp_path)


def test_two_files_that_become_one_table_are_refused(tmp_path):
    (tmp_path / "source_erp").mkdir()
    (tmp_path / "source_erp" / "loc.csv").write_text("a\n")
    (tmp_path / "source_erp" / "LOC.csv").write_text("a\n")
    with pytest.raises(PipelineError, match="both become table erp_loc"):
        discover_raw_files(tmp_path)
