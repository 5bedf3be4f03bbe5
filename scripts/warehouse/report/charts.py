"""Small inline SVG charts for the HTML reports: no JavaScript, no external files.

Labels are data (country and category names), so every text is escaped here: the templates
insert the returned markup as it is.
"""

from __future__ import annotations

from html import escape

BAR = "#2f5d8a"
MUTED = "#9fb3c8"
TEXT = "#334e68"


def _fmt(value: float) -> str:
    """1234567 -> '1.2M', 4321 -> '4.3k'."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:,.0f}"


def column_chart(labels: list[str], values: list[float], title: str, highlight: str = "") -> str:
    """Vertical bars, one per label (e.g. months); the ``highlight`` label is drawn muted."""
    width, height, top, bottom, left = 760, 220, 28, 46, 46
    plot_h = height - top - bottom
    n = max(len(values), 1)
    step = (width - left - 10) / n
    peak = max([v for v in values if v is not None] or [0]) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" style="width:100%;max-width:{width}px">',
        f'<text x="{left}" y="16" font-size="13" fill="{TEXT}" font-weight="600">'
        f"{escape(title)}</text>",
        f'<text x="{left - 6}" y="{top + 4}" font-size="10" fill="{TEXT}" text-anchor="end">'
        f"{_fmt(peak)}</text>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>',
    ]
    label_every = max(1, n // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * (value or 0) / peak
        x = left + i * step
        color = MUTED if label == highlight else BAR
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="{color}"><title>{escape(str(label))}: '
            f"{_fmt(value or 0)}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
                f'fill="{TEXT}" text-anchor="middle">{escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(labels: list[str], values: list[float], title: str) -> str:
    """Horizontal bars, largest first (e.g. countries or categories)."""
    pairs = sorted(zip(labels, values, strict=True), key=lambda p: -(p[1] or 0))
    row, top, left, width = 22, 28, 150, 760
    height = top + row * max(len(pairs), 1) + 8
    peak = max([v or 0 for _, v in pairs] or [0]) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" style="width:100%;max-width:{width}px">',
        f'<text x="0" y="16" font-size="13" fill="{TEXT}" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(pairs):
        y = top + i * row
        bar_w = (width - left - 80) * (value or 0) / peak
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" font-size="11" fill="{TEXT}" '
            f'text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{bar_w:.1f}" height="{row - 7}" fill="{BAR}"/>'
            f'<text x="{left + bar_w + 6:.1f}" y="{y + 14}" font-size="11" fill="{TEXT}">'
            f"{_fmt(value or 0)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def sales_charts(series: dict[str, dict[str, float]], missing_month: str = "unknown") -> list[str]:
    """The Gold report's (and run summary's) charts from ``series``: sales by order month
    (the month of lines without an order date drawn muted), by country and by category."""
    svgs = []
    if "sales_by_month" in series:
        monthly = series["sales_by_month"]
        svgs.append(
            column_chart(
                list(monthly), list(monthly.values()), "Sales by order month", missing_month
            )
        )
    for name, title in (
        ("sales_by_country", "Sales by country"),
        ("sales_by_category", "Sales by product category"),
    ):
        if name in series:
            svgs.append(bar_chart(list(series[name]), list(series[name].values()), title))
    return svgs
