"""The path catalog: where every artifact lives, one template per artifact, for rules, code and
tests alike. No other module builds an artifact path.

Templates use Snakemake's wildcard syntax (``{run_id}``, ``{source}``, ``{file}``) so the rules
can use them as they are. They are relative to a workspace root, the working directory by
default, which is what lets the same rules run on cluster executors; :func:`at` fills one in
under another root (a test's workspace, the runs a diff compares) and :func:`find` lists the
files that match a template.
"""

import os
import re
from pathlib import Path

ARTIFACTS = "artifacts"
RAW_FILE = "{raw_dir}/source_{source}/{file}"

# Configuration: table contracts (one per table and layer) and the schema they are held to.
CONTRACT = "config/contracts/{layer}/{table}.yaml"
CONTRACT_SCHEMA = "config/contract.schema.yaml"

# The run's own record and the orchestration files (logs and benchmarks of every job).
RUN_DIR = "artifacts/orchestrator/{run_id}"
RUN_MANIFEST = RUN_DIR + "/run.yaml"
# Written last, only when every quality gate of the run is open: the run is complete.
RUN_STATUS = RUN_DIR + "/status.yaml"
LOG = RUN_DIR + "/logs/{rule}/{name}.log"
BENCHMARK = RUN_DIR + "/logs/{rule}/{name}.benchmark.tsv"

# A complete run is never written again. When one of its files is lost and rebuilt, the job's
# log, benchmark and OpenLineage events go to the run's repair folder instead, and the job's
# surviving outputs are kept aside in its scratch folder while it runs (run/repair.py).
REPAIR_DIR = "artifacts/repairs/{run_id}"
REPAIR_LOGS = REPAIR_DIR + "/logs"  # the same {rule}/{name} files as the run's logs/
REPAIR_OPENLINEAGE = REPAIR_DIR + "/openlineage.jsonl"
REPAIR_SCRATCH = REPAIR_DIR + "/.kept"

# Bronze: byte-exact copies, one metadata file per copy, and the layer's own summary files.
BRONZE_DIR = "artifacts/bronze/{run_id}"
BRONZE_DATA = BRONZE_DIR + "/data/{source}/{file}"
BRONZE_FILE_META = BRONZE_DIR + "/files/{source}/{file}.yaml"
BRONZE_METADATA = BRONZE_DIR + "/metadata.yaml"
BRONZE_RUN_LOG = BRONZE_DIR + "/run_log.txt"
BRONZE_REPORT = BRONZE_DIR + "/reports/elt_report.html"

# Silver: one cleaned table, one quarantine and one metadata file per table; the layer files;
# and the quality gate, which exists only when no error-level check failed.
SILVER_DIR = "artifacts/silver/{run_id}"
SILVER_DATA = SILVER_DIR + "/data/{table}.parquet"
SILVER_QUARANTINE = SILVER_DIR + "/quarantine/{table}.parquet"
SILVER_TABLE_META = SILVER_DIR + "/tables/{table}.yaml"
SILVER_METADATA = SILVER_DIR + "/metadata.yaml"
SILVER_CHECKS = SILVER_DIR + "/checks.json"
SILVER_RUN_LOG = SILVER_DIR + "/run_log.txt"
SILVER_REPORT = SILVER_DIR + "/reports/elt_report.html"
SILVER_GATE = SILVER_DIR + "/quality_gate.yaml"

# Gold: one Parquet table (and optional CSV) and one metadata file per mart; the layer files;
# the quality gate.
GOLD_DIR = "artifacts/gold/marts/{run_id}"
GOLD_DATA = GOLD_DIR + "/data/{mart}.parquet"
GOLD_CSV = GOLD_DIR + "/data/{mart}.csv"
GOLD_TABLE_META = GOLD_DIR + "/tables/{mart}.yaml"
GOLD_METADATA = GOLD_DIR + "/metadata.yaml"
GOLD_CHECKS = GOLD_DIR + "/checks.json"
GOLD_RUN_LOG = GOLD_DIR + "/run_log.txt"
GOLD_REPORT = GOLD_DIR + "/reports/gold_report.html"
GOLD_GATE = GOLD_DIR + "/quality_gate.yaml"

# The run's story: summary report, lineage graph, OpenLineage events.
REPORTS_DIR = "artifacts/reports/{run_id}"
SUMMARY_JSON = REPORTS_DIR + "/summary_report.json"
SUMMARY_MD = REPORTS_DIR + "/summary_report.md"
SUMMARY_HTML = REPORTS_DIR + "/summary_report.html"
LINEAGE_SVG = REPORTS_DIR + "/lineage.svg"
OPENLINEAGE = REPORTS_DIR + "/openlineage.jsonl"

# Comparing two runs, and the index of all runs (refreshed after every invocation).
DIFF_DIR = "artifacts/diffs/{run_a}__{run_b}"
DIFF_JSON = DIFF_DIR + "/diff_report.json"
DIFF_HTML = DIFF_DIR + "/diff_report.html"
DIFF_LOG = DIFF_DIR + "/logs/run_diff.log"
DIFF_BENCHMARK = DIFF_DIR + "/logs/run_diff.benchmark.tsv"
RUNS_INDEX_HTML = "artifacts/index.html"
RUNS_INDEX_JSON = "artifacts/runs.json"

