"""Rule bronze_layer_report: the Bronze layer's metadata.yaml, run_log.txt and HTML report."""

from warehouse.core.io import read_yaml, write_text, write_yaml
from warehouse.report.layer_reports import bronze_layer_report
from warehouse.rulekit import run_rule


def main(smk, log):
    files = [read_yaml(path) for path in smk.input.metas]
    report = bronze_layer_report(read_yaml(smk.input.manifest), files)
    write_yaml(smk.output.metadata, report.metadata)
    write_text(smk.output.run_log, report.run_log)
    write_text(smk.output.report, report.html)
    meta = report.metadata
    for warning in meta["warnings"]:
        log.warning("%s", warning)
    log.info(
        "bronze layer: %d files, %d data rows", meta["totals"]["files"], meta["totals"]["data_rows"]
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
