# Helpers shared by every layer: the run being built, path templates and wildcard constraints.
# Nothing here reads data at parse time: the fingerprint is computed only inside the input
# functions of run-level targets (all, bronze), so job processes and --lint stay cheap.

import sys
from pathlib import Path

# The warehouse package is installed into the venv by `make`; the path keeps a plain
# `snakemake` in any environment with the dependencies working too.
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from snakemake.exceptions import WorkflowError

from warehouse import layout, runs, sources
from warehouse.errors import PipelineError
from warehouse.workspace import Workspace

try:
    WORKSPACE = Workspace(config, code_root=Path(workflow.basedir))
except PipelineError as exc:
    raise WorkflowError(str(exc))


wildcard_constraints:
    run_id=runs.RUN_ID_PATTERN,
    source=sources.SOURCE_PATTERN,
    file=sources.FILE_PATTERN,


_announced = []


def target_run_id():
    """The run that run-level targets (all, bronze) build; resolved once per invocation."""
    try:
        run_id = WORKSPACE.run_id
        if not _announced:
            logger.info(WORKSPACE.describe_choice())
            _announced.append(run_id)
        return run_id
    except PipelineError as exc:
        raise WorkflowError(str(exc))


def run_manifest(run_id):
    """The manifest (stored, or planned for a new run) of ``run_id``."""
    try:
        return WORKSPACE.manifest(run_id)
    except PipelineError as exc:
        raise WorkflowError(str(exc))


def per_raw_file(template, run_id):
    """``template`` filled in for every raw file that belongs to ``run_id``."""
    return [
        template.format(run_id=run_id, source=f["source"], file=f["file"])
        for f in run_manifest(run_id)["raw_files"]
    ]


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
    return bronze_outputs(target_run_id())
