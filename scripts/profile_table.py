"""Rule profile_table: the profile of one Bronze table of a run (column types, null shares,
distinct values, patterns, code-like and personal columns, candidate keys), the evidence a
contract is drafted from. Built from the run's Bronze copy, never from raw/."""

from pathlib import Path

from warehouse.agents.profiling import profile_table
from warehouse.core.io import read_yaml, utc_now, write_json
from warehouse.rulekit import run_rule
from warehouse.silver.reader import read_bronze_csv


def main(smk, log):
    meta = read_yaml(smk.input.bronze_meta)
    rows, malformed = read_bronze_csv(Path(smk.input.bronze), meta["encoding"], meta["delimiter"])
    profile = profile_table(
        rows,
        malformed,
        table=smk.wildcards.table,
        run_id=smk.wildcards.run_id,
        bronze_meta=meta,
        bronze_path=str(smk.input.bronze),
        created_at=utc_now(),
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
