# Bronze: one job per raw file (byte-exact, verified copy plus metadata), then the layer report.


rule bronze_copy_file:
    input:
        # ancient(): a raw file edited after the run was made must not rebuild that run; the
        # copy is checked against the manifest's SHA-256 instead.
        raw=ancient(layout.RAW_FILE.replace("{raw_dir}", config["raw_dir"])),
        manifest=layout.RUN_MANIFEST,
    output:
        data=layout.BRONZE_DATA,
        meta=layout.BRONZE_FILE_META,
    log:
        layout.log("bronze_copy_file", "{source}/{file}"),
    benchmark:
        layout.benchmark("bronze_copy_file", "{source}/{file}")
    threads: 1
    resources:
        mem_mb=256,
        runtime=30,
    script:
        "../scripts/bronze_copy_file.py"


rule bronze_layer_report:
    input:
        manifest=layout.RUN_MANIFEST,
        metas=lambda wildcards: per_raw_file(layout.BRONZE_FILE_META, wildcards.run_id),
    output:
        metadata=layout.BRONZE_METADATA,
        run_log=layout.BRONZE_RUN_LOG,
        report=report(layout.BRONZE_REPORT, category="Bronze"),
    log:
        layout.log("bronze_layer_report"),
    benchmark:
        layout.benchmark("bronze_layer_report")
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    script:
        "../scripts/bronze_layer_report.py"


rule bronze:
    input:
        lambda wildcards: bronze_outputs(target_run_id()),
