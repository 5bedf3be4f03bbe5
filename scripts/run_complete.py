"""Rule run_complete: the run's last job. It writes status.yaml when every quality gate of the
run is open; otherwise it fails with the checks that closed a gate, so `snakemake all` exits
non-zero (after the summary report was written) every time the blocked run is targeted."""

import json

from warehouse.core.io import utc_now, write_yaml
from warehouse.quality.gates import gate_error
from warehouse.rulekit import run_rule


def main(smk, log):
    with open(smk.input.summary, encoding="utf-8") as handle:
        summary = json.load(handle)
    for block in summary["blocked_by"]:
        raise gate_error(block["layer"], summary["run_id"], block["failures"], block["report"])
    write_yaml(
        smk.output.status,
        {
            "run_id": summary["run_id"],
            "status": "complete",
            "completed_at": utc_now(),
            "summary": smk.input.summary,
        },
    )
    log.info("run %s complete", summary["run_id"])


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
