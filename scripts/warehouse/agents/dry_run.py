"""A contract tried on a run's Bronze rows without writing anything: does a draft work?

:func:`dry_run` cleans the rows by a contract and says what a person needs to judge it (row
flow, quarantine by rule, failed checks); :func:`check_draft` adds the contract validator's
verdict and lists the problems that make a draft unusable. The model drafter checks every
answer with it, and ``tools/promote_contract.py`` dry-runs a draft before promoting it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa

from warehouse.contracts.validation import validate_contract
from warehouse.core.duck import session
from warehouse.core.errors import PipelineError
from warehouse.quality.results import failed
from warehouse.silver.cleaner import clean_table
from warehouse.silver.context import SOURCE_ROW, Context
from warehouse.silver.reader import MALFORMED_SCHEMA, Loaded

# The schema of this copy of the project (drafting also runs outside the project folder, in tests).
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "config" / "contract.schema.yaml"


def dry_run(
    contract: dict,
    rows: pd.DataFrame,
    malformed: pd.DataFrame,
    ingestion_date: dt.date,
) -> dict:
    """Clean the Bronze rows by ``contract`` without writing anything; what a person needs to
    judge it: row flow, quarantine by rule, failed checks. Raises PipelineError/ValueError."""
    ctx = Context(table=contract["table"], ingestion_date=ingestion_date)
    columns = [c for c in rows.columns if c != SOURCE_ROW]
    text = {c: pa.array(rows[c], type=pa.large_string(), from_pandas=True) for c in columns}
    text[SOURCE_ROW] = pa.array(rows[SOURCE_ROW], type=pa.int64())
    with session(label="dry-run") as con:
        con.register("rows_arrow", pa.table(text))
        con.execute("CREATE TABLE bronze AS SELECT * FROM rows_arrow")
        loaded = Loaded(
            relation="bronze",
            columns=columns,
            rows=len(rows),
            malformed=pa.Table.from_pandas(
                malformed, schema=MALFORMED_SCHEMA, preserve_index=False
            ),
            lines_read=len(rows) + len(malformed),
            by_lines=False,
        )
        result = clean_table(con, loaded, contract, ctx)
    return {
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_quarantined": result.rows_quarantined,
        "quarantine_by_rule": result.quarantine_by_rule,
        "failed_checks": [
            {"id": c["id"], "severity": c["severity"], "failing_rows": c["failing_rows"]}
            for c in failed(result.checks, "error") + failed(result.checks, "warn")
        ],
        "warnings": result.warnings,
    }


def check_draft(
    contract: object,
    table: str,
    rows: pd.DataFrame,
    malformed: pd.DataFrame,
    ingestion_date: dt.date,
) -> tuple[list[str], dict]:
    """(problems, dry run): the contract validator's verdict, then a dry run on the rows.

    Problems are what would make the draft unusable: an invalid contract, a step or check that
    fails on this data, error-level checks that fail (they would close the quality gate) or
    steps that quarantine every row.
    """
    try:
        validate_contract(contract, Path(f"{table}.yaml"), SCHEMA_PATH)
    except PipelineError as exc:
        return [line.strip(" -") for line in str(exc).splitlines()[1:-1]] or [str(exc)], {}
    try:
        result = dry_run(contract, rows, malformed, ingestion_date)
    except Exception as exc:  # noqa: BLE001 - whatever breaks, the draft is not usable
        return [f"applying the contract to the table fails: {type(exc).__name__}: {exc}"], {}
    problems = [
        f"check {c['id']} has severity error but fails on {c['failing_rows']} rows of this "
        "data: make it warn or fix the steps"
        for c in result["failed_checks"]
        if c["severity"] == "error"
    ]
    if result["rows_in"] and not result["rows_out"]:
        problems.append("the steps quarantine every row")
    return problems, result
