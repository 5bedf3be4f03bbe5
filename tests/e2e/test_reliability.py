"""Reliability: bad input, crashes, concurrent invocations, determinism, hostile paths.

Every bad-input case places a real malformed file in raw/ of a copy of a workspace that already
holds a complete earlier run, builds the affected Silver table of a new run (an explicit run id
keeps each case to a few jobs), and checks: the outcome (handled as data with a quarantine or a
warning, or a clear error naming the file, the line or column and the remedy), the exit code,
that a failed job left no output behind, and that the earlier run's files are byte-identical.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import SNAKEMAKE, Workspace, copy_project, earlier_run_files

pytestmark = pytest.mark.e2e

NEW_RUN = "20300101T000000Z_0000beef"


@pytest.fixture
def base(complete_run) -> Workspace:
    """The module's workspace with one complete run (conftest), copied by each case."""
    return complete_run


def build_table(ws: Workspace, table: str):
    """Build one Silver table (and what it needs) of a new run with an explicit id."""
    target = f"artifacts/silver/{NEW_RUN}/data/{table}.parquet"
    return ws.snakemake(target, "--config", f"run_id={NEW_RUN}"), ws.root / target


def table_meta(ws: Workspace, table: str) -> dict:
    return yaml.safe_load((ws.root / f"artifacts/silver/{NEW_RUN}/tables/{table}.yaml").read_text())


def quarantine(ws: Workspace, table: str):
    return pq.read_table(ws.root / f"artifacts/silver/{NEW_RUN}/quarantine/{table}.parquet")


def assert_earlier_run_untouched(ws: Workspace):
    assert earlier_run_files(ws) == ws.before


def assert_failed_cleanly(ws: Workspace, result, output: Path, *phrases: str):
    assert result.returncode != 0
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output[-3000:])
    assert not output.exists()  # no artifact of the failed job looks complete
    assert_earlier_run_untouched(ws)


def rewrite(path: Path, transform) -> None:
    path.write_bytes(transform(path.read_bytes()))


CUST = "raw/source_crm/cust_info.csv"
SALES = "raw/source_crm/sales_details.csv"


# ---- the bad-input matrix --------------------------------------------------------------------


def test_empty_file_is_a_clear_error(case):
    (case.root / "raw/source_erp/EMPTY_X.csv").write_bytes(b"")
    result, output = build_table(case, "erp_empty_x")
    assert_failed_cleanly(
        case,
        result,
        output,
        "EMPTY_X.csv is empty or its first line is blank",
        "Re-export the table with a header",
    )


def test_header_only_gives_an_empty_typed_table_with_a_warning(case):
    (case.root / "raw/source_erp/HEADER_ONLY.csv").write_bytes(b"ID,NAME\r\n")
    result, output = build_table(case, "erp_header_only")
    assert result.returncode == 0, result.output
    assert pq.read_table(output).num_rows == 0
    assert any("has no contract" in w for w in table_meta(case, "erp_header_only")["warnings"])
    assert_earlier_run_untouched(case)


def test_missing_required_column_names_table_column_and_contract(case):
    rewrite(case.root / CUST, lambda b: b.replace(b",cst_gndr", b"", 1))
    result, output = build_table(case, "crm_cust_info")
    assert_failed_cleanly(
        case,
        result,
        output,
        "crm_cust_info: required column(s) cst_gndr missing from",
        "config/contracts/silver/crm_cust_info.yaml",
    )


def test_renamed_header_is_reported_as_the_missing_column(case):
    rewrite(case.root / CUST, lambda b: b.replace(b"cst_id,", b"customer_id,", 1))
    result, output = build_table(case, "crm_cust_info")
    assert_failed_cleanly(case, result, output, "required column(s) cst_id missing", "header:")


def test_extra_column_is_dropped_with_a_warning(case):
    def add_column(data: bytes) -> bytes:
        lines = data.split(b"\r\n")
        return b"\r\n".join([lines[0] + b",NOTE"] + [x + b",n" if x else x for x in lines[1:]])

    rewrite(case.root / "raw/source_erp/PX_CAT_G1V2.csv", add_column)
    result, output = build_table(case, "erp_px_cat_g1v2")
    assert result.returncode == 0, result.output
    assert "note" not in pq.read_schema(output).names
    assert any("column(s) note" in w for w in table_meta(case, "erp_px_cat_g1v2")["warnings"])


def test_rows_with_too_many_or_too_few_fields_are_quarantined_with_their_line(case):
    rewrite(
        case.root / SALES, lambda b: b + b"SO1,BK-1,11000,20130101\r\nSO2,a,b,c,d,e,f,g,h,i\r\n"
    )
    result, output = build_table(case, "crm_sales_details")
    assert result.returncode == 0, result.output
    q = quarantine(case, "crm_sales_details").to_pylist()
    assert [r["_rule_id"] for r in q] == ["malformed_line", "malformed_line"]
    assert q[0]["_raw_line"] == "SO1,BK-1,11000,20130101"
    assert q[0]["_reason"] == "line has 4 fields, the header has 9"
    meta = table_meta(case, "crm_sales_details")
    assert meta["rows_in"] == meta["rows_out"] + meta["rows_quarantined"]


