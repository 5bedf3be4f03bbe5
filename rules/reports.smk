# The run's story: one summary report per run (written even when a quality gate is closed),
# the final status of the run, and the index of all runs after every invocation.


rule run_summary_report:
    input:
        unpack(summary_inputs),
    output:
        json=layout.SUMMARY_JSON,
        md=layout.SUMMARY_MD,
        html=report(layout.SUMMARY_HTML, category="Run summary"),
        lineage=report(layout.LINEAGE_SVG, category="Run summary"),
    log:
        layout.log("run_summary_report"),
    benchmark:
        layout.benchmark("run_summary_report")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        snakefile=workflow.main_snakefile,
        storage_args=storage_args(),
        agents=config["agents"],
        llm_calls=lambda wildcards: layout.LLM_CALLS.format(run_id=wildcards.run_id),
    script:
        "../scripts/run_summary_report.py"


rule run_complete:
    input:
        summary=layout.SUMMARY_JSON,
    output:
        status=layout.RUN_STATUS,
    log:
        layout.log("run_complete"),
    benchmark:
        layout.benchmark("run_complete")
    localrule: True
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    script:
        "../scripts/run_complete.py"


onsuccess:
    refresh_runs_index()


onerror:
    refresh_runs_index()


rule run_diff:
    input:
        a=lambda wildcards: diff_inputs(wildcards.run_a),
        b=lambda wildcards: diff_inputs(wildcards.run_b),
    output:
        json=layout.DIFF_JSON,
        html=report(layout.DIFF_HTML, category="Run diff"),
    log:
        layout.DIFF_LOG,
    benchmark:
        layout.DIFF_BENCHMARK
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    script:
        "../scripts/run_diff.py"
