"""What a local run holds, for the executor tests to compare their run with.

A run's data depends on its raw files, code and config, and on one part of its id: the date,
which date rules use as the ingestion date (ADR 0002). The shared complete run (``complete_run``
in conftest) is a local run of the same code, config and raw files as the ``workspace`` fixture,
so when it was made on the same UTC day it holds what a local run of the workspace would, and
the test needs no second local run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import Workspace, canonical_content, copy_project
from warehouse.run.ids import ingestion_date


def local_run_content(
    workspace: Workspace, complete_run: Workspace, run_id: str, dest: Path
) -> dict[str, str]:
    """``canonical_content`` of a local run of ``workspace``'s raw files with the ingestion
    date of ``run_id``: the shared complete run's or, when that was made on another day (the
    tests started before midnight UTC), a local run with ``run_id`` made in ``dest``."""
    assert complete_run.checksums("raw") == workspace.checksums("raw"), "not the same raw files"
    (made,) = complete_run.run_ids()
    if ingestion_date(made) == ingestion_date(run_id):
        return canonical_content(complete_run.root)
    local = Workspace(copy_project(dest))
    shutil.copytree(workspace.root / "raw", local.root / "raw")
    result = local.snakemake("all", "--config", f"run_id={run_id}")
    assert result.returncode == 0, result.output[-3000:]
    return canonical_content(local.root)
