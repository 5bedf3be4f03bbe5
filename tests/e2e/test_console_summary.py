"""End-to-end: what `snakemake all` prints. One short line per job while it runs, then a block
about the run (new or reused, each layer and gate, rows raw -> Bronze -> Silver -> Gold,
checks, the time it took, where the summary page and the runs index are) whose numbers are the
run's summary document; the same block for a blocked run, with the failing checks; nothing on a
dry run. The full Snakemake log stays in .snakemake/log/ and --verbose brings it to the console.
"""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.e2e

ROWS = re.compile(
    r"^  rows      raw ([\d,]+) -> Bronze ([\d,]+) -> Silver ([\d,]+) \(\+([\d,]+) quarantined\)"
    r" -> Gold (?:([\d,]+) in (\d+) marts|not built)$"
)
CHECKS = re.compile(r"^  checks    ([\d,]+) passed, ([\d,]+) warned, ([\d,]+) failed$")


def block_of(output: str, run_id: str) -> list[str]:
    """The summary block of ``run_id`` in ``output`` (from its first line to "all runs")."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"Summary of run {run_id} ")]
    assert len(starts) == 1, output[-3000:]
    end = next(i for i in range(starts[0], len(lines)) if lines[i].startswith("  all runs  "))
    return lines[starts[0] : end + 1]


def field(block: list[str], name: str) -> str:
    (line,) = [line for line in block if line.startswith(f"  {name:<10}")]
    return line[12:]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def summary_json(ws, run_id: str) -> dict:
    return json.loads((ws.root / f"artifacts/reports/{run_id}/summary_report.json").read_text())


def assert_numbers_are_the_summary(block: list[str], summary: dict) -> None:
    flow = summary["row_flow"]
    rows = ROWS.match(next(line for line in block if line.startswith("  rows ")))
    assert rows, block
    raw, bronze, silver, quarantined, gold, marts = rows.groups()
    assert number(raw) == number(bronze) == sum(f["bronze_rows"] for f in flow)
    assert number(silver) == sum(f["silver_rows_out"] for f in flow)
    assert number(quarantined) == sum(f["rows_quarantined"] for f in flow)
    if summary["status"] == "complete":
        assert number(gold) == sum(m["rows"] for m in summary["gold_marts"])
        assert int(marts) == len(summary["gold_marts"])
    else:
        assert gold is None
    layers = summary["checks"]["summary"].values()
    checks = CHECKS.match(next(line for line in block if line.startswith("  checks ")))
    assert checks, block
    assert [number(n) for n in checks.groups()] == [
        sum(s["passed"] for s in layers),
        sum(s["failed_warn"] for s in layers),
        sum(s["failed_error"] for s in layers),
    ]


def test_a_new_run_ends_with_its_summary_block_after_one_line_per_job(complete_run):
    result = complete_run.first_result
    (run_id,) = complete_run.run_ids()
    summary = summary_json(complete_run, run_id)
    block = block_of(result.output, run_id)

    assert block[0] == f"Summary of run {run_id} (new run): complete"
    assert field(block, "layers") == (
        "Bronze complete | Silver passed with warnings, gate open | "
        "Gold passed with warnings, gate open"
    )
    assert [layer["status"] for layer in summary["layers"]] == [
        "complete",
        "passed_with_warnings",
        "passed_with_warnings",
    ]
    assert_numbers_are_the_summary(block, summary)
    assert not any(line.startswith("  failed ") for line in block)  # no error check failed
    assert re.fullmatch(r"[\d.]+ s|\d+ min \d\d s", field(block, "took"))
    assert field(block, "summary") == f"artifacts/reports/{run_id}/summary_report.html"
    assert field(block, "all runs") == "artifacts/index.html"
    for page in (field(block, "summary"), field(block, "all runs")):
        assert (complete_run.root / page).is_file()

    # While jobs run: one line each (rule and wildcards), the progress, no input/output lists.
    assert re.search(r"^\[[\d:]+\] localrule silver_clean_table: table=crm_cust_info$",
                     result.output, flags=re.M)  # fmt: skip
    assert re.search(r"^(\d+) of \1 steps \(100%\) done$", result.output, flags=re.M)
    for chatter in ("    input: ", "    reason: ", "Select jobs to execute", "Finished jobid"):
        assert chatter not in result.output

    # The log file keeps Snakemake's whole story, the block included.
    logs = [p.read_text() for p in (complete_run.root / ".snakemake/log").glob("*.log")]
    (log,) = [text for text in logs if f"Summary of run {run_id} " in text]
    assert "    input: " in log and "    reason: " in log and "Finished jobid" in log


def test_a_blocked_run_gets_the_block_with_its_failing_checks(built_workspace):
    ws = built_workspace
    (earlier,) = ws.run_ids()
    categories = ws.root / "raw/source_erp/PX_CAT_G1V2.csv"
    categories.write_bytes(categories.read_bytes() + b"AC_BR,Accessories,Bike Racks,Maybe\r\n")
    result = ws.snakemake("all")
    assert result.returncode != 0
    (run_id,) = set(ws.run_ids()) - {earlier}
    summary = summary_json(ws, run_id)
    assert summary["status"] == "blocked"
    block = block_of(result.output, run_id)

    assert (
        block[0] == f"Summary of run {run_id} (new run): BLOCKED, the Silver quality gate is closed"
    )
    assert field(block, "layers") == "Bronze complete | Silver failed, gate closed | Gold not built"
    assert_numbers_are_the_summary(block, summary)
    failures = summary["blocked_by"][0]["failures"]
    start = next(i for i, line in enumerate(block) if line.startswith("  failed    "))
    named = [line[12:] for line in block[start : start + len(failures)]]
    assert named == [
        f"silver {f['table']}.{f['id']} on {f['failing_rows']:,} "
        f"{'row' if f['failing_rows'] == 1 else 'rows'}: {f['description']}"
        for f in failures
    ]
    assert {"unique_id", "accepted_values_maintenance"} <= {f["id"] for f in failures}
    assert field(block, "report") == (
        f"artifacts/silver/{run_id}/reports/elt_report.html (the failing rows)"
    )

    # The run stays blocked; the next invocation says so again, for the same (reused) run.
    again = ws.snakemake("all")
    assert again.returncode != 0
    assert block_of(again.output, run_id)[0] == (
        f"Summary of run {run_id} (reused run): BLOCKED, the Silver quality gate is closed"
    )


def test_no_block_on_a_dry_run_or_when_nothing_is_done_and_verbose_shows_everything(
    built_workspace,
):
    ws = built_workspace
    (run_id,) = ws.run_ids()
    (ws.root / f"artifacts/silver/{run_id}/data/erp_loc_a101.parquet").unlink()

    plan = ws.snakemake("-n", "all")
    assert plan.returncode == 0, plan.output
    assert "Summary of run" not in plan.output
    assert "    input: " in plan.output  # the plan is shown in full

    rebuilt = ws.snakemake("all", "--verbose")
    assert rebuilt.returncode == 0, rebuilt.output
    assert "    input: " in rebuilt.output and "    reason: " in rebuilt.output
    assert block_of(rebuilt.output, run_id)[0] == f"Summary of run {run_id} (reused run): complete"

    idle = ws.snakemake("all")
    assert idle.returncode == 0 and "Nothing to be done" in idle.output
    assert "Summary of run" not in idle.output
