"""HTML reports: jinja2 templates with autoescaping, self-contained (inline CSS, no CDN).

Every data value reaches the page through the template engine's escaping, so a customer named
``<script>`` is shown as text. Templates live in ``templates/`` beside this module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["bytes"] = human_bytes
    env.filters["pairs"] = pairs
    return env


def pairs(row: dict) -> str:
    """{"id": "AC_BR", "n": 2} -> 'id: AC_BR, n: 2' (escaped by the template, unlike tojson's
    \\u003c escapes, which are safe but unreadable)."""
    return ", ".join(f"{key}: {'∅' if value is None else value}" for key, value in row.items())


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def render(template: str, **context) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return _environment().get_template(template).render(**context)
