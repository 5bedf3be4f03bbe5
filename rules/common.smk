# Helpers shared by every layer: the run being built, path templates and wildcard constraints.
# Nothing here reads data at parse time: the fingerprint is computed only inside the input
# functions of run-level targets (all, bronze), so job processes and --lint stay cheap.

import os
import sys
from pathlib import Path

# The warehouse package is never installed: every copy of the project imports its own
# scripts/warehouse (rule scripts find it because Snakemake puts their folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from snakemake.exceptions import WorkflowError

from warehouse import contracts, layout, metadata, runs, runs_index, sources
from warehouse.errors import PipelineError
from warehouse.workspace import Workspace

try:
    WORKSPACE = Workspace(config, code_root=Path(workflow.basedir))
except PipelineError as exc:
    raise WorkflowError(str(exc))


wildcard_constraints:
    run_id=runs.RUN_ID_PATTERN,
    run_a=runs.RUN_ID_PATTERN,
    run_b=runs.RUN_ID_PATTERN,
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
            manifest = readable(layout.RUN_MANIFEST.format(run_id=run_id))
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
    stored_at = readable(layout.RUN_MANIFEST.format(run_id=run_id))
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
    return [
        template.format(run_id=run_id, source=f["source"], file=f["file"])
        for f in run_manifest(run_id)["raw_files"]
    ]


def run_tables(run_id):
    """{table name: raw file record} for every raw file that belongs to ``run_id``."""
    return {
        sources.table_name(f["source"], f["file"]): f
        for f in run_manifest(run_id)["raw_files"]
    }


def per_table(template, run_id):
    """``template`` filled in for every table of ``run_id``."""
    return [template.format(run_id=run_id, table=table) for table in run_tables(run_id)]


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
    path = contracts.contract_path("silver", table)
    return [path.as_posix()] if path.is_file() else []


def layer_outputs(run_id, templates, per_table_templates=()):
    """The layer files of ``run_id`` plus ``per_table_templates`` for each of its tables."""
    files = [t.format(run_id=run_id) for t in templates]
    for template in per_table_templates:
        files += per_table(template, run_id)
    return files


def silver_outputs(run_id):
    """Every file of the Silver layer of ``run_id``, the quality gate included."""
    return layer_outputs(
        run_id,
        (
            layout.SILVER_METADATA,
            layout.SILVER_CHECKS,
            layout.SILVER_RUN_LOG,
            layout.SILVER_REPORT,
            layout.SILVER_GATE,
        ),
        (layout.SILVER_DATA, layout.SILVER_QUARANTINE, layout.SILVER_TABLE_META),
    )


# Marts whose data the Gold report reads for its KPIs and charts.
GOLD_KPI_MARTS = (
    "fact_sales",
    "agg_sales_monthly",
    "agg_sales_by_country",
    "agg_sales_by_category",
)


def run_marts(run_id):
    """The Gold marts of ``run_id``: one per Gold contract recorded in its manifest."""
    folder = contracts.contract_path("gold", "x").parent.as_posix() + "/"
    return sorted(
        Path(path).stem
        for path in run_manifest(run_id).get("config_files", {})
        if path.startswith(folder) and path.endswith(".yaml")
    )


def per_mart(template, run_id):
    """``template`` filled in for every mart of ``run_id``."""
    return [template.format(run_id=run_id, mart=mart) for mart in run_marts(run_id)]


def gold_mart_inputs(wildcards):
    """The Parquet tables a mart's contract lists under ``inputs`` (Silver tables, marts).

    Only the ``inputs`` are read here (the DAG is built at every invocation); the job itself
    validates the whole contract.
    """
    inputs = contracts.declared_inputs(contracts.contract_path("gold", wildcards.mart))
    return [
        layout.SILVER_DATA.format(run_id=wildcards.run_id, table=t)
        for t in inputs.get("silver", [])
    ] + [
        layout.GOLD_DATA.format(run_id=wildcards.run_id, mart=m)
        for m in inputs.get("gold", [])
    ]


