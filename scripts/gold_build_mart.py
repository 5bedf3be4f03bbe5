"""Rule gold_build_mart: build one Gold mart from its input tables, hold it to its contract
(names, order, types), run its checks and write it with its metadata."""

import time
from pathlib import Path

from warehouse.contracts.validation import load_run_contract
from warehouse.core.hashing import sha256_file
from warehouse.core.io import read_yaml, write_yaml
from warehouse.core.parquet import read_parquet, write_parquet
from warehouse.core.schemas import schema_of
from warehouse.gold.marts import MARTS, conform_to_contract
from warehouse.quality.checks import run_checks
from warehouse.rulekit import run_rule


def main(smk, log):
    started = time.perf_counter()
    mart = smk.wildcards.mart
    manifest = read_yaml(smk.input.manifest)
    contract = load_run_contract(smk.input.contract, "gold", mart, manifest)
    frames, inputs = {}, []
    for layer, tables in (("silver", smk.input.silver_tables), ("gold", smk.input.gold_tables)):
        for path in tables:
            name = Path(path).stem
            frames[name] = read_parquet(path)
            inputs.append(
                {
                    "table": name,
                    "layer": layer,
                    "path": path,
                    "rows": len(frames[name]),
                    "sha256": sha256_file(Path(path)),
                }
            )
    read_done = time.perf_counter()
    frame = conform_to_contract(MARTS[mart](frames), contract, smk.input.contract)
    built = time.perf_counter()
    results = run_checks(
        frame, contract.get("checks", []), table=mart, key=contract.get("key"), related=frames
    )
    checked = time.perf_counter()
    output = write_parquet(frame, smk.output.data)
    meta = {
        "table": mart,
        "layer": "gold",
        "contract": smk.input.contract,
        "grain": contract["grain"],
        "key": contract.get("key"),
        "inputs": inputs,
        "rows_out": len(frame),
        "schema_out": schema_of(frame),
        "column_lineage": {
            c["name"]: c.get("sources", []) for c in contract["columns"] if c.get("sources")
        },
        "output": output,
        "checks": results,
        "warnings": [],
        "timings": {
            "read_seconds": round(read_done - started, 4),
            "build_seconds": round(built - read_done, 4),
            "checks_seconds": round(checked - built, 4),
            "total_seconds": round(time.perf_counter() - started, 4),
        },
    }
    write_yaml(smk.output.meta, meta)
    failed = [c for c in results if c["status"] == "fail"]
    for check in failed:
        log.warning(
            "check %s (%s) failed on %d rows", check["id"], check["severity"], check["failing_rows"]
        )
    log.info("%s: %d rows from %s", mart, len(frame), ", ".join(sorted(frames)))


if __name__ == "__main__":
    run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)
