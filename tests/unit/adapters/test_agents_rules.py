"""Rules profile_table and draft_contract, run through their adapters (scripts/profile_table.py,
scripts/draft_contract.py) with a fake ``snakemake`` object, on a tiny Bronze table made by the
Bronze layer. Agents are off, so the heuristics draft and no model is ever called."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fake_snakemake import fake_snakemake, run_adapter

from conftest import REPO
from warehouse.bronze.copy import copy_verified
from warehouse.contracts.validation import validate_contract
from warehouse.core import paths
from warehouse.core.io import read_json, write_json, write_yaml

RUN_ID = "20261126T000000Z_0000beef"
TABLE = "erp_promo"
SCHEMA = REPO / "config" / "contract.schema.yaml"
WILDCARDS = {"run_id": RUN_ID, "table": TABLE}


@pytest.fixture
def bronze(tmp_path) -> dict[str, Path]:
    """The Bronze copy of a promotions export and its metadata, as rule bronze_copy_file writes
    them: 25 promotions, one repeated (a newer version), one row without its id."""
    raw = tmp_path / "raw" / "PROMO.csv"
    raw.parent.mkdir()
    lines = [f"{i},{'WEB' if i % 2 else ' MAIL'}" for i in range(1, 26)] + ["25,MAIL", ",WEB"]
    raw.write_text("PROMO_ID,CHANNEL\r\n" + "\r\n".join(lines) + "\r\n")
    fields = {"run_id": RUN_ID, "source": "erp", "file": "PROMO.csv"}
    data = paths.at(paths.BRONZE_DATA, tmp_path, **fields)
    meta = paths.at(paths.BRONZE_FILE_META, tmp_path, **fields)
    facts = copy_verified(raw, data)
    write_yaml(meta, {"source": "erp", "file": "PROMO.csv", "table": TABLE, **facts})
    return {"bronze": data, "bronze_meta": meta}


def profile(bronze, root: Path) -> Path:
    out = paths.at(paths.DRAFT_PROFILE, root, **WILDCARDS)
    run_adapter(
        fake_snakemake(
            rule="profile_table", input=bronze, output={"profile": out}, wildcards=WILDCARDS
        )
    )
    return out


def draft(bronze, root: Path, profile_path: Path, **context: list) -> tuple[Path, Path, Path]:
    """Run draft_contract; ``context``: the optional inputs ``contract`` and ``silver_checks``
    (lists of zero or one file, as the rule declares them)."""
    contract = paths.at(paths.DRAFT_CONTRACT, root, **WILDCARDS)
    rationale = paths.at(paths.DRAFT_RATIONALE, root, **WILDCARDS)
    llm_calls = paths.at(paths.LLM_CALLS, root, run_id=RUN_ID)
    run_adapter(
        fake_snakemake(
            rule="draft_contract",
            input={
                "profile": profile_path,
                **bronze,
                "contract": context.get("contract", []),
                "silver_checks": context.get("silver_checks", []),
            },
            output={"contract": contract, "rationale": rationale},
            params={"agents": {"mode": "off"}, "llm_calls": str(llm_calls)},
            wildcards=WILDCARDS,
        )
    )
    return contract, rationale, llm_calls


def test_profile_table_writes_the_profile_of_the_bronze_table(bronze, tmp_path):
    found = read_json(profile(bronze, tmp_path))
    assert (found["table"], found["run_id"]) == (TABLE, RUN_ID)
    assert (found["source"], found["file"]) == ("erp", "PROMO.csv")
    assert found["bronze_path"] == str(bronze["bronze"])
    assert found["rows"] == 27 and found["malformed_lines"] == 0
    assert [c["name"] for c in found["columns"]] == ["promo_id", "channel"]
    assert found["candidate_keys"][0]["columns"] == ["promo_id"]


def test_draft_contract_writes_a_valid_draft_and_its_rationale(bronze, tmp_path):
    contract, rationale, llm_calls = draft(bronze, tmp_path, profile(bronze, tmp_path))
    text = contract.read_text(encoding="utf-8")
    assert "# drafted_by: heuristic" in text
    drafted = validate_contract(yaml.safe_load(text), Path(f"{TABLE}.yaml"), SCHEMA)
    assert drafted["table"] == TABLE and drafted["key"] == ["promo_id"]
    assert drafted["source"] == {"source": "erp", "file": "PROMO.csv"}
    md = rationale.read_text(encoding="utf-8")
    assert "drafted by **heuristic**" in md and "the model was not used" in md
    assert "27 rows in, 25 out, 2 quarantined (missing_key: 1, superseded_duplicate: 1)" in md
    assert not llm_calls.exists()  # agents off: no model call, nothing logged


def test_the_runs_contract_and_failed_checks_are_read_as_context(bronze, tmp_path):
    profile_path = profile(bronze, tmp_path)
    first, _, _ = draft(bronze, tmp_path / "first", profile_path)
    checks = paths.at(paths.SILVER_CHECKS, tmp_path, run_id=RUN_ID)
    failed = {"table": TABLE, "status": "fail", "id": "key_unique", "check": "unique"}
    write_json(checks, {"results": [failed | {"severity": "error", "failing_rows": 1}]})
    contract, rationale, _ = draft(
        bronze, tmp_path, profile_path, contract=[first], silver_checks=[checks]
    )
    # Context only reaches a model: with agents off the draft is the same heuristic draft.
    assert contract.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert rationale.is_file()
