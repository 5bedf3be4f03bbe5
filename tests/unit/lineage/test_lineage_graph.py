"""Lineage graph: the table graph a run declares, Snakemake's --dag output folded to tables (the
yardstick it is held to), and its SVG renderings.

``data/dag_sample.dot`` is real ``snakemake all --dag`` output for one run of the workflow on the
committed sample (regenerate it when the rules change: ``snakemake all --dag --config
run_id=<id> > tests/data/dag_sample.dot`` in a workspace holding that run).
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from conftest import DATA, REPO
from warehouse.core import paths
from warehouse.lineage.dag import parse_dot, table_graph
from warehouse.lineage.graph import gold_inputs, run_graph
from warehouse.report import lineage_svg as lineage_graph
from warehouse.report.lineage_svg import render, render_svg, render_with_graphviz

SAMPLE = (DATA / "dag_sample.dot").read_text()
TABLES = {
    "crm/cust_info.csv": "crm_cust_info",
    "crm/prd_info.csv": "crm_prd_info",
    "crm/sales_details.csv": "crm_sales_details",
    "erp/CUST_AZ12.csv": "erp_cust_az12",
    "erp/LOC_A101.csv": "erp_loc_a101",
    "erp/PX_CAT_G1V2.csv": "erp_px_cat_g1v2",
}
MARTS = {
    "agg_sales_by_category",
    "agg_sales_by_country",
    "agg_sales_monthly",
    "dim_customers",
    "dim_date",
    "dim_products",
    "fact_sales",
}


def dag(jobs: list[str], edges: list[tuple[int, int]]) -> str:
    """Dot text shaped like Snakemake's: ``jobs`` are labels, their index is the job id."""
    lines = ["digraph snakemake_dag {", "    graph[bgcolor=white, margin=0];"]
    lines += [
        f'\t{i}[label = "{label}", color = "0.10 0.6 0.85", style="rounded"];'
        for i, label in enumerate(jobs)
    ]
    lines += [f"\t{a} -> {b}" for a, b in edges]
    return "\n".join(lines + ["}"])


@pytest.fixture(scope="module")
def graph() -> dict:
    return table_graph(SAMPLE)


def test_parse_dot_reads_jobs_rules_and_wildcards():
    nodes, edges = parse_dot(SAMPLE)
    assert len(nodes) == 26
    assert nodes["14"] == {"rule": "all", "wildcards": {}}
    assert nodes["3"] == {
        "rule": "bronze_copy_file",
        "wildcards": {"file": "cust_info.csv", "source": "crm"},
    }
    assert nodes["1"]["rule"] == "run_manifest"
    assert nodes["1"]["wildcards"]["run_id"].startswith("2026")
    assert nodes["2"] == {"rule": "silver_clean_table", "wildcards": {"table": "crm_cust_info"}}
    assert nodes["20"] == {"rule": "gold_build_mart", "wildcards": {"mart": "fact_sales"}}
    assert nodes["0"] == {"rule": "silver_layer_report", "wildcards": {}}
    rules = [node["rule"] for node in nodes.values()]
    assert rules.count("bronze_copy_file") == 6
    assert rules.count("silver_clean_table") == 6
    assert rules.count("gold_build_mart") == 7
    assert ("3", "2") in edges and ("0", "20") in edges  # the gate it writes: Gold waits
    assert len(edges) == 97


def test_parse_dot_skips_noise_and_empty_label_lines():
    text = "Building DAG of jobs...\n" + dag(["run_manifest\\n", "all"], [(0, 1)])
    nodes, edges = parse_dot(text)
    assert nodes == {
        "0": {"rule": "run_manifest", "wildcards": {}},
        "1": {"rule": "all", "wildcards": {}},
    }
    assert edges == [("0", "1")]


