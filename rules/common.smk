# Workflow-bound glue shared by every layer: the run being built, where a job reads workspace
# files, and what the quality gates decided. The file lists themselves are pure functions in
# warehouse.run.outputs. Nothing here reads data at parse time: the fingerprint is computed only
# inside the input functions of run-level targets (all, bronze), so job processes and --lint
# stay cheap.

import os
import sys
from pathlib import Path

# The warehouse package is never installed: every copy of the project imports its own
# scripts/warehouse (rule scripts find it because Snakemake puts their folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from snakemake.exceptions import WorkflowError

from warehouse.contracts.files import declared_inputs
from warehouse.core import paths
from warehouse.core.paths import contract_path
from warehouse.core.errors import PipelineError
from warehouse.core.io import read_yaml
from warehouse.report import runs_index
from warehouse.run import ids, manifests, outputs, sources
from warehouse.run.workspace import Workspace

try:
    WORKSPACE = Workspace(config, code_root=Path(workflow.basedir))
except PipelineError as exc:
    raise WorkflowError(str(exc))


wildcard_constraints:
    run_id=ids.RUN_ID_PATTERN,
    run_a=ids.RUN_ID_PATTERN,
    run_b=ids.RUN_ID_PATTERN,
    source=sources.SOURCE_PATTERN,
    file=sources.FILE_PATTERN,
    table=sources.TABLE_PATTERN,
    mart=sources.TABLE_PATTERN,


_announced = []


def target_run_id():
    """The run that run-level targets (all, bronze) build; resolved once per invocation."""
    try:
        run_id = WORKSPACE.run_id
        if not _announced:
            manifest = readable(paths.RUN_MANIFEST.format(run_id=run_id))
            logger.info(WORKSPACE.describe_choice(exists=manifest.is_file()))
            _announced.append(run_id)
        return run_id
    except PipelineError as exc:
        raise WorkflowError(str(exc))


def readable(path):
    """Where this process can read the workspace file ``path`` while the DAG is built.

    On a shared file system (local runs, SLURM, cluster-generic) that is ``path`` itself. With
    a default storage provider (Kubernetes: no shared file system) workspace files live in
    storage and Snakemake keeps local copies under .snakemake/storage/; a job's own process
    starts with none, so the copy is fetched here, once (a written artifact never changes).
    """
    settings = workflow.storage_settings
    if settings.default_storage_provider is None:
        return Path(path)
    prefix = settings.default_storage_prefix or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    # The same query Snakemake makes for a rule's input (snakemake.path_modifier).
    stored = workflow.storage_registry.default_storage_provider.object(
        prefix + os.path.normpath(path)
    )
    local = Path(stored.local_path())
    if not local.exists() and stored.exists():
        local.parent.mkdir(parents=True, exist_ok=True)
        stored.retrieve_object()
    return local


def storage_args():
    """This invocation's default storage settings as command-line arguments (empty on a shared
    file system), for the ``snakemake`` a job starts itself. Plugin settings such as the
    endpoint reach jobs as SNAKEMAKE_STORAGE_* environment variables."""
    settings = workflow.storage_settings
    if settings.default_storage_provider is None:
        return []
    return [
        "--default-storage-provider",
        settings.default_storage_provider,
        "--default-storage-prefix",
        settings.default_storage_prefix or "",
    ]


def run_manifest(run_id):
    """The manifest (stored, or planned for a new run) of ``run_id``."""
    stored_at = readable(paths.RUN_MANIFEST.format(run_id=run_id))
    if workflow.remote_exec and not stored_at.is_file():
        # A job never plans a run: the main process wrote the manifest before submitting it.
        raise WorkflowError(
            f"Run {run_id} has no manifest where this job looked ({stored_at}). The job "
            "cannot see the main process's files: check that the storage settings (default "
            "storage provider and prefix) are the same for the main process and the jobs."
        )
    try:
        return WORKSPACE.manifest(run_id, stored_at=stored_at)
    except PipelineError as exc:
        raise WorkflowError(str(exc))


def per_raw_file(template, run_id):
    """``template`` filled in for every raw file that belongs to ``run_id``."""
    return outputs.per_raw_file(template, run_manifest(run_id))


def run_tables(run_id):
    """{table name: raw file record} for every raw file that belongs to ``run_id``."""
    return outputs.run_tables(run_manifest(run_id))


def per_table(template, run_id):
    """``template`` filled in for every table of ``run_id``."""
    return outputs.per_table(template, run_manifest(run_id))


