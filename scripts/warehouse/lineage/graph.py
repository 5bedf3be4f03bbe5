"""The table-level lineage of a run, from what the run declares.

A run declares every table it moves: its manifest lists the raw files (each copied to Bronze and
cleaned into one Silver table, named by :func:`warehouse.run.sources.table_name`) and the Gold
contracts it was made with (one mart each), and each mart's SQL model names the Silver tables and
earlier marts it reads (:func:`warehouse.contracts.files.declared_inputs`, the very function the
workflow schedules a mart's inputs with). Nothing is planned, run or probed: the graph is the
same whichever of the run's files exist when it is drawn.

The graph is the table graph of the run's jobs, ``snakemake all --dag`` folded by
:func:`warehouse.lineage.dag.table_graph`; ``tests/e2e/test_lineage_graph_e2e.py`` holds the two
equal, nodes and edges, on a real run. Nodes: a raw file, its Bronze copy, a Silver table, a Gold
mart, a layer report (the rule that writes it) and the run's summary report; edges go from what
a job reads to what it writes. Gold is drawn only when it was built (the Silver gate was open).
"""

from __future__ import annotations

from collections.abc import Mapping

from warehouse.contracts.files import declared_inputs
from warehouse.core.paths import contract_path
from warehouse.run.outputs import run_marts, run_tables

LAYERS = ("raw", "bronze", "silver", "gold", "reports")

DATA_LAYERS = ("raw", "bronze", "silver", "gold")

# The jobs that report on a layer (named by their rule) and the run's summary report.
LAYER_REPORTS = {
    "bronze": "bronze_layer_report",
    "silver": "silver_layer_report",
    "gold": "gold_layer_report",
}
SUMMARY_REPORT = "run_summary_report"


def raw_node(source: str, file: str, label: str) -> dict:
    return {"id": f"raw:{source}/{file}", "label": label, "layer": "raw"}


def bronze_node(source: str, file: str) -> dict:
    path = f"{source}/{file}"
    return {"id": f"bronze:{path}", "label": path, "layer": "bronze"}


def silver_node(table: str) -> dict:
    return {"id": f"silver:{table}", "label": table, "layer": "silver"}


def gold_node(mart: str) -> dict:
    return {"id": f"gold:{mart}", "label": mart, "layer": "gold"}


def report_node(rule: str) -> dict:
    return {"id": f"report:{rule}", "label": rule, "layer": "reports"}


def layer_rank(layer: str) -> tuple[int, str]:
    """Sort key: the known layers in pipeline order, any other layer after them by name."""
    return (LAYERS.index(layer), "") if layer in LAYERS else (len(LAYERS), layer)


def label_key(node: dict) -> tuple[str, str, str]:
    return (node["label"].casefold(), node["label"], node["id"])


def ordered(nodes: Mapping[str, dict], edges: set[tuple[str, str]]) -> dict:
    """``{"nodes": [...], "edges": [[from, to], ...]}``: nodes by layer, then by label; edges
    in the order of their nodes."""
    listed = sorted(nodes.values(), key=lambda n: (layer_rank(n["layer"]), *label_key(n)))
    position = {node["id"]: i for i, node in enumerate(listed)}
    edge_list = sorted(edges, key=lambda e: (position[e[0]], position[e[1]]))
    return {"nodes": listed, "edges": [[src, dst] for src, dst in edge_list]}


def run_graph(manifest: dict, mart_inputs: Mapping[str, dict] | None) -> dict:
    """The table graph of the run whose manifest is ``manifest``.

    ``mart_inputs`` is ``{mart: {"silver": [...], "gold": [...]}}``, the tables each mart's SQL
    model reads (see :func:`gold_inputs`), for a run whose Gold was built; None for a run whose
    Silver gate closed (no Gold job is part of it).
    """
    nodes: dict[str, dict] = {}
    edges: set[tuple[str, str]] = set()

    def add(node: dict) -> str:
        nodes[node["id"]] = node
        return node["id"]

    layer_reports = [
        add(report_node(LAYER_REPORTS["bronze"])),
        add(report_node(LAYER_REPORTS["silver"])),
    ]
    for table, record in run_tables(manifest).items():
        source, file = record["source"], record["file"]
        raw = add(raw_node(source, file, record["path"]))
        bronze = add(bronze_node(source, file))
        silver = add(silver_node(table))
        edges |= {
            (raw, bronze),
            (bronze, silver),
            (bronze, layer_reports[0]),
            (silver, layer_reports[1]),
        }
    if mart_inputs is not None:
        gold_report = add(report_node(LAYER_REPORTS["gold"]))
        layer_reports.append(gold_report)
        marts = run_marts(manifest)
        for mart in marts:
            edges.add((add(gold_node(mart)), gold_report))
        for mart in marts:
            declared = mart_inputs.get(mart) or {}
            sources = [silver_node(t)["id"] for t in declared.get("silver", [])]
            sources += [gold_node(m)["id"] for m in declared.get("gold", [])]
            # A table the model names that is not part of the run has no job, hence no node.
            edges |= {(src, gold_node(mart)["id"]) for src in sources if src in nodes}
    summary = add(report_node(SUMMARY_REPORT))
    edges |= {(report, summary) for report in layer_reports}
    return ordered(nodes, edges)


def gold_inputs(manifest: dict) -> dict[str, dict]:
    """``{mart: {"silver": [...], "gold": [...]}}``: the tables the SQL model of each mart of
    the run reads, as the workflow schedules them (``gold_mart_inputs`` in rules/common.smk)."""
    return {mart: declared_inputs(contract_path("gold", mart)) for mart in run_marts(manifest)}
