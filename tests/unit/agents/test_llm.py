"""The model door (warehouse.llm): settings from config, environment and .env; calls through the
real openai client to a local scripted server; the call log; retries, timeouts, no key."""

from __future__ import annotations

import json
import os

import pytest

from llm_server import FakeLLM, reply, status
from warehouse.agents import client

KEY = "sk-test-0123456789abcdef-secret"


def settings(server: FakeLLM | None = None, **overrides) -> client.Settings:
    values = {
        "mode": "on",
        "model": "test-model",
        "base_url": server.base_url if server else None,
        "timeout_seconds": 5,
        "max_retries": 2,
    }
    return client.resolve(
        values | overrides, environ={"OPENAI_API_KEY": KEY}, dotenv="/nonexistent"
    )


def calls(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


MESSAGES = [
    {"role": "system", "content": "Describe the data."},
    client.data_message({"rows": 3}),
]


# ---- settings --------------------------------------------------------------------------------


def test_dotenv_reads_only_the_two_openai_variables(tmp_path):
    env = tmp_path / ".env"
    env.write_text(
        "# a comment\n"
        "OPENAI_API_KEY='sk-from-file'\n"
        "export OPENAI_BASE_URL=http://127.0.0.1:9/v1  # local\n"
        "AWS_SECRET_ACCESS_KEY=never-read\n"
        "not a line\n"
    )
    assert client.read_dotenv(env) == {
        "OPENAI_API_KEY": "sk-from-file",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    assert client.read_dotenv(tmp_path / "missing.env") == {}


def test_dotenv_reads_quotes_comments_export_and_multi_line_values_as_shells_do(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    env = tmp_path / ".env"
    # The line from the issue: a quoted key with a comment after it was read with its quotes.
    env.write_text('OPENAI_API_KEY="sk-abc123" # my key\nexport OPENAI_BASE_URL="http://h:1/v1"\n')
    assert client.read_dotenv(env) == {
        "OPENAI_API_KEY": "sk-abc123",
        "OPENAI_BASE_URL": "http://h:1/v1",
    }
    env.write_text("OPENAI_API_KEY='sk-${HOME}'\nOPENAI_BASE_URL=\"http://a\nb\"\n")
    assert client.read_dotenv(env) == {
        "OPENAI_API_KEY": "sk-${HOME}",  # literal, never expanded from the environment
        "OPENAI_BASE_URL": "http://a\nb",
    }
    assert "OPENAI_API_KEY" not in os.environ  # read for this client only


def test_an_unreadable_or_empty_dotenv_gives_nothing(tmp_path):
    env = tmp_path / ".env"
    env.write_bytes(b"OPENAI_API_KEY=\xff\xfe\n")  # not UTF-8
    assert client.read_dotenv(env) == {}
    env.write_text('OPENAI_API_KEY=""\nOPENAI_BASE_URL=\n')
    assert client.read_dotenv(env) == {}
    assert client.read_dotenv(tmp_path) == {}  # a folder, not a file


def test_environment_wins_over_dotenv_and_config_base_url_wins_over_both(tmp_path):
    env = tmp_path / ".env"
    env.write_text("OPENAI_API_KEY=sk-file\nOPENAI_BASE_URL=http://file:1/v1\n")
    from_env = client.resolve({}, environ={"OPENAI_API_KEY": "sk-env"}, dotenv=env)
    assert from_env.api_key == "sk-env"
    assert from_env.base_url == "http://file:1/v1"
    configured = client.resolve({"base_url": "http://cfg:2/v1"}, environ={}, dotenv=env)
    assert configured.base_url == "http://cfg:2/v1"
    assert configured.api_key == "sk-file"


def test_modes_and_why_the_model_is_not_used(tmp_path):
    none = tmp_path / "none.env"
    assert not client.resolve({"mode": "auto"}, environ={}, dotenv=none).enabled
    assert "OPENAI_API_KEY" in client.resolve({"mode": "on"}, environ={}, dotenv=none).why_off()
    assert client.resolve({"mode": "auto"}, environ={"OPENAI_API_KEY": "k"}, dotenv=none).enabled
    # YAML reads a bare `off` as false: it still means off.
    off = client.resolve({"mode": False}, environ={"OPENAI_API_KEY": "k"}, dotenv=none)
    assert not off.enabled and "off" in off.why_off()
    with pytest.raises(ValueError, match="agents.mode"):
        client.resolve({"mode": "sometimes"}, environ={}, dotenv=none)


def test_the_key_is_not_in_the_settings_repr_and_the_host_has_no_credentials():
    s = client.Settings(api_key=KEY, base_url="https://user:pw@gateway.example:8443/v1?api-key=x")
    assert KEY not in repr(s)
    assert s.endpoint_host == "gateway.example:8443"
    assert client.Settings().endpoint_host == "api.openai.com"


# ---- calls -----------------------------------------------------------------------------------


def test_a_good_answer_is_returned_and_logged_without_the_key(tmp_path):
    log = tmp_path / "llm_calls.jsonl"
    with FakeLLM([reply("All good.")]) as server:
        text = client.ask(settings(server), MESSAGES, purpose="test", log_path=log)
    assert text == "All good."
    request = server.requests[0]
    assert request["headers"]["authorization"] == f"Bearer {KEY}"  # the key goes to the endpoint
    sent = request["body"]["messages"]
    assert sent[0] == {"role": "system", "content": "Describe the data."}
    assert json.loads(sent[1]["content"])["data"] == {"rows": 3}  # data apart from instructions
    (record,) = calls(log)
    assert record["outcome"] == "ok"
    assert record["model"] == "test-model"
    assert record["endpoint_host"] == server.base_url.split("//")[1].removesuffix("/v1")
    assert record["prompt_sha256"] == client.prompt_sha256(MESSAGES)
    assert (record["prompt_tokens"], record["completion_tokens"]) == (11, 7)
    assert record["latency_seconds"] >= 0
    assert KEY not in log.read_text()


@pytest.mark.parametrize(
    "script, requests",
    [
        ([status(429), status(429), reply("ok after rate limits")], 3),
        ([status(500), reply("ok after a server error")], 2),
    ],
)
def test_rate_limits_and_server_errors_are_retried_by_the_client(tmp_path, script, requests):
    with FakeLLM(script) as server:
        text = client.ask(settings(server), MESSAGES, purpose="test", log_path=tmp_path / "l.jsonl")
    assert text.startswith("ok after")
    assert len(server.requests) == requests
    assert [r["outcome"] for r in calls(tmp_path / "l.jsonl")] == ["ok"]


def test_a_persistent_error_is_logged_and_raised_after_the_retries(tmp_path):
    log = tmp_path / "l.jsonl"
    with FakeLLM([status(500)] * 3) as server:
        with pytest.raises(client.ModelUnavailable, match="InternalServerError"):
            client.ask(settings(server), MESSAGES, purpose="test", log_path=log)
    assert len(server.requests) == 3  # the first try and max_retries=2
    (record,) = calls(log)
    assert record["outcome"] == "error:InternalServerError"
    assert record["detail"] == "HTTP 500"


def test_a_timeout_is_logged_and_raised(tmp_path):
    log = tmp_path / "l.jsonl"
    with FakeLLM([reply("too late", delay=1.5)]) as server:
        with pytest.raises(client.ModelUnavailable, match="APITimeoutError"):
            client.ask(
                settings(server, timeout_seconds=0.3, max_retries=0),
                MESSAGES,
                purpose="test",
                log_path=log,
            )
    assert [r["outcome"] for r in calls(log)] == ["error:APITimeoutError"]


def test_an_answer_the_caller_rejects_is_logged_as_invalid(tmp_path):
    log = tmp_path / "l.jsonl"

    def parse(text):
        raise client.InvalidAnswer(["not what was asked"])

    with FakeLLM([reply("nonsense")]) as server:
        with pytest.raises(client.InvalidAnswer) as caught:
            client.ask(settings(server), MESSAGES, purpose="test", log_path=log, parse=parse)
    assert caught.value.text == "nonsense"
    (record,) = calls(log)
    assert record["outcome"] == "invalid"
    assert record["detail"] == "not what was asked"


def test_without_a_key_nothing_is_sent_and_nothing_logged(tmp_path):
    log = tmp_path / "l.jsonl"
    with FakeLLM([reply("unused")]) as server:
        keyless = client.resolve(
            {"mode": "on", "base_url": server.base_url}, environ={}, dotenv=tmp_path / "none"
        )
        with pytest.raises(client.ModelUnavailable, match="OPENAI_API_KEY"):
            client.ask(keyless, MESSAGES, purpose="test", log_path=log)
    assert server.requests == []
    assert not log.exists()
