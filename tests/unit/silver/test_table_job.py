"""A Silver table job writes files that say what they are: the run, layer, table and contract
that made them (file key-value metadata) and each column's description from the contract, on
the table and on its quarantine; a table without a contract says it has none."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pyarrow.parquet as pq

from conftest import REPO
from warehouse import __version__
from warehouse.contracts.validation import load_contract
from warehouse.core.parquet import content_sha256
from warehouse.silver.table_job import clean_bronze_table

RUN_ID = "20261201T000000Z_0000beef"
CONTRACT = REPO / "config" / "contracts" / "silver" / "erp_px_cat_g1v2.yaml"
CATEGORIES = (
    b"ID,CAT,SUBCAT,MAINTENANCE\r\n"
    b"AC_BR,Accessories,Bike Racks,Yes\r\n"
    b"AC_BS,Accessories,Bike Stands,No\r\n"
    b"CL_CA,Clothing,Caps,No,one field too many\r\n"
)


def clean(tmp_path, contract_path):
    bronze = tmp_path / "PX_CAT_G1V2.csv"
    bronze.write_bytes(CATEGORIES)
    meta = clean_bronze_table(
        table="erp_px_cat_g1v2",
        bronze_path=bronze,
        bronze_meta={
            "source": "erp",
            "file": bronze.name,
            "encoding": "utf-8",
            "delimiter": ",",
            "data_rows": 3,
            "sha256": hashlib.sha256(CATEGORIES).hexdigest(),
        },
        ingestion_date=dt.date(2026, 12, 1),
        contract=load_contract(contract_path) if contract_path else None,
        contract_path=str(contract_path) if contract_path else None,
        data_path=tmp_path / "data.parquet",
        quarantine_path=tmp_path / "quarantine.parquet",
        run_id=RUN_ID,
    )
    return meta, tmp_path / "data.parquet", tmp_path / "quarantine.parquet"


def key_values(path) -> dict[str, str]:
    found = pq.read_metadata(path).metadata
    return {k.decode(): v.decode() for k, v in found.items() if k != b"ARROW:schema"}


def test_the_table_and_its_quarantine_name_their_run_table_and_contract(tmp_path):
    meta, data, quarantine = clean(tmp_path, CONTRACT)
    assert (meta["rows_out"], meta["rows_quarantined"]) == (2, 1)
    expected = {
        "run_id": RUN_ID,
        "layer": "silver",
        "table": "erp_px_cat_g1v2",
        "contract_sha256": hashlib.sha256(CONTRACT.read_bytes()).hexdigest(),
        "project_version": __version__,
    }
    for path in (data, quarantine):
        assert {k: v for k, v in key_values(path).items() if k != "pandas"} == expected
        schema = pq.read_schema(path)
        assert schema.field("id").metadata == {b"description": b"Category id (AC_BR)."}
        assert schema.field("maintenance").metadata == {b"description": b"Yes or No."}
        assert schema.field("cat").metadata is None  # the contract does not describe it
    assert str(pd.read_parquet(data).dtypes["_source_row"]) == "Int64"
    # The checksums recorded are those of the content alone.
    assert meta["output"]["content_sha256"] == content_sha256(pq.read_table(data))
    assert meta["quarantine"]["content_sha256"] == content_sha256(pq.read_table(quarantine))


def test_a_table_without_a_contract_records_an_empty_contract_sha256(tmp_path):
    _, data, quarantine = clean(tmp_path, None)
    for path in (data, quarantine):
        assert key_values(path)["contract_sha256"] == ""
        assert all(field.metadata is None for field in pq.read_schema(path))
