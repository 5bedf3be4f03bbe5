"""What the console says at the end of an invocation, and a shorter console while jobs run.

:func:`run_block` turns a run's artifacts into the few lines printed after every invocation
that built, completed or tried to complete a run: the run and whether it is new or reused, each
layer's status and gate, rows raw -> Bronze -> Silver (+ quarantined) -> Gold, checks passed,
warned and failed (every failed error-level check by name), the time the invocation took, and
where the run's summary page and the index of all runs are. Nothing is recomputed: every number
is one the artifacts hold, the run's summary document once it is written (:func:`from_summary`),
its layers' metadata and quality gates until then (:func:`from_layers`, a run built only up to
Silver, or stopped by a failed job). :func:`read_artifacts` reads them through the path catalog.

:class:`CompactConsole` is the console's formatter in the invocation's main process: one line per
job instead of Snakemake's block with every input, output, log and reason, and the scheduler's
own chatter ("Select jobs to execute...", "Finished jobid: ...") left out. Progress ("12 of 28
steps (43%) done"), warnings and errors are written as Snakemake writes them, and the log file
in ``.snakemake/log/`` (another handler) keeps everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from warehouse.agents.narrative import metrics
from warehouse.core import paths
from warehouse.core.io import read_json, read_yaml

LAYERS = ("bronze", "silver", "gold")
ORIGINS = {
    "new": "new run",
    "completed": "reused run, completed now",
    "reused": "reused run",
}
STATUS_WORDS = {
    "passed_with_warnings": "passed with warnings",
    "not_built": "not built",
    "not_finished": "not finished",
}
MAX_FAILURES = 10


def read_artifacts(run_id: str, locate: Callable[[str], Path] = Path) -> dict:
    """The files the block is made from (None for a file not written): the run's summary
    document, each layer's metadata and quality gate, and whether the run is complete.
    ``locate`` maps a workspace path to where this process reads it (a storage copy)."""

    def load(template: str, reader) -> dict | None:
        path = locate(template.format(run_id=run_id))
        return reader(path) if path.is_file() else None

    return {
        "run_id": run_id,
        "summary": load(paths.SUMMARY_JSON, read_json),
        "complete": locate(paths.RUN_STATUS.format(run_id=run_id)).is_file(),
        "metadata": {
            "bronze": load(paths.BRONZE_METADATA, read_yaml),
            "silver": load(paths.SILVER_METADATA, read_yaml),
            "gold": load(paths.GOLD_METADATA, read_yaml),
        },
        "gates": {
            "silver": load(paths.SILVER_GATE, read_yaml),
            "gold": load(paths.GOLD_GATE, read_yaml),
        },
    }


def _failure(layer: str, check: dict) -> dict:
    keep = ("table", "id", "description", "failing_rows")
    return {"layer": layer, **{k: check.get(k) for k in keep}}


def from_summary(summary: dict) -> dict:
    """The block's facts from a run's summary document (``summary_report.json``)."""
    m = metrics(summary)
    layers = {layer["layer"]: layer for layer in summary["layers"]}
    built = {name: layer["status"] != "not_built" for name, layer in layers.items()}
    return {
        "run_id": summary["run_id"],
        "status": summary["status"],
        "layers": [(name, layers[name]["status"], layers[name]["gate"]) for name in layers],
        "rows": {
            "bronze": m["rows"]["bronze"],
            "silver": m["rows"]["silver_out"] if built.get("silver") else None,
            "quarantined": m["rows"]["quarantined"],
            "gold": sum(mart["rows"] for mart in summary["gold_marts"])
            if built.get("gold")
            else None,
            "marts": len(summary["gold_marts"]),
        },
        "checks": {
            "passed": m["checks"]["passed"],
            "warned": m["checks"]["failed_warn"],
            "failed": m["checks"]["failed_error"],
        },
        "failures": [
            _failure(c["layer"], c)
            for c in summary["checks"]["results"]
            if c["status"] == "fail" and c["severity"] == "error"
        ],
        "blocked_by": [(b["layer"], b["report"]) for b in summary["blocked_by"]],
        "summary_page": paths.SUMMARY_HTML.format(run_id=summary["run_id"]),
    }


def from_layers(artifacts: dict) -> dict:
    """The block's facts from the layers' metadata and gates, for a run with no summary yet."""
    meta, gates = artifacts["metadata"], artifacts["gates"]

    def total(layer: str, key: str) -> int | None:
        return None if meta[layer] is None else meta[layer]["totals"][key]

    written = [g for g in gates.values() if g is not None]
    closed = [g for g in written if g["status"] == "closed"]
    counts = [g["checks"] for g in written]
    return {
        "run_id": artifacts["run_id"],
        "status": "complete" if artifacts["complete"] else "blocked" if closed else "incomplete",
        "layers": [
            (
                name,
                "not_finished" if meta[name] is None else meta[name]["status"],
                (gates.get(name) or {}).get("status"),
            )
            for name in LAYERS
        ],
        "rows": {
            "bronze": total("bronze", "data_rows"),
            "silver": total("silver", "rows_out"),
            "quarantined": total("silver", "rows_quarantined"),
            "gold": total("gold", "rows"),
            "marts": total("gold", "marts"),
        },
        "checks": {
            "passed": sum(c["passed"] for c in counts),
            "warned": sum(c["failed_warn"] for c in counts),
            "failed": sum(c["failed_error"] for c in counts),
        }
        if counts
        else None,
        "failures": [_failure(g["layer"], f) for g in written for f in g["failures"]],
        "blocked_by": [(g["layer"], g["report"]) for g in closed],
        "summary_page": None,
    }


def facts(artifacts: dict) -> dict:
    """The block's facts: from the summary document when the run has one. A run is complete
    only once its final status is written (the summary comes just before it)."""
    if artifacts["summary"] is None:
        return from_layers(artifacts)
    found = from_summary(artifacts["summary"])
    if found["status"] == "complete" and not artifacts["complete"]:
        found["status"] = "incomplete"
    return found


def duration(seconds: float) -> str:
    """``seconds`` as a person says it: 4.2 s, 3 min 05 s, 1 h 02 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _state(f: dict, stopped: bool) -> str:
    if f["status"] == "blocked":
        gates = " and the ".join(layer.capitalize() for layer, _ in f["blocked_by"])
        return f"BLOCKED, the {gates} quality gate is closed" if gates else "BLOCKED"
    if f["status"] == "complete":
        return (
            "complete, but a job of this invocation failed (see above)" if stopped else "complete"
        )
    return "not finished, a job failed (see above)" if stopped else "not finished"


