"""Jobs that only read and write YAML, JSON and text start without the data libraries: pandas,
pyarrow and DuckDB cost 0.5-1.5 s of import per job, which a small run pays once per job."""

from __future__ import annotations

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
    "quality_gate",
    "run_complete",
]


@pytest.mark.parametrize("script", LIGHT_JOBS)
def test_a_job_that_reads_no_table_imports_no_data_library(script):
    probe = (
        f"import sys; sys.path.insert(0, {str(SCRIPTS)!r}); import {script}; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'duckdb', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{script} imports {out.stdout.strip()}"
