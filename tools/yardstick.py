"""The yardstick: the pipeline's Silver and Gold work as plain DuckDB SQL, in one process.

What a user who writes SQL would do by hand instead of running the pipeline: read the six raw
CSVs (every value as text; lines with the wrong number of fields set aside with their line
numbers), clean each into its Silver table and quarantine by the rules of its contract
(``tools/yardstick/silver/*.sql``, written by hand from ``config/contracts/silver/*.yaml`` and
the named functions), run every contract check as a query counting its failing rows
(``tools/yardstick/checks/``; an error-level failure stops before Gold, like the quality gate),
build the seven Gold marts (the project's own SQL models, ``config/contracts/gold/*.sql``: the
same SELECTs a user would write), check them, and write every table as zstd Parquet. One
in-memory DuckDB database on all cores, spilling to ``--out`` beyond its memory limit. Python
only reads the header line of each CSV and runs the SQL files in order.

Not done (the pipeline does it, the yardstick does not): Bronze copies and checksums, per-step
change counts, failing-row samples, metadata, reports, lineage. ``--check WORKSPACE`` compares
the yardstick's tables with a pipeline run in that workspace (rows, columns, content, checks).
Known differences on inputs the generated exports never hold: DuckDB's reader skips a line
with no characters at all (the pipeline quarantines it as an empty line and counts it in
``_source_row``), records spanning lines (quoted line breaks) and exports not in UTF-8.

    python tools/yardstick.py --out /tmp/yardstick                    # this repository's raw/
    python tools/yardstick.py --project /tmp/ws --out /tmp/ws/yardstick --check /tmp/ws
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import graphlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb
import yaml

# The warehouse package is never installed: a tool imports the working copy's scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from warehouse.contracts.files import declared_inputs  # noqa: E402
from warehouse.core import paths  # noqa: E402
from warehouse.run.ids import ingestion_date  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SQL_DIR = Path(__file__).with_name("yardstick")
LAYERS = ("silver", "quarantine", "gold")  # output folders under --out


def literal(value) -> str:
    """A SQL literal: text quoted, numbers as they are."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_contracts(project: Path, layer: str) -> dict[str, dict]:
    """The contracts of ``layer`` in ``project``, by table name."""
    found = paths.find(paths.CONTRACT, project, layer=layer)
    return {fields["table"]: yaml.safe_load(path.read_text()) for fields, path in found}


def gold_order(project: Path) -> list[str]:
    """The marts of ``project`` in an order where every mart comes after the marts it reads."""
    graph = {
        fields["table"]: declared_inputs(path).get("gold", [])
        for fields, path in paths.find(paths.CONTRACT, project, layer="gold")
    }
    return list(graphlib.TopologicalSorter(graph).static_order())


