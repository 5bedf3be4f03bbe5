"""Rule gold_export_csv: a CSV copy of one Gold mart for spreadsheet users (gold.export_csv)."""

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse.rulekit import run_rule


def main(smk, log):
    table = pq.read_table(smk.input.data)
    pacsv.write_csv(table, smk.output.csv)
    log.info("exported %d rows to %s", table.num_rows, smk.output.csv)


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
