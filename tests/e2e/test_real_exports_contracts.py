"""Real-world exports (issue #13): contracts that cannot hang or bomb a job, a run's identity that
includes its libraries, and a .env file read as shells read it.

Each case changes a copy of a workspace holding a complete earlier run (a contract, the
installed software as Python sees it, a .env file) and runs the real ``snakemake``: a
backtracking regex on accented names finishes in seconds, a YAML alias bomb is refused before it
is expanded, an upgraded library makes a new run, and a quoted key with a comment reaches the
model server without its quotes and never reaches an artifact or log.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from test_reliability import (
    CUST,
    assert_failed_cleanly,
    build_table,
    rewrite,
    table_meta,
)

from conftest import Workspace, earlier_run_files
from llm_server import FakeLLM, reply

pytestmark = pytest.mark.e2e


def contract(ws: Workspace, table: str) -> Path:
    return ws.root / f"config/contracts/silver/{table}.yaml"


# ---- contracts cannot hang or bomb a job ---------------------------------------------------------


def test_a_backtracking_regex_on_accented_names_finishes_and_reports_the_check(case):
    # Python's re needs about 2**30 steps for each of these names against (\w+)+$ : a run of
    # word characters, then one that is not. RE2 needs one pass.
    names = ["Müllerlüdenscheidtgräfinnenhausen-Schmidt", "Ångströmsdóttirþórsdóttirsen!"]
    rows = b"".join(
        f"{19000 + i},AW{19000 + i:08d},Zoë,{name},S,F,2025-10-09\r\n".encode()
        for i, name in enumerate(names)
    )
    rewrite(case.root / CUST, lambda b: b + rows)
    path = contract(case, "crm_cust_info")
    check = '  - {check: regex, column: cst_lastname, pattern: "(\\\\w+)+$", severity: warn}\n'
    path.write_text(path.read_text().replace("checks:\n", "checks:\n" + check, 1))

    started = time.monotonic()
    result, output = build_table(case, "crm_cust_info")
    assert time.monotonic() - started < 240  # the whole Bronze and Silver build, not hours
    assert result.returncode == 0, result.output[-3000:]
    assert output.exists() and "Traceback" not in result.output
    checks = {c["id"]: c for c in table_meta(case, "crm_cust_info")["checks"]}
    regex = checks["regex_cst_lastname"]
    # RE2's \w is ASCII: every name with an accent or a hyphen fails the check (reported as a
    # warning); a contract that means "any letter" writes \p{L}.
    assert regex["status"] == "fail" and regex["failing_rows"] >= len(names)


def test_a_pattern_re2_cannot_run_is_refused_with_the_syntax_to_use(case):
    path = contract(case, "erp_loc_a101")
    check = '  - {check: regex, column: cid, pattern: "AW(?=\\\\d)", severity: warn}\n'
    path.write_text(path.read_text().replace("checks:\n", "checks:\n" + check, 1))
    result, output = build_table(case, "erp_loc_a101")
    assert_failed_cleanly(
        case,
        result,
        output,
        "erp_loc_a101.yaml is not valid",
        "invalid regular expression 'AW(?=\\\\d)' (invalid perl operator: (?=)",
        "https://github.com/google/re2/wiki/Syntax",
    )
    assert "Traceback" not in result.output


def alias_bomb() -> str:
    """Nine levels of nine aliases: half a kilobyte of YAML that stands for 9**9 strings."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def test_a_contract_with_a_yaml_alias_bomb_is_refused_before_it_is_expanded(case):
    path = contract(case, "erp_loc_a101")
    text = path.read_text().replace(
        "description: ERP customer locations with country names standardised.\n",
        alias_bomb() + "description: *a8\n",
        1,
    )
    assert "*a8" in text and len(text) < 3000  # a contract of the size
    path.write_text(text)
    started = time.monotonic()
    result, output = build_table(case, "erp_loc_a101")
    assert time.monotonic() - started < 240
    assert_failed_cleanly(
        case,
        result,
        output,
        "erp_loc_a101.yaml is not readable YAML",
        "line 4, column 10: the alias *a0 repeats another part of the file",
        "Write the value out",
    )
    assert "Traceback" not in result.output and "lol, lol, lol, lol, lol, lol" not in result.output


# ---- a run's identity includes its libraries -----------------------------------------------------


def fake_upgrade(root: Path, package: str, version: str) -> dict:
    """An environment in which Python reports another installed version of ``package``: a
    distribution's metadata earlier on the path, as a real upgrade leaves it (the code that
    runs is the same; the fingerprint reads versions from the metadata, as pip does)."""
    info = root / "upgraded" / f"{package}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
    return {"PYTHONPATH": str(root / "upgraded")}


def test_an_upgraded_library_makes_a_new_run_instead_of_reusing_the_old_one(case):
    (old,) = case.run_ids()
    manifest = yaml.safe_load((case.root / f"artifacts/orchestrator/{old}/run.yaml").read_text())
    assert set(manifest["software"]) >= {"python", "smelthouse", "pandas", "pyarrow", "numpy"}
    assert manifest["fingerprint"]["software"]

    same = case.snakemake("-n", "all")
    assert same.returncode == 0, same.output
    assert f"Run {old}: reusing the run made from the same raw files, code, config" in same.output

    upgraded = case.snakemake("-n", "all", env=fake_upgrade(case.root, "pandas", "99.0.0"))
    assert upgraded.returncode == 0, upgraded.output[-3000:]
    assert "new run (raw files, code, config or software differ" in upgraded.output
    assert f"Run {old}:" not in upgraded.output
    assert "Traceback" not in upgraded.output
    assert earlier_run_files(case) == case.before  # a dry run: nothing written


# ---- .env as shells read it ----------------------------------------------------------------------


def test_a_quoted_key_with_a_comment_in_dotenv_reaches_the_server_without_its_quotes(case):
    (run_id,) = case.run_ids()
    key = "sk-test-dotenv-0123456789"
    reports = case.root / f"artifacts/reports/{run_id}"
    for name in ("summary_report.json", "summary_report.md", "summary_report.html"):
        (reports / name).unlink()  # the summary is rebuilt: its narrative asks the model
    with FakeLLM([reply("The run completed and every gate passed.")]) as server:
        (case.root / ".env").write_text(
            "# the model used for the narrative\n"
            f'OPENAI_API_KEY="{key}" # my key\n'
            f"export OPENAI_BASE_URL='{server.base_url}'\n"
        )
        result = case.snakemake(f"artifacts/reports/{run_id}/summary_report.json")
    assert result.returncode == 0, result.output[-3000:]
    assert "Traceback" not in result.output
    assert [r["headers"]["authorization"] for r in server.requests] == [f"Bearer {key}"]
    summary = json.loads((reports / "summary_report.json").read_text())
    assert summary["narrative"]["source"] == "model:gpt-4o-mini"
    assert summary["narrative"]["text"] == "The run completed and every gate passed."
    calls = case.root / f"artifacts/drafts/{run_id}/llm_calls.jsonl"
    assert [json.loads(line)["outcome"] for line in calls.read_text().splitlines()] == ["ok"]
    for path in [*(case.root / "artifacts").rglob("*"), *(case.root / ".snakemake").rglob("*")]:
        if path.is_file() and path.name != ".env":
            assert key.encode() not in path.read_bytes(), path