def test_quoted_fields_with_commas_and_line_breaks_are_read_as_values(case):
    (case.root / "raw/source_erp/NOTES_Q.csv").write_bytes(
        b'ID,NOTE\r\n1,"a, b"\r\n2,"first line\r\nsecond line"\r\n3,plain\r\n'
    )
    result, output = build_table(case, "erp_notes_q")
    assert result.returncode == 0, result.output
    table = pq.read_table(output).to_pylist()
    assert [r["note"] for r in table] == ["a, b", "first line\r\nsecond line", "plain"]
    assert [r["_source_row"] for r in table] == [1, 2, 3]  # records, not lines


def test_latin1_bytes_in_a_utf8_file_are_decoded_with_a_warning(case):
    rewrite(case.root / CUST, lambda b: b.replace("Müller".encode(), b"M\xfcller"))
    assert b"M\xfcller" in (case.root / CUST).read_bytes()
    result, output = build_table(case, "crm_cust_info")
    assert result.returncode == 0, result.output
    names = set(pq.read_table(output).column("cst_lastname").to_pylist())
    assert "Müller" in names
    assert any("read as Latin-1" in w for w in table_meta(case, "crm_cust_info")["warnings"])


def test_utf8_bom_is_not_part_of_the_first_column_name(case):
    rewrite(case.root / "raw/source_erp/PX_CAT_G1V2.csv", lambda b: b"\xef\xbb\xbf" + b)
    result, output = build_table(case, "erp_px_cat_g1v2")
    assert result.returncode == 0, result.output
    assert pq.read_schema(output).names[0] == "id"


def test_duplicate_header_names_are_a_clear_error(case):
    (case.root / "raw/source_erp/DUPES.csv").write_bytes(b"ID,Name,name\r\n1,a,b\r\n")
    result, output = build_table(case, "erp_dupes")
    assert_failed_cleanly(
        case, result, output, "names column(s) name more than once", "Rename the columns"
    )


def test_nul_bytes_are_a_clear_error(case):
    (case.root / "raw/source_erp/NULS.csv").write_bytes(b"ID,NAME\r\n1,a\x00b\r\n")
    result, output = build_table(case, "erp_nuls")
    assert_failed_cleanly(
        case, result, output, "NULS.csv contains NUL bytes", "remove it from raw/"
    )


def test_text_in_a_numeric_column_is_quarantined_with_the_value(case):
    rewrite(
        case.root / SALES,
        lambda b: b + b"SO9,BK-R93R-62,11000,20130101,20130108,20130113,10,ten,10\r\n",
    )
    result, output = build_table(case, "crm_sales_details")
    assert result.returncode == 0, result.output
    q = [r for r in quarantine(case, "crm_sales_details").to_pylist() if r["sls_ord_num"] == "SO9"]
    assert q[0]["_rule_id"] == "quantity_is_int"
    assert q[0]["_reason"] == "sls_quantity: 'ten' is not a valid int"


def test_impossible_dates_become_missing_or_quarantined_by_the_contract(case):
    rewrite(
        case.root / SALES,
        lambda b: b + b"SO8,BK-R93R-62,11000,20230230,20230307,20230312,10,1,10\r\n",
    )
    result, output = build_table(case, "crm_sales_details")
    assert result.returncode == 0, result.output
    rows = [r for r in pq.read_table(output).to_pylist() if r["sls_ord_num"] == "SO8"]
    assert rows[0]["sls_order_dt"] is None  # the order-date rule: invalid becomes missing
    assert str(rows[0]["sls_ship_dt"]) == "2023-03-07"


def test_a_one_megabyte_field_is_kept_as_data(case):
    big = b"x" * (1 << 20)
    (case.root / "raw/source_erp/BIG_FIELD.csv").write_bytes(
        b"ID,BLOB\r\n1," + big + b"\r\n2,y\r\n"
    )
    result, output = build_table(case, "erp_big_field")
    assert result.returncode == 0, result.output
    assert len(pq.read_table(output).column("blob")[0].as_py()) == 1 << 20


def test_a_binary_file_named_csv_is_a_clear_error(case):
    (case.root / "raw/source_erp/PHOTO.csv").write_bytes(bytes(range(256)) * 64)
    result, output = build_table(case, "erp_photo")
    assert_failed_cleanly(case, result, output, "PHOTO.csv contains NUL bytes and is not a CSV")


def test_no_csv_at_all_is_a_clear_error(case):
    for path in (case.root / "raw").glob("*/*.csv"):
        path.unlink()
    result = case.snakemake("all")
    assert result.returncode != 0
    assert "No CSV files found under raw/source_*/" in result.output
    assert_earlier_run_untouched(case)


# ---- crashes, concurrency, determinism ----------------------------------------------------------


