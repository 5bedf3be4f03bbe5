"""The SQL checks engine gives exactly the results the pandas engine gave before it.

tests/data/checks/cases.json holds dirty tables (NULLs, NaN, infinities, Unicode white space,
dates out of range, duplicates, dangling references, fractional sums) and checks of every type,
every check of every shipped contract among them, with the results (or the error) the pandas
engine recorded on them. Each case runs twice: through ``run_checks`` on DataFrames in the
pipeline's dtypes, and through ``run_checks_sql`` on DuckDB relations holding the pipeline's Arrow
types, the table's rows shuffled and put back in frame order by ``order_by`` when it has a
``_source_row`` (as Silver calls it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from warehouse.core.errors import PipelineError
from warehouse.quality.checks import run_checks
from warehouse.quality.sql_checks import run_checks_sql
from warehouse.quality.sql_compile import WHITESPACE

REPO = Path(__file__).resolve().parents[3]
FIXTURE = json.loads((REPO / "tests" / "data" / "checks" / "cases.json").read_text())
CASES = {case["name"]: case for case in FIXTURE["cases"]}
ARROW = {
    "int": pa.int64(),
    "float": pa.float64(),
    "string": pa.large_string(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


def _value(kind: str, value):
    if value is None:
        return None
    if kind == "float":
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)
    return dt.date.fromisoformat(value) if kind == "date" else value


def decode(value):
    """A check as YAML would give it: {"$date": ...} a date, "NaN" a float NaN."""
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        if set(value) == {"$datetime"}:
            return dt.datetime.fromisoformat(value["$datetime"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return math.nan if value == "NaN" else value


def arrow_table(name: str) -> pa.Table:
    columns = FIXTURE["tables"][name]
    arrays = [
        pa.array([_value(c["type"], v) for v in c["values"]], ARROW[c["type"]]) for c in columns
    ]
    return pa.table(arrays, names=[c["name"] for c in columns])


def frame(name: str) -> pd.DataFrame:
    """The table in the dtypes Silver and Gold frames have (NaN kept apart from missing)."""
    data = {}
    for column in FIXTURE["tables"][name]:
        kind, values = column["type"], [_value(column["type"], v) for v in column["values"]]
        if kind == "float":
            filled = np.array([0.0 if v is None else v for v in values], dtype=float)
            mask = np.array([v is None for v in values], dtype=bool)
            data[column["name"]] = pd.arrays.FloatingArray(filled, mask)
        elif kind == "date":
            data[column["name"]] = pd.Series(values, dtype=pd.ArrowDtype(pa.date32()))
        else:
            dtype = {"int": "Int64", "string": "str", "bool": "boolean"}[kind]
            data[column["name"]] = pd.array(values, dtype=dtype)
    return pd.DataFrame(data)


def expected(case: dict):
    """The recorded results, as the engine's own values (the fixture spells NaN as text)."""

    def restore(value):
        if isinstance(value, dict):
            return {k: restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return {"NaN": math.nan, "Infinity": math.inf}.get(value, value)

    return restore(case["expected"])


def outcome(run):
    try:
        return "results", run()
    except PipelineError as error:
        return "error", str(error)


def recorded(case: dict):
    return ("error", case["error"]) if "error" in case else ("results", expected(case))


def same(a, b) -> bool:
    # json.dumps spells NaN and infinity alike on both sides and keeps int against float apart.
    return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


@pytest.mark.parametrize("name", CASES)
def test_a_frame_gets_the_recorded_results(name):
    case = CASES[name]
    related = {table: frame(source) for table, source in case["related"].items()}
    got = outcome(
        lambda: run_checks(
            frame(case["table"]),
            decode(case["checks"]),
            table=case["table"],
            key=case["key"],
            related=related,
            sample_size=case["sample_size"],
        )
    )
    assert same(got, recorded(case))


@pytest.mark.parametrize("name", CASES)
def test_a_duckdb_relation_gets_the_recorded_results(name):
    case = CASES[name]
    table = arrow_table(case["table"])
    order_by = None
    if "_source_row" in table.column_names:
        # Scanned in another order than the frame's: order_by puts the rows back.
        shuffled = np.random.default_rng(7).permutation(table.num_rows)
        table, order_by = table.take(pa.array(shuffled, pa.int64())), "_source_row"
    with duckdb.connect(config={"threads": 2}) as con:
        con.register("checked", table)
        related = {}
        for i, (name_, source) in enumerate(case["related"].items()):
            con.register(f"related_{i}", arrow_table(source))
            related[name_] = f"related_{i}"
        got = outcome(
            lambda: run_checks_sql(
                con,
                "checked",
                decode(case["checks"]),
                table=case["table"],
                key=case["key"],
                related=related,
                order_by=order_by,
                sample_size=case["sample_size"],
            )
        )
    assert same(got, recorded(case))


def test_the_fixture_covers_every_check_type_and_the_shipped_contracts():
    kinds = {c["check"] for case in FIXTURE["cases"] for c in case["checks"] if isinstance(c, dict)}
    assert kinds >= {
        "not_null",
        "unique",
        "accepted_values",
        "range",
        "no_stray_spaces",
        "regex",
        "compare",
        "row_count",
        "relationship",
        "sum_equals",
    }
    # The 13 contracts shipped when the fixture was recorded, each with all its checks.
    assert sum(name.startswith("contract ") for name in CASES) == 13


def contract_table(layer: str, contract: dict) -> pa.Table:
    """The fixture's table for a shipped contract, or (for a contract added since) a few rows
    of its columns' types."""
    name = f"{layer}/{contract['table']}"
    if name in FIXTURE["tables"]:
        return arrow_table(name)
    values = {
        "int": [1, 2, None],
        "float": [1.5, None, 2.0],
        "decimal": [1.5, None, 2.0],
        "string": ["a", " b", None],
        "bool": [True, None, False],
        "date": [dt.date(2020, 1, 1), None, dt.date(2021, 1, 1)],
    }
    columns = {c["name"]: c["type"] for c in contract["columns"]}
    if layer == "silver":
        columns = {"_source_row": "int", **columns}
    return pa.table(
        {c: pa.array(values[t], ARROW[{"decimal": "float"}.get(t, t)]) for c, t in columns.items()}
    )


@pytest.mark.parametrize("layer", ["silver", "gold"])
def test_every_check_of_every_shipped_contract_runs_as_sql(layer):
    # The contracts as they are now (the fixture holds them as they were recorded).
    contracts = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "config" / "contracts" / layer).glob("*.yaml"))
    }
    for name, contract in contracts.items():
        checks = contract.get("checks", [])
        with duckdb.connect() as con:
            con.register("checked", contract_table(layer, contract))
            related = {}
            for check in checks:
                if "references" in check:
                    table = check["references"]["table"]
                    con.register(table, contract_table(layer, contracts[table]))
                    related[table] = table
            results = run_checks_sql(
                con, "checked", checks, table=name, key=contract.get("key"), related=related
            )
        assert [r["check"] for r in results] == [c["check"] for c in checks]


