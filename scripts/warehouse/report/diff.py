"""Comparing two runs: what changed between run A and run B, layer by layer, for reviewers.

The comparison reads only what the runs already wrote: each layer's ``metadata.yaml`` (row
counts, schemas, checksums), the ``checks.json`` files, and, for Gold marts whose content
checksum differs, the two Parquet tables themselves (compared by :mod:`warehouse.report.row_diff`:
on the mart's key when it has one, else as multisets of whole rows).

The result is plain JSON (ints, floats, strings, lists, dicts, None) and deterministic: the same
two runs always give the same dict; :func:`diff_report` adds the timestamp and the HTML page.
"""

from __future__ import annotations

from pathlib import Path

from warehouse import __version__
from warehouse.core import paths
from warehouse.core.io import read_json, read_yaml, utc_now
from warehouse.core.parquet import read_parquet
from warehouse.core.schemas import reordered, schema_changes
from warehouse.report.render import render
from warehouse.report.row_diff import keyed_diff, unkeyed_diff

SCHEMA_VERSION = 1
LAYERS = ("bronze", "silver", "gold")
FINGERPRINT_PARTS = ("raw", "code", "config", "software")

_METADATA = {
    "bronze": paths.BRONZE_METADATA,
    "silver": paths.SILVER_METADATA,
    "gold": paths.GOLD_METADATA,
}
_CHECKS = {"silver": paths.SILVER_CHECKS, "gold": paths.GOLD_CHECKS}
_RUN_DIRS = (paths.RUN_DIR, paths.BRONZE_DIR, paths.SILVER_DIR, paths.GOLD_DIR)
# Where each layer's metadata lists its tables.
_TABLE_LISTS = {"bronze": "files", "silver": "tables", "gold": "marts"}


# --- schemas ------------------------------------------------------------------------------


def _header_changes(a: list[str], b: list[str]) -> dict:
    """Bronze header names added, removed, and whether the shared ones were reordered."""
    return {
        "added": [n for n in b if n not in set(a)],
        "removed": [n for n in a if n not in set(b)],
        "reordered": reordered(a, b),
    }


def _has_changes(changes: dict | None) -> bool:
    """Whether a schema or header diff records any change."""
    return bool(changes) and any(changes[k] for k in changes)


# --- layers -------------------------------------------------------------------------------


def _read_optional(path: Path, reader) -> object | None:
    """The parsed file, or None when the run never wrote it."""
    return reader(path) if path.is_file() else None


def _count(a: object, b: object) -> dict:
    """A count in both runs and its change (None when either side has no count)."""
    delta = b - a if isinstance(a, int) and isinstance(b, int) else None
    return {"a": a, "b": b, "delta": delta}


def _same(a: object, b: object) -> bool | None:
    """Whether two checksums match; None when either run did not record one."""
    return None if a is None or b is None else a == b


def _table_name(layer: str, entry: dict) -> str:
    """How a layer's table is named in the diff: Bronze files as ``source/file``."""
    if layer == "bronze":
        return f"{entry.get('source')}/{entry.get('file')}"
    return entry.get("table")


def _compare_bronze(x: dict, y: dict) -> dict:
    """One raw file in both runs (either may be ``{}``: the file is in one run only)."""
    both = bool(x) and bool(y)
    return {
        "data_rows": _count(x.get("data_rows"), y.get("data_rows")),
        "sha256_equal": _same(x.get("sha256"), y.get("sha256")),
        "header_changes": (
            _header_changes(x.get("header") or [], y.get("header") or []) if both else None
        ),
    }


def _compare_silver(x: dict, y: dict) -> dict:
    """One Silver table in both runs (either may be ``{}``)."""
    both = bool(x) and bool(y)
    return {
        "rows_out": _count(x.get("rows_out"), y.get("rows_out")),
        "rows_quarantined": _count(x.get("rows_quarantined"), y.get("rows_quarantined")),
        "schema_changes": (
            schema_changes(x.get("schema_out"), y.get("schema_out")) if both else None
        ),
        "content_equal": _same(
            (x.get("output") or {}).get("content_sha256"),
            (y.get("output") or {}).get("content_sha256"),
        ),
    }


def _compare_gold(x: dict, y: dict) -> dict:
    """One Gold mart in both runs (either may be ``{}``); its row diff is added later."""
    entry = _compare_silver(x, y)
    del entry["rows_quarantined"]
    return {"key": {"a": x.get("key"), "b": y.get("key")}, **entry}


_COMPARE = {"bronze": _compare_bronze, "silver": _compare_silver, "gold": _compare_gold}


