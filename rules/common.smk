# Workflow-bound glue shared by every layer: the run being built, where a job reads workspace
# files, and what the quality gates decided. The file lists themselves are pure functions in
# warehouse.run.outputs. Nothing here reads data at parse time: the fingerprint is computed only
# inside the input functions of run-level targets (all, bronze), so job processes and --lint
# stay cheap.

import atexit
import os
import sys
from pathlib import Path

# The warehouse package is never installed: every copy of the project imports its own
# scripts/warehouse (rule scripts find it because Snakemake puts their folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from snakemake.exceptions import WorkflowError
from snakemake.io import apply_wildcards

from warehouse.contracts.files import declared_inputs
from warehouse.core import paths
from warehouse.core.paths import contract_path
from warehouse.core.errors import PipelineError
from warehouse.core.hashing import DigestCache, sha256_file
from warehouse.core.io import read_yaml
from warehouse.report import runs_index
from warehouse.run import ids, manifests, outputs, repair, sources
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
_refused = []  # the PipelineErrors this invocation stopped on (they said what to do)


def refuse(exc):
    """Stop on the PipelineError ``exc`` raised while the DAG is built, with its message alone.

    Snakemake reports an error raised in an input function with the rule-file lines it passed
    through, under "Traceback:", which reads like a crash of the pipeline; before the first job
    is scheduled nothing is locked or running, so the invocation can simply end here. Later
    (the DAG is re-evaluated after a checkpoint) it is raised as Snakemake's WorkflowError.
    """
    _refused.append(exc)
    if workflow.scheduler is not None:
        raise WorkflowError(str(exc))
    logger.error(str(exc))
    raise SystemExit(1)


def target_run_id():
    """The run that run-level targets (all, bronze) build; resolved once per invocation. An
    existing run is refused when this invocation's config differs from the one it was made
    with (a finished run is never added to or changed)."""
    try:
        run_id = WORKSPACE.run_id
        if not _announced:
            manifest = readable(paths.RUN_MANIFEST.format(run_id=run_id))
            if manifest.is_file():
                manifests.check_run_config(run_manifest(run_id), config)
            logger.info(WORKSPACE.describe_choice(exists=manifest.is_file()))
            for path in sources.os_metadata_files(WORKSPACE.raw_dir):
                logger.warning(
                    f"Ignored {path}: a metadata file an operating system or office program "
                    "left beside the exports (macOS writes ._<name>), not an export."
                )
            _announced.append(run_id)
        return run_id
    except PipelineError as exc:
        refuse(exc)


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


def shared_file_system():
    """Whether jobs share this invocation's file system (local runs, SLURM, cluster-generic);
    False with a default storage provider (Kubernetes)."""
    return workflow.storage_settings.default_storage_provider is None


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
        refuse(exc)


def _main_process():
    # Only the invocation that plans the DAG decides what to rebuild; a job's own snakemake
    # process (local subprocess or cluster job) builds exactly its outputs, all missing.
    return shared_file_system() and not (
        workflow.remote_exec or workflow.subprocess_exec
    )


def _job_outputs(rule_name, wildcards):
    return [apply_wildcards(p, wildcards) for p in workflow.get_rule(rule_name).output]


_complete_runs = {}


def run_is_complete(run_id):
    """Whether ``run_id`` is complete (its status.yaml exists); read once per invocation."""
    if run_id not in _complete_runs:
        _complete_runs[run_id] = Path(paths.RUN_STATUS.format(run_id=run_id)).is_file()
    return _complete_runs[run_id]


def settled(rule_name, wildcards, files):
    """``files`` (a path, a list or a dict of them), the inputs of a job of rule
    ``rule_name``, as Snakemake should see them.

    A complete run is never written again except to rebuild a file that is missing, and then
    only that job runs: its inputs are ancient(), so a rebuilt upstream file never makes this
    job out of date, and when every output of this job exists its missing inputs are left out,
    so a deleted upstream file is rebuilt alone (rule all names it) instead of rerunning every
    job that reads it. Runs that are not complete are built as usual. On a storage provider
    (no shared file system) files are not probed and nothing changes.
    """
    if not _main_process() or not run_is_complete(wildcards.run_id):
        return files
    if isinstance(files, dict):
        return {
            name: settled(rule_name, wildcards, value) for name, value in files.items()
        }
    listed = [files] if isinstance(files, str) else list(files)
    if all(Path(f).exists() for f in _job_outputs(rule_name, wildcards)):
        listed = [f for f in listed if Path(f).exists()]
    else:
        _keep_job_files(rule_name, wildcards)
    listed = [ancient(f) for f in listed]
    if isinstance(files, str):
        return listed[0] if listed else []
    return listed


_repairs = {}


def _keep_job_files(rule_name, wildcards):
    """A job of a complete run will rebuild a lost file: Snakemake deletes the job's log before
    it runs and writes its benchmark after, so the run's own are set aside now and returned
    when this invocation ends, the repair's going to the run's repair folder (run/repair.py).
    Nothing is set aside when no job runs (--dag, --report, -n)."""
    if workflow.executor_plugin is None or workflow.dryrun:
        return
    job = workflow.get_rule(rule_name)
    files = [
        apply_wildcards(f, wildcards) for f in list(job.log) + [job.benchmark] if f
    ]
    for path in files:
        if path not in _repairs:
            _repairs[path] = wildcards.run_id
            repair.set_aside([path], wildcards.run_id, copy=True)


