"""One Gold mart job: read its input tables, build the mart, hold it to its contract (names,
order, types), run its checks and write it, returning the mart's metadata; and the optional CSV
copy of a mart for spreadsheet users."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse.core.hashing import sha256_file
from warehouse.core.io import replacing
from warehouse.core.parquet import (
    column_descriptions,
    file_metadata,
    read_parquet,
    write_parquet,
)
from warehouse.core.schemas import schema_of
from warehouse.gold.marts import MARTS, conform_to_contract
from warehouse.quality.checks import run_checks


def build_mart(
    *,
    mart: str,
    contract: dict,
    contract_path: str,
    silver_tables: list[str],
    gold_tables: list[str],
    data_path: str | Path,
    run_id: str | None = None,
) -> dict:
    """Build ``mart`` from the Silver tables and earlier marts it reads (Parquet files named
    like their tables), write it to ``data_path`` (saying which run, mart and contract made it,
    with its columns' descriptions) and return its metadata."""
    started = time.perf_counter()
    frames, inputs = {}, []
    for layer, tables in (("silver", silver_tables), ("gold", gold_tables)):
        for path in tables:
            name = Path(path).stem
            frames[name] = read_parquet(path)
            inputs.append(
                {
                    "table": name,
                    "layer": layer,
                    "path": path,
                    "rows": len(frames[name]),
                    "sha256": sha256_file(Path(path)),
                }
            )
    read_done = time.perf_counter()
    frame = conform_to_contract(MARTS[mart](frames), contract, contract_path)
    built = time.perf_counter()
    results = run_checks(
        frame, contract.get("checks", []), table=mart, key=contract.get("key"), related=frames
    )
    checked = time.perf_counter()
    output = write_parquet(
        frame,
        data_path,
        # The contract file was checked against the SHA-256 the run recorded.
        metadata=file_metadata(
            run_id=run_id,
            layer="gold",
            table=mart,
            contract_sha256=sha256_file(Path(contract_path)),
        ),
        descriptions=column_descriptions(contract),
    )
    return {
        "table": mart,
        "layer": "gold",
        "contract": contract_path,
        "grain": contract["grain"],
        "key": contract.get("key"),
        "inputs": inputs,
        "rows_out": len(frame),
        "schema_out": schema_of(frame),
        "column_lineage": {
            c["name"]: c.get("sources", []) for c in contract["columns"] if c.get("sources")
        },
        "output": output,
        "checks": results,
        "warnings": [],
        "timings": {
            "read_seconds": round(read_done - started, 4),
            "build_seconds": round(built - read_done, 4),
            "checks_seconds": round(checked - built, 4),
            "total_seconds": round(time.perf_counter() - started, 4),
        },
    }


def export_csv(data_path: str | Path, csv_path: str | Path) -> int:
    """Write the mart at ``data_path`` as CSV to ``csv_path``; the number of rows written."""
    table = pq.read_table(data_path)
    with replacing(Path(csv_path)) as tmp:
        pacsv.write_csv(table, tmp)
    return table.num_rows
