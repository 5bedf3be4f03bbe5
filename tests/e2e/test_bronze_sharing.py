"""Identical Bronze copies are shared across runs by hard links, in the real workflow."""

from __future__ import annotations

import pytest
import yaml

from conftest import schema_validator
from warehouse.run.disk import run_disk_usage, tree_disk_usage


@pytest.mark.e2e
def test_a_code_change_shares_unchanged_bronze_copies_and_no_op_stays_a_no_op(workspace):
    """The real workflow: run, change code, run again; every Bronze copy of the second run is a
    hard link to the first run's, both runs stay no-ops and the first stays byte-identical.

    ``--max-checksum-file-size 0`` makes Snakemake decide by modification times alone, as it
    does for real exports (files above 1 MB): a link shares its mtime with the earlier copy.
    """
    # Bronze and Silver are enough: Silver jobs are the only readers of Bronze copies.
    targets = ("bronze", "silver")
    mtime_only = ("--max-checksum-file-size", "0")
    first = workspace.snakemake(*targets, *mtime_only)
    assert first.returncode == 0, first.output
    (run_1,) = workspace.run_ids()
    before = {k: v for k, v in workspace.checksums().items() if run_1 in k}

    script = workspace.root / "scripts/silver_clean_table.py"
    script.write_text(script.read_text() + "\n# a code change makes a new run\n")
    second = workspace.snakemake(*targets, *mtime_only)
    assert second.returncode == 0, second.output
    (run_2,) = set(workspace.run_ids()) - {run_1}

    root = workspace.root
    metas = sorted((root / f"artifacts/bronze/{run_2}/files").glob("*/*.yaml"))
    assert len(metas) == 6
    for path in metas:
        meta = yaml.safe_load(path.read_text())
        earlier = meta["path"].replace(run_2, run_1)
        assert (meta["stored_as"], meta["linked_from"]) == ("hardlink", earlier)
        assert (root / meta["path"]).stat().st_ino == (root / earlier).stat().st_ino
    layer = yaml.safe_load((root / f"artifacts/bronze/{run_2}/metadata.yaml").read_text())
    schema_validator("bronze_metadata.schema.json").validate(layer)
    assert "linked (identical to" in (root / f"artifacts/bronze/{run_2}/run_log.txt").read_text()

    for run_args in ((), ("--config", f"run_id={run_1}")):
        again = workspace.snakemake(*targets, *mtime_only, *run_args)
        assert again.returncode == 0, again.output
        # Fails when Silver reads Bronze copies by mtime: rules/silver.smk must wrap its
        # ``bronze`` input in ancient() (a link shares, and Snakemake touches, the inode).
        assert "Nothing to be done" in again.output, again.output[-3000:]
    after = workspace.checksums()
    assert {k: v for k, v in after.items() if run_1 in k} == before

    raw_bytes = sum(p.stat().st_size for p in (root / "raw").glob("source_*/*.csv"))
    usage = run_disk_usage(run_2, root)
    bronze_usage = next(u for u in usage["layers"] if u["layer"] == "bronze")
    assert bronze_usage["shared_bytes"] == raw_bytes
    assert usage["shared_bytes"] == raw_bytes
    assert tree_disk_usage(root / "artifacts")["saved_bytes"] == raw_bytes
