"""OpenLineage run events for the pipeline's Snakemake jobs.

Every job emits a START event when it begins and a COMPLETE (or FAIL) event when it ends. Each
event is appended as one JSON line to ``artifacts/reports/<run_id>/openlineage.jsonl``, which
Marquez or any other OpenLineage consumer can ingest, and, when the environment configures an
OpenLineage transport (``OPENLINEAGE_URL``, see :func:`transport_configured`), also sent there
by the official ``openlineage-python`` client (:mod:`warehouse.lineage.transport`): on
Kubernetes that is the only copy that outlives a job's pod.

Events are plain dicts here, in the JSON shape the client's model and serialiser give them (the
spec version and facet schema versions it targets: the ``schemaURL`` / ``_schemaURL`` every event
and facet carries, the empty ``facets`` it writes). Importing that client costs a job 0.3 s and
more (its transports pull in requests, urllib3, aiohttp), so a job imports it only to send;
``tests/unit/lineage/test_openlineage_events.py`` holds every event built here equal, byte for
byte, to the client's serialisation of the same event, so an upgrade of the client that changes
the shape fails there.

Naming, chosen so that a consumer sees one job with one run per pipeline run:

* job: namespace :data:`NAMESPACE`, name :func:`job_name` (the rule plus its wildcard values
  other than ``run_id``), so the same job keeps its name from run to run;
* run: :func:`run_uuid`, a UUID derived from the pipeline run id and the job name, so START and
  COMPLETE of a job share it and a retried job reuses it;
* parent: every job run points (``parent`` run facet) to the pipeline run, job
  :data:`PARENT_JOB` in :data:`NAMESPACE` with run id :func:`pipeline_run_uuid`;
* datasets: namespace :data:`DATASET_NAMESPACE`, name the file path exactly as given (relative to
  the working directory).

Dataset facets (schema, data-quality assertions, column lineage; see :func:`dataset_facets`)
belong on the outputs of a COMPLETE event, because only then do the tables exist. Data-quality
assertions go in the output's ``facets``: the checks ran on that table, and the core spec has
always listed this facet among the dataset facets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from warehouse import PROJECT_URL, __project__, __version__

NAMESPACE = __project__  # stable job namespace
DATASET_NAMESPACE = "file"  # datasets are files named by their path relative to the working dir
# The spec requires a URI; by convention it names the producing code and its version.
PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"
PARENT_JOB = "pipeline"  # the job that stands for a whole pipeline run

# The schema URLs openlineage-python's model stamps on an event and on each facet we write.
_SPEC = "https://openlineage.io/spec"
EVENT_SCHEMA = f"{_SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACET_SCHEMAS = {
    "parent": f"{_SPEC}/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
    "errorMessage": f"{_SPEC}/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
    "jobType": f"{_SPEC}/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
    "schema": f"{_SPEC}/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
    "dataQualityAssertions": (
        f"{_SPEC}/facets/1-1-0/DataQualityAssertionsDatasetFacet.json"
        "#/$defs/DataQualityAssertionsDatasetFacet"
    ),
    "columnLineage": (
        f"{_SPEC}/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
    ),
}

# Fixed, so that run ids are the same on every machine, in every Python and project version.
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT_URL)


def dataset_name(path: str, roots: Sequence[str] = ("artifacts", "raw", "config")) -> str:
    """A file's dataset name: its path relative to the working directory.

    A job on a storage provider (Kubernetes) reads and writes local copies named
    ``.snakemake/storage/<provider>/<bucket>/<prefix>/<path>``; their name is ``<path>``, from the
    first folder that is one of the workspace's top-level ``roots``, so a dataset is named the
    same on every executor.
    """
    text = str(path)
    if not text.startswith(".snakemake/storage/"):
        return text
    parts = text.split("/")
    for i in range(3, len(parts) - 1):
        if parts[i] in roots:
            return "/".join(parts[i:])
    return text


def transport_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment configures an OpenLineage transport (``OPENLINEAGE_URL``,
    ``OPENLINEAGE__TRANSPORT__*`` or ``OPENLINEAGE_CONFIG``), so events also go there."""
    return any(
        key in ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG") or key.startswith("OPENLINEAGE__TRANSPORT")
        for key in environ
    )


