"""Which draft files a run needs: cheap helpers the rules call while Snakemake builds the DAG
(so they import neither pandas nor the drafter)."""

from __future__ import annotations

from warehouse.core.paths import DRAFT_CONTRACT, DRAFT_RATIONALE, contract_path


def run_has_contract(manifest: dict, table: str) -> bool:
    """Whether a run (by its manifest) was made with a Silver contract for ``table``."""
    return contract_path("silver", table).as_posix() in manifest.get("config_files", {})


def tables_to_draft(tables: list[str], manifest: dict, silver_gate: dict) -> list[str]:
    """The tables of a run that need a draft: those without a contract in the run, and those
    with a failed error-level Silver check (listed in the run's Silver quality gate file)."""
    failing = {failure["table"] for failure in silver_gate.get("failures", [])}
    return sorted(t for t in tables if t in failing or not run_has_contract(manifest, t))


def draft_files(run_id: str, tables: list[str]) -> list[str]:
    """The draft contract and rationale of each of ``tables``."""
    return [
        template.format(run_id=run_id, table=table)
        for table in tables
        for template in (DRAFT_CONTRACT, DRAFT_RATIONALE)
    ]
