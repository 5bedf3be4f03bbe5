# Agents (ADR 0008): profiles of Bronze tables and draft contracts, built only on demand (never
# part of `all`). A model may help through warehouse.agents.client; it never changes data or runs code,
# and nothing uses a draft until a person promotes it (tools/promote_contract.py). The input
# logic lives in warehouse.agents.targets (the linter advises against functions beside rules;
# that module imports no pandas, so parsing the workflow stays cheap).

from warehouse.agents import targets


rule profile_table:
    input:
        bronze=lambda wildcards: bronze_of_table(paths.BRONZE_DATA, wildcards),
        bronze_meta=lambda wildcards: bronze_of_table(paths.BRONZE_FILE_META, wildcards),
    output:
        profile=paths.DRAFT_PROFILE,
    log:
        paths.log("profile_table", "{table}", paths.DRAFT_LOG),
    benchmark:
        paths.benchmark("profile_table", "{table}", paths.DRAFT_BENCHMARK)
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    script:
        "../scripts/profile_table.py"


rule draft_contract:
    input:
        profile=paths.DRAFT_PROFILE,
        bronze=lambda wildcards: bronze_of_table(paths.BRONZE_DATA, wildcards),
        bronze_meta=lambda wildcards: bronze_of_table(paths.BRONZE_FILE_META, wildcards),
        # Context for the drafter: the table's contract when the run was made with one...
        contract=lambda wildcards: [
            ancient(path)
            for path in silver_contract(wildcards.table)
            if targets.run_has_contract(
                run_manifest(wildcards.run_id), wildcards.table
            )
        ],
        # ...and the run's Silver checks if Silver was built. A single draft never waits for
        # Silver, so a table whose Silver job fails can still be drafted.
        silver_checks=lambda wildcards: [
            ancient(path)
            for path in [paths.SILVER_CHECKS.format(run_id=wildcards.run_id)]
            if readable(path).is_file()
        ],
    output:
        contract=paths.DRAFT_CONTRACT,
        rationale=paths.DRAFT_RATIONALE,
    log:
        paths.log("draft_contract", "{table}", paths.DRAFT_LOG),
    benchmark:
        paths.benchmark("draft_contract", "{table}", paths.DRAFT_BENCHMARK)
    threads: 1
    resources:
        mem_mb=3000,
        # Model calls: timeout x (1 + retries) per call, at most two calls (one repair round).
        runtime=30,
    params:
        agents=config["agents"],
        llm_calls=lambda wildcards: paths.LLM_CALLS.format(run_id=wildcards.run_id),
    script:
        "../scripts/draft_contract.py"


# Drafts for every table of the run without a contract or with a failed error-level Silver
# check: waits for the run's Silver quality gate (a checkpoint) to know which checks failed.
rule drafts:
    input:
        lambda wildcards: targets.draft_files(
            target_run_id(),
            targets.tables_to_draft(
                list(run_tables(target_run_id())),
                run_manifest(target_run_id()),
                silver_gate(target_run_id()),
            ),
        ),
