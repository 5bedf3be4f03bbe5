"""Rule run_diff: what changed between two runs (schemas, row counts, checks, and for Gold a
row diff on each mart's primary key), as diff_report.json and diff_report.html."""

from warehouse.core.io import write_json, write_text
from warehouse.report.diff import diff_report
from warehouse.rulekit import run_rule


def main(smk, log):
    run_a, run_b = smk.wildcards.run_a, smk.wildcards.run_b
    diff, html = diff_report(run_a, run_b)
    write_json(smk.output.json, diff)
    write_text(smk.output.html, html)
    log.info("diff %s -> %s: %s", run_a, run_b, diff["summary"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
