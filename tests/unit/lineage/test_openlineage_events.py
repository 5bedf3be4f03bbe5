"""OpenLineage events: naming, determinism, the JSON Lines file, and conformance to the spec.

Conformance is checked offline against the OpenLineage JSON Schemas vendored in
``tests/data/openlineage`` (see the README there for where each file comes from and which
version it is). The whole event is validated against the core schema's ``RunEvent``; the core
schema leaves facets open, so every facet is validated on its own against its facet schema.
Events are plain dicts (a job does not import the client to write them); every one is held
equal, byte for byte, to openlineage-python's serialisation of the same event in its model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import threading
from pathlib import Path

import jsonschema
import pytest
from openlineage.client.serde import Serde

from openlineage_spec import SPEC_DIR, SPEC_FILES, assert_valid, facets_of
from warehouse import __version__
from warehouse.lineage.openlineage import (
    DATASET_NAMESPACE,
    NAMESPACE,
    PARENT_JOB,
    PRODUCER,
    append_event,
    complete_event,
    dataset_facets,
    dataset_name,
    fail_event,
    job_name,
    pipeline_run_uuid,
    read_events,
    run_uuid,
    start_event,
    to_json_line,
    transport_configured,
)
from warehouse.lineage.transport import to_run_event

RUN_ID = "20260105T101500Z-3f9a"

SILVER = {
    "rule": "silver_clean_table",
    "wildcards": {"run_id": RUN_ID, "table": "crm_cust_info"},
    "inputs": [f"artifacts/runs/{RUN_ID}/bronze/crm/cust_info.csv"],
    "outputs": [f"artifacts/runs/{RUN_ID}/silver/crm_cust_info.parquet"],
}
SILVER_SCHEMA = [
    {"name": "cst_id", "type": "int"},
    {"name": "cst_key", "type": "string"},
    {"name": "cst_firstname", "type": "string", "description": "trimmed first name"},
    {"name": "cst_create_date", "type": "date"},
]
SILVER_CHECKS = [
    {
        "id": "unique_cst_id",
        "table": "crm_cust_info",
        "check": "unique",
        "columns": ["cst_id"],
        "severity": "error",
        "status": "pass",
        "failing_rows": 0,
        "rows_checked": 18484,
        "sample": [],
        "description": "cst_id is unique",
    },
    {
        "id": "not_null_cst_key",
        "table": "crm_cust_info",
        "check": "not_null",
        "columns": ["cst_key"],
        "severity": "warn",
        "status": "fail",
        "failing_rows": 3,
        "rows_checked": 18484,
        "sample": [{"cst_id": 7, "cst_key": None}],
        "description": "cst_key is set",
    },
]

GOLD_PATHS = {
    "crm_cust_info": f"artifacts/runs/{RUN_ID}/silver/crm_cust_info.parquet",
    "erp_cust_az12": f"artifacts/runs/{RUN_ID}/silver/erp_cust_az12.parquet",
    "erp_loc_a101": f"artifacts/runs/{RUN_ID}/silver/erp_loc_a101.parquet",
}
GOLD = {
    "rule": "gold_build_table",
    "wildcards": {"run_id": RUN_ID, "table": "dim_customers"},
    "inputs": list(GOLD_PATHS.values()),
    "outputs": [f"artifacts/runs/{RUN_ID}/gold/dim_customers.parquet"],
}
GOLD_LINEAGE = {
    "customer_id": ["crm_cust_info.cst_id"],
    "gender": ["crm_cust_info.cst_gndr", "erp_cust_az12.gen"],
    "country": ["erp_loc_a101.cntry"],
}
GOLD_CHECKS = [
    {
        "id": "unique_customer_key",
        "check": "unique",
        "columns": ["customer_key"],
        "severity": "error",
        "status": "pass",
        "failing_rows": 0,
    },
    {
        "id": "row_count_min",
        "check": "row_count",
        "columns": [],
        "severity": "error",
        "status": "pass",
        "failing_rows": 0,
    },
]


def as_dict(event) -> dict:
    return json.loads(to_json_line(event))


def _args(job: dict) -> dict:
    return {key: job[key] for key in ("rule", "wildcards", "inputs")}


def silver_events() -> list[dict]:
    facets = dataset_facets(schema=SILVER_SCHEMA, checks=SILVER_CHECKS)
    outputs = [(path, facets) for path in SILVER["outputs"]]
    args = _args(SILVER)
    return [
        as_dict(start_event(run_id=RUN_ID, outputs=SILVER["outputs"], **args)),
        as_dict(complete_event(run_id=RUN_ID, outputs=outputs, **args)),
        as_dict(fail_event(run_id=RUN_ID, outputs=SILVER["outputs"], message="boom", **args)),
    ]


def gold_events() -> list[dict]:
    facets = dataset_facets(
        schema=[{"name": "customer_key", "type": "int"}, {"name": "gender", "type": "string"}],
        checks=GOLD_CHECKS,
        column_lineage=GOLD_LINEAGE,
        path_of=GOLD_PATHS,
    )
    args = _args(GOLD)
    return [
        as_dict(start_event(run_id=RUN_ID, outputs=GOLD["outputs"], **args)),
        as_dict(complete_event(run_id=RUN_ID, outputs=[(GOLD["outputs"][0], facets)], **args)),
        as_dict(
            fail_event(
                run_id=RUN_ID,
                outputs=GOLD["outputs"],
                message="KeyError: 'cst_gndr'",
                stack_trace='Traceback (most recent call last):\n  File "gold.py"',
                **args,
            )
        ),
    ]


def _raw_events() -> list[dict]:
    facets = dataset_facets(
        schema=SILVER_SCHEMA + [{"name": "untyped"}],
        checks=SILVER_CHECKS + GOLD_CHECKS,
        column_lineage={**GOLD_LINEAGE, "unknown": ["nowhere.x"]},
        path_of=GOLD_PATHS,
    )
    args = _args(GOLD)
    return [
        start_event(run_id=RUN_ID, outputs=GOLD["outputs"], **args),
        complete_event(run_id=RUN_ID, outputs=[(GOLD["outputs"][0], facets), "x.yaml"], **args),
        fail_event(run_id=RUN_ID, outputs=[], message="boom", **args),
        fail_event(run_id=RUN_ID, outputs=[], message="Müller\n", stack_trace="tb", **args),
        start_event(run_id=RUN_ID, rule="run_manifest", wildcards={}, inputs=[], outputs=[]),
    ]


@pytest.mark.parametrize("index", range(5))
def test_an_event_is_what_openlineage_python_writes_for_it(index):
    """The dict of every event kind, with every facet, serialises to the very line the client's
    model and serialiser give the same event (the model the transport sends, see
    warehouse.lineage.transport): schema URLs, empty facet maps and left-out fields included.
    After an upgrade of openlineage-python, a failure here says which part changed."""
    event = _raw_events()[index]
    assert to_json_line(event) == Serde.to_json(to_run_event(event))


def test_vendored_spec_files_are_unchanged():
    for name, digest in SPEC_FILES.items():
        assert hashlib.sha256((SPEC_DIR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("events", [silver_events, gold_events], ids=["silver", "gold"])
def test_start_complete_fail_validate_against_the_spec(events):
    start, complete, fail = events()
    for event in (start, complete, fail):
        assert_valid(event)
    assert [e["eventType"] for e in (start, complete, fail)] == ["START", "COMPLETE", "FAIL"]
    facet_names = {name for event in (start, complete, fail) for name, _ in facets_of(event)}
    assert {"parent", "jobType", "errorMessage", "schema", "dataQualityAssertions"} <= facet_names


def test_gold_complete_event_carries_every_dataset_facet():
    complete = gold_events()[1]
    assert_valid(complete)
    (output,) = complete["outputs"]
    assert set(output["facets"]) == {"schema", "dataQualityAssertions", "columnLineage"}
    lineage = output["facets"]["columnLineage"]["fields"]
    assert [(f["namespace"], f["name"], f["field"]) for f in lineage["gender"]["inputFields"]] == [
        (DATASET_NAMESPACE, GOLD_PATHS["crm_cust_info"], "cst_gndr"),
        (DATASET_NAMESPACE, GOLD_PATHS["erp_cust_az12"], "gen"),
    ]
    assert set(lineage) == set(GOLD_LINEAGE)


def test_event_fields():
    start, complete, _ = silver_events()
    # The producer names this project and the version that made the event.
    assert (
        start["producer"]
        == PRODUCER
        == f"https://github.com/smelthouse/smelthouse/tree/v{__version__}"
    )
    assert NAMESPACE == "smelthouse"
    assert start["job"] == {
        "namespace": NAMESPACE,
        "name": "silver_clean_table.crm_cust_info",
        "facets": {"jobType": start["job"]["facets"]["jobType"]},
    }
    job_type = start["job"]["facets"]["jobType"]
    assert (job_type["processingType"], job_type["integration"], job_type["jobType"]) == (
        "BATCH",
        "SNAKEMAKE",
        "JOB",
    )
    assert [(d["namespace"], d["name"]) for d in start["inputs"]] == [
        (DATASET_NAMESPACE, SILVER["inputs"][0])
    ]
    assert [(d["namespace"], d["name"]) for d in complete["outputs"]] == [
        (DATASET_NAMESPACE, SILVER["outputs"][0])
    ]
    assert start["outputs"][0]["facets"] == {}
    schema = complete["outputs"][0]["facets"]["schema"]["fields"]
    assert [(f["name"], f["type"], f["ordinal_position"]) for f in schema] == [
        ("cst_id", "int", 1),
        ("cst_key", "string", 2),
        ("cst_firstname", "string", 3),
        ("cst_create_date", "date", 4),
    ]
    assert schema[2]["description"] == "trimmed first name"


def test_assertions_follow_the_check_results():
    complete = silver_events()[1]
    assertions = complete["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"]
    assert [(a["assertion"], a["success"], a["column"], a["severity"]) for a in assertions] == [
        ("unique_cst_id", True, "cst_id", "error"),
        ("not_null_cst_key", False, "cst_key", "warn"),
    ]


def test_multi_column_check_gives_an_assertion_without_column():
    checks = [
        {
            "id": "unique_prd_key_start",
            "check": "unique",
            "columns": ["prd_key", "prd_start_dt"],
            "status": "fail",
            "severity": "error",
            "failing_rows": 2,
        }
    ]
    facet = dataset_facets(checks=checks)["dataQualityAssertions"]
    (assertion,) = facet["assertions"]
    assert (assertion["assertion"], assertion["success"], assertion.get("column")) == (
        "unique_prd_key_start",
        False,
        None,
    )
    event = as_dict(
        complete_event(
            run_id=RUN_ID,
            rule="silver_clean_table",
            wildcards={"run_id": RUN_ID, "table": "crm_prd_info"},
            inputs=[],
            outputs=[("p.parquet", {"dataQualityAssertions": facet})],
        )
    )
    assert_valid(event)
    assert "column" not in event["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"][0]


def test_column_lineage_skips_sources_without_a_known_path():
    facets = dataset_facets(
        column_lineage={"a": ["known.x", "unknown.y"], "b": ["unknown.z"]},
        path_of={"known": "k.parquet"},
    )
    fields = facets["columnLineage"]["fields"]
    assert list(fields) == ["a"]
    assert [(f["name"], f["field"]) for f in fields["a"]["inputFields"]] == [("k.parquet", "x")]
    assert dataset_facets(column_lineage={"b": ["unknown.z"]}, path_of={}) == {}
    assert dataset_facets() == {}


def test_job_name_is_the_rule_and_the_sorted_wildcards_but_the_run_id():
    assert (
        job_name("silver_clean_table", {"run_id": RUN_ID, "table": "crm_cust_info"})
        == "silver_clean_table.crm_cust_info"
    )
    assert (
        job_name("bronze_copy_file", {"source": "crm", "run_id": RUN_ID, "file": "cust_info.csv"})
        == "bronze_copy_file.cust_info.csv.crm"
    )
    assert job_name("run_manifest", {"run_id": RUN_ID}) == "run_manifest"
    assert job_name("all", {}) == "all"


def test_run_ids_are_deterministic_and_shared_by_start_and_complete():
    start, complete, fail = silver_events()
    assert start["run"]["runId"] == complete["run"]["runId"] == fail["run"]["runId"]
    assert start["run"]["runId"] == run_uuid(RUN_ID, "silver_clean_table.crm_cust_info")
    assert silver_events()[0]["run"]["runId"] == start["run"]["runId"]  # a retry: the same run
    assert run_uuid("other-run", "silver_clean_table.crm_cust_info") != start["run"]["runId"]
    assert gold_events()[0]["run"]["runId"] != start["run"]["runId"]
    # Fixed values: a change here would split the runs of old and new event files.
    assert run_uuid("r1", "j") == run_uuid("r1", "j") == "d296f14a-4ece-5d5f-99fa-4353c9191326"
    parent = start["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == pipeline_run_uuid(RUN_ID) != start["run"]["runId"]
    assert (parent["job"]["namespace"], parent["job"]["name"]) == (NAMESPACE, PARENT_JOB)
    assert parent["root"]["run"]["runId"] == pipeline_run_uuid(RUN_ID)


def test_fail_event_carries_the_message():
    fail = gold_events()[2]
    error = fail["run"]["facets"]["errorMessage"]
    assert error["message"] == "KeyError: 'cst_gndr'"
    assert error["programmingLanguage"] == "python"
    assert error["stackTrace"].startswith("Traceback")
    assert "parent" in fail["run"]["facets"]
    assert "errorMessage" not in silver_events()[1]["run"]["facets"]


def test_event_time_is_utc_iso_8601():
    event = as_dict(start_event(run_id="r", rule="x", wildcards={}, inputs=[], outputs=[]))
    parsed = dt.datetime.fromisoformat(event["eventTime"])
    assert parsed.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - parsed) < dt.timedelta(minutes=5)
    given = "2026-01-05T10:15:00.000+00:00"
    event = start_event(run_id="r", rule="x", wildcards={}, inputs=[], outputs=[], event_time=given)
    assert event["eventTime"] == given
    with pytest.raises(ValueError, match="no UTC offset"):
        start_event(
            run_id="r", rule="x", wildcards={}, inputs=[], outputs=[], event_time="2026-01-05T10:15"
        )


def test_validation_rejects_a_broken_event():
    start, complete, _ = silver_events()
    start["run"]["runId"] = "not-a-uuid"
    with pytest.raises(jsonschema.ValidationError):
        assert_valid(start)
    del complete["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"][0]["success"]
    with pytest.raises(jsonschema.ValidationError):
        assert_valid(complete)


def test_json_line_is_one_ascii_line():
    event = fail_event(
        run_id=RUN_ID,
        rule="silver_clean_table",
        wildcards={"table": "crm_cust_info"},
        inputs=[],
        outputs=[],
        message="Müller – naïve\nsecond line",
    )
    line = to_json_line(event)
    assert "\n" not in line and line.isascii()
    assert json.loads(line)["run"]["facets"]["errorMessage"]["message"] == (
        "Müller – naïve\nsecond line"
    )


def test_read_events_round_trips(tmp_path):
    path = tmp_path / "reports" / RUN_ID / "openlineage.jsonl"
    events = [
        start_event(run_id=RUN_ID, outputs=SILVER["outputs"], **_args(SILVER)),
        complete_event(
            run_id=RUN_ID,
            outputs=[(SILVER["outputs"][0], dataset_facets(schema=SILVER_SCHEMA))],
            **_args(SILVER),
        ),
    ]
    for event in events:
        append_event(path, event)
    assert read_events(path) == [as_dict(event) for event in events]
    assert path.read_bytes().count(b"\n") == 2


def _append_many(path: str, writer: str, count: int) -> None:
    # Long messages make each line larger than a pipe buffer, the size below which even
    # unrelated writes are atomic; the guarantee tested here is O_APPEND's.
    for i in range(count):
        event = fail_event(
            run_id=RUN_ID,
            rule="stress",
            wildcards={"writer": writer, "i": str(i)},
            inputs=[],
            outputs=[],
            message=f"{writer}-{i}:" + "x" * 20_000,
        )
        append_event(path, event)


def _check_lines(path: Path, writers: list[str], count: int) -> None:
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    events = [json.loads(line) for line in lines[:-1]]
    assert len(events) == len(writers) * count
    seen = {e["run"]["facets"]["errorMessage"]["message"].split(":")[0] for e in events}
    assert seen == {f"{writer}-{i}" for writer in writers for i in range(count)}
    assert read_events(path) == events


def test_append_event_from_processes_never_interleaves(tmp_path):
    path = tmp_path / "out" / "openlineage.jsonl"
    # spawn: fresh interpreters, as separate Snakemake jobs are.
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_append_many, args=(str(path), writer, 50))
        for writer in ("p1", "p2")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    _check_lines(path, ["p1", "p2"], 50)


def test_append_event_from_threads_never_interleaves(tmp_path):
    path = tmp_path / "openlineage.jsonl"
    writers = ["t1", "t2", "t3", "t4"]
    threads = [
        threading.Thread(target=_append_many, args=(str(path), writer, 25)) for writer in writers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _check_lines(path, writers, 25)


def test_dataset_names_are_workspace_paths_also_for_copies_from_storage():
    # A job on Kubernetes reads and writes local copies of objects in the bucket.
    copy = ".snakemake/storage/s3/bucket/smelthouse/artifacts/silver/R/data/crm_cust_info.parquet"
    assert dataset_name(copy) == "artifacts/silver/R/data/crm_cust_info.parquet"
    assert dataset_name(".snakemake/storage/s3/b/wd/raw/source_crm/cust_info.csv") == (
        "raw/source_crm/cust_info.csv"
    )
    assert dataset_name(".snakemake/storage/s3/b/p/exports/x.csv", ("artifacts", "exports")) == (
        "exports/x.csv"
    )
    # Paths on a shared file system are names already; an unknown layout is left as it is.
    assert dataset_name("artifacts/gold/marts/R/data/fact_sales.parquet").startswith("artifacts/")
    assert dataset_name(".snakemake/storage/s3/b/other/file.txt") == (
        ".snakemake/storage/s3/b/other/file.txt"
    )


def test_a_transport_is_configured_only_by_openlineage_variables():
    assert not transport_configured({"HOME": "/root", "OPENLINEAGE_DISABLED": "false"})
    assert transport_configured({"OPENLINEAGE_URL": "http://marquez:5000"})
    assert transport_configured({"OPENLINEAGE__TRANSPORT__TYPE": "kafka"})
    assert transport_configured({"OPENLINEAGE_CONFIG": "/etc/openlineage.yml"})
