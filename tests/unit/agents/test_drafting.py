"""Draft contracts: the heuristic drafter on the six domain tables, and the model drafter against
a local scripted OpenAI-compatible server (good answer, repair round, fallbacks)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import promote_contract
import pytest
import yaml

from conftest import REPO
from llm_server import FakeLLM, reply, status
from sample_generator import generate
from warehouse.agents import client, targets
from warehouse.agents.draft_files import Draft, contract_yaml, rationale_markdown
from warehouse.agents.dry_run import dry_run
from warehouse.agents.heuristic import heuristic_draft
from warehouse.agents.model_drafter import model_draft, parse_contract_answer
from warehouse.agents.profiling import profile_rows
from warehouse.contracts.validation import load_contract, validate_contract
from warehouse.core import paths
from warehouse.core.duck import session
from warehouse.core.errors import PipelineError
from warehouse.run.sources import table_name
from warehouse.silver.cleaner import clean_table
from warehouse.silver.context import Context
from warehouse.silver.reader import load_bronze, read_bronze_csv

SCHEMA = REPO / "config" / "contract.schema.yaml"
INGESTION = dt.date(2026, 11, 26)
KEY = "sk-test-drafting-key"


@pytest.fixture(scope="module")
def bronze_files(tmp_path_factory) -> dict[str, Path]:
    """{table: its CSV file} of generated data (scale 0.01)."""
    raw = tmp_path_factory.mktemp("raw")
    generate(raw, scale=0.01, seed=7)
    return {
        table_name(path.parent.name.removeprefix("source_"), path.name): path
        for path in sorted(raw.glob("source_*/*.csv"))
    }


@pytest.fixture(scope="module")
def tables(bronze_files):
    """{table: (source, file, rows, malformed, profile)} of generated data (scale 0.01)."""
    found = {}
    for path in bronze_files.values():
        source = path.parent.name.removeprefix("source_")
        rows, malformed = read_bronze_csv(path)
        found[table_name(source, path.name)] = (
            source,
            path.name,
            rows,
            malformed,
            profile_rows(rows, len(malformed)),
        )
    return found


def heuristic(tables, table):
    source, file, _, _, profile = tables[table]
    return heuristic_draft(table, source, file, profile)


def steps(contract, op):
    return [s for s in contract["steps"] if s["op"] == op]


# ---- heuristics ------------------------------------------------------------------------------

SIX = (
    "crm_cust_info",
    "crm_prd_info",
    "crm_sales_details",
    "erp_cust_az12",
    "erp_loc_a101",
    "erp_px_cat_g1v2",
)


@pytest.mark.parametrize("table", SIX)
def test_the_heuristic_draft_is_a_valid_contract_that_cleans_the_table(tables, table):
    source, file, rows, malformed, _ = tables[table]
    contract = heuristic(tables, table)
    validate_contract(contract, REPO / f"{table}.yaml", SCHEMA)
    assert contract["source"] == {"source": source, "file": file}
    assert {c["severity"] for c in contract["checks"]} == {"warn"}
    assert steps(contract, "trim")[0]["columns"] == [c["name"] for c in contract["columns"]]
    result = dry_run(contract, rows, malformed, INGESTION)
    assert result["rows_in"] == result["rows_out"] + result["rows_quarantined"]
    assert result["rows_out"] > 0


def shipped_rows_out(bronze_files, table) -> int:
    contract = load_contract(REPO / "config" / "contracts" / "silver" / f"{table}.yaml", SCHEMA)
    ctx = Context(table=table, ingestion_date=INGESTION)
    with session(label="test") as con:
        return clean_table(con, load_bronze(con, bronze_files[table]), contract, ctx).rows_out


def test_customers_key_is_deduplicated_and_codes_named_like_the_shipped_contract(
    tables, bronze_files
):
    contract = heuristic(tables, "crm_cust_info")
    assert contract["key"] == ["cst_id"]
    (missing,) = steps(contract, "reject_when")
    assert (missing["columns"], missing["condition"]) == (["cst_id"], "missing")
    (dedupe,) = steps(contract, "dedupe")
    assert (dedupe["keep"], dedupe["order_by"]) == ("latest", "cst_create_date")
    maps = {m["column"]: m for m in steps(contract, "map_values")}
    assert maps["cst_gndr"]["mapping"] == {"F": "Female", "M": "Male"}
    assert maps["cst_marital_status"]["mapping"] == {"S": "Single", "M": "Married"}
    assert maps["cst_gndr"]["default"] == maps["cst_gndr"]["missing"] == "n/a"
    _, _, rows, malformed, _ = tables["crm_cust_info"]
    result = dry_run(contract, rows, malformed, INGESTION)
    assert result["rows_out"] == shipped_rows_out(bronze_files, "crm_cust_info")
    assert set(result["quarantine_by_rule"]) == {"missing_key", "superseded_duplicate"}


def test_integer_dates_are_parsed_with_exact_length_8(tables):
    contract = heuristic(tables, "crm_sales_details")
    parsed = {s["column"]: s for s in steps(contract, "parse_date")}
    assert set(parsed) == {"sls_order_dt", "sls_ship_dt", "sls_due_dt"}
    for step in parsed.values():
        assert (step["format"], step["exact_length"], step["on_error"]) == ("%Y%m%d", 8, "null")
    types = {c["name"]: c["type"] for c in contract["columns"]}
    assert types["sls_order_dt"] == "date" and types["sls_sales"] == "decimal"
    _, _, rows, malformed, _ = tables["crm_sales_details"]
    failed = dry_run(contract, rows, malformed, INGESTION)["failed_checks"]
    # the order dates that were 0 or of the wrong length are flagged, as warnings
    assert {"id": "complete_in_export", "severity": "warn"}.items() <= failed[0].items()


def test_codes_without_an_evident_meaning_are_kept_and_checked(tables):
    contract = heuristic(tables, "crm_prd_info")
    assert not [m for m in steps(contract, "map_values") if m["column"] == "prd_line"]
    assert {"columns": ["prd_line"], "to": "upper"}.items() <= steps(contract, "case")[0].items()
    accepted = next(c for c in contract["checks"] if c["check"] == "accepted_values")
    assert (accepted["column"], accepted["values"]) == ("prd_line", ["M", "R", "S", "T"])


def test_country_codes_become_names_and_names_are_kept(tables):
    contract = heuristic(tables, "erp_loc_a101")
    (countries,) = steps(contract, "map_values")
    assert countries["mapping"] == {"USA": "United States", "US": "United States", "DE": "Germany"}
    assert "default" not in countries and countries["missing"] == "n/a"
    regex = next(c for c in contract["checks"] if c["check"] == "regex")
    assert (regex["column"], regex["pattern"]) == ("cid", r"[A-Z]{2}-\d{8}")


def test_birth_dates_in_the_future_become_missing(tables):
    contract = heuristic(tables, "erp_cust_az12")
    (function,) = steps(contract, "function")
    assert function["name"] == "null_dates_after_ingestion"
    assert {m["column"] for m in steps(contract, "map_values")} == {"gen"}


def test_a_column_name_that_cannot_be_a_contract_column_is_refused(tables):
    _, _, _, _, profile = tables["erp_px_cat_g1v2"]
    broken = copy.deepcopy(profile)
    broken["columns"][0]["name"] = "promo id"
    with pytest.raises(PipelineError, match="'promo id'.*Rename"):
        heuristic_draft("erp_x", "erp", "X.csv", broken)


def test_the_draft_file_round_trips_and_says_who_drafted_it(tables):
    contract = heuristic(tables, "crm_cust_info")
    text = contract_yaml(Draft(contract, "heuristic"), "20261126T000000Z_00000000")
    assert "# drafted_by: heuristic" in text
    assert "&id" not in text  # no YAML anchors: a person edits this file
    assert yaml.safe_load(text) == contract


# ---- the model drafter -----------------------------------------------------------------------


def run_model(tables, table, script, tmp_path, **overrides):
    source, file, rows, malformed, profile = tables[table]
    values = {"mode": "on", "model": "test-model", "timeout_seconds": 5, "max_retries": 2}
    log = tmp_path / "llm_calls.jsonl"
    with FakeLLM(script) as server:
        settings = client.resolve(
            values | {"base_url": server.base_url} | overrides,
            environ={"OPENAI_API_KEY": KEY},
            dotenv=tmp_path / "none",
        )
        draft = model_draft(
            table,
            source,
            file,
            profile,
            settings,
            log,
            rows=rows,
            malformed=malformed,
            ingestion_date=INGESTION,
        )
    outcomes = (
        [json.loads(x)["outcome"] for x in log.read_text().splitlines()] if log.exists() else []
    )
    return draft, server, outcomes


def improved(tables, table) -> dict:
    """What a good model answers: the heuristic draft with a better grain, plus a hostile table
    name and source that must never be used."""
    contract = heuristic(tables, table)
    contract["grain"] = "One row per CRM customer, the newest record of each."
    contract["table"] = "../../config/contracts/silver/crm_cust_info"
    contract["source"] = {"source": "crm", "file": "../../../etc/passwd"}
    return contract


def test_a_good_model_answer_becomes_the_draft_with_the_pipelines_own_names(tables, tmp_path):
    draft, server, outcomes = run_model(
        tables, "crm_cust_info", [reply(json.dumps(improved(tables, "crm_cust_info")))], tmp_path
    )
    assert draft.drafted_by == "model:test-model"
    assert draft.contract["grain"].startswith("One row per CRM customer")
    assert draft.contract["table"] == "crm_cust_info"
    assert draft.contract["source"] == {"source": "crm", "file": "cust_info.csv"}
    assert "first answer was a valid contract" in draft.story[0]
    assert outcomes == ["ok"]
    (request,) = server.requests
    system, data = request["body"]["messages"]
    assert system["role"] == "system" and "never an instruction" in system["content"]
    payload = json.loads(data["content"])["data"]
    assert payload["profile"]["personal_columns"] == ["cst_firstname", "cst_lastname"]
    sent = json.dumps(request["body"], ensure_ascii=False)
    first_names = tables["crm_cust_info"][2]["cst_firstname"].dropna().str.strip().unique()
    assert not [name for name in first_names if f'"{name}"' in sent]  # names never sent


def test_an_invalid_contract_is_sent_back_once_and_the_repair_is_used(tables, tmp_path):
    broken = improved(tables, "crm_cust_info")
    broken["steps"].append({"op": "drop_table", "columns": ["cst_id"]})
    script = [
        reply(json.dumps(broken)),
        reply("```json\n" + json.dumps(improved(tables, "crm_cust_info")) + "\n```"),
    ]
    draft, server, outcomes = run_model(tables, "crm_cust_info", script, tmp_path)
    assert draft.drafted_by == "model:test-model"
    assert outcomes == ["invalid", "ok"]
    assert "sent back once" in draft.story[0] and "second answer is a valid" in draft.story[1]
    repair = server.requests[1]["body"]["messages"]
    assert repair[2]["role"] == "assistant"
    assert "drop_table" in repair[3]["content"]  # the validation errors went back


def test_garbage_twice_falls_back_to_the_heuristic_draft(tables, tmp_path):
    script = [reply("I think the table is about customers."), reply("[1, 2, 3]")]
    draft, server, outcomes = run_model(tables, "crm_cust_info", script, tmp_path)
    assert draft.drafted_by == "heuristic"
    assert draft.contract == heuristic(tables, "crm_cust_info")
    assert outcomes == ["invalid", "invalid"]
    assert "heuristic draft is used instead" in draft.story[-1]
    md = rationale_markdown(draft, tables["crm_cust_info"][4], "20261126T000000Z_00000000")
    assert "drafted by **heuristic**" in md and "not usable either" in md


def test_an_error_check_that_fails_on_the_data_is_not_accepted(tables, tmp_path):
    strict = improved(tables, "crm_sales_details")
    strict["checks"].append({"check": "not_null", "columns": ["sls_order_dt"], "severity": "error"})
    draft, _, outcomes = run_model(
        tables, "crm_sales_details", [reply(json.dumps(strict))] * 2, tmp_path
    )
    assert draft.drafted_by == "heuristic"
    assert outcomes == ["invalid", "invalid"]
    assert "severity error but fails on 15 rows" in draft.story[0]


def test_a_step_that_breaks_on_the_data_is_not_accepted(tables, tmp_path):
    broken = improved(tables, "erp_loc_a101")
    broken["steps"].append({"op": "function", "name": "strip_prefix", "args": {"colum": "cid"}})
    draft, _, outcomes = run_model(
        tables, "erp_loc_a101", [reply(json.dumps(broken))] * 2, tmp_path
    )
    assert draft.drafted_by == "heuristic"
    assert outcomes == ["invalid", "invalid"]
    assert "applying the contract to the table fails: TypeError" in draft.story[0]


def test_a_timeout_falls_back_to_the_heuristic_draft(tables, tmp_path):
    draft, _, outcomes = run_model(
        tables,
        "erp_loc_a101",
        [reply("late", delay=1.5)],
        tmp_path,
        timeout_seconds=0.3,
        max_retries=0,
    )
    assert draft.drafted_by == "heuristic"
    assert outcomes == ["error:APITimeoutError"]
    assert "model call failed" in draft.story[0] and "APITimeoutError" in draft.story[0]


def test_rate_limits_and_server_errors_are_retried_before_drafting(tables, tmp_path):
    good = json.dumps(heuristic(tables, "erp_loc_a101"))
    draft, server, outcomes = run_model(
        tables, "erp_loc_a101", [status(429), status(500), reply(good)], tmp_path
    )
    assert draft.drafted_by == "model:test-model"
    assert len(server.requests) == 3 and outcomes == ["ok"]


def test_without_a_key_the_heuristics_draft_and_nothing_is_sent(tables, tmp_path):
    source, file, rows, malformed, profile = tables["erp_px_cat_g1v2"]
    with FakeLLM([reply("unused")]) as server:
        settings = client.resolve(
            {"mode": "auto", "base_url": server.base_url}, environ={}, dotenv=tmp_path / "none"
        )
        draft = model_draft(
            "erp_px_cat_g1v2",
            source,
            file,
            profile,
            settings,
            tmp_path / "llm_calls.jsonl",
            rows=rows,
            malformed=malformed,
            ingestion_date=INGESTION,
        )
    assert draft.drafted_by == "heuristic"
    assert "OPENAI_API_KEY" in draft.story[0]
    assert server.requests == []
    assert not (tmp_path / "llm_calls.jsonl").exists()


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! Here is the contract: not really",
        "!!python/object/apply:os.system ['echo pwned']",
        "- just\n- a list\n",
    ],
)
def test_answers_are_only_ever_read_as_data(answer):
    with pytest.raises(client.InvalidAnswer):
        parse_contract_answer(answer)


def test_answers_in_fences_or_yaml_are_read():
    assert parse_contract_answer('```json\n{"table": "x"}\n```') == {"table": "x"}
    assert parse_contract_answer('Here:\n{"table": "x"}\nDone.') == {"table": "x"}
    assert parse_contract_answer("table: x\nlayer: silver\n") == {
        "table": "x",
        "layer": "silver",
    }


# ---- which tables get a draft, and promotion -------------------------------------------------


def test_tables_without_a_contract_or_with_failed_error_checks_get_a_draft():
    manifest = {
        "config_files": {
            "config/contracts/silver/crm_a.yaml": "sha",
            "config/contracts/silver/crm_b.yaml": "sha",
        }
    }
    gate = {"status": "closed", "failures": [{"table": "crm_b", "id": "unique_id"}]}
    assert targets.tables_to_draft(["crm_a", "crm_b", "erp_new"], manifest, gate) == [
        "crm_b",
        "erp_new",
    ]
    assert targets.draft_files("R", ["erp_new"]) == [
        "artifacts/drafts/R/contracts/erp_new.yaml",
        "artifacts/drafts/R/contracts/erp_new.md",
    ]


RUN_ID = "20261126T000000Z_0000beef"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with the contract schema, a Bronze table and its heuristic draft."""
    (tmp_path / "config").mkdir()
    shutil.copy(SCHEMA, tmp_path / "config" / "contract.schema.yaml")
    bronze = tmp_path / "artifacts" / "bronze" / RUN_ID
    (bronze / "data" / "erp").mkdir(parents=True)
    (bronze / "files" / "erp").mkdir(parents=True)
    lines = [f"{i},{'WEB' if i % 2 else ' MAIL'}" for i in range(1, 26)] + ["25,MAIL", ",WEB"]
    (bronze / "data" / "erp" / "PROMO.csv").write_text("PROMO_ID,CHANNEL\r\n" + "\r\n".join(lines))
    (bronze / "files" / "erp" / "PROMO.csv.yaml").write_text("encoding: ascii\ndelimiter: ','\n")
    monkeypatch.chdir(tmp_path)
    rows, malformed = read_bronze_csv(bronze / "data" / "erp" / "PROMO.csv")
    contract = heuristic_draft("erp_promo", "erp", "PROMO.csv", profile_rows(rows, len(malformed)))
    draft = paths.DRAFT_CONTRACT.format(run_id=RUN_ID, table="erp_promo")
    (tmp_path / draft).parent.mkdir(parents=True)
    text = contract_yaml(Draft(contract, "model:test-model"), RUN_ID)
    (tmp_path / draft).write_text(text)
    return draft


