"""Table schemas as the layers record them (lists of ``{"name", "type"}``) and how two compare."""

from __future__ import annotations


def reordered(a: list[str], b: list[str]) -> bool:
    """Whether the names both lists share appear in a different order."""
    in_a, in_b = set(a), set(b)
    return [n for n in a if n in in_b] != [n for n in b if n in in_a]


def schema_changes(a: list[dict], b: list[dict]) -> dict:
    """Columns added, removed, retyped and whether shared columns were reordered, A to B.

    ``a`` and ``b`` are schemas as the layers write them: lists of ``{"name", "type"}``.
    """
    types_a = {c["name"]: c.get("type") for c in a or []}
    types_b = {c["name"]: c.get("type") for c in b or []}
    return {
        "added": [{"name": n, "type": t} for n, t in types_b.items() if n not in types_a],
        "removed": [{"name": n, "type": t} for n, t in types_a.items() if n not in types_b],
        "type_changed": [
            {"name": n, "from": t, "to": types_b[n]}
            for n, t in types_a.items()
            if n in types_b and types_b[n] != t
        ],
        "reordered": reordered(list(types_a), list(types_b)),
    }