def read_header(path: Path) -> list[str]:
    """The column names of a CSV as the pipeline reads them: trimmed, lower case, no BOM."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    return [name.strip().lstrip("\ufeff").strip().lower() for name in next(csv.reader([first]))]


def connect(spill: Path, threads: int, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """An in-memory database that spills to ``spill`` beyond its memory limit, with the macros."""
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET temp_directory = {literal(str(spill))}")
    if memory_limit:
        con.execute(f"SET memory_limit = {literal(memory_limit)}")
    con.execute((SQL_DIR / "macros.sql").read_text())
    return con


def read_raw(con, table: str, csv_path: Path) -> list[str]:
    """Read one export into ``lines_<table>`` (every record with its ``_source_row``),
    ``malformed_<table>`` (lines with the wrong number of fields), ``raw_<table>`` (the records
    that are not empty) and ``rejected_<table>`` (so far: the empty lines). Returns the header.
    """
    header = read_header(csv_path)
    columns = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
    con.execute(f"""
        CREATE OR REPLACE TABLE read_{table} AS
        SELECT * FROM read_csv({literal(str(csv_path))}, header = true, columns = {columns},
            delim = ',', quote = '"', escape = '"', auto_detect = false,
            store_rejects = true, rejects_table = 'rejects_{table}',
            rejects_scan = 'scans_{table}')""")
    con.execute(f"""
        CREATE OR REPLACE TABLE malformed_{table} AS
        SELECT CAST(line - 1 AS BIGINT) AS _source_row, raw AS _raw_line,
            CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                THEN 'line has ' || len(string_split(raw, ',')) || ' fields, the header has '
                    || {len(header)}
                ELSE error_message END AS _reason
        FROM (SELECT line, any_value(regexp_replace(csv_line, '^[\\r\\n]+', '')) AS raw,
                any_value(error_type) AS error_type, any_value(error_message) AS error_message
            FROM rejects_{table} GROUP BY line)""")
    # Record n's source row is n plus the malformed lines before it (DuckDB numbers lines).
    numbered = f"SELECT CAST(rowid + 1 AS BIGINT) AS _source_row, * FROM read_{table}"
    if con.execute(f"SELECT count(*) FROM malformed_{table}").fetchone()[0]:
        numbered = f"""
            WITH bad AS (
                SELECT _source_row - row_number() OVER (ORDER BY _source_row) AS k,
                    row_number() OVER (ORDER BY _source_row) AS j
                FROM malformed_{table}),
            gaps AS (SELECT k, max(j) AS j FROM bad GROUP BY k),
            records AS ({numbered})
            SELECT CAST(r._source_row + coalesce(g.j, 0) AS BIGINT) AS _source_row,
                r.* EXCLUDE (_source_row)
            FROM records AS r ASOF LEFT JOIN gaps AS g ON r._source_row > g.k"""
    con.execute(f"CREATE OR REPLACE VIEW lines_{table} AS {numbered}")
    blank = " AND ".join(f"strip({ident(c)}) IS NULL" for c in header)
    kept = " OR ".join(f"strip({ident(c)}) IS NOT NULL" for c in header)
    con.execute(f"CREATE OR REPLACE VIEW raw_{table} AS FROM lines_{table} WHERE {kept}")
    con.execute(f"""
        CREATE OR REPLACE TABLE rejected_{table} AS
        SELECT _source_row, 'empty_line' AS _rule_id, 'the line is empty' AS _reason
        FROM lines_{table} WHERE {blank}""")
    return header


def write_quarantine(con, table: str, header: list[str], path: Path) -> None:
    """Rejected rows with their original text, rule and reason, and the malformed lines."""
    original = ", ".join(f"l.{ident(c)}" for c in header)
    missing = ", ".join(f"NULL::VARCHAR AS {ident(c)}" for c in header)
    con.execute(f"""
        COPY (
            SELECT {original}, q._source_row, q._rule_id, q._reason, NULL::VARCHAR AS _raw_line
            FROM rejected_{table} AS q JOIN lines_{table} AS l USING (_source_row)
            UNION ALL
            SELECT {missing}, _source_row, 'malformed_line', _reason, _raw_line
            FROM malformed_{table}
            ORDER BY _source_row
        ) TO {literal(str(path))} (FORMAT parquet, COMPRESSION zstd)""")


def write_table(con, table: str, path: Path) -> None:
    con.execute(f"COPY {table} TO {literal(str(path))} (FORMAT parquet, COMPRESSION zstd)")


def run_checks(con, layer: str) -> list[dict]:
    """Run ``checks/<layer>.sql``: every check of the layer's contracts, with its failing rows."""
    con.execute((SQL_DIR / "checks" / f"{layer}.sql").read_text())
    found = con.execute(f"SELECT table_name, check_name, failing_rows FROM checks_{layer}")
    return [
        {
            "table": t,
            "id": name.split(" ", 1)[1],
            "severity": name.split(" ", 1)[0],
            "failing_rows": n,
        }
        for t, name, n in found.fetchall()
    ]


def gate(results: list[dict], layer: str) -> None:
    """Stop, like the pipeline's quality gate, when an error-level check has failing rows."""
    failed = [r for r in results if r["severity"] == "error" and r["failing_rows"]]
    if failed:
        lines = "\n".join(f"  {r['table']}.{r['id']}: {r['failing_rows']:,} rows" for r in failed)
        raise SystemExit(f"yardstick: the {layer} quality gate is closed:\n{lines}")