def job_name(rule: str, wildcards: Mapping[str, str]) -> str:
    """The job's stable name: ``rule`` then the wildcard values other than ``run_id``, by key.

    Values are joined with "." in the alphabetical order of their wildcard names, so the name
    does not depend on the order Snakemake lists them in::

        job_name("silver_clean_table", {"run_id": "r1", "table": "crm_cust_info"})
        -> "silver_clean_table.crm_cust_info"
        job_name("bronze_copy_file", {"run_id": "r1", "source": "crm", "file": "cust_info.csv"})
        -> "bronze_copy_file.cust_info.csv.crm"      (keys in order: file, source)

    ``wildcards`` may be a dict or Snakemake's ``snakemake.wildcards`` (anything with
    ``items()``).
    """
    values = [str(value) for key, value in sorted(wildcards.items()) if key != "run_id"]
    return ".".join([rule, *values])


def run_uuid(run_id: str, job: str) -> str:
    """The OpenLineage run id of job ``job`` in pipeline run ``run_id``: a name-based UUID (v5).

    Deterministic, so the START and the COMPLETE/FAIL event of a job share it (they are written by
    separate calls, possibly separate processes) and a retried job reports the same run.
    """
    # A run id is a folder name, so it never holds "/": the pair maps to one string only.
    return str(uuid.uuid5(_UUID_NAMESPACE, f"{run_id}/{job}"))


def pipeline_run_uuid(run_id: str) -> str:
    """The run id of the whole pipeline run, the parent of every job run of ``run_id``."""
    return run_uuid(run_id, PARENT_JOB)


def dataset_facets(
    *,
    schema: list[dict] | None = None,
    checks: list[dict] | None = None,
    column_lineage: dict[str, list[str]] | None = None,
    path_of: dict[str, str] | None = None,
) -> dict:
    """Dataset facets for an output table, keyed by their OpenLineage facet names.

    * ``schema``: ``[{"name": "cst_id", "type": "int"}, ...]`` (optional ``description``) ->
      ``schema``, with 1-based ordinal positions in list order;
    * ``checks``: check results as :mod:`warehouse.quality.checks` produces them -> one
      assertion per result in ``dataQualityAssertions``: ``assertion`` is the check id,
      ``success`` is ``status == "pass"``, ``column`` is set only for a check on exactly one
      column, and ``severity`` is carried over;
    * ``column_lineage``: ``{"customer_id": ["crm_cust_info.cst_id"], ...}``, output column ->
      "table.column" sources -> ``columnLineage``. ``path_of`` maps a source table to its dataset
      name (its file path); sources whose table is not in ``path_of`` are left out, and so is an
      output column left with no source.

    An argument that is None or empty adds no facet. The result is what
    :func:`complete_event` takes with an output path: ``(path, dataset_facets(...))``.
    """
    facets: dict = {}
    if schema:
        facets["schema"] = _facet(
            "schema",
            fields=[
                _drop_none(
                    {
                        "name": column["name"],
                        "type": column.get("type"),
                        "description": column.get("description"),
                        "ordinal_position": position,
                        "fields": [],
                    }
                )
                for position, column in enumerate(schema, start=1)
            ],
        )
    if checks:
        facets["dataQualityAssertions"] = _facet(
            "dataQualityAssertions", assertions=[_assertion(check) for check in checks]
        )
    fields = _lineage_fields(column_lineage or {}, path_of or {})
    if fields:
        facets["columnLineage"] = _facet("columnLineage", fields=fields, dataset=[])
    return facets


def start_event(
    *,
    run_id: str,
    rule: str,
    wildcards: Mapping[str, str],
    inputs: Sequence[str],
    outputs: Sequence[str],
    event_time: str | None = None,
) -> dict:
    """The START event of a job: its input and output files, no dataset facets yet."""
    return _event("START", run_id, rule, wildcards, inputs, outputs, event_time)


def complete_event(
    *,
    run_id: str,
    rule: str,
    wildcards: Mapping[str, str],
    inputs: Sequence[str],
    outputs: Sequence[str | tuple[str, dict]],
    event_time: str | None = None,
) -> dict:
    """The COMPLETE event of a job. An output is a path or ``(path, dataset_facets(...))``."""
    return _event("COMPLETE", run_id, rule, wildcards, inputs, outputs, event_time)


def fail_event(
    *,
    run_id: str,
    rule: str,
    wildcards: Mapping[str, str],
    inputs: Sequence[str],
    outputs: Sequence[str | tuple[str, dict]],
    message: str,
    stack_trace: str | None = None,
    event_time: str | None = None,
) -> dict:
    """The FAIL event of a job, with ``message`` (and the stack trace, if given) as its error."""
    error = _facet(
        "errorMessage", message=message, programmingLanguage="python", stackTrace=stack_trace
    )
    return _event(
        "FAIL",
        run_id,
        rule,
        wildcards,
        inputs,
        outputs,
        event_time,
        run_facets={"errorMessage": error},
    )


