"""Sending a job's OpenLineage events to a configured endpoint, through openlineage-python.

Only a job whose environment configures a transport (``OPENLINEAGE_URL``, ``OPENLINEAGE_CONFIG``
or ``OPENLINEAGE__TRANSPORT__*``; see :func:`warehouse.lineage.openlineage.transport_configured`)
calls this module, and only then are the client and its transports imported (0.3 s and more of
imports every other job is spared). The client takes its own model of an event, so the event
dict that :mod:`warehouse.lineage.openlineage` built (and wrote to the run's JSON Lines file) is
turned into that model here; the client then adds what its configuration asks for (environment
facets, tags, filters) and sends it.
"""

from __future__ import annotations

import functools
from types import ModuleType


@functools.cache
def _lib() -> ModuleType:
    """The ``openlineage.client`` package, with its event and facet models loaded."""
    # Imported here, not at the top: openlineage-python and its transports cost a job 0.3 s
    # and more of imports, and only a job that sends its events to an endpoint needs them.
    import openlineage.client.event_v2

    # (the facet models, likewise)
    import openlineage.client.facet_v2

    return openlineage.client


@functools.cache
def _client():
    return _lib().OpenLineageClient()


def send_event(event: dict) -> None:
    """Emit the event through openlineage-python's client, configured by the environment (for
    example ``OPENLINEAGE_URL=http://marquez:5000``: HTTP to ``/api/v1/lineage``)."""
    _client().emit(to_run_event(event))


def close_client(timeout: float = 30.0) -> bool:
    """Wait, at most ``timeout`` seconds, until the transport has sent every event emitted so
    far, then close it; False when events were left unsent. Every job that sent an event calls
    this before it ends: an asynchronous transport (``OPENLINEAGE__TRANSPORT__TYPE=async_http``)
    sends from a background thread, and what it still holds when the process exits is lost."""
    if _client.cache_info().currsize == 0:  # no event was sent: there is nothing to close
        return True
    client = _client()
    _client.cache_clear()
    return client.close(timeout) is not False


def to_run_event(event: dict):
    """The client's model (a ``RunEvent``) of an event dict of
    :mod:`warehouse.lineage.openlineage`."""
    lib = _lib().event_v2
    run, job = event["run"], event["job"]
    return lib.RunEvent(
        eventType=lib.RunState(event["eventType"]),
        eventTime=event["eventTime"],
        producer=event["producer"],
        run=lib.Run(runId=run["runId"], facets=_facets(run["facets"])),
        job=lib.Job(namespace=job["namespace"], name=job["name"], facets=_facets(job["facets"])),
        inputs=[
            lib.InputDataset(namespace=d["namespace"], name=d["name"], facets=_facets(d["facets"]))
            for d in event["inputs"]
        ],
        outputs=[
            lib.OutputDataset(namespace=d["namespace"], name=d["name"], facets=_facets(d["facets"]))
            for d in event["outputs"]
        ],
    )


def _facets(facets: dict) -> dict:
    return {name: _FACETS[name](facet) for name, facet in facets.items()}


def _parent(f: dict):
    m = _lib().facet_v2.parent_run
    root = f["root"]
    return m.ParentRunFacet(
        run=m.Run(runId=f["run"]["runId"]),
        job=m.Job(namespace=f["job"]["namespace"], name=f["job"]["name"]),
        root=m.Root(
            run=m.RootRun(runId=root["run"]["runId"]),
            job=m.RootJob(namespace=root["job"]["namespace"], name=root["job"]["name"]),
        ),
        producer=f["_producer"],
    )


def _error(f: dict):
    m = _lib().facet_v2.error_message_run
    return m.ErrorMessageRunFacet(
        message=f["message"],
        programmingLanguage=f["programmingLanguage"],
        stackTrace=f.get("stackTrace"),
        producer=f["_producer"],
    )


def _job_type(f: dict):
    m = _lib().facet_v2.job_type_job
    return m.JobTypeJobFacet(
        processingType=f["processingType"],
        integration=f["integration"],
        jobType=f.get("jobType"),
        producer=f["_producer"],
    )


def _schema(f: dict):
    m = _lib().facet_v2.schema_dataset
    return m.SchemaDatasetFacet(
        fields=[
            m.SchemaDatasetFacetFields(
                name=c["name"],
                type=c.get("type"),
                description=c.get("description"),
                ordinal_position=c.get("ordinal_position"),
            )
            for c in f["fields"]
        ],
        producer=f["_producer"],
    )


def _assertions(f: dict):
    m = _lib().facet_v2.data_quality_assertions_dataset
    return m.DataQualityAssertionsDatasetFacet(
        assertions=[
            m.Assertion(
                assertion=a["assertion"],
                success=a["success"],
                column=a.get("column"),
                severity=a.get("severity"),
            )
            for a in f["assertions"]
        ],
        producer=f["_producer"],
    )


def _column_lineage(f: dict):
    m = _lib().facet_v2.column_lineage_dataset
    return m.ColumnLineageDatasetFacet(
        fields={
            column: m.Fields(
                inputFields=[
                    m.InputField(namespace=i["namespace"], name=i["name"], field=i["field"])
                    for i in sources["inputFields"]
                ]
            )
            for column, sources in f["fields"].items()
        },
        producer=f["_producer"],
    )


_FACETS = {
    "parent": _parent,
    "errorMessage": _error,
    "jobType": _job_type,
    "schema": _schema,
    "dataQualityAssertions": _assertions,
    "columnLineage": _column_lineage,
}
