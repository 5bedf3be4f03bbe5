"""Silver: one cleaned, typed table per Bronze table, every rejected row quarantined with why.

The flow for one table: read the Bronze CSV as strings (malformed and empty lines become
quarantine rows, not errors), check the contract's required columns, apply the contract's steps
(``warehouse.silver.steps``), conform to the declared columns and types, run the checks
(``warehouse.quality.checks``) and account for every row. A table without a contract gets generic
cleaning (trim, empty to missing, type inference) and a warning.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pandas as pd

from warehouse.core.errors import PipelineError
from warehouse.core.schemas import schema_of
from warehouse.core.types import dtype_for
from warehouse.quality.checks import run_checks
from warehouse.silver.context import REASON, RULE_ID, SOURCE_ROW, Context, rejected_rows
from warehouse.silver.operations import cast_series, out_of_range
from warehouse.silver.reader import RAW_LINE, lines_read
from warehouse.silver.steps import apply_steps, conform

QUARANTINE_SAMPLE = 10


@dataclass
class SilverResult:
    """A cleaned table, its quarantine and what happened on the way."""

    table: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int
    steps: list[dict]
    checks: list[dict]
    schema_in: list[dict]
    warnings: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def clean_table(
    rows: pd.DataFrame,
    malformed: pd.DataFrame,
    contract: dict | None,
    ctx: Context,
    bronze_path: str = "",
    bronze_lines: int | None = None,
) -> SilverResult:
    """Clean one table by its contract (or generically without one) and account for every row.

    ``bronze_lines`` is the number of data lines Bronze counted in the file; when given, the
    lines the reader's records came from are held against it, and a difference is a failed
    error-level check (``lines_match_bronze``) that closes the quality gate.
    """
    started = time.perf_counter()
    schema_in = [{"name": c, "type": "string"} for c in rows.columns if c != SOURCE_ROW]
    rows_in = len(rows) + len(malformed)
    warnings: list[str] = []
    ctx.rule_id = "empty_line"
    frame = ctx.reject(rows, _all_blank(rows), "the line is empty")
    if contract is None:
        frame, steps = generic_clean(frame, ctx)
        warnings.append(
            f"{ctx.table} has no contract: generic cleaning was applied (trim, empty to "
            f"missing, inferred types). Write config/contracts/silver/{ctx.table}.yaml to "
            "declare its columns, cleaning and checks (README: 'Adding a source table')."
        )
        checks: list[dict] = []
        key = None
    else:
        _require_columns(frame, contract, ctx, bronze_path)
        extra = [c for c in frame.columns if c != SOURCE_ROW and c not in source_columns(contract)]
        if extra:
            warnings.append(
                f"{ctx.table}: column(s) {', '.join(extra)} in the export are not in the "
                "contract and are not carried into Silver. Add them to the contract to keep "
                "them."
            )
        frame, steps = apply_steps(frame, contract.get("steps", []), ctx)
        before = len(frame)
        frame = conform(frame, contract["columns"], ctx)
        if len(frame) < before:
            steps.append(
                {
                    "id": "conform_types",
                    "op": "conform",
                    "columns": [],
                    "changed": 0,
                    "rejected": before - len(frame),
                }
            )
        checks, key = contract.get("checks", []), contract.get("key")
    cleaned_at = time.perf_counter()
    frame = frame.reset_index(drop=True)
    results = run_checks(frame, checks, table=ctx.table, key=key) if checks else []
    if bronze_lines is not None:
        results += lines_check(rows, malformed, bronze_lines, ctx.table, len(frame))
    quarantine = build_quarantine(rows, malformed, rejected_rows(ctx))
    if len(frame) + len(quarantine) != rows_in:
        raise PipelineError(
            f"{ctx.table}: rows do not balance ({rows_in} in, {len(frame)} out, "
            f"{len(quarantine)} quarantined). This is a bug in a cleaning step; please report "
            "it with the contract."
        )
    return SilverResult(
        table=frame,
        quarantine=quarantine,
        rows_in=rows_in,
        steps=steps,
        checks=results,
        schema_in=schema_in,
        warnings=warnings,
        timings={
            "clean_seconds": round(cleaned_at - started, 4),
            "checks_seconds": round(time.perf_counter() - cleaned_at, 4),
        },
    )


def lines_check(
    rows: pd.DataFrame, malformed: pd.DataFrame, bronze_lines: int, table: str, rows_out: int
) -> list[dict]:
    """A failed error-level check result when the records read do not account for the data
    lines Bronze counted (none when they do): rows would be lost or invented unseen."""
    records = len(rows) + len(malformed)
    # Equal counts: every record is one line. Otherwise records spanning lines explain the gap.
    read = records if records == bronze_lines else lines_read(rows, malformed)
    if read == bronze_lines:
        return []
    return [
        {
            "id": "lines_match_bronze",
            "table": table,
            "check": "row_count",
            "columns": [],
            "severity": "error",
            "status": "fail",
            "failing_rows": abs(bronze_lines - read),
            "rows_checked": rows_out,
            "sample": [],
            "description": (
                f"the {records:,} records read come from {read:,} data lines, but Bronze "
                f"counted {bronze_lines:,}: lines were lost or split while reading the file. "
                "Check the file's quotes and line endings, and report it with the file"
            ),
            "details": {"bronze_data_lines": bronze_lines, "lines_read": read, "records": records},
        }
    ]


def _all_blank(rows: pd.DataFrame) -> pd.Series:
    data = rows.drop(columns=[SOURCE_ROW])
    if data.empty and len(data.columns) == 0:
        return pd.Series(False, index=rows.index)
    return data.apply(lambda s: s.isna() | s.str.strip().eq("")).all(axis=1)


def _require_columns(frame, contract, ctx, bronze_path):
    missing = [c for c in source_columns(contract) if c not in frame.columns]
    if missing:
        have = ", ".join(c for c in frame.columns if c != SOURCE_ROW)
        raise PipelineError(
            f"{ctx.table}: required column(s) {', '.join(missing)} missing from "
            f"{bronze_path or 'the export'} (header: {have}). Rule: the columns declared in "
            f"config/contracts/silver/{ctx.table}.yaml. Re-export the table with these "
            "columns, or mark a column `derived: true` / remove it from the contract."
        )


def infer_type(values: pd.Series) -> str:
    """The narrowest contract type every non-missing value fits: int, float, date or string.

    Integers beyond int64 (``99999999999999999999``) keep the column as text: as floats they
    would be rounded (an id would change), and as text they stay exactly what the export says.
    Numbers beyond float64 (``1e400``) do not fit float either, so their column stays text too.
    """
    present = values.dropna()
    if present.empty:
        return "string"
    for candidate in ("int", "float", "date"):
        _, bad = cast_series(present, candidate)
        if not bad.any():
            if candidate == "float" and out_of_range(present, "int").any():
                return "string"
            return candidate
    return "string"


def generic_clean(frame: pd.DataFrame, ctx: Context):
    """Trim every column, make empty values missing, and give each column its inferred type."""
    out = frame.copy()
    steps = []
    columns = [c for c in frame.columns if c != SOURCE_ROW]
    changed = 0
    for column in columns:
        stripped = out[column].str.strip()
        cleaned = stripped.mask(stripped.eq(""))
        changed += int(
            ((out[column] != cleaned) & cleaned.notna()).sum()
            + (cleaned.isna() & out[column].notna()).sum()
        )
        out[column] = cleaned
    steps.append(
        {"id": "generic_trim", "op": "trim", "columns": columns, "changed": changed, "rejected": 0}
    )
    for column in columns:
        inferred = infer_type(out[column])
        if inferred != "string":
            cast, _ = cast_series(out[column], inferred)
            out[column] = cast.astype(dtype_for(inferred))
    steps.append(
        {
            "id": "generic_types",
            "op": "infer_types",
            "columns": columns,
            "changed": 0,
            "rejected": 0,
        }
    )
    return out, steps


def build_quarantine(
    rows: pd.DataFrame, malformed: pd.DataFrame, rejected: pd.DataFrame
) -> pd.DataFrame:
    """Rejected rows with their original text values, rule id and reason; malformed lines too.

    Ordered by source row so that reviewers read it like the file.
    """
    originals = rows.merge(rejected, on=SOURCE_ROW, how="inner")
    originals[RAW_LINE] = pd.Series(pd.NA, index=originals.index, dtype="str")
    bad = malformed.assign(**{RULE_ID: "malformed_line"})
    columns = [c for c in rows.columns if c != SOURCE_ROW] + [SOURCE_ROW, RULE_ID, REASON, RAW_LINE]
    quarantine = pd.concat([originals, bad], ignore_index=True).reindex(columns=columns)
    for column in columns:
        if column != SOURCE_ROW:
            quarantine[column] = quarantine[column].astype("str")
    quarantine[SOURCE_ROW] = quarantine[SOURCE_ROW].astype("int64")
    return quarantine.sort_values(SOURCE_ROW, kind="stable").reset_index(drop=True)


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def quarantine_sample(quarantine: pd.DataFrame, n: int = QUARANTINE_SAMPLE) -> list[dict]:
    """The first ``n`` quarantined rows as plain dicts, for reports."""
    head = quarantine.head(n)
    return [{k: _plain(v) for k, v in row.items()} for row in head.to_dict(orient="records")]


def quarantine_by_rule(quarantine: pd.DataFrame) -> dict[str, int]:
    """How many rows each rule quarantined."""
    counts = quarantine[RULE_ID].value_counts(sort=False)
    return {str(k): int(v) for k, v in sorted(counts.items())}


def table_metadata(
    *,
    table: str,
    source: dict,
    contract_path: str | None,
    contract: dict | None,
    result: SilverResult,
    output: dict,
    quarantine: dict,
) -> dict:
    """The per-table metadata that the layer report and the run summary read."""
    return {
        "table": table,
        "source": source,
        "contract": contract_path,
        "grain": contract["grain"] if contract else None,
        "key": contract.get("key") if contract else None,
        "rows_in": result.rows_in,
        "rows_out": len(result.table),
        "rows_quarantined": len(result.quarantine),
        "balanced": result.rows_in == len(result.table) + len(result.quarantine),
        "steps": result.steps,
        "quarantine_by_rule": quarantine_by_rule(result.quarantine),
        "schema_in": result.schema_in,
        "schema_out": schema_of(result.table),
        "output": output,
        "quarantine": quarantine,
        "checks": result.checks,
        "warnings": result.warnings,
        "timings": result.timings,
        "quarantine_sample": quarantine_sample(result.quarantine),
    }


def source_columns(contract: dict) -> list[str]:
    """The columns a Silver contract requires in the export (declared and not derived)."""
    return [c["name"] for c in contract["columns"] if not c.get("derived")]