def _entry_changed(entry: dict) -> bool:
    """Whether anything recorded for a table present in both runs differs."""
    counts = [v for v in entry.values() if isinstance(v, dict) and "delta" in v]
    row_diff = entry.get("row_diff") or {}
    return (
        any(c["delta"] not in (0, None) for c in counts)
        or entry.get("sha256_equal") is False
        or entry.get("content_equal") is False
        or _has_changes(entry.get("header_changes"))
        or _has_changes(entry.get("schema_changes"))
        or bool(row_diff.get("added") or row_diff.get("removed") or row_diff.get("changed"))
    )


def _compare_layer(layer: str, meta_a: dict | None, meta_b: dict | None) -> dict:
    """One layer's tables side by side; a layer a run did not write is reported, not compared."""
    result = {
        "missing_in": [side for side, meta in (("a", meta_a), ("b", meta_b)) if meta is None],
        "status": {"a": (meta_a or {}).get("status"), "b": (meta_b or {}).get("status")},
        "tables_added": [],
        "tables_removed": [],
        "tables": [],
    }
    if result["missing_in"]:
        return result
    list_key = _TABLE_LISTS[layer]
    tables_a = {_table_name(layer, t): t for t in meta_a.get(list_key) or []}
    tables_b = {_table_name(layer, t): t for t in meta_b.get(list_key) or []}
    for name in [*tables_a, *(n for n in tables_b if n not in tables_a)]:
        x, y = tables_a.get(name), tables_b.get(name)
        entry = {"name": name, "status": None, **_COMPARE[layer](x or {}, y or {})}
        if y is None:
            entry["status"] = "removed"
            result["tables_removed"].append(name)
        elif x is None:
            entry["status"] = "added"
            result["tables_added"].append(name)
        result["tables"].append(entry)
    return result


def _gold_row_diffs(gold: dict, root: Path, run_a: str, run_b: str, sample_size: int) -> None:
    """Add a ``row_diff`` to every Gold mart in both runs whose content is not known equal."""
    for entry in gold["tables"]:
        entry["row_diff"] = None
        if entry["status"] is not None or entry["content_equal"] is True:
            continue
        files = [
            paths.at(paths.GOLD_DATA, root, run_id=run, mart=entry["name"])
            for run in (run_a, run_b)
        ]
        absent = [p.as_posix() for p in files if not p.is_file()]
        if absent:
            entry["row_diff"] = {"method": "skipped", "reason": f"no data file: {absent}"}
            continue
        a, b = read_parquet(files[0]), read_parquet(files[1])
        key_a, key_b = entry["key"]["a"], entry["key"]["b"]
        note = None
        if key_a and key_a == key_b:
            try:
                entry["row_diff"] = keyed_diff(a, b, key_a, sample_size)
                continue
            except ValueError as exc:
                note = f"compared as whole rows: {exc}"
        elif key_a or key_b:
            note = f"compared as whole rows: the key changed from {key_a} to {key_b}"
        entry["row_diff"] = {**unkeyed_diff(a, b, sample_size), "note": note}


def _check_changes(checks_a: dict | None, checks_b: dict | None, layer: str) -> list[dict]:
    """Checks whose status differs, or that exist in one run only, within one layer."""
    if checks_a is None or checks_b is None:
        return []  # the layer itself is reported missing; listing all its checks is noise

    def index(checks: dict) -> dict:
        return {(c.get("table"), c.get("id")): c for c in checks.get("results") or []}

    in_a, in_b = index(checks_a), index(checks_b)
    changes = []
    for table, check_id in [*in_a, *(k for k in in_b if k not in in_a)]:
        x, y = in_a.get((table, check_id)), in_b.get((table, check_id))
        status_a = x.get("status") if x else None
        status_b = y.get("status") if y else None
        if x is not None and y is not None and status_a == status_b:
            continue
        changes.append(
            {
                "layer": layer,
                "table": table,
                "id": check_id,
                "severity": (y or x).get("severity"),
                "from": status_a,
                "to": status_b,
                "failing_rows": _count(
                    (x or {}).get("failing_rows"), (y or {}).get("failing_rows")
                ),
            }
        )
    return changes


# --- runs ---------------------------------------------------------------------------------


def _require_run(run_id: str, root: Path) -> None:
    """Raise a ValueError naming the run and the folders searched when it has no artifacts."""
    if not run_id or run_id in (".", "..") or "/" in run_id or "\\" in run_id:
        raise ValueError(f"{run_id!r} is not a run id (a single folder name is expected)")
    folders = [paths.at(template, root, run_id=run_id) for template in _RUN_DIRS]
    if any(folder.is_dir() for folder in folders):
        return
    known = [values["run_id"] for values, _ in paths.find_folders(paths.RUN_DIR, root)]
    hint = f" Known runs: {', '.join(known[-10:])}." if known else " No runs found there."
    raise ValueError(
        f"run {run_id!r} has no artifacts: looked for "
        f"{', '.join(f.as_posix() for f in folders)}.{hint}"
    )


