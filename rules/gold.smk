# Gold: one job per mart (built from Silver tables and earlier marts, held to its contract),
# an optional CSV export per mart, the layer report and the Gold quality gate. Nothing here
# is built unless the Silver quality gate of the run is open.


rule gold_build_mart:
    input:
        silver_gate=lambda wildcards: open_silver_gate(wildcards.run_id),
        manifest=layout.RUN_MANIFEST,
        # ancient(): see silver_clean_table; the job checks the contract against the manifest.
        contract=lambda wildcards: ancient(
            contracts.contract_path("gold", wildcards.mart)
        ),
        tables=gold_mart_inputs,
    output:
        data=layout.GOLD_DATA,
        meta=layout.GOLD_TABLE_META,
    log:
        layout.log("gold_build_mart", "{mart}"),
    benchmark:
        layout.benchmark("gold_build_mart", "{mart}")
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    script:
        "../scripts/gold_build_mart.py"


rule gold_export_csv:
    input:
        data=layout.GOLD_DATA,
    output:
        csv=layout.GOLD_CSV,
    log:
        layout.log("gold_export_csv", "{mart}"),
    benchmark:
        layout.benchmark("gold_export_csv", "{mart}")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/gold_export_csv.py"


rule gold_layer_report:
    input:
        manifest=layout.RUN_MANIFEST,
        metas=lambda wildcards: per_mart(layout.GOLD_TABLE_META, wildcards.run_id),
        kpi_tables=lambda wildcards: [
            p
            for p in per_mart(layout.GOLD_DATA, wildcards.run_id)
            if Path(p).stem in GOLD_KPI_MARTS
        ],
    output:
        metadata=layout.GOLD_METADATA,
        checks=layout.GOLD_CHECKS,
        run_log=layout.GOLD_RUN_LOG,
        report=report(layout.GOLD_REPORT, category="Gold"),
    log:
        layout.log("gold_layer_report"),
    benchmark:
        layout.benchmark("gold_layer_report")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/gold_layer_report.py"


rule gold_quality_gate:
    input:
        checks=layout.GOLD_CHECKS,
    output:
        gate=layout.GOLD_GATE,
    log:
        layout.log("gold_quality_gate"),
    benchmark:
        layout.benchmark("gold_quality_gate")
    localrule: True
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        report=layout.GOLD_REPORT,
    script:
        "../scripts/quality_gate.py"


rule gold:
    input:
        lambda wildcards: gold_or_blocked(target_run_id()),
