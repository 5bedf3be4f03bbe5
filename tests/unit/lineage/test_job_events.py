"""A job's COMPLETE event (warehouse.lineage.job_events): which outputs carry facets is decided
by the path catalog, also for the local copies a storage executor hands a job."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from warehouse.core import paths
from warehouse.core.io import write_yaml
from warehouse.core.parquet import write_parquet
from warehouse.lineage.job_events import JobLineage

RUN_ID = "20261201T000000Z_0000beef"
FIELDS = {"run_id": RUN_ID, "table": "erp_px_cat_g1v2"}
CHECK = {
    "id": "unique_id",
    "table": "erp_px_cat_g1v2",
    "check": "unique",
    "columns": ["id"],
    "severity": "error",
    "status": "pass",
    "failing_rows": 0,
    "rows_checked": 2,
    "sample": [],
    "description": "id is unique",
}


@pytest.mark.parametrize("prefix", ["", ".snakemake/storage/s3/bucket/prefix/"])
def test_the_table_carries_schema_and_checks_and_the_quarantine_nothing(
    tmp_path, monkeypatch, prefix
):
    monkeypatch.chdir(tmp_path)
    for name in ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    data, quarantine, meta = (
        Path(prefix + paths.at(template, **FIELDS).as_posix())
        for template in (paths.SILVER_DATA, paths.SILVER_QUARANTINE, paths.SILVER_TABLE_META)
    )
    frame = pd.DataFrame({"id": pd.array(["AC_BR", "AC_BS"], dtype="str")})
    write_parquet(frame, data)
    write_parquet(frame.head(0), quarantine)
    write_yaml(meta, {"schema_out": [{"name": "id", "type": "string"}], "checks": [CHECK]})
    job = SimpleNamespace(
        rule="silver_clean_table",
        wildcards=FIELDS,
        input=[],
        output=[str(data), str(quarantine), str(meta)],
        config={},
    )

    JobLineage(job, logging.getLogger("test")).complete()

    [event] = [
        json.loads(line)
        for line in paths.at(paths.OPENLINEAGE, run_id=RUN_ID).read_text().splitlines()
    ]
    facets = {o["name"]: o.get("facets", {}) for o in event["outputs"]}
    name = {p: p.as_posix().removeprefix(prefix) for p in (data, quarantine, meta)}
    assert list(facets) == [name[data], name[quarantine], name[meta]]
    assert set(facets[name[data]]) == {"schema", "dataQualityAssertions"}
    assert facets[name[data]]["schema"]["fields"][0]["name"] == "id"
    assert facets[name[quarantine]] == {} and facets[name[meta]] == {}


class _Collector(BaseHTTPRequestHandler):
    """An OpenLineage endpoint on 127.0.0.1 that answers slowly, as a busy Marquez would."""

    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.3)
        type(self).received.append((self.path, json.loads(body)["eventType"]))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_job_ends_only_after_an_asynchronous_transport_sent_its_events(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Collector.received = []
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "async_http")
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__URL", f"http://127.0.0.1:{server.server_port}")
    job = SimpleNamespace(
        rule="silver_layer_report",
        wildcards={"run_id": RUN_ID},
        input=[],
        output=[],
        config={},
    )
    lineage = JobLineage(job, logging.getLogger("test"))
    try:
        lineage.start()
        lineage.complete()
        lineage.close()
        # close() returned: both events reached the endpoint, none is left for the exit to lose
        assert _Collector.received == [
            ("/api/v1/lineage", "START"),
            ("/api/v1/lineage", "COMPLETE"),
        ]
    finally:
        server.shutdown()