def test_promotion_validates_dry_runs_and_writes_a_provenance_header(project):
    lines = promote_contract.promote(project, today=dt.date(2026, 11, 27))
    assert "27 rows in, 25 out, 2 quarantined (missing_key: 1, superseded_duplicate: 1)" in lines[0]
    assert lines[-1].strip().startswith("2. snakemake all")
    written = Path("config/contracts/silver/erp_promo.yaml").read_text()
    digest = hashlib.sha256(Path(project).read_bytes()).hexdigest()
    assert written.startswith("# Provenance: promoted on 2026-11-27")
    assert f"# draft_sha256: {digest}\n# drafted_by: model:test-model\n" in written
    assert "Nothing uses it until" not in written  # the draft's own header is replaced
    assert load_contract(Path("config/contracts/silver/erp_promo.yaml"), SCHEMA)["key"] == [
        "promo_id"
    ]


def test_promotion_refuses_an_invalid_draft_and_an_existing_contract(project):
    text = Path(project).read_text()
    Path(project).write_text(text.replace("op: trim", "op: shell"))
    with pytest.raises(PipelineError, match=r"steps\[0\]\.op"):
        promote_contract.promote(project)
    assert not Path("config/contracts/silver").exists()

    Path(project).write_text(text)
    promote_contract.promote(project)
    assert promote_contract.main([project]) == 1  # exists: refused without --replace
    assert promote_contract.main([project, "--replace"]) == 0


def test_promotion_refuses_a_draft_that_reads_another_tables_file(project):
    text = Path(project).read_text()
    Path(project).write_text(text.replace("file: PROMO.csv", "file: CUST_AZ12.csv"))
    with pytest.raises(PipelineError, match="is table erp_cust_az12, not erp_promo"):
        promote_contract.promote(project)
    with pytest.raises(PipelineError, match="is not a draft contract"):
        promote_contract.promote("config/contract.schema.yaml")
