# Silver: one job per Bronze table (clean, type, quarantine, check), then the layer report with
# the quality gate, which decides whether Gold is built for the run.


rule silver_clean_table:
    input:
        # ancient(): identical Bronze copies of different runs are hard links to one file, and
        # Snakemake touches a job's outputs, so a later run's copy moves this one's mtime; the
        # per-file metadata below (never shared) says when the copy was really rebuilt.
        bronze=lambda wildcards: settled(
            "silver_clean_table",
            wildcards,
            ancient(bronze_of_table(paths.BRONZE_DATA, wildcards)),
        ),
        bronze_meta=lambda wildcards: settled(
            "silver_clean_table",
            wildcards,
            bronze_of_table(paths.BRONZE_FILE_META, wildcards),
        ),
        manifest=lambda wildcards: settled(
            "silver_clean_table", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
        # ancient(): editing a contract makes a new run; it must not rebuild this one (the
        # contract is checked against the SHA-256 in the run's manifest instead).
        contract=lambda wildcards: contract_input(
            "silver_clean_table", "silver", wildcards, wildcards.table
        ),
    output:
        data=update(paths.SILVER_DATA),
        quarantine=update(paths.SILVER_QUARANTINE),
        meta=update(paths.SILVER_TABLE_META),
    log:
        paths.log("silver_clean_table", "{table}"),
    benchmark:
        paths.benchmark("silver_clean_table", "{table}")
    # One thread: two such jobs run side by side on 2 cores, which measured faster than one
    # job on two threads (reading the CSV, hashing and Python start-up are serial).
    threads: 1
    resources:
        # DuckDB gets half (core/duck.py) and spills beyond it; measured peak at 100x: 1.3 GB.
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/silver_clean_table.py"


# A checkpoint: whether Gold is part of the DAG depends on the quality gate it writes.
checkpoint silver_layer_report:
    input:
        manifest=lambda wildcards: settled(
            "silver_layer_report", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
        metas=lambda wildcards: settled(
            "silver_layer_report",
            wildcards,
            per_table(paths.SILVER_TABLE_META, wildcards.run_id),
        ),
    output:
        metadata=update(paths.SILVER_METADATA),
        checks=update(paths.SILVER_CHECKS),
        run_log=update(paths.SILVER_RUN_LOG),
        report=report(
            update(paths.SILVER_REPORT),
            caption="../report/silver_report.rst",
            category="Silver",
            subcategory="{run_id}",
        ),
        gate=update(paths.SILVER_GATE),
    log:
        paths.log("silver_layer_report"),
    benchmark:
        paths.benchmark("silver_layer_report")
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    params:
        report=paths.SILVER_REPORT,
    script:
        "../scripts/silver_layer_report.py"


rule silver:
    input:
        lambda wildcards: silver_outputs(target_run_id()),
