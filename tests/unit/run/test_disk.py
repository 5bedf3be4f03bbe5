"""Unchanged Bronze snapshots are shared between runs as verified hard links, and a run's disk
use counts every inode once."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
import yaml

from warehouse.bronze import copy as bronze
from warehouse.bronze.copy import copy_verified
from warehouse.bronze.layer import run_log
from warehouse.run import manifests
from warehouse.run.disk import run_disk_usage, tree_disk_usage

RUN_1 = "20261126T150000Z_aaaaaaaa"
RUN_2 = "20261126T160000Z_bbbbbbbb"
DATA = b"cst_id,cst_firstname\r\n1,Ana\r\n2,Zoe\r\n"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with raw/source_crm/cust_info.csv; manifests not cached."""
    monkeypatch.chdir(tmp_path)
    # Manifests are cached per process by relative path: each test has its own artifacts/.
    monkeypatch.setattr(manifests, "_MANIFESTS", {})
    raw = tmp_path / "raw/source_crm/cust_info.csv"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(DATA)
    return tmp_path


def _record_run(run_id: str, data: bytes = DATA, copy: bool = True) -> Path:
    """An earlier run: its manifest lists the raw file, and (if ``copy``) its Bronze copy."""
    manifest = manifests.manifest_path(run_id)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    record = {"source": "crm", "file": "cust_info.csv", "sha256": SHA, "size": len(DATA)}
    manifest.write_text(yaml.safe_dump({"run_id": run_id, "raw_files": [record]}))
    path = Path(f"artifacts/bronze/{run_id}/data/crm/cust_info.csv")
    if copy:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def _dest(run_id: str = RUN_2) -> Path:
    return Path(f"artifacts/bronze/{run_id}/data/crm/cust_info.csv")


def test_first_copy_is_a_real_copy(workdir):
    facts = copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)
    assert facts["stored_as"] == "copy"
    assert facts["linked_from"] is None
    assert _dest().read_bytes() == DATA
    assert _dest().stat().st_nlink == 1


def test_identical_copy_of_an_earlier_run_is_hard_linked_with_the_same_facts(workdir):
    earlier = _record_run(RUN_1)
    copied = copy_verified(Path("raw/source_crm/cust_info.csv"), Path("plain.csv"))
    facts = copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)

    assert facts["stored_as"] == "hardlink"
    assert facts["linked_from"] == earlier.as_posix()
    assert _dest().stat().st_ino == earlier.stat().st_ino
    assert earlier.stat().st_nlink == 2
    assert _dest().read_bytes() == DATA
    # The facts come from scanning the linked bytes: the same as for a real copy.
    varying = {"stored_as", "linked_from", "copy_seconds"}
    assert {k: v for k, v in facts.items() if k not in varying} == {
        k: v for k, v in copied.items() if k not in varying
    }
    assert not list(_dest().parent.glob(".*")), "no temporary file is left behind"


def test_an_earlier_copy_that_no_longer_matches_is_not_linked(workdir):
    # Same size, other bytes: the manifest says identical, the bytes say otherwise.
    tampered = DATA.replace(b"Ana", b"Eve")
    earlier = _record_run(RUN_1, data=tampered)
    facts = copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)
    assert facts["stored_as"] == "copy"
    assert _dest().read_bytes() == DATA
    assert earlier.read_bytes() == tampered
    assert earlier.stat().st_nlink == 1
    assert not list(_dest().parent.glob(".*"))


def test_deleted_earlier_copy_and_no_checksum_mean_a_copy(workdir):
    _record_run(RUN_1, copy=False)
    facts = copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)
    assert facts["stored_as"] == "copy"

    _record_run("20261126T170000Z_cccccccc")
    other = _dest("20261126T180000Z_dddddddd")
    # Without the SHA-256 from the run's manifest nothing can be trusted to be identical.
    assert copy_verified(Path("raw/source_crm/cust_info.csv"), other)["stored_as"] == "copy"


def test_a_failing_link_falls_back_to_a_copy(workdir, monkeypatch):
    _record_run(RUN_1)

    def cross_device(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(bronze.os, "link", cross_device)
    facts = copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)
    assert facts["stored_as"] == "copy"
    assert _dest().read_bytes() == DATA


def test_run_log_says_which_copies_are_links():
    meta = {
        "created_at": "2026-11-26T16:00:00+00:00",
        "run_id": RUN_2,
        "totals": {"files": 1, "data_rows": 2, "size_bytes": len(DATA)},
        "warnings": [],
        "files": [
            {
                "copied_at": "2026-11-26T16:00:00+00:00",
                "raw_path": "raw/source_crm/cust_info.csv",
                "path": _dest().as_posix(),
                "size_bytes": len(DATA),
                "data_rows": 2,
                "columns": 2,
                "encoding": "ascii",
                "line_ending": "CRLF",
                "sha256": SHA,
                "copy_seconds": 0.0,
                "stored_as": "hardlink",
                "linked_from": f"artifacts/bronze/{RUN_1}/data/crm/cust_info.csv",
            }
        ],
    }
    assert f"linked (identical to artifacts/bronze/{RUN_1}/data" in run_log(meta)


def test_disk_usage_counts_each_inode_once(workdir):
    earlier = _record_run(RUN_1)
    copy_verified(Path("raw/source_crm/cust_info.csv"), _dest(), expected_sha256=SHA)
    own = Path(f"artifacts/silver/{RUN_2}/data/crm_cust_info.parquet")
    own.parent.mkdir(parents=True)
    own.write_bytes(b"x" * 1000)
    # Two names of one inode inside the run count once.
    os.link(own, own.with_name("alias.parquet"))
    manifest_size = manifests.manifest_path(RUN_1).stat().st_size

    usage = run_disk_usage(RUN_2)
    assert usage["files"] == 3
    assert usage["apparent_bytes"] == len(DATA) + 1000
    assert usage["shared_bytes"] == len(DATA)
    assert usage["unique_bytes"] == 1000
    assert usage["shared_files"] == 1
    layers = {layer["layer"]: layer for layer in usage["layers"]}
    assert layers["bronze"]["shared_bytes"] == len(DATA)
    assert layers["silver"] == {
        "layer": "silver",
        "files": 2,
        "apparent_bytes": 1000,
        "unique_bytes": 1000,
        "shared_bytes": 0,
    }

    first = run_disk_usage(RUN_1)
    assert first["shared_bytes"] == len(DATA)
    assert first["unique_bytes"] == manifest_size

    tree = tree_disk_usage(Path("artifacts"))
    assert tree["files"] == 5
    assert tree["saved_bytes"] == len(DATA) + 1000
    assert tree["apparent_bytes"] == tree["listed_bytes"] - tree["saved_bytes"]
    # Deleting the earlier run frees only its own bytes: the shared copy lives on.
    earlier.unlink()
    assert run_disk_usage(RUN_2)["unique_bytes"] == len(DATA) + 1000
