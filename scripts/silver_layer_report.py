"""Rule silver_layer_report: the Silver layer's metadata.yaml, checks.json, run_log.txt and
HTML report, from the per-table metadata. It always succeeds, so a failing check is reported
before the quality gate stops the run."""

from warehouse.core.io import read_yaml, write_json, write_text, write_yaml
from warehouse.report.layer_reports import silver_layer_report
from warehouse.rulekit import run_rule


def main(smk, log):
    tables = [read_yaml(path) for path in smk.input.metas]
    report = silver_layer_report(read_yaml(smk.input.manifest), tables)
    write_yaml(smk.output.metadata, report.metadata)
    write_json(smk.output.checks, report.checks)
    write_text(smk.output.run_log, report.run_log)
    write_text(smk.output.report, report.html)
    meta = report.metadata
    for warning in meta["warnings"]:
        log.warning("%s", warning)
    log.info(
        "silver layer: %d tables, status %s, checks %s",
        meta["totals"]["tables"],
        meta["status"],
        report.checks["summary"],
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
