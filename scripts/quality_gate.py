"""Rules silver_quality_gate and gold_quality_gate: let the run go on only when no error-level
check of the layer failed.

When one did, the job fails with a message naming the checks; its output is never written, so
every later invocation of the run stops here again until a new run (fixed data or contract)
passes.
"""

import json

from warehouse.layers import gate_error, gate_failures
from warehouse.metadata import utc_now, write_yaml
from warehouse.rulekit import run_rule


def main(smk, log):
    with open(smk.input.checks, encoding="utf-8") as handle:
        checks = json.load(handle)
    failures = gate_failures(checks)
    if failures:
        raise gate_error(checks["layer"], checks["run_id"], failures, smk.params.report)
    write_yaml(
        smk.output.gate,
        {
            "layer": checks["layer"],
            "run_id": checks["run_id"],
            "status": "open",
            "checked_at": utc_now(),
            "checks": checks["summary"],
        },
    )
    log.info("%s quality gate open: %s", checks["layer"], checks["summary"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