def to_json_line(event: dict) -> str:
    """The event as one line of JSON, without the trailing newline.

    Keys sorted and unset fields left out, as the client's serialiser writes an event. json's
    default ``ensure_ascii`` escapes every non-ASCII character and newlines are escaped inside
    strings, so the line is plain ASCII (hence valid UTF-8) and never spans two lines, whatever
    an error message holds.
    """
    return json.dumps(event, sort_keys=True)


def append_event(path: str | Path, event: dict) -> None:
    """Append the event as one line to the JSON Lines file ``path``, creating it if needed.

    The line goes out in a single ``os.write`` on a descriptor opened with ``O_APPEND``, so jobs
    that append to the same file at the same time never interleave their lines: the kernel
    moves to the end of the file and writes the whole buffer as one step.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (to_json_line(event) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, data)
    finally:
        os.close(fd)
    # Only a full disk or a similar failure makes a regular-file write short; say so rather than
    # leave a torn line behind unnoticed.
    if written != len(data):
        raise OSError(f"wrote only {written} of {len(data)} bytes of an event to {path}")


def read_events(path: str | Path) -> list[dict]:
    """The events of a JSON Lines file, in file order, as plain dicts (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _drop_none(values: dict) -> dict:
    # The client's serialiser leaves out every unset (None) field.
    return {key: value for key, value in values.items() if value is not None}


def _facet(name: str, **fields) -> dict:
    return {"_producer": PRODUCER, "_schemaURL": FACET_SCHEMAS[name], **_drop_none(fields)}


def _event(
    state: str,
    run_id: str,
    rule: str,
    wildcards: Mapping[str, str],
    inputs: Sequence[str],
    outputs: Sequence[str | tuple[str, dict]],
    event_time: str | None,
    run_facets: dict | None = None,
) -> dict:
    name = job_name(rule, wildcards)
    return {
        "eventTime": _event_time(event_time),
        "eventType": state,
        "inputs": [_dataset(path, "inputFacets") for path in inputs],
        "job": {
            "facets": {"jobType": _job_type_facet()},
            "name": name,
            "namespace": NAMESPACE,
        },
        "outputs": [_output(output) for output in outputs],
        "producer": PRODUCER,
        "run": {
            "facets": {"parent": _parent_facet(run_id), **(run_facets or {})},
            "runId": run_uuid(run_id, name),
        },
        "schemaURL": EVENT_SCHEMA,
    }


def _event_time(value: str | None) -> str:
    if value is None:
        return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    # The spec's eventTime is an RFC 3339 date-time, which always has an offset; a naive time
    # would be read in whatever zone the consumer happens to run in.
    if dt.datetime.fromisoformat(value).tzinfo is None:
        raise ValueError(f"event_time {value!r} has no UTC offset")
    return value


def _parent_facet(run_id: str) -> dict:
    run = {"facets": {}, "runId": pipeline_run_uuid(run_id)}
    job = {"facets": {}, "name": PARENT_JOB, "namespace": NAMESPACE}
    # The pipeline run is also the root of the hierarchy; saying so spares consumers a lookup.
    return _facet("parent", job=job, root={"job": dict(job), "run": dict(run)}, run=run)


def _job_type_facet() -> dict:
    return _facet("jobType", integration="SNAKEMAKE", jobType="JOB", processingType="BATCH")


def _dataset(path: str, kind_facets: str, facets: Mapping | None = None) -> dict:
    return {
        "facets": dict(facets or {}),
        kind_facets: {},
        "name": str(path),
        "namespace": DATASET_NAMESPACE,
    }


def _output(output: str | tuple[str, dict]) -> dict:
    if isinstance(output, tuple):
        path, facets = output
        return _dataset(path, "outputFacets", facets)
    return _dataset(output, "outputFacets")


def _assertion(check: dict) -> dict:
    columns = check.get("columns") or []
    return _drop_none(
        {
            "assertion": check["id"],
            "success": check["status"] == "pass",
            # A check on several columns (unique on a composite key, a comparison) is about
            # their combination; the spec's "column" names one column, so leave it unset.
            "column": columns[0] if len(columns) == 1 else None,
            "severity": check.get("severity"),
            "params": {},
        }
    )


def _lineage_fields(column_lineage: dict[str, list[str]], path_of: dict[str, str]) -> dict:
    fields = {}
    for column, sources in column_lineage.items():
        input_fields = []
        for source in sources:
            table, _, field = source.partition(".")
            if table in path_of and field:
                input_fields.append(
                    {
                        "field": field,
                        "name": path_of[table],
                        "namespace": DATASET_NAMESPACE,
                        "transformations": [],
                    }
                )
        if input_fields:
            fields[column] = {"inputFields": input_fields}
    return fields
