# Silver: one job per Bronze table (clean, type, quarantine, check), then the layer report and
# the quality gate, which decides whether Gold is built for the run.


rule silver_clean_table:
    input:
        # ancient(): identical Bronze copies of different runs are hard links to one file, and
        # Snakemake touches a job's outputs, so a later run's copy moves this one's mtime; the
        # per-file metadata below (never shared) says when the copy was really rebuilt.
        bronze=lambda wildcards: ancient(bronze_of_table(layout.BRONZE_DATA, wildcards)),
        bronze_meta=lambda wildcards: bronze_of_table(
            layout.BRONZE_FILE_META, wildcards
        ),
        manifest=layout.RUN_MANIFEST,
        # ancient(): editing a contract makes a new run; it must not rebuild this one (the job
        # checks the contract against the SHA-256 in the run's manifest instead).
        contract=lambda wildcards: [
            ancient(p) for p in silver_contract(wildcards.table)
        ],
    output:
        data=layout.SILVER_DATA,
        quarantine=layout.SILVER_QUARANTINE,
        meta=layout.SILVER_TABLE_META,
    log:
        layout.log("silver_clean_table", "{table}"),
    benchmark:
        layout.benchmark("silver_clean_table", "{table}")
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    script:
        "../scripts/silver_clean_table.py"


rule silver_layer_report:
    input:
        manifest=layout.RUN_MANIFEST,
        metas=lambda wildcards: per_table(layout.SILVER_TABLE_META, wildcards.run_id),
    output:
        metadata=layout.SILVER_METADATA,
        checks=layout.SILVER_CHECKS,
        run_log=layout.SILVER_RUN_LOG,
        report=report(layout.SILVER_REPORT, category="Silver"),
    log:
        layout.log("silver_layer_report"),
    benchmark:
        layout.benchmark("silver_layer_report")
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    script:
        "../scripts/silver_layer_report.py"


# A checkpoint: whether Gold is part of the DAG depends on what the gate decided.
checkpoint silver_quality_gate:
    input:
        checks=layout.SILVER_CHECKS,
    output:
        gate=layout.SILVER_GATE,
    log:
        layout.log("silver_quality_gate"),
    benchmark:
        layout.benchmark("silver_quality_gate")
    localrule: True
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        report=layout.SILVER_REPORT,
    script:
        "../scripts/quality_gate.py"


rule silver:
    input:
        lambda wildcards: silver_outputs(target_run_id()),
