"""Rules silver_quality_gate and gold_quality_gate: decide whether the run may go on.

The gate always writes its file, ``status: open`` or ``status: closed`` with the error-level
check failures that closed it: the next layer is built only for an open gate, the summary
report is written either way, and the final job of the run (``run_complete``) fails with the
failures when a gate is closed.
"""

import json

from warehouse.core.io import utc_now, write_yaml
from warehouse.quality.gates import gate_failures, gate_record
from warehouse.rulekit import run_rule


def main(smk, log):
    with open(smk.input.checks, encoding="utf-8") as handle:
        checks = json.load(handle)
    record = gate_record(checks, gate_failures(checks), smk.params.report, utc_now())
    write_yaml(smk.output.gate, record)
    if record["status"] == "closed":
        log.warning(
            "%s quality gate closed: %d error-level check(s) failed",
            checks["layer"],
            len(record["failures"]),
        )
    else:
        log.info("%s quality gate open: %s", checks["layer"], checks["summary"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
