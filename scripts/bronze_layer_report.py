"""Rule bronze_layer_report: the Bronze layer's metadata.yaml, run_log.txt and HTML report."""

from warehouse import __version__
from warehouse.bronze.layer import layer_metadata, run_log
from warehouse.core.environment import environment
from warehouse.core.io import read_yaml, utc_now, write_text, write_yaml
from warehouse.report.render import render
from warehouse.rulekit import run_rule


def main(smk, log):
    now = utc_now()
    files = [read_yaml(path) for path in smk.input.metas]
    meta = layer_metadata(read_yaml(smk.input.manifest), files, environment(), now)
    write_yaml(smk.output.metadata, meta)
    write_text(smk.output.run_log, run_log(meta))
    html = render("bronze_report.html.j2", meta=meta, generated_at=now, version=__version__)
    write_text(smk.output.report, html)
    for warning in meta["warnings"]:
        log.warning("%s", warning)
    log.info("bronze layer: %d files, %d data rows", len(files), meta["totals"]["data_rows"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
