"""Rules silver_quality_gate and gold_quality_gate: decide whether the run may go on.

The gate always writes its file, ``status: open`` or ``status: closed`` with the error-level
check failures that closed it: the next layer is built only for an open gate, the summary
report is written either way, and the final job of the run (``run_complete``) fails with the
failures when a gate is closed.
"""

from warehouse.core.io import read_json, write_yaml
from warehouse.quality.gates import decide_gate
from warehouse.rulekit import run_rule


def main(smk, log):
    record = decide_gate(read_json(smk.input.checks), smk.params.report)
    write_yaml(smk.output.gate, record)
    if record["status"] == "closed":
        log.warning(
            "%s quality gate closed: %d error-level check(s) failed",
            record["layer"],
            len(record["failures"]),
        )
    else:
        log.info("%s quality gate open: %s", record["layer"], record["checks"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
