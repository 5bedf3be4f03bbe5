"""Rule silver_clean_table: clean one Bronze table into a typed Silver table and a quarantine,
by the table's contract as recorded for the run (or by generic cleaning when it has none)."""

import time
from pathlib import Path

from warehouse.contracts.validation import load_run_contract
from warehouse.core.io import read_yaml, write_yaml
from warehouse.core.parquet import write_parquet
from warehouse.rulekit import run_rule
from warehouse.run.ids import ingestion_date
from warehouse.silver.cleaner import clean_table, table_metadata
from warehouse.silver.context import Context
from warehouse.silver.reader import read_bronze_csv


def main(smk, log):
    started = time.perf_counter()
    table = smk.wildcards.table
    manifest = read_yaml(smk.input.manifest)
    bronze_meta = read_yaml(smk.input.bronze_meta)
    contract_file = smk.input.contract[0] if smk.input.contract else None
    contract = load_run_contract(contract_file, "silver", table, manifest)
    rows, malformed = read_bronze_csv(
        Path(smk.input.bronze), bronze_meta["encoding"], bronze_meta["delimiter"]
    )
    read_done = time.perf_counter()
    ctx = Context(table=table, ingestion_date=ingestion_date(manifest["run_id"]))
    result = clean_table(rows, malformed, contract, ctx, bronze_path=str(smk.input.bronze))
    if bronze_meta["encoding"] == "latin-1":
        result.warnings.append(
            f"{table}: {smk.input.bronze} is not valid UTF-8 ({bronze_meta.get('encoding_note')}); "
            "it was read as Latin-1. Check accented values, or re-export the file as UTF-8."
        )
    write_started = time.perf_counter()
    output = write_parquet(result.table, smk.output.data)
    quarantine = write_parquet(result.quarantine, smk.output.quarantine)
    result.timings |= {
        "read_seconds": round(read_done - started, 4),
        "write_seconds": round(time.perf_counter() - write_started, 4),
        "total_seconds": round(time.perf_counter() - started, 4),
    }
    meta = table_metadata(
        table=table,
        source={
            "source": bronze_meta["source"],
            "file": bronze_meta["file"],
            "bronze_path": str(smk.input.bronze),
            "bronze_sha256": bronze_meta["sha256"],
        },
        contract_path=contract_file,
        contract=contract,
        result=result,
        output=output,
        quarantine=quarantine,
    )
    write_yaml(smk.output.meta, meta)
    for warning in result.warnings:
        log.warning("%s", warning)
    log.info(
        "%s: %d rows in, %d out, %d quarantined (%s)",
        table,
        meta["rows_in"],
        meta["rows_out"],
        meta["rows_quarantined"],
        ", ".join(f"{k}: {v}" for k, v in meta["quarantine_by_rule"].items()) or "none",
    )
    for check in result.checks:
        if check["status"] == "fail":
            log.warning(
                "check %s (%s) failed on %d rows",
                check["id"],
                check["severity"],
                check["failing_rows"],
            )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