def test_table_graph_has_one_node_per_file_table_mart_and_report(graph):
    ids = {node["id"] for node in graph["nodes"]}
    for path, table in TABLES.items():
        assert {f"raw:{path}", f"bronze:{path}", f"silver:{table}"} <= ids
    assert {i for i in ids if i.startswith("gold:")} == {f"gold:{mart}" for mart in MARTS}
    reports = {i for i in ids if i.startswith("report:")}
    assert reports == {
        "report:bronze_layer_report",
        "report:silver_layer_report",
        "report:gold_layer_report",
        "report:run_summary_report",
    }
    # The manifest, the final status and `all` are folded away.
    assert len(ids) == 6 * 3 + 7 + 4
    assert not any(w in i for i in ids for w in ("manifest", "complete", ":all"))

    by_id = {node["id"]: node for node in graph["nodes"]}
    assert by_id["raw:crm/cust_info.csv"] == {
        "id": "raw:crm/cust_info.csv",
        "label": "raw/source_crm/cust_info.csv",
        "layer": "raw",
    }
    assert by_id["bronze:erp/LOC_A101.csv"]["layer"] == "bronze"
    assert by_id["silver:crm_cust_info"]["layer"] == "silver"
    assert by_id["gold:fact_sales"]["layer"] == "gold"
    assert by_id["report:gold_layer_report"]["layer"] == "reports"


def test_table_graph_edges_follow_the_dag(graph):
    edges = {tuple(edge) for edge in graph["edges"]}
    assert len(edges) == len(graph["edges"])  # no duplicates
    chain = [
        "raw:crm/cust_info.csv",
        "bronze:crm/cust_info.csv",
        "silver:crm_cust_info",
        "gold:dim_customers",
        "gold:fact_sales",
        "gold:agg_sales_monthly",
        "report:gold_layer_report",
    ]
    assert set(pairwise(chain)) <= edges
    for path, table in TABLES.items():
        assert (f"raw:{path}", f"bronze:{path}") in edges
        assert (f"bronze:{path}", f"silver:{table}") in edges
        assert (f"bronze:{path}", "report:bronze_layer_report") in edges
        assert (f"silver:{table}", "report:silver_layer_report") in edges
    for mart in MARTS:
        assert (f"gold:{mart}", "report:gold_layer_report") in edges
    for layer in ("bronze", "silver", "gold"):
        assert (f"report:{layer}_layer_report", "report:run_summary_report") in edges
    # Silver -> Gold comes from the marts' own inputs only: the edge silver report (it writes
    # the gate) -> mart is a control dependency, not lineage.
    silver_to_gold = {(a, b) for a, b in edges if b.startswith("gold:") and a.startswith("silver:")}
    assert silver_to_gold == {
        ("silver:crm_cust_info", "gold:dim_customers"),
        ("silver:erp_cust_az12", "gold:dim_customers"),
        ("silver:erp_loc_a101", "gold:dim_customers"),
        ("silver:crm_prd_info", "gold:dim_products"),
        ("silver:erp_px_cat_g1v2", "gold:dim_products"),
        ("silver:crm_sales_details", "gold:fact_sales"),
    }
    assert {b for a, b in edges if a.startswith("report:")} == {"report:run_summary_report"}
    assert len(edges) == 48


def test_table_graph_is_sorted_and_deterministic(graph):
    layers = [node["layer"] for node in graph["nodes"]]
    assert layers == sorted(layers, key=["raw", "bronze", "silver", "gold", "reports"].index)
    assert table_graph(SAMPLE) == graph
    # Job ids and line order in the dot text do not matter.
    lines = SAMPLE.splitlines()
    shuffled = "\n".join(lines[:4] + list(reversed(lines[4:-1])) + lines[-1:])
    assert table_graph(shuffled) == graph


def test_table_graph_handles_new_rules_generically():
    jobs = [
        "all",  # 0
        "run_manifest\\nrun_id: R1",  # 1
        "gold_build_mart\\nmart: fact_sales",  # 2
        "gold_layer_report",  # 3
        "run_manifest",  # 4 (a pass-through job)
        "gold_export_csv\\nmart: fact_sales",  # 5
        "run_summary_report",  # 6
        "run_diff",  # 7
        "run_complete",  # 8
        "gold_build_mart\\nmart: agg_sales",  # 9
    ]
    edges = [
        (1, 2), (2, 3), (3, 4), (2, 5), (5, 6), (4, 6), (1, 7), (2, 7),
        (6, 8), (7, 8), (8, 0), (5, 0), (4, 9), (2, 9), (3, 0),
    ]  # fmt: skip
    graph = table_graph(dag(jobs, edges))
    nodes = {node["id"]: node["layer"] for node in graph["nodes"]}
    assert nodes == {
        "gold:agg_sales": "gold",
        "gold:fact_sales": "gold",
        "report:gold_layer_report": "reports",
        "report:run_summary_report": "reports",
        "other:run_diff": "other",
    }
    assert graph["edges"] == [
        ["gold:fact_sales", "gold:agg_sales"],
        ["gold:fact_sales", "report:gold_layer_report"],
        ["gold:fact_sales", "report:run_summary_report"],  # through the CSV export
        ["gold:fact_sales", "other:run_diff"],
        ["report:gold_layer_report", "report:run_summary_report"],  # through a hidden job
    ]


