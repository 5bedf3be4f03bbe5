"""Rule gold_export_csv: a CSV copy of one Gold mart for spreadsheet users (gold.export_csv)."""

from warehouse.gold.build import export_csv
from warehouse.rulekit import run_rule


def main(smk, log):
    rows = export_csv(smk.input.data, smk.output.csv)
    log.info("exported %d rows to %s", rows, smk.output.csv)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
