"""Rule bronze_copy_file: copy one raw CSV byte for byte into Bronze and describe it.

The copy must hash to the SHA-256 the run's manifest recorded, so an old run can never be
completed from raw data that changed since it was minted.
"""

from warehouse.bronze.copy import copy_verified
from warehouse.core.io import read_yaml, utc_now, write_yaml
from warehouse.rulekit import run_rule
from warehouse.run.sources import table_name


def main(smk, log):
    manifest = read_yaml(smk.input.manifest)
    source, file = smk.wildcards.source, smk.wildcards.file
    expected = next(
        (f["sha256"] for f in manifest["raw_files"] if (f["source"], f["file"]) == (source, file)),
        None,
    )
    copied_at = utc_now()
    facts = copy_verified(smk.input.raw, smk.output.data, expected_sha256=expected)
    meta = {
        "source": source,
        "file": file,
        "table": table_name(source, file),
        "raw_path": str(smk.input.raw),
        "path": str(smk.output.data),
        "source_sha256": expected,
        "copied_at": copied_at,
        **facts,
    }
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
