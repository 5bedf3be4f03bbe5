"""The lineage graph (``warehouse.lineage.graph``) drawn as inline SVG.

The SVG is laid out in pure Python so the report renders on machines without Graphviz; when the
``dot`` executable is installed, :func:`render` lets Graphviz lay out the same graph instead.
Every label is data (file and table names), so all text is escaped here.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from itertools import pairwise

from warehouse.lineage.graph import label_key, layer_rank

LAYER_COLORS = {  # fill, stroke
    "raw": ("#eef0f3", "#7b8794"),
    "bronze": ("#f6e3cf", "#b0703c"),
    "silver": ("#e6edf5", "#6f8aa8"),
    "gold": ("#fbefc4", "#b8912a"),
    "reports": ("#e3f0e6", "#4f8a5b"),
}


OTHER_COLORS = ("#eee8f6", "#7d6aa6")


TEXT = "#243b53"


EDGE = "#bcc5cf"


EDGE_DATA = "#7b8794"


# Builtin layout sizes (px). Labels use a monospace font so their width is predictable.
_FONT = "ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace"


_CHAR_W = 7.3


_BOX_H = 24


_ROW_GAP = 10


_SUB_GAP = 40  # between sub-columns of one layer


_LAYER_GAP = 64


_MARGIN = 16


_TOP = 74  # title and layer headers above the nodes


_MAX_CHARS = 44


def _short(label: str) -> str:
    return label if len(label) <= _MAX_CHARS else label[: _MAX_CHARS - 1] + "…"


def _columns(graph: dict) -> list[tuple[str, list[dict]]]:
    """Nodes grouped into columns: one per layer, split when a layer's nodes feed each other.

    A layer whose tables depend on each other (Gold: dimensions -> fact -> aggregates) gets one
    sub-column per dependency depth, so those edges also run left to right.
    """
    by_layer: dict[str, list[dict]] = {}
    for node in graph["nodes"]:
        by_layer.setdefault(node["layer"], []).append(node)
    layer_of = {node["id"]: node["layer"] for node in graph["nodes"]}
    columns = []
    for layer in sorted(by_layer, key=layer_rank):
        members = by_layer[layer]
        inner = [
            (a, b)
            for a, b in graph["edges"]
            if layer_of.get(a) == layer and layer_of.get(b) == layer and a != b
        ]
        depth = {node["id"]: 0 for node in members}
        # Longest path by relaxation; the cap keeps a (never expected) cycle from looping.
        for _ in range(len(members)):
            changed = False
            for a, b in inner:
                if depth[a] + 1 > depth[b] and depth[a] + 1 < len(members):
                    depth[b] = depth[a] + 1
                    changed = True
            if not changed:
                break
        for level in range(max(depth.values()) + 1):
            column = sorted((n for n in members if depth[n["id"]] == level), key=label_key)
            if column:
                columns.append((layer, column))
    return columns


def _colors(layer: str) -> tuple[str, str]:
    return LAYER_COLORS.get(layer, OTHER_COLORS)


def _edge_path(points: list[tuple[float, float]]) -> str:
    """Path through (right side, next left side) pairs: curves between columns, straight across."""
    (x, y), rest = points[0], points[1:]
    parts = [f"M{x:.1f},{y:.1f}"]
    for i, (nx, ny) in enumerate(rest):
        if i % 2 == 0:  # from a column's right side to the next column's left side
            bend = max((nx - x) / 2, 30)
            parts.append(f"C{x + bend:.1f},{y:.1f} {nx - bend:.1f},{ny:.1f} {nx:.1f},{ny:.1f}")
        else:  # straight through a column, in a gap between its boxes
            parts.append(f"L{nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(parts)


def render_svg(graph: dict, title: str = "Lineage") -> str:
    """Lay out the table graph in columns (raw, bronze, silver, gold, reports) as inline SVG.

    Nodes are stacked in each column sorted by label; edges are cubic curves from a node's right
    side to the next node's left side. An edge that skips columns threads through the gap nearest
    to its straight line in each column it crosses, so it never runs behind a box.
    """
    columns = _columns(graph)
    rows = max((len(nodes) for _, nodes in columns), default=0)
    nodes_h = max(rows * (_BOX_H + _ROW_GAP) - _ROW_GAP, _BOX_H)

    # Horizontal placement: column widths from their longest label.
    col_x, col_w = [], []
    x = _MARGIN
    for i, (layer, nodes) in enumerate(columns):
        if i:
            x += _SUB_GAP if columns[i - 1][0] == layer else _LAYER_GAP
        width = max(max(len(_short(n["label"])) for n in nodes) * _CHAR_W + 20, 84)
        col_x.append(x)
        col_w.append(width)
        x += width
    width = max(x + _MARGIN, 420)

    # Vertical placement: each column centred against the tallest one.
    box = {}  # node id -> (column index, x, y)
    for i, (_, nodes) in enumerate(columns):
        top = _TOP + (nodes_h - (len(nodes) * (_BOX_H + _ROW_GAP) - _ROW_GAP)) / 2
        for j, node in enumerate(nodes):
            box[node["id"]] = (i, col_x[i], top + j * (_BOX_H + _ROW_GAP))

    legend_y = _TOP + nodes_h + 30
    height = legend_y + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'style="max-width:100%;height:auto" font-family="system-ui,sans-serif">',
        '<defs><marker id="lineage-arrow" viewBox="0 0 8 8" refX="7" refY="4" '
        'markerWidth="7" markerHeight="7" orient="auto">'
        f'<path d="M0,0 L8,4 L0,8 z" fill="{EDGE_DATA}"/></marker></defs>',
        f'<text x="{_MARGIN}" y="24" font-size="15" font-weight="600" fill="{TEXT}">'
        f"{escape(title)}</text>",
    ]

    # Layer headers, centred over all sub-columns of the layer.
    spans: dict[str, list[float]] = {}
    for i, (layer, _) in enumerate(columns):
        span = spans.setdefault(layer, [col_x[i], col_x[i] + col_w[i]])
        span[1] = col_x[i] + col_w[i]
    for layer, (left, right) in spans.items():
        parts.append(
            f'<text x="{(left + right) / 2:.1f}" y="{_TOP - 16}" font-size="12" '
            f'font-weight="600" text-anchor="middle" fill="{_colors(layer)[1]}" '
            f'letter-spacing="0.06em">{escape(layer.upper())}</text>'
        )

    def centre(node_id: str) -> float:
        return box[node_id][2] + _BOX_H / 2

    # Edges from one column to one target share their lanes, so they merge into one bundle.
    bundles: dict[tuple[int, str], list[float]] = {}
    for src, dst in graph["edges"]:
        if src in box and dst in box:
            bundles.setdefault((box[src][0], dst), []).append(centre(src))

    def lane(k: int, src: str, dst: str) -> float:
        """The free y in crossed column ``k`` (above, between or below its boxes) nearest to
        the straight line from the bundle's mean source to the target."""
        ci, cj = box[src][0], box[dst][0]
        sources = bundles[(ci, dst)]
        y1, y2 = sum(sources) / len(sources), centre(dst)
        x1, x2 = col_x[ci] + col_w[ci], col_x[cj]
        ideal = y1 + (col_x[k] + col_w[k] / 2 - x1) / (x2 - x1) * (y2 - y1)
        ys = [box[n["id"]][2] for n in columns[k][1]]
        free = [ys[0] - _ROW_GAP / 2] + [y + _BOX_H + _ROW_GAP / 2 for y in ys]
        return min(free, key=lambda y: abs(y - ideal))

    # Edges into reports are drawn light (solid: dashes of bundled edges would blur into a
    # solid line anyway): reports consume tables and feed none, so the data path stands out.
    to_report = {n["id"] for n in graph["nodes"] if n["layer"] == "reports"}
    edge_groups = {True: [], False: []}
    for src, dst in graph["edges"]:
        if src not in box or dst not in box:
            continue
        (ci, x1, _), (cj, x2, _) = box[src], box[dst]
        points = [(x1 + col_w[ci], centre(src))]
        for k in range(ci + 1, cj):  # columns the edge crosses
            y = lane(k, src, dst)
            points += [(col_x[k], y), (col_x[k] + col_w[k], y)]
        points.append((x2, centre(dst)))
        edge_groups[dst in to_report].append(
            f'<path d="{_edge_path(points)}" marker-end="url(#lineage-arrow)">'
            f"<title>{escape(src)} → {escape(dst)}</title></path>"
        )
    parts += [
        f'<g fill="none" stroke="{EDGE}" stroke-width="1.1">',
        *edge_groups[True],
        "</g>",
        f'<g fill="none" stroke="{EDGE_DATA}" stroke-width="1.4">',
        *edge_groups[False],
        "</g>",
    ]

    for i, (layer, nodes) in enumerate(columns):
        fill, stroke = _colors(layer)
        for node in nodes:
            _, x, y = box[node["id"]]
            parts.append(
                f"<g><title>{escape(node['id'])}</title>"
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w[i]:.1f}" height="{_BOX_H}" '
                f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>'
                f'<text x="{x + 10:.1f}" y="{y + _BOX_H / 2 + 4:.1f}" font-size="12" '
                f'font-family="{_FONT}" fill="{TEXT}">{escape(_short(node["label"]))}</text></g>'
            )

    # Legend: one swatch per layer shown, with its node count.
    x = _MARGIN
    for layer in spans:
        fill, stroke = _colors(layer)
        count = sum(1 for node in graph["nodes"] if node["layer"] == layer)
        text = f"{layer} ({count})"
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" rx="3" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{x + 17}" y="{legend_y}" font-size="11" '
            f'fill="{TEXT}">{escape(text)}</text>'
        )
        x += 17 + len(text) * 6.5 + 16
    if not columns:
        parts.append(
            f'<text x="{_MARGIN}" y="{_TOP + 16}" font-size="12" fill="{TEXT}">'
            "No lineage: the DAG has no table jobs.</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _dot_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: dict, title: str = "Lineage") -> str:
    """The table graph as Graphviz dot text, left to right, with the builtin layout's columns."""
    ids = {node["id"]: f"n{i}" for i, node in enumerate(graph["nodes"])}
    layers = sorted({node["layer"] for node in graph["nodes"]}, key=layer_rank)
    legend = "".join(
        f'<td bgcolor="{_colors(layer)[0]}" color="{_colors(layer)[1]}" border="1">'
        f"{escape(layer)}</td>"
        for layer in layers
    )
    lines = [
        "digraph lineage {",
        "  rankdir=LR; nodesep=0.15; ranksep=0.6; bgcolor=white; labelloc=t; labeljust=l;",
        '  fontname="Helvetica,Arial,sans-serif"; fontsize=11;',
        f'  label=<<table border="0" cellspacing="4"><tr><td colspan="{max(len(layers), 1)}" '
        f'align="left"><b>{escape(title)}</b></td></tr><tr>{legend}</tr></table>>;',
        f'  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10, '
        f'height=0.3, fontcolor="{TEXT}"];',
        f'  edge [color="{EDGE_DATA}", arrowsize=0.6];',
    ]
    # The builtin layout's columns become ranks, chained by invisible edges so that they keep
    # their order even where no real edge links two neighbouring columns; Graphviz then
    # orders the nodes within each rank and routes the edges.
    columns = _columns(graph)
    for layer, nodes in columns:
        fill, stroke = _colors(layer)
        lines.append("  subgraph { rank=same;")
        for node in nodes:
            lines.append(
                f"    {ids[node['id']]} [label={_dot_quote(node['label'])}, "
                f'tooltip={_dot_quote(node["id"])}, fillcolor="{fill}", color="{stroke}"];'
            )
        lines.append("  }")
    for (_, left), (_, right) in pairwise(columns):
        lines.append(f"  {ids[left[0]['id']]} -> {ids[right[0]['id']]} [style=invis];")
    layer_of = {node["id"]: node["layer"] for node in graph["nodes"]}
    for src, dst in graph["edges"]:
        if src in ids and dst in ids:
            # As in the builtin layout, edges into reports are light so the data path stands out.
            style = f' [color="{EDGE}", weight=0]' if layer_of[dst] == "reports" else ""
            lines.append(f"  {ids[src]} -> {ids[dst]}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_with_graphviz(graph: dict, title: str = "Lineage") -> str | None:
    """The table graph laid out by Graphviz ``dot``, or None when dot is missing or fails."""
    dot = shutil.which("dot")
    if not dot:
        return None
    try:
        result = subprocess.run(
            [dot, "-Tsvg"],
            input=to_dot(graph, title),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    start = result.stdout.find("<svg")
    if result.returncode != 0 or start < 0:
        return None
    # Drop the XML prolog and doctype so the element can be inlined in HTML.
    svg = result.stdout[start:].strip()
    return '<svg style="max-width:100%;height:auto"' + svg[len("<svg") :]


def render(graph: dict, title: str = "Lineage") -> tuple[str, str]:
    """``(svg, engine)``: Graphviz's layout when ``dot`` works, else the builtin one."""
    svg = render_with_graphviz(graph, title)
    if svg is not None:
        return svg, "graphviz"
    return render_svg(graph, title), "builtin"
