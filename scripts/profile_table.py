"""Rule profile_table: the profile of one Bronze table of a run (column types, null shares,
distinct values, patterns, code-like and personal columns, candidate keys), the evidence a
contract is drafted from. Built from the run's Bronze copy, never from raw/."""

from warehouse.agents.profiling import profile_bronze_file
from warehouse.core.io import write_json
from warehouse.rulekit import run_rule


def main(smk, log):
    profile = profile_bronze_file(
        smk.input.bronze,
        smk.input.bronze_meta,
        table=smk.wildcards.table,
        run_id=smk.wildcards.run_id,
    )
    write_json(smk.output.profile, profile)
    log.info(
        "%s: %d rows, %d columns; candidate keys: %s; personal columns: %s",
        smk.wildcards.table,
        profile["rows"],
        len(profile["columns"]),
        "; ".join(", ".join(k["columns"]) for k in profile["candidate_keys"]) or "none",
        ", ".join(profile["personal_columns"]) or "none",
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