def _run(con, project: Path, out: Path, run_date: dt.date, lap) -> tuple:
    """The build's steps in order (see build); returns (rows per table, check results)."""
    con.execute(f"SET VARIABLE ingestion_date = DATE {literal(run_date.isoformat())}")
    rows = {}
    for table, contract in load_contracts(project, "silver").items():
        raw = paths.at(paths.RAW_FILE, project, raw_dir="raw", **contract["source"])
        header = read_raw(con, table, raw)
        con.execute((SQL_DIR / "silver" / f"{table}.sql").read_text())
        write_table(con, table, out / "silver" / f"{table}.parquet")
        write_quarantine(con, table, header, out / "quarantine" / f"{table}.parquet")
        rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        # The raw text is no longer needed: free its memory before the next table.
        con.execute(f"DROP VIEW raw_{table}; DROP VIEW lines_{table}; DROP TABLE read_{table}")
    lap("silver_s")
    checks = run_checks(con, "silver")
    lap("silver_checks_s")
    gate(checks, "Silver")
    for mart in gold_order(project):
        model = (project / paths.contract_path("gold", mart)).with_suffix(".sql")
        con.execute(f"CREATE OR REPLACE TABLE {mart} AS " + model.read_text())
        write_table(con, mart, out / "gold" / f"{mart}.parquet")
        rows[mart] = con.execute(f"SELECT count(*) FROM {mart}").fetchone()[0]
    lap("gold_s")
    checks += run_checks(con, "gold")
    lap("gold_checks_s")
    gate(checks, "Gold")
    return rows, checks


