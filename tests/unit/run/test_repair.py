"""Rebuilding a lost file of a complete run adds that file and changes nothing else."""

from __future__ import annotations

import logging
import os

import pytest

from warehouse.core import paths
from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_text
from warehouse.core.io import write_text, write_yaml
from warehouse.run import repair

RUN = "20261201T000000Z_0000beef"
LOG = logging.getLogger("test.repair")


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    """A workspace whose Silver table of ``orders`` has data and metadata; the job's outputs."""
    monkeypatch.chdir(tmp_path)
    data = paths.SILVER_DATA.format(run_id=RUN, table="orders")
    meta = paths.SILVER_TABLE_META.format(run_id=RUN, table="orders")
    write_text(data, "the run's data")
    write_yaml(meta, {"output": {"path": data, "sha256": sha256_text("the run's data")}})
    return {"data": data, "meta": meta}


def job(files: dict[str, str]) -> None:
    """What a table job does: replace every output (atomically, as every writer here does)."""
    for path, text in files.items():
        write_text(path, text)


def test_only_the_lost_output_is_added_and_the_others_keep_their_bytes(run_dir):
    meta_before = open(run_dir["meta"], "rb").read()
    os.remove(run_dir["data"])
    with repair.keeping_existing([run_dir["data"], run_dir["meta"]], RUN, LOG):
        job({run_dir["data"]: "the run's data", run_dir["meta"]: "new timings"})
    assert open(run_dir["data"]).read() == "the run's data"
    assert open(run_dir["meta"], "rb").read() == meta_before
    assert not paths.at(paths.REPAIR_SCRATCH, run_id=RUN).exists()


def test_a_rebuilt_file_unlike_the_recorded_one_is_refused_and_removed(run_dir):
    os.remove(run_dir["data"])
    with pytest.raises(PipelineError, match="is not the file the run recorded"):
        with repair.keeping_existing([run_dir["data"], run_dir["meta"]], RUN, LOG):
            job({run_dir["data"]: "other data", run_dir["meta"]: "new"})
    assert not os.path.exists(run_dir["data"])  # the gap stays; no file the run never had
    assert "sha256" in open(run_dir["meta"]).read()


def test_a_failing_job_leaves_the_run_as_it_was(run_dir):
    os.remove(run_dir["meta"])
    with pytest.raises(RuntimeError):
        with repair.keeping_existing([run_dir["data"], run_dir["meta"]], RUN, LOG):
            job({run_dir["data"]: "half", run_dir["meta"]: "half"})
            raise RuntimeError("job failed")
    assert open(run_dir["data"]).read() == "the run's data"
    assert not os.path.exists(run_dir["meta"])


def test_files_an_interrupted_repair_kept_go_back_first(run_dir):
    repair.set_aside([run_dir["data"]], RUN)
    write_text(run_dir["data"], "written by a repair that was killed")
    assert repair.set_aside([run_dir["data"]], RUN) == [paths.Path(run_dir["data"])]
    assert open(run_dir["data"]).read() == "the run's data"
    repair.put_back([run_dir["data"]], RUN)
    assert open(run_dir["data"]).read() == "the run's data"


def test_a_log_rewritten_in_place_is_kept_by_copy_and_the_new_one_moved_aside(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    log = paths.log("silver_clean_table", "orders").format(run_id=RUN)
    write_text(log, "how the run was made")
    repair.set_aside([log], RUN, copy=True)
    with open(log, "w") as handle:  # Snakemake writes a benchmark in place
        handle.write("the repair")
    repair.put_back([log], RUN, moved_to=paths.repair_file)
    assert open(log).read() == "how the run was made"
    assert paths.repair_file(log).read_text() == "the repair"


def test_repair_file_maps_a_runs_logs_to_its_repair_folder_and_nothing_else():
    log = paths.log("bronze_copy_file", "crm/cust_info.csv").format(run_id=RUN)
    assert paths.repair_file(log).as_posix() == (
        f"artifacts/repairs/{RUN}/logs/bronze_copy_file/crm/cust_info.csv.log"
    )
    assert paths.repair_file(paths.SILVER_DATA.format(run_id=RUN, table="t")) is None
    assert paths.repair_file(paths.DIFF_LOG.format(run_a=RUN, run_b=RUN)) is None


def test_recorded_digests_finds_every_described_file_at_any_depth():
    record = {
        "output": {"path": "a.parquet", "sha256": "1"},
        "inputs": [{"path": "b.parquet", "sha256": "2", "rows": 3}],
        "path": "c.csv",
        "sha256": "3",
        "note": {"path": "no digest"},
    }
    assert repair.recorded_digests(record) == {"a.parquet": "1", "b.parquet": "2", "c.csv": "3"}
