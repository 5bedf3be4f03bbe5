"""A Gold mart job writes a file that says what it is: the run, layer, mart and contract that
made it (file key-value metadata) and each column's description from the contract, in the
types and order the contract declares, readable by pandas in nullable dtypes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from conftest import REPO
from warehouse import __version__
from warehouse.contracts.validation import load_contract
from warehouse.core.parquet import write_parquet
from warehouse.gold.build import build_mart

RUN_ID = "20261201T000000Z_0000beef"
CONTRACT = REPO / "config" / "contracts" / "gold" / "agg_sales_monthly.yaml"


def test_a_mart_names_its_run_and_contract_and_describes_its_columns(tmp_path):
    fact = tmp_path / "fact_sales.parquet"
    write_parquet(
        pd.DataFrame(
            {
                "order_number": pd.array(["SO1", "SO2", "SO3"], dtype="str"),
                "customer_key": pd.array([1, 2, 1], dtype="Int64"),
                "quantity": pd.array([1, 2, 1], dtype="Int64"),
                "sales_amount": pd.array([10.0, 40.0, 3.0], dtype="Float64"),
                "order_date": pd.Series(
                    [dt.date(2025, 1, 3), dt.date(2025, 2, 1), None],
                    dtype=pd.ArrowDtype(pa.date32()),
                ),
            }
        ),
        fact,
    )
    data = tmp_path / "agg_sales_monthly.parquet"
    meta = build_mart(
        mart="agg_sales_monthly",
        contract=load_contract(CONTRACT),
        contract_path=str(CONTRACT),
        model_path=CONTRACT.with_suffix(".sql"),
        silver_tables=[],
        gold_tables=[str(fact)],
        data_path=data,
        run_id=RUN_ID,
    )
    assert meta["rows_out"] == 3
    kv = {k.decode(): v.decode() for k, v in pq.read_metadata(data).metadata.items()}
    assert {k: kv[k] for k in ("run_id", "layer", "table", "contract_sha256")} == {
        "run_id": RUN_ID,
        "layer": "gold",
        "table": "agg_sales_monthly",
        "contract_sha256": hashlib.sha256(CONTRACT.read_bytes()).hexdigest(),
    }
    assert kv["project_version"] == __version__
    schema = pq.read_schema(data)
    assert [(f.name, str(f.type)) for f in schema] == [
        ("month", "large_string"),
        ("orders", "int64"),
        ("customers", "int64"),
        ("quantity", "int64"),
        ("sales_amount", "double"),
        ("average_order_value", "double"),
    ]
    assert schema.field("orders").metadata == {b"description": b"Distinct order numbers."}
    assert schema.field("quantity").metadata is None
    assert pd.read_parquet(data).dtypes.astype(str).tolist() == [
        "str", "Int64", "Int64", "Int64", "Float64", "Float64"
    ]  # fmt: skip
