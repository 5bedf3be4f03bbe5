"""A rewrite must not change results: every Silver table, quarantine and Gold mart of a run has
exactly the content recorded in tests/data/baseline/ (rows, schema and an order-independent hash
of the values, computed by tools/content_checksums.py), on the committed sample and on generated
data at scales 1 and 10. The run id is fixed, so date rules see the same ingestion date."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import DATA, REPO, Workspace, copy_project
from content_checksums import compare, run_figures
from sample_generator import generate

pytestmark = pytest.mark.e2e

RUN_ID = "20261201T000000Z_0000beef"


def _sample(raw):
    shutil.copytree(REPO / "raw", raw)


@pytest.mark.parametrize(
    ("baseline", "make_raw"),
    [
        ("sample", _sample),
        ("scale1_seed42", lambda raw: generate(raw, scale=1, seed=42)),
        ("scale10_seed42", lambda raw: generate(raw, scale=10, seed=42)),
    ],
)
def test_every_table_has_the_recorded_content(tmp_path, baseline, make_raw):
    root = copy_project(tmp_path / "project")
    make_raw(root / "raw")
    # Silver and Gold, every table of both (not the Bronze layer report and the run summary,
    # which hold no table).
    result = Workspace(root).snakemake(
        "silver", "gold", "--config", f"run_id={RUN_ID}", timeout=600
    )
    assert result.returncode == 0, result.output[-3000:]
    expected = json.loads((DATA / "baseline" / f"{baseline}.json").read_text(encoding="utf-8"))
    figures = run_figures(root / "artifacts", RUN_ID)
    assert len(figures) == len(expected) == 19
    assert compare(figures, expected) == []
