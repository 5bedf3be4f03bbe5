"""One Gold mart job: run the mart's SQL model over its input tables, hold the result to its
contract (names, order, types), run its checks and write it, returning the mart's metadata; and
the optional CSV copy of a mart for spreadsheet users."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse.core.duck import session, sql_name
from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_file
from warehouse.core.io import replacing
from warehouse.core.parquet import (
    column_descriptions,
    file_content_sha256,
    file_metadata,
    schema_of,
    write_batches,
)
from warehouse.gold.models import conformed_view, load_model
from warehouse.gold.sql import referenced_tables
from warehouse.quality.sql_checks import run_checks_sql

BATCH_ROWS = 1 << 18  # rows per Parquet row group written (and held at once while writing)


def build_mart(
    *,
    mart: str,
    contract: dict,
    contract_path: str,
    model_path: str | Path,
    silver_tables: list[str],
    gold_tables: list[str],
    data_path: str | Path,
    run_id: str | None = None,
    threads: int = 1,
    memory_mb: int | None = None,
    temp_root: str | Path | None = None,
) -> dict:
    """Build ``mart`` by its SQL model at ``model_path`` from the Silver tables and earlier marts
    it reads (Parquet files named like their tables), write it to ``data_path`` (saying which
    run, mart and contract made it, with its columns' descriptions) and return its metadata.

    One DuckDB session (``threads``, half of ``memory_mb``, spilling under ``temp_root``, the
    system's by default) runs the model into a table, checks it and streams it to Parquet a row
    group at a time, so the mart is never whole in Python's memory at any scale.
    """
    started = time.perf_counter()
    sql = Path(model_path).read_text(encoding="utf-8")
    paths, inputs = {}, []
    for layer, tables in (("silver", silver_tables), ("gold", gold_tables)):
        for path in tables:
            name = Path(path).stem
            paths[name] = path
            inputs.append(
                {
                    "table": name,
                    "layer": layer,
                    "path": path,
                    "rows": pq.read_metadata(path).num_rows,
                    "sha256": sha256_file(Path(path)),
                }
            )
    missing = sorted(set(referenced_tables(sql, str(model_path))) - set(paths))
    if missing:
        raise PipelineError(f"Gold model {model_path} reads {', '.join(missing)}, not given to it.")
    read_done = time.perf_counter()
    about = {
        # The contract file was checked against the SHA-256 the run recorded.
        "metadata": file_metadata(
            run_id=run_id,
            layer="gold",
            table=mart,
            contract_sha256=sha256_file(Path(contract_path)),
        ),
        "descriptions": column_descriptions(contract),
    }
    checks = contract.get("checks", [])
    with session(
        threads=threads, memory_mb=memory_mb, temp_root=temp_root, label=f"gold-{mart}"
    ) as con:
        load_model(con, sql, paths, where=str(model_path))
        conformed_view(con, mart, contract, contract_path)
        built = time.perf_counter()
        # Checks see the mart under its own name and the tables they reference by theirs (the
        # job's input views), in the model's row order.
        related = {t: t for t in paths if t != mart}
        results = run_checks_sql(
            con, mart, checks, table=mart, key=contract.get("key"), related=related
        )
        checked = time.perf_counter()
        try:
            reader = con.sql(f"SELECT * FROM {sql_name(mart)}").to_arrow_reader(BATCH_ROWS)
            schema = reader.schema
            output = write_batches(reader, data_path, **about, content=False)
        except duckdb.Error as exc:  # a value that does not fit its type (the casts run here)
            raise PipelineError(
                f"Gold model {model_path}: a value of {mart} does not fit the type its contract "
                f"{contract_path} declares ({exc}). Fix the model (CAST) or the contract."
            ) from None
    # Checksummed once DuckDB's memory is freed (one column of the file at a time).
    output["content_sha256"] = file_content_sha256(Path(data_path))
    return {
        "table": mart,
        "layer": "gold",
        "contract": contract_path,
        "grain": contract["grain"],
        "key": contract.get("key"),
        "inputs": inputs,
        "rows_out": output["rows"],
        "schema_out": schema_of(schema),
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
    """Write the mart at ``data_path`` as CSV to ``csv_path``, a row group at a time; the number
    of rows written."""
    parquet = pq.ParquetFile(data_path)
    rows = 0
    with replacing(Path(csv_path)) as tmp:
        with pacsv.CSVWriter(tmp, parquet.schema_arrow) as writer:
            for batch in parquet.iter_batches():
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows
