# Gold: one job per mart (built from Silver tables and earlier marts, held to its contract),
# an optional CSV export per mart, and the layer report with the Gold quality gate. Nothing
# here is built unless the Silver quality gate of the run is open.


rule gold_build_mart:
    input:
        silver_gate=lambda wildcards: settled(
            "gold_build_mart", wildcards, open_silver_gate(wildcards.run_id)
        ),
        manifest=lambda wildcards: settled(
            "gold_build_mart", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
        # ancient(): see silver_clean_table.
        contract=lambda wildcards: contract_input(
            "gold_build_mart", "gold", wildcards, wildcards.mart
        ),
        silver_tables=lambda wildcards: settled(
            "gold_build_mart", wildcards, gold_mart_inputs(wildcards)["silver"]
        ),
        gold_tables=lambda wildcards: settled(
            "gold_build_mart", wildcards, gold_mart_inputs(wildcards)["gold"]
        ),
    output:
        data=update(paths.GOLD_DATA),
        meta=update(paths.GOLD_TABLE_META),
    log:
        paths.log("gold_build_mart", "{mart}"),
    benchmark:
        paths.benchmark("gold_build_mart", "{mart}")
    # One thread: two such jobs run side by side on 2 cores, which measured faster than one
    # job on two threads (reading the CSV, hashing and Python start-up are serial).
    threads: 1
    resources:
        # DuckDB gets half (core/duck.py) and spills beyond it; the mart streams to Parquet.
        # agg_sales_by_category ran out of DuckDB's 1 GB at 1000x (a ~700 MB fact): 2 GB there.
        mem_mb=lambda wildcards, input: 2000 if input.size_mb < 256 else 4000,
        runtime=30,
    script:
        "../scripts/gold_build_mart.py"


rule gold_export_csv:
    input:
        data=csv_export_input,
    output:
        csv=paths.GOLD_CSV,
    log:
        paths.log("gold_export_csv", "{mart}"),
    benchmark:
        paths.benchmark("gold_export_csv", "{mart}")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/gold_export_csv.py"


rule gold_layer_report:
    input:
        manifest=lambda wildcards: settled(
            "gold_layer_report", wildcards, paths.RUN_MANIFEST.format(**wildcards)
        ),
        metas=lambda wildcards: settled(
            "gold_layer_report",
            wildcards,
            per_mart(paths.GOLD_TABLE_META, wildcards.run_id),
        ),
        kpi_tables=lambda wildcards: settled(
            "gold_layer_report",
            wildcards,
            outputs.kpi_tables(run_manifest(wildcards.run_id)),
        ),
    output:
        metadata=update(paths.GOLD_METADATA),
        checks=update(paths.GOLD_CHECKS),
        run_log=update(paths.GOLD_RUN_LOG),
        report=report(
            update(paths.GOLD_REPORT),
            caption="../report/gold_report.rst",
            category="Gold",
            subcategory="{run_id}",
        ),
        gate=update(paths.GOLD_GATE),
    log:
        paths.log("gold_layer_report"),
    benchmark:
        paths.benchmark("gold_layer_report")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        report=paths.GOLD_REPORT,
    script:
        "../scripts/gold_layer_report.py"


rule gold:
    input:
        lambda wildcards: gold_or_blocked(target_run_id()),
