"""Rule silver_clean_table: clean one Bronze table into a typed Silver table and a quarantine,
by the table's contract as recorded for the run (or by generic cleaning when it has none)."""

from warehouse.contracts.validation import load_run_contract
from warehouse.core.io import read_yaml, write_yaml
from warehouse.rulekit import log_failed_checks, run_rule
from warehouse.run.ids import ingestion_date
from warehouse.silver.table_job import clean_bronze_table


def main(smk, log):
    table = smk.wildcards.table
    manifest = read_yaml(smk.input.manifest)
    contract_file = smk.input.contract[0] if smk.input.contract else None
    contract = load_run_contract(contract_file, "silver", table, manifest)
    resources = getattr(smk, "resources", None)
    meta = clean_bronze_table(
        table=table,
        bronze_path=smk.input.bronze,
        bronze_meta=read_yaml(smk.input.bronze_meta),
        ingestion_date=ingestion_date(manifest["run_id"]),
        contract=contract,
        contract_path=contract_file,
        data_path=smk.output.data,
        quarantine_path=smk.output.quarantine,
        run_id=smk.wildcards.run_id,
        threads=getattr(smk, "threads", 1),
        memory_mb=getattr(resources, "mem_mb", None),
        temp_root=getattr(resources, "tmpdir", None),
    )
    write_yaml(smk.output.meta, meta)
    for warning in meta["warnings"]:
        log.warning("%s", warning)
    rules = ", ".join(f"{k}: {v}" for k, v in meta["quarantine_by_rule"].items()) or "none"
    log.info(
        "%s: %d rows in, %d out, %d quarantined (%s)",
        table,
        meta["rows_in"],
        meta["rows_out"],
        meta["rows_quarantined"],
        rules,
    )
    log_failed_checks(log, meta["checks"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
