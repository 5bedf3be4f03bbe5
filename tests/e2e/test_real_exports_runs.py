"""Real-world exports and finished runs (issue #13): links, names, the environment, immutability.

Each case changes a copy of a workspace holding one complete run (conftest ``complete_run``)
with a real file or a real environment change, runs the real ``snakemake`` and checks what the
user sees: a clear message that names the file and says what to do (never a traceback), the
exit code, and that every file of the earlier run is byte-identical unless the case is about
rebuilding one of them.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import yaml
from test_reliability import start, wait_for

from conftest import Workspace

pytestmark = pytest.mark.e2e

NEW_RUN = "20300101T000000Z_0000beef"
CUST = "raw/source_crm/cust_info.csv"


def run_files(ws: Workspace, run_id: str) -> dict[str, str]:
    """The run's files (a repair's own log and events are kept beside the run, not in it)."""
    return {k: v for k, v in ws.checksums().items() if run_id in k and not k.startswith("repairs/")}


def assert_refused(ws: Workspace, result, *phrases: str) -> None:
    """A clear error: non-zero exit, every phrase, no traceback, the earlier run untouched."""
    assert result.returncode != 0, result.output[-3000:]
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output[-3000:])
    assert "Traceback" not in result.output, result.output[-3000:]
    assert run_files(ws, ws.run_id) == ws.before


# ---- case 7: symbolic links --------------------------------------------------------------------


def test_a_dangling_symlink_is_refused_before_any_job_not_skipped(case):
    (case.root / "raw/source_crm/prd_extra.csv").symlink_to("/mnt/crm-share/prd_extra.csv")
    result = case.snakemake("all")
    assert_refused(
        case,
        result,
        "raw/source_crm/prd_extra.csv is a symbolic link to /mnt/crm-share/prd_extra.csv, "
        "which does not exist",
        "Mount the share or remove the link",
    )
    assert case.run_ids() == [case.run_id]  # no run was started without the table


def test_a_symlink_out_of_raw_is_refused(case, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((case.root / CUST).read_bytes())
    (case.root / "raw/source_crm/linked.csv").symlink_to(outside)
    result = case.snakemake("all")
    assert_refused(
        case, result, "linked.csv is a symbolic link to", "outside raw/", "copy the export into"
    )
    assert case.run_ids() == [case.run_id]


# ---- case 8: a finished run is never written again ---------------------------------------------


def test_a_run_is_refused_with_another_config_and_targeted_by_id_with_the_same(case):
    config = case.root / "config/config.yaml"
    original = config.read_text()
    config.write_text(original.replace("export_csv: false", "export_csv: true"))
    result = case.snakemake("all", "--config", f"run_id={case.run_id}")
    assert_refused(
        case,
        result,
        f"Run {case.run_id} was made with another configuration (gold.export_csv: False",
        "run without run_id to make a new run",
    )
    csv = f"artifacts/gold/marts/{case.run_id}/data/fact_sales.csv"
    assert_refused(case, case.snakemake(csv), "made with gold.export_csv: false")
    assert not (case.root / csv).exists()

    config.write_text(original)
    same = case.snakemake("all", "--config", f"run_id={case.run_id}")
    assert same.returncode == 0, same.output
    assert "Nothing to be done" in same.output
    assert run_files(case, case.run_id) == case.before


def test_a_bronze_rebuild_that_cannot_succeed_deletes_nothing(case):
    copy = case.root / f"artifacts/bronze/{case.run_id}/data/crm/cust_info.csv"
    meta = case.root / f"artifacts/bronze/{case.run_id}/files/crm/cust_info.csv.yaml"
    copy.unlink()
    case.before.pop(copy.relative_to(case.root / "artifacts").as_posix())
    (case.root / CUST).write_bytes(
        (case.root / CUST).read_bytes() + b"99999,x,y,M,S,M,2020-01-01\r\n"
    )
    for args in (
        [copy.relative_to(case.root).as_posix()],
        ["all", "--config", f"run_id={case.run_id}"],
    ):
        result = case.snakemake(*args)
        assert_refused(
            case,
            result,
            f"Raw file {CUST} is not the file this run was made from (run {case.run_id})",
            "Nothing of the run was changed",
        )
        assert meta.is_file()  # the surviving metadata of the complete run is still there


def test_a_deleted_silver_table_of_a_complete_run_is_rebuilt_alone(case):
    run = case.run_id
    table = f"silver/{run}/data/crm_sales_details.parquet"
    status = case.root / f"artifacts/orchestrator/{run}/status.yaml"
    status_mtime = status.stat().st_mtime_ns
    (case.root / "artifacts" / table).unlink()

    result = case.snakemake("all")
    assert result.returncode == 0, result.output
    assert result.output.count("rule silver_clean_table:") == 1
    # The same bytes again, and nothing else of the run changed: not the table's metadata,
    # quarantine, log, benchmark or OpenLineage events (the repair's own go to its folder).
    assert run_files(case, run) == case.before
    assert status.stat().st_mtime_ns == status_mtime
    repairs = case.root / f"artifacts/repairs/{run}"
    log = repairs / "logs/silver_clean_table/crm_sales_details.log"
    assert "rebuilding only" in log.read_text() and table in log.read_text()
    assert (repairs / "logs/silver_clean_table/crm_sales_details.benchmark.tsv").is_file()
    events = (repairs / "openlineage.jsonl").read_text().splitlines()
    assert [yaml.safe_load(e)["eventType"] for e in events] == ["START", "COMPLETE"]
    assert not (repairs / ".kept").exists()
    again = case.snakemake("all")
    assert again.returncode == 0 and "Nothing to be done" in again.output, again.output


def test_lost_files_of_every_layer_are_rebuilt_with_nothing_else_changed(case):
    run = case.run_id
    lost = [
        f"bronze/{run}/data/erp/LOC_A101.csv",
        f"silver/{run}/quarantine/crm_cust_info.parquet",
        f"gold/marts/{run}/data/dim_customers.parquet",
        # Drawn from what the run declares, the lineage comes back the same whichever of the
        # run's files are still missing when the summary job runs.
        f"reports/{run}/lineage.svg",
    ]
    for name in lost:
        (case.root / "artifacts" / name).unlink()
    result = case.snakemake("all")
    assert result.returncode == 0, result.output
    assert run_files(case, run) == case.before


def test_a_rebuild_that_does_not_reproduce_the_run_is_refused(case):
    """A lost table rebuilt with other bytes (here: its Bronze copy was altered) is not put in
    the run: the job fails, says so, and the run keeps its gap and every other file."""
    run = case.run_id
    table = f"silver/{run}/data/erp_loc_a101.parquet"
    altered = f"bronze/{run}/data/erp/LOC_A101.csv"
    bronze = case.root / "artifacts" / altered
    text = bronze.read_text()
    bronze.unlink()  # a hard link shared with other runs: write a new file, not into it
    bronze.write_text(text.replace("Germany", "Deutschland"))
    (case.root / "artifacts" / table).unlink()
    result = case.snakemake("all")
    assert result.returncode != 0
    assert "is not the file the run recorded" in result.output, result.output[-3000:]
    assert "Traceback" not in result.output
    after = {k: v for k, v in run_files(case, run).items() if k != altered}
    assert after == {k: v for k, v in case.before.items() if k not in (table, altered)}


# ---- case 9: advice that would destroy data ----------------------------------------------------


def test_a_suggested_rename_never_names_an_existing_export(case):
    (case.root / "raw/source_crm/cust info.csv").write_bytes((case.root / CUST).read_bytes())
    result = case.snakemake("all")
    assert_refused(case, result, "cust info.csv has a name", "rename it, e.g. to cust_info_2.csv")
    assert "e.g. to cust_info.csv" not in result.output


def test_a_macos_metadata_file_is_ignored_and_said_so(case):
    (case.root / "raw/source_crm/._cust_info.csv").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00")
    result = case.snakemake("all")
    assert result.returncode == 0, result.output
    assert "Ignored raw/source_crm/._cust_info.csv" in result.output
    assert "Nothing to be done" in result.output  # the same run: the file is not part of it
    assert run_files(case, case.run_id) == case.before


# ---- case 10: the environment ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_raw_path_that_is_not_a_readable_file_is_a_clear_error(case, kind):
    # Tests run as root, whom chmod 000 does not stop: a folder and a pipe named .csv are real
    # entries the open of a file fails on (the unreadable file itself: tests/unit/run).
    path = case.root / "raw/source_erp/PROMO.csv"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    result = case.snakemake("all")
    phrase = "is a folder, not a CSV export" if kind == "folder" else "is not a regular file"
    assert_refused(case, result, f"raw/source_erp/PROMO.csv {phrase}", "Move it out of")


def test_a_raw_file_gone_after_the_manifest_is_a_clear_error(case):
    target = ["--config", f"run_id={NEW_RUN}"]
    manifest = f"artifacts/orchestrator/{NEW_RUN}/run.yaml"
    assert case.snakemake(manifest, *target).returncode == 0
    (case.root / CUST).unlink()
    result = case.snakemake("all", *target)
    assert_refused(
        case,
        result,
        f"Raw file raw/source_crm/cust_info.csv of run {NEW_RUN} no longer exists",
        "Restore the file to complete the run",
    )


def test_a_raw_file_that_vanishes_during_the_run_is_explained(case):
    proc = start(
        case, "all", "--cores", "1", "--latency-wait", "1", "--config", f"run_id={NEW_RUN}"
    )
    wait_for(case, f"orchestrator/{NEW_RUN}/run.yaml", proc)
    time.sleep(0.3)
    logs = case.root / f"artifacts/orchestrator/{NEW_RUN}/logs/bronze_copy_file"
    started = {p.name for p in logs.rglob("*.log")} if logs.is_dir() else set()
    victim = next(
        p
        for p in sorted((case.root / "raw").glob("*/*.csv"), reverse=True)
        if f"{p.name}.log" not in started
    )
    victim.unlink()
    output = proc.communicate(timeout=300)[0]
    assert proc.returncode != 0
    raw = victim.relative_to(case.root).as_posix()
    assert f"Raw file {raw} of run {NEW_RUN} disappeared after the run's manifest" in output
    assert "not a file-system latency problem" in output
    assert "Traceback" not in output
    assert run_files(case, case.run_id) == case.before


def test_sigterm_says_the_run_was_interrupted_and_how_to_complete_it(case):
    proc = start(case, "all", "--config", f"run_id={NEW_RUN}")
    wait_for(case, f"silver/{NEW_RUN}/tables/*.yaml", proc)
    proc.send_signal(signal.SIGTERM)  # to Snakemake itself, as `kill <pid>` or a scheduler does
    output = proc.communicate(timeout=300)[0]
    assert proc.returncode != 0
    assert "Snakemake was asked to stop (SIGTERM)" in output
    assert "Run `snakemake all` again: it completes the same run." in output
    assert "Traceback" not in output
    done = case.snakemake("all", "--config", f"run_id={NEW_RUN}")
    assert done.returncode == 0, done.output
    assert (case.root / f"artifacts/orchestrator/{NEW_RUN}/status.yaml").is_file()
    assert sorted(case.run_ids()) == sorted([case.run_id, NEW_RUN])
    assert run_files(case, case.run_id) == case.before
