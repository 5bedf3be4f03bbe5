"""The table graph of ``snakemake --dag`` output: the yardstick of the declared lineage.

The pipeline draws a run's lineage from what the run declares (:mod:`warehouse.lineage.graph`);
this module folds the workflow's real job graph into the same shape, so that a test can hold the
two equal (``tests/e2e/test_lineage_graph_e2e.py``), and so that anyone can fold the job graph of
an invocation themselves (``snakemake all --dag --config run_id=<id>``).

Jobs are folded into tables: a raw file, its Bronze copy, a Silver table, a Gold mart, a layer
report. Jobs that move no table of their own (the run manifest, exports, the final status,
aggregate targets such as ``all``) are not drawn; lineage is connected through them instead.
"""

from __future__ import annotations

import re

from warehouse.lineage.graph import (
    DATA_LAYERS,
    bronze_node,
    gold_node,
    ordered,
    raw_node,
    report_node,
    silver_node,
)

# Targets that only collect other jobs' outputs, and the run's final status: they carry no
# lineage of their own.
AGGREGATE_RULES = frozenset({"all", "bronze", "silver", "gold", "run_complete"})


# Jobs that are not tables but sit on the data path: lineage flows straight through them.
PASS_THROUGH_RULES = frozenset({"run_manifest"})


_NODE_RE = re.compile(r"^\s*(\w+)\s*\[(.*)\]\s*;?\s*$")


_EDGE_RE = re.compile(r"^\s*(\w+)\s*->\s*(\w+)")


_LABEL_RE = re.compile(r'label\s*=\s*"((?:[^"\\]|\\.)*)"')


def parse_dot(text: str) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """Job nodes ``{id: {"rule", "wildcards"}}`` and job edges from ``snakemake --dag`` output.

    Snakemake labels a job ``rule\\nname: value\\n...`` and lists only the wildcards that job
    introduces. Lines that are neither a node nor an edge (graph settings, log lines) are skipped.
    """
    nodes: dict[str, dict] = {}
    edges: list[tuple[str, str]] = []
    for line in text.splitlines():
        edge = _EDGE_RE.match(line)
        if edge:
            edges.append((edge.group(1), edge.group(2)))
            continue
        node = _NODE_RE.match(line)
        if not node or node.group(1) in ("graph", "node", "edge"):
            continue
        label = _LABEL_RE.search(node.group(2))
        if not label:
            continue
        # The label's line breaks are the two characters backslash and n, not newlines.
        rule, *rest = [part.replace('\\"', '"') for part in label.group(1).split("\\n")]
        wildcards = {}
        for part in rest:
            name, sep, value = part.partition(": ")
            if sep:
                wildcards[name.strip()] = value
        nodes[node.group(1)] = {"rule": rule.strip(), "wildcards": wildcards}
    edges = [(a, b) for a, b in edges if a in nodes and b in nodes]
    return nodes, edges


def _is_hidden(rule: str) -> bool:
    """Whether a job is folded away (lineage passes through it) instead of drawn."""
    return rule in AGGREGATE_RULES or rule in PASS_THROUGH_RULES or "_export" in rule


def _table_node(job: dict) -> dict | None:
    """The drawn node a job stands for, or None for a hidden job."""
    rule, wildcards = job["rule"], job["wildcards"]
    if _is_hidden(rule):
        return None
    if rule == "bronze_copy_file":
        return bronze_node(wildcards.get("source", "?"), wildcards.get("file", "?"))
    if rule == "silver_clean_table":
        return silver_node(wildcards.get("table", "?"))
    if rule == "gold_build_mart":
        return gold_node(wildcards.get("mart", "?"))
    # Unknown rules stay visible; their wildcards tell jobs of one rule apart.
    values = [wildcards[name] for name in sorted(wildcards)]
    if rule.endswith("_report") and not values:
        return report_node(rule)
    suffix = "".join(f":{value}" for value in values)
    label = rule + (f" ({', '.join(values)})" if values else "")
    layer = "reports" if rule.endswith("_report") else "other"
    return {
        "id": f"{'report' if layer == 'reports' else 'other'}:{rule}{suffix}",
        "label": label,
        "layer": layer,
    }


def table_graph(text: str, raw_dir: str = "raw") -> dict:
    """Fold ``snakemake --dag`` output into ``{"nodes": [...], "edges": [[from, to], ...]}``.

    Each Bronze copy job also yields its raw file (``raw_dir/source_<source>/<file>``). An edge
    is drawn between two visible nodes when the DAG links their jobs directly or through hidden
    jobs. An edge from a layer report to a table is a control dependency (the report's job also
    writes the layer's quality gate, which only decides whether the next layer may run), so it
    is not drawn: Silver -> Gold lineage comes from the marts' own inputs.
    """
    jobs, job_edges = parse_dot(text)
    nodes: dict[str, dict] = {}
    job_node: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for job_id, job in jobs.items():
        node = _table_node(job)
        if node is None:
            continue
        nodes[node["id"]] = node
        job_node[job_id] = node["id"]
        if job["rule"] == "bronze_copy_file":
            wildcards = job["wildcards"]
            source, name = wildcards.get("source", "?"), wildcards.get("file", "?")
            raw = raw_node(source, name, f"{raw_dir}/source_{source}/{name}")
            nodes[raw["id"]] = raw
            edges.add((raw["id"], node["id"]))

    successors: dict[str, list[str]] = {}
    for src, dst in job_edges:
        successors.setdefault(src, []).append(dst)

    for start, start_node in job_node.items():
        # Walk forward through hidden jobs until visible ones.
        stack = list(successors.get(start, []))
        seen = set()
        while stack:
            job_id = stack.pop()
            if job_id in seen:
                continue
            seen.add(job_id)
            if job_id not in job_node:
                stack.extend(successors.get(job_id, []))
                continue
            target = nodes[job_node[job_id]]
            control = nodes[start_node]["layer"] == "reports" and target["layer"] in DATA_LAYERS
            if target["id"] != start_node and not control:
                edges.add((start_node, target["id"]))

    return ordered(nodes, edges)
