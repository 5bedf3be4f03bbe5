"""Rule run_summary_report: the run's summary (JSON, Markdown, HTML) and its lineage graph.

The lineage is drawn from the workflow's real DAG: the job runs ``snakemake all --dag`` for this
run and folds the job graph into a table-level graph (raw file -> Bronze -> Silver -> Gold ->
reports).
"""

import subprocess
import sys

from warehouse import __version__
from warehouse.agents.narrative import narrate
from warehouse.core.io import utc_now, write_json, write_text
from warehouse.lineage.dag import table_graph
from warehouse.report.charts import sales_charts
from warehouse.report.lineage_svg import render
from warehouse.report.render import render as render_html
from warehouse.report.summary import (
    build_summary,
    load_inputs,
    previous_summary,
    read_benchmarks,
    to_markdown,
)
from warehouse.rulekit import run_rule
from warehouse.run.disk import run_disk_usage


def lineage(run_id: str, snakefile: str, storage_args: list, log) -> tuple[dict, str, str]:
    """(table graph, SVG, engine) of the run's DAG; an empty graph with a note if it fails.

    ``storage_args`` are the invocation's storage settings: on a cluster without a shared file
    system the DAG is planned from the files in storage, as the job's own DAG was.
    """
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        snakefile,
        "all",
        "--dag",
        *storage_args,
        "--config",
        f"run_id={run_id}",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        log.warning("lineage: snakemake --dag failed: %s", proc.stderr[-2000:])
        graph = {"nodes": [], "edges": []}
    else:
        graph = table_graph(proc.stdout)
    svg, engine = render(graph, title=f"Lineage of run {run_id}")
    return graph, svg, engine


def main(smk, log):
    now = utc_now()
    loaded = load_inputs(dict(smk.input.items()))
    run_id = loaded["manifest"]["run_id"]
    storage_args = list(smk.params.storage_args)
    graph, svg, engine = lineage(run_id, smk.params.snakefile, storage_args, log)
    # Jobs on a storage provider (Kubernetes) share no working directory: this job sees its
    # declared inputs only, not the other jobs' benchmark files, earlier runs or a disk.
    on_disk = not storage_args
    summary = build_summary(
        **loaded,
        jobs=read_benchmarks(run_id) if on_disk else [],
        lineage={"engine": engine, **graph},
        previous=previous_summary(run_id) if on_disk else None,
        now=now,
    )
    # Bytes of the run on disk so far (summary files excluded), unique vs shared via hard links.
    summary["disk"] = run_disk_usage(run_id) if on_disk else None
    if not on_disk:
        summary["warnings"].append(
            "The jobs ran on a storage provider (no shared file system): job times, disk use "
            "and the comparison with the previous run are not part of this summary."
        )
    # The executive summary: a model's text only if every number in it is a metric of the run.
    summary["narrative"] = narrate(summary, smk.params.agents, smk.params.llm_calls)
    write_json(smk.output.json, summary)
    write_text(smk.output.md, to_markdown(summary))
    write_text(smk.output.lineage, svg)
    html = render_html(
        "summary_report.html.j2",
        summary=summary,
        lineage_svg=svg,
        charts=sales_charts(summary["series"]),
        generated_at=now,
        version=__version__,
    )
    write_text(smk.output.html, html)
    log.info(
        "run %s: %s; lineage %d nodes (%s)", run_id, summary["status"], len(graph["nodes"]), engine
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
