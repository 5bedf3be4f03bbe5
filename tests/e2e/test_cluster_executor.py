"""Scale-out: the workflow runs unchanged on a cluster executor.

Every job that a cluster would run declares its size (threads, memory, runtime), and a real run
with ``snakemake-executor-plugin-cluster-generic`` -- each job submitted as its own process by
``tests/cluster/submit.sh``, re-reading the Snakefile as a cluster node would -- builds the same
run as a local one: the same Bronze bytes and the same Silver and Gold table contents.
"""

from __future__ import annotations

import importlib.util
import re
import shlex

import pytest
from local_reference import local_run_content

from conftest import REPO, canonical_content

SUBMIT = REPO / "tests" / "cluster" / "submit.sh"
# Rules run by the main process even on a cluster (``localrule: True``): tiny bookkeeping jobs.
LOCAL_RULES = {"run_manifest", "run_complete"}
JOB_DIRECTIVES = ("script:", "shell:", "run:", "wrapper:", "notebook:")


def rule_blocks(text: str) -> dict[str, str]:
    """{rule name: its body} for every ``rule``/``checkpoint`` of a Snakefile's text."""
    blocks: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        header = re.match(r"^(?:rule|checkpoint)\s+(\w+)\s*:", line)
        if header:
            name = header.group(1)
            blocks[name] = ""
        elif line and not line[0].isspace() and not line.startswith("#"):
            name = None  # any other top-level statement ends the rule
        elif name:
            blocks[name] += line + "\n"
    return blocks


def test_every_rule_that_runs_a_job_declares_threads_memory_and_runtime():
    files = [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]
    blocks = {}
    for path in files:
        blocks |= rule_blocks(path.read_text(encoding="utf-8"))
    jobs = {
        name: body
        for name, body in blocks.items()
        if any(re.search(rf"^\s+{d}", body, re.M) for d in JOB_DIRECTIVES)
    }
    assert {"bronze_copy_file", "silver_clean_table", "gold_build_mart"} <= set(jobs)
    missing = {
        name: [
            need
            for need, pattern in (
                ("threads", r"^\s+threads:"),
                ("mem_mb", r"^\s+mem_mb="),
                ("runtime", r"^\s+runtime="),
            )
            if not re.search(pattern, body, re.M)
        ]
        for name, body in jobs.items()
    }
    assert {name: needs for name, needs in missing.items() if needs} == {}


@pytest.mark.e2e
def test_cluster_generic_executor_builds_the_same_run_as_a_local_run(
    workspace, complete_run, tmp_path
):
    assert importlib.util.find_spec("snakemake_executor_plugin_cluster_generic"), (
        "pip install snakemake-executor-plugin-cluster-generic (declared in pyproject.toml)"
    )
    # The submit command uses each job's size, as a real one (sbatch, qsub) would: a rule
    # without one fails to submit (runtime has no default; mem_mb must be declared, see above).
    sizes = "{threads} {resources.mem_mb} {resources.runtime} {rule}"
    submit = f"bash {shlex.quote(str(SUBMIT))} {sizes}"
    cluster = workspace.snakemake(
        "all",
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        submit,
        "--jobs",
        "2",
        # Poll every second (default 10 s): local jobs finish in seconds.
        "--seconds-between-status-checks",
        "1",
        timeout=240,
    )
    assert cluster.returncode == 0, cluster.output

    # The main process resolved the run once; job processes never minted or looked for one.
    (run_id,) = workspace.run_ids()
    assert cluster.output.count(f"Run {run_id}: new run") == 1
    logs = workspace.root / ".snakemake" / "cluster-logs"
    submissions = [line.split("\t") for line in (logs / "submissions.tsv").read_text().splitlines()]
    submitted = {rule for rule, *_ in submissions}
    assert {"bronze_copy_file", "silver_clean_table", "gold_build_mart"} <= submitted
    assert "run_summary_report" in submitted and not submitted & LOCAL_RULES
    job_logs = sorted(logs.glob("snakejob.*.log"))
    assert len(job_logs) == len(submissions)
    for log in job_logs:
        text = log.read_text()
        assert "--target-jobs" in text, log.name  # told exactly which job to run
        assert "new run" not in text and "reusing the run" not in text, log.name

    # The same workspace is complete: a local invocation has nothing to do.
    again = workspace.snakemake("all")
    assert again.returncode == 0 and "Nothing to be done" in again.output, again.output

    # A local run of the same raw data with the same ingestion date holds the same data.
    expected = local_run_content(workspace, complete_run, run_id, tmp_path / "local")
    assert {key.split("/")[0] for key in expected} == {"bronze", "silver", "gold"}
    assert canonical_content(workspace.root) == expected