def build(
    project: Path,
    out: Path,
    *,
    run_date: dt.date,
    threads: int,
    memory_limit: str | None = None,
) -> dict:
    """Silver, its checks, Gold, its checks and the Parquet files, for the raw files of
    ``project`` by its contracts, into ``out``; returns rows, checks and seconds per phase."""
    for layer in LAYERS:
        (out / layer).mkdir(parents=True, exist_ok=True)
    work = out / ".spill"  # DuckDB's spill files; removed at the end
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    con = connect(work, threads, memory_limit)
    try:
        rows, checks = _run(con, project, out, run_date, lap)
    finally:  # also when a gate stops the build
        con.close()
        shutil.rmtree(work)
    timings["total_s"] = round(sum(timings.values()), 3)
    summary = {"ingestion_date": str(run_date), "threads": threads, "rows": rows}
    summary |= {"checks": checks, "timings": timings}
    (out / "yardstick.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


# --- Comparing with a pipeline run ----------------------------------------------------------------


def complete_runs(workspace: Path) -> list[str]:
    """The ids of the complete runs in ``workspace``, oldest first."""
    return [fields["run_id"] for fields, _ in paths.find(paths.RUN_STATUS, workspace)]


def _columns(con, path: Path) -> list[tuple[str, str]]:
    return [
        (r[0], r[1])
        for r in con.execute(f"DESCRIBE FROM read_parquet({literal(str(path))})").fetchall()
    ]


def _differing(con, ours: str, theirs: str) -> int:
    return sum(
        con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
        for a, b in ((ours, theirs), (theirs, ours))
    )


def compare_table(con, ours: Path, theirs: Path) -> dict:
    """Rows, columns (names, order, types) and content of two Parquet files."""
    result = {"rows_pipeline": None, "rows_yardstick": None, "columns": "-", "content": "missing"}
    if not theirs.is_file() or not ours.is_file():
        return result | {"content": f"missing: {theirs if not theirs.is_file() else ours}"}
    count = "SELECT count(*) FROM read_parquet({})"
    result["rows_pipeline"] = con.execute(count.format(literal(str(theirs)))).fetchone()[0]
    result["rows_yardstick"] = con.execute(count.format(literal(str(ours)))).fetchone()[0]
    columns = _columns(con, ours)
    if columns != _columns(con, theirs):
        return result | {"columns": f"differ: {columns} vs {_columns(con, theirs)}", "content": "-"}
    a, b = (f"FROM read_parquet({literal(str(p))})" for p in (ours, theirs))
    differing = _differing(con, a, b)
    content = "exact" if differing == 0 else f"{differing:,} rows differ"
    doubles = [name for name, kind in columns if kind == "DOUBLE"]
    if differing and doubles:
        rounded = ", ".join(
            f"round({ident(n)}, 6) AS {ident(n)}" if n in doubles else ident(n) for n, _ in columns
        )
        if _differing(con, f"SELECT {rounded} {a}", f"SELECT {rounded} {b}") == 0:
            content = "equal to 6 decimals (float sums in another order)"
    return result | {"columns": "same", "content": content}


def compare(out: Path, workspace: Path, run_id: str) -> dict:
    """Every Silver table, quarantine and Gold mart of the yardstick against run ``run_id`` of
    the pipeline in ``workspace``, and the failing rows of every check."""
    templates = {
        "silver": paths.SILVER_DATA,
        "quarantine": paths.SILVER_QUARANTINE,
        "gold": paths.GOLD_DATA,
    }
    con = duckdb.connect()
    tables = []
    for layer in LAYERS:
        for ours in sorted((out / layer).glob("*.parquet")):
            theirs = paths.at(
                templates[layer], workspace, run_id=run_id, table=ours.stem, mart=ours.stem
            )
            tables.append({"layer": layer, "table": ours.stem} | compare_table(con, ours, theirs))
    con.close()
    recorded = {}
    for template in (paths.SILVER_CHECKS, paths.GOLD_CHECKS):
        for r in json.loads(paths.at(template, workspace, run_id=run_id).read_text())["results"]:
            recorded[(r["table"], r["id"])] = r["failing_rows"]
    ours = json.loads((out / "yardstick.json").read_text())["checks"]
    checks = [
        {
            "table": c["table"],
            "id": c["id"],
            "pipeline": recorded.get((c["table"], c["id"])),
            "yardstick": c["failing_rows"],
        }
        for c in ours
    ]
    differ = [c for c in checks if c["pipeline"] != c["yardstick"]]
    exact = all(t["content"] == "exact" for t in tables) and not differ
    close = all(t["content"] == "exact" or t["content"].startswith("equal") for t in tables)
    return {
        "run_id": run_id,
        "verdict": "exact"
        if exact
        else "equal within float rounding"
        if close and not differ
        else "differs",
        "tables": tables,
        "checks_compared": len(checks),
        "checks_differing": differ,
    }


def print_comparison(report: dict) -> None:
    print(f"compared with pipeline run {report['run_id']}: {report['verdict']}")
    for t in report["tables"]:
        rows = f"{t['rows_pipeline']} / {t['rows_yardstick']}"
        print(
            f"  {t['layer']:<10} {t['table']:<22} rows {rows:<17} columns {t['columns']:<5}"
            f" content {t['content']}"
        )
    same = report["checks_compared"] - len(report["checks_differing"])
    print(f"  checks: {same} of {report['checks_compared']} give the same failing rows")
    for c in report["checks_differing"]:
        print(f"    {c['table']}.{c['id']}: pipeline {c['pipeline']}, yardstick {c['yardstick']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--project", type=Path, default=REPO, help="the folder with raw/ and config/contracts/")
    add("--out", type=Path, required=True, help="the folder the Parquet files are written to")
    add("--threads", type=int, default=os.cpu_count() or 1, help="default: all cores")
    add("--memory-limit", help="DuckDB's memory_limit, e.g. 3GB (default: 80%% of the RAM)")
    add(
        "--ingestion-date",
        type=dt.date.fromisoformat,
        help="default: the checked run's, else today (UTC)",
    )
    add("--check", type=Path, metavar="WORKSPACE", help="compare with a pipeline run there")
    add("--run-id", help="the run --check compares with (default: the newest complete run)")
    args = parser.parse_args(argv)
    run_id = None
    if args.check:
        runs = complete_runs(args.check)
        run_id = args.run_id or (runs[-1] if runs else None)
        if run_id is None:
            raise SystemExit(f"yardstick: no complete pipeline run under {args.check}/artifacts")
    today = dt.datetime.now(dt.UTC).date()
    run_date = args.ingestion_date or (ingestion_date(run_id) if run_id else today)
    summary = build(
        args.project,
        args.out,
        run_date=run_date,
        threads=args.threads,
        memory_limit=args.memory_limit,
    )
    print(
        f"yardstick: {len(summary['rows'])} tables written to {args.out} in "
        f"{summary['timings']['total_s']:.1f} s ({summary['timings']})"
    )
    if not args.check:
        return 0
    report = compare(args.out, args.check, run_id)
    print_comparison(report)
    return 0 if report["verdict"] != "differs" else 1


if __name__ == "__main__":
    sys.exit(main())
