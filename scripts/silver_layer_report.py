"""Rule silver_layer_report (a checkpoint): the Silver layer's metadata.yaml, checks.json,
run_log.txt and HTML report, from the per-table metadata, and the Silver quality gate, which
decides whether Gold is built for the run. The job always succeeds: a failing check is reported,
and a closed gate stops the run later (see warehouse.quality.gates)."""

from warehouse.core.io import read_yaml, write_json, write_text, write_yaml
from warehouse.quality.gates import decide_gate
from warehouse.report.layer_reports import silver_layer_report
from warehouse.rulekit import log_gate, run_rule


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
    gate = decide_gate(report.checks, smk.params.report)
    write_yaml(smk.output.gate, gate)
    log_gate(log, gate)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
