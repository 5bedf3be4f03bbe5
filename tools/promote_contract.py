"""Promote a draft contract into config/contracts/silver/: the deliberate human step.

    python tools/promote_contract.py artifacts/drafts/<run_id>/contracts/<table>.yaml [--replace]

Run it from the project folder. The draft is validated exactly like the pipeline validates a
contract (``warehouse.contracts.validate_contract``) and dry-run on the run's Bronze copy of the
table; only then is it written to ``config/contracts/silver/<table>.yaml`` with a provenance
header (a YAML comment block, so the contract format does not change): the draft's SHA-256, who
drafted it (a model or the heuristics) and the date. An existing contract is only overwritten
with ``--replace``. Nothing is ever promoted automatically; a promoted contract changes the
config fingerprint, so the next ``snakemake all`` makes a new run that applies it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from pathlib import Path

# The warehouse package is never installed: a tool imports the working copy's scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from warehouse.agents.dry_run import dry_run  # noqa: E402
from warehouse.contracts.validation import (  # noqa: E402
    SCHEMA_PATH,  # noqa: E402
    load_contract,
    validate_contract,
)
from warehouse.core import paths  # noqa: E402
from warehouse.core.errors import PipelineError  # noqa: E402
from warehouse.core.io import read_yaml, write_text  # noqa: E402
from warehouse.core.paths import contract_path  # noqa: E402
from warehouse.run.ids import RUN_ID_PATTERN, ingestion_date  # noqa: E402
from warehouse.run.sources import FILE_PATTERN, SOURCE_PATTERN, TABLE_PATTERN, table_name  # noqa: E402
from warehouse.silver.reader import read_bronze_csv  # noqa: E402

DRAFT_PATH = re.compile(
    "^"
    + re.escape(paths.DRAFT_CONTRACT)
    .replace(re.escape("{run_id}"), f"(?P<run_id>{RUN_ID_PATTERN})")
    .replace(re.escape("{table}"), f"(?P<table>{TABLE_PATTERN})")
    + "$"
)
DRAFTED_BY = re.compile(r"^# drafted_by: (\S+)\s*$", re.M)


def parse_draft_path(path: str | Path) -> tuple[str, str]:
    """(run id, table) of a draft path, relative to the project folder (the working directory)."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        relative = str(path)
    match = DRAFT_PATH.match(relative)
    if not match:
        raise PipelineError(
            f"{path} is not a draft contract: drafts are "
            f"{paths.DRAFT_CONTRACT.format(run_id='<run_id>', table='<table>')} inside the project "
            "folder (run this command from there). Make one with: snakemake drafts"
        )
    return match["run_id"], match["table"]


def drafted_by(text: str) -> str:
    """Who drafted it, from the draft's header (``model:<name>`` or ``heuristic``)."""
    match = DRAFTED_BY.search(text)
    return match.group(1) if match else "unknown (no drafted_by line in the draft)"


