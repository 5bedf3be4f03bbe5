"""Contract typos that reach the checks engine: each gives one PipelineError naming the table,
the check and what to fix, never a KeyError or TypeError from pandas."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from warehouse.core.errors import PipelineError
from warehouse.quality.checks import run_checks


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": pd.array([1, 2, 3], dtype="Int64"),
            "price": pd.array([1.5, 2.0, None], dtype="Float64"),
            "status": pd.array(["open", "shipped", None], dtype="str"),
            "ordered_on": pd.Series(
                [dt.date(2020, 1, 1), None, dt.date(2021, 1, 1)], dtype=pd.ArrowDtype(pa.date32())
            ),
        }
    )


def check_error(frame, check, **kwargs) -> str:
    """The message run_checks raises for ``check`` on the table ``orders``."""
    with pytest.raises(PipelineError) as error:
        run_checks(frame, [check], table="orders", **kwargs)
    message = str(error.value)
    assert message.startswith("orders: check ")
    return message


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        # Fields a check needs, missing or of the wrong kind (the schema's job, but the engine
        # must not fall over when a check reaches it some other way).
        ({"columns": ["order_id"]}, "check checks[0] lacks 'check', its type (known types:"),
        ({"check": "unique"}, "check checks[0] (unique) lacks 'columns' (a list of column names)"),
        (
            {"check": "range", "id": "price_range", "min": 0},
            "check price_range (range) lacks 'column'",
        ),
        (
            {"check": "not_null", "columns": "order_id"},
            "has columns: 'order_id', but columns must be a list of column names",
        ),
        (
            {"check": "compare", "left": "price", "op": "=<", "right": 1},
            "has op: '=<', but op must be one of == != < <= > >=",
        ),
        (
            {"check": "compare", "left": "price", "op": "<", "right": {"times": [1, 2]}},
            "has right: {'times': [1, 2]}, but right must be a column name, a number or",
        ),
        (
            {"check": "relationship", "column": "order_id", "references": "customers.id"},
            "has references: 'customers.id', but references must be {table: <table>, column:",
        ),
        ({"check": "row_count", "min": "5"}, "has min: '5', but min must be a whole number"),
        ({"check": "regex", "column": "status", "pattern": 5}, "has pattern: 5, but pattern must"),
        (
            {"check": "accepted_values", "column": "status", "values": "open"},
            "has values: 'open', but values must be a list of values",
        ),
        (
            {"check": "not_null", "columns": ["order_id"], "severity": "fatal"},
            "has severity: 'fatal', but severity must be error or warn",
        ),
    ],
)
def test_a_malformed_check_names_the_field_and_its_kind(orders, check, expected):
    message = check_error(orders, check)
    assert expected in message
    assert message.endswith("Fix the contract.")


def test_a_check_that_is_not_a_mapping(orders):
    assert "check checks[0] is 'not_null', not a mapping" in check_error(orders, "not_null")


def test_a_key_that_is_not_a_list(orders):
    with pytest.raises(PipelineError, match="orders: the key is 'order_id', but it must be a list"):
        run_checks(orders, [], table="orders", key="order_id")


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            {"check": "range", "column": "price", "min": "0"},
            "check range_price has min '0' for the numeric column 'price' (Float64). "
            "Give a number (unquoted) in the contract.",
        ),
        (
            {"check": "range", "column": "price", "max": dt.date(2020, 1, 1)},
            "check range_price has max datetime.date(2020, 1, 1) for the numeric column 'price'",
        ),
        (
            {"check": "range", "column": "ordered_on", "min": 2020},
            "check range_ordered_on has min 2020 for the date column 'ordered_on'. "
            "Give an ISO date such as 2020-01-31 in the contract.",
        ),
        (
            {"check": "compare", "left": "price", "op": "==", "right": "status"},
            "check compare_price_status cannot compare price (Float64) == status: could not "
            "convert string to float",
        ),
        (
            {"check": "compare", "left": "price", "op": "<=", "right": {"multiply": ["status", 2]}},
            "check compare_price_status cannot compare price (Float64) <= status * 2",
        ),
        (
            {
                "check": "compare",
                "left": "order_id",
                "op": "==",
                "right": {"multiply": ["ordered_on", 2]},
            },
            "check compare_order_id_ordered_on cannot compare order_id (Int64) == ordered_on * 2",
        ),
    ],
)
def test_values_that_do_not_fit_the_column_type(orders, check, expected):
    assert expected in check_error(orders, check)


def test_a_sum_of_text_is_a_contract_error(orders):
    check = {
        "check": "sum_equals",
        "id": "status_total",
        "column": "order_id",
        "references": {"table": "totals", "column": "status"},
    }
    message = check_error(orders, check, related={"totals": orders})
    assert "check status_total sums column totals.status of type str" in message
    assert message.endswith("Fix the contract.")


def test_an_invalid_regex_names_the_pattern(orders):
    message = check_error(orders, {"check": "regex", "column": "status", "pattern": "[a-"})
    assert "check regex_status has an invalid regular expression '[a-'" in message


def test_a_column_the_table_lacks_lists_the_columns(orders):
    message = check_error(orders, {"check": "not_null", "columns": ["order_idx"]})
    assert message == (
        "orders: check not_null_order_idx names column 'order_idx', which the table does not "
        "have (columns: order_id, price, status, ordered_on). Fix the contract."
    )