def sample_manifest() -> dict:
    """The parts of the manifest of the run ``data/dag_sample.dot`` was planned for that the
    declared graph reads: its raw files and the Gold contracts it was made with."""
    raw = [path.split("/", 1) for path in TABLES]
    marts = [paths.contract_path("gold", mart).as_posix() for mart in sorted(MARTS)]
    return {
        "run_id": "20261202T050335Z_0e33812c",
        "raw_files": [{"source": s, "file": f, "path": f"raw/source_{s}/{f}"} for s, f in raw],
        "config_files": {path: "0" * 64 for path in marts},
    }


def test_the_declared_graph_is_the_table_graph_of_the_dag(graph, monkeypatch):
    """What the run declares (manifest, the marts' SQL models in config/) is what the real DAG
    of the run folds to; tests/e2e/test_lineage_graph_e2e.py holds the same on a fresh run."""
    monkeypatch.chdir(REPO)
    manifest = sample_manifest()
    assert run_graph(manifest, gold_inputs(manifest)) == graph


def test_the_declared_graph_of_a_run_without_gold_has_no_gold(graph):
    declared = run_graph(sample_manifest(), None)
    kept = {n["id"] for n in graph["nodes"] if n["layer"] != "gold"} - {"report:gold_layer_report"}
    assert {n["id"] for n in declared["nodes"]} == kept
    assert [e for e in graph["edges"] if set(e) <= kept] == declared["edges"]


def test_the_declared_graph_draws_no_edge_to_a_table_outside_the_run():
    manifest = {
        "run_id": "R",
        "raw_files": [{"source": "crm", "file": "a.csv", "path": "raw/source_crm/a.csv"}],
        "config_files": {"config/contracts/gold/m.yaml": "0" * 64},
    }
    declared = run_graph(manifest, {"m": {"silver": ["crm_a", "crm_gone"], "gold": ["nope"]}})
    assert ["silver:crm_a", "gold:m"] in declared["edges"]
    assert not [e for e in declared["edges"] if "gone" in e[0] or "nope" in e[0]]


def test_render_svg_draws_every_node_as_valid_xml(graph):
    svg = render_svg(graph, title="Lineage of run R & co")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'style="max-width:100%;height:auto"' in svg
    root = ET.fromstring(svg)
    assert root.get("viewBox")
    texts = {"".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {node["label"] for node in graph["nodes"]} <= texts
    assert "Lineage of run R & co" in texts
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) >= len(graph["edges"])
    # Six rows at most per column: the drawing stays short.
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert height < 400 and width < 1800


def test_render_svg_escapes_labels():
    text = dag(["gold_build_mart\\nmart: <script>alert(1)</script>", "gold_layer_report"], [(0, 1)])
    svg = render_svg(table_graph(text), title="<b>run</b>")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    ET.fromstring(svg)


def test_render_svg_of_an_empty_graph():
    svg = render_svg(table_graph(""))
    assert "No lineage" in ET.tostring(ET.fromstring(svg), encoding="unicode")


def test_render_uses_builtin_layout_without_dot(graph, monkeypatch):
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: None)
    assert render_with_graphviz(graph) is None
    svg, engine = render(graph)
    assert engine == "builtin"
    assert svg == render_svg(graph)


def test_render_falls_back_when_dot_fails(graph, monkeypatch):
    failing = shutil.which("false")
    if failing is None:
        pytest.skip("no `false` executable")
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: failing)
    assert render(graph)[1] == "builtin"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_render_uses_graphviz_when_dot_is_installed(graph):
    svg, engine = render(graph, title="Lineage <run>")
    assert engine == "graphviz"
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert 'style="max-width:100%;height:auto"' in svg
    root = ET.fromstring(svg)
    texts = {"".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {node["label"] for node in graph["nodes"]} <= texts