def contract_body(text: str) -> str:
    """The draft without its leading comment block (replaced by the provenance header)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:])


def provenance_header(draft_path: str, data: bytes, today: dt.date) -> str:
    """The comment block a promoted contract starts with (``data``: the draft's bytes)."""
    digest = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8", errors="replace")
    return (
        f"# Provenance: promoted on {today.isoformat()} by tools/promote_contract.py from\n"
        f"#   {draft_path}\n"
        f"# draft_sha256: {digest}\n"
        f"# drafted_by: {drafted_by(text)}\n"
        "# Edit freely: this header only records where the contract came from.\n"
    )


def _check_source(contract: dict, table: str, draft: str) -> None:
    source, file = contract["source"]["source"], contract["source"]["file"]
    if not (re.fullmatch(SOURCE_PATTERN, source) and re.fullmatch(FILE_PATTERN, file)):
        raise PipelineError(
            f"{draft}: source {source!r}, file {file!r} cannot name a raw file (see "
            "raw/source_<name>/<file>.csv). Fix the draft's source."
        )
    if table_name(source, file) != table:
        raise PipelineError(
            f"{draft}: its source {source}/{file} is table {table_name(source, file)}, not "
            f"{table}. A contract must read its own table's file: fix the draft's source."
        )


def dry_run_report(contract: dict, run_id: str, draft: str) -> list[str]:
    """Apply the contract to the run's Bronze copy of the table; lines saying what happened.

    Raises PipelineError when the contract cannot be applied (a step fails on the data).
    """
    source, file = contract["source"]["source"], contract["source"]["file"]
    data = Path(paths.BRONZE_DATA.format(run_id=run_id, source=source, file=file))
    meta_path = Path(paths.BRONZE_FILE_META.format(run_id=run_id, source=source, file=file))
    if not (data.is_file() and meta_path.is_file()):
        return [f"Dry run skipped: {data} is gone (the run's artifacts were removed)."]
    meta = read_yaml(meta_path)
    rows, malformed = read_bronze_csv(data, meta["encoding"], meta["delimiter"])
    try:
        result = dry_run(contract, rows, malformed, ingestion_date(run_id))
    except (PipelineError, ValueError) as exc:
        raise PipelineError(
            f"{draft} cannot be applied to {data}: {exc}\nFix the draft, then promote it again."
        ) from None
    by_rule = ", ".join(f"{k}: {v:,}" for k, v in result["quarantine_by_rule"].items())
    lines = [
        f"Dry run on {data}: {result['rows_in']:,} rows in, {result['rows_out']:,} out, "
        f"{result['rows_quarantined']:,} quarantined" + (f" ({by_rule})." if by_rule else ".")
    ]
    for check in result["failed_checks"]:
        lines.append(
            f"  check {check['id']} ({check['severity']}) fails on {check['failing_rows']:,} rows"
        )
    if any(c["severity"] == "error" for c in result["failed_checks"]):
        lines.append(
            "Warning: error-level checks fail on this data, so the next run's Silver quality "
            "gate will close. Make them warn, fix the steps, or fix the export."
        )
    return lines


def promote(draft: str, *, replace: bool = False, today: dt.date | None = None) -> list[str]:
    """Validate, dry-run and copy ``draft`` into config/contracts/silver/; returns the lines to
    print. Raises PipelineError (nothing written) when the draft cannot be promoted."""
    if not SCHEMA_PATH.is_file():
        raise PipelineError(f"{SCHEMA_PATH} not found: run this command from the project folder.")
    run_id, table = parse_draft_path(draft)
    path = Path(draft)
    if not path.is_file():
        raise PipelineError(f"{draft} does not exist. Make it with: snakemake {draft}")
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    target = contract_path("silver", table)
    try:
        contract = read_yaml(path)
    except Exception as exc:  # a YAML syntax error, reported with its line
        raise PipelineError(f"{draft} is not readable YAML: {exc}") from None
    # Exactly the pipeline's validation, under the name the contract will have.
    validate_contract(contract, target)
    _check_source(contract, table, draft)
    lines = dry_run_report(contract, run_id, draft)
    if target.exists() and not replace:
        raise PipelineError(
            f"{target} already exists; nothing was written. Compare it with the draft, then pass "
            "--replace to overwrite it (the current version stays in git history)."
        )
    replaced = target.exists()
    header = provenance_header(draft, data, today or dt.datetime.now(dt.UTC).date())
    write_text(target, header + contract_body(text))
    load_contract(target)  # the written file must load like any contract
    lines += [
        f"{'Replaced' if replaced else 'Promoted'} {target} (drafted by {drafted_by(text)}).",
        "Next:",
        f"  1. review it and commit it: git add {target}",
        "  2. snakemake all   (the new contract changes the config fingerprint: a new run "
        "applies it)",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 with the reasons when the draft is refused."""
    parser = argparse.ArgumentParser(
        description="Validate a draft contract and copy it into config/contracts/silver/."
    )
    parser.add_argument("draft", help="artifacts/drafts/<run_id>/contracts/<table>.yaml")
    parser.add_argument(
        "--replace", action="store_true", help="overwrite an existing contract of the table"
    )
    args = parser.parse_args(argv)
    try:
        lines = promote(args.draft, replace=args.replace)
    except PipelineError as exc:
        print(f"Not promoted: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
