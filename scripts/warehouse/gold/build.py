"""One Gold mart job: run the mart's SQL model over its input tables, hold the result to its
contract (names, order, types), run its checks and write it, returning the mart's metadata; and
the optional CSV copy of a mart for spreadsheet users."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse.core.duck import session, sql_name, sql_string
from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_file
from warehouse.core.io import replacing
from warehouse.core.parquet import column_descriptions, file_metadata, schema_of, write_table
from warehouse.gold.models import conform, run_model
from warehouse.gold.sql import referenced_tables
from warehouse.quality.sql_checks import run_checks_sql


def check_mart(
    table: pa.Table,
    *,
    mart: str,
    contract: dict,
    paths: dict[str, str],
    threads: int = 1,
    memory_mb: int | None = None,
    temp_root: str | Path | None = None,
) -> list[dict]:
    """The results of the mart's checks on its conformed result ``table``, run as SQL in a
    DuckDB session: the mart registered under its own name, each table a check references (and
    the job was given) a view over its Parquet file."""
    checks = contract.get("checks", [])
    references = [c.get("references") for c in checks if isinstance(c, dict)]
    referenced = {ref.get("table") for ref in references if isinstance(ref, dict)}
    with session(
        threads=threads, memory_mb=memory_mb, temp_root=temp_root, label=f"{mart}-checks"
    ) as con:
        con.register(mart, table)
        related = {}
        for name in sorted(t for t in referenced if t in paths and t != mart):
            con.execute(
                f"CREATE VIEW {sql_name(name)} AS FROM read_parquet({sql_string(paths[name])})"
            )
            related[name] = name
        return run_checks_sql(
            con, mart, checks, table=mart, key=contract.get("key"), related=related
        )


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

    DuckDB gets ``threads`` and half of ``memory_mb`` (the job's memory: the Arrow result lives
    outside DuckDB's limit) and spills to a temporary folder under ``temp_root`` (the system's by
    default), removed once the model has run; the checks run in a second session over the
    result and the Parquet files of the tables they reference.
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
    with tempfile.TemporaryDirectory(prefix=f"duckdb-{mart}-", dir=temp_root) as spill:
        table = run_model(
            sql,
            paths,
            where=str(model_path),
            threads=threads,
            memory_mb=memory_mb // 2 if memory_mb else None,
            temp_dir=spill,
        )
    table = conform(table, contract, contract_path)
    built = time.perf_counter()
    results = check_mart(
        table,
        mart=mart,
        contract=contract,
        paths=paths,
        threads=threads,
        memory_mb=memory_mb,
        temp_root=temp_root,
    )
    checked = time.perf_counter()
    output = write_table(
        table,
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
        "rows_out": table.num_rows,
        "schema_out": schema_of(table.schema),
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
