"""Rule run_manifest: record the run's identity (fingerprint parts, raw files and their SHA-256).

Later invocations find the run by this file, and every Bronze copy is checked against it.
"""

from warehouse.core.io import write_yaml
from warehouse.rulekit import run_rule


def main(smk, log):
    manifest = dict(smk.params.manifest)
    write_yaml(smk.output.manifest, manifest)
    log.info(
        "run %s: fingerprint %s over %d raw files",
        manifest["run_id"],
        manifest["fingerprint"]["combined"],
        len(manifest["raw_files"]),
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
