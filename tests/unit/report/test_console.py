"""The console's end-of-invocation block (from a run's summary, or its layers until the summary
is written) and the one-line job log that replaces Snakemake's job blocks on the console."""

from __future__ import annotations

import logging

from warehouse.core import paths
from warehouse.core.io import write_json, write_text, write_yaml
from warehouse.report import console

RUN = "20261202T010203Z_abcdef12"


def flow(table, bronze, silver, quarantined):
    return {
        "table": table,
        "bronze_rows": bronze,
        "silver_rows_in": bronze,
        "silver_rows_out": silver,
        "rows_quarantined": quarantined,
    }


def check(layer, table, check_id, severity, status, failing_rows=0):
    return {
        "layer": layer,
        "table": table,
        "id": check_id,
        "severity": severity,
        "status": status,
        "failing_rows": failing_rows,
        "description": f"{check_id} holds",
    }


def summary_of(status="complete"):
    """A two-table run: 1,200 raw rows, 1,150 kept in Silver, 50 quarantined, two marts."""
    blocked = status == "blocked"
    results = [
        check("silver", "crm_cust_info", "not_null_id", "error", "pass"),
        check("silver", "crm_cust_info", "dates_plausible", "warn", "fail", 4),
        check("silver", "erp_loc", "unique_id", "error", "fail" if blocked else "pass", 2),
        check("silver", "erp_loc", "known_country", "error", "fail" if blocked else "pass", 1),
    ]
    counts = {"total": 4, "passed": 1 if blocked else 3, "failed_error": 2 if blocked else 0}
    checks = {"silver": {**counts, "failed_warn": 1}}
    if not blocked:
        results.append(check("gold", "fact_sales", "orphan_keys", "error", "pass"))
        checks["gold"] = {"total": 1, "passed": 1, "failed_error": 0, "failed_warn": 0}
    return {
        "run_id": RUN,
        "status": status,
        "layers": [
            {"layer": "bronze", "status": "complete", "gate": None},
            {
                "layer": "silver",
                "status": "failed" if blocked else "passed_with_warnings",
                "gate": "closed" if blocked else "open",
            },
            {
                "layer": "gold",
                "status": "not_built" if blocked else "passed",
                "gate": None if blocked else "open",
            },
        ],  # fmt: skip
        "blocked_by": [
            {"layer": "silver", "report": paths.SILVER_REPORT.format(run_id=RUN), "failures": []}
        ]
        if blocked
        else [],
        "row_flow": [
            flow("crm_cust_info", 1000, 960, 40),
            flow("erp_loc", 200, 190, 10),
        ],
        "gold_marts": [] if blocked else [{"table": "a", "rows": 70}, {"table": "b", "rows": 5}],
        "checks": {"summary": checks, "results": results},
        "kpis": {},
    }


def block(artifacts, origin="new", seconds=83.4, stopped=False):
    return console.run_block(
        console.facts(artifacts), origin=origin, seconds=seconds, stopped=stopped
    )


def with_summary(summary, complete=None):
    complete = summary["status"] == "complete" if complete is None else complete
    return {"run_id": summary["run_id"], "summary": summary, "complete": complete}


def test_a_complete_run_says_every_layer_row_count_and_check_total_and_where_to_look():
    assert block(with_summary(summary_of())) == [
        f"Summary of run {RUN} (new run): complete",
        "  layers    Bronze complete | Silver passed with warnings, gate open | Gold passed, "
        "gate open",
        "  rows      raw 1,200 -> Bronze 1,200 -> Silver 1,150 (+50 quarantined) -> Gold 75 in "
        "2 marts",
        "  checks    4 passed, 1 warned, 0 failed",
        "  took      1 min 23 s",
        f"  summary   artifacts/reports/{RUN}/summary_report.html",
        "  all runs  artifacts/index.html",
    ]


def test_a_blocked_run_names_the_closed_gate_and_every_failed_error_check():
    lines = block(with_summary(summary_of("blocked")), origin="reused", seconds=2.04, stopped=True)
    assert (
        lines[0] == f"Summary of run {RUN} (reused run): BLOCKED, the Silver quality gate is closed"
    )
    assert lines[1] == "  layers    Bronze complete | Silver failed, gate closed | Gold not built"
    assert lines[2].endswith("Silver 1,150 (+50 quarantined) -> Gold not built")
    assert lines[3] == "  checks    1 passed, 1 warned, 2 failed"
    assert lines[4:7] == [
        "  failed    silver erp_loc.unique_id on 2 rows: unique_id holds",
        "            silver erp_loc.known_country on 1 row: known_country holds",
        f"  report    artifacts/silver/{RUN}/reports/elt_report.html (the failing rows)",
    ]
    assert "  took      2.0 s" in lines


def test_a_long_list_of_failed_checks_is_cut_short():
    summary = summary_of("blocked")
    summary["checks"]["results"] += [
        check("silver", "erp_loc", f"rule_{i}", "error", "fail", 1) for i in range(12)
    ]
    lines = block(with_summary(summary))
    failed = [line for line in lines if " on 1 row" in line or " on 2 rows" in line]
    assert len(failed) == console.MAX_FAILURES
    assert "            and 4 more" in lines