def start(ws: Workspace, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [SNAKEMAKE, *args],
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(ws: Workspace, pattern: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any((ws.root / "artifacts").glob(pattern)):
            return
        if proc.poll() is not None:
            pytest.fail(f"snakemake ended before {pattern} appeared:\n{proc.stdout.read()}")
        time.sleep(0.02)
    pytest.fail(f"{pattern} did not appear")


def canonical(ws: Workspace, run_id: str) -> dict:
    """Content checksums of every Silver table, quarantine and Gold mart, and Bronze digests."""
    out = {}
    for path in (ws.root / f"artifacts/silver/{run_id}/tables").glob("*.yaml"):
        meta = yaml.safe_load(path.read_text())
        out[f"silver/{meta['table']}"] = meta["output"]["content_sha256"]
        out[f"quarantine/{meta['table']}"] = meta["quarantine"]["content_sha256"]
    for path in (ws.root / f"artifacts/gold/marts/{run_id}/tables").glob("*.yaml"):
        meta = yaml.safe_load(path.read_text())
        out[f"gold/{meta['table']}"] = meta["output"]["content_sha256"]
    bronze = yaml.safe_load((ws.root / f"artifacts/bronze/{run_id}/metadata.yaml").read_text())
    out |= {f"bronze/{f['source']}/{f['file']}": f["sha256"] for f in bronze["files"]}
    return out


def test_same_inputs_in_two_working_directories_give_identical_content(base, tmp_path):
    other = Workspace(copy_project(tmp_path / "other"))
    shutil.copytree(base.root / "raw", other.root / "raw")
    assert other.snakemake("all").returncode == 0
    first, second = base.run_ids()[0], other.run_ids()[0]
    assert first[-8:] == second[-8:]  # same fingerprint, minted at another time
    a, b = canonical(base, first), canonical(other, second)
    assert len(a) == 6 * 3 + 7 and a == b


def test_sigkill_in_every_layer_then_documented_recovery_completes_the_same_run(base, tmp_path):
    ws = Workspace(copy_project(tmp_path / "crash"))
    shutil.copytree(base.root / "raw", ws.root / "raw")
    for layer_started in (
        "bronze/*/files/*/*.yaml",
        "silver/*/tables/*.yaml",
        "gold/marts/*/tables/*.yaml",
        "orchestrator/*/logs/run_summary_report/*",
    ):
        proc = start(ws, "all")
        wait_for(ws, layer_started, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        blocked = ws.snakemake("all")
        assert blocked.returncode != 0
        assert "removed with the --unlock argument" in blocked.output  # the one extra command
        assert ws.snakemake("--unlock").returncode == 0
    done = ws.snakemake("all")
    assert done.returncode == 0, done.output
    assert len(ws.run_ids()) == 1  # the same run was completed, not a new one minted
    assert canonical(ws, ws.run_ids()[0]) == canonical(base, base.run_ids()[0])


def test_a_second_invocation_while_one_runs_stops_with_a_clear_message(base, tmp_path):
    ws = Workspace(copy_project(tmp_path / "concurrent"))
    shutil.copytree(base.root / "raw", ws.root / "raw")
    first = start(ws, "all")
    wait_for(ws, "bronze/*/files/*/*.yaml", first)
    second = ws.snakemake("all")
    assert second.returncode != 0
    assert "cannot be locked" in second.output.lower() or "locked" in second.output
    assert first.wait(timeout=300) == 0, first.stdout.read()
    run_id = ws.run_ids()[0]
    assert len(ws.run_ids()) == 1
    assert (ws.root / f"artifacts/orchestrator/{run_id}/status.yaml").is_file()
    assert canonical(ws, run_id) == canonical(base, base.run_ids()[0])


# ---- hostile values and paths -------------------------------------------------------------------


@pytest.mark.parametrize("raw_dir", ["../outside", "/etc", "raw/../../x"])
def test_raw_dir_outside_the_working_directory_is_refused(case, raw_dir):
    result = case.snakemake("-n", "all", "--config", f"raw_dir={raw_dir}")
    assert result.returncode != 0
    assert "raw_dir" in result.output and "does not match" in result.output


def test_yaml_with_python_tags_is_refused_not_executed(case):
    contract = case.root / "config/contracts/silver/erp_loc_a101.yaml"
    marker = case.root / "pwned"
    contract.write_text(
        f"!!python/object/apply:os.system ['touch {marker}']\n" + contract.read_text()
    )
    result, output = build_table(case, "erp_loc_a101")
    assert result.returncode != 0
    assert "is not readable YAML" in result.output or "not valid" in result.output
    assert not marker.exists()


def test_no_secret_from_the_environment_reaches_artifacts_or_logs(base, tmp_path):
    ws = Workspace(copy_project(tmp_path / "secret"))
    shutil.copytree(base.root / "raw", ws.root / "raw")
    secret = "sk-test-DO-NOT-LEAK-1234567890"
    # A key and an endpoint that refuses connections: the narrative falls back to its template.
    env = {"OPENAI_API_KEY": secret, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    result = ws.snakemake("all", env=env)
    assert result.returncode == 0, result.output
    for path in list((ws.root / "artifacts").rglob("*")) + list(
        (ws.root / ".snakemake" / "log").rglob("*")
    ):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert json.loads((ws.root / "artifacts/runs.json").read_text())["runs"]
