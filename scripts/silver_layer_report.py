"""Rule silver_layer_report: the Silver layer's metadata.yaml, checks.json, run_log.txt and
HTML report, from the per-table metadata. It always succeeds, so a failing check is reported
before the quality gate stops the run."""

from warehouse import __version__
from warehouse.core.environment import environment
from warehouse.core.io import read_yaml, utc_now, write_json, write_text, write_yaml
from warehouse.quality.gates import layer_checks
from warehouse.report.render import render
from warehouse.rulekit import run_rule
from warehouse.silver.layer import layer_metadata, run_log


def main(smk, log):
    now = utc_now()
    manifest = read_yaml(smk.input.manifest)
    tables = [read_yaml(path) for path in smk.input.metas]
    checks = layer_checks("silver", manifest["run_id"], tables)
    meta = layer_metadata("silver", manifest, tables, checks, environment(), now)
    write_yaml(smk.output.metadata, meta)
    write_json(smk.output.checks, checks)
    write_text(smk.output.run_log, run_log(meta, checks))
    html = render(
        "silver_report.html.j2",
        meta=meta,
        tables=tables,
        checks=checks,
        generated_at=now,
        version=__version__,
    )
    write_text(smk.output.report, html)
    for warning in meta["warnings"]:
        log.warning("%s", warning)
    log.info(
        "silver layer: %d tables, status %s, checks %s",
        len(tables),
        meta["status"],
        checks["summary"],
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
