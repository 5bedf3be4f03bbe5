"""End-to-end: `snakemake --report` (issue 15). The report of a complete run and of a run diff
opens with the workflow description (report/workflow.rst), files every report page under its
layer's category (Bronze, Silver, Gold, Run summary, Run diff) with the run id as subcategory,
shows each page with its caption (report/<name>.rst, rendered with the job's wildcards), and
embeds every page, so it reads offline.

The report is one self-contained HTML file; Snakemake writes the description, the results (with
their captions as HTML) and the categories into it as JavaScript variables holding JSON, which is
what this test reads.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from conftest import REPO, copy_workspace
from warehouse.core import paths

pytestmark = pytest.mark.e2e

CAPTIONS = REPO / "report"

# The caption and category of every output flagged report() in rules/*.smk.
REPORTED = {
    paths.BRONZE_REPORT: ("bronze_report.rst", "Bronze"),
    paths.SILVER_REPORT: ("silver_report.rst", "Silver"),
    paths.GOLD_REPORT: ("gold_report.rst", "Gold"),
    paths.SUMMARY_HTML: ("summary_report.rst", "Run summary"),
    paths.LINEAGE_SVG: ("lineage.rst", "Run summary"),
    paths.DIFF_HTML: ("diff_report.rst", "Run diff"),
}


def embedded(page: str, script_id: str, name: str):
    """The JSON value of ``var <name> = ...;`` in the report's ``<script id=...>``."""
    match = re.search(
        rf'<script id="{script_id}">\s*var {name} = (.*?);\s*</script>', page, flags=re.S
    )
    assert match, f"no {name} in the report"
    return json.loads(match.group(1))


def rst_text(path: Path, **context) -> str:
    """The words of an RST caption as a reader sees them: its template rendered, title
    underlines, list bullets and inline markup dropped, white space collapsed."""
    text = jinja2.Template(path.read_text()).render(snakemake=SimpleNamespace(**context))
    text = re.sub(r"^=+$|^- ", "", text, flags=re.M).replace("**", "").replace("``", "")
    return " ".join(text.split())


def html_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_report_has_the_workflow_description_and_every_caption_by_layer(complete_run, tmp_path):
    ws = copy_workspace(complete_run, tmp_path / "project")
    (run_id,) = ws.run_ids()
    diff = paths.DIFF_HTML.format(run_a=run_id, run_b=run_id)  # a run against itself: one job
    built = ws.snakemake(diff)
    assert built.returncode == 0, built.output

    report = tmp_path / "report.html"
    result = ws.snakemake("--report", str(report), "all", diff)
    assert result.returncode == 0, result.output
    page = report.read_text()

    description = html_text(embedded(page, "workflow-desc", "workflow_desc"))
    config = {"raw_dir": "raw"}
    assert rst_text(CAPTIONS / "workflow.rst", config=config) in description
    assert "raw/source_<system>/" in description  # the template saw the workflow's config

    wildcards = {"run_id": run_id, "run_a": run_id, "run_b": run_id}
    expected = {template.format(**wildcards): entry for template, entry in REPORTED.items()}

    # Every page under its layer's category, with the run id (a diff: both) as subcategory.
    categories = embedded(page, "categories", "categories")
    filed = {
        (category, subcategory, path)
        for category, subcategories in categories.items()
        for subcategory, files in subcategories.items()
        for path in files
    }
    diff_runs = f"{run_id} -> {run_id}"
    assert filed == {
        (category, diff_runs if category == "Run diff" else run_id, path)
        for path, (_, category) in expected.items()
    }

    # Every page with its own caption, rendered with the job's wildcards, and embedded.
    results = embedded(page, "results", "results")
    assert sorted(results) == sorted(expected)
    for path, (caption, _) in expected.items():
        shown = results[path]
        words = rst_text(CAPTIONS / caption, wildcards=SimpleNamespace(**wildcards))
        assert html_text(shown["caption"]) == words, path
        assert shown["data_uri"].startswith("data:"), path  # the page is inside the report
    unused = {p.name for p in CAPTIONS.glob("*.rst")} - {c for c, _ in REPORTED.values()}
    assert unused == {"workflow.rst"}
