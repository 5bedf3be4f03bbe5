# The run's story: one summary report per run (written even when a quality gate is closed),
# the final status of the run, the index of all runs after every invocation, and run diffs.
#
# Deliberately undeclared reads of run_summary_report (on a shared file system only):
# - the run's job benchmark files (job times and memory). Declared, each job would gain an
#   edge to the summary in `snakemake all --dag` (every Bronze copy, Silver table and Gold mart
#   would point at the summary, and the lineage graph, held equal to that DAG by a test, with
#   them), and a summary rebuilt after a benchmark file was deleted would rerun that job and
#   everything downstream of it, rewriting the run's data;
# - the previous run's summary (the "since the previous run" comparison). Declared, even
#   ancient(), it puts the earlier run's summary job and its whole job graph (and so, run after
#   run, every earlier run's) into every invocation's DAG;
# - the Gold contracts' SQL models, for the lineage graph (warehouse.lineage.graph): read as the
#   workflow reads them to schedule a mart's inputs; they are part of the workflow's sources.
# The runs index (onsuccess/onerror in rules/console.smk) reads every run's files outside any job.


rule run_summary_report:
    input:
        unpack(
            lambda wildcards: settled(
                "run_summary_report", wildcards, summary_inputs(wildcards)
            )
        ),
    output:
        json=update(paths.SUMMARY_JSON),
        md=update(paths.SUMMARY_MD),
        html=report(
            update(paths.SUMMARY_HTML),
            caption="../report/summary_report.rst",
            category="Run summary",
            subcategory="{run_id}",
        ),
        lineage=report(
            update(paths.LINEAGE_SVG),
            caption="../report/lineage.rst",
            category="Run summary",
            subcategory="{run_id}",
        ),
    log:
        paths.log("run_summary_report"),
    benchmark:
        paths.benchmark("run_summary_report")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        shared_fs=shared_file_system(),
        agents=config["agents"],
        llm_calls=lambda wildcards: paths.LLM_CALLS.format(run_id=wildcards.run_id),
    script:
        "../scripts/run_summary_report.py"


rule run_complete:
    input:
        summary=lambda wildcards: settled(
            "run_complete", wildcards, paths.SUMMARY_JSON.format(**wildcards)
        ),
    output:
        status=paths.RUN_STATUS,
    log:
        paths.log("run_complete"),
    benchmark:
        paths.benchmark("run_complete")
    localrule: True
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    script:
        "../scripts/run_complete.py"


rule run_diff:
    input:
        a=lambda wildcards: diff_run_inputs(wildcards.run_a),
        b=lambda wildcards: diff_run_inputs(wildcards.run_b),
    output:
        json=paths.DIFF_JSON,
        html=report(
            paths.DIFF_HTML,
            caption="../report/diff_report.rst",
            category="Run diff",
            subcategory="{run_a} -> {run_b}",
        ),
    log:
        paths.DIFF_LOG,
    benchmark:
        paths.DIFF_BENCHMARK
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    script:
        "../scripts/run_diff.py"
