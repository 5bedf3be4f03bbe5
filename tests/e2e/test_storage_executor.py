"""Kubernetes without a cluster: jobs that share no file system with the submit host.

On Kubernetes every job is a pod with an empty working directory; its inputs come from, and its
outputs go to, the default storage provider (S3 or an S3-compatible store), and the workflow's
sources are unpacked from an archive Snakemake uploads there. This test reproduces exactly that
on one machine: an S3-compatible server (moto) on 127.0.0.1, ``snakemake-storage-plugin-s3``,
and ``snakemake-executor-plugin-cluster-generic`` with ``tests/cluster/pod_submit.sh``, which
runs each job in its own new folder with ``--job-deploy-sources``. The run it makes in the
bucket holds the same data as a local run.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3  # from moto[server], a dev dependency
import pytest
import yaml
from local_reference import local_run_content

from conftest import REPO, canonical_content, schema_validator
from openlineage_spec import assert_valid

POD_SUBMIT = REPO / "tests" / "cluster" / "pod_submit.sh"
BUCKET = "smelthouse"
PREFIX = f"s3://{BUCKET}/wd"
KEYS = {"SNAKEMAKE_STORAGE_S3_ACCESS_KEY": "test", "SNAKEMAKE_STORAGE_S3_SECRET_KEY": "test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint(tmp_path):
    """An S3-compatible server on 127.0.0.1 with an empty bucket; its endpoint URL."""
    port = free_port()
    log = (tmp_path / "s3-server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the S3 test server did not start: {log.name}")
                time.sleep(0.2)
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def lineage_backend():
    """An OpenLineage HTTP endpoint on 127.0.0.1 (as Marquez would be): (URL, received events)."""
    received: list[dict] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/api/v1/lineage":
                received.append(json.loads(body))
            self.send_response(201 if self.path == "/api/v1/lineage" else 404)
            self.end_headers()

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )


def upload(endpoint: str, root: Path, folder: str) -> None:
    """What docs/scaling.md asks of a user: ``folder`` synced to the bucket under the prefix."""
    client = s3_client(endpoint)
    for path in sorted((root / folder).rglob("*")):
        if path.is_file():
            key = f"wd/{path.relative_to(root).as_posix()}"
            client.upload_file(str(path), BUCKET, key)


def download(endpoint: str, dest: Path) -> list[str]:
    """Every object under the prefix, into ``dest`` (as a working directory); their keys."""
    client = s3_client(endpoint)
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="wd/"):
        for item in page.get("Contents", []):
            rel = item["Key"].removeprefix("wd/")
            keys.append(rel)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            client.download_file(BUCKET, item["Key"], str(dest / rel))
    return keys


def git_commit(root: Path) -> None:
    """A user's clone is a git repository: Snakemake ships its tracked files to the jobs."""
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    for args in (["init", "-q"], ["add", "Snakefile", "rules", "scripts", "config"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "project"], cwd=root, check=True, capture_output=True)


def test_the_kubernetes_profile_uses_the_storage_settings_tested_here():
    profile = yaml.safe_load((REPO / "profiles" / "kubernetes" / "config.yaml").read_text())
    assert profile["executor"] == "kubernetes"
    assert profile["default-storage-provider"] == "s3"
    assert profile["default-storage-prefix"].startswith("s3://")
    # With local copies kept, Snakemake's final step demands every output locally and fails.
    assert not profile.get("keep-storage-local-copies")