def test_sums_are_numpys_to_the_last_bit_not_duckdbs():
    # What makes the recorded sum of the fractional amounts exact: DuckDB's sum rounds otherwise.
    amounts = arrow_table("amounts")
    recorded_sum = CASES["sum_equals_exact"]["expected"][0]["details"]["sum"]
    with duckdb.connect() as con:
        con.register("amounts", amounts)
        duck = con.execute("SELECT sum(amount) FROM amounts").fetchall()[0][0]
    assert duck != recorded_sum
    assert recorded_sum == float(np.sum(amounts["amount"].to_numpy()))


def test_white_space_is_what_str_strip_removes():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert sorted(WHITESPACE) == [c for c in every if c.isspace()]
    trimmed = pc.utf8_trim_whitespace(pa.array(list(every)))
    assert sorted(WHITESPACE) == [
        c for c, t in zip(every, trimmed.to_pylist(), strict=True) if t == ""
    ]


# --- The SQL engine on DuckDB -----------------------------------------------------------------


class CountingConnection:
    """A connection that counts the queries the engine runs."""

    def __init__(self, con):
        self.con, self.queries = con, []

    def execute(self, sql, *args):
        self.queries.append(sql)
        return self.con.execute(sql, *args)

    def sql(self, sql):
        return self.con.sql(sql)


def test_filter_checks_share_one_scan_and_only_failing_checks_read_rows():
    table = arrow_table("orders")
    checks = decode([c for c in CASES["range"]["checks"]])
    with duckdb.connect() as con:
        con.register("orders", table)
        counting = CountingConnection(con)
        results = run_checks_sql(counting, "orders", checks, table="orders", order_by="_source_row")
    failing = sum(r["status"] == "fail" for r in results)
    # One aggregate for all nine ranges, then one sample query per failing check.
    assert len(counting.queries) == 1 + failing
    assert counting.queries[0].count("FILTER (WHERE") == len(checks)


