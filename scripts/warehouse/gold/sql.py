"""Gold marts as SQL models, read without running them: where a model lives and which tables it
reads.

A mart is a single SELECT in ``config/contracts/gold/<mart>.sql``, beside its contract, over
Silver tables and earlier marts named like their tables. The tables a model reads are its
inputs: DuckDB parses the SQL (no data, no binding) and the names it reads, less the names its
own WITH clauses define, are what the DAG schedules, what the job registers and what column
lineage may name, so none of them can disagree with the code. Only names are read here; DuckDB
is imported on the first parse, so a job or a DAG that parses no model never loads it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_file
from warehouse.core.paths import contract_path

TABLE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def model_path(mart: str) -> Path:
    """Where the SQL model of ``mart`` lives: beside its contract, with the suffix ``.sql``."""
    return contract_path("gold", mart).with_suffix(".sql")


def run_model_path(mart: str, manifest: dict) -> Path:
    """The SQL model of ``mart``, refused unless it is the one the run was made with (its
    SHA-256 is in the run's manifest), so an old run is never completed with a model edited
    since it was minted."""
    path = model_path(mart)
    recorded = manifest.get("config_files", {}).get(path.as_posix())
    if not path.is_file() or recorded != sha256_file(path):
        change = "removed" if not path.is_file() else "added or edited"
        raise PipelineError(
            f"{mart}: model {path.as_posix()} is not the one run {manifest['run_id']} was made "
            f"with (it was {change} since). A run is an immutable snapshot: run without run_id "
            "to make a new run with the current model, or restore the old one."
        )
    return path


@cache
def _parser():
    # Imported here: a DAG that plans no mart, and a job that builds none, never loads DuckDB.
    import duckdb

    return duckdb.connect()


def _walk(node: object, tables: list[str], ctes: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            qualifier = ".".join(n for n in (node["catalog_name"], node["schema_name"]) if n)
            tables.append(f"{qualifier}.{node['table_name']}" if qualifier else node["table_name"])
        for entry in (node.get("cte_map") or {}).get("map", []):
            ctes.add(entry["key"].lower())
        for value in node.values():
            _walk(value, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _walk(value, tables, ctes)


@cache
def referenced_tables(sql: str, where: str) -> tuple[str, ...]:
    """The tables the model ``sql`` reads, sorted: every table it names, less the names its WITH
    clauses define. ``where`` (the model's path) names the model in errors.

    Raises PipelineError unless the model is one SELECT that reads at least one table and names
    tables only by plain table names (no files, schemas or other databases).
    """
    (answer,) = _parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    parsed = json.loads(answer)
    if parsed.get("error"):
        raise PipelineError(
            f"Gold model {where} is not a valid SELECT: {parsed.get('error_message')} "
            "(a model is one SELECT, optionally with WITH clauses, in DuckDB's SQL dialect)."
        )
    if len(parsed["statements"]) != 1:
        raise PipelineError(
            f"Gold model {where} holds {len(parsed['statements'])} statements; a model is one "
            "SELECT."
        )
    tables: list[str] = []
    ctes: set[str] = set()
    _walk(parsed["statements"][0], tables, ctes)
    names = sorted({t.lower() for t in tables} - ctes)
    bad = [n for n in names if not TABLE_NAME.match(n)]
    if bad:
        raise PipelineError(
            f"Gold model {where} reads {', '.join(bad)}: a model reads Silver tables and earlier "
            "marts by their table names only (no files, schemas or other databases)."
        )
    if not names:
        raise PipelineError(f"Gold model {where} reads no table: name the tables it is built from.")
    return tuple(names)


def model_tables(mart: str) -> tuple[str, ...]:
    """The tables the SQL model of ``mart`` reads (see :func:`referenced_tables`)."""
    path = model_path(mart)
    try:
        sql = path.read_text(encoding="utf-8")
    except OSError:
        raise PipelineError(
            f"Gold mart {mart} has no SQL model: write its SELECT in {path.as_posix()}, beside "
            "its contract."
        ) from None
    return referenced_tables(sql, path.as_posix())


def contract_problems(contract: dict) -> list[str]:
    """What is wrong with a Gold contract given its SQL model: the model must exist and parse,
    and column lineage and related-table checks may only name tables the model reads."""
    try:
        names = model_tables(contract["table"])
    except PipelineError as exc:
        return [str(exc)]
    problems = []
    if contract["table"] in names:
        problems.append(f"the model {model_path(contract['table'])} reads the mart itself")
    if "inputs" in contract:
        problems.append(
            "remove `inputs`: a mart's inputs are the tables its SQL model reads "
            f"({', '.join(names)})"
        )
    for column in contract["columns"]:
        for source in column.get("sources", []):
            if source.split(".", 1)[0] not in names:
                problems.append(
                    f"column {column['name']}: source {source} is not a column of a table the "
                    f"model reads ({', '.join(names)})"
                )
    for check in contract.get("checks", []):
        referenced = check.get("references", {}).get("table")
        if referenced and referenced not in names:
            problems.append(
                f"check {check.get('id', check['check'])} references {referenced}, which the "
                f"model does not read ({', '.join(names)})"
            )
    return problems
