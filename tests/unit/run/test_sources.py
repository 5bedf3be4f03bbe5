"""Discovering raw tables, and refusing names that cannot become tables."""

import os

import pytest

from warehouse.core.errors import PipelineError
from warehouse.run import sources
from warehouse.run.sources import discover_raw_files, is_os_metadata, os_metadata_files


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


def test_a_suggested_rename_never_names_a_file_that_exists(tmp_path):
    crm = tmp_path / "source_crm"
    crm.mkdir()
    (crm / "cust_info.csv").write_text("a\n")
    (crm / "cust info.csv").write_text("a\n")
    with pytest.raises(PipelineError, match=r"rename it, e\.g\. to cust_info_2\.csv\)") as err:
        discover_raw_files(tmp_path)
    assert "to cust_info.csv" not in str(err.value)


def test_os_metadata_files_are_ignored_and_listed(tmp_path):
    crm = tmp_path / "source_crm"
    crm.mkdir()
    (crm / "cust_info.csv").write_text("a\n")
    (crm / "._cust_info.csv").write_bytes(b"\x00\x05\x16\x07")  # macOS AppleDouble
    (crm / "~$cust_info.csv").write_text("lock")
    assert [r.file for r in discover_raw_files(tmp_path)] == ["cust_info.csv"]
    assert [p.name for p in os_metadata_files(tmp_path)] == ["._cust_info.csv", "~$cust_info.csv"]
    assert is_os_metadata("._X.CSV") and not is_os_metadata("cust_info.csv")


def test_a_dangling_symlink_is_refused_not_skipped(tmp_path):
    crm = tmp_path / "raw" / "source_crm"
    crm.mkdir(parents=True)
    (crm / "cust_info.csv").write_text("a\n")
    (crm / "prd_info.csv").symlink_to("/mnt/not-mounted/prd_info.csv")
    with pytest.raises(
        PipelineError, match=r"prd_info\.csv is a symbolic link to .*does not exist"
    ):
        discover_raw_files(tmp_path / "raw")


def test_a_symlink_out_of_raw_dir_is_refused_and_one_inside_is_read(tmp_path):
    crm = tmp_path / "raw" / "source_crm"
    crm.mkdir(parents=True)
    (crm / "cust_info.csv").write_text("a\n")
    (crm / "same.csv").symlink_to("cust_info.csv")  # inside raw/: fine
    assert len(discover_raw_files(tmp_path / "raw")) == 2
    (tmp_path / "secret.csv").write_text("a\n")
    (crm / "leak.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(PipelineError, match=r"leak\.csv is a symbolic link to .*outside"):
        discover_raw_files(tmp_path / "raw")


def test_a_symlinked_raw_dir_is_the_raw_dir(tmp_path):
    share = tmp_path / "share" / "source_crm"
    share.mkdir(parents=True)
    (share / "cust_info.csv").write_text("a\n")
    (share / "alias.csv").symlink_to(share / "cust_info.csv")
    (tmp_path / "raw").symlink_to(tmp_path / "share")
    assert len(discover_raw_files(tmp_path / "raw")) == 2


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_pipe_named_csv_is_refused(tmp_path, kind):
    crm = tmp_path / "source_crm"
    crm.mkdir()
    if kind == "folder":
        (crm / "cust_info.csv").mkdir()
    else:
        os.mkfifo(crm / "cust_info.csv")
    with pytest.raises(PipelineError, match=r"cust_info\.csv is (a folder|not a regular file)"):
        discover_raw_files(tmp_path)


def test_an_unreadable_file_is_refused_with_the_remedy(tmp_path, monkeypatch):
    # Tests run as root, whom chmod 000 does not stop: the open is made to fail instead.
    crm = tmp_path / "source_crm"
    crm.mkdir()
    (crm / "cust_info.csv").write_text("a\n")

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sources, "open", denied, raising=False)
    with pytest.raises(PipelineError, match=r"cannot be read \(Permission denied\).*chmod a\+r"):
        discover_raw_files(tmp_path)