def per_mart(template, run_id):
    """``template`` filled in for every mart of ``run_id``."""
    return outputs.per_mart(template, run_manifest(run_id))


def bronze_of_table(template, wildcards):
    """The Bronze file (``template``: copy or metadata) that a Silver table is made from."""
    record = run_tables(wildcards.run_id).get(wildcards.table)
    if record is None:
        raise WorkflowError(
            f"Run {wildcards.run_id} has no raw file for table {wildcards.table} "
            f"(tables: {', '.join(run_tables(wildcards.run_id))})."
        )
    return template.format(
        run_id=wildcards.run_id, source=record["source"], file=record["file"]
    )


def silver_contract(table):
    """The contract file of a Silver table, as a list: empty when the table has none."""
    path = contract_path("silver", table)
    return [path.as_posix()] if path.is_file() else []


def gold_mart_inputs(wildcards):
    """{"silver": [...], "gold": [...]}: the Parquet tables a mart's contract lists under
    ``inputs``. Only the ``inputs`` are read here (the DAG is built at every invocation); the
    job itself validates the whole contract."""
    return outputs.gold_mart_inputs(
        wildcards.run_id, declared_inputs(contract_path("gold", wildcards.mart))
    )


def silver_gate(run_id):
    """The Silver quality gate of the run, read once it is written (it is a checkpoint)."""
    checkpoints.silver_quality_gate.get(run_id=run_id)
    return read_yaml(readable(paths.SILVER_GATE.format(run_id=run_id)))


def silver_gate_status(run_id):
    """``open`` or ``closed``: waits for the Silver quality gate of the run."""
    return silver_gate(run_id)["status"]


def open_silver_gate(run_id):
    """The Silver gate file, for Gold jobs; refuses to plan Gold when the gate is closed."""
    if silver_gate_status(run_id) != "open":
        raise WorkflowError(
            f"The Silver quality gate of run {run_id} is closed, so Gold is not built. "
            f"See {paths.SILVER_REPORT.format(run_id=run_id)} for the failing checks."
        )
    return paths.SILVER_GATE.format(run_id=run_id)


def diff_inputs(run_id):
    """What a run diff reads of one run: its summary (so the run is complete or blocked, never
    half-built). A run with no manifest is refused with the list of known runs."""
    if manifests.read_manifest(run_id) is None:
        known = ", ".join(manifests.list_run_ids()) or "none"
        raise WorkflowError(f"Run {run_id} does not exist (known runs: {known}).")
    return paths.SUMMARY_JSON.format(run_id=run_id)


def diff_run_inputs(run_id):
    """What a run diff reads of one run: its summary (so the run is complete or blocked, never
    half-built), manifest, layer metadata and checks, and the Gold marts' data (a run whose
    Silver gate closed has no Gold, so none is asked for)."""
    summary = diff_inputs(run_id)  # first: refuses a run that does not exist
    gold_built = silver_gate_status(run_id) == "open"
    return [summary] + outputs.diff_inputs(run_manifest(run_id), gold_built)


def refresh_runs_index():
    """Rewrite artifacts/index.html and runs.json (after every invocation; never fails it)."""
    if workflow.dryrun:
        return
    try:
        runs_index.refresh()
    except (
        Exception
    ) as exc:  # the index is a convenience: report, never fail the run for it
        logger.warning(f"Could not refresh the runs index: {exc}")


def summary_inputs(wildcards):
    """What the summary reads: every layer's metadata and checks, Gold only if it was built."""
    run_id = wildcards.run_id
    return outputs.summary_inputs(
        run_id, gold_built=silver_gate_status(run_id) == "open"
    )


def bronze_outputs(run_id):
    """Every file of the Bronze layer of ``run_id``."""
    return outputs.bronze_outputs(run_manifest(run_id))


def silver_outputs(run_id):
    """Every file of the Silver layer of ``run_id``, the quality gate included."""
    return outputs.silver_outputs(run_manifest(run_id))


def gold_or_blocked(run_id):
    """Gold outputs when the Silver gate is open; else the run's final status, which fails
    with the reason."""
    if silver_gate_status(run_id) == "open":
        return outputs.gold_outputs(run_manifest(run_id), config["gold"]["export_csv"])
    return [paths.RUN_STATUS.format(run_id=run_id)]


def get_final_output(wildcards):
    """Everything `snakemake all` builds for the targeted run."""
    run_id = target_run_id()
    return (
        bronze_outputs(run_id)
        + silver_outputs(run_id)
        + outputs.report_outputs(run_id)
        + gold_or_blocked(run_id)
    )
