"""Rule silver_quality_gate: let Gold build only when no error-level Silver check failed.

When one did, the job fails with a message naming the checks; its output is never written, so
every later invocation stops here again until a new run (fixed data or contract) passes.
"""

import json

from warehouse import layout
from warehouse.layers import gate_error, gate_failures
from warehouse.metadata import utc_now, write_yaml
from warehouse.rulekit import run_rule


def main(smk, log):
    with open(smk.input.checks, encoding="utf-8") as handle:
        checks = json.load(handle)
    failures = gate_failures(checks)
    if failures:
        report = layout.SILVER_REPORT.format(run_id=checks["run_id"])
        raise gate_error("silver", checks["run_id"], failures, report)
    write_yaml(
        smk.output.gate,
        {
            "layer": "silver",
            "run_id": checks["run_id"],
            "status": "open",
            "checked_at": utc_now(),
            "checks": checks["summary"],
        },
    )
    log.info("silver quality gate open: %s", checks["summary"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
