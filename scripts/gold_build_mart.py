"""Rule gold_build_mart: build one Gold mart by its SQL model from its input tables, hold it to
its contract (names, order, types), run its checks and write it with its metadata."""

from warehouse.contracts.validation import load_run_contract
from warehouse.core.io import read_yaml, write_yaml
from warehouse.gold.build import build_mart
from warehouse.gold.sql import run_model_path
from warehouse.rulekit import log_failed_checks, run_rule


def main(smk, log):
    mart = smk.wildcards.mart
    manifest = read_yaml(smk.input.manifest)
    contract = load_run_contract(smk.input.contract, "gold", mart, manifest)
    model = run_model_path(mart, manifest)
    resources = getattr(smk, "resources", None)
    meta = build_mart(
        mart=mart,
        contract=contract,
        contract_path=smk.input.contract,
        model_path=model,
        silver_tables=smk.input.silver_tables,
        gold_tables=smk.input.gold_tables,
        data_path=smk.output.data,
        run_id=smk.wildcards.run_id,
        threads=getattr(smk, "threads", 1),
        memory_mb=getattr(resources, "mem_mb", None),
        temp_root=getattr(resources, "tmpdir", None),
    )
    write_yaml(smk.output.meta, meta)
    log_failed_checks(log, meta["checks"])
    inputs = ", ".join(sorted({i["table"] for i in meta["inputs"]}))
    log.info("%s: %d rows by %s from %s", mart, meta["rows_out"], model.as_posix(), inputs)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
