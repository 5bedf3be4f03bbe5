"""The DuckDB engine does to dirty values exactly what the pandas engine did.

tests/data/silver_ops/cases.json was recorded from the pandas engine (commit b84d826, the last
before the rewrite; see tests/data/silver_ops/README.md): each case is a few rows of the
dirtiest values real exports hold, contract steps (or conforming, generic cleaning, type
inference), and what came out: values, dtypes, per-step statistics, rejected rows with their
rule ids and reasons, or the error. Every case must come out the same now.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest
from harness import INGESTION, cleaning, frame_of, rejected

from conftest import DATA
from warehouse.core.errors import PipelineError
from warehouse.silver.cleaner import conform, generic_clean, infer_types

CASES = json.loads((DATA / "silver_ops" / "cases.json").read_text(encoding="utf-8"))
RECORDED_ON = __import__("datetime").date(2026, 12, 1)


def _plain(series) -> list:
    if str(series.dtype).startswith("date32"):
        days = pa.array(series).cast(pa.int32()).to_pylist()
        return [None if d is None else {"days": d} for d in days]
    out = []
    for v in series.tolist():
        if v is None or (not isinstance(v, bool | int | str) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float):
            out.append({"float": repr(v)})
        else:
            out.append(None if pd.isna(v) else v)
    return out


def _run(case: dict) -> dict:
    clean = cleaning(case["columns"], RECORDED_ON)
    if case["kind"] == "infer":
        clean.apply_steps([{"op": "trim", "columns": ["a"]}])
        return {"type": infer_types(clean)["a"]}
    if case["kind"] == "generic":
        stats = generic_clean(clean)
    else:
        stats = clean.apply_steps(case.get("steps", []))
        if case["kind"] == "conform":
            conform(clean, case["conform"])
            stats = None
    out = frame_of(clean.con, clean.relation)
    rej = rejected(clean)
    return {
        "values": {c: _plain(out[c]) for c in out.columns},
        "dtypes": {c: str(out[c].dtype) for c in out.columns},
        "stats": stats,
        "rejected": [list(r) for r in rej.itertuples(index=False)],
    }


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_engine_does_what_was_recorded(case):
    expected = case["expected"]
    try:
        got = _run(case)
    except PipelineError as exc:
        got = {"error": str(exc)}
    if "values" in expected and "values" in got:
        got["rejected"] = sorted(got["rejected"])
        expected = {**expected, "rejected": sorted(expected["rejected"])}
    assert got == expected


def test_the_recording_covers_every_operation_and_function():
    from warehouse.silver.functions import FUNCTIONS
    from warehouse.silver.operations import STANDARD

    used = {s["op"] for c in CASES for s in c.get("steps", [])}
    named = {s["name"] for c in CASES for s in c.get("steps", []) if s["op"] == "function"}
    assert set(STANDARD) <= used
    assert set(FUNCTIONS) <= named
    assert INGESTION  # the harness date; recorded cases use their own