# Agents (built on demand, never by `all`): profiles of Bronze tables, draft contracts with their
# rationale, and the log of every model call.
DRAFTS_DIR = "artifacts/drafts/{run_id}"
DRAFT_PROFILE = DRAFTS_DIR + "/profiles/{table}.json"
DRAFT_CONTRACT = DRAFTS_DIR + "/contracts/{table}.yaml"
DRAFT_RATIONALE = DRAFTS_DIR + "/contracts/{table}.md"
LLM_CALLS = DRAFTS_DIR + "/llm_calls.jsonl"
DRAFT_LOG = DRAFTS_DIR + "/logs/{rule}/{name}.log"
DRAFT_BENCHMARK = DRAFTS_DIR + "/logs/{rule}/{name}.benchmark.tsv"

# Caches that only speed things up; deleting them is always safe.
DIGEST_CACHE = "artifacts/.cache/file_digests.json"


def contract_path(layer: str, table: str) -> Path:
    """Where the contract of ``table`` in ``layer`` lives."""
    return Path(CONTRACT.format(layer=layer, table=table))


def log(rule: str, name: str = "{run_id}", template: str = LOG) -> str:
    """The log path template of ``rule``; ``name`` tells jobs of one rule apart; ``template``:
    LOG (a job of a run) or DRAFT_LOG (an agent's job, which is not part of the run)."""
    return template.replace("{rule}", rule).replace("{name}", name)


def benchmark(rule: str, name: str = "{run_id}", template: str = BENCHMARK) -> str:
    """The benchmark path template of ``rule`` (Snakemake writes time and memory there)."""
    return template.replace("{rule}", rule).replace("{name}", name)


def repair_file(path: str | Path) -> Path | None:
    """Where the log or benchmark ``path`` of a job of a run goes instead when the job rebuilds
    a lost file of the complete run (the run's own file stays as it was); None for a path that
    is not a run's log or benchmark."""
    found = re.match(
        rf"^{re.escape(RUN_DIR.split('{run_id}')[0])}([^/]+)/logs/(.+)$", Path(path).as_posix()
    )
    return Path(REPAIR_LOGS.format(run_id=found[1]), found[2]) if found else None


_FIELD = re.compile(r"{(\w+)}")


def at(template: str, root: str | Path = ".", **fields: str) -> Path:
    """``template`` filled in with ``fields``, under the workspace ``root``."""
    return Path(root) / template.format(**fields)


def _regex(template: str, fields: dict, span: str | None = None) -> re.Pattern:
    """A regex for ``template``: given fields fixed, the others one path segment each (the
    field ``span``, if any, one or more segments)."""
    parts = re.split(r"({\w+})", template)
    free = {name: ("(.+)" if name == span else "([^/]+)") for name in _FIELD.findall(template)}
    pattern = "".join(
        (re.escape(fields[p[1:-1]]) if p[1:-1] in fields else free[p[1:-1]])
        if _FIELD.fullmatch(p)
        else re.escape(p)
        for p in parts
    )
    return re.compile(f"^{pattern}$")


def match(template: str, path: str | Path, **fields: str) -> dict | None:
    """The wildcard values with which ``template`` gives ``path`` (relative to the workspace),
    or None when ``path`` is not such a file."""
    found = _regex(template, fields).match(Path(path).as_posix())
    if found is None:
        return None
    free = [n for n in _FIELD.findall(template) if n not in fields]
    return dict(zip(free, found.groups(), strict=True))


def _glob(template: str, root, fields: dict, span: str | None, want_dir: bool):
    pattern = _FIELD.sub(
        lambda m: fields.get(m.group(1), "**/*" if m.group(1) == span else "*"), template
    )
    regex = _regex(template, fields, span)
    free = [n for n in _FIELD.findall(template) if n not in fields]
    found = []
    for path in sorted(Path(root).glob(pattern)):
        hit = regex.match(path.relative_to(root).as_posix())
        if hit is not None and (path.is_dir() if want_dir else path.is_file()):
            found.append((dict(zip(free, hit.groups(), strict=True)), path))
    return found


def find(template: str, root: str | Path = ".", **fields: str) -> list[tuple[dict, Path]]:
    """Every existing file matching ``template`` under ``root``, with the wildcard values it
    was found with (fields given are fixed; the others match one path segment each), sorted."""
    return _glob(template, root, fields, span=None, want_dir=False)


def find_spanning(
    template: str, span: str, root: str | Path = ".", **fields: str
) -> list[tuple[dict, Path]]:
    """Like :func:`find`, but the wildcard ``span`` may span folders: the log or benchmark of
    a per-file job is named ``{source}/{file}``, so its ``{name}`` is two segments."""
    return _glob(template, root, fields, span=span, want_dir=False)


def find_folders(template: str, root: str | Path = ".", **fields: str) -> list[tuple[dict, Path]]:
    """Every existing folder matching the folder template ``template`` (such as ``RUN_DIR``)
    under ``root``, with its wildcard values, sorted."""
    return _glob(template, root, fields, span=None, want_dir=True)


def link(template: str, page: str, **fields: str) -> str:
    """The relative link from the artifact page ``page`` (a path of the catalog, such as
    ``RUNS_INDEX_HTML``) to ``template`` filled in with ``fields``."""
    target = Path(template.format(**fields))
    return Path(os.path.relpath(target, Path(page).parent)).as_posix()
