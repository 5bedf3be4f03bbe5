"""Silver: one cleaned, typed table per Bronze table, every rejected row quarantined with why.

The flow for one table, all in one DuckDB connection: the Bronze CSV is loaded as text
(``warehouse.silver.reader``: malformed lines become quarantine rows, not errors), empty lines
are rejected, the contract's required columns checked, its steps run
(``warehouse.silver.engine``), the columns conformed to the declared names, order and types,
the checks run (``warehouse.quality``) and every row accounted for. A table without a contract
gets generic cleaning (trim, empty to missing, type inference) and a warning.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from warehouse.core.duck import SQL_TYPES
from warehouse.core.duck import sql_name as q
from warehouse.core.duck import sql_string as lit
from warehouse.core.errors import PipelineError
from warehouse.quality.sql_checks import run_checks_sql
from warehouse.silver.context import RULE_ID, SOURCE_ROW, Context
from warehouse.silver.engine import REJECTED, Cleaning
from warehouse.silver.operations import Compiled, cast_expression, typed
from warehouse.silver.reader import RAW_LINE

QUARANTINE_SAMPLE = 10
MALFORMED = "__malformed"  # relation of the malformed lines: _source_row, _raw_line, _reason
QUARANTINE = "__quarantine"
CONTRACT_TYPES = {"BIGINT": "int", "DOUBLE": "float", "VARCHAR": "string", "BOOLEAN": "bool"}
CONTRACT_TYPES["DATE"] = "date"


@dataclass
class SilverResult:
    """A cleaned table (a relation in the connection), its quarantine and what happened."""

    relation: str
    quarantine: str
    rows_in: int
    rows_out: int
    rows_quarantined: int
    steps: list[dict]
    checks: list[dict]
    schema_in: list[dict]
    schema_out: list[dict]
    quarantine_by_rule: dict[str, int]
    quarantine_sample: list[dict]
    warnings: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def clean_table(
    con,
    loaded,
    contract: dict | None,
    ctx: Context,
    bronze_path: str = "",
    bronze_lines: int | None = None,
) -> SilverResult:
    """Clean the table ``loaded`` (``reader.load_bronze``'s result: a relation of text columns
    with ``_source_row``, and the malformed lines) by its contract, or generically without one,
    and account for every row.

    ``bronze_lines`` is the number of data lines Bronze counted in the file; when given, the
    lines the reader's records came from are held against it, and a difference is a failed
    error-level check (``lines_match_bronze``) that closes the quality gate.
    """
    started = time.perf_counter()
    columns = list(loaded.columns)
    schema_in = [{"name": c, "type": "string"} for c in columns]
    con.register(MALFORMED, loaded.malformed)
    rows_in = loaded.rows + loaded.malformed.num_rows
    cleaning = Cleaning(con, ctx, loaded.relation, dict.fromkeys(columns, "VARCHAR"))
    warnings: list[str] = []
    ctx.rule_id = "empty_line"
    cleaning.add(_empty_lines(columns))
    if contract is None:
        steps = generic_clean(cleaning)
        warnings.append(
            f"{ctx.table} has no contract: generic cleaning was applied (trim, empty to "
            f"missing, inferred types). Write config/contracts/silver/{ctx.table}.yaml to "
            "declare its columns, cleaning and checks (README: 'Adding a source table')."
        )
        checks: list[dict] = []
        key = None
    else:
        _require_columns(columns, contract, ctx, bronze_path)
        extra = [c for c in columns if c not in source_columns(contract)]
        if extra:
            warnings.append(
                f"{ctx.table}: column(s) {', '.join(extra)} in the export are not in the "
                "contract and are not carried into Silver. Add them to the contract to keep "
                "them."
            )
        steps = cleaning.apply_steps(contract.get("steps", []))
        rejected = conform(cleaning, contract["columns"])
        if rejected:
            steps.append(
                {
                    "id": "conform_types",
                    "op": "conform",
                    "columns": [],
                    "changed": 0,
                    "rejected": rejected,
                }
            )
        checks, key = contract.get("checks", []), contract.get("key")
    cleaned_at = time.perf_counter()
    rows_out = cleaning.count()
    results = (
        run_checks_sql(
            con, cleaning.relation, checks, table=ctx.table, key=key, order_by=SOURCE_ROW
        )
        if checks
        else []
    )
    if bronze_lines is not None:
        results += lines_check(loaded, bronze_lines, ctx.table, rows_out)
    quarantined = build_quarantine(con, loaded.relation, columns)
    if rows_out + quarantined != rows_in:
        raise PipelineError(
            f"{ctx.table}: rows do not balance ({rows_in} in, {rows_out} out, "
            f"{quarantined} quarantined). This is a bug in a cleaning step; please report "
            "it with the contract."
        )
    return SilverResult(
        relation=cleaning.relation,
        quarantine=QUARANTINE,
        rows_in=rows_in,
        rows_out=rows_out,
        rows_quarantined=quarantined,
        steps=steps,
        checks=results,
        schema_in=schema_in,
        schema_out=[
            {"name": c, "type": CONTRACT_TYPES[t]}
            for c, t in [*cleaning.types.items(), (SOURCE_ROW, "BIGINT")]
        ],
        quarantine_by_rule=quarantine_by_rule(con),
        quarantine_sample=quarantine_sample(con),
        warnings=warnings,
        timings={
            "clean_seconds": round(cleaned_at - started, 4),
            "checks_seconds": round(time.perf_counter() - cleaned_at, 4),
        },
    )


def _empty_lines(columns: list[str]) -> Compiled:
    """Rows whose every value is missing or white space."""
    if not columns:
        return Compiled()
    blank = " AND ".join(f"({q(c)} IS NULL OR py_strip({q(c)}) = '')" for c in columns)
    return Compiled(reject=f"({blank})", reason=lit("the line is empty"))


def lines_check(loaded, bronze_lines: int, table: str, rows_out: int) -> list[dict]:
    """A failed error-level check result when the records read do not account for the data
    lines Bronze counted (none when they do): rows would be lost or invented unseen."""
    records = loaded.rows + loaded.malformed.num_rows
    # Equal counts: every record is one line. Otherwise records spanning lines explain the gap.
    read = records if records == bronze_lines else loaded.lines_read
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


def _require_columns(columns, contract, ctx, bronze_path):
    missing = [c for c in source_columns(contract) if c not in columns]
    if missing:
        raise PipelineError(
            f"{ctx.table}: required column(s) {', '.join(missing)} missing from "
            f"{bronze_path or 'the export'} (header: {', '.join(columns)}). Rule: the columns "
            f"declared in config/contracts/silver/{ctx.table}.yaml. Re-export the table with "
            "these columns, or mark a column `derived: true` / remove it from the contract."
        )


def conform(cleaning: Cleaning, columns: list[dict]) -> int:
    """Select the contract's columns in order and give each its declared type; the number of
    rows rejected on the way.

    A value that cannot take the declared type is rejected (rule ``type_<column>``), never
    silently made missing.
    """
    before = cleaning.rejected_count()
    for spec in columns:
        name, to = spec["name"], spec["type"]
        cleaning.ctx.rule_id = f"type_{name}"
        cleaning.ctx.require(cleaning.types, [name])
        current = cleaning.types[name]
        if current == SQL_TYPES[to]:
            continue
        if to == "date" and current != "VARCHAR":
            cleaning.add(
                Compiled(sets={name: f"TRY_CAST({q(name)} AS DATE)"}, types={name: "DATE"})
            )
            continue
        text = q(name) if current == "VARCHAR" else f"CAST({q(name)} AS VARCHAR)"
        if to == "string":
            cleaning.add(Compiled(sets={name: text}, types={name: "VARCHAR"}))
        else:
            cleaning.add(typed(name, text, to, "reject", []))
    cleaning.flush()
    cleaning.select([spec["name"] for spec in columns])
    return cleaning.rejected_count() - before


def infer_types(cleaning: Cleaning) -> dict[str, str]:
    """The narrowest contract type every non-missing value of each column fits: int, float,
    date or string.

    Integers beyond int64 (``99999999999999999999``) keep the column as text: as floats they
    would be rounded (an id would change), and as text they stay exactly what the export says.
    Numbers beyond float64 (``1e400``) do not fit float either, so their column stays text too.
    """
    if not cleaning.types:
        return {}
    measures = []
    for column in cleaning.types:
        value, present = f"py_strip({q(column)})", f"FILTER (WHERE {q(column)} IS NOT NULL)"
        measures += [
            f"coalesce(bool_and(as_int({value}) IS NOT NULL) {present}, false)",
            f"coalesce(bool_and(as_number({value}) IS NOT NULL) {present}, false)",
            f"coalesce(bool_or(is_int_text({value}) AND as_int({value}) IS NULL) {present}, false)",
            f"coalesce(bool_and(as_date({value}, '%Y-%m-%d') IS NOT NULL) {present}, false)",
        ]
    row = cleaning.con.execute(f"SELECT {', '.join(measures)} FROM {cleaning.relation}").fetchall()[
        0
    ]
    inferred = {}
    for n, column in enumerate(cleaning.types):
        is_int, is_float, too_big, is_date = row[4 * n : 4 * n + 4]
        if is_int:
            inferred[column] = "int"
        elif is_float:
            inferred[column] = "string" if too_big else "float"
        elif is_date:
            inferred[column] = "date"
        else:
            inferred[column] = "string"
    return inferred


def generic_clean(cleaning: Cleaning) -> list[dict]:
    """Trim every column, make empty values missing, and give each column its inferred type."""
    columns = list(cleaning.types)
    cleaning.ctx.rule_id = "generic_trim"
    trim = {
        "id": "generic_trim", "op": "trim", "columns": columns, "changed": 0, "rejected": 0
    }  # fmt: skip
    sets = {c: f"trimmed({q(c)})" for c in columns}
    cleaning.add(Compiled(sets=sets, types=dict.fromkeys(sets, "VARCHAR")), trim)
    cleaning.flush()
    types = infer_types(cleaning)
    sets = {c: cast_expression(q(c), to) for c, to in types.items() if to != "string"}
    if sets:
        cleaning.ctx.rule_id = "generic_types"
        typed = {c: SQL_TYPES[types[c]] for c in sets}
        cleaning.add(Compiled(sets=sets, types=typed))
        cleaning.flush()
    return [
        trim,
        {
            "id": "generic_types",
            "op": "infer_types",
            "columns": columns,
            "changed": 0,
            "rejected": 0,
        },
    ]


def build_quarantine(con, bronze: str, columns: list[str]) -> int:
    """The relation ``__quarantine``: rejected rows with their original text values, rule id
    and reason, and the malformed lines with their text; ordered by source row so that
    reviewers read it like the file. Returns its row count."""
    data = ", ".join(f"b.{q(c)}" for c in columns)
    nulls = ", ".join(f"CAST(NULL AS VARCHAR) AS {q(c)}" for c in columns)
    lead = f"{data}, " if columns else ""
    blank = f"{nulls}, " if columns else ""
    con.execute(
        f"CREATE TABLE {QUARANTINE} AS SELECT * FROM ("
        f"SELECT {lead}r._source_row, r._rule_id, r._reason, CAST(NULL AS VARCHAR) AS {RAW_LINE} "
        f"FROM {REJECTED} r JOIN {bronze} b USING (_source_row) "
        f"UNION ALL SELECT {blank}m._source_row, 'malformed_line' AS _rule_id, "
        f"CAST(m._reason AS VARCHAR), CAST(m.{RAW_LINE} AS VARCHAR) FROM {MALFORMED} m"
        ") ORDER BY _source_row"
    )
    return con.execute(f"SELECT count(*) FROM {QUARANTINE}").fetchall()[0][0]


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def quarantine_sample(con, n: int = QUARANTINE_SAMPLE) -> list[dict]:
    """The first ``n`` quarantined rows as plain dicts, for reports."""
    cursor = con.execute(f"SELECT * FROM {QUARANTINE} ORDER BY _source_row LIMIT {int(n)}")
    names = [d[0] for d in cursor.description]
    return [{k: _plain(v) for k, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def quarantine_by_rule(con) -> dict[str, int]:
    """How many rows each rule quarantined."""
    rows = con.execute(
        f"SELECT {RULE_ID}, count(*) FROM {QUARANTINE} GROUP BY ALL ORDER BY {RULE_ID}"
    ).fetchall()
    return {str(k): int(v) for k, v in rows}


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
        "rows_out": result.rows_out,
        "rows_quarantined": result.rows_quarantined,
        "balanced": result.rows_in == result.rows_out + result.rows_quarantined,
        "steps": result.steps,
        "quarantine_by_rule": result.quarantine_by_rule,
        "schema_in": result.schema_in,
        "schema_out": result.schema_out,
        "output": output,
        "quarantine": quarantine,
        "checks": result.checks,
        "warnings": result.warnings,
        "timings": result.timings,
        "quarantine_sample": result.quarantine_sample,
    }


def source_columns(contract: dict) -> list[str]:
    """The columns a Silver contract requires in the export (declared and not derived)."""
    return [c["name"] for c in contract["columns"] if not c.get("derived")]
