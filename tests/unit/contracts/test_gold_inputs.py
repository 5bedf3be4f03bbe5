"""A Gold mart's inputs are the tables its SQL model reads: the DAG schedules exactly those, and
its contract may name no other table in column lineage or checks."""

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from warehouse.contracts.files import declared_inputs
from warehouse.contracts.validation import load_contract
from warehouse.core.errors import PipelineError
from warehouse.core.paths import contract_path

SHIPPED = sorted((REPO / "config" / "contracts" / "gold").glob("*.yaml"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder as the working directory, with the contract schema."""
    monkeypatch.chdir(tmp_path)
    schema = Path("config/contract.schema.yaml")
    schema.parent.mkdir(parents=True)
    shutil.copy(REPO / schema, schema)
    return tmp_path


def mart(name, sql, **contract):
    """Write the model and a minimal contract of Gold mart ``name``; the contract's path."""
    path = contract_path("gold", name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".sql").write_text(sql)
    body = {
        "table": name,
        "layer": "gold",
        "grain": "One row per thing.",
        "columns": [{"name": "n", "type": "int"}],
        **contract,
    }
    path.write_text(yaml.safe_dump(body))
    return path


def test_every_shipped_mart_is_valid_and_reads_what_its_lineage_names(monkeypatch):
    monkeypatch.chdir(REPO)  # models are found by their place in the project, as jobs find them
    assert [p.stem for p in SHIPPED] == [
        "agg_sales_by_category", "agg_sales_by_country", "agg_sales_monthly",
        "dim_customers", "dim_date", "dim_products", "fact_sales",
    ]  # fmt: skip
    for path in SHIPPED:
        load_contract(path)
    assert declared_inputs(REPO / "config/contracts/gold/fact_sales.yaml") == {
        "silver": ["crm_sales_details"],
        "gold": ["dim_customers", "dim_products"],
    }


def test_the_tables_a_model_reads_are_silver_tables_or_marts_by_their_contracts(project):
    mart("dim_a", "SELECT 1 AS n FROM crm_cust_info")
    path = mart(
        "agg_b",
        "WITH x AS (SELECT * FROM dim_a) SELECT count(*) AS n FROM x JOIN erp_loc_a101 USING (k)",
    )
    assert declared_inputs(path) == {"silver": ["erp_loc_a101"], "gold": ["dim_a"]}


@pytest.mark.parametrize(
    "sql",
    ["SELECT * FROM '../../etc/passwd'", 'SELECT * FROM "/abs"', "SELECT 1; SELECT 2", "SELEC"],
)
def test_a_model_that_names_no_plain_tables_gives_the_dag_no_inputs(project, sql):
    assert declared_inputs(mart("m", sql)) == {}


def test_a_mart_without_a_model_gives_no_inputs_and_is_refused(project):
    path = mart("m", "SELECT 1 AS n FROM t")
    path.with_suffix(".sql").unlink()
    assert declared_inputs(path) == {}
    with pytest.raises(PipelineError, match=r"Gold mart m has no SQL model: write its SELECT in"):
        load_contract(path)


def test_lineage_and_checks_may_only_name_tables_the_model_reads(project):
    path = mart(
        "m",
        "SELECT count(*) AS n FROM fact_sales",
        columns=[{"name": "n", "type": "int", "sources": ["dim_date.date_key"]}],
        checks=[
            {
                "check": "relationship",
                "column": "n",
                "references": {"table": "dim_customers", "column": "customer_key"},
            }
        ],
    )
    with pytest.raises(PipelineError) as info:
        load_contract(path)
    message = str(info.value)
    assert "source dim_date.date_key is not a column of a table the model reads" in message
    assert "references dim_customers, which the model does not read (fact_sales)" in message


def test_inputs_in_a_gold_contract_are_refused_the_model_says_them(project):
    path = mart("m", "SELECT count(*) AS n FROM fact_sales", inputs={"gold": ["fact_sales"]})
    with pytest.raises(PipelineError, match=r"remove `inputs`: a mart's inputs are the tables"):
        load_contract(path)
