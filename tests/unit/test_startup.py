"""Jobs that only read and write YAML, JSON and text start without the data libraries: pandas,
pyarrow and DuckDB cost 0.5-1.5 s of import per job, which a small run pays once per job. And no
job imports the OpenLineage client (0.3 s and more, with its transports) unless it sends events
to an endpoint: the events in the run's JSON Lines file are written without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
LIGHT_JOBS = [
    "run_manifest",
    "bronze_copy_file",
    "bronze_layer_report",
    "silver_layer_report",
    "run_complete",
]
HEAVY = ("pandas", "pyarrow", "duckdb", "numpy", "openlineage")
ADAPTERS = sorted(path.stem for path in SCRIPTS.glob("*.py"))


def loaded_after(code: str, env: dict | None = None) -> list[str]:
    """Which of HEAVY a fresh interpreter holds after running ``code`` (scripts/ on its path)."""
    probe = (
        f"import json, sys; sys.path.insert(0, {str(SCRIPTS)!r}); {code}; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("OPENLINEAGE")},
            **(env or {}),
        },
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("script", LIGHT_JOBS)
def test_a_job_that_reads_no_table_imports_no_data_library(script):
    assert loaded_after(f"import {script}") == [], script


@pytest.mark.parametrize("script", ADAPTERS)
def test_no_job_imports_the_openlineage_client_to_start(script):
    assert "openlineage" not in loaded_after(f"import {script}"), script


JOB = (
    "import logging; from types import SimpleNamespace; "
    "from warehouse.lineage.job_events import JobLineage; "
    "job = SimpleNamespace(rule='run_complete', wildcards={'run_id': 'R'}, input=[], "
    "output=['status.yaml'], config={}); "
    "lineage = JobLineage(job, logging.getLogger('t')); "
    "lineage.start(); lineage.complete(); lineage.close()"
)


def test_a_job_writes_its_events_without_the_openlineage_client(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert loaded_after(JOB) == []
    assert len(list(tmp_path.glob("artifacts/reports/R/openlineage.jsonl"))) == 1


def test_a_job_that_sends_its_events_imports_the_client(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"OPENLINEAGE__TRANSPORT__TYPE": "console"}  # the client logs what it would send
    assert "openlineage" in loaded_after(JOB, env)
