"""A data engineer adds a Gold mart with one SQL file and one YAML file, no Python: the example
in the README's "Add a Gold mart" section, written into a copy of the project, is built by the
next run, held to its contract, checked, and scheduled after the tables its SELECT reads."""

from __future__ import annotations

import re
import shutil

import pyarrow.parquet as pq
import pytest

from conftest import REPO, Workspace, copy_project
from warehouse.core import paths
from warehouse.core.io import read_yaml

pytestmark = pytest.mark.e2e

RUN_ID = "20261201T000000Z_0000beef"


def readme_example() -> dict[str, str]:
    """{path: text} of the code blocks of the README's section; each names its file first."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Add a Gold mart\n", 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in re.findall(r"```(?:sql|yaml)\n(.*?)```", section, flags=re.S):
        first, _, _ = block.partition("\n")
        files[first.lstrip("-# ").strip()] = block
    return files


def test_the_readme_example_mart_is_built_checked_and_scheduled_after_its_inputs(tmp_path):
    files = readme_example()
    assert sorted(files) == [
        "config/contracts/gold/agg_sales_by_gender.sql",
        "config/contracts/gold/agg_sales_by_gender.yaml",
    ]
    root = copy_project(tmp_path / "project")
    shutil.copytree(REPO / "raw", root / "raw")
    assert not (root / "config/contracts/gold/agg_sales_by_gender.yaml").exists()  # not shipped
    for path, text in files.items():
        (root / path).write_text(text, encoding="utf-8")

    result = Workspace(root).snakemake("gold", "--config", f"run_id={RUN_ID}", timeout=600)
    assert result.returncode == 0, result.output[-3000:]

    def gold(template: str, mart: str = "agg_sales_by_gender"):
        return root / template.format(run_id=RUN_ID, mart=mart)

    mart = pq.read_table(gold(paths.GOLD_DATA))
    assert [(f.name, str(f.type)) for f in mart.schema] == [
        ("gender", "large_string"),
        ("orders", "int64"),
        ("quantity", "int64"),
        ("sales_amount", "double"),
    ]
    assert set(mart.column("gender").to_pylist()) == {"Female", "Male", "n/a"}
    fact = pq.read_table(gold(paths.GOLD_DATA, "fact_sales"))
    assert sum(mart.column("sales_amount").to_pylist()) == sum(
        fact.column("sales_amount").to_pylist()
    )
    meta = read_yaml(gold(paths.GOLD_TABLE_META))
    assert [i["table"] for i in meta["inputs"]] == ["dim_customers", "fact_sales"]
    assert {c["id"]: c["status"] for c in meta["checks"]} == {
        "unique_gender": "pass",
        "sales_reconcile_to_fact": "pass",
    }
    layer = read_yaml(gold(paths.GOLD_METADATA))
    assert "agg_sales_by_gender" in [m["table"] for m in layer["marts"]]