def test_samples_follow_order_by_not_the_scan():
    table = pa.table({"_source_row": [5, 3, 4, 2], "v": [None, None, 1, None]})
    with duckdb.connect() as con:
        con.register("t", table)
        check = [{"check": "not_null", "columns": ["v"]}]
        ordered = run_checks_sql(con, "t", check, table="t", order_by="_source_row")[0]
        scanned = run_checks_sql(con, "t", check, table="t")[0]
    assert [row["_source_row"] for row in ordered["sample"]] == [2, 3, 5]
    assert [row["_source_row"] for row in scanned["sample"]] == [5, 3, 2]


def test_rows_without_a_key_are_shown_by_their_position_in_frame_order():
    table = pa.table({"n": [30, 10, 20], "v": [None, 1, None]})
    with duckdb.connect() as con:
        con.register("t", table)
        check = [{"check": "not_null", "columns": ["v"]}]
        by_scan = run_checks_sql(con, "t", check, table="t")[0]["sample"]
        by_n = run_checks_sql(con, "t", check, table="t", order_by="n")[0]["sample"]
    assert by_scan == [{"index": 0, "v": None}, {"index": 2, "v": None}]
    assert by_n == [{"index": 1, "v": None}, {"index": 2, "v": None}]


def test_a_view_over_parquet_is_checked_in_place(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    pq.write_table(arrow_table("orders"), path)
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW orders AS FROM read_parquet('{path}')")
        con.register("customers", arrow_table("customers"))
        case = CASES["relationship"]
        results = run_checks_sql(
            con,
            "orders",
            case["checks"],
            table="orders",
            key=case["key"],
            related={"customers": "customers"},
        )
    assert same(results, expected(case))


def test_order_by_must_be_a_column_and_the_scan_order_must_be_kept():
    with duckdb.connect() as con:
        con.register("t", pa.table({"v": [1]}))
        with pytest.raises(PipelineError, match="order rows by 'row'"):
            run_checks_sql(con, "t", [], table="t", order_by="row")
        con.execute("SET preserve_insertion_order = false")
        with pytest.raises(PipelineError, match="need an order_by column"):
            run_checks_sql(con, "t", [], table="t")
        assert run_checks_sql(con, "t", [], table="t", order_by="v") == []


def test_a_duckdb_error_names_the_check_and_its_columns():
    table = pa.table({"a": pa.array([2**62], pa.int64()), "b": pa.array([4], pa.int64())})
    check = {"check": "compare", "left": "a", "op": "==", "right": {"multiply": ["a", "b"]}}
    with duckdb.connect() as con:
        con.register("t", table)
        with pytest.raises(PipelineError) as error:
            run_checks_sql(con, "t", [{"check": "row_count", "min": 1}, check], table="t")
    assert str(error.value).startswith(
        "t: check compare_a_b cannot be evaluated on a (Int64), b (Int64): OutOfRangeException"
    )


# --- Where the SQL engine deliberately refuses what pandas let through ------------------------


@pytest.mark.parametrize(
    ("check", "message"),
    [
        # pandas repeated the text ("ab" * 2 == "abab") and compared that.
        (
            {
                "check": "compare",
                "left": "status",
                "op": "==",
                "right": {"multiply": ["status", 2]},
            },
            "cannot compare status (str) == status * 2: cannot multiply status (str), which is "
            "not a number",
        ),
        # pandas compared the texts as numbers when every one of them happened to be numeric.
        (
            {"check": "compare", "left": "price", "op": "==", "right": "status"},
            "cannot compare price (Float64) == status: could not convert string to float "
            "(status is text)",
        ),
        (
            {"check": "compare", "left": "ordered", "op": "<", "right": "quantity"},
            "cannot compare ordered (date32[day][pyarrow]) < quantity: '<' is not supported "
            "between a date and a number value",
        ),
        # Arrow cast some numbers into dates and refused others, depending on the list.
        (
            {"check": "accepted_values", "column": "ordered", "values": ["2021-01-01", 3]},
            "cannot be evaluated on ordered (date32[day][pyarrow]): the value 3 cannot be one of "
            "its values",
        ),
        (
            {
                "check": "relationship",
                "column": "ordered",
                "references": {"table": "customers", "column": "customer_id"},
            },
            "cannot be evaluated on ordered (date32[day][pyarrow]): the referenced column "
            "customers.customer_id (Int64) holds no dates",
        ),
    ],
)
def test_values_of_another_type_are_a_contract_error(check, message):
    with pytest.raises(PipelineError) as error:
        run_checks(
            frame("orders"), [check], table="orders", related={"customers": frame("customers")}
        )
    assert message in str(error.value)
