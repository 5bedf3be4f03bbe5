"""One Silver table job: read a Bronze CSV, clean it by its contract, write the table and its
quarantine as Parquet, and describe what happened in the table's metadata (row flow, steps,
checks, warnings, timings per phase)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from warehouse.core.duck import session
from warehouse.core.encoding import UNICODE, label
from warehouse.core.hashing import sha256_file
from warehouse.core.parquet import (
    column_descriptions,
    file_content_sha256,
    file_metadata,
    write_batches,
)
from warehouse.silver.cleaner import clean_table, table_metadata
from warehouse.silver.context import Context
from warehouse.silver.reader import load_bronze

BATCH_ROWS = 1 << 18  # rows per Parquet row group written (and held at once while writing)


def clean_bronze_table(
    *,
    table: str,
    bronze_path: str | Path,
    bronze_meta: dict,
    ingestion_date: dt.date,
    contract: dict | None,
    contract_path: str | None,
    data_path: str | Path,
    quarantine_path: str | Path,
    run_id: str | None = None,
    threads: int = 1,
    memory_mb: int | None = None,
    temp_root: str | Path | None = None,
) -> dict:
    """Clean the Bronze copy at ``bronze_path`` (described by its Bronze file metadata) into
    ``data_path`` and ``quarantine_path``; return the table's metadata.

    ``contract`` is the table's contract as recorded for the run (None: generic cleaning), and
    ``ingestion_date`` the run's, which date rules use instead of the clock. Both Parquet files
    say which run (``run_id``), table and contract made them and describe their columns.
    The work runs in one DuckDB session within ``threads`` and ``memory_mb``, spilling under
    ``temp_root`` (``warehouse.core.duck``).
    """
    with session(
        threads=threads, memory_mb=memory_mb, temp_root=temp_root, label=f"silver-{table}"
    ) as con:
        meta = _clean(
            con, table, bronze_path, bronze_meta, ingestion_date, contract, contract_path,
            data_path, quarantine_path, run_id,
        )  # fmt: skip
    # Checksummed once DuckDB's memory is freed: reading a column back then costs no more.
    started = time.perf_counter()
    for part in ("output", "quarantine"):
        meta[part]["content_sha256"] = file_content_sha256(Path(meta[part]["path"]))
    spent = time.perf_counter() - started
    for timing in ("write_seconds", "total_seconds"):
        meta["timings"][timing] = round(meta["timings"][timing] + spent, 4)
    return meta


def _clean(
    con, table, bronze_path, bronze_meta, ingestion_date, contract, contract_path, data_path,
    quarantine_path, run_id,
) -> dict:  # fmt: skip
    started = time.perf_counter()
    loaded = load_bronze(con, Path(bronze_path), bronze_meta["encoding"], bronze_meta["delimiter"])
    read_done = time.perf_counter()
    ctx = Context(table=table, ingestion_date=ingestion_date)
    result = clean_table(
        con,
        loaded,
        contract,
        ctx,
        bronze_path=str(bronze_path),
        bronze_lines=bronze_meta.get("data_rows"),
    )
    encoding = bronze_meta["encoding"]
    if encoding not in UNICODE:
        # Runs made before encodings were detected record no confidence (their Latin-1 was
        # a fallback, not a detection).
        confidence = bronze_meta.get("encoding_confidence")
        detected = f", detected with confidence {confidence:.2f}" if confidence is not None else ""
        result.warnings.append(
            f"{table}: {bronze_path} is not valid UTF-8 ({bronze_meta.get('encoding_note')}); "
            f"it was read as {label(encoding)} ({encoding}{detected}). Check accented values, "
            "or re-export the file as UTF-8."
        )
    write_started = time.perf_counter()
    # The contract file was checked against the SHA-256 the run recorded (load_run_contract).
    about = {
        "metadata": file_metadata(
            run_id=run_id,
            layer="silver",
            table=table,
            contract_sha256=sha256_file(Path(contract_path)) if contract_path else None,
        ),
        "descriptions": column_descriptions(contract),
    }
    output = write_batches(_batches(con, result.relation), data_path, **about, content=False)
    quarantine = write_batches(
        _batches(con, result.quarantine), quarantine_path, **about, content=False
    )
    result.timings |= {
        "read_seconds": round(read_done - started, 4),
        "write_seconds": round(time.perf_counter() - write_started, 4),
        "total_seconds": round(time.perf_counter() - started, 4),
    }
    return table_metadata(
        table=table,
        source={
            "source": bronze_meta["source"],
            "file": bronze_meta["file"],
            "bronze_path": str(bronze_path),
            "bronze_sha256": bronze_meta["sha256"],
        },
        contract_path=contract_path,
        contract=contract,
        result=result,
        output=output,
        quarantine=quarantine,
    )


def _batches(con, relation: str):
    """The rows of ``relation`` as a stream of Arrow record batches, in file order."""
    return con.sql(f"SELECT * FROM {relation}").to_arrow_reader(BATCH_ROWS)
