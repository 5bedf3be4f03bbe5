"""Rule draft_contract: a draft contract (YAML) and its rationale (Markdown) for one table of a
run, from its profile: by a model when agents are on and its answer passes validation and a dry
run on the Bronze rows, else by the deterministic heuristics. Nothing uses a draft until a person
promotes it with tools/promote_contract.py."""

import json
from pathlib import Path

from warehouse.agents import client
from warehouse.agents.drafting import contract_yaml, model_draft, rationale_markdown
from warehouse.core.io import read_yaml, write_text
from warehouse.rulekit import run_rule
from warehouse.run.ids import ingestion_date
from warehouse.silver.reader import read_bronze_csv

CHECK_FIELDS = ("id", "check", "severity", "failing_rows", "description")


def failing_checks(checks_path: str | None, table: str) -> list[dict]:
    """The table's failed Silver checks of the run (without samples: they hold key values)."""
    if not checks_path:
        return []
    checks = json.loads(Path(checks_path).read_text(encoding="utf-8"))
    return [
        {k: c.get(k) for k in CHECK_FIELDS}
        for c in checks["results"]
        if c["table"] == table and c["status"] == "fail"
    ]


def main(smk, log):
    run_id, table = smk.wildcards.run_id, smk.wildcards.table
    profile = json.loads(Path(smk.input.profile).read_text(encoding="utf-8"))
    meta = read_yaml(smk.input.bronze_meta)
    rows, malformed = read_bronze_csv(Path(smk.input.bronze), meta["encoding"], meta["delimiter"])
    existing = read_yaml(smk.input.contract[0]) if smk.input.contract else None
    checks = smk.input.silver_checks[0] if smk.input.silver_checks else None
    settings = client.resolve(smk.params.agents)
    draft = model_draft(
        table,
        meta["source"],
        meta["file"],
        profile,
        settings,
        smk.params.llm_calls,
        rows=rows,
        malformed=malformed,
        ingestion_date=ingestion_date(run_id),
        existing=existing,
        failing_checks=failing_checks(checks, table),
    )
    write_text(smk.output.contract, contract_yaml(draft, run_id))
    write_text(smk.output.rationale, rationale_markdown(draft, profile, run_id))
    log.info("%s: drafted by %s. %s", table, draft.drafted_by, " ".join(draft.story))


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
