"""Rule run_summary_report: the run's summary (JSON, Markdown, HTML) and its lineage graph,
drawn from what the run declares (see warehouse.report.run_summary)."""

from warehouse.core.io import write_json, write_text
from warehouse.report.run_summary import run_summary
from warehouse.rulekit import run_rule


def main(smk, log):
    report = run_summary(
        dict(smk.input.items()),
        shared_fs=smk.params.shared_fs,
        agents=smk.params.agents,
        llm_calls=smk.params.llm_calls,
    )
    write_json(smk.output.json, report.summary)
    write_text(smk.output.md, report.markdown)
    write_text(smk.output.lineage, report.svg)
    write_text(smk.output.html, report.html)
    summary = report.summary
    lineage = summary["lineage"]
    log.info(
        "run %s: %s; lineage %d nodes (%s)",
        summary["run_id"],
        summary["status"],
        len(lineage["nodes"]),
        lineage["engine"],
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
