"""The run summary report of one run, everything the rule run_summary_report writes: the
summary document (``summary_report.json``), its Markdown and HTML pages, and the lineage graph.

The lineage is the run's table graph (raw file -> Bronze -> Silver -> Gold -> reports) drawn from
what the run declares (:mod:`warehouse.lineage.graph`: its manifest and the marts' SQL models),
which a test holds equal to the folded ``snakemake all --dag`` of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse import __version__
from warehouse.agents.narrative import narrate
from warehouse.core.io import utc_now
from warehouse.lineage.graph import gold_inputs, run_graph
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


def lineage(manifest: dict, gold_built: bool) -> tuple[dict, str, str]:
    """(table graph, SVG, engine) of the run whose manifest is ``manifest``; Gold is part of it
    when it was built."""
    graph = run_graph(manifest, gold_inputs(manifest) if gold_built else None)
    svg, engine = render_svg(graph, title=f"Lineage of run {manifest['run_id']}")
    return graph, svg, engine


def run_summary(
    inputs: dict[str, str],
    *,
    shared_fs: bool,
    agents: dict | None,
    llm_calls: str | Path | None,
    root: str | Path = ".",
) -> SummaryReport:
    """The summary report of the run whose files ``inputs`` names by role (see
    :func:`warehouse.report.summary.load_inputs`), in the workspace ``root``.

    On a shared file system (``shared_fs``) the summary also holds every job's time and memory
    (the run's benchmark files), the run's disk use and what changed since the previous run.
    Jobs on a storage provider (Kubernetes) share no working directory: this job sees its
    declared inputs only, so those parts are left out and a warning says so. ``agents`` and
    ``llm_calls`` are the model settings and call log of the executive summary (:func:`narrate`).
    """
    now = utc_now()
    loaded = load_inputs(inputs)
    run_id = loaded["manifest"]["run_id"]
    graph, svg, engine = lineage(loaded["manifest"], gold_built=loaded["gold"] is not None)
    on_disk = shared_fs
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
