"""Loading and validating table contracts (``config/contracts/<layer>/<table>.yaml``).

A contract is checked twice before anything runs: against the JSON Schema of the contract
format (``config/contract.schema.yaml``: structure, the closed set of operations and checks) and
for meaning (named functions exist, regexes compile on RE2, the linear-time engine that runs
them, checks name declared columns). Every message names the contract file and the place in it,
and says how to fix it; each line is capped, so a huge value in a contract cannot make a huge
message. YAML aliases are refused before any of this (``read_yaml_without_aliases``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jsonschema

from warehouse.core.errors import PipelineError
from warehouse.core.hashing import sha256_file
from warehouse.core.io import read_yaml, read_yaml_without_aliases
from warehouse.core.paths import CONTRACT_SCHEMA, contract_path
from warehouse.core.regex import SYNTAX, regex_problem
from warehouse.gold.sql import contract_problems as gold_contract_problems
from warehouse.quality.spec import named_columns
from warehouse.silver.functions import FUNCTIONS

SCHEMA_PATH = Path(CONTRACT_SCHEMA)
MAX_ERRORS = 5
MAX_LINE = 600  # characters of one problem line: values in messages are cut, never expanded
MAX_VALUE = 200  # characters of a value quoted inside a line


def _cap(text: str, limit: int = MAX_LINE) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


@cache
def _validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(read_yaml(schema_path))


def _where(error: jsonschema.ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".") or "(top level)"


def _explain(error: jsonschema.ValidationError) -> str:
    message = error.message
    if error.validator == "type" and isinstance(error.instance, bool):
        message += " (YAML reads unquoted yes/no/on/off/true/false as booleans: quote the value)"
    if error.validator == "additionalProperties":
        message += " (check the spelling, or see the contract format in docs/adr/0005)"
    return message


def validate_contract(contract: object, path: Path, schema_path: Path = SCHEMA_PATH) -> dict:
    """Return the contract if it is valid; else raise one PipelineError listing the problems."""
    errors = sorted(
        _validator(schema_path).iter_errors(contract),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    # Report the most specific problems: an error inside an `allOf/then` branch is clearer
    # than the generic one on its parent.
    errors = [e for e in errors if e.validator not in ("allOf", "if", "oneOf")] or errors
    if errors:
        lines = [f"  - {_cap(f'{_where(e)}: {_explain(e)}')}" for e in errors[:MAX_ERRORS]]
        more = f"\n  ... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise PipelineError(
            f"Contract {path} is not valid:\n" + "\n".join(lines) + more + "\n"
            f"Fix the contract (format: {schema_path}, explained in "
            "docs/adr/0005-contract-format.md)."
        )
    _check_meaning(contract, path)
    return contract


def _check_meaning(contract: dict, path: Path) -> None:
    problems = []
    if contract["table"] != path.stem:
        problems.append(f"table is '{contract['table']}' but the file is named {path.name}")
    if contract["layer"] == "silver" and "source" not in contract:
        problems.append("a silver contract needs `source: {source: <name>, file: <file.csv>}`")
    if contract["layer"] == "gold":
        problems += gold_contract_problems(contract)
    declared = [c["name"] for c in contract["columns"]]
    if len(set(declared)) != len(declared):
        dupes = sorted({c for c in declared if declared.count(c) > 1})
        problems.append(f"columns are declared twice: {', '.join(dupes)}")
    for column in contract.get("key", []):
        if column not in declared:
            problems.append(f"key column '{column}' is not among the declared columns")
    for i, step in enumerate(contract.get("steps", [])):
        if step["op"] == "function" and step["name"] not in FUNCTIONS:
            problems.append(
                f"steps[{i}]: unknown function '{step['name']}' "
                f"(known: {', '.join(sorted(FUNCTIONS))})"
            )
        if "pattern" in step:
            problems += _regex_problem(f"steps[{i}].pattern", step["pattern"])
    for i, check in enumerate(contract.get("checks", [])):
        for column in named_columns(check):
            if column not in declared:
                problems.append(
                    f"checks[{i}] ({check['check']}) names column '{column}', which is not "
                    f"declared (columns: {', '.join(declared)})"
                )
        if "pattern" in check:
            problems += _regex_problem(f"checks[{i}].pattern", check["pattern"])
    if problems:
        raise PipelineError(
            f"Contract {path} is not valid:\n"
            + "\n".join(f"  - {_cap(p)}" for p in problems)
            + "\nFix the contract."
        )


def load_run_contract(path: str | None, layer: str, table: str, manifest: dict) -> dict | None:
    """The contract of ``table`` as recorded for the run, or None when it had none.

    The file must be the one the run was made with (its SHA-256 is in the run's manifest), so
    an old run is never completed with rules that changed since it was minted.
    """
    recorded = manifest.get("config_files", {})
    expected = contract_path(layer, table).as_posix()
    if path is None:
        if expected in recorded:
            raise PipelineError(
                f"{table}: the run was made with {expected}, which no longer exists. Restore "
                "it, or run without run_id to make a new run."
            )
        return None
    # Keyed by its place in the project: a job on storage reads a copy (.snakemake/storage/...).
    if recorded.get(expected) != sha256_file(Path(path)):
        raise PipelineError(
            f"{table}: contract {path} is not the one run {manifest['run_id']} was made with "
            "(it was added or edited since). A run is an immutable snapshot: run without "
            "run_id to make a new run with the current contract, or restore the old one."
        )
    return load_contract(Path(path))


def _regex_problem(where: str, pattern: str) -> list[str]:
    problem = regex_problem(pattern)
    if problem is None:
        return []
    return [
        f"{where}: invalid regular expression {_cap(repr(pattern), MAX_VALUE)} ({problem}). "
        "Patterns run on RE2, which never backtracks: it has no lookarounds or backreferences "
        f"(syntax: {SYNTAX})"
    ]


def load_contract(path: Path, schema_path: Path = SCHEMA_PATH) -> dict:
    """Read and validate one contract file (YAML aliases are refused, see the module)."""
    try:
        contract = read_yaml_without_aliases(path)
    except Exception as exc:  # a YAML syntax error or an alias, reported with its line
        raise PipelineError(f"Contract {path} is not readable YAML: {_cap(str(exc))}") from None
    return validate_contract(contract, Path(path), schema_path)