def finish_repairs():
    """At exit: the run's own logs and benchmarks of the repair jobs go back (see above)."""
    for path, run_id in _repairs.items():
        try:
            repair.put_back([path], run_id, moved_to=paths.repair_file)
        except OSError as exc:  # noqa: PERF203 - at exit, report and go on
            print(
                f"Could not put back {path} (kept in {repair.kept_path(path, run_id)}): {exc}",
                file=sys.stderr,
            )


def before_rebuild(rule_name, wildcards, check):
    """Run ``check(manifest)`` (it raises PipelineError) when a job of rule ``rule_name`` would
    rebuild files of a run whose manifest is stored: Snakemake deletes a job's surviving
    outputs before it runs, so what the job needs (the recorded raw bytes, contract) is
    verified here, while the DAG is built, and a job bound to fail never deletes a file of the
    run."""
    if not _main_process() or manifests.read_manifest(wildcards.run_id) is None:
        return
    if all(Path(f).exists() for f in _job_outputs(rule_name, wildcards)):
        return
    try:
        check(run_manifest(wildcards.run_id))
    except PipelineError as exc:
        refuse(exc)


_digest_caches = []


def _raw_digest(path):
    """SHA-256 of a raw file through the workspace's digest cache, loaded once per invocation."""
    if not _digest_caches:
        _digest_caches.append(DigestCache(Path(paths.DIGEST_CACHE)))
    cache = _digest_caches[0]
    digest = cache.digest(path)
    cache.save()  # writes only when a digest was added
    return digest


def raw_file_input(wildcards):
    """The raw file a Bronze copy is made from: ancient() (a raw file edited after the run was
    made must not rebuild that run), and checked against the manifest before a rebuild.
    """
    path = paths.RAW_FILE.format(
        raw_dir=config["raw_dir"], source=wildcards.source, file=wildcards.file
    )
    before_rebuild(
        "bronze_copy_file",
        wildcards,
        lambda m: manifests.check_raw_file(
            m, wildcards.source, wildcards.file, Path(path), _raw_digest
        ),
    )
    return settled("bronze_copy_file", wildcards, ancient(path))


def contract_input(rule_name, layer, wildcards, table):
    """A table's contract, ancient(): editing a contract makes a new run, never rebuilds this
    one; checked against the manifest before a rebuild (the job checks it again). A Silver
    contract comes as a list, empty when the table has none; a Gold one (required) as a path.
    """
    path = contract_path(layer, table)
    before_rebuild(
        rule_name,
        wildcards,
        lambda m: manifests.check_config_file(m, path, sha256_file),
    )
    if layer == "gold":
        return settled(rule_name, wildcards, ancient(path.as_posix()))
    return settled(
        rule_name, wildcards, [ancient(path.as_posix())] if path.is_file() else []
    )


def csv_export_input(wildcards):
    """The mart a CSV is exported from; refused for a run made without gold.export_csv (a
    finished run never gains files its config did not ask for)."""
    recorded = run_manifest(wildcards.run_id).get("effective_config")
    if recorded is not None and not (recorded.get("gold") or {}).get("export_csv"):
        refuse(
            PipelineError(
                f"Run {wildcards.run_id} was made with gold.export_csv: false, so its marts "
                "have no CSV, and a run is never added to. Set gold: {export_csv: true} in "
                "config/config.yaml and run `snakemake all`: that makes a new run with CSVs."
            )
        )
    return settled(
        "gold_export_csv", wildcards, paths.GOLD_DATA.format(**dict(wildcards.items()))
    )


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
    """{"silver": [...], "gold": [...]}: the Parquet tables a mart's SQL model reads. Only the
    model's table names are parsed here (the DAG is built at every invocation); the job itself
    validates the whole contract."""
    return outputs.gold_mart_inputs(
        wildcards.run_id, declared_inputs(contract_path("gold", wildcards.mart))
    )


def silver_gate(run_id):
    """The Silver quality gate of the run, read once it is written (by the checkpoint
    silver_layer_report)."""
    checkpoints.silver_layer_report.get(run_id=run_id)
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


def explain_failure():
    """What Snakemake's last words ("At least one job did not complete successfully") leave
    out after a SIGTERM, said before them (onerror; never fails the hook)."""
    if workflow.dryrun:
        return
    try:
        if getattr(workflow.scheduler, "_user_kill", None):
            logger.error(
                "Snakemake was asked to stop (SIGTERM) and ended before the run was finished: "
                "it let the jobs that were running finish (a job stopped by the signal itself "
                "is reported as failed above; that is not a problem with its data). Run "
                "`snakemake all` again: it completes the same run."
            )
    except Exception as exc:  # an explanation must never hide the error it explains
        logger.warning(f"Could not explain the failure: {exc}")


def explain_vanished_raw_files():
    """At exit: name the raw files of the targeted run that disappeared after its manifest was
    written and before their Bronze copy was made. Snakemake stops such a job with advice about
    file-system latency, without calling onerror, so this runs when the process ends."""
    for run_id in [] if _refused else _announced:
        try:
            manifest = manifests.read_manifest(run_id) or {}
            for record in manifest.get("raw_files", []):
                copy = paths.BRONZE_DATA.format(
                    run_id=run_id, source=record["source"], file=record["file"]
                )
                if not Path(record["path"]).exists() and not Path(copy).exists():
                    print(
                        f"Raw file {record['path']} of run {run_id} disappeared after the "
                        "run's manifest was written, so its Bronze copy could not be made (not "
                        "a file-system latency problem). Restore the file, then run "
                        "`snakemake all` again: it completes the same run.",
                        file=sys.stderr,
                    )
        except Exception:  # noqa: BLE001 - at exit, an explanation must never raise
            pass


if _main_process():
    atexit.register(explain_vanished_raw_files)
    atexit.register(finish_repairs)


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
