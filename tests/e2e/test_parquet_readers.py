"""End-to-end: the Parquet files of a complete run, read as their users read them. pandas reads
every Gold mart in the nullable dtypes its contract declares (an int key with missing values is
Int64 with <NA>, not float64), DuckDB in the SQL types that match them, and every Silver table,
quarantine and Gold mart says which run, layer, table, contract and project version made it and
carries its columns' descriptions from the contract."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from warehouse import __version__
from warehouse.core import paths
from warehouse.core.duck import SQL_TYPES
from warehouse.core.io import read_yaml
from warehouse.core.parquet import content_sha256, read_parquet

pytestmark = pytest.mark.e2e

PANDAS_DTYPES = {
    "int": "Int64",
    "float": "Float64",
    "decimal": "Float64",
    "string": "str",
    "bool": "boolean",
    "date": "date32[day][pyarrow]",
}
KEYS = ("run_id", "layer", "table", "contract_sha256", "project_version")


@pytest.fixture(scope="module")
def run(complete_run):
    """The complete run's workspace root and id."""
    [run_id] = complete_run.run_ids()
    return complete_run.root, run_id


def marts(root, run_id) -> list[tuple[str, dict, object]]:
    """(mart, contract, path) of every Gold mart of the run."""
    found = paths.find(paths.GOLD_DATA, root, run_id=run_id)
    assert len(found) == 7
    return [
        (f["mart"], read_yaml(root / paths.contract_path("gold", f["mart"])), path)
        for f, path in found
    ]


def declared(contract: dict, types: dict) -> list[tuple[str, str]]:
    return [(c["name"], types[c["type"]]) for c in contract["columns"]]


def test_pandas_reads_every_gold_mart_in_its_contract_dtypes(run):
    for mart, contract, path in marts(*run):
        frame = pd.read_parquet(path)
        assert [(c, str(t)) for c, t in frame.dtypes.items()] == declared(
            contract, PANDAS_DTYPES
        ), mart
        table = pq.read_table(path)
        for key in contract.get("key", []):
            # A missing key would be <NA>: as many as the nulls Parquet holds, never NaN.
            assert frame[key].isna().sum() == table[key].null_count, (mart, key)


def test_duckdb_reads_every_gold_mart_in_matching_sql_types(run):
    connection = duckdb.connect()
    for mart, contract, path in marts(*run):
        relation = connection.read_parquet(str(path))
        assert list(zip(relation.columns, map(str, relation.dtypes), strict=True)) == declared(
            contract, SQL_TYPES
        ), mart
        rows = connection.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
        assert rows[0] == pq.read_metadata(path).num_rows


def every_file(root, run_id) -> list[tuple[str, str, object, dict]]:
    """(layer, table, path, recorded output) of every Silver table, quarantine and Gold mart."""
    files = []
    for fields, meta_path in paths.find(paths.SILVER_TABLE_META, root, run_id=run_id):
        meta = read_yaml(meta_path)
        for part in ("output", "quarantine"):
            files.append(("silver", fields["table"], root / meta[part]["path"], meta[part]))
    for fields, meta_path in paths.find(paths.GOLD_TABLE_META, root, run_id=run_id):
        meta = read_yaml(meta_path)
        files.append(("gold", fields["mart"], root / meta["output"]["path"], meta["output"]))
    assert len(files) == 6 * 2 + 7
    return files


def test_every_file_names_its_run_table_contract_and_version_and_describes_its_columns(run):
    root, run_id = run
    recorded = read_yaml(paths.at(paths.RUN_MANIFEST, root, run_id=run_id))["config_files"]
    connection = duckdb.connect()
    described = 0
    for layer, table, path, output in every_file(root, run_id):
        contract_file = paths.contract_path(layer, table).as_posix()
        rows = connection.execute(
            "SELECT decode(key), decode(value) FROM parquet_kv_metadata(?)", [str(path)]
        ).fetchall()
        kv = dict(rows)
        assert {k: kv.get(k) for k in KEYS} == {
            "run_id": run_id,
            "layer": layer,
            "table": table,
            "contract_sha256": recorded[contract_file],
            "project_version": __version__,
        }, path
        contract = read_yaml(root / contract_file)
        descriptions = {c["name"]: c.get("description") for c in contract["columns"]}
        for field in pq.read_schema(path):
            text = descriptions.get(field.name)
            assert field.metadata == ({b"description": text.encode()} if text else None), (
                path,
                field.name,
            )
            described += bool(text)
        # pandas reads the file in the dtypes the pipeline reads it in.
        assert pd.read_parquet(path).dtypes.to_dict() == read_parquet(path).dtypes.to_dict()
        # What the run recorded is the checksum of the content, metadata aside.
        assert output["content_sha256"] == content_sha256(pq.read_table(path))
    assert described > 50
