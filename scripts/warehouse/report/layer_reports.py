"""Each layer's closing job: its ``metadata.yaml``, ``checks.json`` (Silver and Gold),
``run_log.txt`` and HTML report, composed from the per-file, per-table or per-mart metadata
the layer's jobs wrote. The layer packages assemble the metadata and run logs; this module adds
the environment, the time and the rendered page. Gold's, which reads the marts for its KPIs and
charts (and so needs pyarrow and pandas), is in ``gold_report``.
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse import __version__
from warehouse.bronze import layer as bronze
from warehouse.core.environment import environment
from warehouse.core.io import utc_now
from warehouse.quality.gates import layer_checks
from warehouse.report.render import render
from warehouse.silver import layer as silver


@dataclass
class LayerReport:
    """Everything a layer report job writes: ``checks`` is None for Bronze (it has none)."""

    metadata: dict
    checks: dict | None
    run_log: str
    html: str


def bronze_layer_report(manifest: dict, files: list[dict]) -> LayerReport:
    """The Bronze layer's files from the run manifest and the per-file metadata."""
    now = utc_now()
    meta = bronze.layer_metadata(manifest, files, environment(), now)
    html = render("bronze_report.html.j2", meta=meta, generated_at=now, version=__version__)
    return LayerReport(meta, None, bronze.run_log(meta), html)


def silver_layer_report(manifest: dict, tables: list[dict]) -> LayerReport:
    """The Silver layer's files from the run manifest and the per-table metadata."""
    now = utc_now()
    checks = layer_checks("silver", manifest["run_id"], tables)
    meta = silver.layer_metadata("silver", manifest, tables, checks, environment(), now)
    html = render(
        "silver_report.html.j2",
        meta=meta,
        tables=tables,
        checks=checks,
        generated_at=now,
        version=__version__,
    )
    return LayerReport(meta, checks, silver.run_log(meta, checks), html)
