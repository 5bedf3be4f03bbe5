"""End-to-end: onboarding a new export with the agents, through the real `snakemake`.

A new CSV dropped into raw/ is drafted on demand (`snakemake drafts`), promoted by a person
(tools/promote_contract.py) and then cleaned by the next `snakemake all` from the promoted
contract. The same with a model: a local scripted OpenAI-compatible server, every call in
llm_calls.jsonl, and the API key in no file under artifacts/.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest
import yaml

from llm_server import FakeLLM, reply

pytestmark = pytest.mark.e2e

TABLE = "erp_promo_x1"
KEY = "sk-test-e2e-4f1c9a7d2b"


def promo_csv() -> bytes:
    """A small promotions export: a duplicate id, a junk row without id, a padded code, an end
    date of 0; CRLF like the other exports."""
    channels = ("WEB", "STORE", "MAIL")
    lines = ["PROMO_ID,PROMO_CODE,CHANNEL,START_DT,END_DT,DISCOUNT_PCT"]
    for i in range(1, 39):
        code = f" PR{i:04d} " if i == 5 else f"PR{i:04d}"
        start = f"2013{(i % 12) + 1:02d}01"
        end = "0" if i == 9 else f"2013{(i % 12) + 1:02d}28"
        lines.append(f"{i},{code},{channels[i % 3]},{start},{end},{5 + i % 20}")
    lines.insert(8, "7,PR0007,WEB,20120101,20120128,5")  # an older version of promotion 7
    lines.append(",JUNK,,,,")
    return ("\r\n".join(lines) + "\r\n").encode()


def add_promotions(workspace) -> None:
    (workspace.root / "raw" / "source_erp" / "PROMO_X1.csv").write_bytes(promo_csv())


def only_run(workspace) -> str:
    (run_id,) = workspace.run_ids()
    return run_id


def test_a_new_export_is_drafted_promoted_and_cleaned_by_the_next_run(workspace, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # agents: auto, so the heuristics draft
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    add_promotions(workspace)
    root = workspace.root

    drafted = workspace.snakemake("drafts")
    assert drafted.returncode == 0, drafted.output
    first = only_run(workspace)
    contracts = root / "artifacts" / "drafts" / first / "contracts"
    # the six shipped tables have contracts and pass their error-level checks: only the new one
    assert sorted(p.name for p in contracts.iterdir()) == [f"{TABLE}.md", f"{TABLE}.yaml"]
    assert "drafted by **heuristic**" in (contracts / f"{TABLE}.md").read_text()
    assert (root / "artifacts" / "drafts" / first / "profiles" / f"{TABLE}.json").is_file()

    draft = f"artifacts/drafts/{first}/contracts/{TABLE}.yaml"
    promoted = subprocess.run(
        [sys.executable, "tools/promote_contract.py", draft],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert promoted.returncode == 0, promoted.stderr
    assert "snakemake all" in promoted.stdout
    contract = root / "config" / "contracts" / "silver" / f"{TABLE}.yaml"
    digest = hashlib.sha256((root / draft).read_bytes()).hexdigest()
    assert f"# draft_sha256: {digest}" in contract.read_text()
    assert "# drafted_by: heuristic" in contract.read_text()

    again = subprocess.run(
        [sys.executable, "tools/promote_contract.py", draft],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1 and "--replace" in again.stderr

    built = workspace.snakemake("all")
    assert built.returncode == 0, built.output
    second = next(r for r in workspace.run_ids() if r != first)
    assert f"Run {second}: new run" in built.output  # the promoted contract made a new run
    meta = yaml.safe_load(
        (root / "artifacts" / "silver" / second / "tables" / f"{TABLE}.yaml").read_text()
    )
    assert meta["contract"] == f"config/contracts/silver/{TABLE}.yaml"
    assert meta["balanced"] and (meta["rows_in"], meta["rows_out"]) == (40, 38)
    assert meta["quarantine_by_rule"] == {"missing_key": 1, "superseded_duplicate": 1}
    assert not [c for c in meta["checks"] if c["status"] == "fail" and c["severity"] == "error"]
    types = {c["name"]: c["type"] for c in meta["schema_out"]}
    assert (types["promo_id"], types["start_dt"], types["end_dt"]) == ("int", "date", "date")
    assert (root / "artifacts" / "orchestrator" / second / "status.yaml").is_file()
    assert not (root / "artifacts" / "drafts" / second).exists()  # drafting is never part of all


def model_contract() -> dict:
    """What the scripted model answers the second time: a valid contract for the promotions."""
    columns = ["promo_id", "promo_code", "channel", "start_dt", "end_dt", "discount_pct"]
    return {
        "table": "not_the_table",
        "layer": "silver",
        "grain": "One row per promotion (promo_id), its latest version.",
        "source": {"source": "erp", "file": "elsewhere.csv"},
        "key": ["promo_id"],
        "columns": [
            {"name": "promo_id", "type": "int"},
            {"name": "promo_code", "type": "string"},
            {"name": "channel", "type": "string"},
            {"name": "start_dt", "type": "date"},
            {"name": "end_dt", "type": "date"},
            {"name": "discount_pct", "type": "decimal"},
        ],
        "steps": [
            {"op": "trim", "columns": columns},
            {"op": "reject_when", "columns": ["promo_id"], "condition": "missing"},
            {"op": "cast", "column": "promo_id", "to": "int"},
            {"op": "parse_date", "column": "start_dt", "format": "%Y%m%d", "exact_length": 8},
            {"op": "parse_date", "column": "end_dt", "format": "%Y%m%d", "exact_length": 8},
            {"op": "cast", "column": "discount_pct", "to": "decimal", "on_error": "null"},
            {"op": "dedupe", "key": ["promo_id"], "keep": "latest", "order_by": "start_dt"},
        ],
        "checks": [
            {"check": "unique", "columns": ["promo_id"], "severity": "error"},
            {
                "check": "accepted_values",
                "column": "channel",
                "values": ["WEB", "STORE", "MAIL"],
                "severity": "warn",
            },
        ],  # fmt: skip
    }


def test_drafting_with_a_model_logs_every_call_and_never_writes_the_key(workspace, monkeypatch):
    config = workspace.root / "config" / "config.yaml"
    config.write_text(config.read_text().replace('mode: "auto"', 'mode: "on"'))
    add_promotions(workspace)
    script = [reply("Here is what I think about promotions."), reply(json.dumps(model_contract()))]
    with FakeLLM(script) as server:
        env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": server.base_url}
        drafted = workspace.snakemake("drafts", env=env)
    assert drafted.returncode == 0, drafted.output
    run_id = only_run(workspace)
    drafts = workspace.root / "artifacts" / "drafts" / run_id

    calls = [json.loads(line) for line in (drafts / "llm_calls.jsonl").read_text().splitlines()]
    assert [c["outcome"] for c in calls] == ["invalid", "ok"]
    for call in calls:
        assert call["purpose"] == f"draft_contract:{TABLE}"
        assert call["model"] == "gpt-4o-mini"
        assert call["endpoint_host"] == re.sub(r"^http://|/v1$", "", server.base_url)
        assert re.fullmatch(r"[0-9a-f]{64}", call["prompt_sha256"])
        assert call["total_tokens"] == 18
    assert len(server.requests) == 2
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"

    text = (drafts / "contracts" / f"{TABLE}.yaml").read_text()
    assert "# drafted_by: model:gpt-4o-mini" in text
    assert yaml.safe_load(text)["table"] == TABLE  # never the model's name
    assert "sent back once" in (drafts / "contracts" / f"{TABLE}.md").read_text()

    leaked = [
        p.relative_to(workspace.root).as_posix()
        for p in (workspace.root / "artifacts").rglob("*")
        if p.is_file() and KEY.encode() in p.read_bytes()
    ]
    assert leaked == []
