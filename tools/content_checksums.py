"""Record or compare the content of a run's tables: every Silver table, quarantine and Gold mart.

A rewrite (a restructure, a new engine) must not change results. This command prints, for each
table of a run, its row count, its schema (column names and Arrow types) and a SHA-256 over its
rows in a canonical, order-independent form (each row as JSON, the rows sorted), so two engines
that write the same values in another row order or Parquet encoding give the same figures.

    python tools/content_checksums.py artifacts <run_id> > figures.json   # record
    python tools/content_checksums.py artifacts <run_id> --against figures.json  # compare

The comparison exits 1 and lists every table whose figures differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# Layer folders inside a workspace's artifacts folder, with the table kind they hold.
TABLE_FOLDERS = {
    "silver": "silver/{run_id}/data",
    "quarantine": "silver/{run_id}/quarantine",
    "gold": "gold/marts/{run_id}/data",
}


def _canonical(value: object) -> object:
    """A JSON-able stand-in for one cell that keeps every distinction a reader would see."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return f"{type(value).__name__}:{value}"


# Arrow types whose Python values (and nulls) are their own canonical stand-in.
_AS_IS = (pa.types.is_integer, pa.types.is_boolean, pa.types.is_string, pa.types.is_large_string)
# One encoder for every row: json.dumps(..., ensure_ascii=False) builds a new one per call.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _column_cells(column: pa.ChunkedArray) -> list:
    """``_canonical`` of every cell of one column, computed per column for the common types."""
    values = column.to_pylist()
    if any(is_type(column.type) for is_type in _AS_IS):
        return values
    if pa.types.is_date(column.type):
        return [None if v is None else f"date:{v}" for v in values]
    return [_canonical(v) for v in values]


def table_figures(path: Path) -> dict:
    """Row count, schema and order-independent content hash of one Parquet table."""
    table = pq.read_table(path)
    schema = [[field.name, str(field.type)] for field in table.schema]
    columns = [_column_cells(column) for column in table.columns]
    rows = ["[]"] * table.num_rows  # a table without columns: one empty row per row
    if columns:
        rows = sorted(_ROW_ENCODER.encode(list(row)) for row in zip(*columns, strict=True))
    digest = hashlib.sha256()
    digest.update(json.dumps(schema).encode())
    for row in rows:
        digest.update(row.encode("utf-8") + b"\n")
    return {"rows": table.num_rows, "schema": schema, "content": digest.hexdigest()}


def run_figures(artifacts: Path, run_id: str) -> dict:
    """{"<kind>/<table>": figures} for every table of the run under ``artifacts``."""
    figures = {}
    for kind, folder in TABLE_FOLDERS.items():
        for path in sorted((artifacts / folder.format(run_id=run_id)).glob("*.parquet")):
            figures[f"{kind}/{path.stem}"] = table_figures(path)
    return figures


def compare(actual: dict, expected: dict) -> list[str]:
    """One line per table whose figures differ (missing and unexpected tables included)."""
    problems = []
    for name in sorted(set(actual) | set(expected)):
        if name not in actual:
            problems.append(f"{name}: missing (expected {expected[name]['rows']} rows)")
        elif name not in expected:
            problems.append(f"{name}: unexpected table ({actual[name]['rows']} rows)")
        else:
            for key in ("rows", "schema", "content"):
                if actual[name][key] != expected[name][key]:
                    problems.append(
                        f"{name}: {key} differs ({expected[name][key]} -> {actual[name][key]})"
                    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", type=Path, help="the workspace's artifacts folder")
    parser.add_argument("run_id")
    parser.add_argument("--against", type=Path, help="a figures file recorded earlier")
    args = parser.parse_args(argv)
    figures = run_figures(args.artifacts, args.run_id)
    if not figures:
        print(f"No tables of run {args.run_id} under {args.artifacts}.", file=sys.stderr)
        return 2
    if args.against is None:
        print(json.dumps(figures, indent=1, sort_keys=True))
        return 0
    problems = compare(figures, json.loads(args.against.read_text(encoding="utf-8")))
    for line in problems:
        print(line)
    print(f"{len(figures)} tables compared, {len(problems)} differences.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
