"""Rule bronze_copy_file: copy one raw CSV byte for byte into Bronze and describe it.

The copy must hash to the SHA-256 the run's manifest recorded, so an old run can never be
completed from raw data that changed since it was minted.
"""

from warehouse.bronze.copy import copy_raw_file
from warehouse.core.io import read_yaml, write_yaml
from warehouse.rulekit import run_rule


def main(smk, log):
    meta = copy_raw_file(
        read_yaml(smk.input.manifest),
        smk.wildcards.source,
        smk.wildcards.file,
        smk.input.raw,
        smk.output.data,
    )
    write_yaml(smk.output.meta, meta)
    log.info(
        "copied %s -> %s (%d bytes, %d data rows, sha256 %s)",
        meta["raw_path"],
        meta["path"],
        meta["size_bytes"],
        meta["data_rows"],
        meta["sha256"],
    )


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