@pytest.mark.e2e
def test_jobs_without_a_shared_file_system_build_the_same_run_through_storage(
    workspace, complete_run, s3_endpoint, lineage_backend, tmp_path
):
    root = workspace.root
    git_commit(root)
    upload(s3_endpoint, root, "raw")
    upload(s3_endpoint, root, "config")
    pods = tmp_path / "pods"
    storage = [
        "--default-storage-provider",
        "s3",
        "--default-storage-prefix",
        PREFIX,
        "--storage-s3-endpoint-url",
        s3_endpoint,
        # The container image of a pod holds the software: here, the test's environment.
        "--shared-fs-usage",
        "software-deployment",
        "--job-deploy-sources",
    ]
    cluster = [
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        f"bash {shlex.quote(str(POD_SUBMIT))} {{rule}}",
        "--jobs",
        "2",
        "--seconds-between-status-checks",
        "1",
    ]
    # A pod's image has the project's Python first on PATH (jobs start `python -m snakemake`).
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    lineage_url, events = lineage_backend
    env = {**KEYS, "POD_ROOT": str(pods), "PATH": path, "OPENLINEAGE_URL": lineage_url}
    result = workspace.snakemake("all", *cluster, *storage, env=env, timeout=400)
    assert result.returncode == 0, result.output[-6000:]
    (run_id,) = {
        line.split()[1].rstrip(":")
        for line in result.output.splitlines()
        if line.startswith("Run ") and "new run" in line
    }

    # Every job ran in its own empty folder, from sources unpacked out of storage.
    logs = root / ".snakemake" / "cluster-logs"
    submissions = [line.split("\t") for line in (logs / "submissions.tsv").read_text().splitlines()]
    submitted = {rule for rule, _ in submissions}
    assert {"bronze_copy_file", "silver_clean_table", "gold_build_mart"} <= submitted
    assert "run_summary_report" in submitted
    assert len({pod for _, pod in submissions}) == len(submissions)
    for _, pod in submissions:
        assert "--deploy-sources" in (Path(pod) / "jobscript.sh").read_text(), pod
        assert (Path(pod) / "Snakefile").is_file(), pod  # unpacked from the source archive
    # The submit host holds no layer data: the run lives in the bucket.
    for layer in ("bronze", "silver", "gold"):
        assert not (root / "artifacts" / layer).exists(), layer

    store = tmp_path / "bucket"
    keys = download(s3_endpoint, store)
    assert f"artifacts/orchestrator/{run_id}/status.yaml" in keys
    summary = json.loads((store / f"artifacts/reports/{run_id}/summary_report.json").read_text())
    schema_validator("summary_report.schema.json").validate(summary)
    assert summary["status"] == "complete"
    # The lineage the pod drew from what the run declares: every table is in it.
    node_ids = {node["id"] for node in summary["lineage"]["nodes"]}
    content = canonical_content(store)
    tables = {tuple(key.split("/")[:2]) for key in content}
    assert {layer for layer, _ in tables} == {"bronze", "silver", "gold"}
    assert {f"{layer}:{t}" for layer, t in tables if layer != "bronze"} <= node_ids
    assert summary["disk"] is None and "storage provider" in summary["warnings"][-1]

    # A pod's OpenLineage file goes with the pod; the events reached the lineage backend, with
    # the datasets named by their place in the workspace, not by the pod's storage copies.
    by_state: dict[str, set] = {}
    for event in events:
        # The client adds its version as a "tags" run facet, which the vendored spec lacks.
        event["run"]["facets"].pop("tags", None)
        assert_valid(event)
        by_state.setdefault(event["eventType"], set()).add(event["job"]["name"])
        for dataset in event["inputs"] + event["outputs"]:
            assert dataset["name"].startswith(("artifacts/", "raw/", "config/")), dataset
    assert by_state["START"] == by_state["COMPLETE"] and "FAIL" not in by_state
    assert {"silver_clean_table.crm_cust_info", "gold_build_mart.fact_sales"} <= by_state["START"]

    # The same run again through storage: nothing to do.
    again = workspace.snakemake(
        "all", *cluster, *storage, "--config", f"run_id={run_id}", env=env, timeout=120
    )
    assert again.returncode == 0 and "Nothing to be done" in again.output, again.output[-3000:]

    # A local run of the same raw data with the same ingestion date holds the same data.
    assert content == local_run_content(workspace, complete_run, run_id, tmp_path / "local")
