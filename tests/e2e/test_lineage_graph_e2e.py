"""End-to-end: the lineage a run's summary draws from what the run declares (its manifest and
the marts' SQL models, warehouse.lineage.graph) is the table graph of the workflow's real job
graph, ``snakemake all --dag`` folded by warehouse.lineage.dag: the same nodes, the same edges.
(A run blocked by its Silver gate is held to the same in test_workflow_e2e.py.)"""

from __future__ import annotations

import json

import pytest

from conftest import Workspace
from warehouse.lineage.dag import table_graph

pytestmark = pytest.mark.e2e


def dag_graph(ws: Workspace, run_id: str) -> dict:
    """The folded ``snakemake all --dag`` of ``run_id`` in ``ws``."""
    result = ws.snakemake("all", "--dag", "--config", f"run_id={run_id}")
    assert result.returncode == 0, result.output[-3000:]
    return table_graph(result.stdout)


def summary_lineage(ws: Workspace, run_id: str) -> dict:
    summary = json.loads((ws.root / f"artifacts/reports/{run_id}/summary_report.json").read_text())
    return {key: summary["lineage"][key] for key in ("nodes", "edges")}


def test_the_declared_lineage_is_the_table_graph_of_the_dag(built_workspace):
    (run_id,) = built_workspace.run_ids()
    declared = summary_lineage(built_workspace, run_id)
    dag = dag_graph(built_workspace, run_id)
    assert declared["nodes"] == dag["nodes"]
    assert declared["edges"] == dag["edges"]
    # Every layer is in it, Gold included, each mart fed by the tables its SQL model reads.
    layers = {node["layer"] for node in declared["nodes"]}
    assert layers == {"raw", "bronze", "silver", "gold", "reports"}
    edges = {tuple(edge) for edge in declared["edges"]}
    assert ("silver:crm_sales_details", "gold:fact_sales") in edges
    assert ("gold:dim_customers", "gold:fact_sales") in edges
    assert ("report:gold_layer_report", "report:run_summary_report") in edges