def gold_outputs(run_id):
    """Every file of the Gold layer of ``run_id`` (CSV exports when gold.export_csv is on)."""
    per_mart_templates = [layout.GOLD_DATA, layout.GOLD_TABLE_META]
    if config["gold"]["export_csv"]:
        per_mart_templates.append(layout.GOLD_CSV)
    files = [
        t.format(run_id=run_id)
        for t in (
            layout.GOLD_METADATA,
            layout.GOLD_CHECKS,
            layout.GOLD_RUN_LOG,
            layout.GOLD_REPORT,
            layout.GOLD_GATE,
        )
    ]
    for template in per_mart_templates:
        files += per_mart(template, run_id)
    return files


def silver_gate(run_id):
    """The Silver quality gate of the run, read once it is written (it is a checkpoint)."""
    checkpoints.silver_quality_gate.get(run_id=run_id)
    return metadata.read_yaml(readable(layout.SILVER_GATE.format(run_id=run_id)))


def silver_gate_status(run_id):
    """``open`` or ``closed``: waits for the Silver quality gate of the run."""
    return silver_gate(run_id)["status"]


def open_silver_gate(run_id):
    """The Silver gate file, for Gold jobs; refuses to plan Gold when the gate is closed."""
    if silver_gate_status(run_id) != "open":
        raise WorkflowError(
            f"The Silver quality gate of run {run_id} is closed, so Gold is not built. "
            f"See {layout.SILVER_REPORT.format(run_id=run_id)} for the failing checks."
        )
    return layout.SILVER_GATE.format(run_id=run_id)


def gold_or_blocked(run_id):
    """Gold outputs when the Silver gate is open; else the run's final status, which fails
    with the reason."""
    if silver_gate_status(run_id) == "open":
        return gold_outputs(run_id)
    return [layout.RUN_STATUS.format(run_id=run_id)]


def report_outputs(run_id):
    """The run's summary report (written even for a blocked run), lineage and final status."""
    return [
        t.format(run_id=run_id)
        for t in (
            layout.SUMMARY_JSON,
            layout.SUMMARY_MD,
            layout.SUMMARY_HTML,
            layout.LINEAGE_SVG,
            layout.RUN_STATUS,
        )
    ]


def summary_inputs(wildcards):
    """What the summary reads: every layer's metadata and checks, Gold only if it was built."""
    run_id = wildcards.run_id
    files = {
        "manifest": layout.RUN_MANIFEST,
        "bronze": layout.BRONZE_METADATA,
        "silver": layout.SILVER_METADATA,
        "silver_checks": layout.SILVER_CHECKS,
        "silver_gate": layout.SILVER_GATE,
    }
    if silver_gate_status(run_id) == "open":
        files |= {
            "gold": layout.GOLD_METADATA,
            "gold_checks": layout.GOLD_CHECKS,
            "gold_gate": layout.GOLD_GATE,
        }
    return {name: path.format(run_id=run_id) for name, path in files.items()}


def diff_inputs(run_id):
    """What a run diff reads of one run: its summary (so the run is complete or blocked, never
    half-built). A run with no manifest is refused with the list of known runs."""
    if runs.read_manifest(run_id) is None:
        known = ", ".join(runs.list_run_ids()) or "none"
        raise WorkflowError(f"Run {run_id} does not exist (known runs: {known}).")
    return layout.SUMMARY_JSON.format(run_id=run_id)


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


def bronze_outputs(run_id):
    """Every file of the Bronze layer of ``run_id``: a deleted one is rebuilt next time.

    (Snakemake treats a missing intermediate file like a removed temp file, so each artifact
    that must exist is named here, not only the layer report.)
    """
    return (
        per_raw_file(layout.BRONZE_DATA, run_id)
        + per_raw_file(layout.BRONZE_FILE_META, run_id)
        + [
            path.format(run_id=run_id)
            for path in (
                layout.BRONZE_METADATA,
                layout.BRONZE_RUN_LOG,
                layout.BRONZE_REPORT,
            )
        ]
    )


def get_final_output(wildcards):
    """Everything `snakemake all` builds for the targeted run."""
    run_id = target_run_id()
    return (
        bronze_outputs(run_id)
        + silver_outputs(run_id)
        + report_outputs(run_id)
        + gold_or_blocked(run_id)
    )
