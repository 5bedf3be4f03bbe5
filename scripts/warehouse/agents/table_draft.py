"""Drafting one table of a run, as rule draft_contract does: from its files to the draft's texts.

:func:`draft_table` reads the table's profile, its Bronze copy and metadata, the contract the run
was made with (if any) and the run's failed Silver checks of the table (if Silver was built),
drafts a contract (``warehouse.agents.model_drafter``: by a model when agents are on and its
answer is usable, else by the heuristics) and returns the draft with its two files' texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from warehouse.agents import client
from warehouse.agents.draft_files import Draft, contract_yaml, rationale_markdown
from warehouse.agents.model_drafter import model_draft
from warehouse.core.io import read_json, read_yaml, read_yaml_without_aliases
from warehouse.run.ids import ingestion_date
from warehouse.silver.reader import read_bronze_csv

CHECK_FIELDS = ("id", "check", "severity", "failing_rows", "description")


class DraftedTable(NamedTuple):
    """A table's draft and the texts of its two files."""

    draft: Draft
    contract_yaml: str  # the draft contract file, <table>.yaml
    rationale: str  # why it is drafted so, <table>.md


def failing_checks(checks_path: str | Path | None, table: str) -> list[dict]:
    """The table's failed Silver checks of the run (without samples: they hold key values)."""
    if not checks_path:
        return []
    checks = read_json(checks_path)
    return [
        {k: c.get(k) for k in CHECK_FIELDS}
        for c in checks["results"]
        if c["table"] == table and c["status"] == "fail"
    ]


def draft_table(
    run_id: str,
    table: str,
    *,
    profile_path: str | Path,
    bronze_path: str | Path,
    bronze_meta_path: str | Path,
    agents: dict,
    llm_calls: str | Path,
    contract_path: str | Path | None = None,
    silver_checks_path: str | Path | None = None,
) -> DraftedTable:
    """The draft of ``table`` of run ``run_id``, its contract YAML and its rationale Markdown.

    ``agents`` is the workflow's ``agents`` config; model calls are logged to ``llm_calls``.
    ``contract_path``: the contract the run was made with; ``silver_checks_path``: the run's
    Silver checks. Both are context for the model and may be None.
    """
    profile = read_json(profile_path)
    meta = read_yaml(bronze_meta_path)
    rows, malformed = read_bronze_csv(Path(bronze_path), meta["encoding"], meta["delimiter"])
    existing = read_yaml_without_aliases(contract_path) if contract_path else None
    settings = client.resolve(agents)
    draft = model_draft(
        table,
        meta["source"],
        meta["file"],
        profile,
        settings,
        llm_calls,
        rows=rows,
        malformed=malformed,
        ingestion_date=ingestion_date(run_id),
        existing=existing,
        failing_checks=failing_checks(silver_checks_path, table),
    )
    return DraftedTable(
        draft, contract_yaml(draft, run_id), rationale_markdown(draft, profile, run_id)
    )
