"""Write a deterministic, deliberately dirty sample of the six CRM/ERP source exports.

    python tools/generate_sample.py --scale 1 --seed 42 --out raw

writes ``<out>/source_crm/{cust_info,prd_info,sales_details}.csv`` and
``<out>/source_erp/{CUST_AZ12,LOC_A101,PX_CAT_G1V2}.csv`` and prints one line per file. The same
scale and seed always give byte-identical files. The logic lives in ``tools/sample_generator.py``
(the tables: ``tools/sample_tables.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The warehouse package is never installed: a tool imports the working copy's scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from sample_generator import check_scale, generate  # noqa: E402


def _scale(text: str) -> float:
    try:
        return check_scale(float(text))
    except ValueError:
        # argparse turns this into "argument --scale: ..." and exit status 2.
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text!r}") from None


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return seed


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the sample and report each file; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help="size factor, > 0; 1 is about the real export (18.5k customers, 60k order lines)",
    )
    parser.add_argument("--seed", type=_seed, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--out", type=Path, default=Path("raw"), help="output directory (default raw)"
    )
    args = parser.parse_args(argv)
    for written in generate(args.out, scale=args.scale, seed=args.seed):
        print(f"{written.path}: {written.rows:,} rows, {written.size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
