"""The rule harness ends a job that outlives its ``runtime`` resource with a clear message."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from warehouse import rulekit
from warehouse.core.errors import PipelineError


def job(tmp_path, runtime) -> SimpleNamespace:
    """The attributes run_rule reads; no run_id wildcard, so no OpenLineage events."""
    return SimpleNamespace(
        rule="silver_clean_table",
        log=[str(tmp_path / "job.log")],
        wildcards={},
        input=[],
        output=[],
        config={},
        resources=SimpleNamespace(runtime=runtime),
    )


def test_a_job_past_its_runtime_is_stopped_with_the_rule_the_limit_and_the_remedy(tmp_path):
    def hangs(smk, log):
        try:
            time.sleep(30)
        except Exception:  # a broad handler in the job's code must not swallow the limit
            pytest.fail("the time limit was caught as an ordinary exception")

    started = time.monotonic()
    with pytest.raises(SystemExit) as exited:
        rulekit.run_rule(job(tmp_path, runtime=0.5 / 60), hangs)  # half a second
    assert exited.value.code == 1
    assert time.monotonic() - started < 10
    log = (tmp_path / "job.log").read_text()
    assert "rule silver_clean_table ran longer than its time limit of" in log
    assert "--set-resources silver_clean_table:runtime=<minutes>" in log
    assert "Traceback" not in log


def test_a_job_within_its_runtime_runs_normally_and_leaves_no_alarm(tmp_path):
    ran = []
    rulekit.run_rule(job(tmp_path, runtime=1), lambda smk, log: ran.append(True))
    assert ran == [True]
    time.sleep(0.1)  # a timer left running would fire later, in another test


def test_a_pipeline_error_still_exits_cleanly(tmp_path):
    def fails(smk, log):
        raise PipelineError("bad input: fix it")

    with pytest.raises(SystemExit):
        rulekit.run_rule(job(tmp_path, runtime=1), fails)
    assert "bad input: fix it" in (tmp_path / "job.log").read_text()


@pytest.mark.parametrize("value", [None, 0, -5, "30", True])
def test_a_missing_or_unusable_runtime_means_no_limit(value):
    assert (
        rulekit.runtime_minutes(SimpleNamespace(resources=SimpleNamespace(runtime=value))) is None
    )
    assert rulekit.runtime_minutes(SimpleNamespace()) is None


def test_the_message_names_the_limit_in_minutes():
    message = rulekit.time_limit_message("gold_build_mart", 30)
    assert "time limit of 30 minutes (resources: runtime=30" in message
    assert "fix the contract" in message
