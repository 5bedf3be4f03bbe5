"""Rule draft_contract: a draft contract (YAML) and its rationale (Markdown) for one table of a
run, from its profile: by a model when agents are on and its answer passes validation and a dry
run on the Bronze rows, else by the deterministic heuristics. Nothing uses a draft until a person
promotes it with tools/promote_contract.py."""

from warehouse.agents.table_draft import draft_table
from warehouse.core.io import write_text
from warehouse.rulekit import run_rule


def main(smk, log):
    drafted = draft_table(
        smk.wildcards.run_id,
        smk.wildcards.table,
        profile_path=smk.input.profile,
        bronze_path=smk.input.bronze,
        bronze_meta_path=smk.input.bronze_meta,
        agents=smk.params.agents,
        llm_calls=smk.params.llm_calls,
        # Optional inputs: a list of zero or one file.
        contract_path=smk.input.contract[0] if smk.input.contract else None,
        silver_checks_path=smk.input.silver_checks[0] if smk.input.silver_checks else None,
    )
    write_text(smk.output.contract, drafted.contract_yaml)
    write_text(smk.output.rationale, drafted.rationale)
    draft = drafted.draft
    log.info("%s: drafted by %s. %s", smk.wildcards.table, draft.drafted_by, " ".join(draft.story))


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
