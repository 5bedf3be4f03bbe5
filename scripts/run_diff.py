"""Rule run_diff: what changed between two runs (schemas, row counts, checks, and for Gold a
row diff on each mart's primary key), as diff_report.json and diff_report.html."""

from warehouse import __version__
from warehouse.core.io import utc_now, write_json, write_text
from warehouse.report.diff import diff_runs, render_html
from warehouse.rulekit import run_rule


def main(smk, log):
    run_a, run_b = smk.wildcards.run_a, smk.wildcards.run_b
    now = utc_now()
    diff = diff_runs(run_a, run_b)
    write_json(smk.output.json, {**diff, "created_at": now})
    write_text(smk.output.html, render_html(diff, generated_at=now, version=__version__))
    log.info("diff %s -> %s: %s", run_a, run_b, diff["summary"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
