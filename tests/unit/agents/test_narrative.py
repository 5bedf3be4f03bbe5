"""The executive summary: a model's text only when every number in it is a metric of the run,
else the deterministic template (also without network, key or model)."""

from __future__ import annotations

import json

import pytest

from llm_server import FakeLLM, reply, status
from warehouse.agents import narrative

RUN = "20261126T150835Z_4d3471ec"
KEY = "sk-test-narrative-key"


def summary(**changes) -> dict:
    """A small summary document, shaped like summary_report.json."""
    base = {
        "run_id": RUN,
        "status": "complete",
        "ingestion_date": "2026-11-26",
        "row_flow": [
            {
                "table": "crm_cust_info",
                "bronze_rows": 1200,
                "silver_rows_in": 1200,
                "silver_rows_out": 1180,
                "rows_quarantined": 20,
            },
            {
                "table": "erp_px_cat_g1v2",
                "bronze_rows": 37,
                "silver_rows_in": 37,
                "silver_rows_out": 37,
                "rows_quarantined": 0,
            },
        ],  # fmt: skip
        "checks": {
            "summary": {"silver": {"total": 10, "passed": 9, "failed_error": 0, "failed_warn": 1}},
            "results": [
                {
                    "layer": "silver",
                    "table": "crm_cust_info",
                    "id": "cst_key_pattern",
                    "severity": "warn",
                    "status": "fail",
                    "failing_rows": 4,
                },
            ],  # fmt: skip
        },
        "kpis": {
            "sales_amount": 543837.0,
            "orders": 259,
            "customers": 138,
            "average_order_value": 2099.7566,
        },  # fmt: skip
        "gold_marts": [{"table": "fact_sales", "rows": 600}],
        "blocked_by": [],
        "since_previous": None,
    }
    return base | changes


def settings(server=None, **overrides) -> dict:
    return {
        "mode": "on",
        "model": "test-model",
        "base_url": server.base_url if server else None,
        "timeout_seconds": 5,
        "max_retries": 1,
    } | overrides


@pytest.fixture
def key(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)  # no .env from the working copy


def test_the_template_text_states_the_metrics_and_passes_its_own_number_check():
    text = narrative.template_text(summary())
    assert "1,237 rows into Bronze" in text and "quarantined 20 (1.6%)" in text
    assert "9 of 10 checks passed" in text
    assert "sales 543,837.00" in text and "2,099.76" in text
    assert narrative.unmatched_numbers(text, narrative.metrics(summary())) == []


def test_a_blocked_run_names_the_gate_and_the_failing_checks():
    failing = {"layer": "silver", "table": "crm_cust_info", "id": "unique_cst_id",
               "severity": "error", "status": "fail", "failing_rows": 3}  # fmt: skip
    blocked = summary(
        status="blocked",
        blocked_by=[{"layer": "silver", "report": "r", "failures": [failing]}],
        checks={
            "summary": {"silver": {"total": 10, "passed": 9, "failed_error": 1, "failed_warn": 0}},
            "results": [failing],
        },  # fmt: skip
        kpis={},
        gold_marts=[],
    )
    text = narrative.template_text(blocked)
    assert "silver quality gate is closed (crm_cust_info.unique_cst_id on 3 rows)" in text
    assert "Gold:" not in text


@pytest.mark.parametrize(
    "text, unmatched",
    [
        ("Sales were 543,837 (2,099.76 per order) from 259 orders.", []),
        ("Sales were 543837.00, quarantine 1.6%.", []),
        ("Run 20261126T150835Z_4d3471ec of 2026-11-26 read erp_px_cat_g1v2 and SO43697.", []),
        ("About 544,000 in sales and 2,100 per order.", ["544,000", "2,100"]),
        ("Sales fell by 12% to 543,837.", ["12"]),
    ],
)
def test_numbers_must_be_metrics_as_the_template_rounds_them(text, unmatched):
    assert narrative.unmatched_numbers(text, narrative.metrics(summary())) == unmatched


def test_a_model_text_whose_numbers_match_is_used_and_says_which_model(key, tmp_path):
    good = "The run is complete: 1,180 customer rows kept, 20 quarantined; sales 543,837.00."
    log = tmp_path / "llm_calls.jsonl"
    with FakeLLM([reply(good)]) as server:
        result = narrative.narrate(summary(), settings(server), log)
    assert result == {
        "text": good,
        "source": "model:test-model",
        "reason": "every number in the text matches a metric of the run",
    }
    system, data = server.requests[0]["body"]["messages"]
    assert system["role"] == "system"
    assert json.loads(data["content"])["data"]["kpis"]["average_order_value"] == 2099.76
    assert json.loads(log.read_text())["purpose"] == "narrative"


def test_an_invented_number_sends_the_template_text_instead(key, tmp_path):
    log = tmp_path / "llm_calls.jsonl"
    with FakeLLM([reply("Sales grew 15% to 600,000.")]) as server:
        result = narrative.narrate(summary(), settings(server), log)
    assert result["source"] == "template"
    assert result["text"] == narrative.template_text(summary())
    assert "15, 600,000" in result["reason"]
    assert json.loads(log.read_text())["outcome"] == "invalid"


def test_server_errors_after_retries_send_the_template_text(key, tmp_path):
    with FakeLLM([status(500), status(500)]) as server:
        result = narrative.narrate(summary(), settings(server), tmp_path / "calls.jsonl")
    assert result["source"] == "template"
    assert "InternalServerError" in result["reason"]
    assert len(server.requests) == 2


def test_the_template_path_needs_no_network_no_key_and_no_model(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    off = narrative.narrate(summary(), {"mode": "off"})
    assert off["source"] == "template" and "off" in off["reason"]
    keyless = narrative.narrate(summary(), {"mode": "auto"})
    assert keyless["source"] == "template" and "OPENAI_API_KEY" in keyless["reason"]
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    disabled = narrative.narrate(summary(), {"mode": "on", "narrative": False})
    assert disabled == {
        "text": narrative.template_text(summary()),
        "source": "template",
        "reason": "agents.narrative is false",
    }