def _layer(name: str, status: str, gate: str | None) -> str:
    text = f"{name.capitalize()} {STATUS_WORDS.get(status, status)}"
    return f"{text}, gate {gate}" if gate else text


def _rows(rows: dict) -> str:
    if rows["bronze"] is None:
        return "not counted yet (a layer's metadata counts them when the layer is finished)"
    text = f"raw {rows['bronze']:,} -> Bronze {rows['bronze']:,}"
    if rows["silver"] is None:
        return text + " -> Silver not built"
    text += f" -> Silver {rows['silver']:,} (+{rows['quarantined']:,} quarantined)"
    if rows["gold"] is None:
        return text + " -> Gold not built"
    return text + f" -> Gold {rows['gold']:,} in {rows['marts']} marts"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def run_block(f: dict, *, origin: str, seconds: float, stopped: bool = False) -> list[str]:
    """The console block for a run with facts ``f`` (:func:`facts`). ``origin``: a key of
    :data:`ORIGINS` (whether this invocation made the run); ``seconds``: how long the invocation
    took; ``stopped``: whether it ended on a failed job."""
    lines = [
        f"Summary of run {f['run_id']} ({ORIGINS[origin]}): {_state(f, stopped)}",
        "  layers    " + " | ".join(_layer(*layer) for layer in f["layers"]),
        "  rows      " + _rows(f["rows"]),
    ]
    checks = f["checks"]
    lines.append(
        "  checks    "
        + (
            f"{checks['passed']:,} passed, {checks['warned']:,} warned, {checks['failed']:,} failed"
            if checks
            else "none run yet"
        )
    )
    for i, c in enumerate(f["failures"][:MAX_FAILURES]):
        lines.append(
            ("  failed    " if i == 0 else "            ")
            + f"{c['layer']} {c['table']}.{c['id']} on {_plural(c['failing_rows'], 'row')}: "
            f"{c['description']}"
        )
    if len(f["failures"]) > MAX_FAILURES:
        lines.append(f"            and {len(f['failures']) - MAX_FAILURES} more")
    for _, report in f["blocked_by"]:
        lines.append(f"  report    {report} (the failing rows)")
    lines.append(f"  took      {duration(seconds)}")
    lines.append(
        "  summary   " + (f["summary_page"] or "not written yet: `snakemake all` completes the run")
    )
    lines.append(f"  all runs  {paths.RUNS_INDEX_HTML}")
    return lines


def job_line(info: dict, clock: str) -> str:
    """One line for a job Snakemake starts, from its JOB_INFO log record's fields: the rule
    (local, checkpoint) and the wildcards other than the run id, which the console announced."""
    kind = ("local" if info.get("local") else "") + (
        "checkpoint" if info.get("is_checkpoint") else "rule"
    )
    wildcards = ", ".join(
        f"{k}={v}" for k, v in (info.get("wildcards") or {}).items() if k != "run_id"
    )
    return f"[{clock}] {kind} {info['rule_name']}:" + (f" {wildcards}" if wildcards else "")


class CompactConsole(logging.Formatter):
    """Snakemake's console formatter ``full``, with each job's block shortened to
    :func:`job_line` and the scheduler's chatter left out (an empty text is not written)."""

    # Snakemake's log events, by value (snakemake_interface_logger_plugins LogEvent).
    LEFT_OUT_EVENTS = frozenset({"workflow_started", "job_started", "job_finished"})
    LEFT_OUT_MESSAGES = frozenset({"Select jobs to execute..."})

    def __init__(self, full: logging.Formatter):
        super().__init__()
        self.full = full

    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        if event in self.LEFT_OUT_EVENTS:
            return ""
        if event is None and record.msg in self.LEFT_OUT_MESSAGES:
            return ""
        if event == "job_info" and not getattr(record, "rule_msg", None):
            return job_line(record.__dict__, time.strftime("%H:%M:%S"))
        return self.full.format(record)
