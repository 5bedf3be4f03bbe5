"""Table-level lineage from the workflow's real DAG (``snakemake --dag``).

The caller runs ``snakemake --dag`` for the run and passes its Graphviz dot text here. Jobs are
folded into tables: a raw file, its Bronze copy, a Silver table, a Gold mart, a layer report.
Jobs that move no table of their own (the run manifest, quality gates, exports, aggregate
targets such as ``all``) are not drawn; lineage is connected through them instead.
"""

from __future__ import annotations

import re

LAYERS = ("raw", "bronze", "silver", "gold", "reports")


DATA_LAYERS = ("raw", "bronze", "silver", "gold")


# Targets that only collect other jobs' outputs: they carry no lineage of their own.
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
    return (
        rule in AGGREGATE_RULES
        or rule in PASS_THROUGH_RULES
        or rule.endswith("_quality_gate")
        or "_export" in rule
    )


def _table_node(job: dict, raw_dir: str) -> dict | None:
    """The drawn node a job stands for, or None for a hidden job."""
    rule, wildcards = job["rule"], job["wildcards"]
    if _is_hidden(rule):
        return None
    if rule == "bronze_copy_file":
        path = f"{wildcards.get('source', '?')}/{wildcards.get('file', '?')}"
        return {"id": f"bronze:{path}", "label": path, "layer": "bronze"}
    if rule == "silver_clean_table":
        table = wildcards.get("table", "?")
        return {"id": f"silver:{table}", "label": table, "layer": "silver"}
    if rule == "gold_build_mart":
        mart = wildcards.get("mart", "?")
        return {"id": f"gold:{mart}", "label": mart, "layer": "gold"}
    # Unknown rules stay visible; their wildcards tell jobs of one rule apart.
    values = [wildcards[name] for name in sorted(wildcards)]
    suffix = "".join(f":{value}" for value in values)
    label = rule + (f" ({', '.join(values)})" if values else "")
    layer = "reports" if rule.endswith("_report") else "other"
    return {
        "id": f"{'report' if layer == 'reports' else 'other'}:{rule}{suffix}",
        "label": label,
        "layer": layer,
    }


def layer_rank(layer: str) -> tuple[int, str]:
    """Sort key: the known layers in pipeline order, any other layer after them by name."""
    return (LAYERS.index(layer), "") if layer in LAYERS else (len(LAYERS), layer)


def label_key(node: dict) -> tuple[str, str, str]:
    return (node["label"].casefold(), node["label"], node["id"])


def table_graph(text: str, raw_dir: str = "raw") -> dict:
    """Fold ``snakemake --dag`` output into ``{"nodes": [...], "edges": [[from, to], ...]}``.

    Each Bronze copy job also yields its raw file (``raw_dir/source_<source>/<file>``). An edge
    is drawn between two visible nodes when the DAG links their jobs directly or through hidden
    jobs. A path through a quality gate is a control dependency (the gate only decides whether
    the next layer may run), so it may end at a report or other node but never at a table:
    Silver -> Gold lineage comes from the DAG's direct edges only.
    """
    jobs, job_edges = parse_dot(text)
    nodes: dict[str, dict] = {}
    job_node: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for job_id, job in jobs.items():
        node = _table_node(job, raw_dir)
        if node is None:
            continue
        nodes[node["id"]] = node
        job_node[job_id] = node["id"]
        if job["rule"] == "bronze_copy_file":
            wildcards = job["wildcards"]
            source, name = wildcards.get("source", "?"), wildcards.get("file", "?")
            raw = {
                "id": f"raw:{source}/{name}",
                "label": f"{raw_dir}/source_{source}/{name}",
                "layer": "raw",
            }
            nodes[raw["id"]] = raw
            edges.add((raw["id"], node["id"]))

    successors: dict[str, list[str]] = {}
    for src, dst in job_edges:
        successors.setdefault(src, []).append(dst)

    for start, start_node in job_node.items():
        # Walk forward through hidden jobs until visible ones; remember crossing a gate.
        stack = [(dst, False) for dst in successors.get(start, [])]
        seen = set()
        while stack:
            job_id, gated = stack.pop()
            if (job_id, gated) in seen:
                continue
            seen.add((job_id, gated))
            if job_id in job_node:
                target = nodes[job_node[job_id]]
                if target["id"] != start_node and not (gated and target["layer"] in DATA_LAYERS):
                    edges.add((start_node, target["id"]))
                continue
            gated = gated or jobs[job_id]["rule"].endswith("_quality_gate")
            stack.extend((dst, gated) for dst in successors.get(job_id, []))

    ordered = sorted(nodes.values(), key=lambda n: (layer_rank(n["layer"]), *label_key(n)))
    position = {node["id"]: i for i, node in enumerate(ordered)}
    edge_list = sorted(edges, key=lambda e: (position[e[0]], position[e[1]]))
    return {"nodes": ordered, "edges": [[src, dst] for src, dst in edge_list]}
