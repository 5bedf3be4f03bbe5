# Bronze: one job per raw file (byte-exact, verified copy plus metadata), then the layer report.


rule bronze_copy_file:
    input:
        # ancient(): a raw file edited after the run was made must not rebuild that run; the
        # copy is checked against the manifest's SHA-256 instead (before a rebuild too).
        raw=raw_file_input,
        # settled(): inputs of a complete run never make its jobs out of date (common.smk).
        manifest=lambda wildcards: settled(
            "bronze_copy_file", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
    output:
        data=update(paths.BRONZE_DATA),
        meta=update(paths.BRONZE_FILE_META),
    log:
        paths.log("bronze_copy_file", "{source}/{file}"),
    benchmark:
        paths.benchmark("bronze_copy_file", "{source}/{file}")
    threads: 1
    resources:
        mem_mb=256,
        runtime=30,
    script:
        "../scripts/bronze_copy_file.py"


rule bronze_layer_report:
    input:
        manifest=lambda wildcards: settled(
            "bronze_layer_report", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
        metas=lambda wildcards: settled(
            "bronze_layer_report",
            wildcards,
            per_raw_file(paths.BRONZE_FILE_META, wildcards.run_id),
        ),
    output:
        metadata=update(paths.BRONZE_METADATA),
        run_log=update(paths.BRONZE_RUN_LOG),
        report=report(
            update(paths.BRONZE_REPORT),
            caption="../report/bronze_report.rst",
            category="Bronze",
            subcategory="{run_id}",
        ),
    log:
        paths.log("bronze_layer_report"),
    benchmark:
        paths.benchmark("bronze_layer_report")
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    script:
        "../scripts/bronze_layer_report.py"


rule bronze:
    input:
        lambda wildcards: bronze_outputs(target_run_id()),