def test_a_complete_run_whose_rebuild_failed_says_so():
    lines = block(with_summary(summary_of()), origin="reused", stopped=True)
    assert lines[0].endswith("): complete, but a job of this invocation failed (see above)")


def test_a_run_with_a_summary_but_no_final_status_is_not_finished():
    lines = block(with_summary(summary_of(), complete=False), stopped=True)
    assert lines[0] == f"Summary of run {RUN} (new run): not finished, a job failed (see above)"
    assert lines[2].endswith("-> Gold 75 in 2 marts")


def test_before_the_summary_is_written_the_block_reads_the_layers_and_gates(tmp_path):
    def write(template, data):
        write_yaml(paths.at(template, tmp_path, run_id=RUN), data)

    write(paths.BRONZE_METADATA, {"status": "complete", "totals": {"data_rows": 1200}})
    artifacts = console.read_artifacts(RUN, locate=lambda p: tmp_path / p)
    assert artifacts["summary"] is None and not artifacts["complete"]
    lines = block(artifacts, origin="new", seconds=4.25)
    assert lines == [
        f"Summary of run {RUN} (new run): not finished",
        "  layers    Bronze complete | Silver not finished | Gold not finished",
        "  rows      raw 1,200 -> Bronze 1,200 -> Silver not built",
        "  checks    none run yet",
        "  took      4.2 s",
        "  summary   not written yet: `snakemake all` completes the run",
        "  all runs  artifacts/index.html",
    ]

    totals = {"rows_out": 1150, "rows_quarantined": 50}
    write(paths.SILVER_METADATA, {"status": "passed_with_warnings", "totals": totals})
    counts = {"total": 4, "passed": 3, "failed_error": 0, "failed_warn": 1}
    write(paths.SILVER_GATE, {"layer": "silver", "status": "open", "checks": counts,
                              "failures": [], "report": "r"})  # fmt: skip
    lines = block(console.read_artifacts(RUN, locate=lambda p: tmp_path / p), origin="completed")
    assert lines[0] == f"Summary of run {RUN} (reused run, completed now): not finished"
    assert lines[1] == (
        "  layers    Bronze complete | Silver passed with warnings, gate open | Gold not finished"
    )
    assert lines[2] == (
        "  rows      raw 1,200 -> Bronze 1,200 -> Silver 1,150 (+50 quarantined) -> Gold not built"
    )
    assert lines[3] == "  checks    3 passed, 1 warned, 0 failed"


def test_once_written_the_summary_is_what_the_block_says(tmp_path):
    write_json(paths.at(paths.SUMMARY_JSON, tmp_path, run_id=RUN), summary_of())
    write_text(paths.at(paths.RUN_STATUS, tmp_path, run_id=RUN), "status: complete\n")
    write_yaml(paths.at(paths.BRONZE_METADATA, tmp_path, run_id=RUN),
               {"status": "complete", "totals": {"data_rows": 5}})  # fmt: skip
    artifacts = console.read_artifacts(RUN, locate=lambda p: tmp_path / p)
    assert artifacts["complete"]
    assert block(artifacts) == block(with_summary(summary_of()))


def test_durations_read_as_a_person_says_them():
    assert [console.duration(s) for s in (0.04, 59.94, 60, 185.4, 3599, 3720)] == [
        "0.0 s", "59.9 s", "1 min 00 s", "3 min 05 s", "59 min 59 s", "1 h 02 min",
    ]  # fmt: skip


def record(msg, **extra):
    rec = logging.LogRecord("snakemake.logging", logging.INFO, __file__, 1, msg, None, None)
    rec.__dict__.update(extra)
    return rec


class Full(logging.Formatter):
    def format(self, record):
        return f"FULL {record.getMessage()}"


def test_the_compact_console_writes_one_line_per_job_and_leaves_the_rest_to_snakemake():
    compact = console.CompactConsole(Full())
    job = {
        "event": "job_info",
        "rule_name": "silver_clean_table",
        "local": True,
        "is_checkpoint": False,
        "rule_msg": None,
        "wildcards": {"run_id": RUN, "table": "crm_cust_info"},
        "input": ["a" * 500],
    }
    line = compact.format(record(" Rule: silver_clean_table, Jobid: 3", **job))
    assert line.endswith("] localrule silver_clean_table: table=crm_cust_info")
    assert RUN not in line and "a" * 10 not in line
    gate = {**job, "rule_name": "silver_layer_report", "local": False, "is_checkpoint": True,
            "wildcards": {"run_id": RUN}}  # fmt: skip
    assert compact.format(record("", **gate)).endswith("] checkpoint silver_layer_report:")
    assert compact.format(record("Finished jobid: 3", event="job_finished")) == ""
    assert compact.format(record("Execute 2 jobs...", event="job_started")) == ""
    assert compact.format(record("Select jobs to execute...")) == ""
    assert compact.format(record("SNAKEMAKE", event="workflow_started")) == ""
    assert compact.format(record("3 of 28 steps", event="progress")) == "FULL 3 of 28 steps"
    assert compact.format(record("Job 3: a message", **{**job, "rule_msg": "a message"})) == (
        "FULL Job 3: a message"
    )
    assert compact.format(record("Nothing to be done.")) == "FULL Nothing to be done."