def _fingerprint(root: Path, run_id: str, metas: dict) -> dict:
    """The run's fingerprint parts, from its manifest or else from any layer's metadata."""
    manifest = _read_optional(paths.at(paths.RUN_MANIFEST, root, run_id=run_id), read_yaml)
    for source in (manifest, *metas.values()):
        if isinstance(source, dict) and isinstance(source.get("fingerprint"), dict):
            return source["fingerprint"]
    return {}


def _ingestion_date(metas: dict) -> str | None:
    """The run's ingestion date, from the first layer that recorded one."""
    for meta in metas.values():
        if meta and meta.get("ingestion_date"):
            return str(meta["ingestion_date"])
    return None


def diff_runs(run_a: str, run_b: str, root: str | Path = ".", sample_size: int = 5) -> dict:
    """Everything that differs between runs ``run_a`` and ``run_b`` of the workspace ``root``,
    as a JSON-ready dict.

    Layers a run did not write (Gold when a quality gate closed, say) are reported under that
    layer's ``missing_in``. Raises ValueError when a run has no artifacts at all.
    """
    root = Path(root)
    for run in (run_a, run_b):
        _require_run(run, root)
    runs = {"a": run_a, "b": run_b}
    metas = {
        side: {
            layer: _read_optional(paths.at(_METADATA[layer], root, run_id=run), read_yaml)
            for layer in LAYERS
        }
        for side, run in runs.items()
    }
    layers = {
        layer: _compare_layer(layer, metas["a"][layer], metas["b"][layer]) for layer in LAYERS
    }
    _gold_row_diffs(layers["gold"], root, run_a, run_b, sample_size)
    for layer in LAYERS:
        for entry in layers[layer]["tables"]:
            if entry["status"] is None:
                entry["status"] = "changed" if _entry_changed(entry) else "unchanged"

    checks = []
    for layer, template in _CHECKS.items():
        found = [
            _read_optional(paths.at(template, root, run_id=run), read_json)
            for run in (run_a, run_b)
        ]
        checks.extend(_check_changes(found[0], found[1], layer))

    prints = {side: _fingerprint(root, run, metas[side]) for side, run in runs.items()}
    fingerprint = {
        part: {
            "a": prints["a"].get(part),
            "b": prints["b"].get(part),
            "equal": _same(prints["a"].get(part), prints["b"].get(part)),
        }
        for part in FINGERPRINT_PARTS
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "run_a": run_a,
        "run_b": run_b,
        "ingestion_date": {side: _ingestion_date(metas[side]) for side in runs},
        "fingerprint": fingerprint,
        "summary": _summary(layers, checks),
        "layers": layers,
        "checks": checks,
    }


def _summary(layers: dict, checks: list[dict]) -> dict:
    """Headline numbers over Gold, plus whether the runs are identical everywhere."""
    changed = {
        layer: sum(t["status"] != "unchanged" for t in layers[layer]["tables"]) for layer in LAYERS
    }
    row_diffs = [t["row_diff"] for t in layers["gold"]["tables"] if t.get("row_diff")]
    # A layer both runs lack is no difference; a layer only one run has is.
    one_sided = [layer for layer in LAYERS if len(layers[layer]["missing_in"]) == 1]
    return {
        "tables_changed": changed["gold"],
        "rows_added": sum(d.get("added", 0) for d in row_diffs),
        "rows_removed": sum(d.get("removed", 0) for d in row_diffs),
        "rows_changed": sum(d.get("changed", 0) for d in row_diffs),
        "tables_changed_by_layer": changed,
        "layers_missing": {layer: layers[layer]["missing_in"] for layer in one_sided},
        "checks_changed": len(checks),
        "identical": not any(changed.values()) and not one_sided and not checks,
    }


def render_html(diff: dict, generated_at: str, version: str) -> str:
    """The self-contained HTML page of a ``diff_runs`` result."""
    return render("diff_report.html.j2", diff=diff, generated_at=generated_at, version=version)


def diff_report(run_a: str, run_b: str, root: str | Path = ".") -> tuple[dict, str]:
    """The rule run_diff's two files: ``diff_report.json`` (the :func:`diff_runs` result with
    its ``created_at``) and the HTML page."""
    now = utc_now()
    diff = diff_runs(run_a, run_b, root)
    html = render_html(diff, generated_at=now, version=__version__)
    return {**diff, "created_at": now}, html
