"""The run summary report of one run, everything the rule run_summary_report writes: the
summary document (``summary_report.json``), its Markdown and HTML pages, and the lineage graph.

The lineage is drawn from the workflow's real DAG: :func:`dag_lineage` runs ``snakemake all
--dag`` for the run and folds the job graph into a table-level graph (raw file -> Bronze ->
Silver -> Gold -> reports).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from warehouse import __version__
from warehouse.agents.narrative import narrate
from warehouse.core.io import utc_now
from warehouse.lineage.dag import table_graph
from warehouse.report.charts import sales_charts
from warehouse.report.lineage_svg import render as render_svg
from warehouse.report.render import render
from warehouse.report.summary import (
    build_summary,
    load_inputs,
    previous_summary,
    read_benchmarks,
    to_markdown,
)
from warehouse.run.disk import run_disk_usage

# Said in the summary of a run whose jobs ran on a storage provider.
NO_SHARED_FILES = (
    "The jobs ran on a storage provider (no shared file system): job times, disk use "
    "and the comparison with the previous run are not part of this summary."
)


@dataclass(frozen=True)
class SummaryReport:
    """The texts of the summary report's files."""

    summary: dict  # summary_report.json
    markdown: str  # summary_report.md
    html: str  # summary_report.html
    svg: str  # lineage.svg


def dag_lineage(
    run_id: str,
    snakefile: str,
    storage_args: list,
    log: logging.Logger,
    config_overrides: list[str] = (),
) -> tuple[dict, str, str]:
    """(table graph, SVG, engine) of the run's DAG; an empty graph with a note if it fails.

    ``storage_args`` are the invocation's storage settings: on a cluster without a shared file
    system the DAG is planned from the files in storage, as the job's own DAG was.
    ``config_overrides`` (``key=value``) are the invocation's top-level config values, so the
    DAG is planned with the config the run was made with (a stored run refuses another one).
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
        *config_overrides,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        log.warning("lineage: snakemake --dag failed: %s", proc.stderr[-2000:])
        graph = {"nodes": [], "edges": []}
    else:
        graph = table_graph(proc.stdout)
    svg, engine = render_svg(graph, title=f"Lineage of run {run_id}")
    return graph, svg, engine


def run_summary(
    inputs: dict[str, str],
    *,
    snakefile: str,
    storage_args: list,
    agents: dict | None,
    llm_calls: str | Path | None,
    log: logging.Logger,
    root: str | Path = ".",
    config_overrides: list[str] = (),
) -> SummaryReport:
    """The summary report of the run whose files ``inputs`` names by role (see
    :func:`warehouse.report.summary.load_inputs`), in the workspace ``root``.

    On a shared file system the summary also holds every job's time and memory (the run's
    benchmark files), the run's disk use and what changed since the previous run. Jobs on a
    storage provider (Kubernetes) share no working directory: this job sees its declared inputs
    only, so those parts are left out and a warning says so. ``agents`` and ``llm_calls`` are
    the model settings and call log of the executive summary (:func:`narrate`).
    """
    now = utc_now()
    loaded = load_inputs(inputs)
    run_id = loaded["manifest"]["run_id"]
    graph, svg, engine = dag_lineage(
        run_id, snakefile, list(storage_args), log, list(config_overrides)
    )
    on_disk = not storage_args
    summary = build_summary(
        **loaded,
        jobs=read_benchmarks(run_id, root) if on_disk else [],
        lineage={"engine": engine, **graph},
        previous=previous_summary(run_id, root) if on_disk else None,
        now=now,
    )
    # Bytes of the run on disk so far (summary files excluded), unique vs shared via hard links.
    summary["disk"] = run_disk_usage(run_id, Path(root)) if on_disk else None
    if not on_disk:
        summary["warnings"].append(NO_SHARED_FILES)
    # The executive summary: a model's text only if every number in it is a metric of the run.
    summary["narrative"] = narrate(summary, agents, llm_calls)
    html = render(
        "summary_report.html.j2",
        summary=summary,
        lineage_svg=svg,
        charts=sales_charts(summary["series"]),
        generated_at=now,
        version=__version__,
    )
    return SummaryReport(summary=summary, markdown=to_markdown(summary), html=html, svg=svg)
