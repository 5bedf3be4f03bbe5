"""Rule gold_layer_report: the Gold layer's metadata.yaml, checks.json, run_log.txt and HTML
report with the headline KPIs and small inline SVG charts, and the Gold quality gate. The job
always succeeds: a failing check is reported, and a closed gate stops the run later (see
warehouse.quality.gates)."""

from warehouse.core.io import read_yaml, write_json, write_text, write_yaml
from warehouse.quality.gates import decide_gate
from warehouse.report.gold_report import gold_layer_report
from warehouse.rulekit import log_gate, run_rule


def main(smk, log):
    marts = [read_yaml(path) for path in smk.input.metas]
    resources = getattr(smk, "resources", None)
    report = gold_layer_report(
        read_yaml(smk.input.manifest),
        marts,
        smk.input.kpi_tables,
        memory_mb=getattr(resources, "mem_mb", None),
        temp_root=getattr(resources, "tmpdir", None),
    )
    write_yaml(smk.output.metadata, report.metadata)
    write_json(smk.output.checks, report.checks)
    write_text(smk.output.run_log, report.run_log)
    write_text(smk.output.report, report.html)
    meta = report.metadata
    log.info(
        "gold layer: %d marts, status %s, KPIs %s",
        meta["totals"]["marts"],
        meta["status"],
        meta["kpis"],
    )
    gate = decide_gate(report.checks, smk.params.report)
    write_yaml(smk.output.gate, gate)
    log_gate(log, gate)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
